package zendesk

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// simKind is what these tests declare of the kind (package collectors
// holds the whole declaration).
var simKind = config.Kind{Name: simulator.KindZendesk, Feeds: config.FeedsTickets, Options: NewOptions}

// simWorld is a simulated vendor of n tickets whose clock stands at
// collectortest.SimStart.
func simWorld(t *testing.T, n int) (*simulator.Sim, *collectortest.Clock) {
	t.Helper()
	return collectortest.SmallWorld(t, n)
}

// simSource is the vendor's zendesk source as the exporter builds it,
// counting what it refuses in rejected (when not nil).
func simSource(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, historyStart time.Time, rejected map[string]int) (*exporter, *collectortest.Wire) {
	t.Helper()
	env, wire := collectortest.SimEnv(t, simKind, sim.SourceYAML(collectortest.SimVendor, simulator.KindZendesk), c.Now)
	env.HistoryStart = historyStart
	if rejected != nil {
		env.Reject = func(reason string) { rejected[reason]++ }
	}
	return collectortest.NewSource(t, New, env).(*exporter), wire
}

// exportQueries are the queries of the export requests sent, in order.
func exportQueries(t *testing.T, wire *collectortest.Wire) []url.Values {
	t.Helper()
	var out []url.Values
	for _, s := range wire.Sent() {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		if u.Path == exportPath {
			out = append(out, u.Query())
		}
	}
	return out
}

// A first sync walks the export from the history start, one batch per
// page, each ticket with its metric set; the next page is requested while
// a page is stored, and no other. A sync caught up costs one request and
// brings nothing.
func TestSimSyncWalksTheExport(t *testing.T) {
	sim, c := simWorld(t, 1250) // two pages of 1000
	src, wire := simSource(t, sim, c, time.Time{}, nil)
	store := collectortest.NewStore()
	var batches []item.Batch
	emit := func(b item.Batch) error {
		if len(batches) == 0 {
			wire.Await(t, exportPath, 2)
			time.Sleep(20 * time.Millisecond)
			if n := wire.Count(""); n != 2 {
				t.Errorf("storing page 1: %d requests sent, want 2: %q", n, wire.Sent())
			}
		}
		batches = append(batches, b)
		return store.Emit(b)
	}
	if err := src.Sync(context.Background(), nil, emit); err != nil {
		t.Fatal(err)
	}
	if len(batches) != 2 || batches[0].Cursor == nil || batches[1].Cursor == nil {
		t.Fatalf("%d batches, want one per page, each with its cursor", len(batches))
	}
	tickets := store.Tickets()
	if len(tickets) != 1250 {
		t.Errorf("%d tickets stored, want 1250", len(tickets))
	}
	for id, tk := range tickets {
		if tk.Figures == nil {
			t.Errorf("ticket %s stored without its metric set", id)
			break
		}
	}
	q := exportQueries(t, wire)
	want := []url.Values{
		{"start_time": {"0"}, "include": {"metric_sets"}, "per_page": {"1000"}},
		{"cursor": {string(batches[0].Cursor)}, "include": {"metric_sets"}, "per_page": {"1000"}},
	}
	if len(q) != 2 || q[0].Encode() != want[0].Encode() || q[1].Encode() != want[1].Encode() {
		t.Errorf("queries %v, want %v", q, want)
	}

	wire.Reset()
	var caughtUp collectortest.Recorder
	if err := src.Sync(context.Background(), store.Cursor(), caughtUp.Emit); err != nil {
		t.Fatal(err)
	}
	if n := wire.Count(""); n != 1 || len(caughtUp.Batches) != 1 || len(caughtUp.Batches[0].Tickets) != 0 {
		t.Errorf("caught up: %d requests, batches %+v; want one request and one batch without tickets", n, caughtUp.Batches)
	}
}

