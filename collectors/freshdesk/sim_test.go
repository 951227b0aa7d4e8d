package freshdesk

import (
	"context"
	"fmt"
	"maps"
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
var simKind = config.Kind{Name: simulator.KindFreshdesk, Feeds: config.FeedsTickets, Options: NewOptions}

// simWorld is a simulated vendor of n tickets whose clock stands at
// collectortest.SimStart.
func simWorld(t *testing.T, n int) (*simulator.Sim, *collectortest.Clock) {
	t.Helper()
	return collectortest.SmallWorld(t, n)
}

// simSource is the vendor's freshdesk source as the exporter builds it,
// reading store.
func simSource(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, store *collectortest.Store, configure func(*source.Env)) (*collector, *collectortest.Wire) {
	t.Helper()
	env, wire := collectortest.SimEnv(t, simKind, sim.SourceYAML(collectortest.SimVendor, simulator.KindFreshdesk), c.Now)
	env.Stored = store.Stored
	if configure != nil {
		configure(&env)
	}
	return collectortest.NewSource(t, New, env).(*collector), wire
}

// syncStored runs one sync of src from store's cursor into store, under a
// budget when budget > 0.
func syncStored(src source.Source, store *collectortest.Store, budget int) (*collectortest.Recorder, error) {
	var rec collectortest.Recorder
	ctx := context.Background()
	if budget > 0 {
		ctx = fetch.StartSync(ctx, budget)
	}
	err := src.Sync(ctx, store.Cursor(), func(b item.Batch) error {
		_ = rec.Emit(b)
		return store.Emit(b)
	})
	return &rec, err
}

func mustSync(t *testing.T, src source.Source, store *collectortest.Store) *collectortest.Recorder {
	t.Helper()
	rec, err := syncStored(src, store, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// listQueries are the ticket list requests sent, as their queries.
func listQueries(wire *collectortest.Wire) []url.Values {
	var out []url.Values
	for _, s := range wire.Sent() {
		if u, _ := url.Parse(s); u.Path == "/api/v2/tickets" {
			out = append(out, u.Query())
		}
	}
	return out
}

// ticketReads are the requests for one ticket or its conversations.
func ticketReads(wire *collectortest.Wire) int { return wire.Count("/api/v2/tickets/") }

// truthByID is the vendor's tickets as of now, by id.
func truthByID(sim *simulator.Sim, now time.Time) map[string]simulator.TicketTruth {
	out := map[string]simulator.TicketTruth{}
	for _, tk := range sim.Truth(collectortest.SimVendor, now).Tickets {
		out[strconv.FormatInt(tk.ID, 10)] = tk
	}
	return out
}

// assertStoredAsOf checks that store holds every ticket of the vendor in
// its version of now, with its rating.
func assertStoredAsOf(t *testing.T, sim *simulator.Sim, now time.Time, store *collectortest.Store) {
	t.Helper()
	stored := store.Tickets()
	for id, tt := range truthByID(sim, now) {
		tk, ok := stored[id]
		switch {
		case !ok:
			t.Errorf("ticket %s not stored", id)
		case !tk.UpdatedAt.Equal(tt.Updated) || string(tk.Satisfaction) != tt.Satisfaction:
			t.Errorf("ticket %s stored as updated %v, rated %q; want %v, %q", id, tk.UpdatedAt, tk.Satisfaction, tt.Updated, tt.Satisfaction)
		}
	}
}

// The ticket list is walked by keyset: page 1 from the history start (the
// epoch without one), then page 1 again from the latest update seen less a
// second, one batch a page; each ticket's conversations are read once, and
// each is stored once with its rating.
func TestSimSyncWalksTicketsByKeyset(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, nil)
	rec := mustSync(t, src, store)
	if ids := rec.TicketIDs(); len(ids) != 250 || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 250 {
		t.Errorf("%d tickets emitted, want each of the 250 once", len(ids))
	}
	if len(rec.Batches) != 3 {
		t.Errorf("%d batches, want one a page of tickets: 3", len(rec.Batches))
	}
	lists := listQueries(wire)
	if len(lists) != 3 || lists[0].Get("updated_since") != "1970-01-01T00:00:00Z" || lists[0].Get("include") != "stats" ||
		lists[0].Get("order_by") != "updated_at" || lists[0].Get("order_type") != "asc" || lists[0].Get("per_page") != "100" {
		t.Fatalf("ticket list requests %v, want 3, the first from the epoch", lists)
	}
	for i, b := range rec.Batches[:2] {
		last := b.Tickets[len(b.Tickets)-1].UpdatedAt
		if got, want := lists[i+1].Get("updated_since"), last.Add(-time.Second).UTC().Format(time.RFC3339); got != want || lists[i+1].Has("page") {
			t.Errorf("list request %d: updated_since %s page %q, want page 1 from %s", i+2, got, lists[i+1].Get("page"), want)
		}
	}
	if n := ticketReads(wire); n != 250 {
		t.Errorf("%d conversation requests, want one a ticket", n)
	}
	if n := wire.Count("/api/v2/surveys/satisfaction_ratings?created_since=1970-01-01T00%3A00%3A00Z"); n != 1 {
		t.Errorf("ratings requests %q, want one from the epoch", wire.Sent()[:1])
	}
	assertStoredAsOf(t, sim, c.Now(), store)
	newest := rec.Batches[2].Tickets[len(rec.Batches[2].Tickets)-1].UpdatedAt
	if cur := unmarshalCursor(t, store.Cursor()); !cur.Tickets.Since.Equal(newest.Add(-time.Second)) {
		t.Errorf("ticket position %v, want a second before the last update %v", cur.Tickets.Since, newest)
	}

	// Caught up: one ratings and one ticket list request, nothing stored.
	wire.Reset()
	again := mustSync(t, src, store)
	if n := wire.Count(""); n != 2 || len(listQueries(wire)) != 1 || len(again.TicketIDs()) != 0 || len(again.Batches) != 1 || again.Batches[0].Cursor == nil {
		t.Errorf("caught up: requests %q, batches %+v; want the ratings and the list, one batch with the cursor", wire.Sent(), again.Batches)
	}
}

// A ticket updated while the walk runs moves to the end of the list; with
// page numbers a ticket after page 1 would then slide onto it, unread. The
// keyset misses none: the store ends with every ticket of now.
func TestSimSyncMissesNoTicketUpdatedDuringTheWalk(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, store, nil)
	pages := 0
	var rec collectortest.Recorder
	err := src.Sync(context.Background(), nil, func(b item.Batch) error {
		if pages++; pages == 1 {
			c.Add(6 * time.Hour)
		}
		_ = rec.Emit(b)
		return store.Emit(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	stored := store.Tickets()
	for id, tt := range truthByID(sim, c.Now()) {
		if tk, ok := stored[id]; !ok || !tk.UpdatedAt.Equal(tt.Updated) {
			t.Errorf("ticket %s stored as updated %v, want %v", id, tk.UpdatedAt, tt.Updated)
		}
	}
	// The ratings given during the walk are the next sync's.
	mustSync(t, src, store)
	assertStoredAsOf(t, sim, c.Now(), store)
}

// A page whose tickets all share one second cannot move the keyset: the
// walk follows the page numbers of that query. 150 tickets edited at one
// instant share their update second.
func TestSimSyncFollowsPagesWithinOneSecond(t *testing.T) {
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
	src, wire := simSource(t, sim, c, store, nil)
	mustSync(t, src, store)
	assertStoredAsOf(t, sim, c.Now(), store)
	lists := listQueries(wire)
	last := lists[len(lists)-1]
	if last.Get("page") != "2" {
		t.Errorf("last list request %v, want page 2 of the query whose page 1 holds one second", last)
	}
}

// Tickets updated within settleMargin of the response may change again in
// their recorded second: the next walk takes them again, then no more.
func TestSimSyncTakesRecentTicketsAgain(t *testing.T) {
	sim, c := simWorld(t, 250)
	newest := slices.MaxFunc(sim.Truth(collectortest.SimVendor, c.Now()).Tickets, func(a, b simulator.TicketTruth) int { return a.Updated.Compare(b.Updated) })
	c.Set(newest.Updated.Add(3 * time.Second))
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, store, nil)
	mustSync(t, src, store)
	c.Add(time.Minute)
	if got := mustSync(t, src, store).TicketIDs(); !slices.Equal(got, []string{strconv.FormatInt(newest.ID, 10)}) {
		t.Errorf("second sync took %v, want the ticket updated 3 s before the first response: %d", got, newest.ID)
	}
	if got := mustSync(t, src, store).TicketIDs(); len(got) != 0 {
		t.Errorf("third sync took %v, want nothing: the ticket was settled when taken again", got)
	}
}

// The first walk starts at the history start and leaves out the tickets
// created before it, without reading their conversations; an unreadable
// cursor, or a position in the future, starts there again.
func TestSimSyncStartsAtTheHistoryStart(t *testing.T) {
	sim, c := simWorld(t, 250)
	start := c.Now().Add(-7 * 24 * time.Hour)
	var want []string
	for id, tk := range truthByID(sim, c.Now()) {
		if !tk.Created.Before(start) {
			want = append(want, id)
		}
	}
	slices.Sort(want)
	since := url.QueryEscape(start.Format(time.RFC3339))
	for _, stored := range [][]byte{nil, []byte("c9"), collectortest.Marshal(t, cursor{Tickets: position{Since: time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)}})} {
		store := collectortest.NewStore()
		_ = store.Emit(item.Batch{Cursor: stored})
		src, wire := simSource(t, sim, c, store, func(env *source.Env) { env.HistoryStart = start })
		got := mustSync(t, src, store).TicketIDs()
		slices.Sort(got)
		if !slices.Equal(got, want) || ticketReads(wire) != len(want) {
			t.Errorf("cursor %q: took %d tickets reading %d, want the %d created since the start", stored, len(got), ticketReads(wire), len(want))
		}
		if sent := wire.Sent(); !strings.Contains(sent[0], "created_since="+since) || !strings.Contains(sent[1], "updated_since="+since) {
			t.Errorf("cursor %q: first requests %q, want both from the history start", stored, sent[:2])
		}
	}
}

// A stored position resumes the walk there: a ticket seen at its update
// time is skipped, one seen at an older one was updated since and is
// taken.
func TestSimSyncResumesFromStoredPosition(t *testing.T) {
	sim, c := simWorld(t, 250)
	tickets := sim.Truth(collectortest.SimVendor, c.Now()).Tickets
	slices.SortFunc(tickets, func(a, b simulator.TicketTruth) int { return a.Updated.Compare(b.Updated) })
	mark := tickets[len(tickets)-10]
	later := tickets[len(tickets)-5]
	id := func(tk simulator.TicketTruth) string { return strconv.FormatInt(tk.ID, 10) }
	store := collectortest.NewStore()
	_ = store.Emit(item.Batch{Cursor: collectortest.Marshal(t, cursor{
		Tickets: position{Since: mark.Updated, Seen: map[string]time.Time{id(mark): mark.Updated, id(later): later.Updated.Add(-time.Hour)}},
		Ratings: position{Since: c.Now()},
	})})
	src, _ := simSource(t, sim, c, store, nil)
	got := mustSync(t, src, store).TicketIDs()
	var want []string
	for _, tk := range tickets[len(tickets)-10:] {
		if tk.ID != mark.ID {
			want = append(want, id(tk))
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("took %v, want %v: every ticket updated since the position but the one seen", got, want)
	}
}

// Ratings given since the last sync reach their tickets: a rated ticket
// the walk brings gets its rating; one that did not change otherwise is
// read alone with its conversations; a later update keeps the rating
// stored (the list carries none).
func TestSimSyncRatings(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, nil)
	mustSync(t, src, store)
	for range 4 { // a day in six hours' steps: tickets are rated, solved and closed
		c.Add(6 * time.Hour)
		wire.Reset()
		mustSync(t, src, store)
		assertStoredAsOf(t, sim, c.Now(), store)
	}
	if cur := unmarshalCursor(t, store.Cursor()); len(cur.Held) != 0 {
		t.Errorf("ratings still waiting: %v", cur.Held)
	}
}

// A first sync larger than max_requests_per_sync completes over several:
// the ratings are read once, their position stored with the first batch
// and each rating waiting in the cursor until its ticket is stored; each
// sync stores the tickets it completed, within a page too. Every ticket is
// stored once, with its rating.
func TestSimSyncLargerThanTheBudgetCompletes(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, nil)
	const budget = 60
	versions := map[string]int{}
	syncs := 0
	for done := false; !done; {
		if syncs++; syncs > 50 {
			t.Fatal("50 syncs did not complete")
		}
		before := len(versions)
		rec, err := syncStored(src, store, budget)
		for _, id := range rec.TicketIDs() {
			versions[id]++
		}
		switch {
		case err == nil:
			done = true
		case fetch.Reason(err) != fetch.ReasonBudget:
			t.Fatalf("sync %d: %v, want the budget", syncs, err)
		case len(versions) == before:
			t.Fatalf("sync %d ended by the budget without storing a new ticket", syncs)
		}
	}
	for id, n := range versions {
		if n != 1 {
			t.Errorf("ticket %s stored %d times", id, n)
		}
	}
	assertStoredAsOf(t, sim, c.Now(), store)
	if n := ticketReads(wire); n != 250 {
		t.Errorf("%d ticket and conversation requests, want one a ticket", n)
	}
	if n := wire.Count(""); n > syncs*budget {
		t.Errorf("%d requests in %d syncs of %d", n, syncs, budget)
	}
}

// A ticket dated far in the future or before any helpdesk (a vendor clock
// gone wrong) is left out and counted: the keyset stops below it, and the
// ticket is taken once Freshdesk dates it plausibly; its rating waits in
// the cursor until then.
func TestSimSyncLeavesOutImplausibleTickets(t *testing.T) {
	for _, tc := range []struct {
		fault  simulator.Fault
		reason string
	}{{simulator.FaultFutureTimes, door.ReasonFuture}, {simulator.FaultPastTimes, door.ReasonPast}} {
		t.Run(tc.reason, func(t *testing.T) {
			sim, c := simWorld(t, 250)
			since := c.Now().Add(-6 * time.Hour)
			var wrong []string
			for id, tk := range truthByID(sim, c.Now()) {
				if !tk.Updated.Before(since) {
					wrong = append(wrong, id)
				}
			}
			slices.Sort(wrong)
			// The ratings are read right; the ticket list is not.
			if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindFreshdesk, simulator.Spec{Fault: tc.fault, Since: since, After: 1, Requests: 1 << 20}); err != nil {
				t.Fatal(err)
			}
			rejected := map[string]int{}
			store := collectortest.NewStore()
			src, _ := simSource(t, sim, c, store, func(env *source.Env) { env.Reject = func(r string) { rejected[r]++ } })
			mustSync(t, src, store)
			sim.EndFaults(collectortest.SimVendor, simulator.KindFreshdesk)
			if n := len(store.Tickets()); n != 250-len(wrong) || rejected[tc.reason] == 0 {
				t.Errorf("stored %d, rejected %v; want the %d plausible stored, the others %s", n, rejected, 250-len(wrong), tc.reason)
			}
			if cur := unmarshalCursor(t, store.Cursor()); !cur.Tickets.Since.Before(since) {
				t.Errorf("keyset at %v, want below the first implausible update %v", cur.Tickets.Since, since)
			}
			got := mustSync(t, src, store).TicketIDs()
			slices.Sort(got)
			if !slices.Equal(got, wrong) {
				t.Errorf("once dated plausibly: took %v, want %v", got, wrong)
			}
			assertStoredAsOf(t, sim, c.Now(), store)
		})
	}
}

