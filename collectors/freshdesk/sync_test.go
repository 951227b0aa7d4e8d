package freshdesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// testEnv builds the source's environment as the exporter does, the HTTP
// client from an http_client config with the API key and "X".
func testEnv(t testing.TB, rawURL string, historyStart time.Time) source.Env {
	t.Helper()
	httpCfg := commoncfg.HTTPClientConfig{BasicAuth: &commoncfg.BasicAuth{Username: apiKey, Password: "X"}}
	hc, err := commoncfg.NewClientFromConfig(httpCfg, "freshdesk")
	if err != nil {
		t.Fatal(err)
	}
	env := collectortest.Env("freshdesk", rawURL, hc)
	env.Config.HTTPClient = httpCfg
	env.HistoryStart = historyStart
	return env
}

func newTestSource(t testing.TB, rawURL string, historyStart time.Time) source.Source {
	t.Helper()
	return collectortest.NewSource(t, New, testEnv(t, rawURL, historyStart))
}

func idRange(first, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(first + i)
	}
	return out
}

func sortedNumerically(ids []string) []string {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	return out
}

// countPrefix counts the requests whose path?query starts with prefix.
func countPrefix(queries []string, prefix string) int {
	n := 0
	for _, q := range queries {
		if strings.HasPrefix(q, prefix) {
			n++
		}
	}
	return n
}

const ticketsQuery = "/api/v2/tickets?include=stats&order_by=updated_at&order_type=asc&per_page=100&updated_since="
const ratingsQuery = "/api/v2/surveys/satisfaction_ratings?created_since="

func TestSyncWalksTicketsByKeyset(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	historyStart := collectortest.Time(t, "2025-01-01T00:00:00Z")
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1000, 250, start, time.Minute)...)
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, historyStart).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.TicketIDs(), idRange(1000, 250); !slices.Equal(got, want) {
		t.Errorf("emitted %d tickets %v..., want each of 1000..1249 once in update order", len(got), got[:min(len(got), 5)])
	}
	if len(rec.Batches) != 3 {
		t.Errorf("%d batches, want one per ticket page: 3", len(rec.Batches))
	}
	// Page 1 from the history start; then from the latest update seen less
	// a second, always page 1: the overlapping ticket is skipped.
	lists := filterPrefix(fake.queries(), "/api/v2/tickets?")
	want := []string{
		ticketsQuery + "2025-01-01T00%3A00%3A00Z",
		ticketsQuery + "2025-03-01T01%3A38%3A59Z",
		ticketsQuery + "2025-03-01T03%3A17%3A59Z",
	}
	if !slices.Equal(lists, want) {
		t.Errorf("ticket list requests\n got %q\nwant %q", lists, want)
	}
	if n := countPrefix(fake.queries(), "/api/v2/tickets/"); n != 250 {
		t.Errorf("%d conversation requests, want one per ticket: 250", n)
	}
	last := unmarshalCursor(t, rec.LastCursor(t))
	if !last.Tickets.Since.Equal(collectortest.Time(t, "2025-03-01T04:08:59Z")) || !last.Tickets.taken("1249", collectortest.Time(t, "2025-03-01T04:09:00Z")) {
		t.Errorf("final ticket position %+v, want since the last update less a second, the last ticket taken", last.Tickets)
	}
}

func filterPrefix(queries []string, prefix string) []string {
	var out []string
	for _, q := range queries {
		if strings.HasPrefix(q, prefix) {
			out = append(out, q)
		}
	}
	return out
}

// A ticket updated while the walk runs moves to the end of the list; with
// page numbers the ticket after page 1 would then slide onto page 1, unread.
func TestSyncMissesNoTicketUpdatedDuringTheWalk(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1, 150, start, time.Minute)...)
	fake.served = func(path string, page int) {
		if path == "/api/v2/tickets" && page == 1 && fake.served != nil {
			fake.served = nil // once
			fake.tickets[5]["updated_at"] = "2025-03-09T00:00:00Z"
		}
	}
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	got := rec.TicketIDs()
	if want := append(idRange(1, 150), "5"); !slices.Equal(got, want) {
		t.Errorf("emitted %v, want 1..150 and ticket 5 again with its update", got)
	}
}