// The first sync starts at the history start, and leaves out the tickets
// created before it; an unreadable stored cursor starts there again.
func TestSimSyncStartsAtTheHistoryStart(t *testing.T) {
	sim, c := simWorld(t, 250)
	historyStart := collectortest.SimStart.Add(-7 * 24 * time.Hour)
	src, wire := simSource(t, sim, c, historyStart, nil)
	for _, stored := range [][]byte{nil, []byte(`{"held":`)} {
		wire.Reset()
		var rec collectortest.Recorder
		if err := src.Sync(context.Background(), stored, rec.Emit); err != nil {
			t.Fatal(err)
		}
		if q := exportQueries(t, wire); len(q) != 1 || q[0].Get("start_time") != strconv.FormatInt(historyStart.Unix(), 10) {
			t.Errorf("cursor %q: queries %v, want the export from the history start", stored, q)
		}
		want := 0
		for _, tk := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
			if !tk.Created.Before(historyStart) {
				want++
			}
		}
		if got := len(rec.TicketIDs()); got != want {
			t.Errorf("cursor %q: %d tickets, want the %d created since the history start", stored, got, want)
		}
	}
}

// A ticket updated again while the export is walked comes back on a later
// page with a newer updated_at: progress, not a circle.
func TestSimSyncFollowsTicketsUpdatedDuringTheSync(t *testing.T) {
	sim, c := simWorld(t, 2500) // three pages
	src, wire := simSource(t, sim, c, time.Time{}, nil)
	store := collectortest.NewStore()
	pages := 0
	emit := func(b item.Batch) error {
		if pages++; pages == 1 {
			// Page 2 is on its way; page 3 is asked for once it is here.
			wire.Await(t, exportPath, 2)
			c.Add(6 * time.Hour)
		}
		return store.Emit(b)
	}
	if err := src.Sync(context.Background(), nil, emit); err != nil {
		t.Fatal(err)
	}
	truth := sim.Truth(collectortest.SimVendor, c.Now()).Tickets
	moved := 0
	for _, tt := range truth {
		if tk, ok := store.Tickets()[strconv.FormatInt(tt.ID, 10)]; ok && tk.UpdatedAt.Equal(tt.Updated) && tt.Updated.After(collectortest.SimStart) {
			moved++
		}
	}
	if moved == 0 {
		t.Errorf("no ticket stored as updated during the sync")
	}
}

// assertCancelledAndEnded checks that the one request that failed, the
// fetch ahead, was cancelled (not timed out) and had ended when Sync
// returned.
func assertCancelledAndEnded(t *testing.T, wire *collectortest.Wire) {
	t.Helper()
	if n := wire.InFlight(); n != 0 {
		t.Errorf("%d requests still in flight after Sync returned", n)
	}
	if f := wire.Failures(); len(f) != 1 || !errors.Is(f[0], context.Canceled) {
		t.Errorf("failed requests %v, want the fetch ahead cancelled", f)
	}
}

// An emit that fails while page 2 is fetched ahead cancels that fetch:
// Sync returns the emit's error and leaves no request behind.
func TestSimSyncCancelsFetchAheadWhenEmitFails(t *testing.T) {
	sim, c := simWorld(t, 1250)
	if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindZendesk, simulator.Spec{Fault: simulator.FaultTimeout, Requests: 1, After: 1}); err != nil {
		t.Fatal(err)
	}
	src, wire := simSource(t, sim, c, time.Time{}, nil)
	errStore := errors.New("store full")
	err := src.Sync(context.Background(), nil, func(item.Batch) error {
		wire.Await(t, exportPath, 2) // page 2 is held by the vendor
		return errStore
	})
	if !errors.Is(err, errStore) || !strings.Contains(err.Error(), "storing export page 1") {
		t.Errorf("error %v, want the emit error of page 1", err)
	}
	assertCancelledAndEnded(t, wire)
	if n := wire.Count(""); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// A sync cancelled while it stores page 1 (a reload, a shutdown) keeps that
