package simulator

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// faultSim is a vendor with a month of history and an incident and a
// maintenance under way, served as of testStart.
func faultSim(t *testing.T) *Sim {
	t.Helper()
	v := vendor("acme", Persona{}, 60)
	v.OpenAtStart = true
	return startSim(t, newClock(testStart), Options{Seed: 3, Vendors: []Vendor{v}})
}

// listRequest is each kind's main list, in small pages where it is paged,
// and the credentials it wants.
func listRequest(s *Sim, kind string) (string, func(*http.Request)) {
	basic := func(user, pass string) func(*http.Request) {
		return func(r *http.Request) { r.SetBasicAuth(user, pass) }
	}
	base := s.URL("acme", kind)
	switch kind {
	case KindZendesk:
		return base + exportPath + "?start_time=0&per_page=7", basic(s.ZendeskCredentials("acme"))
	case KindZendeskRequests:
		return base + requestsPath + "?page%5Bsize%5D=7", basic(s.ZendeskRequestsCredentials("acme"))
	case KindFreshdesk:
		return base + "/api/v2/tickets?updated_since=2000-01-01T00:00:00Z&per_page=7", basic(s.FreshdeskCredentials("acme"))
	case KindGitHub:
		return base + "/repos/acme/acme-sdk/issues?state=all&per_page=7", nil
	case KindJSM:
		q := url.Values{"jql": {"project in (SUP) ORDER BY updated ASC, key ASC"}, "fields": {"updated"}, "maxResults": {"7"}}
		return base + "/rest/api/3/search/jql?" + q.Encode(), basic(s.JSMCredentials("acme"))
	case KindStatuspage, KindIncidentio:
		return base + "/api/v2/incidents.json", nil
	case KindInstatus:
		return base + "/summary.json", nil
	case KindStatusio:
		return base + "/1.0/status/" + s.StatusioPageID("acme"), nil
	case KindCachet:
		return base + "/api/v1/incidents?per_page=2", nil
	}
	return base, nil // the feed's URL is the feed
}

var allKinds = []string{
	KindZendesk, KindZendeskRequests, KindFreshdesk, KindGitHub, KindJSM,
	KindStatuspage, KindIncidentio, KindInstatus, KindStatusio, KindCachet, KindFeed,
}

func TestInjectSpecRefusals(t *testing.T) {
	s := faultSim(t)
	tests := []struct {
		name, kind string
		spec       Spec
		want       string
	}{
		{"unknown kind", "zendesk_classic", Spec{Fault: FaultServerError, Requests: 1}, "no zendesk_classic API"},
		{"no duration", KindZendesk, Spec{Fault: FaultServerError}, "no request and no time"},
		{"GitHub's limit elsewhere", KindFreshdesk, Spec{Fault: FaultGitHubPrimaryLimit, Requests: 1}, "does not apply"},
		{"pages where none are", KindStatuspage, Spec{Fault: FaultEndlessSame, Requests: 1}, "does not apply"},
		{"unknown fault", KindZendesk, Spec{Fault: Fault(99), Requests: 1}, "does not apply"},
	}
	for _, tt := range tests {
		if err := s.InjectSpec("acme", tt.kind, tt.spec); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one about %q", tt.name, err, tt.want)
		}
	}
	u, auth := listRequest(s, KindStatuspage)
	if r := fetch(t, u, auth); r.status != http.StatusOK {
		t.Errorf("a refused injection still played: HTTP %d", r.status)
	}
}

