package render

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/support-exporter/support_exporter/exporter/report"
)

// The Markdown is for pasting into a wiki: GitHub-flavoured tables and
// footnotes, the same content as the HTML minus the pictures (the replies
// by hour become a compact table, the monthly compliance a small one).

// mdEscaper makes report text inert in Markdown: no table break, no
// emphasis, no link, no HTML.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "`", "\\`",
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "#", `\#`, "~", `\~`, "\r", " ", "\n", " ",
)

// md makes report text inert. Text a GFM renderer would turn into a link
// of its own (an autolink: "www.", "://", an e-mail address) is put in a
// code span instead, which no renderer links; its | escaped for tables.
func md(s string) string {
	if autolinkable(s) {
		return mdCode(strings.ReplaceAll(s, "|", `\|`))
	}
	return mdEscaper.Replace(s)
}

func autolinkable(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "www.") || strings.Contains(l, "://") || strings.Contains(l, "@")
}

// mdURL keeps a link's target in one piece inside (...).
var mdURLEscaper = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "|", "%7C", "\n", "", "\r", "")

func mdLink(l link) string {
	if l.URL == "" {
		return md(l.Text)
	}
	// Link text is never autolinked (links do not nest): escaping is
	// enough there.
	return "[" + mdEscaper.Replace(l.Text) + "](" + mdURLEscaper.Replace(l.URL) + ")"
}

// mdCode is an inline code span that holds any text.
func mdCode(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	run, longest := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func mdMet(m string) string {
	switch m {
	case "met":
		return "✓ met"
	case "missed":
		return "✗ missed"
	case noData:
		return noData
	}
	return "—"
}

func mdFn(n int) string {
	if n == 0 {
		return ""
	}
	return "[^" + strconv.Itoa(n) + "]"
}

type mdWriter struct{ w *bufio.Writer }

func (m mdWriter) line(parts ...string) {
	for _, p := range parts {
		m.w.WriteString(p)
	}
	m.w.WriteByte('\n')
}

// table writes a GFM table; cells are already escaped.
func (m mdWriter) table(head []string, rows [][]string) {
	m.line("| ", strings.Join(head, " | "), " |")
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = "---"
	}
	m.line("|", strings.Join(sep, "|"), "|")
	for _, r := range rows {
		m.line("| ", strings.Join(r, " | "), " |")
	}
	m.line()
}

func (m mdWriter) state(s string) { m.line("_", md(s), "_"); m.line() }

func writeMarkdown(w io.Writer, r *report.Report) error {
	v := buildView(r)
	m := mdWriter{bufio.NewWriter(w)}
	m.line("# ", md(v.Title))
	m.line()
	p := "Period: **" + md(v.Period) + "**"
	if v.SoFar != "" {
		p += " (" + md(v.SoFar) + ")"
	}
	if v.Compared {
		p += ", compared with the previous period " + md(v.Previous)
	} else if v.PreviousUnavailable != "" {
		p += "; " + md(v.PreviousUnavailable)
	}
	m.line(p, ".")
	m.line()
	m.line("Generated ", md(v.Generated), " by support\\_exporter ", md(v.Version),
		" from its own store: each figure equals what Prometheus shows for the same window; the footnotes say how each is computed. All times are UTC.")
	m.line()
	if c := v.Compare; c != nil {
		m.line("## Side by side")
		m.line()
		head := []string{"Dimension", "Indicator"}
		for _, n := range c.Vendors {
			head = append(head, md(n))
		}
		var rows [][]string
		for _, row := range c.Rows {
			cells := []string{md(row.Dim), md(row.Name) + mdFn(row.Footnote)}
			for _, cell := range row.Cells {
				s := md(cell.Value)
				if cell.Met != "" {
					s += " " + mdMet(cell.Met)
				}
				cells = append(cells, s)
			}
			rows = append(rows, cells)
		}
		m.table(head, rows)
		m.line("— : not measured for that vendor.")
		m.line()
	}
	for i := range v.Vendors {
		mdVendor(m, &v.Vendors[i], v.Compared, &r.Vendors[i])
	}
	m.line("## How the figures are computed")
	m.line()
	if len(v.Footnotes) == 0 {
		m.state("no footnotes")
	}
	for _, f := range v.Footnotes {
		s := "[^" + strconv.Itoa(f.N) + "]: " + md(f.Text)
		if f.PromQL != "" {
			s += " PromQL: " + mdCode(f.PromQL)
		}
		m.line(s)
		m.line()
	}
	return m.w.Flush()
}

