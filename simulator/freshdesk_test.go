package simulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"
)

// fdTicketMirror mirrors what a Freshdesk client reads of a listed ticket.
type fdTicketMirror struct {
	ID          int64    `json:"id"`
	CreatedAt   string   `json:"created_at"`
	UpdatedAt   string   `json:"updated_at"`
	Status      int      `json:"status"`
	Priority    int      `json:"priority"`
	RequesterID int64    `json:"requester_id"`
	Tags        []string `json:"tags"`
	IsEscalated bool     `json:"is_escalated"`
	Stats       *struct {
		FirstRespondedAt *string `json:"first_responded_at"`
		ResolvedAt       *string `json:"resolved_at"`
		ReopenedAt       *string `json:"reopened_at"`
		ClosedAt         *string `json:"closed_at"`
	} `json:"stats"`
}

type fdConversationMirror struct {
	Incoming  bool   `json:"incoming"`
	Private   bool   `json:"private"`
	UserID    int64  `json:"user_id"`
	CreatedAt string `json:"created_at"`
}

type fdRatingMirror struct {
	ID        int64  `json:"id"`
	TicketID  int64  `json:"ticket_id"`
	CreatedAt string `json:"created_at"`
	Ratings   struct {
		Default int `json:"default_question"`
	} `json:"ratings"`
}

func fdAuth(s *Sim) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(s.FreshdeskCredentials("acme")) }
}

// Freshdesk's ids of Truth's statuses and priorities.
var (
	fdStatusOf   = map[string]int{"new": 2, "open": 2, "pending": 3, "hold": 2, "solved": 4, "closed": 5}
	fdPriorityOf = map[string]int{"urgent": 4, "high": 3, "normal": 2, "low": 1, "": 1}
)

func TestFreshdeskTicketsAgreeWithTruth(t *testing.T) {
	s, tr := ticketSim(t)
	base := s.URL("acme", KindFreshdesk)
	var tickets []fdTicketMirror
	pages := walkLinks(t, base+"/api/v2/tickets?updated_since=2000-01-01T00:00:00Z&order_by=updated_at&order_type=asc&include=stats&per_page=100", fdAuth(s), &tickets)
	if len(tickets) != len(tr.Tickets) || pages != (len(tr.Tickets)+99)/100 {
		t.Fatalf("%d tickets on %d pages, want %d on %d", len(tickets), pages, len(tr.Tickets), (len(tr.Tickets)+99)/100)
	}
	want := map[int64]TicketTruth{}
	for _, tt := range tr.Tickets {
		want[tt.ID] = tt
	}
	for i, got := range tickets {
		tt := want[got.ID]
		if i > 0 && got.UpdatedAt < tickets[i-1].UpdatedAt {
			t.Errorf("ticket %d listed after a later update", got.ID)
		}
		if got.Stats == nil {
			t.Fatalf("ticket %d: no stats despite include=stats", got.ID)
		}
		checks := []struct {
			what      string
			got, want any
		}{
			{"created_at", utc(t, &got.CreatedAt), tt.Created},
			{"updated_at", utc(t, &got.UpdatedAt), tt.Updated},
			{"status", got.Status, fdStatusOf[tt.Status]},
			{"priority", got.Priority, fdPriorityOf[tt.Priority]},
			{"tags", got.Tags, tt.Tags},
			{"is_escalated", got.IsEscalated, slices.Contains(tt.Tags, "escalated")},
			{"first_responded_at", utc(t, got.Stats.FirstRespondedAt), tt.FirstReply},
			{"reopened_at set", got.Stats.ReopenedAt != nil, tt.Reopens > 0},
			{"resolved_at set", got.Stats.ResolvedAt != nil, !tt.FirstSolve.IsZero()},
			{"closed_at set", got.Stats.ClosedAt != nil, tt.Status == "closed"},
		}
		for _, c := range checks {
			if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
				t.Errorf("ticket %d: %s %v, want %v", got.ID, c.what, c.got, c.want)
			}
		}
		if tt.Reopens == 0 && !tt.FirstSolve.IsZero() && !utc(t, got.Stats.ResolvedAt).Equal(tt.FirstSolve) {
			t.Errorf("ticket %d, never reopened: resolved_at %v, want the solve %v", got.ID, *got.Stats.ResolvedAt, tt.FirstSolve)
		}
	}
}

