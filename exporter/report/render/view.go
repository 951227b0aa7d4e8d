package render

import (
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/report"
)

// The view is the report as shown: every value already formatted, every
// section's state decided. HTML and Markdown read the same view, so both
// say the same thing.

const notConfigured = "not configured"

// noTarget replaces an SLA row's objective when none is in force: such a
// row has no verdict.
const noTarget = "no target in force at the period's end"

// zoneName is the heatmap's zone as said: the model's, UTC without one.
func zoneName(z string) string {
	if z == "" {
		return "UTC"
	}
	return z
}

type view struct {
	Title    string
	Period   string
	SoFar    string // a sentence when the period had not ended yet
	Previous string // "" when not compared
	// PreviousUnavailable: why a comparison asked for is not made.
	PreviousUnavailable string
	Compared            bool
	Generated           string
	Version             string
	Vendors             []vendorView
	Compare             *compareView // nil with one vendor
	// CompareParts is Compare cut into tables of at most compareWidth
	// vendors, as the HTML shows it: an A4 page holds no more.
	CompareParts []*compareView
	Footnotes    []footnoteView
}

type footnoteView struct {
	N      int
	ID     string
	Text   string
	PromQL string
}

type link struct {
	Text string
	URL  string // "" when the item has no (safe) link
}

type vendorView struct {
	N             int
	Anchor        string
	Name          string
	Stale         []string // a warning per source last synced before the period's end
	Configured    []string
	NotConfigured []string
	Volume        []kv

	// Each section: State is "" when it has rows, else the sentence shown
	// in their place ("not configured", "no data", "none in the period").
	DimState string
	Dims     []dimView

	SLAState string
	SLA      []slaView

	IncState  string
	Incidents []incView
	Timeline  template.HTML

	MaintState   string
	Maintenances []maintView

	ContractState string
	Contracts     []contractView

	DrillState string
	Drills     []drillView

	DocsState string
	Docs      []docsView

	EscState    string
	Escalations []ticketView

	WeeklyState string
	Weekly      []template.HTML
	MonthState  string
	Monthly     template.HTML
	HeatState   string
	Heatmap     template.HTML
	HeatRows    [7][24]uint64
	Zone        string // the heatmap's calendar zone
}

type kv struct{ Key, Value string }

type dimView struct {
	Name string
	Rows []indView
}

type indView struct {
	ID       string
	Name     string
	Value    string
	Target   string
	Met      string // "met", "missed", "no data", ""
	Change   change
	Samples  string
	Footnote int // 0: none
}

type slaView struct {
	Priority   string
	Target     string
	Goal       string // "≤ 1 h for 95.0%"
	Checks     string
	Breaches   string
	Compliance string
	Met        string
	Worst      []ticketView
}

type ticketView struct {
	Link     link
	Priority string
	Created  string
	Duration string
	Breached bool
}

type incView struct {
	N             int // the row's number, also in the timeline
	Link          link
	Ref           string // the source and id under a title (titled); "" when Link shows them
	Impact        string
	Started       string
	Resolved      string
	Duration      string
	NoticeDelay   string
	LongestGap    string
	Updates       string
	Postmortem    string
	CustomerFirst bool
	Undecided     bool // who noticed first is not decided yet
	Components    string
}

type maintView struct {
	Link        link
	Ref         string // as incView's
	Announced   string
	Scheduled   string
	Notice      string
	ShortNotice bool
}

type contractView struct {
	Agreement        string
	Measure          string
	TerminationRight bool
	Periods          []contractPeriodView
}

type contractPeriodView struct {
	Period        string
	Measured      string
	Credit        string
	ClaimDeadline string
}

type drillView struct {
	ID            string
	Ticket        link
	Ran           string
	Hours         string
	Result        string
	FirstResponse string
}

type docsView struct {
	Source     string
	Pages      string
	LastUpdate string
	Stale      string
	Updated    string
	Undated    string
	Outdated   string
	Suspect    bool
	// Note says which page list the figures come from when it was read
	// after the period, or left pages dated after it out.
	Note string
}

// compareView is the side-by-side table: one row per indicator (and the
// volume), one column per vendor.
type compareView struct {
	Vendors []string
	Rows    []compareRow
}

type compareRow struct {
	Dim      string // the group's heading: "Volume" or a dimension
	Name     string
	Footnote int
	Cells    []compareCell
}

type compareCell struct {
	Value string
	Met   string
}