// overridden is a sync of the simulated vendor whose answers to path are
// replaced (collectortest.Wire.Override).
func overridden(t *testing.T, path string, nth, status int, body string, header http.Header) (*collectortest.Recorder, *collectortest.Wire, error) {
	t.Helper()
	sim, c := simWorld(t, 150)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, nil)
	wire.Override(path, nth, status, body, header)
	rec, err := syncStored(src, store, 0)
	return rec, wire, err
}

// Answers that are not Freshdesk's, or that lead in a circle: each fails
// the sync with its reason, storing what came before. The vendor's own
// failures (statuses, damaged and cut bodies) are the conformance suite's
// (collectors/conformance_faults_test.go).
func TestSimSyncErrors(t *testing.T) {
	next := http.Header{"Link": {`<https://acme.freshdesk.com/api/v2/tickets?page=2>; rel="next"`}}
	cases := []struct {
		name, path  string
		status      int
		body        string
		header      http.Header
		wantReason  string
		wantContext string
		wantBatches int // -1: those of the tickets before ticket 1
	}{
		{"400 beyond page 300", "/api/v2/tickets", 400, `{"description":"Validation failed"}`, nil, fetch.ReasonHTTP, "tickets page 1", 0},
		{"HTML error page", "/api/v2/tickets", 200, `<html><body>Service unavailable</body></html>`, nil, fetch.ReasonDecode, "tickets page 1", 0},
		{"object instead of list", "/api/v2/tickets", 200, `{"code":"invalid_value"}`, nil, fetch.ReasonDecode, "tickets page 1", 0},
		{"ticket without id", "/api/v2/tickets", 200, `[{"created_at":"2025-03-01T00:00:00Z"}]`, nil, fetch.ReasonDecode, "tickets page 1", 0},
		// A page that brings nothing is stored (its position unchanged)
		// before the sync ends.
		{"empty page with next", "/api/v2/tickets", 200, `[]`, next, fetch.ReasonLoop, "tickets page 1", 1},
		{"empty conversations page with next", "/api/v2/tickets/1/conversations", 200, `[]`, next, fetch.ReasonLoop, "ticket 1 conversations page 1", -1},
		{"empty ratings page with next", "/api/v2/surveys/satisfaction_ratings", 200, `[]`, next, fetch.ReasonLoop, "satisfaction ratings page 1", 0},
		{"conversations malformed", "/api/v2/tickets/1/conversations", 200, `[{"created_at":"yesterday"}]`, nil, fetch.ReasonDecode, "ticket 1 conversations page 1", -1},
		{"ratings malformed", "/api/v2/surveys/satisfaction_ratings", 200, `[{"id":1}]`, nil, fetch.ReasonDecode, "satisfaction ratings page 1", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, _, err := overridden(t, tc.path, 0, tc.status, tc.body, tc.header)
			collectortest.WantSyncError(t, err, tc.wantReason, "freshdesk: "+tc.wantContext)
			if tc.wantBatches >= 0 && len(rec.Batches) != tc.wantBatches {
				t.Errorf("%d batches emitted, want %d", len(rec.Batches), tc.wantBatches)
			}
		})
	}
}

