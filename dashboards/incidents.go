package dashboards

// incidents covers the status page: incidents and how the vendor talked
// about them, who noticed first, and maintenance notice against the
// contract. Totals and quantiles cover the dashboard's time range.
func incidents(s selectors) board {
	const (
		span = "$__range"
		bar  = "$__interval"
	)
	v := s.vendors()
	return board{
		uid:         "support-incidents",
		title:       "Support / Incidents and notices",
		tag:         "incidents",
		description: "Status-page incidents by impact, notice delay and update gaps, who noticed first, maintenance notice against the contract, next maintenance.",
		from:        "now-90d",
		rows: []row{
			{title: "Now", panels: []panel{
				{
					kind: statPanel, title: "Open incidents", unit: "short", width: 6, height: 6,
					description: "Incidents unresolved on the vendor's status page now. Good: zero; when not, the " +
						"update gaps below say whether the vendor keeps you informed.",
					queries: []query{{expr: s.gaugeSumBy("vendor", "support_status_incidents_open"+v), legend: "{{vendor}}"}},
				},
				{
					kind: bargaugePanel, title: "Components by status", unit: "short", width: 6, height: 6,
					description: "Status-page components in each status now. Good: all operational.",
					queries: []query{{
						expr:   s.gaugeSumBy("vendor, status", "support_status_component_status"+v),
						legend: "{{vendor}} · {{status}}",
					}},
				},
				{
					kind: statPanel, title: "Next maintenance", unit: "dateTimeAsIso", width: 6, height: 6,
					description: "Start of the next scheduled maintenance. Empty when none is scheduled. Check it " +
						"against your own change freezes.",
					queries: []query{{
						expr:   "(" + s.gaugeMaxBy("vendor", "support_status_next_maintenance_timestamp_seconds"+v) + " > 0) * 1000",
						legend: "{{vendor}}",
					}},
				},
				{
					kind: statPanel, title: "Time until next maintenance", unit: "s", width: 6, height: 6,
					description: "How long until the next scheduled maintenance starts. Good: at least the " +
						"contract's notice period whenever a maintenance first appears here.",
					queries: []query{{
						expr:   "(" + s.gaugeMaxBy("vendor", "support_status_next_maintenance_timestamp_seconds"+v) + " > 0) - time()",
						legend: "{{vendor}}",
					}},
				},
			}},
			{title: "Incidents", panels: []panel{
				{
					kind: barsPanel, title: "Incidents by impact", unit: "short", width: 12, height: 8, interval: "1d",
					description: "Incidents per day, by the impact first published. Good: rare, and mostly minor.",
					queries:     []query{{expr: s.countOver("vendor, impact", "support_status_incidents_total", v, bar), legend: "{{vendor}} · {{impact}}"}},
				},
				{
					kind: bargaugePanel, title: "Incidents in range", unit: "short", width: 6, height: 8,
					description: "Incidents over the dashboard's time range, by impact. Good: few major or critical ones.",
					queries:     []query{{expr: s.countOver("vendor, impact", "support_status_incidents_total", v, span), legend: "{{vendor}} · {{impact}}"}},
				},
				{
					kind: bargaugePanel, title: "Incident duration", unit: "s", width: 6, height: 8,
					description: "From when impact began to resolution, median and 90th percentile. Good: short, " +
						"and a p90 not far above the p50.",
					queries: []query{
						{expr: s.quantileOver("0.5", "vendor", "support_status_incident_duration_seconds", v, span), legend: "{{vendor}} p50"},
						{expr: s.quantileOver("0.9", "vendor", "support_status_incident_duration_seconds", v, span), legend: "{{vendor}} p90"},
					},
				},
			}},
			{title: "Communication during incidents", panels: []panel{
				{
					kind: bargaugePanel, title: "Notice delay by impact", unit: "s", width: 6, height: 8,
					description: "From when impact began to the first public post, 90th percentile by impact. " +
						"Good: minutes, shortest for critical incidents.",
					queries: []query{{
						expr:   s.quantileOver("0.9", "vendor, impact", "support_status_incident_notice_delay_seconds", v, span),
						legend: "{{vendor}} · {{impact}}",
					}},
				},
				{
					kind: bargaugePanel, title: "Update gaps", unit: "s", width: 6, height: 8,
					description: "Time between consecutive public updates of an incident, median and 90th " +
						"percentile. Good: an update at least every 30-60 minutes while impact lasts.",
					queries: []query{
						{expr: s.quantileOver("0.5", "vendor", "support_status_incident_update_gap_seconds", v, span), legend: "{{vendor}} p50"},
						{expr: s.quantileOver("0.9", "vendor", "support_status_incident_update_gap_seconds", v, span), legend: "{{vendor}} p90"},
					},
				},
				{
					kind: bargaugePanel, title: "Who noticed first", unit: "short", width: 6, height: 8,
					description: "Incidents the vendor announced first versus ones a customer reported first. " +
						"Good: almost all vendor-first.",
					queries: []query{{expr: s.countOver("vendor, first", "support_incidents_detected_total", v, span), legend: "{{vendor}} · {{first}}"}},
				},
				{
					kind: bargaugePanel, title: "Customer lead time", unit: "s", width: 6, height: 8,
					description: "For customer-first incidents: from the first customer signal to the vendor's " +
						"first post, median and 90th percentile. Good: short, or no such incidents at all.",
					queries: []query{
						{expr: s.quantileOver("0.5", "vendor", "support_incident_customer_lead_seconds", v, span), legend: "{{vendor}} p50"},
						{expr: s.quantileOver("0.9", "vendor", "support_incident_customer_lead_seconds", v, span), legend: "{{vendor}} p90"},
					},
				},
				{
					kind: bargaugePanel, title: "Longest silence during an open incident", unit: "s", width: 24, height: 5,
					description: "For each open incident impact: how long since the vendor last posted an update " +
						"on its most silent incident. Good: empty (nothing open) or below the alert's " +
						"silence limit; red from it.",
					steps: []step{{color: "green"}, {from: s.cfg.IncidentSilence.Seconds(), color: "red"}},
					queries: []query{{
						expr: s.gaugeMaxBy("vendor, impact",
							"time() - ("+"support_status_incident_oldest_last_update_timestamp_seconds"+v+" > 0)"),
						legend: "{{vendor}} · {{impact}}",
					}},
				},
			}},
			{title: "Maintenance", panels: []panel{
				{
					kind: bargaugePanel, title: "Maintenance notice vs contract", unit: "s", width: 12, height: 8,
					description: "Notice given before scheduled maintenances (announcement to start): the 10th " +
						"percentile (the short end) and the median, against the notice the contract requires. " +
						"Good: even the 10th percentile above the contract.",
					queries: []query{
						{expr: s.quantileOver("0.1", "vendor", "support_status_maintenance_notice_seconds", v, span), legend: "{{vendor}} p10"},
						{expr: s.quantileOver("0.5", "vendor", "support_status_maintenance_notice_seconds", v, span), legend: "{{vendor}} p50"},
						{expr: maxBy("vendor", "support_sla_maintenance_notice_seconds"+v), legend: "{{vendor}} contract"},
					},
				},
				{
					kind: bargaugePanel, title: "Short-notice maintenances", unit: "short", width: 12, height: 8,
					description: "Maintenances announced over the time range, and those announced with less " +
						"notice than the contract. Good: no short-notice ones.",
					queries: []query{
						{expr: s.countOver("vendor", "support_status_maintenances_total", v, span), legend: "{{vendor}} announced"},
						{expr: s.countOver("vendor", "support_status_maintenance_short_notice_total", v, span), legend: "{{vendor}} short notice"},
					},
				},
			}},
		},
	}
}
