package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// Mirrors of what a Requests API client reads.
type zrRequestMirror struct {
	ID          int64   `json:"id"`
	Status      string  `json:"status"`
	Priority    *string `json:"priority"`
	RequesterID int64   `json:"requester_id"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

type zrCommentMirror struct {
	ID        int64  `json:"id"`
	AuthorID  int64  `json:"author_id"`
	Public    *bool  `json:"public"`
	CreatedAt string `json:"created_at"`
}

type zrMeta struct {
	HasMore     bool    `json:"has_more"`
	AfterCursor *string `json:"after_cursor"`
}

type zrLinks struct {
	Next *string `json:"next"`
}

func zrAuth(s *Sim) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(s.ZendeskRequestsCredentials("acme")) }
}

// walkCursor follows links.next from url, collecting the list named field,
// and returns the number of pages.
func walkCursor[T any](t *testing.T, s *Sim, url, field string, items *[]T) int {
	t.Helper()
	for pages := 1; ; pages++ {
		r := fetch(t, url, zrAuth(s))
		if r.status != http.StatusOK {
			t.Fatalf("%s: HTTP %d: %s", url, r.status, r.body)
		}
		var page map[string]json.RawMessage
		var list []T
		var meta zrMeta
		var links zrLinks
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]any{field: &list, "meta": &meta, "links": &links} {
			if err := json.Unmarshal(page[name], v); err != nil || page[name] == nil {
				t.Fatalf("%s: %s: %v", url, name, err)
			}
		}
		*items = append(*items, list...)
		if meta.HasMore != (links.Next != nil) || meta.HasMore != (meta.AfterCursor != nil) {
			t.Fatalf("%s: has_more %v disagrees with links.next %v or after_cursor %v", url, meta.HasMore, links.Next, meta.AfterCursor)
		}
		if !meta.HasMore {
			return pages
		}
		url = *links.Next
	}
}

func TestZendeskRequestsAgreeWithTruth(t *testing.T) {
	s, tr := ticketSim(t)
	var reqs []zrRequestMirror
	pages := walkCursor(t, s, s.URL("acme", KindZendeskRequests)+"/api/v2/requests?page[size]=100&sort_by=updated_at&sort_order=desc", "requests", &reqs)
	if len(reqs) != len(tr.Tickets) || pages != (len(tr.Tickets)+99)/100 {
		t.Fatalf("%d requests on %d pages, want %d", len(reqs), pages, len(tr.Tickets))
	}
	want := map[int64]TicketTruth{}
	for _, tt := range tr.Tickets {
		want[tt.ID] = tt
	}
	for i, rq := range reqs {
		tt := want[rq.ID]
		if i > 0 && rq.UpdatedAt > reqs[i-1].UpdatedAt {
			t.Errorf("request %d listed after an older update: not newest first", rq.ID)
		}
		priority := ""
		if rq.Priority != nil {
			priority = *rq.Priority
		}
		if rq.Status != tt.Status || priority != tt.Priority || !utc(t, &rq.CreatedAt).Equal(tt.Created) || !utc(t, &rq.UpdatedAt).Equal(tt.Updated) {
			t.Errorf("request %d: %s, %q, created %s, updated %s; want %s, %q, %v, %v",
				rq.ID, rq.Status, priority, rq.CreatedAt, rq.UpdatedAt, tt.Status, tt.Priority, tt.Created, tt.Updated)
		}
	}
	for _, rq := range reqs[:80] {
		tt := want[rq.ID]
		var comments []zrCommentMirror
		walkCursor(t, s, fmt.Sprintf("%s/api/v2/requests/%d/comments?page[size]=2", s.URL("acme", KindZendeskRequests), rq.ID), "comments", &comments)
		if len(comments) == 0 || comments[0].AuthorID != rq.RequesterID || !utc(t, &comments[0].CreatedAt).Equal(tt.Created) {
			t.Fatalf("request %d: the first comment is not the requester's description at creation: %+v", rq.ID, comments)
		}
		var replies, customer int
		var firstReply time.Time
		for _, c := range comments[1:] {
			if c.Public == nil || !*c.Public {
				t.Errorf("request %d: comment %d not public", rq.ID, c.ID)
			}
			if c.AuthorID == rq.RequesterID {
				customer++
				continue
			}
			replies++
			if firstReply.IsZero() {
				firstReply = utc(t, &c.CreatedAt)
			}
		}
		if replies != tt.Replies || !firstReply.Equal(tt.FirstReply) || customer < tt.Followups+tt.Reopens {
			t.Errorf("request %d: %d vendor replies (first %v), %d customer comments; want %d (%v), at least %d",
				rq.ID, replies, firstReply, customer, tt.Replies, tt.FirstReply, tt.Followups+tt.Reopens)
		}
	}
}

func TestZendeskRequestsCursorSeesUpdatesMoveAhead(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 5, Vendors: []Vendor{vendor("acme", FastShallow, 300)}})
	base := s.URL("acme", KindZendeskRequests) + "/api/v2/requests?page[size]=50&sort_by=updated_at&sort_order=desc"
	r := fetch(t, base, zrAuth(s))
	var first struct {
		Requests []zrRequestMirror `json:"requests"`
		Links    zrLinks           `json:"links"`
	}
	if err := json.Unmarshal(r.body, &first); err != nil || first.Links.Next == nil {
		t.Fatalf("first page: %v, next %v", err, first.Links.Next)
	}
	// A day later, the second page still continues below the first page's
	// last request: nothing listed twice.
	c.Set(testStart.Add(24 * time.Hour))
	var rest []zrRequestMirror
	walkCursor(t, s, *first.Links.Next, "requests", &rest)
	last := first.Requests[len(first.Requests)-1].UpdatedAt
	seen := map[int64]bool{}
	for _, rq := range first.Requests {
		seen[rq.ID] = true
	}
	for _, rq := range rest {
		if rq.UpdatedAt > last || seen[rq.ID] {
			t.Errorf("request %d (updated %s) continues a walk that stopped at %s", rq.ID, rq.UpdatedAt, last)
		}
		seen[rq.ID] = true
	}
	if len(rest) == 0 {
		t.Error("no second page")
	}
}

func TestZendeskRequestsRefusals(t *testing.T) {
	s, _ := ticketSim(t)
	base := s.URL("acme", KindZendeskRequests)
	agentUser, agentPass := s.ZendeskCredentials("acme")
	for _, c := range []struct {
		name, path string
		auth       func(*http.Request)
		status     int
	}{
		{"the vendor's agent credentials", "/api/v2/requests", func(r *http.Request) { r.SetBasicAuth(agentUser, agentPass) }, http.StatusUnauthorized},
		{"no credentials", "/api/v2/requests", nil, http.StatusUnauthorized},
		{"page size above 100", "/api/v2/requests?page[size]=101", zrAuth(s), http.StatusBadRequest},
		{"bad cursor", "/api/v2/requests?page[after]=bm9wZQ", zrAuth(s), http.StatusBadRequest},
		{"bad sort", "/api/v2/requests?sort_by=priority", zrAuth(s), http.StatusBadRequest},
		{"unknown request", "/api/v2/requests/999999/comments", zrAuth(s), http.StatusNotFound},
		{"the export", exportPath + "?start_time=0", zrAuth(s), http.StatusNotFound},
	} {
		if r := fetch(t, base+c.path, c.auth); r.status != c.status {
			t.Errorf("%s: HTTP %d, want %d: %.200s", c.name, r.status, c.status, r.body)
		}
	}
}

func TestZendeskRequestsShapeMatchesRealPayloads(t *testing.T) {
	s, _ := ticketSim(t)
	base := s.URL("acme", KindZendeskRequests)
	r := fetch(t, base+"/api/v2/requests?page[size]=1", zrAuth(s))
	page := decodeObject(t, r.body)
	reqs, ok := page["requests"].([]any)
	if !ok || len(reqs) != 1 {
		t.Fatalf("requests: %.300s", r.body)
	}
	sameKeys(t, "request", reqs[0].(map[string]any), readJSON(t, "zendesk_request.json"), nil)
	r = fetch(t, base+"/api/v2/requests/1/comments", zrAuth(s))
	comments, ok := decodeObject(t, r.body)["comments"].([]any)
	if !ok || len(comments) == 0 {
		t.Fatalf("comments: %.300s", r.body)
	}
	real := readJSON(t, "zendesk_request_comment.json")
	real["attachments"] = []any{} // the simulator attaches nothing
	sameKeys(t, "comment", comments[0].(map[string]any), real, []string{"public"})
}
