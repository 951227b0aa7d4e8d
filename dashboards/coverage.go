package dashboards

import "github.com/support-exporter/support_exporter/alerts"

// coverageRow answers "is anyone there at 03:00 on Sunday?" for the vendor
// detail dashboard: the vendor's public replies by hour of the week over
// the dashboard's time range, the share of the week covered, and the first
// response to tickets opened outside business hours next to those opened
// inside (docs/metrics.md, "Follow-the-sun coverage").
func coverageRow(s selectors) row {
	v := s.vendors()
	return row{title: "Follow-the-sun coverage", panels: []panel{
		{
			kind: weekGridPanel, title: "Vendor replies by hour of the week", unit: "short", width: 14, height: 9,
			description: "Public vendor replies over the time range, by weekday (0 = Sunday) and hour in the " +
				"vendor's calendar zone. A red cell is an hour of the week in which nobody replied. Good: " +
				"replies in every hour the contract promises support; pick one vendor to read its own map.",
			steps: []step{{color: "red"}, {from: 1, color: "green"}},
			// Hours padded to two digits ("pad" is "0" for a one-digit
			// hour, then joined in front; no "$1", which Grafana would
			// read as a variable): the pivot orders its columns as the
			// series come, which Prometheus sorts as text.
			queries: []query{{
				expr: s.sumBy("weekday, hour", `label_join(label_replace(`+
					s.countOver("weekday, hour", "support_vendor_replies_total", v, "$__range")+
					`, "pad", "0", "hour", "[0-9]"), "hour", "", "pad", "hour")`),
				legend: "replies",
			}},
		},
		{
			kind: timeseriesPanel, title: "Share of the week with a reply", unit: "percentunit", width: 5, height: 9,
			description: "Share of the week's 168 hours in which the vendor replied at least once over the " +
				"trailing 7 and 30 days. Good: close to the hours the contract covers (1 for 24/7 support).",
			queries: []query{
				{expr: maxBy("vendor", alerts.WeekHoursCovered.Over(alerts.Window7d)+v), legend: "{{vendor}} 7d"},
				{expr: maxBy("vendor", alerts.WeekHoursCovered.Over(alerts.Window30d)+v), legend: "{{vendor}} 30d"},
			},
		},
		{
			kind: bargaugePanel, title: "First response p50: business vs off hours", unit: "s", width: 5, height: 9,
			description: "Median first response over the time range for tickets opened inside and outside the " +
				"vendor's business calendar. Good: the two close together; replies at night that do not " +
				"answer the night's tickets quickly are no coverage.",
			queries: []query{{
				expr:   s.quantileOver("0.5", "vendor, hours", "support_ticket_first_response_seconds", v, "$__range"),
				legend: "{{vendor}} · {{hours}}",
			}},
		},
	}}
}
