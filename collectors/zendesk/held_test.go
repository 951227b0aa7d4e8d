package zendesk

import (
	"context"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// heldNow is the exporter's clock in the tests of held tickets: a time
// after 2031 or before 2000 is implausible.
var heldNow = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// boundsEnv is a source's Env with the door's bounds at heldNow, counting
// what the collector refuses by reason.
func boundsEnv(rawURL string, historyStart time.Time, rejected map[string]int) source.Env {
	env := testEnv(rawURL, historyStart)
	env.Config.Options = &Options{ExportRequestsPerMinute: 1_000_000}
	env.Now = func() time.Time { return heldNow }
	env.Bounds = door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: env.Now}
	env.Reject = func(reason string) { rejected[reason]++ }
	return env
}

// storing runs syncs of src as the exporter does: from the stored cursor,
// storing each batch's.
type storing struct {
	src    source.Source
	cursor []byte
	rec    collectortest.Recorder
}

func (s *storing) sync(ctx context.Context) error {
	return s.src.Sync(ctx, s.cursor, func(b item.Batch) error {
		if b.Cursor != nil {
			s.cursor = b.Cursor
		}
		return s.rec.Emit(b)
	})
}

// dated is ticket id of the recorded page created and updated at the times
// given (RFC 3339).
func dated(t *testing.T, id int, created, updated string) map[string]any {
	return realTicket(t, map[string]any{"id": id, "created_at": created, "updated_at": updated})
}

func showPath(id int) string {
	return "/api/v2/tickets/" + strconv.Itoa(id) + ".json?include=metric_sets"
}

// A vendor clock that ran years ahead or a century back while the export
// passed a ticket: the ticket is refused (and counted), its id held in the
// cursor, and the export moves on with the other tickets. Each later sync
// reads the held tickets again with their metric sets, one request each:
// one still dated implausibly stays held, one dated plausibly is stored
// (unless created before the history start), one gone (404) is dropped.
func TestSyncHoldsTicketsRefusedForTheirTimes(t *testing.T) {
	historyStart := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	first := fakePage{afterCursor: "c1", tickets: []map[string]any{
		dated(t, 1, "2023-09-18T15:57:42Z", "2035-09-18T15:57:42Z"), // years ahead
		dated(t, 2, "2023-09-18T15:57:42Z", "2023-09-18T16:00:00Z"),
	}}
	second := fakePage{afterCursor: "c2", endOfStream: true, tickets: []map[string]any{
		// A century back: its creation before the history start says
		// nothing of the true one.
		dated(t, 3, "1923-09-18T15:57:42Z", "1923-09-18T16:10:00Z"),
		dated(t, 4, "2023-09-18T15:57:42Z", "2023-09-18T16:20:00Z"),
		// Truly created before the history start, updated years ahead.
		dated(t, 5, "2015-01-01T00:00:00Z", "2035-01-01T00:00:00Z"),
	}}
	fake, srv := newFakeZendesk(t, "", map[string]fakePage{"": first, "c1": second, "c2": ticketPage(t, "c2", true)})
	rejected := map[string]int{}
	s := &storing{src: collectortest.NewSource(t, New, boundsEnv(srv.URL, historyStart, rejected))}

	if err := s.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.rec.TicketIDs(), ","); got != "2,4" {
		t.Errorf("first sync stored tickets %s, want 2,4", got)
	}
	if got, want := strings.Join(cursors(s.rec.Batches), " "), `{"after_cursor":"c1","held":[1]} {"after_cursor":"c2","held":[1,3,5]}`; got != want {
		t.Errorf("cursors %s, want %s", got, want)
	}
	if want := map[string]int{door.ReasonFuture: 2, door.ReasonPast: 1}; !maps.Equal(rejected, want) {
		t.Errorf("rejected %v, want %v", rejected, want)
	}
	if shows := fake.showing(); len(shows) != 0 {
		t.Errorf("tickets read in the sync that held them: %q", shows)
	}

	// Zendesk's clock is right again for tickets 3 and 5, not yet for 1.
	fake.show(1, dated(t, 1, "2023-09-18T15:57:42Z", "2035-09-18T15:57:42Z"), nil)
	set := realMetricSets(t)[0]
	set["ticket_id"] = 3
	fake.show(3, dated(t, 3, "2023-09-18T15:57:42Z", "2023-09-18T16:10:00Z"), set)
	fake.show(5, dated(t, 5, "2015-01-01T00:00:00Z", "2025-01-01T00:00:00Z"), nil)
	s.rec = collectortest.Recorder{}
	if err := s.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(fake.showing(), " "), showPath(1)+" "+showPath(3)+" "+showPath(5); got != want {
		t.Errorf("second sync read %s, want %s", got, want)
	}
	if got := strings.Join(s.rec.TicketIDs(), ","); got != "3" {
		t.Errorf("second sync stored tickets %s, want 3 (5 is older than the history start)", got)
	}
	if tk := s.rec.Ticket(t, "3"); tk.Figures == nil || tk.Figures.Replies != 1 || !tk.CreatedAt.Equal(collectortest.Time(t, "2023-09-18T15:57:42Z")) {
		t.Errorf("ticket 3 stored as %+v with figures %+v, want its true creation and its metric set", tk, tk.Figures)
	}
	if got := string(s.cursor); got != `{"after_cursor":"c2","held":[1]}` {
		t.Errorf("cursor %s, want ticket 1 held alone", got)
	}
	if rejected[door.ReasonFuture] != 3 {
		t.Errorf("rejected %v, want ticket 1 refused once more", rejected)
	}

	// Ticket 1 was deleted for good: 404.
	fake.show(1, nil, nil)
	if err := s.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := string(s.cursor); got != "c2" {
		t.Errorf("cursor %s, want Zendesk's c2 alone", got)
	}
	shows := len(fake.showing())
	if err := s.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.showing()) - shows; n != 0 {
		t.Errorf("%d tickets read with none held", n)
	}
	if got := strings.Join(s.rec.TicketIDs(), ","); got != "3" {
		t.Errorf("tickets stored after the first sync %s, want 3 alone, once", got)
	}
}

