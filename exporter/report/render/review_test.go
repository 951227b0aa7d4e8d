package render

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/support-exporter/support_exporter/exporter/report"
)

// Tests of the review findings (REVIEW_RENDER.md), one or more per finding;
// each failed before its fix.

func fp(v float64) *float64 { return &v }
func bp(v bool) *bool       { return &v }

// oneVendor is a minimal report of one vendor with tickets and a status
// page, for the tests to fill.
func oneVendor() *report.Report {
	from := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	return &report.Report{Generated: time.Date(2026, 10, 2, 8, 15, 0, 0, time.UTC), Version: "t",
		Period:  report.Period{From: from, To: from.AddDate(0, 3, 0)},
		Vendors: []report.Vendor{{Name: "v", Sections: report.Sections{Tickets: true, Status: true, Contracts: true}}}}
}

// Finding 1: the longest gap is shown whenever the incident has a first
// post (Updates are the posts after it; the gap includes the silence to
// the resolution or the period's end).
func TestFinding1LongestGap(t *testing.T) {
	r := oneVendor()
	st := time.Date(2026, 9, 30, 20, 0, 0, 0, time.UTC)
	res := st.Add(3 * time.Hour)
	r.Vendors[0].Incidents = []report.Incident{
		{ID: "open0", Impact: "minor", Started: st, Announced: st, Updates: 0, LongestGapSeconds: 14400, CustomerFirst: bp(false)},
		{ID: "one1", Impact: "minor", Started: st, Announced: st, Resolved: &res, Updates: 1, LongestGapSeconds: 7200, CustomerFirst: bp(false)},
		{ID: "nopost", Impact: "minor", Started: st, LongestGapSeconds: 0, CustomerFirst: bp(false)},
	}
	md := render(t, r, "md")
	for _, want := range []string{
		"| 1. open0 | minor | 2026-09-30 20:00 UTC | open | open | 0 s | 0 | 4 h |",
		"| 2. one1 | minor | 2026-09-30 20:00 UTC | 2026-09-30 23:00 UTC | 3 h | 0 s | 1 | 2 h |",
		"| 3. nopost | minor | 2026-09-30 20:00 UTC | open | open | 0 s | 0 | — |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("lacks %q in\n%s", want, md)
		}
	}
}

// Finding 2: an SLA row without a target or an objective in force has no
// verdict; the verdict is the model's Met, nil gives none.
func TestFinding2SLARowVerdict(t *testing.T) {
	r := oneVendor()
	r.Vendors[0].SLA = []report.SLARow{
		{Priority: "normal", Target: "first_response", Checks: 10, Breaches: 10, Compliance: fp(0)},
		{Priority: "low", Target: "first_response", TargetSeconds: 3600, Objective: 0, Checks: 10, Breaches: 1, Compliance: fp(0.9)},
		{Priority: "high", Target: "first_response", TargetSeconds: 3600, Objective: 0.95, Checks: 10, Breaches: 1, Compliance: fp(0.9)}, // Met nil
		{Priority: "urgent", Target: "first_response", TargetSeconds: 3600, Objective: 0.95, Checks: 10, Breaches: 1, Compliance: fp(0.9), Met: bp(false)},
	}
	r.Vendors[0].Charts.MonthlyCompliance = []report.MonthPoint{{Start: r.Period.From, End: r.Period.From.AddDate(0, 1, 0), Target: "first_response", Checks: 10, Compliance: fp(0.9)}}
	md := render(t, r, "md")
	for _, want := range []string{
		"| normal | First response | no target in force at the period's end | 10 | 10 | 0.0% | — |",
		"| low | First response | no target in force at the period's end | 10 | 1 | 90.0% | — |",
		"| high | First response | ≤ 1 h for 95.0% | 10 | 1 | 90.0% | — |",
		"| urgent | First response | ≤ 1 h for 95.0% | 10 | 1 | 90.0% ✗ missed | — |",
		"| 2026-07 | First response | 90.0% | — | 10 |", // no objective: not 0.0%
	} {
		if !strings.Contains(md, want) {
			t.Errorf("lacks %q", want)
		}
	}
	if strings.Contains(md, "✓ met") {
		t.Error("a verdict of met without a target")
	}
}