func buildView(r *report.Report) view {
	v := view{
		Period:    fmtPeriod(r.Period),
		Generated: fmtTime(r.Generated),
		Version:   r.Version,
	}
	if !r.Generated.IsZero() && r.Period.To.Equal(r.Generated) {
		// A period asked for past the report's making is cut there.
		v.SoFar = "so far: the period is cut at " + fmtTime(r.Generated) + ", when the report was generated"
	}
	if r.Previous != nil {
		v.Compared = true
		v.Previous = fmtPeriod(*r.Previous)
		if r.Previous.ToDate {
			v.Previous += ", as far into it as this period so far"
		}
	}
	v.PreviousUnavailable = r.PreviousUnavailable
	names := make([]string, len(r.Vendors))
	for i, vd := range r.Vendors {
		names[i] = vd.Name
	}
	v.Title = "Service review: " + strings.Join(names, ", ")
	if len(names) == 0 {
		v.Title = "Service review"
	}
	fn := map[string]int{}
	for i, f := range r.Footnotes {
		if _, dup := fn[f.ID]; !dup {
			fn[f.ID] = i + 1
		}
		v.Footnotes = append(v.Footnotes, footnoteView{N: i + 1, ID: f.ID, Text: f.Text, PromQL: f.PromQL})
	}
	for i := range r.Vendors {
		v.Vendors = append(v.Vendors, buildVendor(r, i, fn))
	}
	if len(r.Vendors) > 1 {
		v.Compare = buildCompare(r, fn)
		v.CompareParts = splitCompare(v.Compare, compareWidth)
	}
	return v
}

func sectionList(s report.Sections) (on, off []string) {
	for _, e := range []struct {
		ok   bool
		name string
	}{
		{s.Tickets, "tickets"}, {s.Status, "status page"}, {s.Contracts, "agreements"},
		{s.Drill, "drill"}, {s.Docs, "documentation"}, {s.Features, "feature requests"},
	} {
		if e.ok {
			on = append(on, e.name)
		} else {
			off = append(off, e.name)
		}
	}
	return on, off
}

// state is the sentence shown instead of a section's rows.
func state(configured bool, rows int, empty string) string {
	switch {
	case !configured:
		return notConfigured
	case rows == 0:
		return empty
	}
	return ""
}

func ticketLink(t report.TicketRef) link {
	text := t.ID
	if t.Source != "" {
		text = t.Source + " " + t.ID
	}
	return link{Text: text, URL: safeURL(t.URL)}
}

func ticketOf(t report.TicketRef) ticketView {
	return ticketView{Link: ticketLink(t), Priority: t.Priority, Created: fmtTime(t.Created),
		Duration: clockText(t), Breached: t.Breached}
}

// clockText is a ticket's clock: our SLA clock's duration, or for the
// vendor's own clock (whose elapsed time the APIs do not give) where it
// stopped against the vendor's deadline.
func clockText(t report.TicketRef) string {
	switch {
	case t.Clock != "vendor":
		return fmtDuration(t.Seconds)
	case t.OverSeconds == nil:
		return "vendor's SLA clock"
	case *t.OverSeconds > 0:
		return "vendor's SLA clock, " + fmtDuration(*t.OverSeconds) + " past its deadline"
	}
	return "vendor's SLA clock, " + fmtDuration(-*t.OverSeconds) + " before its deadline"
}

func u(n uint64) string { return strconv.FormatUint(n, 10) }

