// Package exposition turns the latest aggregate snapshot and the sources'
// sync status into Prometheus metrics. A scrape only reads an immutable
// snapshot built by background sync: it never calls a vendor, and it costs
// the same with a hundred tickets or ten million.
package exposition

import (
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

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
	LastError            string
	Requests             map[string]uint64 // by HTTP status code, or "error" when no response arrived
	Errors               map[string]uint64 // by reason
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

// State is what one scrape reads, gathered by the exporter.
type State interface {
	Snapshot() *quality.Snapshot
	SourceStatuses() []SourceStatus
	Contracts() []Contract
	ReloadSuccessful() bool
}

// Collector is the prometheus.Collector of every support_* metric.
type Collector struct {
	state State
	d     descs
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
}

// Collect emits the latest snapshot.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	reload := 0.0
	if c.state.ReloadSuccessful() {
		reload = 1
	}
	ch <- prometheus.MustNewConstMetric(c.d.reloadOK, prometheus.GaugeValue, reload)
	for _, s := range c.state.SourceStatuses() {
		c.collectSource(ch, s)
	}
	for _, k := range c.state.Contracts() {
		c.collectContract(ch, k)
	}
	snap := c.state.Snapshot()
	if snap == nil {
		return
	}
	for _, v := range snap.Vendors {
		for _, kind := range sortedKeys(v.StoreItems) {
			ch <- prometheus.MustNewConstMetric(c.d.storeItems, prometheus.GaugeValue, float64(v.StoreItems[kind]), v.Vendor, kind)
		}
		if v.Tickets {
			c.collectTickets(ch, v)
		}
		if v.Status {
			c.collectStatus(ch, v)
		}
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
	for _, code := range sortedKeys(s.Requests) {
		ch <- prometheus.MustNewConstMetric(c.d.requests, prometheus.CounterValue, float64(s.Requests[code]), append(l, code)...)
	}
	// Every reason is always exposed, so that rate() works from the first error on.
	for _, reason := range Reasons {
		ch <- prometheus.MustNewConstMetric(c.d.errors, prometheus.CounterValue, float64(s.Errors[reason]), append(l, reason)...)
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

func (c *Collector) collectTickets(ch chan<- prometheus.Metric, v *quality.VendorSnapshot) {
	counter := func(d *prometheus.Desc, n uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(n), append([]string{v.Vendor}, labels...)...)
	}
	gauge := func(d *prometheus.Desc, x float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, x, append([]string{v.Vendor}, labels...)...)
	}
	for p := range quality.NumPriorities {
		ps := p.String()
		counter(c.d.ticketsCreated, v.TicketsCreated[p], ps)
		for h := range quality.NumHours {
			ch <- histogram(c.d.firstResponse, &v.FirstResponse[p][h], v.Vendor, ps, h.String())
		}
		ch <- histogram(c.d.resolution, &v.Resolution[p], v.Vendor, ps)
		counter(c.d.firstContact, v.FirstContact[p], ps)
		ch <- histogram(c.d.rounds, &v.Rounds[p], v.Vendor, ps)
		counter(c.d.reopened, v.Reopened[p], ps)
		counter(c.d.followups, v.Followups[p], ps)
		for t := range quality.NumTargets {
			counter(c.d.slaChecks, v.SLAChecks[p][t], ps, t.String())
			counter(c.d.slaBreaches, v.SLABreaches[p][t], ps, t.String())
			gauge(c.d.breaching, float64(v.Breaching[p][t]), ps, t.String())
		}
		for s := range quality.NumOpenStates {
			gauge(c.d.open, float64(v.Open[p][s]), ps, s.String())
		}
		gauge(c.d.oldestUnanswered, timestamp(v.OldestUnanswered[p]), ps)
		gauge(c.d.escalationsOpen, float64(v.EscalationsOpen[p]), ps)
		counter(c.d.escalations, v.Escalations[p], ps)
	}
	for r := range quality.NumRatings {
		counter(c.d.ratings, v.Ratings[r], r.String())
	}
	counter(c.d.unknownPriority, v.UnknownPriority)
}

func (c *Collector) collectStatus(ch chan<- prometheus.Metric, v *quality.VendorSnapshot) {
	for _, comp := range v.Components {
		for _, s := range componentStatuses(comp.Status) {
			x := 0.0
			if s == comp.Status {
				x = 1
			}
			ch <- prometheus.MustNewConstMetric(c.d.componentStatus, prometheus.GaugeValue, x, v.Vendor, comp.Component, s)
		}
	}
	for i := range quality.NumImpacts {
		is := i.String()
		ch <- prometheus.MustNewConstMetric(c.d.incidentsOpen, prometheus.GaugeValue, float64(v.IncidentsOpen[i]), v.Vendor, is)
		ch <- prometheus.MustNewConstMetric(c.d.incidentOldestLastUpdate, prometheus.GaugeValue, timestamp(v.IncidentOldestLastUpdate[i]), v.Vendor, is)
		ch <- prometheus.MustNewConstMetric(c.d.incidents, prometheus.CounterValue, float64(v.Incidents[i]), v.Vendor, is)
		ch <- histogram(c.d.noticeDelay, &v.NoticeDelay[i], v.Vendor, is)
		ch <- histogram(c.d.duration, &v.Duration[i], v.Vendor, is)
	}
	ch <- histogram(c.d.updateGap, &v.UpdateGap, v.Vendor)
	ch <- histogram(c.d.postmortem, &v.Postmortem, v.Vendor)
	ch <- prometheus.MustNewConstMetric(c.d.maintenances, prometheus.CounterValue, float64(v.Maintenances), v.Vendor)
	ch <- histogram(c.d.maintenanceNotice, &v.MaintenanceNotice, v.Vendor)
	ch <- prometheus.MustNewConstMetric(c.d.shortNotice, prometheus.CounterValue, float64(v.ShortNotice), v.Vendor)
	ch <- prometheus.MustNewConstMetric(c.d.nextMaintenance, prometheus.GaugeValue, timestamp(v.NextMaintenance), v.Vendor)
	for f := range quality.NumFirsts {
		ch <- prometheus.MustNewConstMetric(c.d.detected, prometheus.CounterValue, float64(v.Detected[f]), v.Vendor, f.String())
	}
	ch <- histogram(c.d.customerLead, &v.CustomerLead, v.Vendor)
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

// timestamp is a Unix time in seconds, 0 for the zero time (DESIGN.md: "0
// when none").
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
var Reasons = []string{"network", "timeout", "rate_limited", "http", "auth", "decode", "store"}
