package freshdesk

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func TestSyncEndsWhenTheTicketListCircles(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	historyStart := collectortest.Time(t, "2025-02-01T00:00:00Z")
	three := ticketsAt(t, 1, 3, start, time.Minute)
	oneSecond := ticketsAt(t, 1, 100, start, 0)
	old := ticketsAt(t, 0, 100, start, 0)
	for _, tk := range old {
		tk["created_at"] = "2025-01-01T00:00:00Z"
	}
	cases := []struct {
		name         string
		tickets      []map[string]any // those the fake knows, for their conversations
		fault        fault
		wantRequests int // of the ticket list
		wantTickets  int
		wantErr      string
	}{
		{
			// Page 1 moves the keyset; page 1 from there repeats the
			// overlap, as it should; page 2 only repeats it.
			name:         "the Link always names page 2",
			tickets:      three,
			fault:        fault{body: string(collectortest.Marshal(t, three)), next: true},
			wantRequests: 3, wantTickets: 3,
			wantErr: "tickets page 3: GET ",
		},
		{
			name:         "growing page numbers with the tickets seen before",
			tickets:      oneSecond,
			fault:        fault{pages: func(int) []map[string]any { return oneSecond }},
			wantRequests: 3, wantTickets: 100,
			wantErr: "only repeats tickets taken earlier in this sync",
		},
		{
			// Tickets created before the history start cost no
			// conversations request: only the list is walked.
			name: "new tickets in one second beyond page 300",
			fault: fault{pages: func(n int) []map[string]any {
				page := make([]map[string]any, len(old))
				for i, tk := range old {
					page[i] = maps.Clone(tk)
					page[i]["id"] = n*100 + i
				}
				return page
			}},
			wantRequests: 1 + maxTicketPages, wantTickets: 0,
			wantErr: "names a page after page 300, the last Freshdesk serves",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, srv := newFake(t, "")
			// Every ticket is too recent to be remembered in the cursor
			// (settleMargin), which would grow with each page of one second.
			fake.now = start.Add(time.Second)
			fake.addTickets(tc.tickets...)
			fake.setFault("/api/v2/tickets", tc.fault)
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, historyStart).Sync(context.Background(), nil, rec.Emit)
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, "freshdesk: tickets page ")
			if err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not say %q", err, tc.wantErr)
			}
			if n := countPrefix(fake.queries(), "/api/v2/tickets?"); n != tc.wantRequests {
				t.Errorf("%d ticket list requests, want %d", n, tc.wantRequests)
			}
			if got := rec.TicketIDs(); len(got) != tc.wantTickets {
				t.Errorf("%d tickets stored, want %d, each once", len(got), tc.wantTickets)
			}
		})
	}
}

func TestSyncEndsWhenConversationsOrRatingsCircle(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	conv := realConversation(t, map[string]any{"id": 77, "created_at": "2025-03-01T00:01:00Z"})
	rating := realRating(t, map[string]any{"id": 5, "ticket_id": 1, "created_at": "2025-03-01T00:02:00Z"})
	cases := []struct {
		name, path, wantContext string
		item                    map[string]any
	}{
		{"conversations", "/api/v2/tickets/1/conversations", "ticket 1 conversations page 2", conv},
		{"ratings", "/api/v2/surveys/satisfaction_ratings", "satisfaction ratings page 2", rating},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, srv := newFake(t, "")
			fake.addTickets(ticketsAt(t, 1, 1, start, 0)...)
			fake.setFault(tc.path, fault{pages: func(int) []map[string]any { return []map[string]any{tc.item} }})
			err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, (&collectortest.Recorder{}).Emit)
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, "freshdesk: "+tc.wantContext)
			if n := countPrefix(fake.queries(), tc.path); n != 2 {
				t.Errorf("%d requests to %s, want 2", n, tc.path)
			}
		})
	}
}

// boundsSource is a source whose clock reads the fake's, with the
// exporter's default bounds, counting what it rejects.
func boundsSource(t *testing.T, fake *fakeFreshdesk, rawURL string, rejected map[string]int) *collector {
	env := testEnv(t, rawURL, time.Time{})
	env.Now = func() time.Time { return fake.now }
	env.Bounds = door.Bounds{NotBefore: collectortest.Time(t, "2000-01-01T00:00:00Z"), MaxSkew: time.Hour, Now: env.Now}
	env.Reject = func(reason string) { rejected[reason]++ }
	return collectortest.NewSource(t, New, env).(*collector)
}

