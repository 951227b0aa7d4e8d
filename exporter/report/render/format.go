package render

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/report"
)

// Human formatting shared by the HTML and the Markdown: every number of the
// review is shown by one of these, so both formats read alike.

const noData = "no data"

// fmtDuration shows seconds the way a person writes them: "45 s",
// "12 min 5 s", "1 h 20 min", "3 d 4 h". Below an hour it keeps the
// seconds, below a day the minutes, above it the hours (each rounded).
func fmtDuration(sec float64) string {
	if math.IsNaN(sec) || math.IsInf(sec, 0) {
		return noData
	}
	sign := ""
	if sec < 0 {
		sign, sec = "-", -sec
	}
	if sec >= 1e12 { // beyond int64 minutes arithmetic: days, three digits
		return sign + strconv.FormatFloat(sec/86400, 'g', 3, 64) + " d"
	}
	s := int64(math.Round(sec))
	switch {
	case s < 60:
		return sign + strconv.FormatInt(s, 10) + " s"
	case s < 3600:
		return sign + pair(s/60, "min", s%60, "s")
	case s < 86400:
		m := int64(math.Round(sec / 60))
		if m >= 1440 { // rounds up to a day
			return sign + "1 d"
		}
		return sign + pair(m/60, "h", m%60, "min")
	default:
		h := int64(math.Round(sec / 3600))
		return sign + pair(h/24, "d", h%24, "h")
	}
}

func pair(a int64, ua string, b int64, ub string) string {
	out := strconv.FormatInt(a, 10) + " " + ua
	if b != 0 {
		out += " " + strconv.FormatInt(b, 10) + " " + ub
	}
	return out
}

// fmtRatio shows a 0..1 ratio as a percentage: one decimal, two from 99 %
// up (where 99.9 and 99.95 differ in a contract). A ratio below 1 is never
// shown as 100 %.
func fmtRatio(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return noData
	}
	p := v * 100
	prec := 1
	if p >= 99 && p < 100 {
		prec = 2
	}
	s := strconv.FormatFloat(p, 'f', prec, 64)
	if v < 1 && (s == "100.00" || s == "100.0") {
		s = "99.99"
	}
	return s + "%"
}

// fmtCount shows a count: whole numbers without decimals, others with two.
func fmtCount(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return noData
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// fmtValue shows an indicator's value in its unit; nil is "no data".
func fmtValue(v *float64, unit string) string {
	if v == nil {
		return noData
	}
	return fmtIn(*v, unit)
}

func fmtIn(v float64, unit string) string {
	switch unit {
	case report.UnitSeconds:
		return fmtDuration(v)
	case report.UnitRatio:
		return fmtRatio(v)
	case report.UnitPer:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return noData
		}
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return fmtCount(v)
	}
}

// fmtTarget shows a target with the side that meets it: "≤ 1 h" for a
// time, "≥ 95.0%" for a share.
func fmtTarget(in report.Indicator) string {
	if in.Target == nil {
		return "—"
	}
	op := "≤ "
	if in.HigherIsBetter {
		op = "≥ "
	}
	return op + fmtIn(*in.Target, in.Unit)
}

// fmtDelta shows a change in the unit of the value: percentage points for
// ratios, a duration for times, a count otherwise; always signed.
func fmtDelta(d float64, unit string) string {
	sign := "+"
	if d < 0 {
		sign, d = "−", -d
	}
	switch unit {
	case report.UnitRatio:
		return sign + strconv.FormatFloat(d*100, 'f', 1, 64) + " pp"
	case report.UnitSeconds:
		return sign + fmtDuration(d)
	default:
		return sign + fmtIn(d, unit)
	}
}

// change is an indicator's movement against the previous period.
type change struct {
	Known   bool   // both values exist
	Arrow   string // ▲ ▼ or =
	Delta   string // "+2.5 pp", "−12 min"
	Verdict string // "better", "worse", "same"
	Prev    string // the previous value as shown
}

func changeOf(in report.Indicator) change {
	c := change{Prev: fmtValue(in.Previous, in.Unit)}
	if in.Value == nil || in.Previous == nil {
		return c
	}
	c.Known = true
	d := *in.Value - *in.Previous
	shown := fmtDelta(d, in.Unit)
	if d == 0 || strings.TrimLeft(shown, "+−") == fmtIn(0, in.Unit) {
		c.Arrow, c.Delta, c.Verdict = "=", "±0", "same"
		return c
	}
	c.Delta = shown
	c.Arrow = "▲"
	if d < 0 {
		c.Arrow = "▼"
	}
	if (d > 0) == in.HigherIsBetter {
		c.Verdict = "better"
	} else {
		c.Verdict = "worse"
	}
	return c
}

// metOf says whether an indicator meets its target: "met", "missed", "no
// data" (a target but no value) or "" (no target).
func metOf(in report.Indicator) string {
	switch {
	case in.Target == nil:
		return ""
	case in.Met == nil || in.Value == nil:
		return noData
	case *in.Met:
		return "met"
	default:
		return "missed"
	}
}

// fmtTime shows an instant in UTC, ISO style, to the minute.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}

// fmtDate shows a day in UTC.
func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02")
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return fmtTime(*t)
}

// fmtPeriod shows a half-open period the way people say it: a period of
// whole UTC days shows its first and last day ("2026-07-01 to
// 2026-09-30"), any other its two instants.
func fmtPeriod(p report.Period) string {
	from, to := p.From.UTC(), p.To.UTC()
	var s string
	if isMidnight(from) && isMidnight(to) && to.After(from) {
		s = fmtDate(from) + " to " + fmtDate(to.AddDate(0, 0, -1))
	} else {
		s = fmtTime(from) + " to " + fmtTime(to)
	}
	if p.Name != "" {
		s = p.Name + " (" + s + ")"
	}
	return s
}

func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// dimensionNames are the five dimensions as headings.
var dimensionNames = map[string]string{
	report.ResponseSpeed:   "Response speed",
	report.Resolution:      "Resolution",
	report.Professionalism: "Professionalism",
	report.Communication:   "Communication",
	report.Proactivity:     "Proactivity",
}

func dimensionName(d string) string {
	if n, ok := dimensionNames[d]; ok {
		return n
	}
	return d
}

// targetNames are the SLA targets as shown.
func targetName(t string) string {
	switch t {
	case "first_response":
		return "First response"
	case "resolution":
		return "Resolution"
	}
	return t
}

// resultNames are drill results as shown.
func resultName(r string) string {
	switch r {
	case "responded":
		return "responded"
	case "timed_out":
		return "timed out"
	case "create_failed":
		return "ticket not created"
	case "skipped":
		return "skipped"
	}
	return r
}

// hoursName says which hours a drill ran in.
func hoursName(h string) string {
	switch h {
	case "off":
		return "off hours"
	case "business":
		return "business hours"
	}
	return h
}

// safeURL keeps only http(s) links: anything else (javascript:, data:,
// relative paths) is shown as text, never linked.
func safeURL(u string) string {
	l := strings.ToLower(strings.TrimSpace(u))
	if strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") {
		return strings.TrimSpace(u)
	}
	return ""
}
