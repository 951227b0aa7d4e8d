package exposition

import "github.com/support-exporter/support_exporter/exporter/quality"

// featureFamilies are the feedback-loop families (docs/metrics.md,
// "Feedback loop: feature requests"), exposed for a vendor with
// feature_requests only.
var featureFamilies = struct {
	created, acknowledgement, outcomes, outcomeTime, open *Family
}{
	created: counterFamily("feature_requests_created_total",
		"Feature requests opened with the vendor: tickets that carried one of feature_requests.tags or were of one of feature_requests.types in any version.", "vendor"),
	acknowledgement: histogramFamily("feature_request_acknowledgement_seconds",
		"Time from a feature request's creation to the vendor's first public reply or first label, whichever came first (wall-clock seconds); observed once known.", "vendor"),
	outcomes: counterFamily("feature_request_outcomes_total",
		"Feature requests closed, by outcome, each counted once per request: closed_by_bot at the first close by one of feature_requests.bots (whatever the reason); the decision at the first close by anyone else: withdrawn (by the requester), shipped (completed) or declined (not planned, duplicate). A request a bot closed and a person later decided counts under both.", "vendor", "outcome"),
	outcomeTime: histogramFamily("feature_request_outcome_seconds",
		"Time from a feature request's creation to the close that gave the outcome (wall-clock seconds), by outcome; observed with the outcome.", "vendor", "outcome"),
	open: gaugeFamily("feature_requests_open",
		"Open feature requests by age since creation, as of the source's last complete sync: lt_30d, 30d_90d, 90d_365d, gt_365d (each bound in the older bucket).", "vendor", "age"),
}

// featureFamilyList lists the feedback-loop families (VendorFamilies).
func featureFamilyList() []*Family {
	f := &featureFamilies
	return []*Family{f.created, f.acknowledgement, f.outcomes, f.outcomeTime, f.open}
}

// walkFeatures walks a vendor's feature-request aggregates (WalkVendor).
func walkFeatures(w Walker, v *quality.VendorSnapshot) {
	if !v.Features.Enabled {
		return
	}
	f, fs := &featureFamilies, &v.Features
	w.Counter(f.created, fs.Created, v.Vendor)
	w.Histogram(f.acknowledgement, &fs.Acknowledgement, v.Vendor)
	for o := range quality.NumOutcomes {
		w.Counter(f.outcomes, fs.Outcomes[o], v.Vendor, o.String())
		w.Histogram(f.outcomeTime, &fs.OutcomeTime[o], v.Vendor, o.String())
	}
	for a := range quality.NumAges {
		w.Gauge(f.open, float64(fs.Open[a]), v.Vendor, a.String())
	}
}
