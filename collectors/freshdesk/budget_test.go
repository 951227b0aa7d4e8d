package freshdesk

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// budgetStore is what the exporter keeps of a source's syncs: the cursor,
// the last version of each ticket and how many versions of it were stored.
type budgetStore struct {
	cursor   []byte
	tickets  map[string]item.Ticket
	versions map[string]int
}

// sync runs one sync of src under a request budget, as the exporter
// does (fetch.StartSync), and stores what it emits.
func (st *budgetStore) sync(src source.Source, budget int) error {
	return src.Sync(fetch.StartSync(context.Background(), budget), st.cursor, func(b item.Batch) error {
		for _, tk := range b.Tickets {
			st.tickets[tk.ID] = tk
			st.versions[tk.ID]++
		}
		if b.Cursor != nil {
			st.cursor = b.Cursor
		}
		return nil
	})
}

// untilDone syncs src under the budget until a sync succeeds: each one
// before must end with reason budget and store a ticket not stored yet. It
// returns the number of syncs.
func (st *budgetStore) untilDone(t *testing.T, src source.Source, budget int) int {
	t.Helper()
	for n := 1; n <= 200; n++ {
		before := len(st.versions)
		err := st.sync(src, budget)
		if err == nil {
			return n
		}
		if fetch.Reason(err) != fetch.ReasonBudget {
			t.Fatalf("sync %d: %v, want the budget", n, err)
		}
		if len(st.versions) == before {
			t.Fatalf("sync %d ended by the budget without storing a new ticket (%d stored): no progress", n, before)
		}
	}
	t.Fatal("200 syncs did not complete")
	return 0
}

// ratingsOf are good ratings (103) of tickets first..first+n-1, created a
// minute apart from start.
func ratingsOf(t testing.TB, first, n int, start time.Time) []map[string]any {
	out := make([]map[string]any, n)
	for i := range n {
		out[i] = realRating(t, map[string]any{"id": 5000 + first + i, "ticket_id": first + i,
			"created_at": start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)})
	}
	return out
}

// A first sync larger than max_requests_per_sync, with many ratings,
// completes over several syncs: the ratings are read once, their position
// stored with the first batch and the ratings waiting in the cursor until
// their ticket is stored; each sync stores the tickets it completed, within
// a page too. Every ticket is stored once, with its rating.
func TestSyncLargerThanTheBudgetCompletes(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1, 250, start, time.Minute)...)
	fake.ratings = ratingsOf(t, 1, 120, start.Add(-time.Hour))
	src := newTestSource(t, srv.URL, start.Add(-48*time.Hour))
	st := &budgetStore{tickets: map[string]item.Ticket{}, versions: map[string]int{}}
	// The 2 pages of ratings and a ticket page leave 57 conversations to
	// the first sync; the later ones read 1 page of ratings.
	const budget = 60
	syncs := st.untilDone(t, src, budget)
	if len(st.versions) != 250 {
		t.Errorf("%d tickets stored, want 250", len(st.versions))
	}
	for id, n := range st.versions {
		if n != 1 {
			t.Errorf("ticket %s stored %d times", id, n)
		}
		want := item.RatingNone
		if i, _ := strconv.Atoi(id); i <= 120 {
			want = item.RatingGood
		}
		if got := st.tickets[id].Satisfaction; got != want {
			t.Errorf("ticket %s satisfaction %v, want %v", id, got, want)
		}
	}
	q := fake.queries()
	if n := countPrefix(q, ratingsQuery); n != syncs+1 {
		t.Errorf("%d ratings requests in %d syncs, want the 2 pages once and 1 a later sync", n, syncs)
	}
	if n := countPrefix(q, "/api/v2/tickets/") - 250; n != 0 {
		t.Errorf("%d ticket and conversation requests more than one per ticket", n)
	}
	if most := syncs * budget; len(q) > most {
		t.Errorf("%d requests in %d syncs of %d", len(q), syncs, budget)
	}
	if got := unmarshalCursor(t, st.cursor).Held; len(got) != 0 {
		t.Errorf("ratings still waiting after the last sync: %v", got)
	}
}

// Ratings given to tickets that did not change otherwise, more than one
// sync can fetch (2 requests each), are stored over several syncs: each
// batch leaves the ratings still to give in the cursor, and a sync that
// ends within a page of them stores what it fetched.
func TestSyncRatedTicketsBeyondTheBudgetComplete(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1, 150, start, time.Minute)...)
	src := newTestSource(t, srv.URL, start.Add(-48*time.Hour))
	st := &budgetStore{tickets: map[string]item.Ticket{}, versions: map[string]int{}}
	if err := st.sync(src, 0); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	fake.ratings = ratingsOf(t, 1, 150, start.Add(5*time.Hour))
	fake.mu.Unlock()
	before := len(fake.queries())
	st.versions = map[string]int{}
	// 2 pages of ratings and the caught-up ticket list leave 47 requests
	// to the first sync: 23 rated tickets.
	const budget = 50
	syncs := st.untilDone(t, src, budget)
	for i := 1; i <= 150; i++ {
		id := strconv.Itoa(i)
		if n := st.versions[id]; n != 1 || st.tickets[id].Satisfaction != item.RatingGood {
			t.Errorf("ticket %s stored %d times, rated %v; want once, good", id, n, st.tickets[id].Satisfaction)
		}
	}
	q := fake.queries()[before:]
	// Two per rated ticket at most (the last one, in the list's overlap,
	// costs its conversations only): none is fetched twice.
	if n := countPrefix(q, "/api/v2/tickets/"); n > 2*150 {
		t.Errorf("%d ticket and conversation requests for 150 rated tickets", n)
	}
	if most := syncs * budget; len(q) > most {
		t.Errorf("%d requests in %d syncs of %d", len(q), syncs, budget)
	}
	if want := 150/23 + 1; syncs > want {
		t.Errorf("%d syncs, want at most %d", syncs, want)
	}
}
