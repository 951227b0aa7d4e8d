package zendeskrequests

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// simKind is what these tests declare of the kind (package collectors
// holds the whole declaration).
var simKind = config.Kind{Name: simulator.KindZendeskRequests, Feeds: config.FeedsTickets, Options: NewOptions}

// simWorld is a simulated vendor of 250 tickets, three list pages, whose
// clock stands at collectortest.SimStart.
func simWorld(t *testing.T) (*simulator.Sim, *collectortest.Clock) {
	t.Helper()
	return collectortest.SmallWorld(t, 250)
}

// simSource is the vendor's zendesk_requests source as the exporter builds
// it, reading and writing store.
func simSource(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, store *collectortest.Store, configure func(*source.Env)) (source.Source, *collectortest.Wire) {
	t.Helper()
	env, wire := collectortest.SimEnv(t, simKind, sim.SourceYAML(collectortest.SimVendor, simulator.KindZendeskRequests), c.Now)
	env.Stored = store.Stored
	if configure != nil {
		configure(&env)
	}
	return collectortest.NewSource(t, New, env), wire
}

// syncStored runs one sync of src from store's cursor into store.
func syncStored(t *testing.T, src source.Source, store *collectortest.Store) (*collectortest.Recorder, error) {
	t.Helper()
	var rec collectortest.Recorder
	err := src.Sync(context.Background(), store.Cursor(), func(b item.Batch) error {
		_ = rec.Emit(b)
		return store.Emit(b)
	})
	return &rec, err
}

