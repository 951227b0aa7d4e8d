package gcpsupport

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// casesFake answers cases:search and one case's comments with bodies the
// test sets, and records the search queries and the comments' page sizes.
// As v2 does, it refuses v2beta's project= and organization= terms.
type casesFake struct {
	mu        sync.Mutex
	search    string
	comments  string
	date      string // the Date header, when set
	queries   []string
	pageSizes []string // of the comments requests
	reads     int      // comments requests
}

var parentTerm = regexp.MustCompile(`\b(project|organization)\s*=`)

func (f *casesFake) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rw.Header().Set("Content-Type", "application/json")
	if f.date != "" {
		rw.Header()["Date"] = []string{f.date}
	}
	switch r.URL.Path {
	case "/v2/projects/some-project/cases:search":
		q := r.URL.Query().Get("query")
		f.queries = append(f.queries, q)
		if parentTerm.MatchString(q) {
			rw.WriteHeader(http.StatusBadRequest)
			_, _ = rw.Write([]byte(`{"error":{"code":400,"message":"Invalid query.","status":"INVALID_ARGUMENT"}}`))
			return
		}
		_, _ = rw.Write([]byte(f.search))
	case "/v2/projects/some-project/cases/43595344/comments":
		f.reads++
		f.pageSizes = append(f.pageSizes, r.URL.Query().Get("pageSize"))
		_, _ = rw.Write([]byte(f.comments))
	default:
		http.NotFound(rw, r)
	}
}

func (f *casesFake) set(search, comments string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.search, f.comments = search, comments
}

// The documented case (testdata/search_cases.json) in three versions, and
// its comments (testdata/comments.json) before and after the buyer's
// reply to the solution.
const (
	caseVersion = `{"cases":[{"name":"projects/some-project/cases/43595344","state":"%s","priority":"P1","escalated":true,
		"createTime":"2024-06-03T16:51:48.702Z","updateTime":"%s","creator":{"displayName":"Alice Analyst","email":"alice@example.com"}}]}`
	threeComments = `{"comments":[
		{"name":"projects/some-project/cases/43595344/comments/3","createTime":"2024-06-04T09:12:04.991Z","creator":{"displayName":"Google Cloud Support","googleSupport":true}},
		{"name":"projects/some-project/cases/43595344/comments/2","createTime":"2024-06-03T21:34:19Z","creator":{"displayName":"Alice Analyst","email":"alice@example.com"}},
		{"name":"projects/some-project/cases/43595344/comments/1","createTime":"2024-06-03T17:20:00.000Z","creator":{"displayName":"Google Cloud Support","googleSupport":true}}]}`
)

// fourComments are threeComments and, listed first, the buyer's reply.
var fourComments = strings.Replace(threeComments, `{"comments":[`, `{"comments":[
		{"name":"projects/some-project/cases/43595344/comments/4","createTime":"2024-06-05T07:00:00Z","creator":{"displayName":"Alice Analyst","email":"alice@example.com"}},`, 1)