// A page whose tickets all share one second cannot move the keyset: the
// walk follows the page numbers of that query.
func TestSyncFollowsPagesWithinOneSecond(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1, 150, start, 0)...)
	fake.addTickets(ticketsAt(t, 151, 1, start.Add(time.Hour), 0)...)
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if got := rec.TicketIDs(); !slices.Equal(sortedNumerically(got), idRange(1, 151)) || len(got) != 151 {
		t.Errorf("emitted %d tickets, want 1..151 once each", len(got))
	}
	lists := filterPrefix(fake.queries(), "/api/v2/tickets?")
	// The first page moves the keyset to the second before; the page from
	// there holds only taken tickets of one second: page 2 follows.
	want := []string{
		ticketsQuery + "1970-01-01T00%3A00%3A00Z",
		ticketsQuery + "2025-02-28T23%3A59%3A59Z",
		"/api/v2/tickets?include=stats&order_by=updated_at&order_type=asc&page=2&per_page=100&updated_since=2025-02-28T23%3A59%3A59Z",
	}
	if !slices.Equal(lists, want) {
		t.Errorf("ticket list requests\n got %q\nwant %q", lists, want)
	}
}

func TestSyncCaughtUpCostsTheMinimum(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1, 3, start, time.Minute)...)
	fake.ratings = []map[string]any{realRating(t, map[string]any{"ticket_id": 2, "created_at": "2025-03-01T00:05:00Z"})}
	src := newTestSource(t, srv.URL, start)
	var first collectortest.Recorder
	if err := src.Sync(context.Background(), nil, first.Emit); err != nil {
		t.Fatal(err)
	}
	before := len(fake.queries())
	var again collectortest.Recorder
	if err := src.Sync(context.Background(), first.Batches[len(first.Batches)-1].Cursor, again.Emit); err != nil {
		t.Fatal(err)
	}
	polled := fake.queries()[before:]
	if len(polled) != 2 || countPrefix(polled, ratingsQuery) != 1 || countPrefix(polled, ticketsQuery) != 1 {
		t.Errorf("caught-up poll sent %q, want one ratings and one ticket list request", polled)
	}
	if ids := again.TicketIDs(); len(ids) != 0 {
		t.Errorf("caught-up poll emitted tickets %v", ids)
	}
	if len(again.Batches) != 1 || again.Batches[0].Cursor == nil {
		t.Errorf("caught-up poll emitted %d batches, want one carrying the cursor", len(again.Batches))
	}
}

// Tickets updated in the second of the response, or just before it, may
// change again within their recorded second: the next walk takes them again.
func TestSyncTakesRecentTicketsAgain(t *testing.T) {
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1, 1, fake.now.Add(-time.Hour), 0)...)
	fake.addTickets(ticketsAt(t, 2, 1, fake.now.Add(-3*time.Second), 0)...)
	src := newTestSource(t, srv.URL, time.Time{})
	var first, again collectortest.Recorder
	if err := src.Sync(context.Background(), nil, first.Emit); err != nil {
		t.Fatal(err)
	}
	fake.now = fake.now.Add(time.Minute)
	if err := src.Sync(context.Background(), first.Batches[0].Cursor, again.Emit); err != nil {
		t.Fatal(err)
	}
	if got := again.TicketIDs(); !slices.Equal(got, []string{"2"}) {
		t.Errorf("second sync emitted %v, want the ticket updated 3s before the first response: [2]", got)
	}
	var settled collectortest.Recorder
	if err := src.Sync(context.Background(), again.Batches[0].Cursor, settled.Emit); err != nil {
		t.Fatal(err)
	}
	if got := settled.TicketIDs(); len(got) != 0 {
		t.Errorf("third sync emitted %v, want nothing: ticket 2 was settled when taken again", got)
	}
}

func TestSyncResumesFromStoredCursor(t *testing.T) {
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1, 3, collectortest.Time(t, "2025-03-01T00:00:00Z"), time.Second)...)
	stored := collectortest.Marshal(t, cursor{
		Tickets: position{Since: collectortest.Time(t, "2025-03-01T00:00:00Z"), Seen: map[string]time.Time{
			"1": collectortest.Time(t, "2025-03-01T00:00:00Z"), // unchanged: skipped
			"2": collectortest.Time(t, "2025-02-28T00:00:00Z"), // changed since
		}},
		Ratings: position{Since: collectortest.Time(t, "2025-02-01T00:00:00Z")},
	})
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, collectortest.Time(t, "2020-01-01T00:00:00Z")).Sync(context.Background(), stored, rec.Emit); err != nil {
		t.Fatal(err)
	}
	q := fake.queries()
	if q[0] != ratingsQuery+"2025-02-01T00%3A00%3A00Z&per_page=100" || q[1] != ticketsQuery+"2025-03-01T00%3A00%3A00Z" {
		t.Errorf("first requests %q, want the stored positions", q[:2])
	}
	if got := rec.TicketIDs(); !slices.Equal(got, []string{"2", "3"}) {
		t.Errorf("emitted %v, want [2 3]", got)
	}
}