func mustSync(t *testing.T, src source.Source, store *collectortest.Store) *collectortest.Recorder {
	t.Helper()
	rec, err := syncStored(t, src, store)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// listPages are the page[after] of each list request sent ("" for a first
// page).
func listPages(wire *collectortest.Wire) []string {
	var out []string
	for _, s := range wire.Sent() {
		u, _ := url.Parse(s)
		if u.Path == requestsPath {
			out = append(out, u.Query().Get("page[after]"))
		}
	}
	return out
}

// commentsRead are the requests whose comments were read, in order.
func commentsRead(wire *collectortest.Wire) []string {
	var out []string
	for _, s := range wire.Sent() {
		if rest, ok := strings.CutPrefix(s, requestsPath+"/"); ok {
			id, _, _ := strings.Cut(rest, "/")
			out = append(out, id)
		}
	}
	return out
}

// wantMark is the mark a walk of the world as of now leaves: the newest
// update, capped a margin below the vendor's clock.
func wantMark(sim *simulator.Sim, now time.Time) (time.Time, []int64) {
	var top time.Time
	var ids []int64
	for _, tk := range sim.Truth(collectortest.SimVendor, now).Tickets {
		at := tk.Updated
		if cap := now.Add(-clockMargin); at.After(cap) {
			at = cap
		}
		switch {
		case at.After(top):
			top, ids = at, []int64{tk.ID}
		case at.Equal(top):
			ids = append(ids, tk.ID)
		}
	}
	if top.Equal(now.Add(-clockMargin)) {
		return top, nil
	}
	return top, ids
}

// itemStatus is the status a request of Zendesk's status has.
var itemStatus = map[string]item.Status{
	"new": item.StatusNew, "open": item.StatusOpen, "pending": item.StatusPending, "hold": item.StatusOnHold,
	"solved": item.StatusSolved, "closed": item.StatusClosed,
}

// A first walk takes every request, newest first, one batch per list page
// with the walk under way in its cursor, each request's comments read
// once; the last batch stores the mark. Each ticket has the vendor's
// public replies and the request's status. A walk caught up costs the
// first list page.
func TestSimSyncFirstWalk(t *testing.T) {
	sim, c := simWorld(t)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, nil)
	rec := mustSync(t, src, store)

	if len(rec.Batches) != 3 {
		t.Fatalf("%d batches, want one per list page", len(rec.Batches))
	}
	first := decodeCursor(t, rec.Batches[0].Cursor)
	if first.Walk == nil || first.Walk.After == "" || !first.Since.IsZero() {
		t.Errorf("first batch's cursor %+v, want a walk under way from no mark", first)
	}
	final := decodeCursor(t, rec.LastCursor(t))
	top, ids := wantMark(sim, c.Now())
	if final.Walk != nil || !final.Since.Equal(top) || !slices.Equal(final.SinceIDs, ids) {
		t.Errorf("final cursor %+v, want the mark %v at %v, no walk", final, top, ids)
	}
	if got := listPages(wire); len(got) != 3 || got[0] != "" || got[1] != first.Walk.After {
		t.Errorf("list pages %q, want the first, then page[after]=%s, then one more", got, first.Walk.After)
	}
	read := commentsRead(wire)
	slices.Sort(read)
	if len(read) != 250 || len(slices.Compact(read)) != 250 {
		t.Errorf("comments read %d times for %d requests, want each of the 250 once", len(read), len(slices.Compact(read)))
	}
	truth := sim.Truth(collectortest.SimVendor, c.Now()).Tickets
	for _, tt := range truth {
		tk := rec.Ticket(t, strconv.FormatInt(tt.ID, 10))
		replies := 0
		for _, e := range tk.Events {
			if e.Kind == item.EventVendorReply {
				replies++
			}
		}
		if tk.Status != itemStatus[tt.Status] || replies != tt.Replies || !tk.CreatedAt.Equal(tt.Created) || !tk.UpdatedAt.Equal(tt.Updated) {
			t.Errorf("ticket %d: status %s, %d replies, created %v, updated %v; want %s, %d, %v, %v",
				tt.ID, tk.Status, replies, tk.CreatedAt, tk.UpdatedAt, tt.Status, tt.Replies, tt.Created, tt.Updated)
		}
	}

	wire.Reset()
	caughtUp := mustSync(t, src, store)
	if got := wire.Sent(); len(got) != 1 || len(listPages(wire)) != 1 {
		t.Errorf("caught up: requests %q, want the first list page only", got)
	}
	if len(caughtUp.TicketIDs()) != 0 || string(caughtUp.LastCursor(t)) != string(rec.LastCursor(t)) {
		t.Errorf("caught up: batches %+v, want one empty batch keeping the cursor", caughtUp.Batches)
	}
}

// Once the world moved on, a walk takes exactly the requests updated since
// the mark, reading their comments alone, and stops at the first page
// reaching older ones.
func TestSimSyncFetchesOnlyChangedRequests(t *testing.T) {
	sim, c := simWorld(t)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, nil)
	mustSync(t, src, store)
	mark := decodeCursor(t, store.Cursor())
	c.Add(2 * time.Hour)
	var changed []string
	for _, tk := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
		if tk.Updated.After(mark.Since) {
			changed = append(changed, strconv.FormatInt(tk.ID, 10))
		}
	}
	if len(changed) == 0 || len(changed) >= 100 {
		t.Fatalf("%d requests changed in two hours, want a few", len(changed))
	}
	wire.Reset()
	rec := mustSync(t, src, store)
	got, read := rec.TicketIDs(), commentsRead(wire)
	slices.Sort(got)
	slices.Sort(read)
	slices.Sort(changed)
	if !slices.Equal(got, changed) || !slices.Equal(read, changed) {
		t.Errorf("stored %v, read the comments of %v; want the changed requests %v", got, read, changed)
	}
	if n := len(listPages(wire)); n != 1 {
		t.Errorf("%d list pages, want the first only: it reaches older requests", n)
	}
	top, ids := wantMark(sim, c.Now())
	if final := decodeCursor(t, store.Cursor()); !final.Since.Equal(top) || !slices.Equal(final.SinceIDs, ids) {
		t.Errorf("cursor %+v, want the mark %v at %v", final, top, ids)
	}
}

