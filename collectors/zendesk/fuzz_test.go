package zendesk

import (
	"strconv"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// FuzzDecodePage feeds arbitrary bodies to the page decoder: it must never
// panic, and whatever it accepts must be a usable ticket.
func FuzzDecodePage(f *testing.F) {
	f.Add(collectortest.Testdata(f, "zenpy_incremental_tickets_cursor_first_page.json"))
	sets := realMetricSets(f)
	var tickets []map[string]any
	for _, m := range sets {
		tickets = append(tickets, realTicket(f, map[string]any{"id": m["ticket_id"]}))
	}
	f.Add(collectortest.Marshal(f, map[string]any{"tickets": tickets, "metric_sets": sets, "after_cursor": "c", "end_of_stream": true}))
	f.Add([]byte(`{"tickets":[{"id":1,"created_at":"2025-01-01T00:00:00Z","status":"hold","satisfaction_rating":{"score":"good"}}],` +
		`"metric_sets":[{"ticket_id":1,"reply_time_in_seconds":{"calendar":9223372036854775807}}],"end_of_stream":false}`))
	f.Add([]byte(`{"tickets":[],"after_cursor":null,"end_of_stream":true}`))
	f.Add([]byte(`{"tickets":null}`))

	valid := map[item.Status]bool{}
	for _, s := range ticketStatuses {
		valid[s] = true
	}
	historyStart := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, start := range []time.Time{{}, historyStart} {
			p, err := decodePage(body, start)
			if err != nil {
				continue
			}
			for _, tk := range p.tickets {
				if tk.ID == "" || tk.CreatedAt.IsZero() || tk.CreatedAt.Before(start) || !valid[tk.Status] {
					t.Errorf("accepted unusable ticket %+v", tk)
				}
				if f := tk.Figures; f != nil && ((!f.FirstReplyAt.IsZero() && f.FirstReplyAt.Before(tk.CreatedAt)) ||
					(!f.FirstSolvedAt.IsZero() && f.FirstSolvedAt.Before(tk.CreatedAt))) {
					t.Errorf("ticket %s: figures before creation: %+v", tk.ID, f)
				}
			}
			for _, tk := range p.early {
				if _, err := strconv.ParseInt(tk.ID, 10, 64); err != nil || !tk.CreatedAt.Before(start) {
					t.Errorf("accepted an early ticket that cannot be held: %+v", tk)
				}
			}
		}
	})
}

// FuzzDecodeTicket feeds arbitrary bodies to the decoder of a held
// ticket's answer: it must never panic, and whatever it accepts must be
// the ticket asked for, usable.
func FuzzDecodeTicket(f *testing.F) {
	f.Add(collectortest.Testdata(f, "go-zendesk_GET_ticket.json"))
	set := realMetricSets(f)[0]
	set["ticket_id"] = 2
	f.Add(collectortest.Marshal(f, map[string]any{"ticket": realTicket(f, map[string]any{"id": 2}), "metric_sets": []any{set}}))
	f.Add([]byte(`{"ticket":{"id":3,"created_at":"2025-01-01T00:00:00Z","status":"open"}}`))
	f.Add([]byte(`{"ticket":null,"metric_sets":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tk, err := decodeTicket(body, 2)
		if err != nil {
			return
		}
		if tk.ID != "2" || tk.CreatedAt.IsZero() || tk.UpdatedAt.IsZero() {
			t.Errorf("accepted unusable ticket %+v", tk)
		}
	})
}