func caseAt(state, updated string) string {
	return strings.Replace(strings.Replace(caseVersion, "%s", state, 1), "%s", updated, 1)
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fixedEnv is a source of fake's cases under projects/some-project whose
// clock stands at now, the plausible up to an hour after it: httptest's
// Date header, the wall clock's, is implausible and never read.
func fixedEnv(t *testing.T, srv *httptest.Server, now time.Time, st *collectortest.Store) source.Env {
	t.Helper()
	env := collectortest.Env("gcp_support", srv.URL, srv.Client())
	env.Config.Options = &Options{Parent: "projects/some-project"}
	// A token obtained elsewhere: http_client sends it, the collector
	// fetches none.
	env.Config.HTTPClient.Authorization = &commoncfg.Authorization{Type: "Bearer", Credentials: "ya29.elsewhere"}
	env.Now = func() time.Time { return now }
	env.Bounds = door.Bounds{NotBefore: at("2000-01-01T00:00:00Z"), MaxSkew: time.Hour, Now: env.Now}
	if st != nil {
		env.Stored = st.Stored
	}
	return env
}

// TestSyncRulesAndStates follows the documented case through a solve, a
// reopen by the buyer's reply, and a poll that finds it unchanged, every
// expected value by hand (docs/sources.md, `gcp_support`).
func TestSyncRulesAndStates(t *testing.T) {
	fake := &casesFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	st := collectortest.NewStore()
	src := collectortest.NewSource(t, New, fixedEnv(t, srv, at("2024-06-06T00:00:00Z"), st))
	sync := func() item.Ticket {
		t.Helper()
		if err := src.Sync(context.Background(), st.Cursor(), st.Emit); err != nil {
			t.Fatal(err)
		}
		return st.Tickets()["43595344"]
	}

	// Solved, first seen so: solved at its update, the replies by
	// creator.googleSupport, sorted by time.
	fake.set(caseAt("SOLUTION_PROVIDED", "2024-06-04T09:12:05.113Z"), threeComments)
	got := sync()
	solved := []item.Event{
		{Kind: item.EventVendorReply, At: at("2024-06-03T17:20:00Z")},
		{Kind: item.EventCustomerReply, At: at("2024-06-03T21:34:19Z")},
		{Kind: item.EventVendorReply, At: at("2024-06-04T09:12:04.991Z")},
		{Kind: item.EventSolved, At: at("2024-06-04T09:12:05.113Z")},
	}
	want := item.Ticket{ID: "43595344", CreatedAt: at("2024-06-03T16:51:48.702Z"), UpdatedAt: at("2024-06-04T09:12:05.113Z"),
		Priority: "P1", Status: item.StatusSolved, Escalated: true, Events: solved}
	if q := fake.queries[0]; q != "" {
		t.Errorf("first search query %q, want none (no history_start; the parent is the path's)", q)
	}
	// Comments 25 a page: 25 of 12,800 characters, twice, escaped, fit
	// the response cap.
	if len(fake.pageSizes) == 0 || fake.pageSizes[0] != "25" {
		t.Errorf("comments pageSize %q, want 25", fake.pageSizes)
	}
	check(t, "first sync", got, want)

	// The buyer replies to the solution; Google sets the case back in
	// progress: reopened at that reply.
	fake.set(caseAt("IN_PROGRESS_GOOGLE_SUPPORT", "2024-06-05T07:00:01Z"), fourComments)
	got = sync()
	want.UpdatedAt, want.Status = at("2024-06-05T07:00:01Z"), item.StatusOpen
	want.Events = append(append([]item.Event{}, solved...),
		item.Event{Kind: item.EventCustomerReply, At: at("2024-06-05T07:00:00Z")},
		item.Event{Kind: item.EventReopened, At: at("2024-06-05T07:00:00Z")})
	check(t, "reopened", got, want)
	// The mark is the newest update seen (at most the server's clock),
	// searched again less the overlap.
	if q := fake.queries[1]; q != `update_time>"2024-06-04T09:02:05Z"` {
		t.Errorf("second search query %q", q)
	}

	// Listed again in the overlap, unchanged: its comments are not read,
	// nothing is stored.
	reads := fake.reads
	var rec collectortest.Recorder
	if err := src.Sync(context.Background(), st.Cursor(), rec.Emit); err != nil {
		t.Fatal(err)
	}
	if fake.reads != reads || len(rec.TicketIDs()) != 0 {
		t.Errorf("an unchanged case: %d comments requests, stored %v; want none", fake.reads-reads, rec.TicketIDs())
	}
}

func check(t *testing.T, name string, got, want item.Ticket) {
	t.Helper()
	if got.ID != want.ID || !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) ||
		got.Priority != want.Priority || got.Status != want.Status || got.Escalated != want.Escalated || len(got.Events) != len(want.Events) {
		t.Fatalf("%s: got %+v, want %+v", name, got, want)
	}
	for i := range want.Events {
		if got.Events[i].Kind != want.Events[i].Kind || !got.Events[i].At.Equal(want.Events[i].At) {
			t.Errorf("%s: event %d is %v, want %v", name, i, got.Events[i], want.Events[i])
		}
	}
}

// TestOrganizationSearch: an organization's search is its path's (its
// projects' cases included); the query names the update time alone.
func TestOrganizationSearch(t *testing.T) {
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		_, _ = rw.Write([]byte(`{}`))
	}))
	defer srv.Close()
	env := collectortest.Env("gcp_support", srv.URL, srv.Client())
	env.Config.Options = &Options{Parent: "organizations/123456789"}
	env.Config.HTTPClient.Authorization = &commoncfg.Authorization{Type: "Bearer", Credentials: "ya29.elsewhere"}
	env.HistoryStart = at("2024-01-01T00:00:00Z")
	src := collectortest.NewSource(t, New, env)
	if err := src.Sync(context.Background(), nil, (&collectortest.Recorder{}).Emit); err != nil {
		t.Fatal(err)
	}
	if q := got.Get("query"); q != `update_time>"2024-01-01T00:00:00Z"` || got.Get("pageSize") != "100" {
		t.Errorf("query %q, pageSize %q", q, got.Get("pageSize"))
	}
}