// Finding 3: the monthly chart for 40 months: no negative or zero width,
// labels thinned so they do not overlap.
func TestFinding3LongMonthly(t *testing.T) {
	var pts []report.MonthPoint
	m0 := time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 40; i++ {
		m := m0.AddDate(0, i, 0)
		for _, tg := range []string{"first_response", "resolution"} {
			pts = append(pts, report.MonthPoint{Start: m, End: m.AddDate(0, 1, 0), Target: tg, Checks: 10, Compliance: fp(0.9), Objective: 0.95})
		}
	}
	svg := string(monthlyChart("m", "v", pts))
	rects := regexp.MustCompile(`<rect class="s\d" x="([^"]+)" y="[^"]+" width="([^"]+)" height="[^"]+"><title>`).FindAllStringSubmatch(svg, -1)
	if len(rects) != 80 {
		t.Fatalf("%d bars, want 80", len(rects))
	}
	last := -1.0
	for _, m := range rects {
		x, _ := strconv.ParseFloat(m[1], 64)
		w, _ := strconv.ParseFloat(m[2], 64)
		if w <= 0 || x < last {
			t.Fatalf("bar at %v of width %v after %v", x, w, last)
		}
		last = x + w
	}
	if last > chartW {
		t.Errorf("bars past the chart: %v", last)
	}
	labels := regexp.MustCompile(`<text class="xl" x="([^"]+)" y="\d+">(\d{4}-\d\d)</text>`).FindAllStringSubmatch(svg, -1)
	if len(labels) < 5 || len(labels) > 14 {
		t.Fatalf("%d month labels", len(labels))
	}
	for i := 1; i < len(labels); i++ {
		a, _ := strconv.ParseFloat(labels[i-1][1], 64)
		b, _ := strconv.ParseFloat(labels[i][1], 64)
		if b-a < 46 { // "2026-07" at 11 px is about 42 px wide
			t.Errorf("labels %s and %s %v px apart", labels[i-1][2], labels[i][2], b-a)
		}
	}
	// The timeline's ticks cover a period of 50 months to its end.
	p := report.Period{From: m0, To: m0.AddDate(0, 50, 0)}
	ticks := axisTicks(p)
	if len(ticks) > 9 || ticks[len(ticks)-1].Before(m0.AddDate(0, 44, 0)) {
		t.Errorf("%d ticks, the last %v", len(ticks), ticks[len(ticks)-1])
	}
}

// Finding 4: a value that misses its target is never shown equal to it.
func TestFinding4RoundingAgainstVerdict(t *testing.T) {
	for _, c := range []struct {
		v, t float64
		unit string
		want string
	}{
		{1 - 100.0/1999, 0.95, report.UnitRatio, "94.997%"}, // 94.99750 rounds down in binary
		{0.98996, 0.99, report.UnitRatio, "98.996%"},
		{0.8996, 0.90, report.UnitRatio, "89.96%"},
		{0.9, 0.95, report.UnitRatio, "90.0%"}, // far enough: as usual
		{3601, 3600, report.UnitSeconds, "1 h 0 min 1 s"},
		{3600.3, 3600, report.UnitSeconds, "3600.3 s"},
		{0.0504, 0.05, report.UnitPer, "0.050"},
		{0.0504, 0.05, report.UnitPer, "0.0504"},
	} {
		got := fmtAgainst(c.v, c.t, c.unit, false)
		if got == fmtIn(c.t, c.unit) {
			t.Errorf("%v missing %v shown %q, as its target", c.v, c.t, got)
		}
		if c.want != "0.050" && got != c.want {
			t.Errorf("fmtAgainst(%v, %v) = %q, want %q", c.v, c.t, got, c.want)
		}
	}
	if got := fmtAgainst(0.95, 0.95, report.UnitRatio, true); got != "95.0%" {
		t.Errorf("a met value: %q", got)
	}
	// In the rendered SLA row and indicator.
	r := oneVendor()
	r.Vendors[0].SLA = []report.SLARow{{Priority: "urgent", Target: "first_response", TargetSeconds: 3600, Objective: 0.95,
		Checks: 1999, Breaches: 100, Compliance: fp(1 - 100.0/1999), Met: bp(false)}}
	r.Vendors[0].Indicators = []report.Indicator{{ID: "c", Dimension: report.ResponseSpeed, Name: "C", Unit: report.UnitRatio,
		Value: fp(0.98996), Target: fp(0.99), Met: bp(false), HigherIsBetter: true}}
	md := render(t, r, "md")
	for _, want := range []string{"| 94.997% ✗ missed |", "| C | 98.996% | ≥ 99.00% | ✗ missed |"} {
		if !strings.Contains(md, want) {
			t.Errorf("lacks %q", want)
		}
	}
}

