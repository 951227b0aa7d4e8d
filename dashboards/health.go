package dashboards

import "fmt"

// exporterHealth is the exporter's own page: whether every source syncs,
// how old its data is, what fails and why. Its thresholds are the alerts'
// own, so a red cell here is what pages.
func exporterHealth(s selectors) board {
	const bar = "$__interval"
	v := s.vendors()
	return board{
		uid:         "support-exporter-health",
		title:       "Support / Exporter health",
		tag:         "exporter-health",
		description: "Sources up, age of the last successful sync, errors by reason, items refused at the door, requests by status code, sync duration, store size, configuration reloads.",
		from:        "now-24h",
		rows: []row{
			{title: "Sources", panels: []panel{
				{
					kind: statPanel, title: "Sources up", unit: "none", width: 8, height: 6,
					description: "1 when the source's last sync succeeded, 0 when it failed. Good: all 1. A 0 " +
						"leaves the last good data in place, so every other dashboard grows stale.",
					steps:   []step{{color: "red"}, {from: 1, color: "green"}},
					queries: []query{{expr: maxBy("vendor, source, kind", "support_source_up"+v), legend: "{{vendor}}/{{source}}"}},
				},
				{
					kind: statPanel, title: "Last successful sync age", unit: "s", width: 8, height: 6,
					description: fmt.Sprintf("Time since the source last synced successfully. Good: about one poll "+
						"interval; red past %s, the age at which the alerts call the data too old to trust.",
						durationText(s.cfg.StaleAfter)),
					steps: []step{{color: "green"}, {from: s.cfg.StaleAfter.Seconds(), color: "red"}},
					queries: []query{{
						expr:   "time() - " + maxBy("vendor, source", "support_source_last_success_timestamp_seconds"+v+" > 0"),
						legend: "{{vendor}}/{{source}}",
					}},
				},
				{
					kind: timeseriesPanel, title: "Sync duration", unit: "s", width: 8, height: 6,
					description: "Duration of each source's last sync attempt. Good: well under the sync interval; " +
						"a climb usually means rate limiting or a growing history to page through.",
					queries: []query{{expr: maxBy("vendor, source", "support_source_sync_duration_seconds"+v), legend: "{{vendor}}/{{source}}"}},
				},
			}},
			{title: "Requests and errors", panels: []panel{
				{
					kind: barsPanel, title: "Sync errors by reason", unit: "short", width: 8, height: 8, interval: "5m",
					description: "Failed syncs per interval by reason: network, timeout, rate_limited, http, auth, " +
						"decode, too_large, loop, budget, store. Good: none; auth needs new credentials, rate_limited a " +
						"longer interval, decode a look at the vendor's API changes, loop and too_large a word with the " +
						"vendor, budget a larger max_requests_per_sync for a big first sync. The replicas of an HA pair add up: each syncs on its own.",
					queries: []query{{expr: countOver("vendor, source, reason", "support_source_errors_total", v, bar), legend: "{{vendor}}/{{source}} · {{reason}}"}},
				},
				{
					kind: barsPanel, title: "Items refused at the door", unit: "short", width: 8, height: 8, interval: "5m",
					description: "Items refused per interval because a time in them lies too far in the future " +
						"(future_timestamp) or before any vendor could have recorded it (past_timestamp): not counted " +
						"until the vendor fixes them. Good: none.",
					queries: []query{{expr: s.countOver("vendor, source, reason", "support_items_rejected_total", v, bar), legend: "{{vendor}}/{{source}} · {{reason}}"}},
				},
				{
					kind: barsPanel, title: "Requests by status code", unit: "short", width: 8, height: 8, interval: "5m",
					description: "HTTP requests to the vendor per interval, by status code (error: no response). " +
						"Good: all 2xx; 429s mean the vendor is throttling the exporter. The replicas of an HA pair add up: the vendor sees them all.",
					queries: []query{{expr: countOver("vendor, source, code", "support_source_requests_total", v, bar), legend: "{{vendor}}/{{source}} · {{code}}"}},
				},
			}},
			{title: "Store and configuration", panels: []panel{
				{
					kind: timeseriesPanel, title: "Items in the store", unit: "short", width: 12, height: 7,
					description: "Tickets, incidents and maintenances held in the exporter's store, by source kind. " +
						"Good: grows with the vendor's history and never drops; a drop means the store was reset.",
					queries: []query{{expr: s.sumBy("vendor, kind", "support_store_items"+v), legend: "{{vendor}} · {{kind}}"}},
				},
				{
					kind: statPanel, title: "Configuration reload", unit: "none", width: 6, height: 7,
					description: "1 when the running configuration is the newest one loaded, 0 after a failed " +
						"reload (the exporter keeps the previous one). Good: 1 on every instance.",
					steps:   []step{{color: "red"}, {from: 1, color: "green"}},
					queries: []query{{expr: maxBy("instance", "support_exporter_config_last_reload_successful"+s.all()), legend: "{{instance}}"}},
				},
				{
					kind: tablePanel, title: "Exporter version", unit: "none", width: 6, height: 7,
					description: "Version and build of each exporter instance. Good: the same version everywhere.",
					queries:     []query{{expr: maxBy("instance, version, revision, goversion", "support_exporter_build_info"+s.all()), legend: "instances"}},
				},
			}},
		},
	}
}
