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
	if s == 0 {
		sign = "" // never "-0 s"
	}
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
	return fmtRatioPrec(v, ratioPrec(v))
}

// ratioPrec is the number of decimals fmtRatio shows v with.
func ratioPrec(v float64) int {
	if p := v * 100; p >= 99 && p < 100 {
		return 2
	}
	return 1
}

func fmtRatioPrec(v float64, prec int) string {
	p := v * 100
	s := strconv.FormatFloat(p, 'f', prec, 64)
	if v < 1 && strings.HasPrefix(s, "100") {
		s = "99." + strings.Repeat("9", max(prec, 2))
	}
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-") // never "-0.0%"
	}
	return s + "%"
}

// maxPrec bounds the decimals added so that a value missing its target is
// never shown equal to it.
const maxPrec = 6

// fmtAgainst shows v in unit next to a target t that v misses (met false):
// with as many more decimals as it takes for the shown value to differ from
// the shown target, so no row reads "95.0% ✗ missed" against "95.0%".
// A value that meets its target (or has none) is shown as fmtIn does.
func fmtAgainst(v, t float64, unit string, met bool) string {
	s := fmtIn(v, unit)
	if met || math.IsNaN(v) || math.IsInf(v, 0) || math.IsNaN(t) || math.IsInf(t, 0) || v == t {
		return s
	}
	switch unit {
	case report.UnitRatio:
		if roundTo(v*100, ratioPrec(v)) != roundTo(t*100, ratioPrec(t)) {
			return s
		}
		prec := max(ratioPrec(v), ratioPrec(t))
		for ; prec < maxPrec && roundTo(v*100, prec) == roundTo(t*100, prec); prec++ {
		}
		return fmtRatioPrec(v, prec)
	case report.UnitSeconds:
		if s != fmtDuration(t) {
			return s
		}
		if math.Round(v) != math.Round(t) && math.Abs(v) < 1e12 {
			return fmtDurationFull(v)
		}
		prec := 1
		for ; prec < maxPrec && roundTo(v, prec) == roundTo(t, prec); prec++ {
		}
		return strconv.FormatFloat(v, 'f', prec, 64) + " s"
	default:
		if roundTo(v, 2) != roundTo(t, 2) {
			return s
		}
		prec := 3
		for ; prec < maxPrec && roundTo(v, prec) == roundTo(t, prec); prec++ {
		}
		return strconv.FormatFloat(v, 'f', prec, 64)
	}
}

func roundTo(v float64, prec int) float64 {
	p := math.Pow10(prec)
	return math.Round(v*p) / p
}

// fmtDurationFull shows a duration to the second: "1 h 0 min 1 s".
func fmtDurationFull(sec float64) string {
	sign := ""
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := int64(math.Round(sec))
	var parts []string
	if d := s / 86400; d > 0 {
		parts = append(parts, strconv.FormatInt(d, 10)+" d")
	}
	if s >= 3600 {
		parts = append(parts, strconv.FormatInt(s%86400/3600, 10)+" h")
	}
	if s >= 60 {
		parts = append(parts, strconv.FormatInt(s%3600/60, 10)+" min")
	}
	parts = append(parts, strconv.FormatInt(s%60, 10)+" s")
	return sign + strings.Join(parts, " ")
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

// fmtIndicator shows an indicator's value; a value that misses its target
// is never shown equal to it (fmtAgainst).
func fmtIndicator(in report.Indicator) string {
	if in.Value == nil || in.Target == nil || in.Met == nil {
		return fmtValue(in.Value, in.Unit)
	}
	return fmtAgainst(*in.Value, *in.Target, in.Unit, *in.Met)
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
// ratios (with prec decimals), a duration for times, a count otherwise;
// always signed.
func fmtDelta(d float64, unit string, prec int) string {
	sign := "+"
	if d < 0 {
		sign, d = "−", -d
	}
	switch unit {
	case report.UnitRatio:
		return sign + strconv.FormatFloat(d*100, 'f', prec, 64) + " pp"
	case report.UnitSeconds:
		if d < 0.5 {
			return sign + strconv.FormatFloat(d, 'f', 1, 64) + " s"
		}
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
	Verdict string // "better", "worse", "same"; "" for a neutral volume
	Class   string // the colour: the verdict, or "neutral"
	Prev    string // the previous value as shown
}

// changeOf compares an indicator with its previous value. Values that are
// shown alike are the same (no arrow, no verdict); a ratio's delta is the
// difference of the shown values, in their precision, so "99.90%" to
// "99.95%" reads "+0.05 pp". A neutral indicator (a volume) moves without
// a verdict.
func changeOf(in report.Indicator) change {
	c := change{Prev: fmtValue(in.Previous, in.Unit)}
	if in.Value == nil || in.Previous == nil {
		return c
	}
	v, p := *in.Value, *in.Previous
	if math.IsNaN(v) || math.IsInf(v, 0) || math.IsNaN(p) || math.IsInf(p, 0) {
		return c
	}
	c.Known = true
	d := v - p
	prec := 1
	if in.Unit == report.UnitRatio {
		prec = max(ratioPrec(v), ratioPrec(p))
		d = (roundTo(v*100, prec) - roundTo(p*100, prec)) / 100
	}
	if d == 0 || fmtIn(v, in.Unit) == fmtIn(p, in.Unit) {
		c.Arrow, c.Delta, c.Verdict, c.Class = "=", "±0", "same", "same"
		return c
	}
	c.Delta = fmtDelta(d, in.Unit, prec)
	c.Arrow = "▲"
	if d < 0 {
		c.Arrow = "▼"
	}
	switch {
	case in.Neutral:
		c.Class = "neutral"
	case (d > 0) == in.HigherIsBetter:
		c.Verdict, c.Class = "better", "better"
	default:
		c.Verdict, c.Class = "worse", "worse"
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

// unknownOr is "unknown" when the figure is not known, else f's text.
func unknownOr(unknown bool, f func() string) string {
	if unknown {
		return "unknown"
	}
	return f()
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return fmtTime(*t)
}

// fmtPeriod shows a half-open period the way people say it, with its
// inclusive end (fmtSpan), and its name when it has one.
func fmtPeriod(p report.Period) string {
	s := fmtSpan(p.From, p.To)
	if p.Name != "" {
		s = p.Name + " (" + s + ")"
	}
	return s
}

// fmtSpan shows a half-open interval [from, to) with one convention
// everywhere: whole UTC days as their first and last day ("2026-07-01 –
// 2026-09-30"), any other as its two instants.
func fmtSpan(from, to time.Time) string {
	from, to = from.UTC(), to.UTC()
	if isMidnight(from) && isMidnight(to) && to.After(from) {
		return fmtDate(from) + " – " + fmtDate(to.AddDate(0, 0, -1))
	}
	return fmtTime(from) + " – " + fmtTime(to)
}

// fmtDeadline shows a claim deadline, a date at midnight or an instant, and
// says "passed" when it was before the report's making.
func fmtDeadline(d *time.Time, generated time.Time) string {
	if d == nil {
		return "—"
	}
	s := fmtTime(*d)
	if isMidnight(d.UTC()) {
		s = fmtDate(*d)
	}
	if !generated.IsZero() && !d.After(generated) {
		s += " (passed)"
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
