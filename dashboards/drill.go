package dashboards

// drillRow is the vendor detail's band of the off-hours drill
// (docs/metrics.md, "The off-hours drill"): empty for a vendor whose drill
// is off.
func drillRow(s selectors) row {
	v := s.vendors()
	return row{title: "Off-hours drill", panels: []panel{
		{
			kind: statPanel, title: "Drills by result", unit: "short", width: 8, height: 5,
			description: "Off-hours test tickets filed with the vendor since the drill was enabled, by result: responded, " +
				"timed_out (no human reply within the drill's timeout), create_failed, skipped (an incident under way, or a dry run). " +
				"Good: every run responded.",
			queries: []query{{expr: s.sumBy("vendor, result", "support_drill_runs_total"+v), legend: "{{vendor}} · {{result}}"}},
		},
		{
			kind: statPanel, title: "Drill first response, mean", unit: "s", width: 8, height: 5,
			description: "Mean time from a drill ticket's creation, outside the vendor's business hours, to its first human reply. " +
				"Compare with the off-hours first response of ordinary tickets. Good: within the off-hours target the contract promises.",
			queries: []query{{
				expr: s.sumBy("vendor", "support_drill_first_response_seconds_sum"+v) + " / " +
					s.sumBy("vendor", "support_drill_first_response_seconds_count"+v) + " > 0",
				legend: "{{vendor}}",
			}},
		},
		{
			kind: statPanel, title: "Last drill", unit: "s", width: 8, height: 5,
			description: "Time since the vendor's last drill ran. Good: under the drill's interval (default 30 days); " +
				"more means drills are skipped or failing.",
			queries: []query{{
				expr:   "time() - " + maxBy("vendor", "support_drill_last_run_timestamp_seconds"+v+" > 0"),
				legend: "{{vendor}}",
			}},
		},
	}}
}
