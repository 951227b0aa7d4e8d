package github

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
)

// fakeIssuesAPI answers the drill's calls as GitHub's REST API documents
// them: 201 with the issue on create, 201 with the comment, the issue
// list as an array, the search as {"total_count", "items"}; 410 and 422
// with their {"message", "documentation_url"} envelopes.
type fakeIssuesAPI struct {
	mu       sync.Mutex
	issues   []map[string]any
	posts    []map[string]any
	comments map[string][]string
	status   int
	searched []string
}

func (f *fakeIssuesAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	body, _ := io.ReadAll(r.Body)
	if r.Header.Get("X-GitHub-Api-Version") != apiVersion {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/repos/acme/sdk/issues":
		var in map[string]any
		if err := json.Unmarshal(body, &in); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.posts = append(f.posts, in)
		if s := f.status; s != 0 {
			f.status = 0
			w.WriteHeader(s)
			_, _ = io.WriteString(w, `{"message":"Issues are disabled for this repo","documentation_url":"https://docs.github.com/v3/issues/","status":"410"}`)
			return
		}
		is := map[string]any{"number": 1347 + len(f.posts), "title": in["title"], "body": in["body"], "state": "open",
			"created_at": "2026-03-03T01:40:00Z", "updated_at": "2026-03-03T01:40:00Z"}
		f.issues = append([]map[string]any{is}, f.issues...)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(is)
	case r.Method == http.MethodPost && r.URL.Path == "/repos/acme/sdk/issues/1348/comments":
		var in map[string]string
		_ = json.Unmarshal(body, &in)
		if f.comments == nil {
			f.comments = map[string][]string{}
		}
		f.comments[r.URL.Path] = append(f.comments[r.URL.Path], in["body"])
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":1,"body":"x"}`)
	case r.Method == http.MethodGet && r.URL.Path == "/repos/acme/sdk/issues":
		if q := r.URL.Query(); q.Get("state") != "all" || q.Get("sort") != "created" || q.Get("direction") != "desc" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(append([]map[string]any{}, f.issues...))
	case r.Method == http.MethodGet && r.URL.Path == "/search/issues":
		f.searched = append(f.searched, r.URL.Query().Get("q"))
		_, _ = io.WriteString(w, `{"total_count":0,"incomplete_results":false,"items":[]}`)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func newTestCreator(t *testing.T, api http.Handler) source.Creator {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	env := collectortest.Env("github", srv.URL, srv.Client())
	env.Config.Options = &Options{Repositories: []string{"acme/sdk", "acme/cli"}}
	c, err := NewCreator(env)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDrillIssueCreateFindComment(t *testing.T) {
	api := &fakeIssuesAPI{}
	c := newTestCreator(t, api)
	ctx := context.Background()
	marker := "support-drill-20260303T014000Z-00ff"
	if _, found, err := c.Find(ctx, marker, time.Time{}); err != nil || found {
		t.Fatalf("find before the create: %v, %v", found, err)
	}
	if want := `"` + marker + `" repo:acme/sdk in:title,body`; len(api.searched) != 1 || api.searched[0] != want {
		t.Errorf("searched %q, want %q", api.searched, want)
	}
	f, err := c.Create(ctx, source.Draft{Subject: "[drill " + marker + "]", Body: "b " + marker, Priority: "P1", Marker: marker})
	want := source.Filed{ID: "acme/sdk#1348", CreatedAt: time.Date(2026, 3, 3, 1, 40, 0, 0, time.UTC)}
	if err != nil || f != want {
		t.Fatalf("create: %+v, %v; want %+v", f, err, want)
	}
	if labels, _ := api.posts[0]["labels"].([]any); len(labels) != 1 || labels[0] != "P1" {
		t.Errorf("posted %v, want the priority as a label", api.posts[0])
	}
	if got, found, err := c.Find(ctx, marker, time.Time{}); err != nil || !found || got != want {
		t.Fatalf("find after the create: %+v, %v, %v", got, found, err)
	}
	if err := c.Comment(ctx, "acme/sdk#1348", "Thanks, a drill."); err != nil {
		t.Fatal(err)
	}
	if got := api.comments["/repos/acme/sdk/issues/1348/comments"]; len(got) != 1 || got[0] != "Thanks, a drill." {
		t.Errorf("comments %v", api.comments)
	}
	if err := c.Comment(ctx, "acme/cli#1", "x"); err == nil {
		t.Error("a comment on another repository's issue was sent")
	}
}

func TestDrillIssueRefusedIsKnown(t *testing.T) {
	api := &fakeIssuesAPI{status: http.StatusGone}
	c := newTestCreator(t, api)
	_, err := c.Create(context.Background(), source.Draft{Subject: "m", Body: "m", Marker: "m"})
	if err == nil || source.Unknown(err) {
		t.Fatalf("a 410: %v, want a known failure", err)
	}
}

// TestDrillTargetIsTheFirstRepository: the drill stores where it files,
// the first repository of the source, and compares it at each step.
func TestDrillTargetIsTheFirstRepository(t *testing.T) {
	c := newTestCreator(t, http.NotFoundHandler())
	if got := c.Target(); !strings.HasSuffix(got, "/repos/acme/sdk") {
		t.Errorf("target %q, want the API URL of acme/sdk", got)
	}
}
