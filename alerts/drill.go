package alerts

import "fmt"

// drillAlerts watch the off-hours drill's results (docs/metrics.md, "The
// off-hours drill"): a drill the vendor left unanswered, and a drill that
// could not file its ticket. Both read support_drill_runs_total, which the
// exporter exposes for every result from 0 on, so increase() sees the
// first drill's result too; it is derived from the stored drill records
// and never resets on a restart or reload.
func drillAlerts(q promql) []alert {
	return []alert{drillUnanswered(q), drillFailing(q)}
}

// drillUnanswered: a drill ended timed_out within DrillWindow: no human
// vendor reply within its timeout.
func drillUnanswered(q promql) alert {
	w := promDuration(q.cfg.DrillWindow)
	return alert{
		name:     "SupportDrillUnanswered",
		severity: "warning",
		expr:     q.dedupe(fmt.Sprintf("increase(%s[%s])", q.sel("support_drill_runs_total", `result="timed_out"`), w)) + " > 0",
		summary:  "A vendor left an off-hours drill ticket unanswered past its timeout.",
		description: `{{ $labels.vendor }} left {{ printf "%.0f" $value }} off-hours drill ticket(s) without a human reply` +
			` within the drill's timeout (drills ended in the last ` + w + `).`,
	}
}

// drillFailing: a drill ended create_failed within DrillWindow: its ticket
// was refused, or never known to be filed, and the interval's drill is
// lost. One is enough: drills run at most once per interval (30 days by
// default), so waiting for a second would lose another interval.
func drillFailing(q promql) alert {
	w := promDuration(q.cfg.DrillWindow)
	return alert{
		name:     "SupportDrillFailing",
		severity: "warning",
		expr:     q.dedupe(fmt.Sprintf("increase(%s[%s])", q.sel("support_drill_runs_total", `result="create_failed"`), w)) + " > 0",
		summary:  "The off-hours drill could not file its ticket at a vendor.",
		description: `{{ printf "%.0f" $value }} off-hours drill(s) of {{ $labels.vendor }} ended in the last ` + w +
			` without a ticket filed (create_failed): the exporter's log says why.`,
	}
}
