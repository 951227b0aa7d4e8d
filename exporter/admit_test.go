package exporter

import (
	"log/slog"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestAdmitRefusesImplausibleItems: an item with any time beyond the skew
// past the clock, or before the earliest plausible instant, is left out of
// the batch and counted by reason; the rest and the cursor pass.
func TestAdmitRefusesImplausibleItems(t *testing.T) {
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	bounds := door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour,
		Now: func() time.Time { return now }}
	at := func(d time.Duration) time.Time { return now.Add(d) }
	ticket := func(id string, created, updated time.Time, events ...time.Time) item.Ticket {
		t := item.Ticket{ID: id, CreatedAt: created, UpdatedAt: updated, Status: item.StatusOpen}
		for _, e := range events {
			t.Events = append(t.Events, item.Event{Kind: item.EventVendorReply, At: e})
		}
		return t
	}
	b := item.Batch{
		Tickets: []item.Ticket{
			ticket("ok", at(-time.Hour), at(-time.Minute), at(-30*time.Minute)),
			ticket("within-skew", at(-time.Hour), at(59*time.Minute)),
			ticket("future-update", at(-time.Hour), at(10*365*24*time.Hour)),
			ticket("future-reply", at(-time.Hour), at(-time.Minute), at(2*time.Hour)),
			ticket("epoch", time.Unix(0, 0), at(-time.Minute)),
		},
		Incidents: []item.Incident{
			{ID: "ok", CreatedAt: at(-time.Hour), StartedAt: at(-2 * time.Hour), UpdatedAt: at(-time.Hour)},
			{ID: "started-1970", CreatedAt: at(-time.Hour), StartedAt: time.Unix(0, 0), UpdatedAt: at(-time.Hour)},
			{ID: "update-ahead", CreatedAt: at(-time.Hour), UpdatedAt: at(-time.Hour), Updates: []time.Time{at(3 * time.Hour)}},
		},
		Maintenances: []item.Maintenance{
			{ID: "next-month", CreatedAt: at(-time.Hour), UpdatedAt: at(-time.Hour), ScheduledFor: at(30 * 24 * time.Hour)},
			{ID: "announced-1900", CreatedAt: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: at(-time.Hour), ScheduledFor: at(time.Hour)},
			{ID: "in-ten-years", CreatedAt: at(-time.Hour), UpdatedAt: at(-time.Hour), ScheduledFor: at(10 * 365 * 24 * time.Hour)},
		},
		Cursor: []byte("c"),
	}
	st := newSourceStatus("acme", "support", "zendesk")
	got := admit(b, bounds, st, slog.New(slog.DiscardHandler))

	ids := func(n int, id func(int) string) []string {
		var out []string
		for i := range n {
			out = append(out, id(i))
		}
		return out
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s kept = %v, want %v", what, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s kept = %v, want %v", what, got, want)
				return
			}
		}
	}
	check("tickets", ids(len(got.Tickets), func(i int) string { return got.Tickets[i].ID }), []string{"ok", "within-skew"})
	check("incidents", ids(len(got.Incidents), func(i int) string { return got.Incidents[i].ID }), []string{"ok"})
	check("maintenances", ids(len(got.Maintenances), func(i int) string { return got.Maintenances[i].ID }), []string{"next-month"})
	if string(got.Cursor) != "c" {
		t.Errorf("cursor = %q, want the batch's", got.Cursor)
	}
	if len(b.Tickets) != 5 || b.Tickets[2].ID != "future-update" {
		t.Error("admit changed the collector's batch")
	}
	s := st.snapshot()
	if s.Rejected[door.ReasonFuture] != 4 || s.Rejected[door.ReasonPast] != 3 {
		t.Errorf("rejected = %v, want 4 future_timestamp and 3 past_timestamp", s.Rejected)
	}
}
