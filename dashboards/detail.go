package dashboards

import "github.com/support-exporter/support_exporter/alerts"

// vendorDetail follows vendors over time; pick one vendor to read it as that
// vendor's page. Smoothed lines come from the 7-day and 30-day recording
// rules; counts are drawn per interval as bars.
func vendorDetail(s selectors) board {
	const (
		bar   = "$__interval"
		week  = alerts.Window7d
		month = alerts.Window30d
	)
	v := s.vendors()
	return board{
		uid:         "support-vendor-detail",
		title:       "Support / Vendor detail",
		tag:         "vendor-detail",
		description: "One vendor over time: volumes, response and resolution distributions, SLA compliance, backlog, escalations, satisfaction, feature requests.",
		from:        "now-30d",
		rows: []row{
			{title: "Now", panels: []panel{
				{
					kind: statPanel, title: "Open tickets", unit: "short", width: 6, height: 5,
					description: "Tickets open at the vendor now, all states. Good: stable; a steady climb means the vendor is falling behind.",
					queries:     []query{{expr: s.gaugeSumBy("vendor", "support_tickets_open"+v), legend: "{{vendor}}"}},
				},
				{
					kind: statPanel, title: "Breaching SLA now", unit: "short", width: 6, height: 5,
					description: "Open tickets whose first-response or resolution target already passed unmet. Good: zero.",
					steps:       []step{{color: "green"}, {from: 1, color: "red"}},
					queries:     []query{{expr: s.gaugeSumBy("vendor, target", "support_tickets_breaching_sla"+v), legend: "{{vendor}} · {{target}}"}},
				},
				{
					kind: statPanel, title: "Oldest unanswered ticket", unit: "s", width: 6, height: 5,
					description: "Age of the oldest open ticket still without a first reply, by priority. Good: " +
						"nothing shown, or an age well under the priority's first-response target.",
					queries: []query{{
						expr:   "time() - " + s.gaugeMaxBy("vendor, priority", "support_ticket_oldest_unanswered_created_timestamp_seconds"+v+" > 0"),
						legend: "{{vendor}} · {{priority}}",
					}},
				},
				{
					kind: statPanel, title: "Open escalations", unit: "short", width: 6, height: 5,
					description: "Escalated tickets still open. Good: zero, or few and short-lived.",
					queries:     []query{{expr: s.gaugeSumBy("vendor", "support_escalations_open"+v), legend: "{{vendor}}"}},
				},
			}},
			{title: "Volume", panels: []panel{
				{
					kind: barsPanel, title: "Tickets opened", unit: "short", width: 8, height: 8, interval: "1h",
					description: "Tickets opened per interval, by priority. Context for everything else: a surge " +
						"of urgent tickets explains a slower response elsewhere.",
					queries: []query{{expr: s.countOver("vendor, priority", "support_tickets_created_total", v, bar), legend: "{{vendor}} · {{priority}}"}},
				},
				{
					kind: barsPanel, title: "Tickets solved", unit: "short", width: 8, height: 8, interval: "1h",
					description: "Tickets solved for the first time per interval, by priority. Good: keeps pace with tickets opened.",
					queries:     []query{{expr: s.countOver("vendor, priority", "support_ticket_resolution_seconds_count", v, bar), legend: "{{vendor}} · {{priority}}"}},
				},
				{
					kind: timeseriesPanel, title: "Open tickets by state", unit: "short", width: 8, height: 8,
					description: "Open tickets waiting on the vendor, on you, or on hold. Good: the awaiting_vendor " +
						"line low and flat; awaiting_customer is your team's queue.",
					queries: []query{{expr: s.gaugeSumBy("vendor, state", "support_tickets_open"+v), legend: "{{vendor}} · {{state}}"}},
				},
			}},
			{title: "Response and resolution", panels: []panel{
				{
					kind: heatmapPanel, title: "First response time distribution", unit: "s", width: 12, height: 9, interval: "1d",
					description: "How many first replies fell in each duration bucket, per day. Good: the mass in " +
						"the low buckets, under the targets (which are bucket bounds).",
					queries: []query{{expr: s.countOver("le", "support_ticket_first_response_seconds_bucket", v, bar), legend: "{{le}}"}},
				},
				{
					kind: heatmapPanel, title: "Resolution time distribution", unit: "s", width: 12, height: 9, interval: "1d",
					description: "How many first solves fell in each duration bucket, per day. Good: the mass " +
						"under the resolution targets, with no long tail of week-old tickets.",
					queries: []query{{expr: s.countOver("le", "support_ticket_resolution_seconds_bucket", v, bar), legend: "{{le}}"}},
				},
				{
					kind: timeseriesPanel, title: "First response p90 vs target", unit: "s", width: 12, height: 8,
					description: "90th percentile first response over the trailing 7 days, by priority, against the " +
						"contract's target. Good: each line under its target.",
					queries: p90VsTarget(s, alerts.FirstResponseQuantiles.Over(week), "first_response"),
				},
				{
					kind: timeseriesPanel, title: "Resolution p90 vs target", unit: "s", width: 12, height: 8,
					description: "90th percentile time to first solve over the trailing 7 days, by priority, " +
						"against the contract's target. Good: each line under its target.",
					queries: p90VsTarget(s, alerts.ResolutionQuantiles.Over(week), "resolution"),
				},
			}},
			coverageRow(s),
			{title: "SLA", panels: []panel{
				{
					kind: timeseriesPanel, title: "SLA compliance vs objective", unit: "percentunit", width: 12, height: 8,
					description: "Share of SLA clocks met over the trailing 7 and 30 days, against the objective. " +
						"Good: the 30-day line above the objective; the 7-day line shows a slide early.",
					queries: []query{
						{expr: "1 - " + maxBy("vendor, target", alerts.SLABreachRatio.Over(week)+v), legend: "{{vendor}} · {{target}} 7d"},
						{expr: "1 - " + maxBy("vendor, target", alerts.SLABreachRatio.Over(month)+v), legend: "{{vendor}} · {{target}} 30d"},
						{expr: maxBy("vendor", "support_sla_objective_ratio"+v), legend: "{{vendor}} objective"},
					},
				},
				{
					kind: timeseriesPanel, title: "Tickets breaching SLA", unit: "short", width: 6, height: 8,
					description: "Open tickets past a target, by priority. Good: zero; a growing backlog of " +
						"breaching tickets is an escalation topic.",
					queries: []query{{expr: s.gaugeSumBy("vendor, priority, target", "support_tickets_breaching_sla"+v), legend: "{{vendor}} · {{priority}} · {{target}}"}},
				},
				{
					kind: barsPanel, title: "SLA breaches", unit: "short", width: 6, height: 8, interval: "1h",
					description: "New SLA breaches per interval (counted when the target passes). Good: none.",
					queries:     []query{{expr: s.countOver("vendor, target", "support_ticket_sla_breaches_total", v, bar), legend: "{{vendor}} · {{target}}"}},
				},
			}},
			{title: "Escalations and satisfaction", panels: []panel{
				{
					kind: timeseriesPanel, title: "Open escalations", unit: "short", width: 6, height: 8,
					description: "Escalated tickets open, by priority. Good: few, and each one short-lived.",
					queries:     []query{{expr: s.gaugeSumBy("vendor, priority", "support_escalations_open"+v), legend: "{{vendor}} · {{priority}}"}},
				},
				{
					kind: barsPanel, title: "Escalations raised", unit: "short", width: 6, height: 8, interval: "1h",
					description: "Tickets escalated per interval. Good: rare; escalations are where the normal process failed.",
					queries:     []query{{expr: s.countOver("vendor, priority", "support_escalations_total", v, bar), legend: "{{vendor}} · {{priority}}"}},
				},
				{
					kind: timeseriesPanel, title: "Satisfaction", unit: "percentunit", width: 6, height: 8,
					description: "Share of good ratings over the trailing 7 and 30 days. Good: high and steady.",
					queries: []query{
						{expr: maxBy("vendor", alerts.SatisfactionGoodRatio.Over(week)+v), legend: "{{vendor}} 7d"},
						{expr: maxBy("vendor", alerts.SatisfactionGoodRatio.Over(month)+v), legend: "{{vendor}} 30d"},
					},
				},
				{
					kind: barsPanel, title: "Ratings received", unit: "short", width: 6, height: 8, interval: "1h",
					description: "Satisfaction ratings per interval, good and bad: how much the satisfaction ratio rests on.",
					queries:     []query{{expr: s.countOver("vendor, rating", "support_ticket_satisfaction_ratings_total", v, bar), legend: "{{vendor}} · {{rating}}"}},
				},
			}},
			docsRow(s),
			featureRow(s),
			contractsRow(s),
			drillRow(s),
		},
	}
}

// p90VsTarget is a p90 line per priority from a quantile recording rule,
// with the configured target of each priority.
func p90VsTarget(s selectors, quantileRule, target string) []query {
	return []query{
		{expr: maxBy("vendor, priority", quantileRule+s.vendors(quantileIs(alerts.Quantile90))), legend: "{{vendor}} · {{priority}} p90"},
		{expr: maxBy("vendor, priority", "support_sla_target_seconds"+s.vendors(`target="`+target+`"`)), legend: "{{vendor}} · {{priority}} target"},
	}
}