// TestStalePageToken: a stored page token Google refuses (400) starts the
// walk again from its bound, without failing the sync.
func TestStalePageToken(t *testing.T) {
	var tokens []string
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/comments") {
			_, _ = rw.Write([]byte(`{}`))
			return
		}
		tok := r.URL.Query().Get("pageToken")
		tokens = append(tokens, tok)
		if tok == "stale" {
			rw.WriteHeader(http.StatusBadRequest)
			_, _ = rw.Write(collectortest.Testdata(t, "error_invalid_page_token.json"))
			return
		}
		_, _ = rw.Write([]byte(caseAt("NEW", "2024-06-05T07:00:01Z")))
	}))
	defer srv.Close()
	env := collectortest.Env("gcp_support", srv.URL, srv.Client())
	env.Config.Options = &Options{Parent: "projects/some-project"}
	env.Config.HTTPClient.Authorization = &commoncfg.Authorization{Type: "Bearer", Credentials: "ya29.elsewhere"}
	src := collectortest.NewSource(t, New, env)
	st := collectortest.NewStore()
	cur := []byte(`{"mark":"2024-06-01T00:00:00Z","since":"2024-05-31T23:50:00Z","token":"stale","top":"2024-06-04T00:00:00Z"}`)
	if err := src.Sync(context.Background(), cur, st.Emit); err != nil {
		t.Fatal(err)
	}
	if len(tokens) != 2 || tokens[0] != "stale" || tokens[1] != "" {
		t.Errorf("page tokens sent %q, want the stale one, then none", tokens)
	}
	if _, ok := st.Tickets()["43595344"]; !ok {
		t.Error("the case was not stored")
	}
}

// TestGoogleErrors: Google's error envelopes by status, each with its
// reason and what the error says to check.
func TestGoogleErrors(t *testing.T) {
	for _, tc := range []struct {
		file, reason, says string
		status             int
		parent             string
	}{
		{"error_unauthenticated.json", fetch.ReasonAuth, "UNAUTHENTICATED", http.StatusUnauthorized, ""},
		{"error_permission_denied.json", fetch.ReasonAuth, "roles/cloudsupport.techSupportViewer on projects/some-project", http.StatusForbidden, ""},
		{"error_permission_denied.json", fetch.ReasonAuth, "roles/cloudsupport.techSupportViewer and roles/resourcemanager.organizationViewer on organizations/123",
			http.StatusForbidden, "organizations/123"},
		{"error_invalid_page_token.json", fetch.ReasonHTTP, "HTTP 400", http.StatusBadRequest, ""},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.WriteHeader(tc.status)
			_, _ = rw.Write(collectortest.Testdata(t, tc.file))
		}))
		env := collectortest.Env("gcp_support", srv.URL, srv.Client())
		env.Config.Options = &Options{Parent: cmp.Or(tc.parent, "projects/some-project")}
		env.Config.HTTPClient.Authorization = &commoncfg.Authorization{Type: "Bearer", Credentials: "ya29.elsewhere"}
		err := collectortest.NewSource(t, New, env).Sync(context.Background(), nil, collectortest.NewStore().Emit)
		srv.Close()
		if fetch.Reason(err) != tc.reason || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v (reason %s), want %s saying %q", tc.file, err, fetch.Reason(err), tc.reason, tc.says)
		}
	}
}