// A ticket's conversations are read page after page (Link rel="next"):
// one with 130 conversations has them all.
func TestSimSyncFetchesEveryConversationPage(t *testing.T) {
	conv := func(n, from int) string {
		var items []string
		for i := range n {
			at := collectortest.SimStart.Add(-time.Duration(200-from-i) * time.Minute).Format(time.RFC3339)
			items = append(items, `{"id":`+strconv.Itoa(5000+from+i)+`,"incoming":`+strconv.FormatBool((from+i)%2 == 1)+
				`,"private":false,"source":0,"user_id":67013469919,"created_at":"`+at+`","updated_at":"`+at+`"}`)
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	sim, c := simWorld(t, 150)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, nil)
	wire.Override("/api/v2/tickets/1/conversations", 1, 200, conv(100, 0),
		http.Header{"Link": {`<` + sim.URL(collectortest.SimVendor, simulator.KindFreshdesk) + `/api/v2/tickets/1/conversations?page=2&per_page=100>; rel="next"`}})
	wire.Override("/api/v2/tickets/1/conversations", 2, 200, conv(30, 100), nil)
	if _, err := syncStored(src, store, 0); err != nil {
		t.Fatal(err)
	}
	if n := wire.Count("/api/v2/tickets/1/conversations"); n != 2 {
		t.Errorf("%d conversation requests of ticket 1, want 2", n)
	}
	replies := 0
	for _, e := range store.Tickets()["1"].Events {
		if e.Kind == item.EventVendorReply || e.Kind == item.EventCustomerReply {
			replies++
		}
	}
	if replies != 130 {
		t.Errorf("ticket 1 has %d replies, want the 130 conversations", replies)
	}
}

// The body cap fits a page of maxBodyBytes and refuses one byte more.
func TestSimNewCapsResponseSize(t *testing.T) {
	for _, tc := range []struct {
		size int
		ok   bool
	}{{maxBodyBytes, true}, {maxBodyBytes + 1, false}} {
		_, _, err := overridden(t, "/api/v2/tickets", 0, 200, "["+strings.Repeat(" ", tc.size-2)+"]", nil)
		if ok := err == nil; ok != tc.ok {
			t.Errorf("page of %d bytes: error %v; want accepted %v", tc.size, err, tc.ok)
		}
	}
}

// heldRatings is a cursor caught up with the vendor's tickets as of now,
// with good ratings of the tickets ids waiting in it: each is read alone
// by the next sync.
func heldRatings(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, store *collectortest.Store, ids ...int64) {
	t.Helper()
	src, _ := simSource(t, sim, c, store, nil)
	mustSync(t, src, store)
	cur := unmarshalCursor(t, store.Cursor())
	cur.Held = map[int64]item.Rating{}
	for _, id := range ids {
		cur.Held[id] = item.RatingGood
	}
	_ = store.Emit(item.Batch{Cursor: collectortest.Marshal(t, cur)})
}

// A rated ticket read alone that the vendor answers wrongly fails the
// sync; the walk before is stored, and the rating keeps waiting.
func TestSimSyncRatedTicketErrors(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		wantReason string
		wantErr    string
	}{
		{"502", `{"message":"Bad Gateway"}`, http.StatusBadGateway, fetch.ReasonHTTP, "freshdesk: ticket 9: "},
		{"another ticket", string(collectortest.Marshal(t, realTicket(t, map[string]any{"id": 10}))), 200, fetch.ReasonDecode, "asked for ticket 9, got ticket 10"},
		{"no status", `{"id":9,"created_at":"2026-03-01T00:00:00Z","updated_at":"2026-03-01T00:00:00Z"}`, 200, fetch.ReasonDecode, "ticket 9: no status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, c := simWorld(t, 150)
			store := collectortest.NewStore()
			heldRatings(t, sim, c, store, 9)
			src, wire := simSource(t, sim, c, store, nil)
			wire.Override("/api/v2/tickets/9", 0, tc.status, tc.body, nil)
			_, err := syncStored(src, store, 0)
			if fetch.Reason(err) != tc.wantReason || err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want reason %s and %q", err, tc.wantReason, tc.wantErr)
			}
			if cur := unmarshalCursor(t, store.Cursor()); cur.Held[9] != item.RatingGood || len(cur.Held) != 1 {
				t.Errorf("cursor %+v, want ticket 9's rating waiting still", cur)
			}
		})
	}
}

