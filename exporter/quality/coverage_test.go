package quality

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/calendar"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestVendorRepliesByHourOfWeek: support_vendor_replies_total counts each
// public vendor reply once, in the hour of the week it was posted in the
// vendor calendar's zone, and never takes one back (docs/metrics.md,
// "Follow-the-sun coverage").
func TestVendorRepliesByHourOfWeek(t *testing.T) {
	newYork, err := calendar.New("America/New_York", []string{"mon", "tue", "wed", "thu", "fri"}, "09:00-18:00", nil)
	if err != nil {
		t.Fatal(err)
	}
	reply := func(at string) item.Event { return ev(item.EventVendorReply, ts(at)) }
	ticket := func(id string, events ...item.Event) item.Ticket {
		return item.Ticket{ID: id, Priority: "normal", Status: item.StatusOpen, CreatedAt: ts("2026-03-01T00:00:00Z"),
			UpdatedAt: ts("2026-03-09T00:00:00Z"), Events: events}
	}
	type cell struct {
		day  time.Weekday
		hour int
		n    uint64
	}
	tests := []struct {
		name         string
		calendar     *calendar.Calendar
		historyStart time.Time
		versions     []item.Ticket // stored in turn
		want         []cell        // every other hour is 0
	}{
		{
			name: "no calendar: UTC; a customer reply is no vendor reply",
			versions: []item.Ticket{ticket("1", reply("2026-03-01T19:30:00Z"),
				ev(item.EventCustomerReply, ts("2026-03-01T20:00:00Z")), reply("2026-03-07T16:10:00Z"))},
			// Sunday 19:30 UTC; Saturday 16:10 UTC.
			want: []cell{{time.Sunday, 19, 1}, {time.Saturday, 16, 1}},
		},
		{
			name:     "Asia/Shanghai: the same replies fall on the next local day",
			calendar: shanghai(t),
			versions: []item.Ticket{ticket("1", reply("2026-03-01T19:30:00Z"), reply("2026-03-07T16:10:00Z"))},
			// +08:00: Monday 03:30 and Sunday 00:10.
			want: []cell{{time.Monday, 3, 1}, {time.Sunday, 0, 1}},
		},
		{
			name:     "America/New_York across the spring-forward: 06:30 UTC is 01:30 EST, 07:30 UTC is 03:30 EDT",
			calendar: newYork,
			versions: []item.Ticket{ticket("1", reply("2026-03-08T06:30:00Z"), reply("2026-03-08T07:30:00Z"))},
			want:     []cell{{time.Sunday, 1, 1}, {time.Sunday, 3, 1}},
		},
		{
			name: "read again: each reply once; a reply the vendor deletes stays counted",
			versions: []item.Ticket{
				ticket("1", reply("2026-03-02T10:00:00Z"), reply("2026-03-02T11:00:00Z")),
				ticket("1", reply("2026-03-02T10:00:00Z"), reply("2026-03-02T11:00:00Z")),
				ticket("1", reply("2026-03-02T11:00:00Z")),
			},
			want: []cell{{time.Monday, 10, 1}, {time.Monday, 11, 1}},
		},
		{
			name: "a reply moved counts at both instants: it cannot be told from a new one",
			versions: []item.Ticket{
				ticket("1", reply("2026-03-03T02:00:00Z")),
				ticket("1", reply("2026-03-03T05:00:00Z")),
			},
			want: []cell{{time.Tuesday, 2, 1}, {time.Tuesday, 5, 1}},
		},
		{
			name: "two tickets' replies in the same hour add up",
			versions: []item.Ticket{
				ticket("1", reply("2026-03-04T22:05:00Z")),
				ticket("2", reply("2026-03-04T22:55:00Z"), reply("2026-03-11T22:00:00Z")),
			},
			want: []cell{{time.Wednesday, 22, 3}},
		},
		{
			name:         "a ticket created before history_start feeds nothing",
			historyStart: ts("2026-03-02T00:00:00Z"),
			versions:     []item.Ticket{ticket("1", reply("2026-03-05T12:00:00Z"))},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := testVendor()
			v.CalendarParsed = tc.calendar
			r := mustRules(t, v, tc.historyStart)
			s := newStore(r)
			for _, tk := range tc.versions {
				s.ticket("helpdesk", tk)
			}
			now := at(ts("2026-03-20T00:00:00Z"))
			got := s.agg.Snapshot(now)
			var want ReplyHours
			for _, c := range tc.want {
				want[c.day][c.hour] = c.n
			}
			if got.VendorReplies != want {
				t.Errorf("replies by hour of the week:\n got %v\nwant %v", got.VendorReplies, want)
			}
			if fresh := s.reload().Snapshot(now); fresh.VendorReplies != got.VendorReplies {
				t.Errorf("a restart from the store counts %v, want %v", fresh.VendorReplies, got.VendorReplies)
			}
			for _, tk := range tc.versions {
				s.removeTicket("helpdesk", tk.ID)
			}
			if left := s.agg.Snapshot(now).VendorReplies; left != (ReplyHours{}) {
				t.Errorf("after every ticket left the store, %v remain", left)
			}
		})
	}
}