func TestFreshdeskConversationsAgreeWithTruth(t *testing.T) {
	s, tr := ticketSim(t)
	base := s.URL("acme", KindFreshdesk)
	var notes int
	for _, tt := range tr.Tickets[:80] {
		var convs []fdConversationMirror
		walkLinks(t, fmt.Sprintf("%s/api/v2/tickets/%d/conversations?per_page=2", base, tt.ID), fdAuth(s), &convs)
		var replies, followups int
		var firstReply time.Time
		for _, c := range convs {
			switch {
			case c.Private:
				notes++
			case !c.Incoming:
				replies++
				if firstReply.IsZero() {
					firstReply = utc(t, &c.CreatedAt)
				}
			default:
				followups++
			}
		}
		if replies != tt.Replies || !firstReply.Equal(tt.FirstReply) {
			t.Errorf("ticket %d: %d vendor replies, first at %v; want %d, %v", tt.ID, replies, firstReply, tt.Replies, tt.FirstReply)
		}
		if followups < tt.Followups+tt.Reopens {
			t.Errorf("ticket %d: %d customer messages, fewer than its %d chases and %d reopens", tt.ID, followups, tt.Followups, tt.Reopens)
		}
	}
	if notes == 0 {
		t.Error("no private note on any escalated ticket")
	}
}

func TestFreshdeskRatingsAgreeWithTruth(t *testing.T) {
	s, tr := ticketSim(t)
	var ratings []fdRatingMirror
	walkLinks(t, s.URL("acme", KindFreshdesk)+"/api/v2/surveys/satisfaction_ratings?created_since=2000-01-01T00:00:00Z&per_page=7", fdAuth(s), &ratings)
	got := map[int64][]string{}
	for _, r := range ratings {
		got[r.TicketID] = append(got[r.TicketID], map[int]string{fdHappy: "good", fdUnhappy: "bad"}[r.Ratings.Default])
	}
	want := map[int64][]string{}
	for _, tt := range tr.Tickets {
		if len(tt.Ratings) > 0 {
			want[tt.ID] = tt.Ratings
		}
	}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("ratings by ticket:\n got %v\nwant %v", got, want)
	}
	// A since filter keeps the later ratings only.
	since := testStart.Add(-5 * 24 * time.Hour)
	var recent []fdRatingMirror
	walkLinks(t, s.URL("acme", KindFreshdesk)+"/api/v2/surveys/satisfaction_ratings?created_since="+since.Format(time.RFC3339), fdAuth(s), &recent)
	n := 0
	for _, r := range ratings {
		if !utc(t, &r.CreatedAt).Before(since) {
			n++
		}
	}
	if len(recent) != n || n == 0 || n == len(ratings) {
		t.Errorf("%d ratings created since %v, want %d of %d", len(recent), since, n, len(ratings))
	}
}