func buildVendor(r *report.Report, i int, fn map[string]int) vendorView {
	vd := &r.Vendors[i]
	s := vd.Sections
	out := vendorView{N: i + 1, Anchor: "v" + strconv.Itoa(i+1), Name: vd.Name, Stale: staleSources(vd.Sources, r.Period.To)}
	out.Configured, out.NotConfigured = sectionList(s)
	out.Volume = []kv{
		{"Tickets opened", volume(s.Tickets, vd.Volume.TicketsOpened)},
		{"SLA clocks ended", volume(s.Tickets, vd.Volume.SLAChecks)},
		{"Incidents", volume(s.Status, vd.Volume.Incidents)},
		{"Maintenances", volume(s.Status, vd.Volume.Maintenances)},
	}

	// The five dimensions, in report order; an unknown dimension after.
	out.DimState = state(s.Tickets || s.Status || s.Docs || s.Features, len(vd.Indicators), noData)
	dims := slices.Clone(report.Dimensions)
	for _, in := range vd.Indicators {
		if !slices.Contains(dims, in.Dimension) {
			dims = append(dims, in.Dimension)
		}
	}
	for _, d := range dims {
		dv := dimView{Name: dimensionName(d)}
		for _, in := range vd.Indicators {
			if in.Dimension == d {
				dv.Rows = append(dv.Rows, indicatorOf(in, fn))
			}
		}
		if len(dv.Rows) > 0 {
			out.Dims = append(out.Dims, dv)
		}
	}

	out.SLAState = state(s.Tickets, len(vd.SLA), noData)
	for _, row := range vd.SLA {
		sv := slaView{Priority: row.Priority, Target: targetName(row.Target),
			Goal:   "≤ " + fmtDuration(row.TargetSeconds) + " for " + fmtRatio(row.Objective),
			Checks: u(row.Checks), Breaches: u(row.Breaches), Compliance: noData}
		if row.TargetSeconds <= 0 || row.Objective <= 0 {
			sv.Goal = noTarget
		}
		if row.Compliance != nil {
			// The builder's verdict (Met), never one of ours: nil (no
			// objective in force) gives none.
			sv.Compliance = fmtRatio(*row.Compliance)
			if row.Met != nil && sv.Goal != noTarget {
				sv.Compliance = fmtAgainst(*row.Compliance, row.Objective, report.UnitRatio, *row.Met)
				sv.Met = "missed"
				if *row.Met {
					sv.Met = "met"
				}
			}
		}
		for _, t := range row.Worst {
			sv.Worst = append(sv.Worst, ticketOf(t))
		}
		out.SLA = append(out.SLA, sv)
	}

	out.IncState = state(s.Status, len(vd.Incidents), "none in the period")
	for _, in := range vd.Incidents {
		iv := incView{Link: link{Text: in.ID, URL: safeURL(in.URL)}, Impact: in.Impact,
			Started: fmtTime(in.Started), Resolved: "open", Duration: "open",
			NoticeDelay: fmtDuration(in.NoticeDelaySeconds), LongestGap: "—", N: len(out.Incidents) + 1,
			Updates: strconv.Itoa(in.Updates), Postmortem: "none by the period's end",
			CustomerFirst: in.CustomerFirst != nil && *in.CustomerFirst, Undecided: in.CustomerFirst == nil, Components: strings.Join(in.Components, ", ")}
		if in.Source != "" {
			iv.Link.Text = in.Source + " " + in.ID
		}
		iv.Link, iv.Ref = titled(iv.Link, in.Title)
		if in.Resolved != nil {
			iv.Resolved = fmtTime(*in.Resolved)
			iv.Duration = fmtDuration(in.Resolved.Sub(in.Started).Seconds())
		}
		if !in.Announced.IsZero() {
			// Updates are the public posts after the first; the longest
			// gap includes the silence to the resolution (or the period's
			// end), so it is shown from the first post on, whatever the
			// count of updates.
			iv.LongestGap = fmtDuration(in.LongestGapSeconds)
		}
		if in.Postmortem != nil {
			iv.Postmortem = fmtTime(*in.Postmortem)
		}
		out.Incidents = append(out.Incidents, iv)
	}
	if len(vd.Incidents) > 0 {
		out.Timeline = timelineChart(out.Anchor+"-tl", vd.Name, r.Period, vd.Incidents)
	}

	out.MaintState = state(s.Status, len(vd.Maintenances), "none in the period")
	for _, m := range vd.Maintenances {
		mv := maintView{Link: link{Text: m.ID, URL: safeURL(m.URL)}, Announced: unknownOr(m.Announced == nil, func() string { return fmtTime(*m.Announced) }),
			Scheduled: fmtTime(m.Scheduled), Notice: unknownOr(m.NoticeSeconds == nil, func() string { return fmtDuration(*m.NoticeSeconds) }),
			ShortNotice: m.ShortNotice}
		if m.Source != "" {
			mv.Link.Text = m.Source + " " + m.ID
		}
		mv.Link, mv.Ref = titled(mv.Link, m.Title)
		out.Maintenances = append(out.Maintenances, mv)
	}

	out.ContractState = state(s.Contracts, len(vd.Contracts), "no contract period overlaps the period")
	for _, c := range vd.Contracts {
		cv := contractView{Agreement: c.Agreement, Measure: c.Measure, TerminationRight: c.TerminationRight}
		for _, p := range c.Periods {
			pv := contractPeriodView{Period: fmtSpan(p.Start, p.End),
				Measured: measured(p), Credit: fmtRatio(p.CreditRatio),
				ClaimDeadline: fmtDeadline(p.ClaimDeadline, r.Generated)}
			if !r.Generated.IsZero() && p.End.After(r.Generated) {
				pv.Credit += " (provisional: the contract period has not ended)"
			}
			cv.Periods = append(cv.Periods, pv)
		}
		out.Contracts = append(out.Contracts, cv)
	}

	out.DrillState = state(s.Drill, len(vd.Drills), "no drill ran in the period")
	for _, d := range vd.Drills {
		dv := drillView{ID: d.ID, Ticket: link{Text: "—"}, Ran: fmtTime(d.Ran), Hours: hoursName(d.Hours),
			Result: resultName(d.Result), FirstResponse: "—"}
		if d.Ticket != nil {
			dv.Ticket = ticketLink(*d.Ticket)
		}
		if d.FirstResponseSeconds != nil {
			dv.FirstResponse = fmtDuration(*d.FirstResponseSeconds)
		}
		out.Drills = append(out.Drills, dv)
	}

	out.DocsState = state(s.Docs, len(vd.Docs), noData)
	for _, d := range vd.Docs {
		out.Docs = append(out.Docs, docsView{Source: d.Source, Pages: u(d.Pages), LastUpdate: fmtTimePtr(d.LastUpdate),
			Stale: u(d.Stale), Updated: u(d.UpdatedInPeriod), Undated: u(d.Undated),
			Outdated: u(d.OutdatedTranslations), Suspect: d.LastmodSuspect, Note: docsNote(d, r.Period.To)})
	}

	out.EscState = state(s.Tickets, len(vd.Escalations), "none open at the period's end")
	for _, t := range vd.Escalations {
		out.Escalations = append(out.Escalations, ticketOf(t))
	}

	ch := &vd.Charts
	// A priority without a sample in the whole period gets no chart.
	var prios []string
	for _, p := range ch.WeeklyFirstResponse {
		if (p.Samples > 0 || p.P50 != nil || p.P90 != nil) && !slices.Contains(prios, p.Priority) {
			prios = append(prios, p.Priority)
		}
	}
	out.WeeklyState = state(s.Tickets, len(prios), noData)
	for pi, p := range prios {
		var pts []report.WeekPoint
		for _, w := range ch.WeeklyFirstResponse {
			if w.Priority == p {
				pts = append(pts, w)
			}
		}
		slices.SortStableFunc(pts, func(a, b report.WeekPoint) int { return a.Start.Compare(b.Start) })
		out.Weekly = append(out.Weekly, weeklyChart(out.Anchor+"-fr"+strconv.Itoa(pi), vd.Name, p, pts))
	}
	out.MonthState = state(s.Tickets, len(ch.MonthlyCompliance), noData)
	if len(ch.MonthlyCompliance) > 0 {
		out.Monthly = monthlyChart(out.Anchor+"-mc", vd.Name, ch.MonthlyCompliance)
	}
	out.Zone = zoneName(ch.Zone)
	out.HeatState = state(s.ReplyHours, 1, "")
	if s.Tickets && !s.ReplyHours {
		out.HeatState = "the ticket source gives no reply timeline"
	} else if !s.Tickets {
		out.HeatState = notConfigured
	}
	if s.ReplyHours && ch.RepliesByHour == ([7][24]uint64{}) {
		out.HeatState = "no reply in the period"
	}
	if out.HeatState == "" {
		out.Heatmap = heatmapChart(out.Anchor+"-hm", vd.Name, zoneName(ch.Zone), &ch.RepliesByHour)
		out.HeatRows = ch.RepliesByHour
	}
	return out
}