func TestSyncUnreadableCursorStartsOver(t *testing.T) {
	fake, srv := newFake(t, "")
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, collectortest.Time(t, "2025-01-01T00:00:00Z")).Sync(context.Background(), []byte("c9"), rec.Emit); err != nil {
		t.Fatal(err)
	}
	if q := fake.queries(); len(q) != 2 || q[1] != ticketsQuery+"2025-01-01T00%3A00%3A00Z" {
		t.Errorf("requests %q, want a walk from the history start", q)
	}
}

func TestSyncFirstRequestSince(t *testing.T) {
	cases := []struct {
		name         string
		historyStart time.Time
		want         string
	}{
		// Without updated_since Freshdesk would list only 30 days.
		{name: "no history start", want: "1970-01-01T00%3A00%3A00Z"},
		{name: "history start", historyStart: collectortest.Time(t, "2025-01-01T00:00:00Z"), want: "2025-01-01T00%3A00%3A00Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, srv := newFake(t, "")
			var rec collectortest.Recorder
			if err := newTestSource(t, srv.URL, tc.historyStart).Sync(context.Background(), nil, rec.Emit); err != nil {
				t.Fatal(err)
			}
			want := []string{ratingsQuery + tc.want + "&per_page=100", ticketsQuery + tc.want}
			if q := fake.queries(); !slices.Equal(q, want) {
				t.Errorf("requests %q, want %q", q, want)
			}
		})
	}
}

func TestSyncDropsTicketsCreatedBeforeHistoryStart(t *testing.T) {
	fake, srv := newFake(t, "")
	old := realTicket(t, map[string]any{"id": 1, "created_at": "2024-12-31T23:59:59Z", "updated_at": "2025-03-01T00:00:00Z"})
	recent := realTicket(t, map[string]any{"id": 2, "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-03-01T00:00:01Z"})
	fake.addTickets(old, recent)
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, collectortest.Time(t, "2025-01-01T00:00:00Z")).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if got := rec.TicketIDs(); !slices.Equal(got, []string{"2"}) {
		t.Errorf("emitted %v, want [2]", got)
	}
	if n := countPrefix(fake.queries(), "/api/v2/tickets/1/"); n != 0 {
		t.Errorf("%d conversation requests for the old ticket, want 0", n)
	}
}

func TestSyncFetchesEveryConversationPage(t *testing.T) {
	fake, srv := newFake(t, "")
	fake.addTickets(realTicket(t, map[string]any{"created_at": "2025-03-01T00:00:00Z", "updated_at": "2025-03-02T00:00:00Z"}))
	created := collectortest.Time(t, "2025-03-01T00:00:00Z")
	for i := range 130 {
		incoming := i%2 == 1
		fake.conversations[22] = append(fake.conversations[22], realConversation(t, map[string]any{
			"id": 5000 + i, "incoming": incoming, "private": false, "user_id": 67013469919,
			"created_at": created.Add(time.Duration(i+1) * time.Minute).Format(time.RFC3339)}))
	}
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	want := []string{"/api/v2/tickets/22/conversations?per_page=100", "/api/v2/tickets/22/conversations?page=2&per_page=100"}
	if got := filterPrefix(fake.queries(), "/api/v2/tickets/22/"); !slices.Equal(got, want) {
		t.Errorf("conversation requests %q, want %q", got, want)
	}
	if tk := rec.Batches[0].Tickets[0]; len(tk.Events) != 130 || tk.Figures.Replies != 65 {
		t.Errorf("%d events, %d replies; want 130 and 65", len(tk.Events), tk.Figures.Replies)
	}
}

