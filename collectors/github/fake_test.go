package github

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// fakeRepo is one repository the fake serves.
type fakeRepo struct {
	id        int
	issues    []map[string]any
	timelines map[int][]map[string]any // by issue number
}

// fakeFailure replaces the answer to every request of one path.
type fakeFailure struct {
	status     int
	header     http.Header // added to the failure's response
	body       string      // a raw 200 body instead of the JSON
	truncated  bool        // the body is cut short of its Content-Length
	remaining0 bool        // X-RateLimit-Remaining: 0
	// pages, when set, answers page n (from 1) with pages(n) and a Link
	// naming page n+1, and page last as the last when last is set: a list
	// that never ends.
	pages func(n int) []map[string]any
	last  int
}

// fakeRequest is a request as the fake saw it.
type fakeRequest struct {
	path        string
	query       url.Values
	ifNoneMatch string
	apiVersion  string
	status      int
}

// fakeGitHub answers the two endpoints the collector calls as
// api.github.com does: GET {prefix}/repos/{owner}/{repo}/issues (state,
// sort, direction, since, per_page, page; Link with next/last/prev/first
// pointing at /repositories/{id}/..., as GitHub writes them; ETag and 304
// on If-None-Match) and GET .../issues/{number}/timeline (per_page, page,
// Link). Every response carries the rate-limit headers of a recorded
// api.github.com response.
type fakeGitHub struct {
	t      testing.TB
	prefix string

	mu       sync.Mutex
	repos    map[string]*fakeRepo // by owner/name
	failures map[string]fakeFailure
	requests []fakeRequest
	// afterRequest runs after each request is answered, with the lock
	// held, to change the data between two requests of one sync.
	afterRequest func(f *fakeGitHub, n int)
}

func newFakeGitHub(t testing.TB, prefix string) (*fakeGitHub, *httptest.Server) {
	t.Helper()
	f := &fakeGitHub{t: t, prefix: prefix, repos: map[string]*fakeRepo{}, failures: map[string]fakeFailure{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeGitHub) repo(name string) *fakeRepo {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.repos[name]
	if !ok {
		r = &fakeRepo{id: 515435940 + len(f.repos), timelines: map[int][]map[string]any{}}
		f.repos[name] = r
	}
	return r
}

func (f *fakeGitHub) addIssues(repo string, issues ...map[string]any) {
	r := f.repo(repo)
	f.mu.Lock()
	defer f.mu.Unlock()
	r.issues = append(r.issues, issues...)
}

func (f *fakeGitHub) setTimeline(repo string, number int, events ...map[string]any) {
	r := f.repo(repo)
	f.mu.Lock()
	defer f.mu.Unlock()
	r.timelines[number] = events
}

// updateIssue changes fields of an issue, as an edit on GitHub does.
func (f *fakeGitHub) updateIssue(repo string, number int, fields map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updateIssueLocked(repo, number, fields)
}

func (f *fakeGitHub) updateIssueLocked(repo string, number int, fields map[string]any) {
	for _, is := range f.repos[repo].issues {
		if is["number"] == number {
			maps.Copy(is, fields)
			return
		}
	}
	f.t.Errorf("fake: no issue %s#%d", repo, number)
}

func (f *fakeGitHub) fail(path string, ff fakeFailure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[path] = ff
}

func (f *fakeGitHub) seen() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

func (f *fakeGitHub) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = nil
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec := fakeRequest{path: r.URL.Path, query: r.URL.Query(), ifNoneMatch: r.Header.Get("If-None-Match"),
		apiVersion: r.Header.Get("X-GitHub-Api-Version")}
	rw := &statusRecorder{ResponseWriter: w}
	f.serve(rw, r)
	rec.status = rw.status
	f.requests = append(f.requests, rec)
	if f.afterRequest != nil {
		f.afterRequest(f, len(f.requests))
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	for k, v := range realRateLimitHeaders(f.t) {
		w.Header()[k] = v
	}
	path, ok := strings.CutPrefix(r.URL.Path, f.prefix)
	if r.Method != http.MethodGet || !ok {
		notFound(w)
		return
	}
	if ff, ok := f.failures[path]; ok {
		writeFailure(w, r, ff)
		return
	}
	repo, rest, ok := f.route(path)
	switch {
	case !ok:
		notFound(w)
	case rest == "issues":
		f.serveIssues(w, r, repo)
	case strings.HasPrefix(rest, "issues/") && strings.HasSuffix(rest, "/timeline"):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rest, "issues/"), "/timeline"))
		events, found := repo.timelines[n]
		if err != nil || !found && !f.hasIssue(repo, n) {
			notFound(w)
			return
		}
		if events == nil {
			events = []map[string]any{}
		}
		f.servePage(w, r, repo, rest, events)
	default:
		notFound(w)
	}
}