func volume(configured bool, n uint64) string {
	if !configured {
		return notConfigured
	}
	return u(n)
}

// measured is a contract period's measure: its availability, or its
// compliance per priority (in name order: a map has none).
func measured(p report.ContractPeriod) string {
	if p.Availability != nil {
		return "availability " + fmtRatio(*p.Availability)
	}
	if len(p.Compliance) == 0 {
		return noData
	}
	keys := make([]string, 0, len(p.Compliance))
	for k := range p.Compliance {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + fmtRatio(p.Compliance[k])
	}
	return strings.Join(parts, ", ")
}

// asMean shows a count indicator with a fractional value, previous or
// target (a mean, such as rounds to resolve) with two decimals throughout,
// so a mean of 3 reads "3.00" next to "2.50", not "3".
func asMean(in report.Indicator) report.Indicator {
	if in.Unit != report.UnitCount {
		return in
	}
	for _, v := range []*float64{in.Value, in.Previous, in.Target} {
		if v != nil && *v != math.Trunc(*v) && !math.IsNaN(*v) && !math.IsInf(*v, 0) {
			in.Unit = report.UnitPer
			return in
		}
	}
	return in
}

func indicatorOf(in report.Indicator, fn map[string]int) indView {
	in = asMean(in)
	return indView{ID: in.ID, Name: in.Name, Value: fmtIndicator(in), Target: fmtTarget(in),
		Met: metOf(in), Change: changeOf(in), Samples: u(in.Samples), Footnote: fn[in.Footnote]}
}