func TestSyncRatings(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1, 2, start, time.Minute)...)
	// Ticket 9 was rated after its last change, before the stored position.
	fake.addTickets(ticketsAt(t, 9, 1, start.Add(-48*time.Hour), 0)...)
	fake.ratings = []map[string]any{
		realRating(t, map[string]any{"id": 1, "ticket_id": 1, "created_at": "2025-03-01T00:10:00Z", "ratings": map[string]any{"default_question": -103}}),
		realRating(t, map[string]any{"id": 2, "ticket_id": 9, "created_at": "2025-03-01T00:11:00Z", "ratings": map[string]any{"default_question": 100}}),
		realRating(t, map[string]any{"id": 3, "ticket_id": 9, "created_at": "2025-03-01T00:12:00Z"}), // 103
		realRating(t, map[string]any{"id": 4, "ticket_id": 404, "created_at": "2025-03-01T00:13:00Z"}),
		realRating(t, map[string]any{"id": 5, "ticket_id": 2, "created_at": "2025-03-01T00:14:00Z", "ratings": map[string]any{"default_question": 100}}),
	}
	stored := collectortest.Marshal(t, cursor{Tickets: position{Since: start}, Ratings: position{Since: start}})
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), stored, rec.Emit); err != nil {
		t.Fatal(err)
	}
	got := map[string]item.Rating{}
	for _, b := range rec.Batches {
		for _, tk := range b.Tickets {
			got[tk.ID] = tk.Satisfaction
		}
	}
	want := map[string]item.Rating{"1": item.RatingBad, "2": item.RatingNone, "9": item.RatingGood}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("satisfaction by ticket %v, want %v", got, want)
	}
	q := fake.queries()
	for _, path := range []string{"/api/v2/tickets/9?include=stats", "/api/v2/tickets/9/conversations?per_page=100", "/api/v2/tickets/404?include=stats"} {
		if !slices.Contains(q, path) {
			t.Errorf("no request %s in %q", path, q)
		}
	}
	if len(rec.Batches) != 2 || len(rec.Batches[1].Tickets) != 1 {
		t.Fatalf("%d batches, want the ticket page and one of rated tickets", len(rec.Batches))
	}
	// The ratings' position moves with the first batch; the ratings of
	// the tickets not stored yet wait in its cursor, and leave it as their
	// tickets are stored.
	first, last := unmarshalCursor(t, rec.Batches[0].Cursor), unmarshalCursor(t, rec.Batches[1].Cursor)
	for _, c := range []cursor{first, last} {
		if !c.Ratings.Since.Equal(collectortest.Time(t, "2025-03-01T00:13:59Z")) || !c.Ratings.taken("5", collectortest.Time(t, "2025-03-01T00:14:00Z")) {
			t.Errorf("ratings position %+v, want since the newest rating less a second", c.Ratings)
		}
	}
	if want := map[int64]item.Rating{9: item.RatingGood, 404: item.RatingGood}; fmt.Sprint(first.Held) != fmt.Sprint(want) {
		t.Errorf("ratings waiting after the ticket page %v, want %v", first.Held, want)
	}
	if len(last.Held) != 0 {
		t.Errorf("ratings waiting after the rated tickets %v, want none", last.Held)
	}
}

