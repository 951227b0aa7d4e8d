package scrapecache

import (
	"bytes"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestStragglerKeepsNewerEntry: a scrape that read key 1 and stalled
// while key 2 was published and cached by another scrape serves key 1's exposition but does not
// put key 1 back in place of key 2: the next scrapes of key 2 gather
// nothing more (review 16, finding 4).
func TestStragglerKeepsNewerEntry(t *testing.T) {
	w1, w2 := newWorld(t, 1), newWorld(t, 2)
	var (
		cur      atomic.Pointer[world]
		gathers  [3]atomic.Int64 // by key
		stalled  = make(chan struct{})
		resume   = make(chan struct{})
		stallOne sync.Once
	)
	cur.Store(w1)
	h := New(w1.live, func() (any, prometheus.Gatherer) {
		w := cur.Load()
		if w == w1 {
			stallOne.Do(func() { close(stalled); <-resume }) // after reading the key
		}
		return w.key, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
			gathers[int(w.key.(float64))].Add(1)
			return w.frozen.Gather()
		})
	}, Options{})

	var straggler response
	done := make(chan struct{})
	go func() {
		defer close(done)
		straggler = scrape(t, h, "/metrics", "", "")
	}()
	<-stalled // the straggler read key 1
	cur.Store(w2)
	scrape(t, h, "/metrics", "", "") // key 2 gathered and cached
	close(resume)
	<-done
	if want := scrape(t, w1.reference(), "/metrics", "", ""); !bytes.Equal(straggler.body, want.body) {
		t.Errorf("the straggler served something else than key 1's exposition:\n%s", straggler.body)
	}
	for range 3 {
		if got, want := scrape(t, h, "/metrics", "", "gzip"), scrape(t, w2.reference(), "/metrics", "", "gzip"); !bytes.Equal(got.body, want.body) {
			t.Errorf("key 2 served:\n%s\nwant:\n%s", got.body, want.body)
		}
	}
	if n1, n2 := gathers[1].Load(), gathers[2].Load(); n1 != 1 || n2 != 1 {
		t.Errorf("gathered key 1 %d times and key 2 %d times, want once each", n1, n2)
	}
	// The straggler's own key, current again (a source going back to an
	// equal pointer cannot happen with snapshots, but the rule holds):
	// stored when it is current once gathered.
	cur.Store(w1)
	scrape(t, h, "/metrics", "", "")
	scrape(t, h, "/metrics", "", "")
	if n := gathers[1].Load(); n != 2 {
		t.Errorf("key 1, current again, gathered %d times in all, want 2 (once more, then cached)", n)
	}
}