// page and ends the fetch ahead.
func TestSimSyncCancelledWhileEmitting(t *testing.T) {
	sim, c := simWorld(t, 1250)
	if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindZendesk, simulator.Spec{Fault: simulator.FaultTimeout, Requests: 1, After: 1}); err != nil {
		t.Fatal(err)
	}
	src, wire := simSource(t, sim, c, time.Time{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rec collectortest.Recorder
	err := src.Sync(ctx, nil, func(b item.Batch) error {
		wire.Await(t, exportPath, 2)
		cancel()
		return rec.Emit(b)
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "export page 2") {
		t.Errorf("error %v, want page 2 cancelled", err)
	}
	if len(rec.Batches) != 1 || rec.Batches[0].Cursor == nil {
		t.Errorf("batches %+v, want page 1's, with its cursor", rec.Batches)
	}
	assertCancelledAndEnded(t, wire)
}

// storedSyncs runs syncs of src as the exporter does, from the stored
// cursor.
type storedSyncs struct {
	src   *exporter
	store *collectortest.Store
}

func (s storedSyncs) sync(ctx context.Context) (collectortest.Recorder, error) {
	var rec collectortest.Recorder
	err := s.src.Sync(ctx, s.store.Cursor(), func(b item.Batch) error {
		_ = rec.Emit(b)
		return s.store.Emit(b)
	})
	return rec, err
}

// updatedSince are the ids of the tickets last updated at or after since,
// in id order.
func updatedSince(sim *simulator.Sim, now, since time.Time) []int64 {
	var ids []int64
	for _, tk := range sim.Truth(collectortest.SimVendor, now).Tickets {
		if !tk.Updated.Before(since) {
			ids = append(ids, tk.ID)
		}
	}
	return ids
}

// shown counts the requests reading tickets alone.
func shown(wire *collectortest.Wire) int { return wire.Count("/api/v2/tickets/") }

// A vendor clock that ran years ahead while the export passed some tickets:
// they are refused (and counted), their ids held in the cursor, and the
// export moves on with the others. The next sync reads each held ticket
// again, alone with its metric set, and stores it once it is dated
// plausibly; a held ticket that the export brings again (changed since) is
// taken from the export. With none held, a sync reads none.
func TestSimSyncHoldsTicketsRefusedForTheirTimes(t *testing.T) {
	sim, c := simWorld(t, 250)
	since := collectortest.SimStart.Add(-24 * time.Hour)
	ahead := updatedSince(sim, c.Now(), since)
	if len(ahead) < 3 {
		t.Fatalf("%d tickets updated in the last day, want a few", len(ahead))
	}
	if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindZendesk, simulator.Spec{Fault: simulator.FaultFutureTimes, Requests: 1, Since: since}); err != nil {
		t.Fatal(err)
	}
	rejected := map[string]int{}
	src, wire := simSource(t, sim, c, time.Time{}, rejected)
	s := storedSyncs{src: src, store: collectortest.NewStore()}

	rec, err := s.sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rec.TicketIDs()), 250-len(ahead); got != want {
		t.Errorf("first sync stored %d tickets, want the %d dated plausibly", got, want)
	}
	pos, err := decodePosition(s.store.Cursor())
	if held := slices.Sorted(slices.Values(pos.held)); err != nil || !slices.Equal(held, ahead) || pos.after == "" {
		t.Errorf("cursor %s (%v), want the after_cursor and tickets %v held", s.store.Cursor(), err, ahead)
	}
	if rejected[door.ReasonFuture] != len(ahead) || len(rejected) != 1 {
		t.Errorf("rejected %v, want %d in the future", rejected, len(ahead))
	}
	if n := shown(wire); n != 0 {
		t.Errorf("%d tickets read alone in the sync that held them", n)
	}

	// The vendor's clock is right again; the first held ticket changed
	// since (the export brings it), the others did not.
	c.Add(time.Minute)
	urgent := "urgent"
	if err := sim.EditTicket(collectortest.SimVendor, ahead[0], simulator.TicketEdit{Priority: &urgent}); err != nil {
		t.Fatal(err)
	}
	wire.Reset()
	rec, err = s.sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := shown(wire); n != len(ahead)-1 {
		t.Errorf("second sync read %d tickets alone, want the %d held and not exported again: %q", n, len(ahead)-1, wire.Sent())
	}
	for _, id := range ahead {
		tk := rec.Ticket(t, strconv.FormatInt(id, 10))
		if tk.Figures == nil || tk.UpdatedAt.After(c.Now()) {
			t.Errorf("ticket %d stored as %+v, want its true times and its metric set", id, tk)
		}
	}
	if cur := string(s.store.Cursor()); strings.HasPrefix(cur, "{") {
		t.Errorf("cursor %s, want Zendesk's after_cursor alone", cur)
	}
	if rejected[door.ReasonFuture] != len(ahead) {
		t.Errorf("rejected %v, want nothing more", rejected)
	}

	wire.Reset()
	if _, err := s.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := shown(wire); n != 0 || wire.Count("") != 1 {
		t.Errorf("with none held: %q, want the export's one request", wire.Sent())
	}
}