// A held ticket that the export brings again, dated plausibly, is stored
// from the export and no longer held: it is not read alone.
func TestSyncTakesAHeldTicketFromTheExport(t *testing.T) {
	fake, srv := newFakeZendesk(t, "", map[string]fakePage{"c1": ticketPage(t, "c2", true, 7)})
	s := &storing{src: collectortest.NewSource(t, New, boundsEnv(srv.URL, time.Time{}, map[string]int{})), cursor: []byte(`{"after_cursor":"c1","held":[7]}`)}
	if err := s.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.rec.TicketIDs(), ","); got != "7" || string(s.cursor) != "c2" {
		t.Errorf("stored %s with cursor %s, want ticket 7 and c2", got, s.cursor)
	}
	if shows := fake.showing(); len(shows) != 0 {
		t.Errorf("read %q", shows)
	}
}

// A page whose refused tickets would hold more than maxHeld is not taken:
// the export stops before it (nothing of it stored, its refusals counted),
// the held tickets are read, and the sync fails with reason decode. The next sync
// takes the page, the held ones having been read.
func TestSyncStopsAtAPageThatWouldHoldTooMany(t *testing.T) {
	page := fakePage{afterCursor: "c1", endOfStream: true, tickets: []map[string]any{
		dated(t, 500, "2023-09-18T15:57:42Z", "2035-09-18T15:57:42Z"),
		dated(t, 501, "2023-09-18T15:57:42Z", "2023-09-18T16:00:00Z"),
	}}
	fake, srv := newFakeZendesk(t, "", map[string]fakePage{"c0": page})
	held := make([]int64, maxHeld)
	for i := range held {
		held[i] = int64(i + 1)
		fake.show(i+1, dated(t, i+1, "2023-09-18T15:57:42Z", "2023-09-18T16:00:00Z"), nil)
	}
	rejected := map[string]int{}
	s := &storing{src: collectortest.NewSource(t, New, boundsEnv(srv.URL, time.Time{}, rejected)),
		cursor: position{after: "c0", held: held}.encode()}

	err := s.sync(context.Background())
	collectortest.WantSyncError(t, err, fetch.ReasonDecode, "zendesk: export page 1: ")
	if err != nil && !strings.Contains(err.Error(), "beyond the 100 this source holds") {
		t.Errorf("error %q does not say why", err)
	}
	if n := len(s.rec.TicketIDs()); n != maxHeld || rejected[door.ReasonFuture] != 1 || len(rejected) != 1 {
		t.Errorf("stored %d tickets, rejected %v; want the %d held ones read again, nothing of the page, ticket 500 refused", n, rejected, maxHeld)
	}
	if got := string(s.cursor); got != "c0" {
		t.Errorf("cursor %s, want c0: the page was not taken", got)
	}
	if err := s.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := string(s.cursor); got != `{"after_cursor":"c1","held":[500]}` || rejected[door.ReasonFuture] != 2 {
		t.Errorf("cursor %s, rejected %v; want the page taken, ticket 500 held", got, rejected)
	}
	if tk := s.rec.Ticket(t, "501"); tk.ID != "501" {
		t.Errorf("ticket 501 not stored")
	}
	if n := len(fake.showing()); n != maxHeld {
		t.Errorf("%d tickets read, want each held one once", n)
	}
}

