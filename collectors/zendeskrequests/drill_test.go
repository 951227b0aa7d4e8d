package zendeskrequests

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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
		_ = json.NewEncoder(w).Encode(map[string]any{"requests": f.requests, "meta": map[string]any{"has_more": false}})
	case r.Method == http.MethodGet && r.URL.Path == "/api/v2/requests/search":
		f.searched = append(f.searched, r.URL.Query().Get("query"))
		_ = json.NewEncoder(w).Encode(map[string]any{"requests": []any{}, "count": 0})
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
	if _, found, err := c.Find(ctx, marker); err != nil || found {
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
	got, found, err := c.Find(ctx, marker)
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
