package dashboards

import (
	"fmt"

	"github.com/support-exporter/support_exporter/alerts"
)

// scorecard compares the chosen vendors side by side on the five dimensions
// buyers judge support by, over the `window` variable. Ratios and quantiles
// the rules already record are read from the recording rule of that window;
// the rest are computed from the raw counters.
func scorecard(s selectors) board {
	const w = "$window"
	v := s.vendors()
	return board{
		uid:   "support-scorecard",
		title: "Support / Vendor scorecard",
		tag:   "scorecard",
		description: "Vendors side by side on response speed, resolution, professionalism, " +
			"communication and proactivity, over the selected window.",
		from:       "now-30d",
		withWindow: true,
		rows: []row{
			{title: "Volume", panels: []panel{
				{
					kind: bargaugePanel, title: "Tickets opened", unit: "short", width: 8, height: 7,
					description: "Tickets opened per vendor in the window. Read every ratio below against it: " +
						"with 20 tickets one ticket moves a ratio by 5 points, so only compare vendors with enough volume.",
					queries: []query{{expr: s.countOver("vendor", "support_tickets_created_total", v, w), legend: "{{vendor}}"}},
				},
				{
					kind: bargaugePanel, title: "SLA clocks ended", unit: "short", width: 8, height: 7,
					description: fmt.Sprintf("Tickets whose first-response or resolution clock ended in the window "+
						"(answered, solved, or the target passed): the denominator of SLA compliance. Orange below %d, "+
						"the count the alerts want before they trust a breach ratio.", s.cfg.MinSLAChecks),
					steps:   []step{{color: "orange"}, {from: float64(s.cfg.MinSLAChecks), color: "green"}},
					queries: []query{{expr: s.sumBy("vendor, target", alerts.SLAChecks.Over(w)+v), legend: "{{vendor}} · {{target}}"}},
				},
				{
					kind: bargaugePanel, title: "Incidents and maintenances", unit: "short", width: 8, height: 7,
					description: "Status-page incidents and scheduled maintenances announced in the window: the " +
						"denominators of the professionalism and proactivity ratios.",
					queries: []query{
						{expr: s.countOver("vendor", "support_status_incidents_total", v, w), legend: "{{vendor}} incidents"},
						{expr: s.countOver("vendor", "support_status_maintenances_total", v, w), legend: "{{vendor}} maintenances"},
					},
				},
			}},
			{title: "Response speed", panels: []panel{
				{
					kind: tablePanel, title: "First response vs target", unit: "s", width: 10, height: 9,
					description: "Median and 90th percentile time to the vendor's first public reply, by priority, " +
						"next to the contract's target. Good: p90 at or below the target for every priority; " +
						"a p50 near the target means half the tickets are close to breaching.",
					queries: responseVsTarget(s, alerts.FirstResponseQuantiles.Over(w), "first_response"),
				},
				{
					kind: bargaugePanel, title: "First-response SLA compliance", unit: "percentunit", width: 7, height: 9,
					description: "Share of first-response clocks that ended within target, next to the vendor's " +
						"objective (sla.objective). Good: compliance at or above the objective.",
					queries: complianceVsObjective(s, w, "first_response"),
				},
				{
					kind: bargaugePanel, title: "First response p90: business vs off hours", unit: "s", width: 7, height: 9,
					description: "90th percentile first response for tickets opened inside and outside the vendor's " +
						"business hours. Good: the two close together; a large off-hours gap means no real " +
						"follow-the-sun coverage.",
					queries: []query{{
						expr:   s.quantileOver("0.9", "vendor, hours", "support_ticket_first_response_seconds", v, w),
						legend: "{{vendor}} · {{hours}}",
					}},
				},
			}},
			{title: "Resolution", panels: []panel{
				{
					kind: tablePanel, title: "Resolution vs target", unit: "s", width: 10, height: 9,
					description: "Median and 90th percentile time from creation to the first solve, by priority, " +
						"next to the contract's target. Good: p90 at or below the target.",
					queries: responseVsTarget(s, alerts.ResolutionQuantiles.Over(w), "resolution"),
				},
				{
					kind: bargaugePanel, title: "Resolution SLA compliance", unit: "percentunit", width: 7, height: 9,
					description: "Share of resolution clocks that ended within target, next to the objective. " +
						"Good: at or above the objective.",
					queries: complianceVsObjective(s, w, "resolution"),
				},
				{
					kind: bargaugePanel, title: "Open escalations now", unit: "short", width: 7, height: 9,
					description: "Tickets escalated at the vendor and still open, right now (not windowed). " +
						"Good: zero, or a few that move.",
					queries: []query{{expr: s.gaugeSumBy("vendor", "support_escalations_open"+v), legend: "{{vendor}}"}},
				},
				{
					kind: bargaugePanel, title: "One-touch resolution rate", unit: "percentunit", width: 12, height: 7,
					description: "Share of resolved tickets solved with a single vendor reply and never reopened. " +
						"Good: high; it measures first-line competence.",
					queries: []query{{expr: maxBy("vendor", alerts.FirstContactRatio.Over(w)+v), legend: "{{vendor}}"}},
				},
				{
					kind: bargaugePanel, title: "Reopen rate", unit: "percentunit", width: 12, height: 7,
					description: "Reopen events per ticket opened. Good: a few percent; a high rate means tickets " +
						"are closed before the problem is fixed.",
					queries: []query{{expr: maxBy("vendor", alerts.ReopenRatio.Over(w)+v), legend: "{{vendor}}"}},
				},
			}},
			{title: "Professionalism", panels: []panel{
				{
					kind: bargaugePanel, title: "Vendor replies to resolve", unit: "short", width: 8, height: 8,
					description: "Vendor public replies before the first solve (rounds), mean and 90th percentile. " +
						"Good: close to 1-2; many rounds mean the vendor asks for information piecemeal.",
					queries: []query{
						{expr: s.meanOver("vendor", "support_ticket_vendor_replies_to_resolve", v, w), legend: "{{vendor}} mean"},
						{expr: s.quantileOver("0.9", "vendor", "support_ticket_vendor_replies_to_resolve", v, w), legend: "{{vendor}} p90"},
					},
				},
				{
					kind: bargaugePanel, title: "Postmortem rate", unit: "percentunit", width: 8, height: 8,
					description: "Postmortems published per incident seen in the window. Good: every major or " +
						"critical incident gets one; a rate near zero means incidents end without an explanation.",
					queries: []query{{
						expr:   s.ratioOver("vendor", "support_status_incident_postmortem_seconds_count", "support_status_incidents_total", v, w),
						legend: "{{vendor}}",
					}},
				},
				{
					kind: bargaugePanel, title: "Postmortem delay", unit: "s", width: 8, height: 8,
					description: "Time from an incident's resolution to its published postmortem, median and 90th " +
						"percentile. Good: within a few business days.",
					queries: []query{
						{expr: s.quantileOver("0.5", "vendor", "support_status_incident_postmortem_seconds", v, w), legend: "{{vendor}} p50"},
						{expr: s.quantileOver("0.9", "vendor", "support_status_incident_postmortem_seconds", v, w), legend: "{{vendor}} p90"},
					},
				},
			}},
			{title: "Communication", panels: []panel{
				{
					kind: bargaugePanel, title: "Satisfaction", unit: "percentunit", width: 8, height: 8,
					description: "Share of satisfaction ratings that were good. Good: high, on enough ratings " +
						"to mean something.",
					queries: []query{{expr: maxBy("vendor", alerts.SatisfactionGoodRatio.Over(w)+v), legend: "{{vendor}}"}},
				},
				{
					kind: bargaugePanel, title: "Customer follow-ups per ticket", unit: "short", width: 8, height: 8,
					description: "Customer replies posted while already waiting on the vendor, per ticket opened: " +
						"how often your team had to chase. Good: near 0. Empty for zendesk sources, whose " +
						"export has no reply timeline.",
					queries: []query{{
						expr:   s.ratioOver("vendor", "support_ticket_customer_followups_total", "support_tickets_created_total", v, w),
						legend: "{{vendor}}",
					}},
				},
				{
					kind: bargaugePanel, title: "Incident update gaps", unit: "s", width: 8, height: 8,
					description: fmt.Sprintf("Time between consecutive public updates during incidents, median and "+
						"90th percentile. Good: under %s, the silence the alerts tolerate during an open incident (red "+
						"past it).", durationText(s.cfg.IncidentSilence)),
					steps: []step{{color: "green"}, {from: s.cfg.IncidentSilence.Seconds(), color: "red"}},
					queries: []query{
						{expr: s.quantileOver("0.5", "vendor", "support_status_incident_update_gap_seconds", v, w), legend: "{{vendor}} p50"},
						{expr: s.quantileOver("0.9", "vendor", "support_status_incident_update_gap_seconds", v, w), legend: "{{vendor}} p90"},
					},
				},
			}},
			{title: "Proactivity", panels: []panel{
				{
					kind: bargaugePanel, title: "Incidents the vendor noticed first", unit: "percentunit", width: 12, height: 7,
					description: fmt.Sprintf("Share of incidents the vendor announced before any customer reported "+
						"them. Good: high; red below %.0f%%, where the alerts call customer-first incidents the norm.",
						100*s.cfg.VendorFirstMin),
					steps:   []step{{color: "red"}, {from: s.cfg.VendorFirstMin, color: "green"}},
					queries: []query{{expr: maxBy("vendor", alerts.VendorFirstRatio.Over(w)+v), legend: "{{vendor}}"}},
				},
				{
					kind: bargaugePanel, title: "Maintenance notice compliance", unit: "percentunit", width: 12, height: 7,
					description: "Share of scheduled maintenances announced with at least the notice the contract " +
						"requires (sla.maintenance_notice). Good: 100%.",
					queries: []query{{expr: "1 - " + maxBy("vendor", alerts.ShortNoticeRatio.Over(w)+v), legend: "{{vendor}}"}},
				},
			}},
		},
	}
}

// responseVsTarget is the p50, p90 and target columns of a vendor × priority
// table, from the quantile recording rule of the window.
func responseVsTarget(s selectors, quantileRule, target string) []query {
	return []query{
		{expr: maxBy("vendor, priority", quantileRule+s.vendors(quantileIs(alerts.Quantile50))), legend: "p50"},
		{expr: maxBy("vendor, priority", quantileRule+s.vendors(quantileIs(alerts.Quantile90))), legend: "p90"},
		{expr: maxBy("vendor, priority", "support_sla_target_seconds"+s.vendors(`target="`+target+`"`)), legend: "target"},
	}
}

// complianceVsObjective is SLA compliance of one target over the window,
// from the breach-ratio recording rule, next to each vendor's objective.
func complianceVsObjective(s selectors, window, target string) []query {
	return []query{
		{
			expr:   "1 - " + maxBy("vendor", alerts.SLABreachRatio.Over(window)+s.vendors(`target="`+target+`"`)),
			legend: "{{vendor}}",
		},
		{expr: maxBy("vendor", "support_sla_objective_ratio"+s.vendors()), legend: "{{vendor}} objective"},
	}
}