// Findings 5 and 7: no arrow for a change zero at the shown precision,
// deltas at the values' precision, no verdict for a neutral volume.
func TestFinding5And7Change(t *testing.T) {
	for _, c := range []struct {
		in   report.Indicator
		want change
	}{
		{report.Indicator{Unit: report.UnitRatio, Value: fp(0.0611), Previous: fp(0.0610)},
			change{Known: true, Arrow: "=", Delta: "±0", Verdict: "same", Class: "same", Prev: "6.1%"}},
		{report.Indicator{Unit: report.UnitRatio, Value: fp(0.9990), Previous: fp(0.9995), HigherIsBetter: true},
			change{Known: true, Arrow: "▼", Delta: "−0.05 pp", Verdict: "worse", Class: "worse", Prev: "99.95%"}},
		{report.Indicator{Unit: report.UnitRatio, Value: fp(0.985), Previous: fp(0.9995), HigherIsBetter: true},
			change{Known: true, Arrow: "▼", Delta: "−1.45 pp", Verdict: "worse", Class: "worse", Prev: "99.95%"}},
		{report.Indicator{Unit: report.UnitCount, Value: fp(450), Previous: fp(412), Neutral: true},
			change{Known: true, Arrow: "▲", Delta: "+38", Class: "neutral", Prev: "412"}},
		{report.Indicator{Unit: report.UnitCount, Value: fp(math.NaN()), Previous: fp(412)},
			change{Prev: "412"}},
	} {
		if got := changeOf(c.in); got != c.want {
			t.Errorf("changeOf(%v → %v) = %+v, want %+v", *c.in.Previous, *c.in.Value, got, c.want)
		}
	}
	r := oneVendor()
	r.Previous = &report.Period{From: r.Period.From.AddDate(0, -3, 0), To: r.Period.From}
	r.Vendors[0].Indicators = []report.Indicator{{ID: "tickets_opened", Dimension: report.ResponseSpeed, Name: "Tickets opened",
		Unit: report.UnitCount, Value: fp(450), Previous: fp(412), Neutral: true}}
	doc := parse(t, render(t, r, "html"))
	row := indicatorRow(t, doc, "v1", "tickets_opened")
	if !strings.Contains(row, "▲ +38") || strings.Contains(row, "worse") || strings.Contains(row, "better") {
		t.Errorf("neutral row %q", row)
	}
	if !regexp.MustCompile(`<span class="neutral">▲ (\+|&#43;)38</span>`).MatchString(render(t, r, "html")) {
		t.Error("a neutral change is not coloured neutral")
	}
}

// Finding 6: feed ids share their head; the timeline labels differ.
func TestFinding6FeedIDs(t *testing.T) {
	r := oneVendor()
	st := r.Period.From.Add(24 * time.Hour)
	for _, n := range []string{"41136975", "41136976", "41137001"} {
		r.Vendors[0].Incidents = append(r.Vendors[0].Incidents, report.Incident{Source: "feed",
			ID: "tag:status.example.com,2005:Incident/" + n, Impact: "minor", Started: st, Announced: st})
	}
	svg := string(timelineChart("t", "v", r.Period, r.Vendors[0].Incidents))
	labels := regexp.MustCompile(`<text class="rl" [^>]*>([^<]*)</text>`).FindAllStringSubmatch(svg, -1)
	seen := map[string]bool{}
	for _, l := range labels {
		seen[l[1]] = true
	}
	if len(labels) != 3 || len(seen) != 3 {
		t.Errorf("timeline labels %q", labels)
	}
	if !seen["1. …nt/41136975"] {
		t.Errorf("labels %q lack the number and the id's tail", labels)
	}
	if md := render(t, r, "md"); !strings.Contains(md, "| 1. feed tag:status.example.com,2005:Incident/41136975 |") {
		t.Error("the table does not number the incidents as the timeline does")
	}
}

