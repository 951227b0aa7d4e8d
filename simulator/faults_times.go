package simulator

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The forms in which the APIs write times: RFC 3339 and its relatives
// (Statuspage's milliseconds, Jira's offsets without a colon, Cachet's
// zone-less wall times), Jira's friendly dates, and the two numeric
// fields.
var (
	isoTime      = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?`)
	jiraFriendly = regexp.MustCompile(`\d{2}/[A-Z][a-z]{2}/\d{2} \d{1,2}:\d{2} [AP]M`)
	unixField    = regexp.MustCompile(`"(generated_timestamp|epochMillis)":(-?\d+)`)
	// slackTime is a Slack message timestamp, "1512085950.000216": Unix
	// seconds and a sequence.
	slackTime = regexp.MustCompile(`"(ts|thread_ts|latest_reply)":"(-?\d+)\.(\d{6})"`)
	// larkTime is a Lark message time, milliseconds in a string.
	larkTime = regexp.MustCompile(`"(create_time|update_time)":"(-?\d+)"`)
)

const jiraFriendlyLayout = "02/Jan/06 3:04 PM"

// serveShifted answers r as the API does, its times moved (shiftTimes).
func (e *endpoint) serveShifted(rw http.ResponseWriter, r *http.Request, years int, since time.Time) {
	rec := httptest.NewRecorder()
	e.api.ServeHTTP(rec, unconditional(r))
	body := shiftTimes(rec.Body.Bytes(), years, since, e.w.cal.Location())
	h := rw.Header()
	maps.Copy(h, rec.Header())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if h.Get("ETag") != "" { // another body, another tag
		sum := sha256.Sum256(body)
		h.Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	}
	rw.WriteHeader(rec.Code)
	_, _ = rw.Write(body)
}

// shiftTimes moves every time in body at or after since by years, keeping
// its form; zone-less times are wall times in loc.
func shiftTimes(body []byte, years int, since time.Time, loc *time.Location) []byte {
	move := func(t time.Time) (time.Time, bool) {
		if t.Before(since) {
			return t, false
		}
		return t.AddDate(years, 0, 0), true
	}
	body = isoTime.ReplaceAllFunc(body, func(m []byte) []byte {
		layout := isoLayout(string(m))
		t, err := time.ParseInLocation(layout, string(m), loc)
		if err != nil {
			return m
		}
		if t, ok := move(t); ok {
			return []byte(t.Format(layout))
		}
		return m
	})
	body = jiraFriendly.ReplaceAllFunc(body, func(m []byte) []byte {
		t, err := time.ParseInLocation(jiraFriendlyLayout, string(m), loc)
		if err != nil {
			return m
		}
		if t, ok := move(t); ok {
			return []byte(t.Format(jiraFriendlyLayout))
		}
		return m
	})
	body = slackTime.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := slackTime.FindSubmatch(m)
		n, err := strconv.ParseInt(string(sub[2]), 10, 64)
		if err != nil {
			return m
		}
		t, ok := move(time.Unix(n, 0))
		if !ok {
			return m
		}
		return []byte(`"` + string(sub[1]) + `":"` + strconv.FormatInt(t.Unix(), 10) + "." + string(sub[3]) + `"`)
	})
	body = larkTime.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := larkTime.FindSubmatch(m)
		n, err := strconv.ParseInt(string(sub[2]), 10, 64)
		if err != nil {
			return m
		}
		t, ok := move(time.UnixMilli(n))
		if !ok {
			return m
		}
		return []byte(`"` + string(sub[1]) + `":"` + strconv.FormatInt(t.UnixMilli(), 10) + `"`)
	})
	return unixField.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := unixField.FindSubmatch(m)
		n, err := strconv.ParseInt(string(sub[2]), 10, 64)
		if err != nil {
			return m
		}
		millis := string(sub[1]) == "epochMillis"
		t := time.Unix(n, 0)
		if millis {
			t = time.UnixMilli(n)
		}
		t, ok := move(t)
		if !ok {
			return m
		}
		n = t.Unix()
		if millis {
			n = t.UnixMilli()
		}
		return []byte(`"` + string(sub[1]) + `":` + strconv.FormatInt(n, 10))
	})
}

// isoLayout is the layout of a time isoTime matched, so that the moved
// time is written the same way.
func isoLayout(s string) string {
	layout := "2006-01-02" + s[10:11] + "15:04:05"
	rest := s[19:]
	if strings.HasPrefix(rest, ".") {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		layout += "." + strings.Repeat("0", n-1)
		rest = rest[n:]
	}
	switch {
	case rest == "":
	case rest == "Z" || strings.Contains(rest, ":"):
		layout += "Z07:00"
	default:
		layout += "-0700"
	}
	return layout
}
