package collectors_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// cancelBound is how soon a cancelled sync must return: a bound on
// correctness, not on speed (the vendor holds the request 35 s).
const cancelBound = 5 * time.Second

// TestConformanceCancel: a sync whose context is cancelled while the
// vendor holds its request returns promptly, with an error that says so,
// and leaves no goroutine behind. It runs alone (no t.Parallel), so that
// the goroutines it counts are its own.
func TestConformanceCancel(t *testing.T) {
	for _, k := range kindsUnderTest() {
		t.Run(k.name, func(t *testing.T) {
			f := newFixture(t, k, tickets)
			st := newMemStore()
			src := f.newSource(t, st, normalTimeout)
			ignore := goleak.IgnoreCurrent()
			if err := f.sim.InjectSpec(vendorName, k.kind, simulator.Spec{Fault: simulator.FaultTimeout, Requests: forever}); err != nil {
				t.Fatal(err)
			}
			before := f.received()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				done <- src.Sync(fetch.StartSync(ctx, maxRequests), nil, func(b item.Batch) error {
					st.apply(b)
					return nil
				})
			}()
			for deadline := time.Now().Add(cancelBound); f.received() == before; {
				if time.Now().After(deadline) {
					t.Fatal("no request was sent")
				}
				time.Sleep(2 * time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond) // on loopback, the vendor holds it by now
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Sync returned %v (reason %s), want an error wrapping context.Canceled", err, reasonOf(err))
				}
			case <-time.After(cancelBound):
				t.Fatalf("Sync still running %v after its context was cancelled", cancelBound)
			}
			if d := st.diff(newMemStore(), true, 10); len(d) > 0 {
				t.Errorf("the cancelled sync stored:\n%v", d)
			}
			src.hc.CloseIdleConnections()
			f.sim.Close()
			goleak.VerifyNone(t, ignore)
		})
	}
}