// Finding 8: a priority without a sample in the period gets no chart; no
// sample at all is "no data".
func TestFinding8EmptyWeekly(t *testing.T) {
	doc := parse(t, render(t, fixture(t), "html"))
	globex := text(byID(doc, "v2"))
	if strings.Contains(globex, "priority urgent") || !strings.Contains(globex, "priority high") {
		t.Error("Globex's urgent priority (no sample) has a chart, or high has none")
	}
	r := oneVendor()
	for i := 0; i < 4; i++ {
		r.Vendors[0].Charts.WeeklyFirstResponse = append(r.Vendors[0].Charts.WeeklyFirstResponse,
			report.WeekPoint{Start: r.Period.From.AddDate(0, 0, 7*i), Priority: "low"})
	}
	if v := buildView(r); v.Vendors[0].WeeklyState != noData || len(v.Vendors[0].Weekly) != 0 {
		t.Errorf("weekly state %q, %d charts", v.Vendors[0].WeeklyState, len(v.Vendors[0].Weekly))
	}
}

// Finding 9: NaN and Inf are written as null, the report left as it was.
func TestFinding9NaNJSON(t *testing.T) {
	r := fixture(t)
	v := &r.Vendors[0]
	v.Indicators[0].Value = fp(math.NaN())
	v.SLA[0].TargetSeconds = math.Inf(1)
	v.Contracts[1].Periods[0].Compliance["high"] = math.NaN()
	v.Charts.MonthlyCompliance[0].Objective = math.Inf(-1)
	v.Name = `-1.2345678901234567e+308` // the sentinel's text in a string stays
	var buf bytes.Buffer
	if err := Write(&buf, r, "json"); err != nil {
		t.Fatal(err)
	}
	var back report.Report
	raw := map[string]any{}
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	bv := back.Vendors[0]
	if bv.Indicators[0].Value != nil || bv.SLA[0].TargetSeconds != 0 || bv.Charts.MonthlyCompliance[0].Objective != 0 ||
		bv.Name != v.Name || bv.SLA[1].TargetSeconds != v.SLA[1].TargetSeconds {
		t.Errorf("decoded back: %+v", bv.SLA[0])
	}
	for _, want := range []string{`"value": null`, `"target_seconds": null`, `"high": null`, `"objective": null`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	if !math.IsNaN(*v.Indicators[0].Value) || !math.IsInf(v.SLA[0].TargetSeconds, 1) {
		t.Error("the report was changed")
	}
	// Without NaN, the JSON is the model as encoding/json writes it.
	var plain bytes.Buffer
	if err := encodeJSON(&plain, fixture(t)); err != nil {
		t.Fatal(err)
	}
	if got := render(t, fixture(t), "json"); got != plain.String() {
		t.Error("the JSON of a finite report is not encoding/json's")
	}
}

// Findings 10 and 11: one date convention (inclusive last day), claim
// deadlines passed at Generated marked, a running contract period
// provisional.
func TestFinding10And11Dates(t *testing.T) {
	gen := time.Date(2026, 10, 2, 8, 15, 0, 0, time.UTC)
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	dl := d(2026, 10, 2)
	later := d(2026, 10, 31)
	for _, c := range []struct{ got, want string }{
		{fmtSpan(d(2026, 7, 1), d(2026, 8, 1)), "2026-07-01 – 2026-07-31"},
		{fmtSpan(d(2026, 7, 1), d(2026, 7, 2)), "2026-07-01 – 2026-07-01"},
		{fmtSpan(d(2026, 7, 1).Add(6*time.Hour), d(2026, 7, 2)), "2026-07-01 06:00 UTC – 2026-07-02 00:00 UTC"},
		{fmtDeadline(&dl, gen), "2026-10-02 (passed)"},
		{fmtDeadline(&later, gen), "2026-10-31"},
		{fmtDeadline(nil, gen), "—"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	r := oneVendor()
	r.Vendors[0].Contracts = []report.Contract{{Agreement: "a", Measure: "availability", Periods: []report.ContractPeriod{
		{Start: d(2026, 10, 1), End: d(2026, 11, 1), Availability: fp(0.999), CreditRatio: 0.1, ClaimDeadline: &later}}}}
	if md := render(t, r, "md"); !strings.Contains(md, "| a (availability) | 2026-10-01 – 2026-10-31 | availability 99.90% | 10.0% (provisional: the contract period has not ended) | 2026-10-31 |") {
		t.Error("a running contract period is not provisional")
	}
}

// Finding 12: SLA durations say they are on the SLA clock.
func TestFinding12SLAClock(t *testing.T) {
	out := render(t, fixture(t), "html")
	for _, want := range []string{"Objective (SLA clock)", "Worst tickets (SLA clock)", "on the SLA clock"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

// Finding 13: | in a URL and autolinkable text in the Markdown.
func TestFinding13Markdown(t *testing.T) {
	r := oneVendor()
	r.Vendors[0].Name = "www.evil.example"
	r.Vendors[0].Escalations = []report.TicketRef{
		{Source: "zendesk", ID: "49310", URL: "https://acme.zendesk.com/a|b", Priority: "high"},
		{ID: "https://evil.example/login", Priority: "x@evil.example"},
		{ID: "~~gone~~", Priority: "low"},
	}
	md := render(t, r, "md")
	checkTables(t, md)
	for _, want := range []string{
		"[zendesk 49310](https://acme.zendesk.com/a%7Cb)",
		"| `https://evil.example/login` | `x@evil.example` |",
		`\~\~gone\~\~`,
		"## `www.evil.example`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("lacks %q", want)
		}
	}
	// Outside code spans and link targets, no autolink remains.
	rest := regexp.MustCompile("`[^`]*`|\\]\\([^)]*\\)").ReplaceAllString(md, "")
	if regexp.MustCompile(`(?i)www\.|https?://|@evil`).MatchString(rest) {
		t.Errorf("an autolink left in %q", rest)
	}
}

// Finding 14: "open" is drawn after the bar, clear of the row label, for
// an incident that began before the period.
func TestFinding14OpenLabel(t *testing.T) {
	p := report.Period{From: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	svg := string(timelineChart("t", "v", p, []report.Incident{{ID: "inc-1", Impact: "minor", Started: p.From.Add(-time.Hour)}}))
	doc, err := html.Parse(strings.NewReader(svg))
	if err != nil {
		t.Fatal(err)
	}
	var barEnd, openX float64 = -1, -1
	walk(doc, func(n *html.Node) {
		c, _ := attr(n, "class")
		switch {
		case n.Data == "rect" && c == "i-minor":
			x, _ := attr(n, "x")
			w, _ := attr(n, "width")
			xf, _ := strconv.ParseFloat(x, 64)
			wf, _ := strconv.ParseFloat(w, 64)
			barEnd = xf + wf
		case n.Data == "text" && text(n) == "open":
			x, _ := attr(n, "x")
			openX, _ = strconv.ParseFloat(x, 64)
			if a, _ := attr(n, "text-anchor"); a == "end" {
				t.Error("open anchored at its end, toward the row label")
			}
		}
	})
	if openX < barEnd || openX+30 > chartW {
		t.Errorf("open at %v, the bar ends at %v", openX, barEnd)
	}
}

// Finding 15: small formatting issues.
func TestFinding15Formatting(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{fmtRatio(-1e-5), "0.0%"},
		{fmtDuration(-0.4), "0 s"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	mean := indicatorOf(report.Indicator{Unit: report.UnitCount, Value: fp(3), Previous: fp(2.5)}, nil)
	if mean.Value != "3.00" || mean.Change.Prev != "2.50" || mean.Change.Delta != "+0.50" {
		t.Errorf("a mean of 3 against 2.5: %q, %q, %q", mean.Value, mean.Change.Prev, mean.Change.Delta)
	}
	if n := indicatorOf(report.Indicator{Unit: report.UnitCount, Value: fp(3), Previous: fp(2)}, nil); n.Value != "3" || n.Change.Delta != "+1" {
		t.Errorf("a count of 3 against 2: %q, %q", n.Value, n.Change.Delta)
	}
	r := fixture(t)
	cmp := text(byID(parse(t, render(t, r, "html")), "compare"))
	if !strings.Contains(cmp, "Maintenances 3 not configured") {
		t.Error("no maintenances side by side")
	}
	out := render(t, r, "html")
	if !strings.Contains(out, "hour of the day (Europe/Berlin)") {
		t.Error("the heatmap does not name its zone")
	}
	if !strings.Contains(text(byID(parse(t, out), "v2")), "the ticket source gives no reply timeline") {
		t.Error("a kind without a reply timeline is called not configured")
	}
}
