package zendeskrequests

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
)

// fakeRequestsAPI answers the drill's calls as Zendesk's Requests API
// documents them: 201 with {"request": ...} on create, the RecordInvalid
// envelope on a 422, the request list and search as {"requests": [...]}.
type fakeRequestsAPI struct {
	mu       sync.Mutex
	posts    []map[string]map[string]any
	puts     map[string][]map[string]map[string]any
	requests []map[string]any
	status   int // the next create's status, when not 201
	searched []string
	// pageSize, when set, pages the list by a cursor (the index of the
	// next request), in the order of requests; lists counts list reads.
	pageSize int
	lists    int
	// found is what the search endpoint answers (none when nil); me is
	// the body of GET /api/v2/users/me (the end user 1462 when empty);
	// mes counts its reads.
	found []map[string]any
	me    string
	mes   int
}

func (f *fakeRequestsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/v2/requests":
		var in map[string]map[string]any
		if err := json.Unmarshal(body, &in); err != nil || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.posts = append(f.posts, in)
		if s := f.status; s != 0 {
			f.status = 0
			w.WriteHeader(s)
			if s == http.StatusUnprocessableEntity {
				_, _ = io.WriteString(w, `{"error":"RecordInvalid","description":"Record validation errors","details":{"priority":[{"description":"Priority: is invalid"}]}}`)
			}
			return
		}
		req := map[string]any{"id": 35436 + len(f.posts), "subject": in["request"]["subject"],
			"description": in["request"]["comment"].(map[string]any)["body"], "status": "new",
			"requester_id": 1462, "created_at": "2026-03-03T01:40:00Z", "updated_at": "2026-03-03T01:40:00Z"}
		f.requests = append([]map[string]any{req}, f.requests...)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"request": req})
	case r.Method == http.MethodPut && len(r.URL.Path) > len("/api/v2/requests/"):
		var in map[string]map[string]any
		if err := json.Unmarshal(body, &in); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if f.puts == nil {
			f.puts = map[string][]map[string]map[string]any{}
		}
		f.puts[r.URL.Path] = append(f.puts[r.URL.Path], in)
		_, _ = io.WriteString(w, `{"request":{"id":35437}}`)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v2/requests":
		f.lists++
		if f.pageSize == 0 {
			_ = json.NewEncoder(w).Encode(map[string]any{"requests": f.requests, "meta": map[string]any{"has_more": false}})
			return
		}
		start, _ := strconv.Atoi(r.URL.Query().Get("page[after]"))
		end := min(start+f.pageSize, len(f.requests))
		meta := map[string]any{"has_more": end < len(f.requests), "after_cursor": nil}
		if end < len(f.requests) {
			meta["after_cursor"] = strconv.Itoa(end)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"requests": f.requests[start:end], "meta": meta})
	case r.Method == http.MethodGet && r.URL.Path == "/api/v2/requests/search":
		f.searched = append(f.searched, r.URL.Query().Get("query"))
		_ = json.NewEncoder(w).Encode(map[string]any{"requests": append([]map[string]any{}, f.found...), "count": len(f.found)})
	case r.Method == http.MethodGet && r.URL.Path == "/api/v2/users/me":
		f.mes++
		if f.me != "" {
			_, _ = io.WriteString(w, f.me)
			return
		}
		_, _ = io.WriteString(w, `{"user":{"id":1462,"name":"Buyer SRE","email":"sre@buyer.example","role":"end-user","verified":true}}`)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func newTestCreator(t *testing.T, api http.Handler) source.Creator {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c, err := NewCreator(collectortest.Env("zendesk_requests", srv.URL, srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDrillCreateFindComment(t *testing.T) {
	api := &fakeRequestsAPI{}
	c := newTestCreator(t, api)
	ctx := context.Background()
	marker := "support-drill-20260303T014000Z-00ff"
	if _, found, err := findOne(c, ctx, marker, time.Time{}); err != nil || found {
		t.Fatalf("find before the create: %v, %v; want none", found, err)
	}
	if len(api.searched) != 1 || api.searched[0] != `"`+marker+`"` {
		t.Errorf("search queries %q, want the quoted marker", api.searched)
	}
	d := source.Draft{Subject: "[drill " + marker + "] 503s", Body: "Test " + marker, Priority: "urgent", Marker: marker}
	f, err := c.Create(ctx, d)
	want := source.Filed{ID: "35437", CreatedAt: time.Date(2026, 3, 3, 1, 40, 0, 0, time.UTC)}
	if err != nil || f != want {
		t.Fatalf("create: %+v, %v; want %+v", f, err, want)
	}
	post := api.posts[0]["request"]
	if post["subject"] != d.Subject || post["priority"] != "urgent" || post["comment"].(map[string]any)["body"] != d.Body {
		t.Errorf("posted %v", post)
	}
	got, found, err := findOne(c, ctx, marker, time.Time{})
	if err != nil || !found || got != want {
		t.Fatalf("find after the create: %+v, %v, %v; want %+v", got, found, err, want)
	}
	if err := c.Comment(ctx, "35437", "Thanks, this was a drill."); err != nil {
		t.Fatal(err)
	}
	put := api.puts["/api/v2/requests/35437"]
	if len(put) != 1 || put[0]["request"]["comment"].(map[string]any)["body"] != "Thanks, this was a drill." {
		t.Errorf("comment sent as %v", api.puts)
	}
	if err := c.Comment(ctx, "../tickets/1", "x"); err == nil {
		t.Error("a comment on a non-numeric id was sent")
	}
}

func TestDrillCreateErrorsKnownAndUnknown(t *testing.T) {
	for _, tc := range []struct {
		status  int
		unknown bool
	}{
		{http.StatusUnprocessableEntity, false},
		{http.StatusForbidden, false},
		{http.StatusInternalServerError, true},
		{http.StatusBadGateway, true},
	} {
		api := &fakeRequestsAPI{status: tc.status}
		c := newTestCreator(t, api)
		_, err := c.Create(context.Background(), source.Draft{Subject: "s m", Body: "b m", Marker: "m"})
		if err == nil || source.Unknown(err) != tc.unknown {
			t.Errorf("status %d: %v, unknown %v; want an error, unknown %v", tc.status, err, source.Unknown(err), tc.unknown)
		}
	}
}

func TestDrillCreateAnswerWithoutRequestIsUnknown(t *testing.T) {
	c := newTestCreator(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{}`)
	}))
	_, err := c.Create(context.Background(), source.Draft{Subject: "s m", Body: "b m", Marker: "m"})
	if err == nil || !source.Unknown(err) {
		t.Fatalf("a 201 without a request: %v; want an error of unknown outcome", err)
	}
}

// TestDrillFindPagesPastTheAttempt: Find does not stop at the list's
// first page: a drill request that 120 requests updated since push to the
// second page, while the search index does not hold it yet, is found;
// the list is read until it is past the time asked for, and no further.
func TestDrillFindPagesPastTheAttempt(t *testing.T) {
	api := &fakeRequestsAPI{pageSize: 100}
	c := newTestCreator(t, api)
	ctx := context.Background()
	marker := "support-drill-20260303T014000Z-00ff"
	if _, err := c.Create(ctx, source.Draft{Subject: "[drill " + marker + "]", Body: "Test " + marker, Marker: marker}); err != nil {
		t.Fatal(err)
	}
	request := func(id int, at time.Time) map[string]any {
		return map[string]any{"id": id, "subject": "other", "description": "other", "status": "open",
			"requester_id": 1462, "created_at": at.Add(-time.Hour), "updated_at": at}
	}
	filed := time.Date(2026, 3, 3, 1, 40, 0, 0, time.UTC)
	var newer, older []map[string]any
	for i := range 120 { // updated after the drill request, newest first
		newer = append(newer, request(1000+i, filed.Add(time.Duration(120-i)*time.Minute)))
	}
	for i := range 300 { // updated before it
		older = append(older, request(2000+i, filed.Add(-time.Duration(i+1)*time.Hour)))
	}
	api.requests = append(append(newer, api.requests...), older...)
	got, found, err := findOne(c, ctx, marker, filed.Add(-15*time.Minute))
	if err != nil || !found || got.ID != "35437" {
		t.Fatalf("find behind 120 newer updates: %+v, %v, %v; want 35437", got, found, err)
	}
	api.lists = 0
	if _, found, err := findOne(c, ctx, "support-drill-absent", filed.Add(-15*time.Minute)); err != nil || found {
		t.Fatalf("find of an absent marker: %v, %v", found, err)
	}
	if api.lists != 2 {
		t.Errorf("the list was read %d pages for an absent marker, want 2 (until past the attempt)", api.lists)
	}
	slices.Reverse(api.requests) // a sort the account ignores: oldest first
	api.lists = 0
	if _, found, err := findOne(c, ctx, "support-drill-absent", filed.Add(-15*time.Minute)); err != nil || found {
		t.Fatalf("find of an absent marker in a list out of order: %v, %v", found, err)
	}
	if api.lists != 5 {
		t.Errorf("a list out of order was read %d pages, want all 5", api.lists)
	}
}

// findOne is Find's one match: an error when it returned several.
func findOne(c source.Creator, ctx context.Context, marker string, since time.Time) (source.Filed, bool, error) {
	all, err := c.Find(ctx, marker, since)
	switch {
	case err != nil || len(all) == 0:
		return source.Filed{}, false, err
	case len(all) > 1:
		return source.Filed{}, false, fmt.Errorf("find %q: %d matches: %+v", marker, len(all), all)
	}
	return all[0], true, nil
}

// TestDrillFindReturnsEveryMatch: an older drill request, bumped to the
// top of the list by an update (an auto-close), comes before a newer one:
// Find returns both, not the first it meets.
func TestDrillFindReturnsEveryMatch(t *testing.T) {
	api := &fakeRequestsAPI{requests: []map[string]any{
		{"id": 1, "subject": "[drill support-drill-20260201T010000Z-0001]", "description": "d", "requester_id": 1462,
			"created_at": "2026-02-01T01:00:00Z", "updated_at": "2026-03-03T02:00:00Z"},
		{"id": 2, "subject": "[drill support-drill-20260303T014000Z-0002]", "description": "d", "requester_id": 1462,
			"created_at": "2026-03-03T01:40:00Z", "updated_at": "2026-03-03T01:40:00Z"},
	}}
	c := newTestCreator(t, api)
	all, err := c.Find(context.Background(), "support-drill-", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(all) != 2 || all[0].ID != "1" || all[1].ID != "2" {
		t.Fatalf("found %+v, %v; want requests 1 and 2", all, err)
	}
}

// TestDrillFindOnlyTheEndUsersOwn: a colleague of the buyer (another end
// user of the organization, whose exporter drills the same vendor with
// the same interval) filed a request with the same marker; the list and
// the search both show it. Find never returns it, nor a request without a
// requester_id, and asks who the end user is once.
func TestDrillFindOnlyTheEndUsersOwn(t *testing.T) {
	marker := "support-drill-20260303T014000Z-00ff"
	colleague := map[string]any{"id": 900, "subject": "[drill " + marker + "] 503s", "description": "Test " + marker,
		"requester_id": 1500, "created_at": "2026-03-03T01:40:00Z", "updated_at": "2026-03-03T01:41:00Z"}
	nobody := map[string]any{"id": 901, "subject": "[drill " + marker + "] 503s", "description": "Test " + marker,
		"created_at": "2026-03-03T01:40:00Z", "updated_at": "2026-03-03T01:40:30Z"}
	api := &fakeRequestsAPI{requests: []map[string]any{colleague, nobody}, found: []map[string]any{colleague, nobody}}
	c := newTestCreator(t, api)
	ctx := context.Background()
	since := time.Date(2026, 3, 3, 1, 25, 0, 0, time.UTC)
	for _, m := range []string{marker, "support-drill-"} {
		if all, err := c.Find(ctx, m, since); err != nil || len(all) != 0 {
			t.Fatalf("find %q with only a colleague's request: %+v, %v; want none", m, all, err)
		}
	}
	if _, err := c.Create(ctx, source.Draft{Subject: "[drill " + marker + "] 503s", Body: "Test " + marker, Marker: marker}); err != nil {
		t.Fatal(err)
	}
	api.found = append(api.found, api.requests[0])
	if all, err := c.Find(ctx, "support-drill-", since); err != nil || len(all) != 1 || all[0].ID != "35437" {
		t.Fatalf("find after the buyer's own create: %+v, %v; want only 35437", all, err)
	}
	if api.mes != 1 {
		t.Errorf("GET /api/v2/users/me read %d times, want once", api.mes)
	}
}

// TestDrillFindWithoutTheEndUserIsAnError: an answer of
// GET /api/v2/users/me without an id (Zendesk's anonymous user) leaves no
// request known as the buyer's: Find fails rather than say "none".
func TestDrillFindWithoutTheEndUserIsAnError(t *testing.T) {
	for _, me := range []string{`{"user":{"id":null,"name":"Anonymous user","role":"end-user"}}`, `{}`} {
		api := &fakeRequestsAPI{me: me}
		c := newTestCreator(t, api)
		if all, err := c.Find(context.Background(), "support-drill-", time.Time{}); err == nil {
			t.Errorf("users/me %s: found %+v, want an error", me, all)
		}
		if api.lists != 0 {
			t.Errorf("users/me %s: the list was read", me)
		}
	}
}
