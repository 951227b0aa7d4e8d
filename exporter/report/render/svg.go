package render

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/report"
)

// The four pictures, drawn as plain SVG. Every text that comes from the
// report goes through esc; every number through num, so the output is
// byte for byte the same for the same report. Colours are fixed, and every
// mark that carries meaning also carries text (a value label, a legend
// entry, a <title>), so the charts read in greyscale print too.

const chartW = 640

// svg accumulates one chart.
type svg struct{ b strings.Builder }

func (s *svg) w(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// esc escapes text for SVG content and attribute values.
func esc(s string) string { return html.EscapeString(s) }

// num writes a coordinate with at most one decimal.
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		f = 0
	}
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// numPos writes a width or height: never negative, never zero.
func numPos(f float64) string {
	if !(f >= 0.1) { // NaN too
		f = 0.1
	}
	return num(f)
}

// open starts a chart: an accessible name (<title>, <desc>) and a visible
// title.
func (s *svg) open(id string, h int, title, desc string) {
	s.w(`<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d">`, chartW, h, id, id)
	s.w(`<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
	s.w(`<text class="ct" x="%d" y="16">%s</text>`, chartW/2, esc(title))
}

func (s *svg) close() template.HTML {
	s.w(`</svg>`)
	return template.HTML(s.b.String()) // every text inside went through esc
}

// legend draws entries left to right at y; kind "line", "dash", "bar".
type legendEntry struct{ kind, class, label string }

func (s *svg) legend(y float64, entries []legendEntry) {
	x := 60.0
	for _, e := range entries {
		switch e.kind {
		case "bar":
			s.w(`<rect class="%s" x="%s" y="%s" width="14" height="10"/>`, e.class, num(x), num(y-9))
		default:
			s.w(`<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s"/>`, e.class, num(x), num(y-4), num(x+18), num(y-4))
		}
		s.w(`<text class="lg" x="%s" y="%s">%s</text>`, num(x+22), num(y), esc(e.label))
		x += 30 + float64(len([]rune(e.label)))*6.6
	}
}

// maxSeconds bounds a time axis (about 31 700 years): a larger value is
// drawn at the top, and the axis stays finite.
const maxSeconds = 1e12

// durationStep picks a tick step for a time axis up to max seconds.
func durationStep(max float64) float64 {
	steps := []float64{60, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
		86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400}
	for _, st := range steps {
		if max/st <= 6 {
			return st
		}
	}
	return math.Ceil(max/6/86400) * 86400
}

// shortDuration labels a time axis: "30 min", "2 h", "3 d".
func shortDuration(sec float64) string {
	switch {
	case sec == 0:
		return "0"
	case sec < 3600:
		return num(sec/60) + " min"
	case sec < 86400:
		return num(sec/3600) + " h"
	}
	return num(sec/86400) + " d"
}