// route finds the repository of /repos/{owner}/{name}/... or
// /repositories/{id}/... and the rest of the path.
func (f *fakeGitHub) route(path string) (*fakeRepo, string, bool) {
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 4)
	switch {
	case len(parts) == 4 && parts[0] == "repos":
		// Owner and name are case-insensitive on GitHub.
		for name, r := range f.repos {
			if strings.EqualFold(name, parts[1]+"/"+parts[2]) {
				return r, parts[3], true
			}
		}
	case len(parts) >= 3 && parts[0] == "repositories":
		for _, r := range f.repos {
			if strconv.Itoa(r.id) == parts[1] {
				return r, strings.Join(parts[2:], "/"), true
			}
		}
	}
	return nil, "", false
}

func (f *fakeGitHub) hasIssue(repo *fakeRepo, n int) bool {
	return slices.ContainsFunc(repo.issues, func(is map[string]any) bool { return is["number"] == n })
}

// serveIssues lists issues and pull requests updated at or after since,
// sorted by update time, oldest first. The fake serves only the ordering
// the collector asks for; GitHub's defaults (open issues, newest created
// first) would be a different list.
func (f *fakeGitHub) serveIssues(w http.ResponseWriter, r *http.Request, repo *fakeRepo) {
	q := r.URL.Query()
	if q.Get("state") != "all" || q.Get("sort") != "updated" || q.Get("direction") != "asc" {
		validationFailed(w, "fake serves state=all&sort=updated&direction=asc only")
		return
	}
	var since time.Time
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			validationFailed(w, "since: invalid timestamp")
			return
		}
		since = t
	}
	var list []map[string]any
	for _, is := range repo.issues {
		if !q.Has("since") || !updatedAt(f.t, is).Before(since) {
			list = append(list, is)
		}
	}
	slices.SortStableFunc(list, func(a, b map[string]any) int {
		return cmp.Or(updatedAt(f.t, a).Compare(updatedAt(f.t, b)), cmp.Compare(a["number"].(int), b["number"].(int)))
	})
	f.servePage(w, r, repo, "issues", list)
}

// servePage answers one page of list, with Link and ETag headers.
func (f *fakeGitHub) servePage(w http.ResponseWriter, r *http.Request, repo *fakeRepo, rest string, list []map[string]any) {
	q := r.URL.Query()
	perPage, page := 30, 1
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			validationFailed(w, "per_page")
			return
		}
		perPage = min(max(n, 1), 100)
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			validationFailed(w, "page")
			return
		}
		page = max(n, 1)
	}
	last := max((len(list)+perPage-1)/perPage, 1)
	start := min((page-1)*perPage, len(list))
	end := min(start+perPage, len(list))
	body, err := json.Marshal(list[start:end])
	if err != nil {
		f.t.Fatal(err)
	}
	link := func(p int, rel string) string {
		lq := maps.Clone(q)
		lq.Set("page", strconv.Itoa(p))
		return fmt.Sprintf(`<http://%s%s/repositories/%d/%s?%s>; rel="%s"`, r.Host, f.prefix, repo.id, rest, lq.Encode(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(page-1, "prev"), link(1, "first"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "private, max-age=60, s-maxage=60")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func writeFailure(w http.ResponseWriter, r *http.Request, ff fakeFailure) {
	for k, v := range ff.header {
		w.Header()[k] = v
	}
	if ff.remaining0 {
		w.Header().Set("X-RateLimit-Remaining", "0")
	}
	switch {
	case ff.pages != nil:
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page = max(page, 1)
		link := func(p int, rel string) string {
			q := r.URL.Query()
			q.Set("page", strconv.Itoa(p))
			return fmt.Sprintf(`<http://%s%s?%s>; rel="%s"`, r.Host, r.URL.Path, q.Encode(), rel)
		}
		links := []string{link(page+1, "next")}
		if ff.last > 0 {
			links = append(links, link(ff.last, "last"))
		}
		w.Header().Set("Link", strings.Join(links, ", "))
		items := ff.pages(page)
		if items == nil {
			items = []map[string]any{}
		}
		collectortest.WriteJSON(w, http.StatusOK, items)
	case ff.truncated:
		collectortest.WriteCut(w, collectortest.JSONType, ff.body)
	case ff.body != "":
		collectortest.WriteBody(w, collectortest.JSONType, ff.body)
	default:
		collectortest.WriteJSON(w, ff.status, map[string]any{"message": http.StatusText(ff.status),
			"documentation_url": "https://docs.github.com/rest"})
	}
}

func notFound(w http.ResponseWriter) {
	collectortest.WriteJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found",
		"documentation_url": "https://docs.github.com/rest", "status": "404"})
}

func validationFailed(w http.ResponseWriter, msg string) {
	collectortest.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed: " + msg,
		"documentation_url": "https://docs.github.com/rest", "status": "422"})
}

