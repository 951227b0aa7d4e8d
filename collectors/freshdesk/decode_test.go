package freshdesk

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func newTestCollector(t testing.TB, statuses map[string]string) *collector {
	t.Helper()
	parsed, err := parseStatuses(statuses)
	if err != nil {
		t.Fatal(err)
	}
	return &collector{statuses: parsed}
}

// TestDecodeRecordedTickets maps the Airbyte sandbox's tickets (a closed
// one, an answered pending one, an escalated open one, a closed rated one)
// with their recorded conversations and rating.
func TestDecodeRecordedTickets(t *testing.T) {
	list, err := decodeTicketList(collectortest.Marshal(t, airbyteRecords(t, ticketsFile, "tickets")))
	if err != nil {
		t.Fatal(err)
	}
	convs, err := decodeConversations(collectortest.Marshal(t, airbyteRecords(t, othersFile, "conversations")))
	if err != nil {
		t.Fatal(err)
	}
	ratings, err := decodeRatings(collectortest.Marshal(t, airbyteRecords(t, othersFile, "satisfaction_ratings")))
	if err != nil {
		t.Fatal(err)
	}
	if len(ratings) != 1 || *ratings[0].TicketID != 23 || ratings[0].rating() != item.RatingGood {
		t.Fatalf("ratings %+v, want one good rating of ticket 23", ratings)
	}
	// The recorded conversations belong to tickets 22 (a public reply, a
	// private note) and 23 (the survey's feedback).
	byTicket := map[int64][]apiConversation{22: convs[:2], 23: convs[2:]}
	at := func(s string) time.Time { return collectortest.Time(t, s) }
	want := map[string]item.Ticket{
		"21": {ID: "21", CreatedAt: at("2022-11-16T15:59:28Z"), UpdatedAt: at("2022-11-16T15:59:28Z"), Priority: "low",
			Status: item.StatusClosed, Tags: []string{},
			Events:  []item.Event{{Kind: item.EventSolved, At: at("2022-11-16T15:59:28Z")}},
			Figures: &item.Figures{FirstSolvedAt: at("2022-11-16T15:59:28Z")}},
		"22": {ID: "22", CreatedAt: at("2022-11-16T16:03:17Z"), UpdatedAt: at("2022-11-16T16:17:05Z"), Priority: "low",
			Status: item.StatusPending, Tags: []string{},
			Events:  []item.Event{{Kind: item.EventVendorReply, At: at("2022-11-16T16:16:58Z")}},
			Figures: &item.Figures{FirstReplyAt: at("2022-11-16T16:16:58Z"), Replies: 1}},
		"20": {ID: "20", CreatedAt: at("2022-11-16T15:58:29Z"), UpdatedAt: at("2022-11-19T16:10:34Z"), Priority: "low",
			Status: item.StatusOpen, Tags: []string{}, Escalated: true, Figures: &item.Figures{}},
		"23": {ID: "23", CreatedAt: at("2022-11-22T15:00:34Z"), UpdatedAt: at("2022-11-22T15:02:37Z"), Priority: "low",
			Status: item.StatusClosed, Tags: []string{}, Satisfaction: item.RatingGood,
			Events:  []item.Event{{Kind: item.EventSolved, At: at("2022-11-22T15:00:34Z")}},
			Figures: &item.Figures{FirstSolvedAt: at("2022-11-22T15:00:34Z")}},
	}
	c := newTestCollector(t, nil)
	if len(list) != len(want) {
		t.Fatalf("decoded %d tickets, want %d", len(list), len(want))
	}
	for _, a := range list {
		rating := item.RatingNone
		if *a.ID == *ratings[0].TicketID {
			rating = ratings[0].rating()
		}
		got := c.ticket(a, byTicket[*a.ID], rating)
		if w := want[got.ID]; !reflect.DeepEqual(got, w) {
			t.Errorf("ticket %s\n got %+v %+v\nwant %+v %+v", got.ID, got, got.Figures, w, w.Figures)
		}
	}
}