// Ratings waiting for tickets that did not change otherwise, more than one
// sync can read (2 requests each), are given over several syncs: each
// batch leaves the ratings still to give in the cursor, and a sync that
// ends within a page of them stores what it read. None is read twice.
func TestSimSyncRatedTicketsBeyondTheBudgetComplete(t *testing.T) {
	sim, c := simWorld(t, 150)
	store := collectortest.NewStore()
	var ids []int64
	for id := int64(1); id <= 150; id++ {
		ids = append(ids, id)
	}
	heldRatings(t, sim, c, store, ids...)
	src, wire := simSource(t, sim, c, store, nil)
	const budget = 50 // the ratings and the list leave 48 requests: 24 tickets
	versions := map[string]int{}
	syncs := 0
	for done := false; !done; {
		if syncs++; syncs > 20 {
			t.Fatal("20 syncs did not complete")
		}
		rec, err := syncStored(src, store, budget)
		for _, id := range rec.TicketIDs() {
			versions[id]++
		}
		switch {
		case err == nil:
			done = true
		case fetch.Reason(err) != fetch.ReasonBudget:
			t.Fatalf("sync %d: %v, want the budget", syncs, err)
		}
	}
	for id := 1; id <= 150; id++ {
		key := strconv.Itoa(id)
		if versions[key] != 1 || store.Tickets()[key].Satisfaction != item.RatingGood {
			t.Errorf("ticket %s stored %d times, rated %q; want once, good", key, versions[key], store.Tickets()[key].Satisfaction)
		}
	}
	if n := ticketReads(wire); n != 2*150 {
		t.Errorf("%d ticket and conversation requests, want 2 a rated ticket", n)
	}
	if want := 150/24 + 1; syncs > want {
		t.Errorf("%d syncs, want at most %d", syncs, want)
	}
}