// A request updated while a walk runs moves ahead of the walk's position:
// that walk does not see the update, the next one does, and the store
// ends with every request's version of now.
func TestSimSyncKeepsUpdatesMadeDuringTheWalk(t *testing.T) {
	sim, c := simWorld(t)
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, store, nil)
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
	mustSync(t, src, store)
	stored := store.Tickets()
	for _, tt := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
		if tk, ok := stored[strconv.FormatInt(tt.ID, 10)]; !ok || !tk.UpdatedAt.Equal(tt.Updated) {
			t.Errorf("request %d stored as updated at %v, want %v", tt.ID, tk.UpdatedAt, tt.Updated)
		}
	}
}

// The next mark stays a margin below the vendor's clock at the walk's first
// page: a request updated within it may change again in that second
// unseen, so the next walk takes it again.
func TestSimSyncCapsMarkBelowTheVendorsClock(t *testing.T) {
	sim, c := simWorld(t)
	newest := slices.MaxFunc(sim.Truth(collectortest.SimVendor, c.Now()).Tickets, func(a, b simulator.TicketTruth) int {
		return a.Updated.Compare(b.Updated)
	})
	c.Set(newest.Updated.Add(5 * time.Second))
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, store, nil)
	mustSync(t, src, store)
	if cur := decodeCursor(t, store.Cursor()); !cur.Since.Equal(c.Now().Add(-clockMargin)) || len(cur.SinceIDs) != 0 {
		t.Errorf("cursor %+v, want the mark %v, with no request at it", cur, c.Now().Add(-clockMargin))
	}
	c.Add(time.Second)
	if got := mustSync(t, src, store).TicketIDs(); !slices.Contains(got, strconv.FormatInt(newest.ID, 10)) {
		t.Errorf("the next walk took %v, want request %d once more", got, newest.ID)
	}
}

// A Date header in the future (a vendor's clock gone wrong) is not the
// vendor's clock: the mark is capped below ours instead.
func TestSimSyncCapsMarkBelowOurClockWhenDateIsImplausible(t *testing.T) {
	sim, c := simWorld(t)
	ours := collectortest.NewClock(c.Now())
	c.Add(10 * 365 * 24 * time.Hour) // the vendor's clock, years ahead
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, store, func(env *source.Env) {
		env.Now = ours.Now
		env.Bounds.Now = ours.Now
	})
	mustSync(t, src, store)
	if cur := decodeCursor(t, store.Cursor()); cur.Since.After(ours.Now().Add(-clockMargin)) {
		t.Errorf("mark %v, want at most %v: our clock less the margin", cur.Since, ours.Now().Add(-clockMargin))
	}
}

// A stored page cursor Zendesk no longer accepts (400) restarts the walk
// from the newest request; a cursor that cannot be read, or a mark in the
// future, starts over.
func TestSimSyncRestartsOrStartsOver(t *testing.T) {
	sim, c := simWorld(t)
	mark := c.Now().Add(-24 * time.Hour)
	var newer int
	for _, tk := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
		if tk.Updated.After(mark) {
			newer++
		}
	}
	cases := []struct {
		name   string
		stored []byte
		want   int // requests stored
		first  string
	}{
		{"page cursor refused", collectortest.Marshal(t, cursor{Since: mark,
			Walk: &walk{After: "expired", Cap: c.Now(), Top: c.Now().Add(-time.Hour)}}), newer, "expired"},
		{"unreadable cursor", []byte("MTY5NTA1MjY2My4wfHwyOHw="), 250, ""},
		{"mark in the future", collectortest.Marshal(t, cursor{Since: time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC), SinceIDs: []int64{9}}), 250, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := collectortest.NewStore()
			_ = store.Emit(item.Batch{Cursor: tc.stored})
			src, wire := simSource(t, sim, c, store, nil)
			rec := mustSync(t, src, store)
			if n := len(rec.TicketIDs()); n != tc.want {
				t.Errorf("stored %d requests, want %d", n, tc.want)
			}
			if got := listPages(wire); len(got) == 0 || got[0] != tc.first || (tc.first != "" && got[1] != "") {
				t.Errorf("list pages %q, want the walk from %q, then from the newest", got, tc.first)
			}
		})
	}
}

