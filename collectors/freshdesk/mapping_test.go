package freshdesk

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// mapRecorded decodes the recorded ticket 22 with overrides and maps it.
func mapRecorded(t *testing.T, c *collector, overrides map[string]any, convs []map[string]any, rating item.Rating) item.Ticket {
	t.Helper()
	a, err := decodeTicket(collectortest.Marshal(t, realTicket(t, overrides)))
	if err != nil {
		t.Fatal(err)
	}
	var decoded []apiConversation
	if convs != nil {
		if decoded, err = decodeConversations(collectortest.Marshal(t, convs)); err != nil {
			t.Fatal(err)
		}
	}
	return c.ticket(a, decoded, rating)
}

func TestStatusMapping(t *testing.T) {
	c := newTestCollector(t, map[string]string{"6": "pending", "7": "on_hold", "8": "solved", "9": "open", "3": "on_hold"})
	cases := []struct {
		status int
		want   item.Status
	}{
		{2, item.StatusOpen},
		{4, item.StatusSolved}, // Resolved
		{5, item.StatusClosed},
		{3, item.StatusOnHold}, // Pending remapped by config
		{6, item.StatusPending},
		{7, item.StatusOnHold},
		{8, item.StatusSolved},
		{9, item.StatusOpen},
		{12, item.StatusOpen}, // custom, not mapped
	}
	for _, tc := range cases {
		if got := mapRecorded(t, c, map[string]any{"status": tc.status}, nil, item.RatingNone).Status; got != tc.want {
			t.Errorf("status %d: %q, want %q", tc.status, got, tc.want)
		}
	}
	if got := newTestCollector(t, nil).status(3); got != item.StatusPending {
		t.Errorf("status 3 without config: %q, want pending", got)
	}
}