// A page whose refused tickets would hold more than maxHeld is not taken:
// the export stops before it (nothing of it stored, its refusals counted),
// and the sync fails with reason decode. Once the vendor's clock is right,
// the next sync takes the page.
func TestSimSyncStopsAtAPageThatWouldHoldTooMany(t *testing.T) {
	sim, c := simWorld(t, 250)
	since := collectortest.SimStart.Add(-8 * 24 * time.Hour)
	ahead := updatedSince(sim, c.Now(), since)
	if len(ahead) <= maxHeld {
		t.Fatalf("%d tickets updated since %v, want more than %d", len(ahead), since, maxHeld)
	}
	if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindZendesk, simulator.Spec{Fault: simulator.FaultFutureTimes, Requests: 1, Since: since}); err != nil {
		t.Fatal(err)
	}
	rejected := map[string]int{}
	src, _ := simSource(t, sim, c, time.Time{}, rejected)
	s := storedSyncs{src: src, store: collectortest.NewStore()}
	rec, err := s.sync(context.Background())
	collectortest.WantSyncError(t, err, fetch.ReasonDecode, "zendesk: export page 1: ")
	if err != nil && !strings.Contains(err.Error(), "beyond the 100 this source holds") {
		t.Errorf("error %q does not say why", err)
	}
	if n := len(rec.TicketIDs()); n != 0 || rejected[door.ReasonFuture] != len(ahead) || s.store.Cursor() != nil {
		t.Errorf("stored %d tickets, rejected %v, cursor %s; want nothing of the page, its %d refusals counted", n, rejected, s.store.Cursor(), len(ahead))
	}
	if rec, err = s.sync(context.Background()); err != nil || len(rec.TicketIDs()) != 250 {
		t.Errorf("the sync after: %d tickets, %v; want the page taken", len(rec.TicketIDs()), err)
	}
}

// Reading held tickets counts against max_requests_per_sync, one request
// each: a sync that cannot read them all stores what it read, and the next
// ones read the rest, each once.
func TestSimSyncReadsHeldTicketsWithinTheBudget(t *testing.T) {
	sim, c := simWorld(t, 250)
	since := collectortest.SimStart.Add(-6 * time.Hour)
	ahead := updatedSince(sim, c.Now(), since)
	if len(ahead) < 3 {
		t.Fatalf("%d tickets updated in the last hours, want a few", len(ahead))
	}
	if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindZendesk, simulator.Spec{Fault: simulator.FaultFutureTimes, Requests: 1, Since: since}); err != nil {
		t.Fatal(err)
	}
	src, wire := simSource(t, sim, c, time.Time{}, map[string]int{})
	s := storedSyncs{src: src, store: collectortest.NewStore()}
	if _, err := s.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	wire.Reset()
	const budget = 3 // the export page and 2 tickets a sync
	for held := len(ahead); held > 0; held -= budget - 1 {
		_, err := s.sync(fetch.StartSync(context.Background(), budget))
		pos, _ := decodePosition(s.store.Cursor())
		switch {
		case held > budget-1 && (fetch.Reason(err) != fetch.ReasonBudget || len(pos.held) != held-(budget-1)):
			t.Fatalf("%d held: %v, cursor %s; want the budget reached, %d held still", held, err, s.store.Cursor(), held-(budget-1))
		case held <= budget-1 && (err != nil || len(pos.held) != 0):
			t.Fatalf("%d held: %v, cursor %s; want the last read", held, err, s.store.Cursor())
		}
	}
	if n := shown(wire); n != len(ahead) {
		t.Errorf("%d tickets read alone, want each of the %d held once", n, len(ahead))
	}
}
