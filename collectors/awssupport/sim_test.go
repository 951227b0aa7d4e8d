package awssupport

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/simulator"
)

var decl = config.Kind{Name: simulator.KindAWSSupport, Feeds: config.FeedsTickets, DefaultURL: DefaultURL, Options: NewOptions}

// targets counts the operations sent since the wire's last reset.
func targets(w *collectortest.Wire) map[string]int {
	n := map[string]int{}
	for _, h := range w.Headers() {
		n[h.Get("X-Amz-Target")]++
	}
	return n
}

// TestCaughtUpPollCost: once caught up, a poll costs one DescribeCases for
// the cases created since the mark, one per 100 unresolved cases (one at
// least), one per 100 cases resolved within reopen_window, and no
// DescribeCommunications while no case got a communication
// (docs/sources.md, `aws_support`, Cost).
func TestCaughtUpPollCost(t *testing.T) {
	sim, clock := collectortest.SmallWorld(t, 250)
	env, wire := collectortest.SimEnv(t, decl, sim.SourceYAML(collectortest.SimVendor, simulator.KindAWSSupport), clock.Now)
	st := collectortest.NewStore()
	env.Stored = st.Stored
	src := collectortest.NewSource(t, New, env)
	if err := src.Sync(context.Background(), st.Cursor(), st.Emit); err != nil {
		t.Fatal(err)
	}
	first := targets(wire)
	if got := len(st.Tickets()); got != 250 {
		t.Errorf("first sync stored %d cases, want 250", got)
	}
	var cur cursor
	if err := json.Unmarshal(st.Cursor(), &cur); err != nil {
		t.Fatal(err)
	}
	wire.Reset()
	if err := src.Sync(context.Background(), st.Cursor(), st.Emit); err != nil {
		t.Fatal(err)
	}
	again := targets(wire)
	open, resolved := 0, 0
	for _, x := range cur.Watch {
		if x.Resolved.IsZero() {
			open++
		} else {
			resolved++
		}
	}
	pages := func(n int) int { return (n + pageSize - 1) / pageSize }
	want := 1 + max(1, pages(open)) + pages(resolved)
	if again[targetPrefix+"DescribeCases"] != want || len(wire.Headers()) != want {
		t.Errorf("a caught-up poll sent %v, want %d DescribeCases (%d unresolved, %d resolved watched)", again, want, open, resolved)
	}
	t.Logf("first sync: %v; caught up: %v; of 250 cases %d unresolved, %d resolved within the window", first, again, open, resolved)
}

// TestFirstSyncOverBudget: a first sync that needs more requests than
// max_requests_per_sync completes over several syncs (docs/configuration.md,
// "Request budget"): the cases read before the budget ran out are stored,
// and their communications are not asked for again.
func TestFirstSyncOverBudget(t *testing.T) {
	sim, clock := collectortest.SmallWorld(t, 250)
	env, wire := collectortest.SimEnv(t, decl, sim.SourceYAML(collectortest.SimVendor, simulator.KindAWSSupport), clock.Now)
	st := collectortest.NewStore()
	env.Stored = st.Stored
	src := collectortest.NewSource(t, New, env)
	const budget = 20
	syncs := 0
	for ; syncs < 20; syncs++ {
		err := src.Sync(fetch.StartSync(context.Background(), budget), st.Cursor(), st.Emit)
		if err == nil {
			break
		}
		if fetch.Reason(err) != fetch.ReasonBudget {
			t.Fatal(err)
		}
	}
	if got := len(st.Tickets()); got != 250 || syncs < 2 || st.Cursor() == nil {
		t.Errorf("after %d syncs of %d requests: %d cases stored, cursor %s", syncs+1, budget, got, st.Cursor())
	}
	t.Logf("%d syncs, %d requests in all", syncs+1, len(wire.Headers()))
}
