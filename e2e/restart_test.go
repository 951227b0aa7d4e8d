package e2e

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestRestartsAndCrashesCountEverythingOnce runs the exporter once without
// interruption, then again on a fresh store with clean restarts and kill -9
// at random moments in the middle of the initial sync, and requires every
// derived metric to end up identical.
func TestRestartsAndCrashesCountEverythingOnce(t *testing.T) {
	// 20 000 tickets in pages of 100: a sync of 200 pages, long enough to be
	// interrupted many times.
	w := newWorld(t, worldOptions{tickets: 20000, perPage: 100})

	refDir := t.TempDir()
	reference := w.runUntilSynced(t, refDir)

	// A restart rebuilds every aggregate from the store alone: it must equal
	// what the incremental updates of the first run arrived at.
	p := start(t, nil, w.args(refDir)...)
	rebuilt, _ := p.scrape()
	p.term()
	if d := diff(reference, rebuilt.quality()); len(d) > 0 {
		t.Fatalf("aggregates rebuilt from the store differ from the incremental ones: %v", d[:min(len(d), 30)])
	}

	dataDir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	interruptions := 0
	for i := range 6 {
		p := startNoWait(t, nil, w.args(dataDir)...)
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		if i%3 == 2 {
			if took := p.term(); took > 5*time.Second {
				t.Errorf("SIGTERM took %s, want < 5 s", took)
			}
		} else {
			p.kill9()
		}
		interruptions++
	}
	got := w.runUntilSynced(t, dataDir)
	if d := diff(reference, got); len(d) > 0 {
		t.Fatalf("after %d interruptions, %d series differ from the uninterrupted run:\n%v", interruptions, len(d), d[:min(len(d), 30)])
	}
	if n := reference.sum("support_tickets_created_total"); n != 20000 {
		t.Fatalf("reference run counted %v tickets, want 20000", n)
	}
}

// runUntilSynced starts the exporter on dataDir, waits for a complete sync,
// and returns the derived metrics.
func (w *world) runUntilSynced(t *testing.T, dataDir string) series {
	t.Helper()
	p := start(t, nil, w.args(dataDir)...)
	var s series
	waitFor(t, 120*time.Second, "a complete sync", func() bool {
		s, _ = p.scrape()
		return w.synced(s)
	})
	// One more poll cycle must change nothing: the data is frozen.
	time.Sleep(1500 * time.Millisecond)
	again, _ := p.scrape()
	if d := diff(s.quality(), again.quality()); len(d) > 0 {
		t.Fatalf("metrics moved with no new vendor data: %v", d[:min(len(d), 10)])
	}
	p.term()
	return again.quality()
}