func TestFreshdeskListingAndRefusals(t *testing.T) {
	v := vendor("acme", Persona{}, 90)
	v.History = 45 * 24 * time.Hour // a third of it older than the default window
	s := startSim(t, newClock(testStart), Options{Seed: 5, Vendors: []Vendor{v}})
	tr := s.Truth("acme", testStart)
	base := s.URL("acme", KindFreshdesk)
	// Without updated_since: created in the last 30 days, newest first.
	var recent []fdTicketMirror
	walkLinks(t, base+"/api/v2/tickets?per_page=100", fdAuth(s), &recent)
	var want []int64
	for _, tt := range slices.Backward(tr.Tickets) {
		if !tt.Created.Before(testStart.Add(-30 * 24 * time.Hour)) {
			want = append(want, tt.ID)
		}
	}
	var got []int64
	for _, tk := range recent {
		got = append(got, tk.ID)
		if tk.Stats != nil {
			t.Fatalf("ticket %d has stats without include=stats", tk.ID)
		}
	}
	if !slices.Equal(got, want) || len(want) == 0 || len(want) == len(tr.Tickets) {
		t.Errorf("default list: %d tickets, want the %d created in 30 days, newest first", len(got), len(want))
	}
	for _, c := range []struct {
		name, path, user string
		status           int
	}{
		{"wrong key", "/api/v2/tickets", "nope", http.StatusUnauthorized},
		{"per_page above 100", "/api/v2/tickets?per_page=101", "", http.StatusBadRequest},
		{"page 301", "/api/v2/tickets?page=301", "", http.StatusBadRequest},
		{"bad updated_since", "/api/v2/tickets?updated_since=yesterday", "", http.StatusBadRequest},
		{"unknown ticket", "/api/v2/tickets/999999/conversations", "", http.StatusNotFound},
		{"unknown path", "/api/v2/contacts", "", http.StatusNotFound},
		{"one ticket", "/api/v2/tickets/1?include=stats", "", http.StatusOK},
	} {
		auth := fdAuth(s)
		if c.user != "" {
			auth = func(r *http.Request) { r.SetBasicAuth(c.user, "X") }
		}
		r := fetch(t, base+c.path, auth)
		if r.status != c.status {
			t.Errorf("%s: HTTP %d, want %d: %s", c.name, r.status, c.status, r.body)
		}
		if r.header.Get("X-Ratelimit-Total") == "" && c.status != http.StatusUnauthorized {
			t.Errorf("%s: no X-Ratelimit-Total", c.name)
		}
	}
}

func TestFreshdeskShapeMatchesRealPayloads(t *testing.T) {
	s, _ := ticketSim(t)
	base := s.URL("acme", KindFreshdesk)
	real := readRecord(t, "freshdesk_tickets_records.jsonl", "tickets")
	for _, k := range []string{"description", "description_text", "requester"} { // include=description,requester only
		delete(real, k)
	}
	page := readJSONArrayBody(t, fetch(t, base+"/api/v2/tickets?updated_since=2000-01-01T00:00:00Z&include=stats&per_page=1", fdAuth(s)))
	sameKeys(t, "ticket", page[0], real, nil)

	// An escalated ticket has a reply and a note, shaped as the real ones.
	convs := readJSONArray(t, "freshdesk_conversations.json")
	for _, tk := range s.Truth("acme", testStart).Tickets {
		if !slices.Contains(tk.Tags, "escalated") || tk.Replies == 0 {
			continue
		}
		got := readJSONArrayBody(t, fetch(t, fmt.Sprintf("%s/api/v2/tickets/%d/conversations", base, tk.ID), fdAuth(s)))
		for _, c := range got {
			sameKeys(t, "conversation", c, convs[0], nil)
		}
		break
	}
	ratings := readJSONArrayBody(t, fetch(t, base+"/api/v2/surveys/satisfaction_ratings?created_since=2000-01-01T00:00:00Z&per_page=1", fdAuth(s)))
	if len(ratings) != 1 {
		t.Fatalf("%d ratings on a page of one", len(ratings))
	}
	sameRating := readRecord(t, "freshdesk_conversations_ratings_records.jsonl", "satisfaction_ratings")
	sameRating["ratings"] = map[string]any{"default_question": 103.0} // the account's own questions vary
	sameKeys(t, "satisfaction rating", ratings[0], sameRating, nil)
}

// readJSONArrayBody decodes a 200 response holding a JSON array of objects.
func readJSONArrayBody(t *testing.T, r response) []map[string]any {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("HTTP %d: %s", r.status, r.body)
	}
	var v []map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil || len(v) == 0 {
		t.Fatalf("no objects (%v): %.300s", err, r.body)
	}
	return v
}
