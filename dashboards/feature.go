package dashboards

// featureRow is the feedback loop in the vendor detail dashboard: are the
// vendor's feature requests heard and shipped (docs/metrics.md, "Feedback
// loop: feature requests")? Requests are few: shares and times read over
// a trailing 90 days, outcomes as bars per day. Empty for a vendor without
// feature_requests.
func featureRow(s selectors) row {
	const (
		bar     = "$__interval"
		quarter = "90d"
	)
	v := s.vendors()
	return row{title: "Feedback loop: feature requests", panels: []panel{
		{
			kind: barsPanel, title: "Feature request outcomes", unit: "short", width: 6, height: 8, interval: "1d",
			description: "Feature requests closed per interval: shipped (closed as completed), declined (not planned, " +
				"duplicate), withdrawn (closed by the requester) and closed_by_bot (a stale bot closed it: nobody decided; " +
				"a person's later decision counts too). Good: shipped dominates; many closed_by_bot means requests are left to rot.",
			queries: []query{{expr: s.countOver("vendor, outcome", "support_feature_request_outcomes_total", v, bar), legend: "{{vendor}} · {{outcome}}"}},
		},
		{
			kind: timeseriesPanel, title: "Shipped share, 90 days", unit: "percentunit", width: 6, height: 8,
			description: "Share of the vendor's decisions on feature requests over the trailing 90 days that shipped: " +
				"shipped / (shipped + declined); withdrawals and bots' closes decide nothing. Good: high and steady; " +
				"read it with the outcomes beside it, since a handful of requests moves it a lot.",
			queries: []query{{
				expr: s.sumBy("vendor", increase("support_feature_request_outcomes_total", s.vendors(`outcome="shipped"`), quarter)) +
					" / " + s.sumBy("vendor", increase("support_feature_request_outcomes_total", s.vendors(`outcome=~"shipped|declined"`), quarter)),
				legend: "{{vendor}}",
			}},
		},
		{
			kind: timeseriesPanel, title: "Time to acknowledge and to outcome, 90 days", unit: "s", width: 6, height: 8,
			description: "Median time from a feature request's creation to the vendor's first reply or label (acknowledged), " +
				"and to its outcome, over the trailing 90 days (estimated from day-scale buckets). Good: acknowledged within " +
				"days; shipped in weeks, not quarters.",
			queries: []query{
				{expr: s.quantileOver("0.5", "vendor", "support_feature_request_acknowledgement_seconds", v, quarter), legend: "{{vendor}} · acknowledged p50"},
				{expr: s.quantileOver("0.5", "vendor, outcome", "support_feature_request_outcome_seconds", v, quarter), legend: "{{vendor}} · {{outcome}} p50"},
			},
		},
		{
			kind: timeseriesPanel, title: "Open feature requests by age", unit: "short", width: 6, height: 8,
			description: "Feature requests still open, by how long since they were opened. Good: most under 90 days; " +
				"a growing gt_365d band is a backlog the vendor no longer reads.",
			queries: []query{{expr: s.gaugeSumBy("vendor, age", "support_feature_requests_open"+v), legend: "{{vendor}} · {{age}}"}},
		},
	}}
}