func joinMD(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = md(s)
	}
	return strings.Join(out, ", ")
}

func mdVendor(m mdWriter, v *vendorView, compared bool, src *report.Vendor) {
	m.line("## ", md(v.Name))
	m.line()
	for _, w := range v.Stale {
		m.line("> **Warning:** ", md(w), ".")
		m.line()
	}
	sec := "Configured: nothing."
	if len(v.Configured) > 0 {
		sec = "Configured: " + joinMD(v.Configured) + "."
	}
	if len(v.NotConfigured) > 0 {
		sec += " Not configured: " + joinMD(v.NotConfigured) + "."
	}
	m.line("_", sec, "_")
	m.line()

	m.line("### Volume")
	m.line()
	var rows [][]string
	for _, kv := range v.Volume {
		rows = append(rows, []string{md(kv.Key), md(kv.Value)})
	}
	m.table([]string{"", "Count"}, rows)

	m.line("### The five dimensions")
	m.line()
	if v.DimState != "" {
		m.state(v.DimState)
	} else {
		head := []string{"Dimension", "Indicator", "Value", "Target", "Met"}
		if compared {
			head = append(head, "Previous", "Change")
		}
		head = append(head, "Samples")
		rows = nil
		for _, d := range v.Dims {
			for _, in := range d.Rows {
				row := []string{md(d.Name), md(in.Name) + mdFn(in.Footnote), md(in.Value), md(in.Target), mdMet(in.Met)}
				if compared {
					ch := noData
					if in.Change.Known {
						ch = in.Change.Arrow + " " + in.Change.Delta
						if in.Change.Verdict != "" {
							ch += " (" + in.Change.Verdict + ")"
						}
					}
					row = append(row, md(in.Change.Prev), md(ch))
				}
				rows = append(rows, append(row, in.Samples))
			}
		}
		m.table(head, rows)
	}

	m.line("### SLA compliance by priority")
	m.line()
	if v.SLAState != "" {
		m.state(v.SLAState)
	} else {
		rows = nil
		for _, s := range v.SLA {
			var worst []string
			for _, t := range s.Worst {
				e := mdLink(t.Link) + ": " + md(t.Duration)
				if t.Breached {
					e += " (breached)"
				}
				worst = append(worst, e)
			}
			ws := "—"
			if len(worst) > 0 {
				ws = strings.Join(worst, "; ")
			}
			c := md(s.Compliance)
			if s.Met != "" {
				c += " " + mdMet(s.Met)
			}
			rows = append(rows, []string{md(s.Priority), md(s.Target), md(s.Goal), s.Checks, s.Breaches, c, ws})
		}
		m.table([]string{"Priority", "Target", "Objective (SLA clock)", "Clocks", "Breaches", "Compliance", "Worst tickets (SLA clock)"}, rows)
		m.line("Targets and the worst tickets' times are on the SLA clock (business hours when the agreement's clock is business), not calendar time.")
		m.line()
	}

	m.line("### SLA compliance by month")
	m.line()
	if v.MonthState != "" {
		m.state(v.MonthState)
	} else {
		rows = nil
		for _, p := range src.Charts.MonthlyCompliance {
			c := noData
			if p.Compliance != nil {
				c = fmtRatio(*p.Compliance)
			}
			obj := "—"
			if p.Objective > 0 {
				obj = fmtRatio(p.Objective)
			}
			rows = append(rows, []string{p.Start.UTC().Format("2006-01"), md(targetName(p.Target)), c, obj, u(p.Checks)})
		}
		m.table([]string{"Month", "Target", "Compliance", "Objective", "Clocks"}, rows)
	}

	m.line("### Incidents")
	m.line()
	if v.IncState != "" {
		m.state(v.IncState)
	} else {
		rows = nil
		for _, in := range v.Incidents {
			name := strconv.Itoa(in.N) + ". " + mdLink(in.Link) + mdRef(in.Ref)
			if in.Components != "" {
				name += " (" + md(in.Components) + ")"
			}
			nd := md(in.NoticeDelay)
			if in.CustomerFirst {
				nd += " (customer noticed first)"
			} else if in.Undecided {
				nd += " (who noticed first: undecided)"
			}
			rows = append(rows, []string{name, md(in.Impact), in.Started, in.Resolved, md(in.Duration), nd, in.Updates, md(in.LongestGap), md(in.Postmortem)})
		}
		m.table([]string{"Incident", "Impact", "Started", "Resolved", "Duration", "Notice delay", "Updates after the first post", "Longest gap", "Postmortem"}, rows)
	}

	m.line("### Maintenances")
	m.line()
	if v.MaintState != "" {
		m.state(v.MaintState)
	} else {
		rows = nil
		for _, mt := range v.Maintenances {
			n := md(mt.Notice)
			if mt.ShortNotice {
				n += " (short notice)"
			}
			rows = append(rows, []string{mdLink(mt.Link) + mdRef(mt.Ref), mt.Announced, mt.Scheduled, n})
		}
		m.table([]string{"Maintenance", "Announced", "Scheduled", "Notice"}, rows)
	}

	m.line("### Credits owed and claim deadlines")
	m.line()
	if v.ContractState != "" {
		m.state(v.ContractState)
	} else {
		rows = nil
		for _, c := range v.Contracts {
			name := md(c.Agreement) + " (" + md(c.Measure) + ")"
			if c.TerminationRight {
				name += " **termination right**"
			}
			if len(c.Periods) == 0 {
				rows = append(rows, []string{name, "no contract period overlaps the period", "", "", ""})
			}
			for _, p := range c.Periods {
				rows = append(rows, []string{name, p.Period, md(p.Measured), p.Credit, p.ClaimDeadline})
			}
		}
		m.table([]string{"Agreement", "Contract period", "Measured", "Credit owed", "Claim by"}, rows)
	}

	m.line("### Off-hours drills")
	m.line()
	if v.DrillState != "" {
		m.state(v.DrillState)
	} else {
		rows = nil
		for _, d := range v.Drills {
			rows = append(rows, []string{md(d.ID), d.Ran, md(d.Hours), mdLink(d.Ticket), md(d.Result), md(d.FirstResponse)})
		}
		m.table([]string{"Drill", "Ran", "Hours", "Ticket", "Result", "First response"}, rows)
	}

	m.line("### Documentation freshness")
	m.line()
	if v.DocsState != "" {
		m.state(v.DocsState)
	} else {
		rows = nil
		for _, d := range v.Docs {
			s := md(d.Source)
			if d.Suspect {
				s += " (lastmod suspect)"
			}
			if d.Note != "" {
				s += " (" + md(d.Note) + ")"
			}
			rows = append(rows, []string{s, d.Pages, d.LastUpdate, d.Stale, d.Updated, d.Undated, d.Outdated})
		}
		m.table([]string{"Site", "Pages", "Last update", "Stale", "Updated in period", "Undated", "Outdated translations"}, rows)
	}

	m.line("### Open escalations at the period's end")
	m.line()
	if v.EscState != "" {
		m.state(v.EscState)
	} else {
		rows = nil
		for _, t := range v.Escalations {
			rows = append(rows, []string{mdLink(t.Link), md(t.Priority), t.Created, md(t.Duration)})
		}
		m.table([]string{"Ticket", "Priority", "Created", "Age at the period's end"}, rows)
	}

	m.line("### Vendor replies by hour of the week")
	m.line()
	if v.HeatState != "" {
		m.state(v.HeatState)
	} else {
		head := []string{"Day"}
		for h := 0; h < 24; h++ {
			head = append(head, strconv.Itoa(h))
		}
		rows = nil
		for d := range v.HeatRows {
			row := []string{weekdays[d]}
			for _, c := range v.HeatRows[d] {
				row = append(row, u(c))
			}
			rows = append(rows, row)
		}
		m.table(head, rows)
		m.line("Hours in the vendor's calendar zone (", md(v.Zone), ").")
		m.line()
	}
}
