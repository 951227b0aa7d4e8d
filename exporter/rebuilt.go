package exporter

import (
	"fmt"
	"slices"
	"strings"

	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

// counterSeries collects a vendor's counter and histogram series (buckets,
// sum and count), the values that must never go down, by series name.
type counterSeries map[string]float64

func (c counterSeries) Counter(f *exposition.Family, n uint64, labels ...string) {
	c[f.Name+"{"+strings.Join(labels, ",")+"}"] = float64(n)
}

func (c counterSeries) Gauge(*exposition.Family, float64, ...string) {}

func (c counterSeries) Histogram(f *exposition.Family, h *quality.Histogram, labels ...string) {
	key := f.Name + "{" + strings.Join(labels, ",")
	for i, n := range h.Counts {
		le := "+Inf"
		if i < len(h.Bounds) {
			le = fmt.Sprint(h.Bounds[i])
		}
		c[key+",le="+le+"}"] = float64(n)
	}
	c[key+"}_sum"], c[key+"}_count"] = h.Sum, float64(h.Count)
}

// countersMoved lists the counter and histogram families whose series have
// other values in after than in before (a series only one of them has, a
// new histogram bucket for a new target, is no move).
func countersMoved(before, after *quality.VendorSnapshot) []string {
	b, a := counterSeries{}, counterSeries{}
	exposition.WalkVendor(b, before)
	exposition.WalkVendor(a, after)
	var moved []string
	for k, v := range b {
		if w, ok := a[k]; ok && w != v {
			if name, _, _ := strings.Cut(k, "{"); !slices.Contains(moved, name) {
				moved = append(moved, name)
			}
		}
	}
	slices.Sort(moved)
	return moved
}

// noteRebuild records whether rebuilding vs's aggregates under new settings
// moved its counters: on a reload, by comparing them with the aggregates
// they replace (old); at start-up, where nothing is left to compare with,
// by the fingerprint of the settings the store last ran with. A move is
// logged and exposed (support_aggregates_rebuilt_timestamp_seconds), so
// that rules and dashboards can tell the step from a trend (DESIGN.md,
// "Contract terms have dates"); the settings are kept in the store.
func (e *Exporter) noteRebuild(vs *vendorState, old *vendorState) error {
	name := vs.cfg.Name
	kept, err := e.opts.Store.VendorSettings(name)
	if err != nil {
		return err
	}
	now := e.opts.Now()
	switch {
	case old != nil:
		asOf := e.asOf(name)
		if moved := countersMoved(old.agg.Snapshot(asOf), vs.agg.Snapshot(asOf)); len(moved) > 0 {
			kept.RebuiltAt = now
			e.logger.Warn("new settings recomputed the vendor's counters from the store: their values stepped", "vendor", name,
				"families", strings.Join(moved, ","))
		}
	case kept.Fingerprint != "" && kept.Fingerprint != vs.fingerprint:
		kept.RebuiltAt = now
		e.logger.Warn("the vendor's settings changed while the exporter was stopped: its counters were recomputed under the new ones and may have stepped",
			"vendor", name)
	}
	kept.Fingerprint = vs.fingerprint
	vs.rebuiltAt = kept.RebuiltAt
	return e.opts.Store.SetVendorSettings(name, kept)
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
