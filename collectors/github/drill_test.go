package github

import (
	"context"
	"encoding/json"
	"fmt"
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
	found    []map[string]any // the search's items
	creators []string         // the creator= of each list
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
			"user":       map[string]any{"login": "acme-buyer"},
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
		f.creators = append(f.creators, r.URL.Query().Get("creator"))
		_ = json.NewEncoder(w).Encode(append([]map[string]any{}, f.issues...))
	case r.Method == http.MethodGet && r.URL.Path == "/search/issues":
		f.searched = append(f.searched, r.URL.Query().Get("q"))
		_ = json.NewEncoder(w).Encode(map[string]any{"total_count": len(f.found), "incomplete_results": false, "items": append([]map[string]any{}, f.found...)})
	case r.Method == http.MethodGet && r.URL.Path == "/user":
		_, _ = io.WriteString(w, `{"login":"acme-buyer","id":1,"type":"User"}`)
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
	if _, found, err := findOne(c, ctx, marker, time.Time{}); err != nil || found {
		t.Fatalf("find before the create: %v, %v", found, err)
	}
	if want := `"` + marker + `" repo:acme/sdk author:@me in:title,body`; len(api.searched) != 1 || api.searched[0] != want {
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
	if got, found, err := findOne(c, ctx, marker, time.Time{}); err != nil || !found || got != want {
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

// TestDrillFindOnlyTheBuyersIssues: an issue another login opened quoting
// the marker (another company's drill, a copy) and a pull request of the
// buyer's quoting it are never taken for the drill's issue, in the list
// (asked with creator=) or in the search (asked with author:@me).
func TestDrillFindOnlyTheBuyersIssues(t *testing.T) {
	marker := "support-drill-20260303T014000Z-00ff"
	created := "2026-03-03T01:40:00Z"
	theirs := map[string]any{"number": 7, "title": "[drill " + marker + "]", "body": marker, "created_at": created,
		"user": map[string]any{"login": "other-co"}}
	pr := map[string]any{"number": 8, "title": "docs: " + marker, "body": marker, "created_at": created,
		"user": map[string]any{"login": "acme-buyer"}, "pull_request": map[string]any{"url": "x"}}
	api := &fakeIssuesAPI{issues: []map[string]any{pr, theirs}, found: []map[string]any{theirs, pr}}
	c := newTestCreator(t, api)
	if f, found, err := findOne(c, context.Background(), marker, time.Time{}); err != nil || found {
		t.Fatalf("found %+v (%v, %v), want no drill issue", f, found, err)
	}
	if len(api.creators) != 1 || api.creators[0] != "acme-buyer" {
		t.Errorf("lists asked with creator %q, want acme-buyer", api.creators)
	}
	api.issues = append(api.issues, map[string]any{"number": 9, "title": "x", "body": marker, "created_at": created,
		"user": map[string]any{"login": "ACME-buyer"}})
	if f, found, err := findOne(c, context.Background(), marker, time.Time{}); err != nil || !found || f.ID != "acme/sdk#9" {
		t.Fatalf("found %+v (%v, %v), want the buyer's issue 9", f, found, err)
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