// Conversations or ratings whose Link names a next page that brings no new
// id end the sync with reason loop, at page 2.
func TestSimSyncEndsWhenConversationsOrRatingsCircle(t *testing.T) {
	conv := realConversation(t, map[string]any{"id": 77, "created_at": "2026-03-01T00:01:00Z"})
	rating := realRating(t, map[string]any{"id": 5, "ticket_id": 1, "created_at": "2026-03-01T00:02:00Z"})
	next := http.Header{"Link": {`<https://acme.freshdesk.com/api/v2/anything?page=2>; rel="next"`}}
	for _, tc := range []struct {
		name, path, wantContext string
		item                    map[string]any
	}{
		{"conversations", "/api/v2/tickets/*/conversations", "conversations page 2", conv},
		{"ratings", "/api/v2/surveys/satisfaction_ratings", "satisfaction ratings page 2", rating},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, wire, err := overridden(t, tc.path, 0, http.StatusOK, string(collectortest.Marshal(t, []any{tc.item})), next)
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, "freshdesk: ")
			if err != nil && !strings.Contains(err.Error(), tc.wantContext) {
				t.Errorf("error %q, want it at %s", err, tc.wantContext)
			}
			if n := wire.Count(strings.TrimSuffix(strings.Split(tc.path, "*")[0], "/")); n < 2 {
				t.Errorf("%d requests to %s, want the page and its repeat", n, tc.path)
			}
		})
	}
}