func TestTicketFieldMapping(t *testing.T) {
	c := newTestCollector(t, nil)
	cases := []struct {
		name      string
		overrides map[string]any
		check     func(item.Ticket) bool
	}{
		{"priority 1 low", map[string]any{"priority": 1}, func(tk item.Ticket) bool { return tk.Priority == "low" }},
		{"priority 2 medium", map[string]any{"priority": 2}, func(tk item.Ticket) bool { return tk.Priority == "medium" }},
		{"priority 3 high", map[string]any{"priority": 3}, func(tk item.Ticket) bool { return tk.Priority == "high" }},
		{"priority 4 urgent", map[string]any{"priority": 4}, func(tk item.Ticket) bool { return tk.Priority == "urgent" }},
		{"priority id freshdesk does not define", map[string]any{"priority": 7}, func(tk item.Ticket) bool { return tk.Priority == "7" }},
		{"priority null", map[string]any{"priority": nil}, func(tk item.Ticket) bool { return tk.Priority == "" }},
		{"not escalated", nil, func(tk item.Ticket) bool { return !tk.Escalated }},
		{"is_escalated", map[string]any{"is_escalated": true}, func(tk item.Ticket) bool { return tk.Escalated }},
		{"fr_escalated", map[string]any{"fr_escalated": true}, func(tk item.Ticket) bool { return tk.Escalated }},
		{"nr_escalated", map[string]any{"nr_escalated": true}, func(tk item.Ticket) bool { return tk.Escalated }},
		{"tags", map[string]any{"tags": []string{"vip", "escalated"}},
			func(tk item.Ticket) bool { return reflect.DeepEqual(tk.Tags, []string{"vip", "escalated"}) }},
		{"no stats: no figures", map[string]any{"stats": nil}, func(tk item.Ticket) bool { return tk.Figures == nil && tk.Events == nil }},
		{"offset times", map[string]any{"created_at": "2014-12-31T12:27:09+10:00", "updated_at": "2015-01-01T10:58:39+10:00"},
			func(tk item.Ticket) bool { return tk.CreatedAt.Equal(time.Date(2014, 12, 31, 2, 27, 9, 0, time.UTC)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tk := mapRecorded(t, c, tc.overrides, nil, item.RatingNone); !tc.check(tk) {
				t.Errorf("unexpected mapping: %+v", tk)
			}
		})
	}
}

func TestStatsMapping(t *testing.T) {
	const created = "2025-03-03T10:00:00Z"
	at := func(s string) time.Time { return collectortest.Time(t, s) }
	stats := func(fields map[string]any) map[string]any {
		s := map[string]any{"agent_responded_at": nil, "requester_responded_at": nil, "first_responded_at": nil,
			"status_updated_at": created, "reopened_at": nil, "resolved_at": nil, "closed_at": nil, "pending_since": nil}
		for k, v := range fields {
			s[k] = v
		}
		return s
	}
	cases := []struct {
		name        string
		stats       map[string]any
		wantEvents  []item.Event
		wantFigures item.Figures
	}{
		{name: "unanswered", stats: stats(nil)},
		{name: "answered",
			stats:       stats(map[string]any{"first_responded_at": "2025-03-03T10:20:00Z"}),
			wantFigures: item.Figures{FirstReplyAt: at("2025-03-03T10:20:00Z")}},
		{name: "resolved",
			stats:       stats(map[string]any{"resolved_at": "2025-03-03T12:00:00Z"}),
			wantEvents:  []item.Event{{Kind: item.EventSolved, At: at("2025-03-03T12:00:00Z")}},
			wantFigures: item.Figures{FirstSolvedAt: at("2025-03-03T12:00:00Z")}},
		{name: "resolved then closed",
			stats:       stats(map[string]any{"resolved_at": "2025-03-03T12:00:00Z", "closed_at": "2025-03-05T12:00:00Z"}),
			wantEvents:  []item.Event{{Kind: item.EventSolved, At: at("2025-03-03T12:00:00Z")}},
			wantFigures: item.Figures{FirstSolvedAt: at("2025-03-03T12:00:00Z")}},
		{name: "closed without resolution",
			stats:       stats(map[string]any{"closed_at": "2025-03-04T09:00:00Z"}),
			wantEvents:  []item.Event{{Kind: item.EventSolved, At: at("2025-03-04T09:00:00Z")}},
			wantFigures: item.Figures{FirstSolvedAt: at("2025-03-04T09:00:00Z")}},
		// Freshdesk clears the resolution on reopen or keeps the one before:
		// either way the first solve was at the latest at the reopen.
		{name: "reopened, open again",
			stats:       stats(map[string]any{"reopened_at": "2025-03-04T08:00:00Z"}),
			wantEvents:  []item.Event{{Kind: item.EventReopened, At: at("2025-03-04T08:00:00Z")}},
			wantFigures: item.Figures{FirstSolvedAt: at("2025-03-04T08:00:00Z"), Reopens: 1}},
		{name: "reopened and resolved again",
			stats: stats(map[string]any{"reopened_at": "2025-03-04T08:00:00Z", "resolved_at": "2025-03-04T09:00:00Z"}),
			wantEvents: []item.Event{{Kind: item.EventReopened, At: at("2025-03-04T08:00:00Z")},
				{Kind: item.EventSolved, At: at("2025-03-04T09:00:00Z")}},
			wantFigures: item.Figures{FirstSolvedAt: at("2025-03-04T08:00:00Z"), Reopens: 1}},
		{name: "resolution kept before the reopen",
			stats: stats(map[string]any{"resolved_at": "2025-03-03T12:00:00Z", "reopened_at": "2025-03-04T08:00:00Z"}),
			wantEvents: []item.Event{{Kind: item.EventSolved, At: at("2025-03-03T12:00:00Z")},
				{Kind: item.EventReopened, At: at("2025-03-04T08:00:00Z")}},
			wantFigures: item.Figures{FirstSolvedAt: at("2025-03-03T12:00:00Z"), Reopens: 1}},
		{name: "times before creation are dropped",
			stats: stats(map[string]any{"first_responded_at": "2025-03-01T00:00:00Z", "resolved_at": "2025-03-02T00:00:00Z",
				"reopened_at": "2025-03-02T01:00:00Z"})},
	}
	c := newTestCollector(t, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tk := mapRecorded(t, c, map[string]any{"created_at": created, "updated_at": created, "stats": tc.stats}, nil, item.RatingNone)
			if !reflect.DeepEqual(tk.Events, tc.wantEvents) {
				t.Errorf("events %+v, want %+v", tk.Events, tc.wantEvents)
			}
			if tk.Figures == nil || *tk.Figures != tc.wantFigures {
				t.Errorf("figures %+v, want %+v", tk.Figures, tc.wantFigures)
			}
		})
	}
}

