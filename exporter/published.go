package exporter

import (
	"time"

	"github.com/support-exporter/support_exporter/exporter/quality"
)

// published is the snapshot served, with the instant of the latest
// rebuild that found it current (its own At, or later).
type published struct {
	snap *quality.Snapshot
	at   time.Time
}

// publish makes snap the served snapshot, unless the one served holds
// exactly the same values (quality.SameValues): then that one stays, so
// that /metrics reuses what it encoded for it (exporter/scrapecache) and
// a rebuild that changed nothing (every refreshEvery, after a batch or a
// sync that brought nothing new) costs no scrape a new encoding. A
// snapshot in which any value differs is published. Called under snapMu.
func (e *Exporter) publish(snap *quality.Snapshot) {
	p := &published{snap: snap, at: snap.At}
	if old := e.snapshot.Load(); old != nil && quality.SameValues(old.snap, snap) {
		p.snap = old.snap
	}
	e.snapshot.Store(p)
}