// Under a Zendesk that ignores sort_by (a community report says it does
// under cursor pagination), the walk notices the order and reads every
// page, missing nothing.
func TestSimSyncWalksEveryPageWhenSortIsIgnored(t *testing.T) {
	sim, c := simWorld(t)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, nil)
	if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindZendeskRequests, simulator.Spec{Fault: simulator.FaultUnsorted, Requests: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, src, store)
	if n := len(store.Tickets()); n != 250 {
		t.Errorf("first walk stored %d requests, want 250", n)
	}
	top, ids := wantMark(sim, c.Now())
	if cur := decodeCursor(t, store.Cursor()); !cur.Since.Equal(top) || !slices.Equal(cur.SinceIDs, ids) {
		t.Errorf("cursor %+v, want the mark %v at %v", cur, top, ids)
	}
	c.Add(time.Hour)
	wire.Reset()
	mustSync(t, src, store)
	if n := len(listPages(wire)); n != 3 {
		t.Errorf("%d list pages, want every page walked", n)
	}
	for _, tt := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
		if tk := store.Tickets()[strconv.FormatInt(tt.ID, 10)]; !tk.UpdatedAt.Equal(tt.Updated) {
			t.Errorf("request %d stored as updated at %v, want %v", tt.ID, tk.UpdatedAt, tt.Updated)
		}
	}
}

// Requests created before the history start are left out, their comments
// never read, and the walk stops at the first page reaching requests
// updated before it.
func TestSimSyncHistoryStart(t *testing.T) {
	sim, c := simWorld(t)
	start := c.Now().Add(-5 * 24 * time.Hour)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, func(env *source.Env) { env.HistoryStart = start })
	rec := mustSync(t, src, store)
	var want []string
	newer := 0 // updated since the start: the walk's pages before the one reaching older requests
	for _, tk := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
		if !tk.Created.Before(start) {
			want = append(want, strconv.FormatInt(tk.ID, 10))
		}
		if !tk.Updated.Before(start) {
			newer++
		}
	}
	got, read := rec.TicketIDs(), commentsRead(wire)
	slices.Sort(got)
	slices.Sort(read)
	slices.Sort(want)
	if !slices.Equal(got, want) || !slices.Equal(read, want) {
		t.Errorf("stored %d requests, read the comments of %d; want the %d created since the start", len(got), len(read), len(want))
	}
	if n := len(listPages(wire)); n != newer/100+1 {
		t.Errorf("%d list pages, want %d: the walk stops at the first reaching requests updated before the start", n, newer/100+1)
	}
}