// weeklyChart draws one priority's weekly first-response p50 and p90
// against its target.
func weeklyChart(id, vendor, priority string, pts []report.WeekPoint) template.HTML {
	const h, top, left, bottom = 260, 34, 62, 200
	right := float64(chartW - 20)
	maxY, target := 0.0, 0.0
	for _, p := range pts {
		for _, v := range []*float64{p.P50, p.P90} {
			if v != nil && *v > maxY {
				maxY = *v
			}
		}
		target = math.Max(target, p.TargetSeconds)
	}
	maxY = math.Min(math.Max(maxY, target), maxSeconds)
	if maxY <= 0 {
		maxY = 3600
	}
	step := durationStep(maxY * 1.1)
	maxY = math.Ceil(maxY*1.1/step) * step
	y := func(v float64) float64 { return bottom - (bottom-top)*math.Min(math.Max(v, 0), maxY)/maxY }
	n := len(pts)
	x := func(i int) float64 {
		if n == 1 {
			return (left + right) / 2
		}
		return left + 10 + (right-left-20)*float64(i)/float64(n-1)
	}
	title := "First response by week, priority " + priority
	desc := fmt.Sprintf("%s: weekly median (p50) and 90th percentile (p90) of the first response of %s tickets, %d weeks", vendor, priority, n)
	if target > 0 {
		desc += ", against the target of " + fmtDuration(target)
	}
	var s svg
	s.open(id, h, title, desc+".")
	for v := 0.0; v <= maxY+step/2; v += step {
		s.w(`<line class="grid" x1="%d" y1="%s" x2="%s" y2="%s"/>`, left, num(y(v)), num(right), num(y(v)))
		s.w(`<text class="yl" x="%d" y="%s">%s</text>`, left-6, num(y(v)+3), esc(shortDuration(v)))
	}
	every := max(1, (n+11)/12)
	for i, p := range pts {
		if i%every == 0 {
			s.w(`<text class="xl" x="%s" y="%d">%s</text>`, num(x(i)), bottom+14, p.Start.UTC().Format("01-02"))
		}
	}
	yrs := ""
	if n > 0 {
		yrs = ", " + years(pts[0].Start, pts[n-1].End)
	}
	s.w(`<text class="al" x="%s" y="%d">week starting (UTC, month-day%s)</text>`, num((left+right)/2), bottom+30, esc(yrs))
	s.w(`<text class="al" transform="rotate(-90)" x="%s" y="14">first response</text>`, num(-(top+bottom)/2))
	if target > 0 {
		s.w(`<line class="target" x1="%d" y1="%s" x2="%s" y2="%s"><title>target %s</title></line>`,
			left, num(y(target)), num(right), num(y(target)), esc(fmtDuration(target)))
	}
	for _, q := range []struct {
		class string
		get   func(report.WeekPoint) *float64
	}{
		{"p50", func(p report.WeekPoint) *float64 { return p.P50 }},
		{"p90", func(p report.WeekPoint) *float64 { return p.P90 }},
	} {
		var path strings.Builder
		pen := false
		for i, p := range pts {
			v := q.get(p)
			if v == nil {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			path.WriteString(cmd + num(x(i)) + " " + num(y(*v)) + " ")
			pen = true
		}
		if path.Len() > 0 {
			s.w(`<path class="%s" d="%s"/>`, q.class, strings.TrimSpace(path.String()))
		}
		for i, p := range pts {
			if v := q.get(p); v != nil {
				s.w(`<circle class="%s" cx="%s" cy="%s" r="2.5"><title>week of %s: %s %s (%d tickets)</title></circle>`,
					q.class, num(x(i)), num(y(*v)), fmtDate(p.Start), q.class, esc(fmtDuration(*v)), p.Samples)
			}
		}
	}
	for i, p := range pts {
		if p.P50 == nil && p.P90 == nil {
			s.w(`<text class="nd" x="%s" y="%d">–<title>week of %s: no data</title></text>`, num(x(i)), bottom-4, fmtDate(p.Start))
		}
	}
	entries := []legendEntry{{"line", "p50", "p50 (median)"}, {"line", "p90", "p90"}}
	if target > 0 {
		entries = append(entries, legendEntry{"dash", "target", "target " + fmtDuration(target)})
	}
	s.legend(h-8, entries)
	return s.close()
}

// monthlyChart draws SLA compliance per month and target against the
// objective.
func monthlyChart(id, vendor string, pts []report.MonthPoint) template.HTML {
	const h, top, left, bottom = 256, 34, 62, 190
	right := float64(chartW - 20)
	var months []time.Time
	var targets []string
	for _, p := range pts {
		if !slices.ContainsFunc(months, p.Start.Equal) {
			months = append(months, p.Start)
		}
		if !slices.Contains(targets, p.Target) {
			targets = append(targets, p.Target)
		}
	}
	slices.SortFunc(months, func(a, b time.Time) int { return a.Compare(b) })
	y := func(v float64) float64 { return bottom - (bottom-top)*math.Min(math.Max(v, 0), 1) }
	// Any number of months fits: the gap between groups shrinks with the
	// group, so no bar is ever of negative width, and month labels are
	// thinned to one every so many months so they never overlap.
	gw := (right - left) / float64(max(1, len(months)))
	bw := math.Min(56, (gw-math.Min(16, gw*0.3))/float64(max(1, len(targets))))
	pad := math.Min(1, bw*0.15)
	every := max(1, int(math.Ceil(50/gw)))
	var s svg
	s.open(id, h, "SLA compliance by month", vendor+": share of SLA clocks that met their target, per calendar month (UTC) and target, against the objective.")
	for v := 0.0; v <= 1.0001; v += 0.25 {
		s.w(`<line class="grid" x1="%d" y1="%s" x2="%s" y2="%s"/>`, left, num(y(v)), num(right), num(y(v)))
		s.w(`<text class="yl" x="%d" y="%s">%s%%</text>`, left-6, num(y(v)+3), num(v*100))
	}
	for mi, m := range months {
		gx := left + gw*float64(mi)
		if mi%every == 0 {
			s.w(`<text class="xl" x="%s" y="%d">%s</text>`, num(gx+gw/2), bottom+14, m.UTC().Format("2006-01"))
		}
		for ti, t := range targets {
			i := slices.IndexFunc(pts, func(p report.MonthPoint) bool { return p.Start.Equal(m) && p.Target == t })
			if i < 0 {
				continue
			}
			p := pts[i]
			bx := gx + (gw-bw*float64(len(targets)))/2 + bw*float64(ti)
			if p.Compliance == nil {
				s.w(`<text class="nd" x="%s" y="%d">–<title>%s %s: no data</title></text>`, num(bx+bw/2), bottom-4, m.UTC().Format("2006-01"), esc(targetName(t)))
			} else {
				c := *p.Compliance
				obj := "no objective"
				if p.Objective > 0 {
					obj = "objective " + fmtRatio(p.Objective)
				}
				s.w(`<rect class="s%d" x="%s" y="%s" width="%s" height="%s"><title>%s %s: %s of %d clocks (%s)</title></rect>`,
					ti%4, num(bx+pad), num(y(c)), numPos(bw-2*pad), num(bottom-y(c)), m.UTC().Format("2006-01"), esc(targetName(t)),
					fmtRatio(c), p.Checks, obj)
				switch {
				case bw < 38: // too narrow for a label: the <title> and the tables carry it
				case bottom-y(c) > 16: // inside the bar's foot, clear of the objective mark
					s.w(`<text class="vl in" x="%s" y="%d">%s</text>`, num(bx+bw/2), bottom-6, esc(fmtRatio(c)))
				default:
					s.w(`<text class="vl" x="%s" y="%s">%s</text>`, num(bx+bw/2), num(y(c)-3), esc(fmtRatio(c)))
				}
			}
			if p.Objective > 0 {
				s.w(`<line class="target" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(bx-1), num(y(p.Objective)), num(bx+bw+1), num(y(p.Objective)))
			}
		}
	}
	s.w(`<text class="al" x="%s" y="%d">calendar month (UTC)</text>`, num((left+right)/2), bottom+28)
	s.w(`<text class="al" transform="rotate(-90)" x="%s" y="14">clocks within target</text>`, num(-(top+bottom)/2))
	var entries []legendEntry
	for ti, t := range targets {
		entries = append(entries, legendEntry{"bar", "s" + strconv.Itoa(ti%4), targetName(t)})
	}
	entries = append(entries, legendEntry{"dash", "target", "objective"})
	s.legend(h-12, entries)
	return s.close()
}

// impactClass maps an incident impact to its colour.
func impactClass(impact string) string {
	switch impact {
	case "critical", "major", "minor", "none", "maintenance":
		return "i-" + impact
	}
	return "i-other"
}

// timelineMax is how many incidents the timeline draws; the table lists
// all.
const timelineMax = 40

// timelineChart draws the period's incidents from start to resolution.
func timelineChart(id, vendor string, p report.Period, incs []report.Incident) template.HTML {
	const top, left = 34, 130
	right := float64(chartW - 44) // room for "open" after a bar that reaches the period's end
	rows := min(len(incs), timelineMax)
	const rowH = 16
	bottom := top + rows*rowH + 6
	h := bottom + 50
	span := p.To.Sub(p.From).Seconds()
	if span <= 0 {
		span = 1
	}
	x := func(t time.Time) float64 {
		f := t.Sub(p.From).Seconds() / span
		return left + (right-left)*math.Min(1, math.Max(0, f))
	}
	desc := fmt.Sprintf("%s: %d incidents from their start to their resolution across the period, coloured by impact", vendor, len(incs))
	if len(incs) > rows {
		desc += fmt.Sprintf("; the first %d are drawn", rows)
	}
	var s svg
	s.open(id, h, "Incidents across the period", desc+".")
	for _, t := range axisTicks(p) {
		s.w(`<line class="grid" x1="%s" y1="%d" x2="%s" y2="%d"/>`, num(x(t)), top, num(x(t)), bottom)
		s.w(`<text class="xl" x="%s" y="%d">%s</text>`, num(x(t)), bottom+14, t.UTC().Format(tickFormat(p)))
	}
	s.w(`<text class="al" x="%s" y="%d">%s</text>`, num((left+right)/2), bottom+28, esc(axisName(p)))
	seen := map[string]bool{}
	var impacts []string
	for i, in := range incs[:rows] {
		ry := float64(top + i*rowH)
		end := p.To
		open := in.Resolved == nil
		if !open {
			end = *in.Resolved
		}
		x0, x1 := x(in.Started), x(end)
		if x1-x0 < 2 {
			x1 = x0 + 2
		}
		// The row's number (as in the table) and the id's tail: feed ids
		// share a long head ("tag:status.example.com,2005:Incident/…").
		label := strconv.Itoa(i+1) + ". " + idTail(in.ID, 12)
		s.w(`<text class="rl" x="%d" y="%s">%s</text>`, left-6, num(ry+11), esc(label))
		state := "resolved " + fmtTimePtr(in.Resolved)
		if open {
			state = "open at the period's end"
		}
		name := in.ID
		if in.Title != "" {
			name = in.Title + " — " + in.ID
		}
		s.w(`<rect class="%s" x="%s" y="%s" width="%s" height="%d"><title>%s (%s): started %s, %s</title></rect>`,
			impactClass(in.Impact), num(x0), num(ry+2), num(x1-x0), rowH-4, esc(name), esc(in.Impact), fmtTime(in.Started), esc(state))
		if open { // after the bar: the chart keeps room right of the period's end
			s.w(`<text class="lg" x="%s" y="%s">open</text>`, num(x1+3), num(ry+11))
		}
		if !seen[in.Impact] {
			seen[in.Impact] = true
			impacts = append(impacts, in.Impact)
		}
	}
	slices.SortFunc(impacts, func(a, b string) int { return impactRank(a) - impactRank(b) })
	var entries []legendEntry
	for _, im := range impacts {
		entries = append(entries, legendEntry{"bar", impactClass(im), im})
	}
	s.legend(float64(h-8), entries)
	return s.close()
}

func impactRank(s string) int {
	switch s {
	case "critical":
		return 0
	case "major":
		return 1
	case "minor":
		return 2
	case "none":
		return 3
	case "maintenance":
		return 4
	}
	return 5
}

// axisTicks are the timeline's ticks: month starts over long periods,
// Mondays over a few weeks, days over a week or so.
func axisTicks(p report.Period) []time.Time {
	from, to := p.From.UTC(), p.To.UTC()
	days := to.Sub(from).Hours() / 24
	var t time.Time
	var next func(time.Time) time.Time
	switch {
	case days > 62:
		t = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	case days > 10:
		t = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
		for t.Weekday() != time.Monday {
			t = t.AddDate(0, 0, 1)
		}
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	default:
		t = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	}
	var out []time.Time
	for ; t.Before(to); t = next(t) {
		if !t.Before(from) {
			out = append(out, t)
		}
	}
	// At most about twelve ticks ("07-12"), eight of months ("2026-07"),
	// spread over the whole period, so labels never touch.
	most := 12
	if days > 62 {
		most = 8
	}
	if every := (len(out) + most - 1) / most; every > 1 {
		var thin []time.Time
		for i := 0; i < len(out); i += every {
			thin = append(thin, out[i])
		}
		out = thin
	}
	return out
}

// tickFormat labels the timeline's ticks: months as "2026-07", days as
// "07-12" (the axis name gives the year).
func tickFormat(p report.Period) string {
	if p.To.Sub(p.From).Hours()/24 > 62 {
		return "2006-01"
	}
	return "01-02"
}

// axisName names the timeline's axis, with the year(s) when ticks show
// month-day.
func axisName(p report.Period) string {
	if tickFormat(p) == "2006-01" {
		return "date (UTC, year-month)"
	}
	return "date (UTC, month-day, " + years(p.From, p.To) + ")"
}

// years is the year, or the years, an interval covers: "2026",
// "2025–2026".
func years(from, to time.Time) string {
	a := from.UTC().Year()
	b := to.UTC().Add(-time.Nanosecond).Year()
	if b <= a {
		return strconv.Itoa(a)
	}
	return strconv.Itoa(a) + "–" + strconv.Itoa(b)
}

// idTail keeps the last n runes of a long id, where ids differ.
func idTail(id string, n int) string {
	if r := []rune(id); len(r) > n {
		return "…" + string(r[len(r)-n+1:])
	}
	return id
}

var weekdays = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// heatmapChart draws the vendor's replies by day of the week and hour.
func heatmapChart(id, vendor, zone string, m *[7][24]uint64) template.HTML {
	const top, left, cw, ch = 46, 44, 24, 20
	h := top + 7*ch + 62
	var total, peak uint64
	for d := range m {
		for _, c := range m[d] {
			total += c
			peak = max(peak, c)
		}
	}
	var s svg
	s.open(id, h, "Vendor replies by hour of the week", fmt.Sprintf(
		"%s: %d public replies in the period by day of the week and hour in the vendor's calendar zone (%s); the darker, the more (at most %d in one hour).",
		vendor, total, zone, peak))
	for hr := 0; hr < 24; hr++ {
		s.w(`<text class="xl" x="%d" y="%d">%02d</text>`, left+hr*cw+cw/2, top-4, hr)
	}
	for d := range m {
		ry := top + d*ch
		s.w(`<text class="rl" x="%d" y="%d">%s</text>`, left-6, ry+14, weekdays[d])
		for hr, c := range m[d] {
			level := 0.0
			if peak > 0 && c > 0 {
				level = 0.12 + 0.88*float64(c)/float64(peak)
			}
			s.w(`<rect class="hm" x="%d" y="%d" width="%d" height="%d" fill-opacity="%s"><title>%s %02d:00: %d replies</title></rect>`,
				left+hr*cw, ry, cw-1, ch-1, num(level), weekdays[d], hr, c)
			if c > 0 {
				class := "hv"
				if level > 0.55 {
					class = "hv hi"
				}
				s.w(`<text class="%s" x="%d" y="%d">%d</text>`, class, left+hr*cw+cw/2, ry+14, c)
			}
		}
	}
	s.w(`<text class="al" x="%d" y="%d">hour of the day (%s); cells give the count of replies</text>`, left+12*cw, top+7*ch+18, esc(zone))
	// The colour scale: none, then from one reply to the busiest hour.
	ly := top + 7*ch + 30
	s.w(`<text class="lg" x="%d" y="%d" text-anchor="end">0</text>`, left+cw-4, ly+12)
	for i, level := range []float64{0, 0.12, 0.34, 0.56, 0.78, 1} {
		s.w(`<rect class="hm" x="%d" y="%d" width="%d" height="14" fill-opacity="%s"/>`, left+cw+i*cw, ly, cw-1, num(level))
	}
	s.w(`<text class="lg" x="%d" y="%d">%d replies (the busiest hour)</text>`, left+7*cw+4, ly+12, peak)
	return s.close()
}