// unmarshalCursor reads a stored cursor as it was written, without the
// history start decodeCursor applies.
func unmarshalCursor(t testing.TB, raw []byte) cursor {
	t.Helper()
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSyncKeepsURLPathPrefix(t *testing.T) {
	cases := []struct{ serverPrefix, configured string }{
		{"", ""},
		{"", "/"},
		{"/fd", "/fd"},
		{"/fd", "/fd/"},
	}
	for _, tc := range cases {
		t.Run(tc.serverPrefix+"|"+tc.configured, func(t *testing.T) {
			fake, srv := newFake(t, tc.serverPrefix)
			fake.addTickets(ticketsAt(t, 1, 1, collectortest.Time(t, "2025-03-01T00:00:00Z"), 0)...)
			var rec collectortest.Recorder
			if err := newTestSource(t, srv.URL+tc.configured, time.Time{}).Sync(context.Background(), nil, rec.Emit); err != nil {
				t.Fatal(err)
			}
			if got := rec.TicketIDs(); !slices.Equal(got, []string{"1"}) {
				t.Errorf("emitted %v, want [1]", got)
			}
		})
	}
}

func TestSyncErrors(t *testing.T) {
	cases := []struct {
		name        string
		path        string
		fault       fault
		wantReason  string
		wantContext string
		wantBatches int
	}{
		{"401", "/api/v2/surveys/satisfaction_ratings", fault{status: http.StatusUnauthorized}, fetch.ReasonAuth, "satisfaction ratings page 1", 0},
		{"403", "/api/v2/tickets", fault{status: http.StatusForbidden}, fetch.ReasonAuth, "tickets page 1", 0},
		{"429", "/api/v2/tickets", fault{status: http.StatusTooManyRequests, retryAfter: "1"}, fetch.ReasonRateLimited, "tickets page 1", 0},
		{"500", "/api/v2/tickets", fault{status: http.StatusInternalServerError}, fetch.ReasonHTTP, "tickets page 1", 0},
		{"400 beyond page 300", "/api/v2/tickets", fault{status: http.StatusBadRequest}, fetch.ReasonHTTP, "tickets page 1", 0},
		{"malformed JSON", "/api/v2/tickets", fault{body: `[{"id":1,}]`}, fetch.ReasonDecode, "tickets page 1", 0},
		{"HTML error page", "/api/v2/tickets", fault{body: `<html><body>Service unavailable</body></html>`}, fetch.ReasonDecode, "tickets page 1", 0},
		{"truncated body", "/api/v2/tickets", fault{body: `[{"id":1,"created_at":`, truncated: true}, fetch.ReasonDecode, "tickets page 1", 0},
		{"object instead of list", "/api/v2/tickets", fault{body: `{"code":"invalid_value"}`}, fetch.ReasonDecode, "tickets page 1", 0},
		{"ticket without id", "/api/v2/tickets", fault{body: `[{"created_at":"2025-03-01T00:00:00Z"}]`}, fetch.ReasonDecode, "tickets page 1", 0},
		// A page that brings nothing is stored (its position is unchanged)
		// before the sync ends.
		{"empty page with next", "/api/v2/tickets", fault{body: `[]`, next: true}, fetch.ReasonLoop, "tickets page 1", 1},
		{"empty conversations page with next", "/api/v2/tickets/1/conversations", fault{body: `[]`, next: true}, fetch.ReasonLoop, "ticket 1 conversations page 1", 0},
		{"empty ratings page with next", "/api/v2/surveys/satisfaction_ratings", fault{body: `[]`, next: true}, fetch.ReasonLoop, "satisfaction ratings page 1", 0},
		{"conversations 500", "/api/v2/tickets/1/conversations", fault{status: http.StatusBadGateway}, fetch.ReasonHTTP, "ticket 1 conversations page 1", 0},
		{"conversations malformed", "/api/v2/tickets/1/conversations", fault{body: `[{"created_at":"yesterday"}]`}, fetch.ReasonDecode, "ticket 1 conversations page 1", 0},
		{"ratings malformed", "/api/v2/surveys/satisfaction_ratings", fault{body: `[{"id":1}]`}, fetch.ReasonDecode, "satisfaction ratings page 1", 0},
		// Page 1 is stored before page 2 fails.
		{"second page 503", "/api/v2/tickets", fault{nth: 2, status: http.StatusServiceUnavailable}, fetch.ReasonHTTP, "tickets page 2", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, srv := newFake(t, "")
			fake.addTickets(ticketsAt(t, 1, 150, collectortest.Time(t, "2025-03-01T00:00:00Z"), time.Minute)...)
			fake.setFault(tc.path, tc.fault)
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
			collectortest.WantSyncError(t, err, tc.wantReason, "freshdesk: "+tc.wantContext)
			if len(rec.Batches) != tc.wantBatches {
				t.Errorf("%d batches emitted, want %d", len(rec.Batches), tc.wantBatches)
			}
		})
	}
}

func TestSyncStopsWhenEmitFails(t *testing.T) {
	fake, srv := newFake(t, "")
	fake.addTickets(ticketsAt(t, 1, 250, collectortest.Time(t, "2025-03-01T00:00:00Z"), time.Minute)...)
	full := errors.New("disk full")
	calls := 0
	err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, func(item.Batch) error {
		calls++
		return full
	})
	if !errors.Is(err, full) || !strings.Contains(err.Error(), "freshdesk: storing tickets page 1") {
		t.Errorf("error %v, want the emit error with its context", err)
	}
	if calls != 1 || countPrefix(fake.queries(), "/api/v2/tickets?") != 1 {
		t.Errorf("%d emits, %d list requests after a failed emit; want 1 and 1", calls, countPrefix(fake.queries(), "/api/v2/tickets?"))
	}
}

func TestSyncWithoutCredentialsIsAuthError(t *testing.T) {
	_, srv := newFake(t, "")
	env := testEnv(t, srv.URL, time.Time{})
	env.HTTP = fetch.New(&http.Client{}, env.Limits, fetch.Options{Timeout: 10 * time.Second})
	src, err := New(env)
	if err != nil {
		t.Fatal(err)
	}
	err = src.Sync(context.Background(), nil, (&collectortest.Recorder{}).Emit)
	if fetch.Reason(err) != fetch.ReasonAuth {
		t.Errorf("error %v, want reason auth", err)
	}
}