// A request dated far in the future or before any helpdesk existed (a
// vendor clock gone wrong) is left out and counted: the mark stops below
// it, and the request is taken once Zendesk dates it plausibly.
func TestSimSyncLeavesOutImplausibleUpdateTimes(t *testing.T) {
	for _, tc := range []struct {
		fault  simulator.Fault
		reason string
	}{{simulator.FaultFutureTimes, door.ReasonFuture}, {simulator.FaultPastTimes, door.ReasonPast}} {
		t.Run(tc.reason, func(t *testing.T) {
			sim, c := simWorld(t)
			since := c.Now().Add(-6 * time.Hour)
			var wrong []string
			for _, tk := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
				if !tk.Updated.Before(since) {
					wrong = append(wrong, strconv.FormatInt(tk.ID, 10))
				}
			}
			if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindZendeskRequests, simulator.Spec{Fault: tc.fault, Since: since, Requests: 1 << 20}); err != nil {
				t.Fatal(err)
			}
			rejected := map[string]int{}
			store := collectortest.NewStore()
			src, _ := simSource(t, sim, c, store, func(env *source.Env) { env.Reject = func(r string) { rejected[r]++ } })
			mustSync(t, src, store)
			sim.EndFaults(collectortest.SimVendor, simulator.KindZendeskRequests)
			if n := len(store.Tickets()); n != 250-len(wrong) || rejected[tc.reason] != len(wrong) {
				t.Errorf("stored %d, rejected %v; want the %d plausible stored and %d %s", n, rejected, 250-len(wrong), len(wrong), tc.reason)
			}
			if cur := decodeCursor(t, store.Cursor()); !cur.Since.Before(since) {
				t.Errorf("mark %v, want below the first implausible update, %v", cur.Since, since)
			}
			rec := mustSync(t, src, store)
			got := rec.TicketIDs()
			slices.Sort(got)
			slices.Sort(wrong)
			if !slices.Equal(got, wrong) {
				t.Errorf("once dated plausibly: stored %v, want %v", got, wrong)
			}
		})
	}
}

// Solves and reopens are told from the version stored: a scripted request
// is answered, solved, then reopened by its requester, one sync at each
// step; each sync adds what changed to the events of the stored version,
// and a sync from an older cursor (a lost one) changes nothing.
func TestSimSyncTellsSolvesAndReopensFromTheStore(t *testing.T) {
	created := collectortest.SimStart.Add(-48 * time.Hour)
	v := collectortest.SmallVendor(0)
	v.Script = []simulator.ScriptedTicket{{Created: created, Priority: "normal", Steps: []simulator.ScriptStep{
		{At: time.Hour, Kind: simulator.VendorReply},
		{At: 2 * time.Hour, Kind: simulator.Solve},
		{At: 30 * time.Hour, Kind: simulator.Reopen},
	}}}
	c := collectortest.NewClock(created.Add(90 * time.Minute))
	sim := collectortest.StartSim(t, c, v)
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, store, nil)
	at := func(d time.Duration) time.Time { return created.Add(d) }
	var cursors [][]byte
	steps := []struct {
		name string
		now  time.Duration
		want []item.Event
	}{
		{"answered", 90 * time.Minute, []item.Event{vendorReply(at(time.Hour))}},
		{"solved", 3 * time.Hour, []item.Event{vendorReply(at(time.Hour)), vendorReply(at(2 * time.Hour)), solved(at(2 * time.Hour))}},
		{"reopened", 31 * time.Hour, []item.Event{vendorReply(at(time.Hour)), vendorReply(at(2 * time.Hour)), solved(at(2 * time.Hour)),
			customerReply(at(30 * time.Hour)), reopened(at(30 * time.Hour))}},
	}
	for _, s := range steps {
		c.Set(created.Add(s.now))
		cursors = append(cursors, store.Cursor())
		if got := mustSync(t, src, store).Ticket(t, "1").Events; !slices.Equal(got, s.want) {
			t.Errorf("%s: events\n%v\nwant\n%v", s.name, got, s.want)
		}
	}
	// From the cursor before the last sync, as after a lost cursor.
	_ = store.Emit(item.Batch{Cursor: cursors[2]})
	if got := mustSync(t, src, store).Ticket(t, "1").Events; !slices.Equal(got, steps[2].want) {
		t.Errorf("fetched again: events\n%v\nwant\n%v", got, steps[2].want)
	}
}