func buildCompare(r *report.Report, fn map[string]int) *compareView {
	c := &compareView{}
	for _, vd := range r.Vendors {
		c.Vendors = append(c.Vendors, vd.Name)
	}
	vol := []struct {
		name string
		get  func(report.Vendor) string
	}{
		{"Tickets opened", func(v report.Vendor) string { return volume(v.Sections.Tickets, v.Volume.TicketsOpened) }},
		{"SLA clocks ended", func(v report.Vendor) string { return volume(v.Sections.Tickets, v.Volume.SLAChecks) }},
		{"Incidents", func(v report.Vendor) string { return volume(v.Sections.Status, v.Volume.Incidents) }},
		{"Maintenances", func(v report.Vendor) string { return volume(v.Sections.Status, v.Volume.Maintenances) }},
	}
	indicatorNames := map[string]bool{}
	for _, vd := range r.Vendors {
		for _, in := range vd.Indicators {
			indicatorNames[in.Name] = true
		}
	}
	for _, row := range vol {
		if indicatorNames[row.name] {
			continue // the builder has it as an indicator, with its footnote
		}
		cr := compareRow{Dim: "Volume", Name: row.name}
		for _, vd := range r.Vendors {
			cr.Cells = append(cr.Cells, compareCell{Value: row.get(vd)})
		}
		c.Rows = append(c.Rows, cr)
	}
	// Indicators in the order of first appearance, dimension by dimension.
	type key struct{ dim, id string }
	var order []key
	names := map[string]string{}
	notes := map[string]int{}
	for _, d := range report.Dimensions {
		for _, vd := range r.Vendors {
			for _, in := range vd.Indicators {
				k := key{d, in.ID}
				if in.Dimension == d && !slices.Contains(order, k) {
					order = append(order, k)
					names[in.ID] = in.Name
					notes[in.ID] = fn[in.Footnote]
				}
			}
		}
	}
	for _, k := range order {
		cr := compareRow{Dim: dimensionName(k.dim), Name: names[k.id], Footnote: notes[k.id]}
		for _, vd := range r.Vendors {
			cell := compareCell{Value: "—"}
			if j := slices.IndexFunc(vd.Indicators, func(in report.Indicator) bool { return in.ID == k.id }); j >= 0 {
				in := asMean(vd.Indicators[j])
				cell = compareCell{Value: fmtIndicator(in)}
				if in.Value != nil {
					cell.Met = metOf(in)
				}
			}
			cr.Cells = append(cr.Cells, cell)
		}
		c.Rows = append(c.Rows, cr)
	}
	return c
}

// compareWidth is how many vendors one side-by-side table of the HTML
// holds: more do not fit across an A4 page.
const compareWidth = 5

// splitCompare cuts c into tables of at most width vendors, of even
// sizes (7 vendors: 4 and 3), each with every row.
func splitCompare(c *compareView, width int) []*compareView {
	n := len(c.Vendors)
	parts := (n + width - 1) / width
	if parts <= 1 {
		return []*compareView{c}
	}
	var out []*compareView
	for p, from := 0, 0; p < parts; p++ {
		to := from + (n-from+parts-p-1)/(parts-p)
		part := &compareView{Vendors: c.Vendors[from:to]}
		for _, row := range c.Rows {
			r := row
			r.Cells = row.Cells[from:to]
			part.Rows = append(part.Rows, r)
		}
		out = append(out, part)
		from = to
	}
	return out
}

// docsNote says, for a page list read after the period's end, that the
// figures are that list's (the earlier ones are not kept), and how many of
// its pages are dated after the period and left out.
func docsNote(d report.DocsSite, to time.Time) string {
	var parts []string
	if d.ListRead != nil && d.ListRead.After(to) {
		parts = append(parts, "page list as read on "+fmtTime(*d.ListRead))
	}
	if d.LaterDated > 0 {
		parts = append(parts, u(d.LaterDated)+" pages dated after the period left out")
	}
	return strings.Join(parts, "; ")
}

// staleSources warns of each source whose last complete sync started
// before the period's end: its figures are judged as of then.
func staleSources(sources []report.SourceSync, to time.Time) []string {
	var out []string
	for _, s := range sources {
		name := s.Name
		if s.Kind != "" {
			name += " (" + s.Kind + ")"
		}
		switch {
		case s.SyncedAt.IsZero():
			out = append(out, "figures from "+name+": no complete sync yet")
		case s.SyncedAt.Before(to):
			out = append(out, "figures from "+name+" as of "+fmtTime(s.SyncedAt)+", the start of its last complete sync")
		}
	}
	return out
}
