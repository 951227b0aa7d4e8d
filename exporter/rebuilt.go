package exporter

import (
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// noteRebuild tells whether rebuilding vs's aggregates under new settings
// moved its counters: on a reload, by comparing them with the aggregates
// they replace (old); at start-up, where nothing is left to compare with,
// by the fingerprint of the settings the store last ran with. A move is
// logged and exposed (support_aggregates_rebuilt_timestamp_seconds), so
// that rules and dashboards can tell the step from a trend
// (docs/configuration.md, "Contract terms with dates"). It returns the
// settings to keep, which the caller stores once every rebuilt vendor
// loaded: a reload that fails keeps nothing of settings that never ran.
func (e *Exporter) noteRebuild(vs *vendorState, old *vendorState) (store.VendorSettings, error) {
	name := vs.cfg.Name
	kept, err := e.opts.Store.VendorSettings(name)
	if err != nil {
		return kept, err
	}
	now := e.opts.Now()
	switch {
	case old != nil:
		asOf := e.asOf(name)
		if moved := quality.CountersDiffer(old.agg.Snapshot(asOf), vs.agg.Snapshot(asOf)); len(moved) > 0 {
			kept.RebuiltAt = now
			e.logger.Warn("new settings recomputed the vendor's counters from the store: their values stepped", "vendor", name,
				"families", strings.Join(moved, ","))
		}
	case kept.Fingerprint != "" && kept.Fingerprint != vs.fingerprint:
		kept.RebuiltAt = now
		e.logger.Warn("the vendor's settings changed while the exporter was stopped: its counters were recomputed under the new ones and may have stepped",
			"vendor", name)
	case kept.Fingerprint == "" && storedItems(vs.agg.Snapshot(judgedNothing)) > 0:
		// Items stored but no settings kept: a store written by a build
		// that kept none, whose rules differ (what this build pins once
		// final, it observed on every version).
		kept.RebuiltAt = now
		e.logger.Warn("first start on a store written by an earlier build: the vendor's counters were recomputed by this build's rules and may have stepped",
			"vendor", name)
	}
	kept.Fingerprint = vs.fingerprint
	return kept, nil
}

// judgedNothing judges no time-driven value: for a snapshot read only for
// what does not depend on the time.
func judgedNothing(string) time.Time { return time.Time{} }

func storedItems(v *quality.VendorSnapshot) uint64 {
	var n uint64
	for _, c := range v.StoreItems {
		n += c
	}
	return n
}

// RebuiltAt lists when each vendor's counters last stepped under new
// settings; zero when never.
func (e *Exporter) RebuiltAt() []exposition.Rebuild {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]exposition.Rebuild, 0, len(e.vendors))
	for name, vs := range e.vendors {
		out = append(out, exposition.Rebuild{Vendor: name, At: vs.rebuiltAt})
	}
	slices.SortFunc(out, func(a, b exposition.Rebuild) int { return strings.Compare(a.Vendor, b.Vendor) })
	return out
}
