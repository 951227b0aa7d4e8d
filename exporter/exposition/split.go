package exposition

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/support-exporter/support_exporter/exporter/quality"
)

// The /metrics handler (exporter/scrapecache) serves Collector in two
// parts: the series of the immutable snapshot, encoded once per snapshot,
// and the rest (sources, contracts, rebuilds, the reload), collected at
// every scrape because they move between snapshots (a sync's request
// counters, its end). Together they are exactly what Collect emits.

// Live is the part of c collected at every scrape: all but the snapshot's
// series.
func (c *Collector) Live() prometheus.Collector { return liveCollector{c} }

// Snapshot is the part of c that is a pure function of snap: the same snap
// always gives the same series (nil gives none).
func (c *Collector) Snapshot(snap *quality.Snapshot) prometheus.Collector {
	return snapshotCollector{c, snap}
}

type liveCollector struct{ c *Collector }

// Describe sends every descriptor of Collector but the snapshot's.
func (l liveCollector) Describe(ch chan<- *prometheus.Desc) {
	snap := map[*prometheus.Desc]bool{}
	for _, d := range l.c.snapshotDescs() {
		snap[d] = true
	}
	for _, d := range l.c.d.all() {
		if !snap[d] {
			ch <- d
		}
	}
	describeSelf(ch)
}

func (l liveCollector) Collect(ch chan<- prometheus.Metric) { l.c.collectState(ch) }

// snapshotDescs are the descriptors of collectSnapshot's series.
func (c *Collector) snapshotDescs() []*prometheus.Desc {
	out := []*prometheus.Desc{c.d.storeItems}
	for _, f := range VendorFamilies() {
		out = append(out, f.desc)
	}
	return out
}

type snapshotCollector struct {
	c    *Collector
	snap *quality.Snapshot
}

func (s snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range s.c.snapshotDescs() {
		ch <- d
	}
}

func (s snapshotCollector) Collect(ch chan<- prometheus.Metric) { s.c.collectSnapshot(ch, s.snap) }