// The API paths go below the URL's own path (a proxy's prefix, say).
func TestSimSyncKeepsURLPathPrefix(t *testing.T) {
	sim, c := simWorld(t, 1)
	src, wire := simSource(t, sim, c, collectortest.NewStore(), func(env *source.Env) { env.Config.URL += "/fd/" })
	wire.Override("/fd/api/v2/surveys/satisfaction_ratings", 0, http.StatusOK, `[]`, nil)
	wire.Override("/fd/api/v2/tickets", 0, http.StatusOK, string(collectortest.Marshal(t, []any{realTicket(t, nil)})), nil)
	wire.Override("/fd/api/v2/tickets/22/conversations", 0, http.StatusOK, `[]`, nil)
	rec, err := syncStored(src, collectortest.NewStore(), 0)
	if err != nil || !slices.Equal(rec.TicketIDs(), []string{"22"}) {
		t.Errorf("stored %v (%v), want ticket 22 read below /fd/: %q", rec.TicketIDs(), err, wire.Sent())
	}
}

// A customer who rates a ticket again, neutral this time, takes the good
// or bad verdict back: the ticket is stored again without a rating (a
// neutral rating is none), not with the one stored before.
func TestSimSyncNeutralRatingReplacesAnEarlierOne(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, nil)
	mustSync(t, src, store)
	rated := ""
	for _, id := range slices.Sorted(maps.Keys(store.Tickets())) {
		if store.Tickets()[id].Satisfaction != item.RatingNone {
			rated = id
			break
		}
	}
	if rated == "" {
		t.Fatal("no rated ticket in the simulated world")
	}
	c.Add(time.Minute)
	neutral := fmt.Sprintf(`[{"id": 987654321, "ticket_id": %s, "created_at": %q, "ratings": {"default_question": 100}}]`,
		rated, c.Now().Add(-30*time.Second).UTC().Format(time.RFC3339))
	wire.Override("/api/v2/surveys/satisfaction_ratings", 0, http.StatusOK, neutral, nil)
	mustSync(t, src, store)
	if got := store.Tickets()[rated].Satisfaction; got != item.RatingNone {
		t.Errorf("ticket %s re-rated neutral is stored with %q, want none", rated, got)
	}
}
