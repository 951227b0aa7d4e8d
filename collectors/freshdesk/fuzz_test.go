package freshdesk

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// FuzzDecodeTicketList feeds arbitrary bodies to the ticket list decoder
// and maps what it accepts: it must never panic, and every ticket must be
// usable, its figures and timeline never before its creation.
func FuzzDecodeTicketList(f *testing.F) {
	f.Add(collectortest.Marshal(f, airbyteRecords(f, ticketsFile, "tickets")))
	f.Add([]byte("[" + string(collectortest.Testdata(f, "python-freshdesk_ticket_1.json")) + "]"))
	f.Add([]byte(`[{"id":1,"created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z","status":7,"priority":null,` +
		`"stats":{"first_responded_at":"2024-01-01T00:00:00Z","reopened_at":"2025-01-02T00:00:00+05:30"}}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	c := newTestCollector(f, map[string]string{"6": "on_hold"})
	valid := map[item.Status]bool{item.StatusOpen: true, item.StatusPending: true, item.StatusOnHold: true,
		item.StatusSolved: true, item.StatusClosed: true}
	f.Fuzz(func(t *testing.T, body []byte) {
		list, err := decodeTicketList(body)
		if err != nil {
			return
		}
		for _, a := range list {
			tk := c.ticket(a, nil, item.RatingNone)
			if tk.ID == "" || tk.CreatedAt.IsZero() || tk.UpdatedAt.IsZero() || !valid[tk.Status] {
				t.Errorf("accepted unusable ticket %+v", tk)
			}
			for _, e := range tk.Events {
				if e.At.Before(tk.CreatedAt) {
					t.Errorf("ticket %s: event before creation: %+v", tk.ID, e)
				}
			}
			if fg := tk.Figures; fg != nil && (before(fg.FirstReplyAt, tk.CreatedAt) || before(fg.FirstSolvedAt, tk.CreatedAt)) {
				t.Errorf("ticket %s: figures before creation: %+v", tk.ID, fg)
			}
		}
	})
}

func before(at, created time.Time) bool { return !at.IsZero() && at.Before(created) }

// FuzzDecodeConversations: accepted conversations are dated and classified
// without panicking.
func FuzzDecodeConversations(f *testing.F) {
	f.Add(collectortest.Testdata(f, "python-freshdesk_conversations.json"))
	f.Add(collectortest.Marshal(f, airbyteRecords(f, othersFile, "conversations")))
	f.Add([]byte(`[{"incoming":true,"private":true,"source":6,"user_id":-1,"created_at":"2025-01-01T00:00:00Z"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		convs, err := decodeConversations(body)
		if err != nil {
			return
		}
		for _, cv := range convs {
			if cv.CreatedAt.IsZero() {
				t.Errorf("accepted undated conversation %+v", cv)
			}
			if kind, ok := cv.kind(1); ok && kind != item.EventVendorReply && kind != item.EventCustomerReply {
				t.Errorf("conversation %+v classified %q", cv, kind)
			}
		}
	})
}

// FuzzDecodeRatings: accepted ratings have what the ratings walk reads.
func FuzzDecodeRatings(f *testing.F) {
	f.Add(collectortest.Marshal(f, airbyteRecords(f, othersFile, "satisfaction_ratings")))
	f.Add([]byte(`[{"id":1,"ticket_id":2,"created_at":"2025-01-01T00:00:00Z","ratings":{"default_question":-9223372036854775808}}]`))
	f.Add([]byte(`[{"id":1,"ticket_id":2,"created_at":"2025-01-01T00:00:00Z","ratings":null}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ratings, err := decodeRatings(body)
		if err != nil {
			return
		}
		for _, r := range ratings {
			if r.ID == nil || r.TicketID == nil || r.CreatedAt.IsZero() {
				t.Errorf("accepted incomplete rating %+v", r)
			}
			switch r.rating() {
			case item.RatingNone, item.RatingGood, item.RatingBad:
			default:
				t.Errorf("rating %+v mapped to %q", r, r.rating())
			}
		}
	})
}

// FuzzDecodeCursor: a stored cursor that decodes can be walked from and
// encoded again.
func FuzzDecodeCursor(f *testing.F) {
	f.Add([]byte(`{"tickets":{"since":"2025-03-01T04:08:59Z","seen":{"1249":"2025-03-01T04:09:00Z"}},"ratings":{"since":"2025-03-01T00:00:00Z"}}`))
	f.Add([]byte(`{"tickets":{"seen":null}}`))
	f.Add([]byte(`c9`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCursor(b, time.Time{})
		if err != nil {
			return
		}
		c.Tickets.advance(c.Tickets.Since.Add(time.Hour))
		c.Tickets.remember("1", c.Tickets.Since)
		if _, err := c.encode(); err != nil {
			t.Errorf("cursor %+v does not encode: %v", c, err)
		}
	})
}

// FuzzHasNextLink: any Link header is read without panicking.
func FuzzHasNextLink(f *testing.F) {
	f.Add(`<https://acme.freshdesk.com/api/v2/tickets?page=2&per_page=100>; rel="next"`)
	f.Add(`<a>; rel="prev", <b>; rel=next`)
	f.Add(`<<>>;;rel==",`)
	f.Fuzz(func(t *testing.T, v string) {
		hasNextLink([]string{v})
	})
}
