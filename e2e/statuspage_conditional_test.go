package e2e

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// TestStatuspageConditionalRequests: the exporter polling a simulated
// Statuspage page every second reads its three endpoints whole once, then
// an unchanged page answers 304 to all three at every poll
// (support_source_requests_total{code="304"}); an agent's edit of a
// resolved incident is read at the next poll, and the page is quiet
// again after.
func TestStatuspageConditionalRequests(t *testing.T) {
	w := newWorld(t, worldOptions{tickets: 10})
	p := start(t, nil, w.args(t.TempDir())...)
	labels := []string{"vendor", w.vendor, "source", "status", "kind", "statuspage"}
	count := func(code string) float64 {
		s, _ := p.scrape()
		n, _ := s.get("support_source_requests_total", append(labels, "code", code)...)
		return n
	}
	waitFor(t, time.Minute, "the status page synced", func() bool {
		s, _ := p.scrape()
		return w.synced(s)
	})
	waitFor(t, 30*time.Second, "two polls of the unchanged page, answered 304", func() bool { return count("304") >= 6 })
	if n := count("200"); n != 3 {
		t.Errorf("%v answers 200, want 3: the first sync's, then 304s", n)
	}

	var resolved simulator.IncidentTruth
	for _, in := range w.sim.Truth(w.vendor, frozenNow).Incidents {
		if !in.Resolved.IsZero() && in.Impact != "critical" {
			resolved = in
		}
	}
	if resolved.ID == "" {
		t.Fatal("the simulated page has no resolved incident")
	}
	if err := w.sim.EditIncident(w.vendor, resolved.ID, simulator.IncidentEdit{Impact: "critical"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the edit read", func() bool { return count("200") >= 6 })
	after := count("304")
	waitFor(t, 30*time.Second, "two more polls answered 304", func() bool { return count("304") >= after+6 })
	if n := count("200"); n != 6 {
		t.Errorf("%v answers 200, want 6: the first sync and the poll after the edit, three each", n)
	}
	if n := count("error"); n != 0 {
		t.Errorf("%v requests failed", n)
	}
}