func updatedAt(t testing.TB, is map[string]any) time.Time {
	at, err := time.Parse(time.RFC3339, is["updated_at"].(string))
	if err != nil {
		t.Fatalf("fake issue %v: %v", is["number"], err)
	}
	return at
}

// realRateLimitHeaders are the X-RateLimit-* headers of the recorded
// api.github.com issue list response.
func realRateLimitHeaders(t testing.TB) http.Header {
	t.Helper()
	var rec struct {
		Headers map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(collectortest.Testdata(t, "octokit-fixtures_paginate-issues_raw_page1.headers.json"), &rec); err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	for k, v := range rec.Headers {
		if strings.HasPrefix(strings.ToLower(k), "x-ratelimit-") {
			h.Set(k, v)
		}
	}
	if len(h) == 0 {
		t.Fatal("no rate-limit headers in the recorded response")
	}
	return h
}

// realIssue is the first issue of the recorded issue list with fields
// overridden (a nil value is sent as JSON null); "login" and "user_type"
// set the author's login and type.
func realIssue(t testing.TB, number int, overrides map[string]any) map[string]any {
	t.Helper()
	var page []map[string]any
	if err := json.Unmarshal(collectortest.Testdata(t, "octokit-fixtures_paginate-issues_raw_page1.json"), &page); err != nil {
		t.Fatal(err)
	}
	is := page[0]
	is["number"] = number
	is["author_association"] = "NONE"
	user := is["user"].(map[string]any)
	for k, v := range overrides {
		switch k {
		case "login":
			user["login"] = v
		case "user_type":
			user["type"] = v
		default:
			is[k] = v
		}
	}
	return is
}

// realTimeline is the documentation's timeline example.
func realTimeline(t testing.TB) []map[string]any {
	t.Helper()
	var events []map[string]any
	if err := json.Unmarshal(collectortest.Testdata(t, "docs_list_timeline_events.json"), &events); err != nil {
		t.Fatal(err)
	}
	return events
}

// comment is the documentation's commented event, by login with the given
// association, at at.
func comment(t testing.TB, login, association, at string) map[string]any {
	t.Helper()
	c := realTimeline(t)[3]
	for _, k := range []string{"user", "actor"} {
		c[k].(map[string]any)["login"] = login
	}
	c["author_association"], c["created_at"], c["updated_at"] = association, at, at
	return c
}

// botComment is a comment by a GitHub App's bot account.
func botComment(t testing.TB, login, at string) map[string]any {
	t.Helper()
	c := comment(t, login, "NONE", at)
	for _, k := range []string{"user", "actor"} {
		c[k].(map[string]any)["type"] = "Bot"
	}
	return c
}

// stateEvent is a closed or reopened event shaped like the documentation's
// state-change events (its locked event with the state-change fields).
func stateEvent(t testing.TB, event string, reason any, at string) map[string]any {
	t.Helper()
	e := realTimeline(t)[0]
	delete(e, "lock_reason")
	e["event"], e["created_at"] = event, at
	if event == "closed" {
		e["state_reason"] = reason
	}
	return e
}