func TestConversationMapping(t *testing.T) {
	const requester = 67032849498 // of the recorded ticket 22
	at := func(s string) time.Time { return collectortest.Time(t, s) }
	conv := func(createdAt string, fields map[string]any) map[string]any {
		fields["created_at"] = createdAt
		return realConversation(t, fields)
	}
	cases := []struct {
		name        string
		conv        map[string]any
		want        item.EventKind // "" for none
		wantReplies int
	}{
		{"public agent reply", conv("2025-03-03T11:00:00Z", map[string]any{"incoming": false, "private": false, "user_id": 7, "source": 0}),
			item.EventVendorReply, 1},
		{"public agent note", conv("2025-03-03T11:00:00Z", map[string]any{"incoming": false, "private": false, "user_id": 7, "source": 2}),
			item.EventVendorReply, 1},
		{"private note", conv("2025-03-03T11:00:00Z", map[string]any{"incoming": false, "private": true, "user_id": 7, "source": 2}), "", 0},
		{"customer email reply", conv("2025-03-03T11:00:00Z", map[string]any{"incoming": true, "private": false, "user_id": requester, "source": 0}),
			item.EventCustomerReply, 0},
		{"cc'd colleague email reply", conv("2025-03-03T11:00:00Z", map[string]any{"incoming": true, "private": false, "user_id": 99, "source": 0}),
			item.EventCustomerReply, 0},
		{"requester portal reply", conv("2025-03-03T11:00:00Z", map[string]any{"incoming": false, "private": false, "user_id": requester, "source": 0}),
			item.EventCustomerReply, 0},
		{"third party reply to a forward", conv("2025-03-03T11:00:00Z", map[string]any{"incoming": true, "private": true, "user_id": 99, "source": 2}), "", 0},
		{"survey feedback", conv("2025-03-03T11:00:00Z", map[string]any{"incoming": true, "private": false, "user_id": requester, "source": 6}), "", 0},
	}
	c := newTestCollector(t, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tk := mapRecorded(t, c, map[string]any{"created_at": "2025-03-03T10:00:00Z", "stats": nil}, []map[string]any{tc.conv}, item.RatingNone)
			var want []item.Event
			if tc.want != "" {
				want = []item.Event{{Kind: tc.want, At: at("2025-03-03T11:00:00Z")}}
			}
			if !reflect.DeepEqual(tk.Events, want) {
				t.Errorf("events %+v, want %+v", tk.Events, want)
			}
			withStats := mapRecorded(t, c, map[string]any{"created_at": "2025-03-03T10:00:00Z"}, []map[string]any{tc.conv}, item.RatingNone)
			if withStats.Figures == nil || withStats.Figures.Replies != tc.wantReplies {
				t.Errorf("figures %+v, want %d replies", withStats.Figures, tc.wantReplies)
			}
		})
	}
}

func TestTimelineIsSorted(t *testing.T) {
	convs := []map[string]any{
		realConversation(t, map[string]any{"created_at": "2025-03-03T13:00:00Z", "incoming": true}),
		realConversation(t, map[string]any{"created_at": "2025-03-03T11:00:00Z", "incoming": false, "private": false}),
	}
	tk := mapRecorded(t, newTestCollector(t, nil), map[string]any{"created_at": "2025-03-03T10:00:00Z",
		"stats": map[string]any{"resolved_at": "2025-03-03T12:00:00Z"}}, convs, item.RatingNone)
	var kinds []string
	for _, e := range tk.Events {
		kinds = append(kinds, string(e.Kind))
	}
	if got, want := strings.Join(kinds, ","), "vendor_reply,solved,customer_reply"; got != want {
		t.Errorf("timeline %s, want %s", got, want)
	}
}

func TestRatingMapping(t *testing.T) {
	cases := []struct {
		ratings map[string]any
		want    item.Rating
	}{
		{map[string]any{"default_question": 103}, item.RatingGood}, // extremely happy / classic happy
		{map[string]any{"default_question": 102}, item.RatingGood},
		{map[string]any{"default_question": 101}, item.RatingGood},
		{map[string]any{"default_question": 100}, item.RatingNone}, // neutral
		{map[string]any{"default_question": -101}, item.RatingBad},
		{map[string]any{"default_question": -102}, item.RatingBad},
		{map[string]any{"default_question": -103}, item.RatingBad}, // extremely unhappy / classic unhappy
		{map[string]any{"question_67000084816": -103}, item.RatingNone},
		{map[string]any{}, item.RatingNone},
	}
	for _, tc := range cases {
		rs, err := decodeRatings(collectortest.Marshal(t, []any{realRating(t, map[string]any{"ratings": tc.ratings})}))
		if err != nil {
			t.Fatal(err)
		}
		if got := rs[0].rating(); got != tc.want {
			t.Errorf("ratings %v: %q, want %q", tc.ratings, got, tc.want)
		}
	}
}

func TestRatingAttached(t *testing.T) {
	for _, r := range []item.Rating{item.RatingGood, item.RatingBad, item.RatingNone} {
		if got := mapRecorded(t, newTestCollector(t, nil), nil, nil, r).Satisfaction; got != r {
			t.Errorf("satisfaction %q, want %q", got, r)
		}
	}
}
