package github

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// simKind is what these tests declare of the kind (package collectors
// holds the whole declaration).
var simKind = config.Kind{Name: simulator.KindGitHub, Feeds: config.FeedsTickets, Options: NewOptions}

// simWorld is a simulated vendor of n issues whose clock stands at
// collectortest.SimStart.
func simWorld(t *testing.T, n int) (*simulator.Sim, *collectortest.Clock) {
	t.Helper()
	return collectortest.SmallWorld(t, n)
}

// simRepo is the simulated vendor's repository.
func simRepo(sim *simulator.Sim) string { return sim.GitHubRepository(collectortest.SimVendor) }

// simSource is the vendor's github source as the exporter builds it, of
// the repositories given (the vendor's own without any).
func simSource(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, configure func(*source.Env), repos ...string) (*collector, *collectortest.Wire) {
	t.Helper()
	body := sim.SourceYAML(collectortest.SimVendor, simulator.KindGitHub)
	if len(repos) > 0 {
		body = strings.Replace(body, "repositories: ["+strconv.Quote(simRepo(sim))+"]", "repositories: ["+strings.Join(repos, ", ")+"]", 1)
	}
	env, wire := collectortest.SimEnv(t, simKind, body, c.Now)
	if configure != nil {
		configure(&env)
	}
	return collectortest.NewSource(t, New, env).(*collector), wire
}

// syncStored runs one sync into store, bounded as the exporter bounds it
// (a budget of requests, and here a deadline): a collector led in a circle
// fails the test instead of hanging it.
func syncStored(src source.Source, store *collectortest.Store) (*collectortest.Recorder, error) {
	var rec collectortest.Recorder
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := src.Sync(fetch.StartSync(ctx, 10000), store.Cursor(), func(b item.Batch) error {
		_ = rec.Emit(b)
		return store.Emit(b)
	})
	return &rec, err
}

