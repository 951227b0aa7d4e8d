package exporter

import (
	"math"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/scrapecache"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// TestUnchangedRebuildKeepsSnapshot: refreshes and syncs that bring
// nothing new keep the published snapshot, so /metrics gathers its frozen
// part once; a batch that changes a value publishes a new one (review 16,
// finding 1).
func TestUnchangedRebuildKeepsSnapshot(t *testing.T) {
	e, _, _, _ := startAcme(t, slaOneHour)
	// Both sources sync every 200ms, each sync after the first bringing
	// nothing new: wait for two more of each, so that all they brought is
	// in the snapshot.
	settled := func(since time.Time) {
		t.Helper()
		for _, k := range []store.SourceKey{supportKey, statusKey} {
			for range 2 {
				at := time.Now()
				waitFor(t, "another sync of "+k.Source, statusCond(e, k, func(s exposition.SourceStatus) bool { return s.LastSync.After(at) && s.LastSync.After(since) }))
			}
		}
	}
	settled(time.Time{})
	p1 := e.snapshot.Load()

	var gathers atomic.Int64
	c := exposition.New(e)
	h := scrapecache.New(prometheus.NewRegistry(), func() (any, prometheus.Gatherer) {
		snap := e.Snapshot()
		return snap, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
			gathers.Add(1)
			reg := prometheus.NewRegistry()
			if err := reg.Register(c.Snapshot(snap)); err != nil {
				return nil, err
			}
			return reg.Gather()
		})
	}, scrapecache.Options{})
	scrape := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		return rec.Body.String()
	}
	first := scrape()

	// Two refresh ticks, and more syncs without anything new.
	e.rebuildSnapshot()
	e.rebuildSnapshot()
	settled(p1.at)
	if p2 := e.snapshot.Load(); p2.snap != p1.snap {
		t.Errorf("refreshes and syncs without a change published a new snapshot (%p, was %p); same values: %v", p2.snap, p1.snap, quality.SameValues(p1.snap, p2.snap))
	} else if !p2.at.After(p1.at) {
		t.Errorf("the kept snapshot's check instant did not move: %v, was %v", p2.at, p1.at)
	}
	if got := scrape(); got != first {
		t.Errorf("the exposition moved without a change:\n%s\n--- was:\n%s", got, first)
	}
	if n := gathers.Load(); n != 1 {
		t.Errorf("frozen part gathered %d times, want 1", n)
	}

	// A batch that changes a value: a new snapshot, gathered anew.
	e.mu.RLock()
	vs := e.vendors["acme"]
	e.mu.RUnlock()
	created := time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC)
	tk := item.Ticket{ID: "999", CreatedAt: created, UpdatedAt: created.Add(time.Minute), Priority: "urgent", Status: item.StatusOpen}
	if err := e.ingest(vs, supportKey, time.Time{}, item.Batch{Tickets: []item.Ticket{tk}}); err != nil {
		t.Fatal(err)
	}
	if p3 := e.snapshot.Load(); p3.snap == p1.snap {
		t.Fatal("a new ticket did not publish a new snapshot")
	} else if got, want := p3.snap.Vendors[0].TicketsCreated[quality.Urgent], wantAcmeCreated[quality.Urgent]+1; got != want {
		t.Errorf("urgent tickets created = %d, want %d", got, want)
	}
	if got := scrape(); got == first {
		t.Error("the exposition did not move with the new ticket")
	}
	if n := gathers.Load(); n != 2 {
		t.Errorf("frozen part gathered %d times after one change, want 2", n)
	}
}

// TestSameValues: any value that differs, anywhere in a vendor's
// snapshot, makes two snapshots differ; At does not.
func TestSameValues(t *testing.T) {
	bounds := []float64{300, 900}
	build := func() *quality.Snapshot {
		v := &quality.VendorSnapshot{Vendor: "acme", Tickets: true, StoreItems: map[string]uint64{"zendesk": 3}}
		v.TicketsCreated[quality.Urgent] = 2
		v.Resolution[quality.Normal] = quality.Histogram{Bounds: bounds, Counts: []uint64{1, 0, 1}, Sum: 1200, Count: 2,
			Native: &quality.Native{Positive: map[int32]uint64{70: 1, 80: 1}}}
		v.Components = []quality.ComponentStatus{{Component: "API", Status: "operational"}}
		v.Drill = &quality.DrillSummary{LastRun: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		return &quality.Snapshot{At: time.Unix(1, 0), Vendors: []*quality.VendorSnapshot{v}}
	}
	a, b := build(), build()
	b.At = time.Unix(2, 0)
	if !quality.SameValues(a, b) {
		t.Fatal("equal snapshots built apart differ")
	}
	for name, change := range map[string]func(v *quality.VendorSnapshot){
		"counter":       func(v *quality.VendorSnapshot) { v.TicketsCreated[quality.Urgent]++ },
		"bucket":        func(v *quality.VendorSnapshot) { v.Resolution[quality.Normal].Counts = []uint64{1, 1, 0} },
		"sum -0":        func(v *quality.VendorSnapshot) { v.Resolution[quality.High].Sum = math.Copysign(0, -1) },
		"native bucket": func(v *quality.VendorSnapshot) { v.Resolution[quality.Normal].Native.Positive[80] = 2 },
		"native key": func(v *quality.VendorSnapshot) {
			v.Resolution[quality.Normal].Native.Positive = map[int32]uint64{70: 1, 81: 1}
		},
		"no native":       func(v *quality.VendorSnapshot) { v.Resolution[quality.Normal].Native = nil },
		"component":       func(v *quality.VendorSnapshot) { v.Components[0].Status = "major_outage" },
		"store items":     func(v *quality.VendorSnapshot) { v.StoreItems["statuspage"] = 0 },
		"drill instant":   func(v *quality.VendorSnapshot) { v.Drill.LastRun = v.Drill.LastRun.Add(time.Nanosecond) },
		"no drill":        func(v *quality.VendorSnapshot) { v.Drill = nil },
		"next maint":      func(v *quality.VendorSnapshot) { v.NextMaintenance = time.Unix(5, 0) },
		"flag":            func(v *quality.VendorSnapshot) { v.Status = true },
		"vendor name":     func(v *quality.VendorSnapshot) { v.Vendor = "acme2" },
		"features":        func(v *quality.VendorSnapshot) { v.Features.Created = 1 },
		"oldest (UTC/+1)": func(v *quality.VendorSnapshot) { v.OldestUnanswered[0] = time.Unix(0, 0).In(time.FixedZone("x", 3600)) },
	} {
		c := build()
		change(c.Vendors[0])
		if quality.SameValues(a, c) {
			t.Errorf("%s: a changed snapshot counts as the same", name)
		}
	}
	c := build()
	c.Vendors = append(c.Vendors, c.Vendors[0])
	if quality.SameValues(a, c) {
		t.Error("a vendor more counts as the same")
	}
}
