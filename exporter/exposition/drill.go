package exposition

import "github.com/support-exporter/support_exporter/exporter/quality"

// The off-hours drill's families (docs/metrics.md, "The off-hours drill"),
// exposed for a vendor whose drill is on; derived from the stored drill
// records, so that they never go down. The drill's ticket id is logged,
// never a label.
var drillFamilies = struct {
	runs, firstResponse, lastRun *Family
}{
	runs: counterFamily("drill_runs_total",
		"Off-hours drills by result: responded (a human vendor reply within the drill's timeout), timed_out, create_failed, skipped (an open status-page incident, or a dry run).",
		"vendor", "result"),
	firstResponse: histogramFamily("drill_first_response_seconds",
		"Time from the drill ticket's creation at the vendor to the first human vendor reply, in calendar seconds, for responded drills; hours=off for a ticket filed outside the vendor's business calendar (always, unless the clock moved).",
		"vendor", "hours"),
	lastRun: gaugeFamily("drill_last_run_timestamp_seconds",
		"When the vendor's last drill ran: its ticket's creation at the vendor, or, when none was filed, when it ended; 0 before the first.",
		"vendor"),
}

// walkDrill walks a vendor's drill series.
func walkDrill(w Walker, v *quality.VendorSnapshot) {
	f, d := &drillFamilies, v.Drill
	for r := range quality.NumDrillResults {
		w.Counter(f.runs, d.Runs[r], v.Vendor, r.String())
	}
	for h := range quality.NumHours {
		w.Histogram(f.firstResponse, &d.FirstResponse[h], v.Vendor, h.String())
	}
	w.Gauge(f.lastRun, timestamp(d.LastRun), v.Vendor)
}