func mustSync(t *testing.T, src source.Source, store *collectortest.Store) *collectortest.Recorder {
	t.Helper()
	rec, err := syncStored(src, store)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// listQueries are the issue list requests sent, as their queries.
func listQueries(wire *collectortest.Wire, repo string) []url.Values {
	var out []url.Values
	for _, s := range wire.Sent() {
		if u, _ := url.Parse(s); u.Path == "/repos/"+repo+"/issues" {
			out = append(out, u.Query())
		}
	}
	return out
}

// ticketID is the ticket of issue n of repo.
func ticketID(repo string, n int64) string { return repo + "#" + strconv.FormatInt(n, 10) }

// reference is what a first sync stores of the vendor's repository as of
// the clock: GitHub dates its issues its own way (no rating, say), so the
// vendor's truth is what its API shows.
func reference(t *testing.T, sim *simulator.Sim, c *collectortest.Clock) map[string]item.Ticket {
	t.Helper()
	ref := collectortest.NewStore()
	src, _ := simSource(t, sim, c, nil)
	mustSync(t, src, ref)
	return ref.Tickets()
}

// assertStoredAsOf checks that store holds every issue of the vendor in
// its version of now.
func assertStoredAsOf(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, store *collectortest.Store) {
	t.Helper()
	stored, want := store.Tickets(), reference(t, sim, c)
	if len(stored) != len(want) || len(want) == 0 {
		t.Errorf("%d tickets stored, want the vendor's %d issues", len(stored), len(want))
	}
	for id, w := range want {
		if tk, ok := stored[id]; !ok || !tk.UpdatedAt.Equal(w.UpdatedAt) || len(tk.Events) != len(w.Events) {
			t.Errorf("%s stored as updated %v with %d events, want %v with %d", id, tk.UpdatedAt, len(tk.Events), w.UpdatedAt, len(w.Events))
		}
	}
}

// updatedSince are the tickets of tickets updated at or after since,
// sorted.
func updatedSince(tickets map[string]item.Ticket, since time.Time) []string {
	var out []string
	for id, tk := range tickets {
		if !tk.UpdatedAt.Before(since) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// The issue list is walked by since (the latest update seen), never by
// page number, one batch a page: each issue is handed over once. A poll
// caught up costs one request, answered 304 from the second one on.
func TestSimSyncPagesBySince(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, nil)
	rec := mustSync(t, src, store)
	ids := rec.TicketIDs()
	if len(ids) != 250 || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 250 {
		t.Errorf("%d tickets handed over, want each of the 250 once", len(ids))
	}
	if len(rec.Batches) != 3 {
		t.Errorf("%d batches, want one a page: 3", len(rec.Batches))
	}
	lists := listQueries(wire, simRepo(sim))
	if len(lists) != 3 || lists[0].Has("since") {
		t.Fatalf("list requests %v, want 3, the first without since", lists)
	}
	want := url.Values{"direction": {"asc"}, "per_page": {"100"}, "sort": {"updated"}, "state": {"all"}}
	for i, q := range lists {
		since := q.Get("since")
		q.Del("since")
		if q.Encode() != want.Encode() {
			t.Errorf("list request %d: %s, want %s", i+1, q.Encode(), want.Encode())
		}
		if i > 0 {
			prev := rec.Batches[i-1].Tickets
			if last := prev[len(prev)-1].UpdatedAt.UTC().Format(time.RFC3339); since != last {
				t.Errorf("list request %d: since %s, want the latest update seen, %s", i+1, since, last)
			}
		}
	}
	assertStoredAsOf(t, sim, c, store)

	for poll, status := range []int{http.StatusOK, http.StatusNotModified, http.StatusNotModified} {
		wire.Reset()
		again := mustSync(t, src, store)
		if got := wire.Statuses(); len(got) != 1 || got[0] != status || len(again.TicketIDs()) != 0 {
			t.Errorf("caught-up poll %d: answers %v, tickets %v; want one request answered %d and nothing", poll+1, got, again.TicketIDs(), status)
		}
	}
}

// When a whole page shares one updated_at, since cannot move: the walk
// turns to the next page number. 150 issues edited at one instant share
// their update second.
func TestSimSyncPagesWithinOneSecond(t *testing.T) {
	sim, c := simWorld(t, 250)
	c.Add(time.Hour)
	urgent := "urgent"
	for id := int64(1); id <= 150; id++ {
		if err := sim.EditTicket(collectortest.SimVendor, id, simulator.TicketEdit{Priority: &urgent}); err != nil {
			t.Fatal(err)
		}
	}
	c.Add(time.Minute)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, nil)
	mustSync(t, src, store)
	assertStoredAsOf(t, sim, c, store)
	lists := listQueries(wire, simRepo(sim))
	if last := lists[len(lists)-1]; last.Get("page") != "2" {
		t.Errorf("last list request %v, want page 2 of the since whose page 1 holds one second", last)
	}
}

// An issue updated while the walk runs moves to the end of the list, which
// would shift the issues after it back over a page boundary: none is
// missed, and the moved one is handed over with its update.
func TestSimSyncKeepsIssuesUpdatedDuringSync(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, nil)
	pages := 0
	err := src.Sync(context.Background(), nil, func(b item.Batch) error {
		if pages++; pages == 1 {
			c.Add(6 * time.Hour)
		}
		return store.Emit(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	assertStoredAsOf(t, sim, c, store)
}

// A sync from the stored cursor (a restarted exporter) hands over what
// changed since, and nothing else.
func TestSimSyncResumesFromCursor(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, nil)
	mustSync(t, src, store)
	before := c.Now()
	c.Add(2 * time.Hour)
	want := updatedSince(reference(t, sim, c), before.Add(time.Second))
	fresh, _ := simSource(t, sim, c, nil)
	got := mustSync(t, fresh, store).TicketIDs()
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("handed over %v, want the issues changed since, %v", got, want)
	}
	assertStoredAsOf(t, sim, c, store)
}

// The history start is the first list request's since; the issues created
// before it are left out. An unreadable cursor, or a position in the
// future, starts there again.
func TestSimSyncStartsAtTheHistoryStart(t *testing.T) {
	sim, c := simWorld(t, 250)
	start := c.Now().Add(-7 * 24 * time.Hour)
	var want []string
	for _, tk := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
		if !tk.Created.Before(start) {
			want = append(want, ticketID(simRepo(sim), tk.ID))
		}
	}
	slices.Sort(want)
	future := `{"v":1,"repos":{"` + simRepo(sim) + `":{"since":"2036-01-01T00:00:00Z"}}}`
	for _, stored := range []string{"", `{"v":`, `{"v":99,"repos":{}}`, `[]`, future} {
		store := collectortest.NewStore()
		if stored != "" {
			_ = store.Emit(item.Batch{Cursor: []byte(stored)})
		}
		src, wire := simSource(t, sim, c, func(env *source.Env) { env.HistoryStart = start })
		got := mustSync(t, src, store).TicketIDs()
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("cursor %q: %d tickets, want the %d created since the history start", stored, len(got), len(want))
		}
		if q := listQueries(wire, simRepo(sim)); q[0].Get("since") != start.Format(time.RFC3339) {
			t.Errorf("cursor %q: first list request %v, want since the history start", stored, q[0])
		}
	}
}

