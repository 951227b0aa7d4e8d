package awssupport

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

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
	pages := func(n int) int { return (n + casesPerPage - 1) / casesPerPage }
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

// TestSyncLongAfterTheCases: the collector's clock a year and more after
// the cases (a host reading a world fixed in time, as the e2e's scripted
// histories are): every case is still read, and the unresolved ones are
// still watched. Only the watch list's keep counts AWS's 12 months.
func TestSyncLongAfterTheCases(t *testing.T) {
	sim, clock := collectortest.SmallWorld(t, 250)
	late := func() time.Time { return clock.Now().Add(400 * 24 * time.Hour) }
	env, _ := collectortest.SimEnv(t, decl, sim.SourceYAML(collectortest.SimVendor, simulator.KindAWSSupport), late)
	st := collectortest.NewStore()
	env.Stored = st.Stored
	src := collectortest.NewSource(t, New, env)
	for range 2 {
		if err := src.Sync(context.Background(), st.Cursor(), st.Emit); err != nil {
			t.Fatal(err)
		}
	}
	var cur cursor
	if err := json.Unmarshal(st.Cursor(), &cur); err != nil {
		t.Fatal(err)
	}
	open := 0
	for _, x := range cur.Watch {
		if x.Resolved.IsZero() {
			open++
		}
	}
	if got := len(st.Tickets()); got != 250 || open == 0 {
		t.Errorf("%d cases stored, %d unresolved watched; want 250, some", got, open)
	}
}

// TestUnknownWatchedCaseDropped: a watched case id AWS answers
// CaseIdNotFound for is dropped from the watch list, logged once, and the
// other ids of its caseIdList are still read.
func TestUnknownWatchedCaseDropped(t *testing.T) {
	sim, clock := collectortest.SmallWorld(t, 250)
	env, wire := collectortest.SimEnv(t, decl, sim.SourceYAML(collectortest.SimVendor, simulator.KindAWSSupport), clock.Now)
	var logs strings.Builder
	env.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	st := collectortest.NewStore()
	env.Stored = st.Stored
	src := collectortest.NewSource(t, New, env)
	if err := src.Sync(context.Background(), st.Cursor(), st.Emit); err != nil {
		t.Fatal(err)
	}
	var cur cursor
	if err := json.Unmarshal(st.Cursor(), &cur); err != nil {
		t.Fatal(err)
	}
	const unknown = "case-000000000000-2026-deadbeef00000001"
	cur.Watch = append(cur.Watch[:5:5], append([]watched{{ID: unknown, Created: cur.Watch[0].Created}}, cur.Watch[5:]...)...)
	raw, _ := json.Marshal(cur)
	wire.Reset()
	var got cursor
	for range 2 {
		next := collectortest.NewStore()
		if err := src.Sync(context.Background(), raw, next.Emit); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(next.Cursor(), &got); err != nil {
			t.Fatal(err)
		}
		raw = next.Cursor()
	}
	for _, x := range got.Watch {
		if x.ID == unknown {
			t.Errorf("the unknown case is still watched")
		}
	}
	if n := strings.Count(logs.String(), "CaseIdNotFound"); n != 1 || !strings.Contains(logs.String(), unknown) {
		t.Errorf("logged %d times:\n%s", n, logs.String())
	}
	if len(got.Watch) < len(cur.Watch)-1-5 {
		t.Errorf("%d watched after, %d before", len(got.Watch), len(cur.Watch)-1)
	}
	t.Logf("%d requests; watched %d then %d", len(wire.Headers()), len(cur.Watch), len(got.Watch))
}
