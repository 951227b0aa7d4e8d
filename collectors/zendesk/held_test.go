package zendesk

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// heldNow is the exporter's clock in the tests of held tickets: a time
// after 2025-03-10T13:00 or before 2000 is implausible.
var heldNow = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// A held ticket that Zendesk no longer shows (404: gone for good, not
// merely deleted, which the export lists) is held no more. The simulator
// shows every ticket it ever exported, hence the canned answers;
// sim_test.go holds the tests of held tickets against it.
func TestSyncDropsAHeldTicketGone(t *testing.T) {
	_, srv := newCanned(t, "", map[string]string{"c9": ticketPage(t, "c9", true)})
	env := testEnv(srv.URL, time.Time{})
	env.Config.Options = &Options{ExportRequestsPerMinute: 1_000_000}
	env.Now = func() time.Time { return heldNow }
	env.Bounds = door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: env.Now}
	var rec collectortest.Recorder
	if err := collectortest.NewSource(t, New, env).Sync(context.Background(), []byte(`{"after_cursor":"c9","held":[1]}`), rec.Emit); err != nil {
		t.Fatal(err)
	}
	if len(rec.Batches) == 0 || string(rec.LastCursor(t)) != "c9" || len(rec.TicketIDs()) != 0 {
		t.Errorf("batches %+v, want the cursor c9 alone stored, no ticket", rec.Batches)
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
