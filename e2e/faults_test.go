package e2e

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// TestVendorFaults injects each fault the simulator knows into a synced
// exporter: the exporter stays up, keeps serving the last good values,
// reports the source down with the right reason, and catches up with
// nothing lost once the vendor recovers.
func TestVendorFaults(t *testing.T) {
	var now atomic.Int64
	now.Store(frozenNow.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	w := newWorld(t, worldOptions{tickets: 3000, clock: clock, live: 10})
	// Tickets keep arriving while the vendor misbehaves: LiveTickets after
	// Start are created as the simulated clock advances.
	p := start(t, nil, w.args(t.TempDir())...)
	var base series
	waitFor(t, 60*time.Second, "initial sync", func() bool {
		base, _ = p.scrape()
		return w.synced(base)
	})

	faults := []struct {
		fault  simulator.Fault
		reason string
	}{
		{simulator.FaultRateLimit, "rate_limited"},
		{simulator.FaultServerError, "http"},
		{simulator.FaultTimeout, "timeout"},
		{simulator.FaultMalformed, "decode"},
		{simulator.FaultTruncated, "decode"},
		{simulator.FaultUnauthorized, "auth"},
	}
	for _, f := range faults {
		t.Run(f.reason+"/"+faultName(f.fault), func(t *testing.T) {
			labels := []string{"vendor", w.vendor, "source", "helpdesk", "kind", "zendesk"}
			before, _ := p.scrape()
			errsBefore, _ := before.get("support_source_errors_total", append(labels, "reason", f.reason)...)
			// Enough failures to span several polls, then recovery.
			w.sim.Inject(w.vendor, "zendesk", f.fault, 3)
			var during series
			waitFor(t, 30*time.Second, "the fault to be counted", func() bool {
				during, _ = p.scrape()
				n, _ := during.get("support_source_errors_total", append(labels, "reason", f.reason)...)
				up, _ := during.get("support_source_up", labels...)
				return n > errsBefore && up == 0
			})
			if d := diff(before.quality(), during.quality()); len(d) > 0 {
				t.Fatalf("values changed while the vendor failed (must serve the last good ones): %v", d[:min(len(d), 10)])
			}
			// The vendor's clock moves on: new tickets and updates appear.
			now.Add(int64(6 * time.Hour))
			waitFor(t, 60*time.Second, "recovery and catch-up", func() bool {
				s, _ := p.scrape()
				up, _ := s.get("support_source_up", labels...)
				truth := w.sim.Truth(w.vendor, clock())
				return up == 1 && int(s.sum("support_tickets_created_total", "vendor", w.vendor)) == len(truth.Tickets)
			})
		})
	}
	if code, _ := p.get("/-/healthy"); code != 200 {
		t.Fatalf("exporter not healthy after the faults: %d", code)
	}
}

func faultName(f simulator.Fault) string {
	return map[simulator.Fault]string{
		simulator.FaultRateLimit: "429", simulator.FaultServerError: "500", simulator.FaultTimeout: "timeout",
		simulator.FaultMalformed: "malformed", simulator.FaultTruncated: "truncated", simulator.FaultUnauthorized: "401",
	}[f]
}
