package exposition

import "github.com/prometheus/client_golang/prometheus"

// descs are the descriptors of the contract and self-metrics, built once;
// the vendor families are in families.go. Names and labels are those of
// docs/metrics.md, "The contract" and "The exporter itself".
type descs struct {
	objective, target, notice *prometheus.Desc

	sourceUp, lastSuccess, syncDuration, requests, errors, rejected, storeItems, reloadOK, rebuilt *prometheus.Desc
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help+refreshed, labels, nil)
}

func newDescs() descs {
	v, vpt, src := []string{"vendor"}, []string{"vendor", "priority", "target"}, []string{"vendor", "source", "kind"}
	return descs{
		objective: prometheus.NewDesc("support_sla_objective_ratio", "Configured sla.objective: the share of tickets that must meet each target.", v, nil),
		target:    prometheus.NewDesc("support_sla_target_seconds", "Configured SLA target per priority and target.", vpt, nil),
		notice:    prometheus.NewDesc("support_sla_maintenance_notice_seconds", "Configured minimum notice for scheduled maintenance.", v, nil),

		sourceUp:     desc("source_up", "1 when the last sync of the source succeeded, else 0.", src...),
		lastSuccess:  desc("source_last_success_timestamp_seconds", "End (Unix seconds) of the last successful sync; 0 before the first.", src...),
		syncDuration: desc("source_sync_duration_seconds", "Duration of the last sync attempt.", src...),
		requests:     desc("source_requests_total", "HTTP requests made to the vendor, by status code (code=error when no response arrived).", "vendor", "source", "kind", "code"),
		errors: desc("source_errors_total",
			"Failed syncs by reason: network, timeout, rate_limited, http, auth, decode, too_large (a response over the kind's size cap), loop (the vendor's paging went in a circle), budget (max_requests_per_sync reached), or store (the local store failed).", "vendor", "source", "kind", "reason"),
		rejected: desc("items_rejected_total",
			"Items refused at the door, by reason: future_timestamp (a time beyond global.max_clock_skew past our clock), past_timestamp (before global.earliest_timestamp), too_large (an item over the kind's size cap, skipped for good: an IMAP message with oversized header fields). A refused item is not stored; one refused for a time never moves a sync cursor and is counted at each sync that sees it.", "vendor", "source", "reason"),
		storeItems: desc("store_items", "Items (tickets, incidents, maintenances) held in the store, by source kind.", "vendor", "kind"),
		rebuilt: desc("aggregates_rebuilt_timestamp_seconds",
			"When (Unix seconds) new settings last recomputed the vendor's counters to other values (an edited past SLA term, priorities, calendar, history_start...), or changed while the exporter was stopped; 0 when never. Rules use it to tell the step from a trend.", v...),
		reloadOK: prometheus.NewDesc("support_exporter_config_last_reload_successful",
			"1 when the running configuration is the newest one loaded; 0 after a failed reload (the previous configuration stays in force).", nil, nil),
	}
}

func (d descs) all() []*prometheus.Desc {
	all := []*prometheus.Desc{d.objective, d.target, d.notice, d.sourceUp, d.lastSuccess, d.syncDuration, d.requests, d.errors, d.rejected, d.storeItems, d.reloadOK, d.rebuilt}
	for _, f := range VendorFamilies() {
		all = append(all, f.desc)
	}
	return all
}
