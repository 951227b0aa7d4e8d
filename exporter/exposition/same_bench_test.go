package exposition

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/support-exporter/support_exporter/exporter/quality"
)

// BenchmarkSnapshotSame is what the exporter adds to each rebuild of the
// snapshot (every 15 s and after each batch) to keep the published one
// when nothing changed: quality.SameValues over two equal snapshots of
// ten vendors built apart (no shared pointers), each a helpdesk of 1k
// tickets and a status page of 25 components (benchBuildState), or of
// ten status pages of 500 components (benchStatusState).
//
// go test ./exporter/exposition -run '^$' -bench SnapshotSame
func BenchmarkSnapshotSame(b *testing.B) {
	for _, w := range []struct {
		name  string
		build func() *benchState
	}{
		{"vendors=10/tickets+status", func() *benchState { return benchBuildState(b, 1_000) }},
		{"vendors=10/status-500", func() *benchState { return benchStatusState(b, 500) }},
	} {
		b.Run(w.name, func(b *testing.B) {
			x, y := &quality.Snapshot{}, &quality.Snapshot{}
			for range 10 {
				x.Vendors = append(x.Vendors, w.build().snap.Vendors[0])
				y.Vendors = append(y.Vendors, w.build().snap.Vendors[0])
			}
			b.ReportAllocs()
			for b.Loop() {
				if !quality.SameValues(x, y) {
					b.Fatal("equal snapshots differ")
				}
			}
		})
	}
}

// missState serves a new snapshot pointer (the same values) at every
// call: every scrape of the cached handler is a miss, as after a sync that
// changed something.
type missState struct{ *benchState }

func (s missState) Snapshot() *quality.Snapshot {
	return &quality.Snapshot{At: s.snap.At, Vendors: s.snap.Vendors}
}

// BenchmarkServedMiss is one scrape that finds a new snapshot (the first
// after a change), as Prometheus asks (OpenMetrics), against promhttp and
// against a scrape that finds its snapshot cached (a hit).
//
// go test ./exporter/exposition -run '^$' -bench ServedMiss
func BenchmarkServedMiss(b *testing.B) {
	state := benchStatusState(b, 500)
	for _, hc := range []struct {
		name string
		h    http.Handler
	}{
		{"handler=cached/scrape=miss", benchServed(missState{state})},
		{"handler=cached/scrape=hit", benchServed(state)},
		{"handler=promhttp", benchPromhttp(state)},
	} {
		for _, gz := range []bool{false, true} {
			b.Run(fmt.Sprintf("world=status-500/%s/gzip=%t", hc.name, gz), func(b *testing.B) {
				b.ReportMetric(float64(benchScrapes(b, hc.h, prometheusAccept, gz)), "bytes/scrape")
			})
		}
	}
}