// A repository that fails (renamed, deleted, a typo: 404) does not keep
// the others from being synced; a rate limit ends the sync at once, every
// further request meeting the same fate.
func TestSimSyncRepositories(t *testing.T) {
	sim, c := simWorld(t, 50)
	src, _ := simSource(t, sim, c, nil, "acme/gone", simRepo(sim))
	rec, err := syncStored(src, collectortest.NewStore())
	if fetch.Reason(err) != fetch.ReasonHTTP || !strings.Contains(err.Error(), "acme/gone") || len(rec.TicketIDs()) != 50 {
		t.Errorf("error %v, %d tickets; want acme/gone's 404 and the other repository's 50", err, len(rec.TicketIDs()))
	}

	// GitHub's secondary limit (429) and its primary one, spent (403 with
	// x-ratelimit-remaining 0).
	for _, f := range []simulator.Fault{simulator.FaultRateLimit, simulator.FaultGitHubPrimaryLimit} {
		src, wire := simSource(t, sim, c, nil, simRepo(sim), "acme/gone")
		sim.Inject(collectortest.SimVendor, simulator.KindGitHub, f, 1)
		if _, err := syncStored(src, collectortest.NewStore()); fetch.Reason(err) != fetch.ReasonRateLimited || wire.Count("") != 1 {
			t.Errorf("%v: error %v after %d requests, want rate_limited after one", f, err, wire.Count(""))
		}
	}
}

// An issue dated far in the future or before any helpdesk (a vendor clock
// gone wrong) is left out and counted: since stops below it, and the issue
// is taken once GitHub dates it plausibly.
func TestSimSyncLeavesOutImplausibleIssues(t *testing.T) {
	for _, tc := range []struct {
		fault  simulator.Fault
		reason string
	}{{simulator.FaultFutureTimes, door.ReasonFuture}, {simulator.FaultPastTimes, door.ReasonPast}} {
		t.Run(tc.reason, func(t *testing.T) {
			sim, c := simWorld(t, 250)
			since := c.Now().Add(-6 * time.Hour)
			wrong := updatedSince(reference(t, sim, c), since)
			if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindGitHub, simulator.Spec{Fault: tc.fault, Since: since, Requests: 1 << 20}); err != nil {
				t.Fatal(err)
			}
			rejected := map[string]int{}
			store := collectortest.NewStore()
			src, _ := simSource(t, sim, c, func(env *source.Env) { env.Reject = func(r string) { rejected[r]++ } })
			mustSync(t, src, store)
			sim.EndFaults(collectortest.SimVendor, simulator.KindGitHub)
			if n := len(store.Tickets()); n != 250-len(wrong) || rejected[tc.reason] == 0 {
				t.Errorf("stored %d, rejected %v; want the %d plausible, the others %s", n, rejected, 250-len(wrong), tc.reason)
			}
			got := mustSync(t, src, store).TicketIDs()
			slices.Sort(got)
			if !slices.Equal(got, wrong) {
				t.Errorf("once dated plausibly: took %v, want %v", got, wrong)
			}
			assertStoredAsOf(t, sim, c, store)
		})
	}
}