// TestShortPages: a page may be short, even empty, and name a next one
// (AIP-158): the walk follows it, in the search and in the comments.
func TestShortPages(t *testing.T) {
	const comment = `{"name":"projects/some-project/cases/%s/comments/%s","createTime":"2024-06-04T0%s:00:00Z","creator":{"googleSupport":true}}`
	pages := map[string]string{
		"":  strings.Replace(caseAt("NEW", "2024-06-05T07:00:01Z"), `]}`, `],"nextPageToken":"a"}`, 1),
		"a": `{"nextPageToken":"b"}`,
		"b": strings.ReplaceAll(caseAt("NEW", "2024-06-05T06:00:00Z"), "43595344", "43595345"),
	}
	comments := map[string]string{
		"":  `{"comments":[` + fmt.Sprintf(comment, "N", "2", "2") + `],"nextPageToken":"a"}`,
		"a": `{"comments":[],"nextPageToken":"b"}`,
		"b": `{"comments":[` + fmt.Sprintf(comment, "N", "1", "1") + `]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		tok := r.URL.Query().Get("pageToken")
		if strings.HasSuffix(r.URL.Path, "/comments") {
			_, _ = rw.Write([]byte(comments[tok]))
			return
		}
		_, _ = rw.Write([]byte(pages[tok]))
	}))
	defer srv.Close()
	st := collectortest.NewStore()
	src := collectortest.NewSource(t, New, fixedEnv(t, srv, at("2024-06-06T00:00:00Z"), st))
	if err := src.Sync(fetch.StartSync(context.Background(), 100), nil, st.Emit); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"43595344", "43595345"} {
		if tk, ok := st.Tickets()[id]; !ok || len(tk.Events) != 2 {
			t.Errorf("case %s: stored %v with events %v, want it with both comments", id, ok, tk.Events)
		}
	}
}

// TestStaleListing: a listing older than the stored version (a lagging
// index) leaves the stored one as it is: no reopen invented.
func TestStaleListing(t *testing.T) {
	fake := &casesFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	st := collectortest.NewStore()
	src := collectortest.NewSource(t, New, fixedEnv(t, srv, at("2024-06-06T00:00:00Z"), st))
	fake.set(caseAt("SOLUTION_PROVIDED", "2024-06-04T09:12:05.113Z"), threeComments)
	if err := src.Sync(context.Background(), nil, st.Emit); err != nil {
		t.Fatal(err)
	}
	fake.set(caseAt("IN_PROGRESS_GOOGLE_SUPPORT", "2024-06-04T09:00:00Z"), threeComments)
	if err := src.Sync(context.Background(), nil, st.Emit); err != nil {
		t.Fatal(err)
	}
	got := st.Tickets()["43595344"]
	if got.Status != item.StatusSolved || !got.UpdatedAt.Equal(at("2024-06-04T09:12:05.113Z")) || got.Events[len(got.Events)-1].Kind != item.EventSolved {
		t.Errorf("after a stale listing the case is %s as of %v, events %v; want solved as of its newer update, no reopen", got.Status, got.UpdatedAt, got.Events)
	}
}

// TestSkippedCases: a test case and a case Google opened are no support
// the buyer asked for: neither is stored, nor are its comments read.
func TestSkippedCases(t *testing.T) {
	for _, tc := range []struct{ name, from, to string }{
		{"test case", `"escalated":true,`, `"escalated":true,"testCase":true,`},
		{"opened by Google", `"creator":{"displayName":"Alice Analyst","email":"alice@example.com"}`, `"creator":{"displayName":"Google Cloud Support","googleSupport":true}`},
	} {
		fake := &casesFake{}
		srv := httptest.NewServer(fake)
		st := collectortest.NewStore()
		src := collectortest.NewSource(t, New, fixedEnv(t, srv, at("2024-06-06T00:00:00Z"), st))
		fake.set(strings.Replace(caseAt("NEW", "2024-06-04T09:12:05Z"), tc.from, tc.to, 1), threeComments)
		err := src.Sync(context.Background(), nil, st.Emit)
		srv.Close()
		if err != nil || len(st.Tickets()) != 0 || fake.reads != 0 {
			t.Errorf("%s: %v; stored %d tickets, read comments %d times; want none", tc.name, err, len(st.Tickets()), fake.reads)
		}
	}
}

// TestDateHeaderCapsMark: the mark is at most Google's clock at the walk's
// first page (its Date header, when plausible).
func TestDateHeaderCapsMark(t *testing.T) {
	fake := &casesFake{date: "Tue, 04 Jun 2024 09:00:00 GMT"}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	st := collectortest.NewStore()
	src := collectortest.NewSource(t, New, fixedEnv(t, srv, at("2024-06-06T00:00:00Z"), st))
	fake.set(caseAt("NEW", "2024-06-04T09:12:05Z"), threeComments)
	for range 2 {
		if err := src.Sync(context.Background(), st.Cursor(), st.Emit); err != nil {
			t.Fatal(err)
		}
	}
	if q := fake.queries[1]; q != `update_time>"2024-06-04T08:50:00Z"` {
		t.Errorf("second query %q, want the Date header less the overlap", q)
	}
}

// TestFutureMarkStartsOver: a stored mark past the plausible (a clock
// that ran ahead) is dropped: the search starts over.
func TestFutureMarkStartsOver(t *testing.T) {
	fake := &casesFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	st := collectortest.NewStore()
	env := fixedEnv(t, srv, at("2024-06-06T00:00:00Z"), st)
	env.HistoryStart = at("2024-01-01T00:00:00Z")
	src := collectortest.NewSource(t, New, env)
	fake.set(caseAt("NEW", "2024-06-04T09:12:05Z"), threeComments)
	if err := src.Sync(context.Background(), []byte(`{"mark":"2030-01-01T00:00:00Z"}`), st.Emit); err != nil {
		t.Fatal(err)
	}
	if q := fake.queries[0]; q != `update_time>"2024-01-01T00:00:00Z"` {
		t.Errorf("query %q, want a search from history_start", q)
	}
	if _, ok := st.Tickets()["43595344"]; !ok {
		t.Error("the case was not stored")
	}
}