// A store that cannot be read fails the sync with its error, before any
// comment is read for the request.
func TestSimSyncFailsWhenTheStoreCannotBeRead(t *testing.T) {
	sim, c := simWorld(t)
	errRead := errors.New("bolt: database not open")
	src, wire := simSource(t, sim, c, collectortest.NewStore(), func(env *source.Env) {
		env.Stored = func(string) (*item.Ticket, error) { return nil, errRead }
	})
	var rec collectortest.Recorder
	err := src.Sync(context.Background(), nil, rec.Emit)
	if !errors.Is(err, errRead) || !strings.Contains(err.Error(), ": reading its stored version") {
		t.Errorf("error %v, want the store's error with the request's context", err)
	}
	if len(rec.Batches) != 0 || len(commentsRead(wire)) != 0 {
		t.Errorf("%d batches, comments read %q; want none", len(rec.Batches), commentsRead(wire))
	}
}

// A walk that has_more leads to a last page without requests (a vendor's
// glitch here) has not seen the requests below it: its mark stays as it
// was, and the next sync walks again from the newest request, taking
// them all.
func TestSimSyncStartsOverAfterAnEmptyLastPage(t *testing.T) {
	sim, c := simWorld(t)
	if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindZendeskRequests, simulator.Spec{Fault: simulator.FaultEmptyPage, Requests: 1, After: 101}); err != nil {
		t.Fatal(err) // after page 1 and its 100 requests' comments
	}
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, nil)
	mustSync(t, src, store)
	if cur := decodeCursor(t, store.Cursor()); !cur.Since.IsZero() || cur.Walk != nil || !cur.StartedOver || len(store.Tickets()) != 100 {
		t.Fatalf("cursor %+v with %d requests stored, want page 1's, no mark, and a walk to start over", cur, len(store.Tickets()))
	}
	wire.Reset()
	mustSync(t, src, store)
	top, ids := wantMark(sim, c.Now())
	if cur := decodeCursor(t, store.Cursor()); !cur.Since.Equal(top) || !slices.Equal(cur.SinceIDs, ids) || cur.StartedOver || len(store.Tickets()) != 250 {
		t.Errorf("cursor %+v with %d requests stored, want all 250 and the mark %v", cur, len(store.Tickets()), top)
	}
	if pages := listPages(wire); len(pages) != 3 || pages[0] != "" {
		t.Errorf("list pages %q, want a walk from the newest request", pages)
	}
}

// The glitch twice in a row, the second time deeper in the list: the
// second walk is no proof that the list ends there, so it starts over
// again, and the third walk takes every request; none is left below a
// mark set too high.
func TestSimSyncStartsOverAgainAfterAnotherEmptyPage(t *testing.T) {
	sim, c := simWorld(t)
	inject := func(after int) {
		t.Helper()
		if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindZendeskRequests, simulator.Spec{Fault: simulator.FaultEmptyPage, Requests: 1, After: after}); err != nil {
			t.Fatal(err)
		}
	}
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, store, nil)
	inject(101) // after page 1 and its 100 requests' comments
	mustSync(t, src, store)
	first := decodeCursor(t, store.Cursor())
	if !first.StartedOver || len(store.Tickets()) != 100 {
		t.Fatalf("cursor %+v with %d requests stored, want page 1's and a walk to start over", first, len(store.Tickets()))
	}
	wire.Reset()
	inject(202) // pages 1 and 2 with their comments: no mark tells them stored
	mustSync(t, src, store)
	second := decodeCursor(t, store.Cursor())
	if !second.StartedOver || !second.Since.IsZero() || second.EmptyAfter.Equal(first.EmptyAfter) || len(store.Tickets()) != 200 {
		t.Fatalf("cursor %+v with %d requests stored, want pages 1 and 2, no mark, and another start over", second, len(store.Tickets()))
	}
	wire.Reset()
	mustSync(t, src, store)
	top, ids := wantMark(sim, c.Now())
	if cur := decodeCursor(t, store.Cursor()); !cur.Since.Equal(top) || !slices.Equal(cur.SinceIDs, ids) || cur.StartedOver || len(store.Tickets()) != 250 {
		t.Errorf("cursor %+v with %d requests stored, want all 250 and the mark %v", cur, len(store.Tickets()), top)
	}
}