// Reading held tickets counts against max_requests_per_sync, one request
// each: a sync that cannot read them all stores what it read, and the next
// ones read the rest.
func TestSyncReadsHeldTicketsWithinTheBudget(t *testing.T) {
	fake, srv := newFakeZendesk(t, "", map[string]fakePage{"c9": ticketPage(t, "c9", true)})
	for id := 1; id <= 5; id++ {
		fake.show(id, dated(t, id, "2023-09-18T15:57:42Z", "2023-09-18T16:00:00Z"), nil)
	}
	s := &storing{src: collectortest.NewSource(t, New, boundsEnv(srv.URL, time.Time{}, map[string]int{})),
		cursor: []byte(`{"after_cursor":"c9","held":[1,2,3,4,5]}`)}
	// The export page and 2 tickets a sync.
	const budget = 3
	for n, want := range []string{`{"after_cursor":"c9","held":[3,4,5]}`, `{"after_cursor":"c9","held":[5]}`} {
		err := s.sync(fetch.StartSync(context.Background(), budget))
		if fetch.Reason(err) != fetch.ReasonBudget || string(s.cursor) != want {
			t.Fatalf("sync %d: %v, cursor %s; want the budget, cursor %s", n+1, err, s.cursor, want)
		}
	}
	if err := s.sync(fetch.StartSync(context.Background(), budget)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.rec.TicketIDs(), ","); got != "1,2,3,4,5" || string(s.cursor) != "c9" {
		t.Errorf("stored %s, cursor %s; want each held ticket once, and c9", got, s.cursor)
	}
	if n := len(fake.showing()); n != 5 {
		t.Errorf("%d tickets read, want 5", n)
	}
}

// A cursor stored before tickets were held is Zendesk's after_cursor alone,
// and still resumes where it was; a cursor with held tickets that cannot be
// read starts over from the history start.
func TestPositionCursor(t *testing.T) {
	cases := []struct {
		stored string
		want   position
		err    bool
	}{
		{stored: "MTY5NTA1MjY2My4wfHwyOHw=", want: position{after: "MTY5NTA1MjY2My4wfHwyOHw="}},
		{stored: `{"after_cursor":"MTY5NTA1MjY2My4wfHwyOHw=","held":[28,3]}`, want: position{after: "MTY5NTA1MjY2My4wfHwyOHw=", held: []int64{28, 3}}},
		{stored: `{"after_cursor":"c1","held":["28"]}`, err: true},
	}
	for _, tc := range cases {
		got, err := decodePosition([]byte(tc.stored))
		if (err != nil) != tc.err || !got.equal(tc.want) {
			t.Errorf("%s: %+v (%v), want %+v", tc.stored, got, err, tc.want)
		}
		if err == nil && string(got.encode()) != tc.stored {
			t.Errorf("%s encodes again as %s", tc.stored, got.encode())
		}
	}
	if got := string((position{held: []int64{4}}).encode()); got != `{"after_cursor":"","held":[4]}` {
		t.Errorf("held before any after_cursor encodes as %s", got)
	}

	fake, srv := newFakeZendesk(t, "", map[string]fakePage{"": ticketPage(t, "c1", true, 1)})
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), []byte(`{"held":`), rec.Emit); err != nil {
		t.Fatal(err)
	}
	if q := fake.queries(); len(q) != 1 || !q[0].Has("start_time") {
		t.Errorf("queries %v, want the export from the history start", q)
	}
}

// Show Ticket's real answer decodes as the export's tickets do.
func TestDecodeRealShownTicket(t *testing.T) {
	got, err := decodeTicket(collectortest.Testdata(t, "go-zendesk_GET_ticket.json"), 2)
	if err != nil {
		t.Fatal(err)
	}
	want := item.Ticket{ID: "2", CreatedAt: collectortest.Time(t, "2019-06-03T02:23:47Z"), UpdatedAt: collectortest.Time(t, "2019-06-05T01:13:24Z"),
		Status: item.StatusSolved, Tags: []string{}}
	if got.ID != want.ID || !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) || got.Status != want.Status || got.Figures != nil {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := decodeTicket(collectortest.Testdata(t, "go-zendesk_GET_ticket.json"), 3); err == nil || !strings.Contains(err.Error(), "asked for ticket 3, got ticket 2") {
		t.Errorf("another ticket's answer: %v", err)
	}
	if _, err := decodeTicket([]byte(`{"tickets":[]}`), 2); err == nil {
		t.Error("an answer without a ticket decoded")
	}
}