func TestNewRejectsUnusableConfig(t *testing.T) {
	cases := []struct {
		name, url string
		statuses  map[string]string
		wantErr   string
	}{
		{name: "not a URL", url: "https://acme.freshdesk.com/%zz", wantErr: "invalid URL escape"},
		{name: "no scheme", url: "acme.freshdesk.com", wantErr: "scheme must be http or https"},
		{name: "ftp with password", url: "ftp://key:secret@acme.freshdesk.com", wantErr: "scheme must be http or https"},
		{name: "no host", url: "https:///api", wantErr: "no host"},
		{name: "credentials in URL", url: "https://key:secret@acme.freshdesk.com", wantErr: "credentials belong in http_client"},
		{name: "query", url: "https://acme.freshdesk.com/?lang=en", wantErr: "must not carry a query"},
		{name: "status id not a number", url: "https://acme.freshdesk.com", statuses: map[string]string{"waiting": "pending"}, wantErr: `"waiting" is not a status id`},
		{name: "status id zero", url: "https://acme.freshdesk.com", statuses: map[string]string{"0": "pending"}, wantErr: `"0" is not a status id`},
		{name: "unknown state", url: "https://acme.freshdesk.com", statuses: map[string]string{"6": "closed"}, wantErr: `6: "closed" is none of`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(t, tc.url, time.Time{})
			env.Config.Options = &Options{Statuses: tc.statuses}
			_, err := New(env)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
}

func TestHasNextLink(t *testing.T) {
	cases := []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{`<https://acme.freshdesk.com/api/v2/tickets?page=2&per_page=100>; rel="next"`}, true},
		{[]string{`<https://acme.freshdesk.com/api/v2/tickets?page=1>; rel="prev"`}, false},
		{[]string{`<https://x/a?page=1>; rel="prev", <https://x/a?page=3>; rel="next"`}, true},
		{[]string{`<https://x/a?page=1>; rel="prev"`, `<https://x/a?page=3>; rel=next`}, true},
		{[]string{`<https://x/a?q=a,b>; rel="prev next"`}, true},
		{[]string{`<https://x/a?rel=next>; rel="last"`}, false},
		{[]string{`rel="next"`}, false},
		{[]string{`<https://x/a; rel="next"`}, false},
	}
	for _, tc := range cases {
		if got := hasNextLink(tc.values); got != tc.want {
			t.Errorf("hasNextLink(%q) = %v, want %v", tc.values, got, tc.want)
		}
	}
}

func TestSyncRatedTicketErrors(t *testing.T) {
	cases := []struct {
		name       string
		fault      fault
		wantReason string
		wantErr    string
	}{
		{"502", fault{status: http.StatusBadGateway}, fetch.ReasonHTTP, "freshdesk: ticket 9: "},
		{"another ticket", fault{body: string(collectortest.Marshal(t, realTicket(t, map[string]any{"id": 10})))}, fetch.ReasonDecode, "asked for ticket 9, got ticket 10"},
		{"no status", fault{body: `{"id":9,"created_at":"2025-03-01T00:00:00Z","updated_at":"2025-03-01T00:00:00Z"}`}, fetch.ReasonDecode, "ticket 9: no status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, srv := newFake(t, "")
			fake.ratings = []map[string]any{realRating(t, map[string]any{"ticket_id": 9, "created_at": "2025-03-01T00:12:00Z"})}
			fake.setFault("/api/v2/tickets/9", tc.fault)
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
			if fetch.Reason(err) != tc.wantReason || err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want reason %s and %q", err, tc.wantReason, tc.wantErr)
			}
			// The ticket walk was stored with the ratings' position, the
			// rating of ticket 9 waiting in its cursor for the next sync.
			if len(rec.Batches) != 1 {
				t.Fatalf("%d batches, want the ticket page alone", len(rec.Batches))
			}
			cur := unmarshalCursor(t, rec.LastCursor(t))
			if !cur.Ratings.Since.Equal(collectortest.Time(t, "2025-03-01T00:11:59Z")) || cur.Held[9] != item.RatingGood || len(cur.Held) != 1 {
				t.Errorf("cursor %+v, want the ratings advanced and ticket 9's waiting", cur)
			}
		})
	}
}
