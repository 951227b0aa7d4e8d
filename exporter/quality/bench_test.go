package quality

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

const (
	benchSettled   = 1_000_000
	benchLive      = 1_000
	benchIncidents = 1_000
)

var (
	benchOnce         sync.Once
	benchAgg          *Aggregator
	benchIncidentList []*item.Incident
)

// bigAggregator holds a million settled tickets, a thousand open ones and
// a thousand resolved incidents, built once for every benchmark (it takes a
// few seconds). It reports the heap the aggregator keeps: settled tickets
// only keep their creation instant, a customer signal.
func bigAggregator(b *testing.B) *Aggregator {
	benchOnce.Do(func() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r := mustRules(b, testVendor(), time.Time{})
		a := NewAggregator(r, testSources, testTicketSources)
		for i := range benchSettled {
			tk := r.MergeTicket(nil, benchTicket(i, item.StatusClosed), Judged{})
			a.ReplaceTicket("helpdesk", nil, &tk)
		}
		for i := range benchLive {
			tk := r.MergeTicket(nil, benchTicket(benchSettled+i, item.StatusOpen), Judged{})
			a.ReplaceTicket("helpdesk", nil, &tk)
		}
		for i := range benchIncidents {
			inc := r.MergeIncident(nil, benchIncident(i), Judged{})
			a.ReplaceIncident("status", nil, &inc)
			benchIncidentList = append(benchIncidentList, &inc)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap := float64(after.HeapAlloc - before.HeapAlloc)
		b.Logf("aggregator heap with %d settled and %d live tickets and %d incidents: %.1f MB, %.1f bytes a ticket",
			benchSettled, benchLive, benchIncidents, heap/1e6, heap/(benchSettled+benchLive))
		benchAgg = a
	})
	return benchAgg
}

// benchTicket is ticket i, created a minute after the previous one; closed
// ones were answered and solved, open ones only answered.
func benchTicket(i int, status item.Status) item.Ticket {
	created := t0.Add(time.Duration(i) * time.Minute)
	t := item.Ticket{ID: fmt.Sprint(i), Priority: rawPriorities[i%len(rawPriorities)], Status: status, CreatedAt: created,
		Satisfaction: item.RatingGood,
		Events: []item.Event{
			ev(item.EventCustomerReply, created.Add(10*time.Minute)),
			ev(item.EventVendorReply, created.Add(time.Duration(i%600)*time.Minute)),
		}}
	if status == item.StatusClosed {
		t.Events = append(t.Events, ev(item.EventSolved, created.Add(time.Duration(i%6000)*time.Minute)))
	}
	return t
}

// benchIncident is incident i, first posted every 1000 minutes (so that its
// notice window holds tickets), its impact dated up to two days earlier.
func benchIncident(i int) item.Incident {
	created := t0.Add(time.Duration(i*1000) * time.Minute)
	return item.Incident{ID: fmt.Sprint(i), Impact: item.ImpactMajor, CreatedAt: created,
		StartedAt: created.Add(-time.Duration(i%48) * time.Hour), ResolvedAt: created.Add(time.Hour)}
}

// BenchmarkReplaceTicket moves one ticket's contribution back and forth
// between two versions, in an aggregator holding a million tickets.
func BenchmarkReplaceTicket(b *testing.B) {
	a := bigAggregator(b)
	r := a.Rules()
	for _, bc := range []struct {
		name   string
		id     int
		v1, v2 item.Status
	}{
		{"live", benchSettled + 1, item.StatusOpen, item.StatusPending},
		{"settled", 1, item.StatusClosed, item.StatusClosed},
	} {
		b.Run(bc.name, func(b *testing.B) {
			v1 := r.MergeTicket(nil, benchTicket(bc.id, bc.v1), Judged{})
			second := benchTicket(bc.id, bc.v2)
			second.Satisfaction = item.RatingBad
			v2 := r.MergeTicket(&v1, second, Judged{})
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 {
					a.ReplaceTicket("helpdesk", &v1, &v2)
				} else {
					a.ReplaceTicket("helpdesk", &v2, &v1)
				}
			}
		})
	}
}

// benchNow is after every benchmark item.
var benchNow = t0.Add((benchSettled + benchLive + 60) * time.Minute)

// BenchmarkSnapshot is the cost of a scrape's snapshot with a million
// settled tickets and a thousand live ones, once who noticed each incident
// first is decided.
func BenchmarkSnapshot(b *testing.B) {
	a := bigAggregator(b)
	a.Snapshot(at(benchNow))
	b.ReportAllocs()
	for b.Loop() {
		a.Snapshot(at(benchNow))
	}
}

// BenchmarkDecideIncidents is the cost of storing a thousand incidents
// again and deciding who noticed each first, against a million customer
// signals: a restart's first snapshot.
func BenchmarkDecideIncidents(b *testing.B) {
	a := bigAggregator(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, inc := range benchIncidentList {
			a.ReplaceIncident("status", inc, nil)
			a.ReplaceIncident("status", nil, inc)
		}
		if v := a.Snapshot(at(benchNow)); v.Detected[CustomerFirst] != benchIncidents {
			b.Fatalf("detected %v, want every incident customer-first", v.Detected)
		}
	}
}
