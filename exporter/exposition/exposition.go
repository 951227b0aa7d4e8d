// Package exposition turns the latest aggregate snapshot and the sources'
// sync status into Prometheus metrics. A scrape only reads an immutable
// snapshot built by background sync: it never calls a vendor, and it costs
// the same with a hundred tickets or ten million.
package exposition

import (
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

const namespace = "support"

// refreshed ends every HELP text: values come from background sync, not
// from the scrape.
const refreshed = " Refreshed by background sync, not at scrape time."

// SourceStatus is the sync state of one configured source.
type SourceStatus struct {
	Vendor, Source, Kind string
	Up                   bool
	LastSync             time.Time // end of the last attempt; zero before the first
	LastSuccess          time.Time // end of the last good sync; zero before the first
	LastDuration         time.Duration
	PollInterval         time.Duration // configured poll_interval; zero when unknown
	LastError            string
	Requests             map[string]uint64 // by HTTP status code, or "error" when no response arrived
	Errors               map[string]uint64 // by reason
	Rejected             map[string]uint64 // items refused at the door, by reason
}

// Contract is a vendor's configured SLA, exposed so that dashboards and
// alert rules need no copy of it.
type Contract struct {
	Vendor    string
	Objective float64
	// Targets holds each configured target; zero where none is set.
	Targets           [quality.NumPriorities][quality.NumTargets]time.Duration
	MaintenanceNotice time.Duration // zero when none is set
}

// Rebuild is when new settings last moved a vendor's counters (zero:
// never).
type Rebuild struct {
	Vendor string
	At     time.Time
}

// State is what one scrape reads, gathered by the exporter.
type State interface {
	Snapshot() *quality.Snapshot
	SourceStatuses() []SourceStatus
	Contracts() []Contract
	RebuiltAt() []Rebuild
	ReloadSuccessful() bool
}

// Collector is the prometheus.Collector of every support_* metric.
type Collector struct {
	state State
	d     descs
	// native: histograms are served with native buckets too (NewWith).
	native bool
}

// New returns a Collector serving state.
func New(state State) *Collector {
	return &Collector{state: state, d: newDescs()}
}

// Describe sends every descriptor.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.d.all() {
		ch <- d
	}
	describeSelf(ch)
}

// Collect emits the latest snapshot.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.collectState(ch)
	c.collectSnapshot(ch, c.state.Snapshot())
}

// collectState emits what is not in the snapshot: sources, contracts,
// rebuilds and the reload (split.go).
func (c *Collector) collectState(ch chan<- prometheus.Metric) {
	reload := 0.0
	if c.state.ReloadSuccessful() {
		reload = 1
	}
	ch <- prometheus.MustNewConstMetric(c.d.reloadOK, prometheus.GaugeValue, reload)
	c.collectReload(ch)
	for _, s := range c.state.SourceStatuses() {
		c.collectSource(ch, s)
	}
	for _, k := range c.state.Contracts() {
		c.collectContract(ch, k)
	}
	for _, r := range c.state.RebuiltAt() {
		ch <- prometheus.MustNewConstMetric(c.d.rebuilt, prometheus.GaugeValue, timestamp(r.At), r.Vendor)
	}
}

// collectSnapshot emits the series of snap, a pure function of it
// (split.go).
func (c *Collector) collectSnapshot(ch chan<- prometheus.Metric, snap *quality.Snapshot) {
	if snap == nil {
		return
	}
	for _, v := range snap.Vendors {
		for _, kind := range sortedKeys(v.StoreItems) {
			ch <- prometheus.MustNewConstMetric(c.d.storeItems, prometheus.GaugeValue, float64(v.StoreItems[kind]), v.Vendor, kind)
		}
		WalkVendor(constWalker{ch: ch, native: c.native}, v)
	}
}

func (c *Collector) collectSource(ch chan<- prometheus.Metric, s SourceStatus) {
	l := []string{s.Vendor, s.Source, s.Kind}
	up := 0.0
	if s.Up {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(c.d.sourceUp, prometheus.GaugeValue, up, l...)
	ch <- prometheus.MustNewConstMetric(c.d.lastSuccess, prometheus.GaugeValue, timestamp(s.LastSuccess), l...)
	ch <- prometheus.MustNewConstMetric(c.d.syncDuration, prometheus.GaugeValue, s.LastDuration.Seconds(), l...)
	collectPollInterval(ch, s)
	for _, code := range sortedKeys(s.Requests) {
		ch <- prometheus.MustNewConstMetric(c.d.requests, prometheus.CounterValue, float64(s.Requests[code]), append(l, code)...)
	}
	// Every reason is always exposed, so that rate() works from the first error on.
	for _, reason := range Reasons {
		ch <- prometheus.MustNewConstMetric(c.d.errors, prometheus.CounterValue, float64(s.Errors[reason]), append(l, reason)...)
	}
	for _, reason := range RejectReasons {
		ch <- prometheus.MustNewConstMetric(c.d.rejected, prometheus.CounterValue, float64(s.Rejected[reason]), s.Vendor, s.Source, reason)
	}
}

func (c *Collector) collectContract(ch chan<- prometheus.Metric, k Contract) {
	ch <- prometheus.MustNewConstMetric(c.d.objective, prometheus.GaugeValue, k.Objective, k.Vendor)
	for p := range quality.NumPriorities {
		for t := range quality.NumTargets {
			if d := k.Targets[p][t]; d > 0 {
				ch <- prometheus.MustNewConstMetric(c.d.target, prometheus.GaugeValue, d.Seconds(), k.Vendor, p.String(), t.String())
			}
		}
	}
	if k.MaintenanceNotice > 0 {
		ch <- prometheus.MustNewConstMetric(c.d.notice, prometheus.GaugeValue, k.MaintenanceNotice.Seconds(), k.Vendor)
	}
}

// componentStatuses is the state set of a component: the known statuses,
// plus the current one when a vendor reports a status we do not know, so
// that the current status always has its series at 1.
func componentStatuses(current string) []string {
	if slices.Contains(quality.ComponentStatuses, current) {
		return quality.ComponentStatuses
	}
	return append(slices.Clip(quality.ComponentStatuses), current)
}

// histogram converts per-bucket counts into Prometheus' cumulative buckets.
func histogram(d *prometheus.Desc, h *quality.Histogram, labels ...string) prometheus.Metric {
	buckets := make(map[float64]uint64, len(h.Bounds))
	var cum uint64
	for i, b := range h.Bounds {
		if i < len(h.Counts) {
			cum += h.Counts[i]
		}
		buckets[b] = cum
	}
	return prometheus.MustNewConstHistogram(d, h.Count, h.Sum, buckets, labels...)
}

// timestamp is a Unix time in seconds, 0 for the zero time (docs/metrics.md:
// a timestamp gauge is 0 when there is none).
func timestamp(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Reasons are the values of the `reason` label of support_source_errors_total.
var Reasons = []string{"network", "timeout", "rate_limited", "http", "auth", "decode", "too_large", "loop", "budget", "store"}

// RejectReasons are the values of the `reason` label of
// support_items_rejected_total.
var RejectReasons = []string{door.ReasonFuture, door.ReasonPast, door.ReasonTooLarge}