// A ticket dated far in the future, or before any helpdesk existed, is
// left out of the walk: the keyset stops at the latest plausible update,
// and the ticket is taken once Freshdesk dates it plausibly. The list is in
// update order, so a future one ends the walk: the 150 behind the first
// are not requested page after page.
func TestSyncLeavesOutImplausibleTickets(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	cases := []struct {
		name, reason string
		bad          time.Time
		count        int
	}{
		{"far future", door.ReasonFuture, collectortest.Time(t, "2031-01-01T00:00:00Z"), 150},
		{"far past", door.ReasonPast, collectortest.Time(t, "1990-01-01T00:00:00Z"), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, srv := newFake(t, "")
			fake.addTickets(ticketsAt(t, 1, 2, start, time.Minute)...)
			bad := ticketsAt(t, 100, tc.count, tc.bad, 0)
			for _, tk := range bad {
				tk["created_at"] = start.Add(-time.Hour).Format(time.RFC3339)
			}
			fake.addTickets(bad...)
			rejected := map[string]int{}
			src := boundsSource(t, fake, srv.URL, rejected)

			var first collectortest.Recorder
			if err := src.Sync(context.Background(), nil, first.Emit); err != nil {
				t.Fatal(err)
			}
			if got := first.TicketIDs(); !slices.Equal(got, []string{"1", "2"}) {
				t.Errorf("first sync stored %v, want 1 and 2", got)
			}
			cur := unmarshalCursor(t, first.LastCursor(t))
			if want := start.Add(time.Minute - time.Second); !cur.Tickets.Since.Equal(want) {
				t.Errorf("keyset at %s, want a second before ticket 2's update %s", cur.Tickets.Since, want)
			}
			if n := countPrefix(fake.queries(), "/api/v2/tickets?"); n != 1 {
				t.Errorf("%d ticket list requests, want 1", n)
			}
			if rejected[tc.reason] != min(tc.count, 98) || len(rejected) != 1 {
				t.Errorf("rejected %v, want %d %s (those on the first page)", rejected, min(tc.count, 98), tc.reason)
			}

			for i, tk := range bad { // the vendor fixed the times
				tk["updated_at"] = start.Add(time.Hour + time.Duration(i)*time.Second).Format(time.RFC3339)
			}
			fake.addTickets(bad...)
			var second collectortest.Recorder
			if err := src.Sync(context.Background(), first.LastCursor(t), second.Emit); err != nil {
				t.Fatal(err)
			}
			if got := len(second.TicketIDs()); got != tc.count {
				t.Errorf("second sync stored %d tickets, want the %d fixed ones", got, tc.count)
			}
		})
	}
}

// A rating of a ticket whose update time is implausible waits in the
// cursor, as the ratings' position moves on, until the ticket is stored.
func TestSyncHoldsTheRatingOfAnImplausibleTicket(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1, 1, start, 0)...)
	future := ticketsAt(t, 7, 1, collectortest.Time(t, "2031-01-01T00:00:00Z"), 0)[0]
	future["created_at"] = "2025-02-01T00:00:00Z"
	fake.addTickets(future)
	fake.ratings = []map[string]any{
		realRating(t, map[string]any{"id": 1, "ticket_id": 7, "created_at": "2025-03-01T00:10:00Z", "ratings": map[string]any{"default_question": -103}}),
		realRating(t, map[string]any{"id": 2, "ticket_id": 1, "created_at": "2031-01-01T00:00:00Z"}),
	}
	rejected := map[string]int{}
	src := boundsSource(t, fake, srv.URL, rejected)
	var first collectortest.Recorder
	if err := src.Sync(context.Background(), nil, first.Emit); err != nil {
		t.Fatal(err)
	}
	cur := unmarshalCursor(t, first.LastCursor(t))
	if cur.Held[7] != item.RatingBad || !cur.Ratings.Since.Equal(collectortest.Time(t, "2025-03-01T00:09:59Z")) {
		t.Errorf("cursor %+v: want ticket 7's bad rating held, ratings past it but not past our clock", cur)
	}
	if rejected[door.ReasonFuture] != 2 {
		t.Errorf("rejected %v, want ticket 7 and rating 2 as future", rejected)
	}

	future["updated_at"] = "2025-03-01T00:20:00Z" // fixed by the vendor
	fake.addTickets(future)
	var second collectortest.Recorder
	if err := src.Sync(context.Background(), first.LastCursor(t), second.Emit); err != nil {
		t.Fatal(err)
	}
	if got := second.Ticket(t, "7").Satisfaction; got != item.RatingBad {
		t.Errorf("ticket 7 stored with rating %q, want the held bad one", got)
	}
	if held := unmarshalCursor(t, second.LastCursor(t)).Held; len(held) != 0 {
		t.Errorf("ratings still held after their ticket was stored: %v", held)
	}
}

// A position stored in the future (before implausible times were left
// out) would hide every change: the walk starts over.
func TestSyncStartsOverFromAPositionInTheFuture(t *testing.T) {
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1, 3, collectortest.Time(t, "2025-03-01T00:00:00Z"), time.Minute)...)
	stored, err := json.Marshal(cursor{Tickets: position{Since: collectortest.Time(t, "2031-01-01T00:00:00Z")}})
	if err != nil {
		t.Fatal(err)
	}
	var rec collectortest.Recorder
	if err := boundsSource(t, fake, srv.URL, map[string]int{}).Sync(context.Background(), stored, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if got := rec.TicketIDs(); len(got) != 3 {
		t.Errorf("stored %v, want the three tickets", got)
	}
}

// The body cap fits a page of maxBodyBytes and refuses one byte more.
func TestNewCapsResponseSize(t *testing.T) {
	for _, tc := range []struct {
		size int
		ok   bool
	}{{maxBodyBytes, true}, {maxBodyBytes + 1, false}} {
		fake, srv := newFake(t, "")
		fake.setFault("/api/v2/tickets", fault{body: "[" + strings.Repeat(" ", tc.size-2) + "]"})
		var rec collectortest.Recorder
		err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
		if ok := err == nil && len(rec.Batches) == 1; ok != tc.ok {
			t.Errorf("page of %d bytes: error %v, %d batches; want accepted %v", tc.size, err, len(rec.Batches), tc.ok)
		}
	}
}
