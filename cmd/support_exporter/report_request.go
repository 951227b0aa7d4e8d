package main

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/alerts"
	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/report"
	"github.com/support-exporter/support_exporter/exporter/report/render"
)

// reportRequest is what the report command's flags and the /report
// endpoint's parameters ask for, the same words in both (docs/report-cli.md).
type reportRequest struct {
	Vendors        []string // empty: every configured vendor
	From, To       string   // YYYY-MM-DD (midnight UTC) or RFC 3339; To exclusive
	Quarter, Month string   // 2026Q3, 2026-11 (UTC)
	Compare        bool
	Format         string // one of render.Formats; empty: html
	// http: the request came as URL parameters, and errors name them so
	// (from=...) rather than as flags (--from ...).
	http bool
}

// inputError is a request the report cannot answer as asked, found
// before the report is built: exit 2 and 400, as report.InputError.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

func badInput(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

// isInputError reports whether err is the asker's mistake: ours or the
// builder's (report.InputError).
func isInputError(err error) bool {
	var mine *inputError
	var theirs *report.InputError
	return errors.As(err, &mine) || errors.As(err, &theirs)
}

// name writes a parameter and its value as the asker wrote them.
func (q reportRequest) name(key, value string) string {
	if q.http {
		return key + "=" + value
	}
	return "--" + key + " " + value
}

// quarterRe reads 2026Q3 (also 2026-Q3 and 2026q3).
var quarterRe = regexp.MustCompile(`^(\d{4})-?[Qq]([1-4])$`)

// period is the period asked for, in UTC (report.Period). From/To, Quarter
// and Month exclude each other; a From without To ends now. It is bounded
// (checkPeriod).
func (q reportRequest) period(now time.Time) (report.Period, error) {
	p, err := q.parsePeriod(now)
	if err != nil {
		return p, err
	}
	return p, checkPeriod(p)
}

// checkPeriod refuses a period out of the report's bounds
// (report.CheckBounds) before the store is opened.
func checkPeriod(p report.Period) error {
	if err := report.CheckBounds(p); err != nil {
		return badInput("%s", err)
	}
	return nil
}

func (q reportRequest) parsePeriod(now time.Time) (report.Period, error) {
	given := 0
	for _, s := range []string{q.Quarter, q.Month, q.From + q.To} {
		if s != "" {
			given++
		}
	}
	key := "--"
	if q.http {
		key = ""
	}
	switch {
	case given == 0:
		return report.Period{}, badInput("no period: give %squarter (2026Q3), %smonth (2026-11), or %sfrom (and %sto)", key, key, key, key)
	case given > 1:
		return report.Period{}, badInput("give one period: %squarter, %smonth, or %sfrom and %sto", key, key, key, key)
	case q.Quarter != "":
		m := quarterRe.FindStringSubmatch(q.Quarter)
		if m == nil {
			return report.Period{}, badInput("%s: want a quarter such as 2026Q3", q.name("quarter", q.Quarter))
		}
		year, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		from := time.Date(year, time.Month(3*(n-1)+1), 1, 0, 0, 0, 0, time.UTC)
		return report.Period{From: from, To: from.AddDate(0, 3, 0), Name: fmt.Sprintf("%dQ%d", year, n)}, nil
	case q.Month != "":
		from, err := time.Parse("2006-01", q.Month)
		if err != nil {
			return report.Period{}, badInput("%s: want a month such as 2026-11", q.name("month", q.Month))
		}
		return report.Period{From: from, To: from.AddDate(0, 1, 0), Name: from.Format("2006-01")}, nil
	case q.From == "":
		return report.Period{}, badInput("%s without %sfrom: give where the period starts", q.name("to", q.To), key)
	}
	from, err := q.instant("from", q.From)
	if err != nil {
		return report.Period{}, err
	}
	to := now.UTC().Truncate(time.Second)
	if q.To != "" {
		if to, err = q.instant("to", q.To); err != nil {
			return report.Period{}, err
		}
	}
	if !from.Before(to) {
		return report.Period{}, badInput("%s is not before %s (the end is exclusive)", q.name("from", q.From), q.name("to", cmp.Or(q.To, to.Format(time.RFC3339)+" (now)")))
	}
	return report.Period{From: from, To: to}, nil
}

// instant reads a date (midnight UTC) or an RFC 3339 instant, in UTC.
func (q reportRequest) instant(key, s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, badInput("%s: want a date (2026-11-01, midnight UTC) or an RFC 3339 instant (2026-11-01T00:00:00Z)", q.name(key, s))
}

// options checks the request against the configuration and the clock and
// returns what report.Build is asked. The checks that need no store are
// made here, so that a mistake is told before the store is opened.
func (q reportRequest) options(cfg *config.Config, now time.Time) (report.Options, error) {
	if q.Format != "" && !slices.Contains(render.Formats, q.Format) {
		return report.Options{}, badInput("%s: want one of %s", q.name("format", q.Format), strings.Join(render.Formats, ", "))
	}
	names := make([]string, len(cfg.Vendors))
	for i, v := range cfg.Vendors {
		names[i] = v.Name
	}
	vendors := q.Vendors
	if len(vendors) == 0 {
		vendors = names
	}
	if len(vendors) == 0 {
		return report.Options{}, badInput("no vendor is configured")
	}
	seen := map[string]bool{}
	for _, v := range vendors {
		if !slices.Contains(names, v) {
			return report.Options{}, badInput("%s: unknown vendor; configured: %s", q.name("vendor", v), strings.Join(names, ", "))
		}
		if seen[v] {
			return report.Options{}, badInput("%s: given twice", q.name("vendor", v))
		}
		seen[v] = true
	}
	p, err := q.period(now)
	if err != nil {
		return report.Options{}, err
	}
	if hs := cfg.Global.HistoryStart.Time; !hs.IsZero() && p.From.Before(hs) {
		return report.Options{}, badInput("the period starts %s, before global.history_start %s: the store holds nothing earlier; start on or after it",
			p.From.Format(time.RFC3339), hs.Format(time.DateOnly))
	}
	if !p.From.Before(now) {
		return report.Options{}, badInput("the period starts %s, after now (%s)", p.From.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return report.Options{Config: cfg, Vendors: vendors, Period: p, ComparePrevious: q.Compare, Now: now, Version: buildVersion(),
		Kinds: collectors.Kinds.Config(), VendorFirstMin: alerts.Default().VendorFirstMin}, nil
}

// reportParams are the /report endpoint's parameters.
var reportParams = []string{"vendor", "from", "to", "quarter", "month", "compare", "format"}

// parseReportQuery reads the /report endpoint's parameters. An unknown
// one is refused: a misspelt vendor= would otherwise ask for every vendor.
// Empty values are absent (what a form sends for its empty fields).
func parseReportQuery(v url.Values) (reportRequest, error) {
	q := reportRequest{http: true}
	for k := range v {
		if !slices.Contains(reportParams, k) {
			return q, badInput("unknown parameter %q; known: %s", k, strings.Join(reportParams, ", "))
		}
	}
	for _, k := range reportParams[1:] {
		if len(v[k]) > 1 {
			return q, badInput("%s given %d times: give it once", k, len(v[k]))
		}
	}
	for _, s := range v["vendor"] {
		if s != "" {
			q.Vendors = append(q.Vendors, s)
		}
	}
	q.From, q.To, q.Quarter, q.Month, q.Format = v.Get("from"), v.Get("to"), v.Get("quarter"), v.Get("month"), v.Get("format")
	switch c := v.Get("compare"); c {
	case "", "0", "false", "no":
	case "1", "true", "yes", "on":
		q.Compare = true
	default:
		return q, badInput("compare=%s: want 1 or 0", c)
	}
	return q, nil
}

// query is the request as /report parameters (the command's
// --exporter.url).
func (q reportRequest) query() url.Values {
	v := url.Values{}
	for _, s := range q.Vendors {
		v.Add("vendor", s)
	}
	for k, s := range map[string]string{"from": q.From, "to": q.To, "quarter": q.Quarter, "month": q.Month, "format": q.Format} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Compare {
		v.Set("compare", "1")
	}
	return v
}
