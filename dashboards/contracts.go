package dashboards

// contractsRow shows a vendor's agreements (docs/metrics.md, "Contracts:
// credits owed"): the downtime so far against what each credit tier
// allows, the credit owed, what can still be claimed and until when,
// whether a termination right arose, and first-response compliance against
// the objective.
func contractsRow(s selectors) row {
	v := s.vendors()
	current, previous := s.vendors(`period="current"`), s.vendors(`period="previous"`)
	ended := s.vendors(`period!="current"`) // a period still running is not claimable yet
	length := "(support_contract_period_end_timestamp_seconds" + current + " - support_contract_period_start_timestamp_seconds" + current + ")"
	return row{title: "Contract: credits owed", panels: []panel{
		{
			kind: timeseriesPanel, title: "Downtime this period vs credit tiers", unit: "s", width: 12, height: 8,
			description: "Weighted downtime of each availability agreement so far in its current period, against the downtime " +
				"each credit tier allows before it is owed ((1 - tier threshold) x the period's length). Good: the downtime line " +
				"under the first tier's line; once above, that tier's credit is owed.",
			queries: []query{
				{expr: s.gaugeMaxBy("vendor, agreement", "(1 - support_contract_availability_ratio"+current+") * "+length), legend: "{{vendor}} · {{agreement}} downtime"},
				{expr: maxBy("vendor, agreement, tier", "(1 - support_contract_tier_below_ratio"+v+") * on (vendor, agreement) group_left "+maxBy("vendor, agreement", length)),
					legend: "{{vendor}} · {{agreement}} tier {{tier}} allows"},
			},
		},
		{
			kind: bargaugePanel, title: "Credit owed", unit: "percentunit", width: 6, height: 8,
			description: "Estimated credit per agreement, a share of the period's fee, for the previous period and the current one so far. " +
				"Good: zero. Evidence for a claim: the vendor's own measurement is the contractual one.",
			steps: []step{{color: "green"}, {from: 0.0001, color: "orange"}},
			queries: []query{
				{expr: s.gaugeMaxBy("vendor, agreement", "support_contract_credit_ratio"+previous), legend: "{{vendor}} · {{agreement}} previous"},
				{expr: s.gaugeMaxBy("vendor, agreement", "support_contract_credit_ratio"+current), legend: "{{vendor}} · {{agreement}} current"},
			},
		},
		{
			kind: statPanel, title: "Termination right", unit: "short", width: 6, height: 8,
			description: "1 while a termination condition of the agreement holds (availability below a threshold in a run of periods, " +
				"or too many first responses missed). Good: 0; 1 means the contract may be ended: read the clause and its deadline.",
			steps:   []step{{color: "green"}, {from: 1, color: "red"}},
			queries: []query{{expr: s.gaugeMaxBy("vendor, agreement", "support_contract_termination_right"+v), legend: "{{vendor}} · {{agreement}}"}},
		},
		{
			kind: tablePanel, title: "Credits to claim", unit: "s", width: 12, height: 8,
			description: "Ended periods whose credit is above zero and whose claim deadline is still ahead: the time left to claim " +
				"(the current period's credit is not claimable until it ends: see Credit owed). " +
				"Good: empty; otherwise file the claim (with the incidents of the period) well before the time runs out.",
			queries: []query{{
				// A plain and: the deadline and the credit of the same
				// replica (every label), before the freshest is chosen.
				expr: s.gaugeMaxBy("vendor, agreement, period", "(support_contract_claim_deadline_timestamp_seconds"+ended+" - time()) > 0 and "+
					"support_contract_credit_ratio"+ended+" > 0"),
				legend: "time left to claim",
			}},
		},
		{
			kind: timeseriesPanel, title: "First-response compliance vs objective", unit: "percentunit", width: 12, height: 8,
			description: "Share of first responses on target among the tickets created in the current period, per response " +
				"agreement and priority, against the agreement's objective. Good: every line above the objective; a period " +
				"that ends below it missed the objective.",
			queries: []query{
				{expr: s.gaugeMaxBy("vendor, agreement, priority", "support_contract_response_compliance_ratio"+current), legend: "{{vendor}} · {{agreement}} · {{priority}}"},
				{expr: maxBy("vendor, agreement", "support_contract_response_objective_ratio"+v), legend: "{{vendor}} · {{agreement}} objective"},
			},
		},
		{
			kind: barsPanel, title: "Downtime counted", unit: "s", width: 24, height: 8, interval: "1d",
			description: "Weighted downtime of each availability agreement's components per interval, counted when an incident resolves. " +
				"Good: none; a bar is an outage the contract may pay for.",
			queries: []query{{expr: s.countOver("vendor, agreement", "support_contract_downtime_seconds_total", v, "$__interval"), legend: "{{vendor}} · {{agreement}}"}},
		},
	}}
}
