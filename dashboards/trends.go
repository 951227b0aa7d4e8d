package dashboards

import "github.com/support-exporter/support_exporter/alerts"

// trends shows a year or more at a glance from the 30-day (monthly) and
// 90-day (quarterly) recording rules only: one cheap series per vendor, fit
// for long-term storage, with a step of a day.
func trends(s selectors) board {
	const (
		month   = alerts.Window30d
		quarter = alerts.Window90d
		daily   = "1d"
	)
	v := s.vendors()
	return board{
		uid:         "support-trends",
		title:       "Support / Long-term trends",
		tag:         "trends",
		description: "Monthly and quarterly compliance, p90 response, one-touch rate and vendor-first share from the recording rules, over a year.",
		from:        "now-1y",
		rows: []row{
			{title: "SLA compliance", panels: []panel{
				{
					kind: timeseriesPanel, title: "Monthly SLA compliance", unit: "percentunit", width: 12, height: 8, interval: daily,
					description: "Share of SLA clocks met over each trailing 30 days, against the objective. " +
						"Good: above the objective all year; a downward drift is a renewal conversation.",
					queries: complianceTrend(s, month),
				},
				{
					kind: timeseriesPanel, title: "Quarterly SLA compliance", unit: "percentunit", width: 12, height: 8, interval: daily,
					description: "Share of SLA clocks met over each trailing 90 days, against the objective: the " +
						"figure contracts usually report on. Good: above the objective.",
					queries: complianceTrend(s, quarter),
				},
				{
					kind: timeseriesPanel, title: "SLA clocks per month", unit: "short", width: 24, height: 6, interval: daily,
					description: "SLA clocks ended over each trailing 30 days: how many tickets the compliance " +
						"lines rest on. A dip in volume makes compliance jumpy; it does not make it better.",
					queries: []query{{expr: s.sumBy("vendor, target", alerts.SLAChecks.Over(month)+v), legend: "{{vendor}} · {{target}}"}},
				},
			}},
			{title: "Response speed", panels: []panel{
				{
					kind: timeseriesPanel, title: "First response p90 (monthly)", unit: "s", width: 12, height: 8, interval: daily,
					description: "90th percentile first response over each trailing 30 days, by priority. Good: " +
						"flat or falling, under each priority's target.",
					queries: []query{{
						expr:   maxBy("vendor, priority", alerts.FirstResponseQuantiles.Over(month)+s.vendors(quantileIs(alerts.Quantile90))),
						legend: "{{vendor}} · {{priority}}",
					}},
				},
				{
					kind: timeseriesPanel, title: "First response p90 (quarterly)", unit: "s", width: 12, height: 8, interval: daily,
					description: "90th percentile first response over each trailing 90 days, by priority. Good: " +
						"flat or falling, under each priority's target.",
					queries: []query{{
						expr:   maxBy("vendor, priority", alerts.FirstResponseQuantiles.Over(quarter)+s.vendors(quantileIs(alerts.Quantile90))),
						legend: "{{vendor}} · {{priority}}",
					}},
				},
			}},
			{title: "Quality and proactivity", panels: []panel{
				{
					kind: timeseriesPanel, title: "One-touch resolution rate", unit: "percentunit", width: 8, height: 8, interval: daily,
					description: "Share of resolved tickets solved with one vendor reply, monthly and quarterly. " +
						"Good: high and rising.",
					queries: monthlyAndQuarterly(s, alerts.FirstContactRatio.Over(month), alerts.FirstContactRatio.Over(quarter)),
				},
				{
					kind: timeseriesPanel, title: "Vendor-first share", unit: "percentunit", width: 8, height: 8, interval: daily,
					description: "Share of incidents the vendor announced before customers reported them, monthly " +
						"and quarterly. Good: high; falling means customers find outages first.",
					queries: monthlyAndQuarterly(s, alerts.VendorFirstRatio.Over(month), alerts.VendorFirstRatio.Over(quarter)),
				},
				{
					kind: timeseriesPanel, title: "Satisfaction", unit: "percentunit", width: 8, height: 8, interval: daily,
					description: "Share of good satisfaction ratings, monthly and quarterly. Good: high and steady.",
					queries:     monthlyAndQuarterly(s, alerts.SatisfactionGoodRatio.Over(month), alerts.SatisfactionGoodRatio.Over(quarter)),
				},
			}},
		},
	}
}

// complianceTrend is SLA compliance per vendor and target from the breach
// ratio rule of one window, with each vendor's objective.
func complianceTrend(s selectors, window string) []query {
	return []query{
		{expr: "1 - " + maxBy("vendor, target", alerts.SLABreachRatio.Over(window)+s.vendors()), legend: "{{vendor}} · {{target}}"},
		{expr: maxBy("vendor", "support_sla_objective_ratio"+s.vendors()), legend: "{{vendor}} objective"},
	}
}

// monthlyAndQuarterly reads a per-vendor ratio rule at both windows.
func monthlyAndQuarterly(s selectors, monthly, quarterly string) []query {
	return []query{
		{expr: maxBy("vendor", monthly+s.vendors()), legend: "{{vendor}} 30d"},
		{expr: maxBy("vendor", quarterly+s.vendors()), legend: "{{vendor}} 90d"},
	}
}