// TestDecodeRecordedTicketView maps python-freshdesk's ticket view and
// conversations fixtures.
func TestDecodeRecordedTicketView(t *testing.T) {
	a, err := decodeTicket(collectortest.Testdata(t, "python-freshdesk_ticket_1.json"))
	if err != nil {
		t.Fatal(err)
	}
	convs, err := decodeConversations(collectortest.Testdata(t, "python-freshdesk_conversations.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := newTestCollector(t, nil).ticket(a, convs, item.RatingNone)
	at := func(s string) time.Time { return collectortest.Time(t, s) }
	want := item.Ticket{
		ID: "1", CreatedAt: at("2016-05-18T04:36:04Z"), UpdatedAt: at("2016-05-18T23:42:50Z"), Priority: "low",
		Status: item.StatusOpen, Tags: []string{"foo", "bar"}, Escalated: true,
		Events: []item.Event{
			{Kind: item.EventVendorReply, At: at("2016-05-19T05:36:14Z")}, // the note is private
			{Kind: item.EventSolved, At: at("2020-07-24T15:35:21Z")},
		},
		Figures: &item.Figures{FirstReplyAt: at("2020-06-17T20:23:43Z"), FirstSolvedAt: at("2020-07-24T15:35:21Z"), Replies: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ticket\n got %+v %+v\nwant %+v %+v", got, got.Figures, want, want.Figures)
	}
}

func TestDecodeErrors(t *testing.T) {
	ticket := func(without string) []byte {
		tk := realTicket(t, nil)
		delete(tk, without)
		return collectortest.Marshal(t, []any{tk})
	}
	cases := []struct {
		name    string
		decode  func([]byte) error
		body    string
		wantErr string
	}{
		{"tickets: object", listDecoder(decodeTicketList), `{"description":"Validation failed"}`, "cannot unmarshal object"},
		{"tickets: null", listDecoder(decodeTicketList), `null`, "not an array"},
		{"tickets: malformed", listDecoder(decodeTicketList), `[{"id":1,}]`, "invalid character"},
		{"tickets: no id", listDecoder(decodeTicketList), string(ticket("id")), "tickets[0]: no id"},
		{"tickets: no created_at", listDecoder(decodeTicketList), string(ticket("created_at")), "ticket 22: no created_at"},
		{"tickets: no updated_at", listDecoder(decodeTicketList), string(ticket("updated_at")), "ticket 22: no updated_at"},
		{"tickets: no status", listDecoder(decodeTicketList), string(ticket("status")), "ticket 22: no status"},
		{"tickets: text status", listDecoder(decodeTicketList), `[{"id":1,"status":"open"}]`, "cannot unmarshal string"},
		{"ticket view: no id", func(b []byte) error { _, err := decodeTicket(b); return err }, `{"status":2}`, "no id"},
		{"conversations: no created_at", listDecoder(decodeConversations), `[{"incoming":true,"private":false}]`, "conversations[0]: no created_at"},
		{"ratings: no ticket_id", listDecoder(decodeRatings), `[{"id":1,"created_at":"2025-01-01T00:00:00Z"}]`, "no ticket_id"},
		{"ratings: no id", listDecoder(decodeRatings), `[{"ticket_id":1,"created_at":"2025-01-01T00:00:00Z"}]`, "satisfaction_ratings[0]: no id"},
		{"ratings: no created_at", listDecoder(decodeRatings), `[{"id":1,"ticket_id":1}]`, "no created_at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.decode([]byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func listDecoder[T any](decode func([]byte) ([]T, error)) func([]byte) error {
	return func(b []byte) error { _, err := decode(b); return err }
}

func TestDecodeEmptyLists(t *testing.T) {
	if l, err := decodeTicketList([]byte(`[]`)); err != nil || len(l) != 0 {
		t.Errorf("tickets %v, %v; want an empty list", l, err)
	}
	if l, err := decodeRatings([]byte(` [ ] `)); err != nil || len(l) != 0 {
		t.Errorf("ratings %v, %v; want an empty list", l, err)
	}
}