// TestFaultForADuration: a fault given a duration plays on every request
// from the first it meets until that long after, then the API answers.
func TestFaultForADuration(t *testing.T) {
	s := faultSim(t)
	if err := s.InjectSpec("acme", KindStatuspage, Spec{Fault: FaultServerError, For: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	u, _ := listRequest(s, KindStatuspage)
	for i := range 3 {
		if r := fetch(t, u, nil); r.status != http.StatusInternalServerError {
			t.Fatalf("request %d within the fault: HTTP %d, want 500", i+1, r.status)
		}
	}
	time.Sleep(350 * time.Millisecond)
	if r := fetch(t, u, nil); r.status != http.StatusOK {
		t.Errorf("after the fault: HTTP %d, want 200", r.status)
	}
}

// yearsIn lists the years of the RFC 3339-like times in a body.
func yearsIn(body []byte) []int {
	var out []int
	for _, m := range isoTime.FindAll(body, -1) {
		y, _ := strconv.Atoi(string(m[:4]))
		out = append(out, y)
	}
	return out
}

func TestFaultTimes(t *testing.T) {
	for _, kind := range allKinds {
		t.Run(kind, func(t *testing.T) {
			s := faultSim(t)
			u, auth := listRequest(s, kind)
			before := fetch(t, u, auth)
			loc := s.worlds["acme"].cal.Location()
			tests := []struct {
				spec  Spec
				years int
				year  func(int) bool // what each year in the answer must be
			}{
				// Components date from 2017-2021, the rest from 2026.
				{Spec{Fault: FaultFutureTimes, Requests: 1}, 10, func(y int) bool { return y >= 2027 }},
				{Spec{Fault: FaultPastTimes, Requests: 1}, -100, func(y int) bool { return y <= 1926 }},
				{Spec{Fault: FaultFutureTimes, Requests: 1, Years: 3, Since: testStart.Add(-24 * time.Hour)}, 3,
					func(y int) bool { return y <= 2026 || y == 2029 }},
			}
			for _, tt := range tests {
				if err := s.InjectSpec("acme", kind, tt.spec); err != nil {
					t.Fatal(err)
				}
				got := fetch(t, u, auth)
				if got.status != before.status {
					t.Fatalf("%v: HTTP %d, want %d", tt.spec.Fault, got.status, before.status)
				}
				if want := shiftTimes(before.body, tt.years, tt.spec.Since, loc); !bytes.Equal(got.body, want) {
					t.Errorf("%v %+d years since %v: body\n%.400s\nwant\n%.400s", tt.spec.Fault, tt.years, tt.spec.Since, got.body, want)
				}
				if tt.spec.Since.IsZero() && bytes.Equal(got.body, before.body) { // a first page may hold only older items
					t.Errorf("%v: no time moved", tt.spec.Fault)
				}
				for _, y := range yearsIn(got.body) {
					if !tt.year(y) {
						t.Errorf("%v %+d years since %v: a time in %d", tt.spec.Fault, tt.years, tt.spec.Since, y)
						break
					}
				}
				if kind == KindFeed {
					if err := xml.Unmarshal(got.body, new(atomFeed)); err != nil {
						t.Errorf("%v: the feed no longer parses: %v", tt.spec.Fault, err)
					}
				} else if !json.Valid(got.body) {
					t.Errorf("%v: the body is no longer JSON", tt.spec.Fault)
				}
				if after := fetch(t, u, auth); !bytes.Equal(after.body, before.body) {
					t.Errorf("%v: the answer after the fault differs from the one before", tt.spec.Fault)
				}
			}
		})
	}
}

func TestShiftTimesKeepsEachForm(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct{ in, want string }{
		{`"updated_at":"2026-03-10T12:00:00Z"`, `"updated_at":"2036-03-10T12:00:00Z"`},
		{`"created_at":"2026-03-10T12:00:00.123Z"`, `"created_at":"2036-03-10T12:00:00.123Z"`},
		{`"updated":"2026-03-10T13:00:00.000+0100"`, `"updated":"2036-03-10T13:00:00.000+0100"`},
		{`"iso8601":"2026-03-10T13:00:00+0100"`, `"iso8601":"2036-03-10T13:00:00+0100"`},
		{`"datetime":"2026-03-10T20:00:00+08:00"`, `"datetime":"2036-03-10T20:00:00+08:00"`},
		{`"occurred_at":"2026-03-10 13:00:00"`, `"occurred_at":"2036-03-10 13:00:00"`},
		{`"friendly":"10/Mar/26 1:00 PM"`, `"friendly":"10/Mar/36 1:00 PM"`},
		{`"generated_timestamp":1773144000`, `"generated_timestamp":` + strconv.FormatInt(time.Unix(1773144000, 0).AddDate(10, 0, 0).Unix(), 10)},
		{`"epochMillis":1773144000123`, `"epochMillis":` + strconv.FormatInt(time.UnixMilli(1773144000123).AddDate(10, 0, 0).UnixMilli(), 10)},
		{`<published>2026-03-10T12:00:00Z</published>`, `<published>2036-03-10T12:00:00Z</published>`},
		{`"created_at":"2026-02-28T23:59:59Z"`, `"created_at":"2026-02-28T23:59:59Z"`}, // before since
		{`"occurred_at":"2026-03-01 00:30:00"`, `"occurred_at":"2026-03-01 00:30:00"`}, // 23:30 UTC: before since
		{`"epochMillis":1772319600000`, `"epochMillis":1772319600000`},                 // an hour before since
		{`"id":"20260310120000"`, `"id":"20260310120000"`},                             // no time
	}
	for _, tt := range tests {
		if got := string(shiftTimes([]byte(tt.in), 10, since, berlin)); got != tt.want {
			t.Errorf("shiftTimes(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// pageNext reads from a page whether it says more follows, and the URL of
// the next page.
type pageNext func(t *testing.T, r response, requested string) (next string, more bool)

func linkNext(_ *testing.T, r response, _ string) (string, bool) {
	m := nextLink.FindStringSubmatch(r.header.Get("Link"))
	if m == nil {
		return "", false
	}
	return m[1], true
}

func jsonNext[T any](read func(T) (string, bool)) pageNext {
	return func(t *testing.T, r response, _ string) (string, bool) {
		t.Helper()
		var v T
		if err := json.Unmarshal(r.body, &v); err != nil {
			t.Fatalf("%v: %.300s", err, r.body)
		}
		return read(v)
	}
}

var pagedLists = []struct {
	name, kind, path string // path: "" for listRequest's
	next             pageNext
	onlyItems        bool // the body is the items alone, which the growing fault repeats
}{
	{"zendesk export", KindZendesk, "", jsonNext(func(p struct {
		AfterURL    string `json:"after_url"`
		EndOfStream bool   `json:"end_of_stream"`
	}) (string, bool) {
		return p.AfterURL, !p.EndOfStream
	}), false},
	{"zendesk requests", KindZendeskRequests, "", jsonNext(func(p requestsPage) (string, bool) {
		return valueOf(p.Links.Next), p.Meta.HasMore
	}), false},
	{"freshdesk tickets", KindFreshdesk, "", linkNext, true},
	{"github issues", KindGitHub, "", linkNext, true},
	{"jsm search", KindJSM, "", func(t *testing.T, r response, requested string) (string, bool) {
		t.Helper()
		var p jSearchPage
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(requested)
		q := u.Query()
		q.Set("nextPageToken", p.NextPageToken)
		u.RawQuery = q.Encode()
		return u.String(), !p.IsLast && p.NextPageToken != ""
	}, false},
	{"jsm request list", KindJSM, "/rest/servicedeskapi/request?limit=7", jsonNext(func(p jPage[json.RawMessage]) (string, bool) {
		return p.Links.Next, !p.IsLastPage && p.Links.Next != ""
	}), false},
	{"cachet incidents", KindCachet, "", jsonNext(func(p struct {
		Meta struct {
			Pagination struct {
				Links ctLinks `json:"links"`
			} `json:"pagination"`
		} `json:"meta"`
	}) (string, bool) {
		n := p.Meta.Pagination.Links.NextPage
		return valueOf(n), n != nil
	}), false},
}

func valueOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TestFaultEndlessPages follows 15 pages of each paged list under each
// endless fault: every page says more follows; under FaultEndlessSame the
// next page is the one just read, under FaultEndlessGrowing a new one each
// time (with the first page's items where pages are numbered). Once the
// fault ends, the list ends again.
func TestFaultEndlessPages(t *testing.T) {
	const pages = 15 // past the end of every list
	for _, l := range pagedLists {
		for _, f := range []Fault{FaultEndlessSame, FaultEndlessGrowing} {
			t.Run(l.name+"/"+f.String(), func(t *testing.T) {
				s := faultSim(t)
				first, auth := listRequest(s, l.kind)
				if l.path != "" {
					first = s.URL("acme", l.kind) + l.path
				}
				if err := s.InjectSpec("acme", l.kind, Spec{Fault: f, Requests: pages}); err != nil {
					t.Fatal(err)
				}
				u := first
				var nexts []string
				var bodies [][]byte
				for i := range pages {
					r := fetch(t, u, auth)
					if r.status != http.StatusOK {
						t.Fatalf("page %d: HTTP %d: %.300s", i+1, r.status, r.body)
					}
					next, more := l.next(t, r, u)
					if !more || next == "" {
						t.Fatalf("page %d under %v says no more follows", i+1, f)
					}
					nexts, bodies = append(nexts, next), append(bodies, r.body)
					u = next
				}
				seen := map[string]bool{}
				for i, n := range nexts {
					switch {
					case f == FaultEndlessSame && i > 0 && (n != nexts[1] || !bytes.Equal(bodies[i], bodies[1])):
						t.Errorf("page %d names %s with another body, want the page read before (%s)", i+1, n, nexts[1])
					case f == FaultEndlessGrowing && seen[n]:
						t.Errorf("page %d names %s again", i+1, n)
					case f == FaultEndlessGrowing && l.onlyItems && !bytes.Equal(bodies[i], bodies[0]):
						t.Errorf("page %d holds other items than the first page's", i+1)
					}
					seen[n] = true
				}
				// The fault is spent: the list ends.
				u = first
				for i := 0; ; i++ {
					if i == 500 {
						t.Fatal("the list still pages after 500 pages without the fault")
					}
					next, more := l.next(t, fetch(t, u, auth), u)
					if !more {
						break
					}
					u = next
				}
			})
		}
	}
}

func TestFaultHugeBody(t *testing.T) {
	const size = 1 << 20
	for _, kind := range allKinds {
		t.Run(kind, func(t *testing.T) {
			s := faultSim(t)
			u, auth := listRequest(s, kind)
			real := fetch(t, u, auth)
			if err := s.InjectSpec("acme", kind, Spec{Fault: FaultHugeBody, Size: size, Requests: 1}); err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, u, nil)
			if auth != nil {
				auth(req)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK || resp.ContentLength != -1 {
				t.Fatalf("HTTP %d, Content-Length %d, %v; want 200 streamed without a length", resp.StatusCode, resp.ContentLength, err)
			}
			if len(body) < size || len(body) > size+64<<10 {
				t.Errorf("%d bytes, want about %d", len(body), size)
			}
			if kind == KindFeed {
				var f atomFeed
				if err := xml.Unmarshal(body, &f); err != nil || len(f.Entries) < 100 {
					t.Errorf("the padded feed: %v, %d entries", err, len(f.Entries))
				}
			} else if !json.Valid(body) {
				t.Errorf("the padded body is not JSON: %.200s", body)
			}
			// What a client reads first is the API's own answer.
			if cut := bytes.IndexAny(real.body, "[<"); cut > 0 && !bytes.HasPrefix(body, real.body[:cut]) {
				t.Errorf("the body starts %.100q, want the real answer's start %.100q", body, real.body[:cut])
			}
		})
	}
}

// TestFaultHugeBodyIsStreamed: 64 MiB go out while the simulator and the
// client allocate a small part of that.
func TestFaultHugeBodyIsStreamed(t *testing.T) {
	s := faultSim(t)
	s.Inject("acme", KindZendesk, FaultHugeBody, 1)
	u, auth := listRequest(s, KindZendesk)
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	auth(req)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	if err != nil || n < 64<<20 {
		t.Fatalf("read %d bytes, %v; want 64 MiB", n, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("%d MiB allocated while streaming 64 MiB: the body is buffered", alloc>>20)
	}
}

func TestFaultRateLimits(t *testing.T) {
	s := faultSim(t)
	wait := 45 * time.Second
	for _, kind := range allKinds {
		u, auth := listRequest(s, kind)
		t.Run(kind+"/retry_after_date", func(t *testing.T) {
			if err := s.InjectSpec("acme", kind, Spec{Fault: FaultRetryAfterDate, Wait: wait, Requests: 1}); err != nil {
				t.Fatal(err)
			}
			r := fetch(t, u, auth)
			date, err1 := http.ParseTime(r.header.Get("Date"))
			retry, err2 := http.ParseTime(r.header.Get("Retry-After"))
			if r.status != http.StatusTooManyRequests || err1 != nil || err2 != nil || retry.Sub(date) != wait || !date.Equal(testStart) {
				t.Errorf("HTTP %d, Date %q, Retry-After %q; want 429 and an HTTP date %v after the vendor's clock %v",
					r.status, r.header.Get("Date"), r.header.Get("Retry-After"), wait, testStart)
			}
		})
		t.Run(kind+"/no_reset", func(t *testing.T) {
			s.Inject("acme", kind, FaultRateLimitNoReset, 1)
			r := fetch(t, u, auth)
			if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "30" || r.header.Get("X-Rate-Limit-Remaining") != "0" {
				t.Errorf("HTTP %d, Retry-After %q, X-Rate-Limit-Remaining %q; want 429, 30 and 0", r.status, r.header.Get("Retry-After"), r.header.Get("X-Rate-Limit-Remaining"))
			}
			for _, h := range []string{"Ratelimit-Reset", "X-Ratelimit-Reset", "X-Rate-Limit-Reset"} {
				if v := r.header.Get(h); v != "" {
					t.Errorf("%s: %q, want no reset", h, v)
				}
			}
			if !json.Valid(r.body) {
				t.Errorf("429 body %q is not the API's JSON error", r.body)
			}
		})
	}
	t.Run("github primary limit", func(t *testing.T) {
		u, _ := listRequest(s, KindGitHub)
		for _, token := range []string{"", s.GitHubToken("acme")} {
			if err := s.InjectSpec("acme", KindGitHub, Spec{Fault: FaultGitHubPrimaryLimit, Wait: wait, Requests: 1}); err != nil {
				t.Fatal(err)
			}
			r := fetch(t, u, func(r *http.Request) {
				if token != "" {
					r.Header.Set("Authorization", "Bearer "+token)
				}
			})
			var body struct {
				Message, DocumentationURL, Status string
			}
			_ = json.Unmarshal(r.body, &body)
			reset, _ := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64)
			limit := map[bool]string{true: "5000", false: "60"}[token != ""]
			if r.status != http.StatusForbidden || r.header.Get("X-RateLimit-Remaining") != "0" || r.header.Get("X-RateLimit-Limit") != limit ||
				reset != testStart.Add(wait).Unix() || !regexp.MustCompile(`^API rate limit exceeded for `).MatchString(body.Message) || body.Status != "403" {
				t.Errorf("token %v: HTTP %d, remaining %q of %q, reset %d, body %s; want 403, 0 of %s, reset %d and GitHub's message",
					token != "", r.status, r.header.Get("X-RateLimit-Remaining"), r.header.Get("X-RateLimit-Limit"), reset, r.body, limit, testStart.Add(wait).Unix())
			}
		}
	})
}
