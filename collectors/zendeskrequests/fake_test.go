package zendeskrequests

import (
	"cmp"
	"encoding/base64"
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

const requestsPath = "/api/v2/requests"

// fakeRequest is one request the fake serves, with its comments.
type fakeRequest struct {
	id       int64
	fields   map[string]any // the request object, from the documentation's example
	updated  time.Time
	comments []map[string]any
}

// fault replaces the answer to one request: a status, or a raw body,
// optionally cut short of its announced Content-Length.
type fault struct {
	status    int
	body      string
	truncated bool
}

// fakeZendesk answers the Requests API as Zendesk documents it: GET
// {prefix}/api/v2/requests and GET {prefix}/api/v2/requests/{id}/comments
// with cursor pagination (page[size], page[after]; meta.has_more,
// meta.after_cursor; links), the list sorted by sort_by and sort_order,
// comments oldest first, and the rate-limit headers of a recorded Zendesk
// response on every answer.
type fakeZendesk struct {
	t       testing.TB
	prefix  string
	headers http.Header

	mu       sync.Mutex
	requests map[int64]*fakeRequest
	// now is the server's clock, sent in the Date header.
	now time.Time
	// listLimit and commentLimit cap the page size below page[size]:
	// Zendesk fills pages to page[size] (at most 100); small pages exercise
	// the same paging with few requests.
	listLimit, commentLimit int
	// ignoreSort serves the list by id, as a community report says Zendesk
	// does under cursor pagination.
	ignoreSort bool
	// faults by "path?page[after]" (the path alone for a first page).
	faults map[string]fault
	// afterList runs once list page n is made, e.g. to update a request
	// while a walk is under way.
	afterList func(n int)
	listed    int
	log       []string // "path?query" of every request, query decoded
}

func newFakeZendesk(t *testing.T, prefix string) (*fakeZendesk, *httptest.Server) {
	t.Helper()
	f := &fakeZendesk{
		t:            t,
		prefix:       prefix,
		headers:      recordedRateLimitHeaders(t),
		requests:     map[int64]*fakeRequest{},
		now:          collectortest.Time(t, "2025-03-10T12:00:00Z"),
		listLimit:    100,
		commentLimit: 100,
		faults:       map[string]fault{},
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// put adds or replaces a request updated at updated, with comments by the
// given authors one minute apart from its creation (the first is its
// description).
func (f *fakeZendesk) put(id, requester int64, status string, created, updated time.Time, authors ...int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fields := docRequest(f.t)
	maps.Copy(fields, map[string]any{
		"id":           id,
		"url":          fmt.Sprintf("https://company.zendesk.com/api/v2/requests/%d", id),
		"status":       status,
		"requester_id": requester,
		"created_at":   created.Format(time.RFC3339),
		"updated_at":   updated.Format(time.RFC3339),
	})
	r := &fakeRequest{id: id, fields: fields, updated: updated}
	for i, author := range authors {
		c := docComment(f.t)
		maps.Copy(c, map[string]any{
			"id":         id*1000 + int64(i),
			"request_id": id,
			"author_id":  author,
			"public":     true,
			"created_at": created.Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
		})
		r.comments = append(r.comments, c)
	}
	f.requests[id] = r
}

// touch updates request id at updated, adding a public comment by author.
func (f *fakeZendesk) touch(id, author int64, updated time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests[id]
	r.updated = updated
	r.fields["updated_at"] = updated.Format(time.RFC3339)
	c := docComment(f.t)
	maps.Copy(c, map[string]any{"id": id*1000 + int64(len(r.comments)), "request_id": id, "author_id": author,
		"public": true, "created_at": updated.Format(time.RFC3339)})
	r.comments = append(r.comments, c)
}

// setStatus updates request id at updated to status, with no comment (an
// agent's or a trigger's update).
func (f *fakeZendesk) setStatus(id int64, status string, updated time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests[id]
	r.updated = updated
	r.fields["status"] = status
	r.fields["updated_at"] = updated.Format(time.RFC3339)
}

// requestLog returns the requests received since the last call.
func (f *fakeZendesk) requestLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.log
	f.log = nil
	return out
}

func (f *fakeZendesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.log = append(f.log, r.URL.Path+"?"+decodedQuery(q))
	flt, faulty := f.faults[r.URL.Path+"?"+q.Get("page[after]")]
	if !faulty {
		flt, faulty = f.faults[r.URL.Path]
	}
	f.mu.Unlock()

	for k, v := range f.headers {
		w.Header()[k] = v
	}
	w.Header().Set("Date", f.now.Format(http.TimeFormat))
	switch {
	case r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, f.prefix+requestsPath):
		collectortest.WriteJSON(w, http.StatusNotFound, map[string]any{"error": "InvalidEndpoint", "description": "Not found"})
	case faulty && flt.status != 0:
		collectortest.WriteJSON(w, flt.status, map[string]any{"error": http.StatusText(flt.status)})
	case faulty && flt.truncated:
		collectortest.WriteCut(w, collectortest.JSONType, flt.body)
	case faulty:
		collectortest.WriteBody(w, collectortest.JSONType, flt.body)
	case r.URL.Path == f.prefix+requestsPath:
		f.serveList(w, r)
	default:
		f.serveComments(w, r)
	}
}

// serveList answers GET /api/v2/requests. Under cursor pagination the page
// cursor encodes the sort key of the page's last request, so a request
// updated during a walk moves ahead of it, as in Zendesk.
func (f *fakeZendesk) serveList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("page[size]") == "" {
		f.t.Errorf("list request without page[size]: %s", r.URL.RawQuery)
	}
	f.mu.Lock()
	all := slices.Collect(maps.Values(f.requests))
	desc := q.Get("sort_by") == "updated_at" && q.Get("sort_order") == "desc" && !f.ignoreSort
	key := func(fr *fakeRequest) string {
		if desc {
			return fmt.Sprintf("%d:%d", fr.updated.Unix(), fr.id)
		}
		return strconv.FormatInt(fr.id, 10)
	}
	slices.SortFunc(all, func(a, b *fakeRequest) int {
		if desc {
			return cmp.Or(b.updated.Compare(a.updated), cmp.Compare(b.id, a.id))
		}
		return cmp.Compare(a.id, b.id)
	})
	start := 0
	if after := q.Get("page[after]"); after != "" {
		last, err := base64.RawURLEncoding.DecodeString(after)
		pos, ok := position(all, string(last), desc)
		if err != nil || !ok {
			f.mu.Unlock()
			collectortest.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "InvalidPaginationParameter", "description": "page[after] is invalid"})
			return
		}
		start = pos
	}
	var items []map[string]any
	end := min(start+f.listLimit, len(all))
	for _, fr := range all[start:end] {
		items = append(items, maps.Clone(fr.fields))
	}
	var lastKey string
	if end > start {
		lastKey = key(all[end-1])
	}
	f.listed++
	n := f.listed
	f.mu.Unlock()
	if f.afterList != nil {
		f.afterList(n) // before answering, so that the client sees the change only on later pages
	}
	collectortest.WriteJSON(w, http.StatusOK, f.envelope(r, "requests", items, lastKey, end < len(all)))
}

// position is the index of the first request after the one whose sort key
// is last (that request may have moved since); ok is false for a malformed
// key.
func position(all []*fakeRequest, last string, desc bool) (int, bool) {
	var nums []int64
	for _, p := range strings.Split(last, ":") {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return 0, false
		}
		nums = append(nums, n)
	}
	after := func(fr *fakeRequest) bool { return fr.id > nums[0] }
	switch {
	case desc && len(nums) == 2:
		sec, id := nums[0], nums[1]
		after = func(fr *fakeRequest) bool {
			return fr.updated.Unix() < sec || (fr.updated.Unix() == sec && fr.id < id)
		}
	case desc || len(nums) != 1:
		return 0, false
	}
	if i := slices.IndexFunc(all, after); i >= 0 {
		return i, true
	}
	return len(all), true
}

// serveComments answers GET /api/v2/requests/{id}/comments, oldest first.
func (f *fakeZendesk) serveComments(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, f.prefix+requestsPath+"/")
	idText, ok := strings.CutSuffix(rest, "/comments")
	id, err := strconv.ParseInt(idText, 10, 64)
	f.mu.Lock()
	fr := f.requests[id]
	var comments []map[string]any
	if fr != nil {
		for _, c := range fr.comments {
			comments = append(comments, maps.Clone(c))
		}
	}
	f.mu.Unlock()
	if !ok || err != nil || fr == nil {
		collectortest.WriteJSON(w, http.StatusNotFound, map[string]any{"error": "RecordNotFound", "description": "Not found"})
		return
	}
	start := 0
	if after := r.URL.Query().Get("page[after]"); after != "" {
		last, err := base64.RawURLEncoding.DecodeString(after)
		i := slices.IndexFunc(comments, func(c map[string]any) bool { return fmt.Sprint(c["id"]) == string(last) })
		if err != nil || i < 0 {
			collectortest.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "InvalidPaginationParameter", "description": "page[after] is invalid"})
			return
		}
		start = i + 1
	}
	end := min(start+f.commentLimit, len(comments))
	var lastKey string
	if end > start {
		lastKey = fmt.Sprint(comments[end-1]["id"])
	}
	collectortest.WriteJSON(w, http.StatusOK, f.envelope(r, "comments", comments[start:end], lastKey, end < len(comments)))
}

// envelope is a cursor-paginated body: items, meta and links.
func (f *fakeZendesk) envelope(r *http.Request, name string, items []map[string]any, lastKey string, hasMore bool) map[string]any {
	if items == nil {
		items = []map[string]any{}
	}
	meta := map[string]any{"has_more": hasMore, "after_cursor": nil, "before_cursor": nil}
	links := map[string]any{"next": nil, "prev": nil}
	if hasMore {
		after := base64.RawURLEncoding.EncodeToString([]byte(lastKey))
		next := r.URL.Query()
		next.Set("page[after]", after)
		meta["after_cursor"] = after
		links["next"] = "http://" + r.Host + r.URL.Path + "?" + next.Encode()
	}
	return map[string]any{name: items, "meta": meta, "links": links}
}

// decodedQuery is the query with its keys sorted and nothing escaped, for
// readable assertions.
func decodedQuery(q url.Values) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[k] {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, "&")
}

func readJSONObject(t testing.TB, name string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(collectortest.Testdata(t, name), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// docRequest is the documentation's example request object.
func docRequest(t testing.TB) map[string]any {
	return readJSONObject(t, "docs_request_object.json")
}

// docComment is the documentation's example request comment.
func docComment(t testing.TB) map[string]any {
	return readJSONObject(t, "docs_request_comment_object.json")
}

// recordedRateLimitHeaders are the rate-limit headers of a recorded Zendesk
// response (x-rate-limit, ratelimit-remaining, ...).
func recordedRateLimitHeaders(t testing.TB) http.Header {
	t.Helper()
	var rec struct {
		Headers map[string][]string `json:"headers"`
	}
	if err := json.Unmarshal(collectortest.Testdata(t, "zenpy_incremental_tickets_cursor_first_page.headers.json"), &rec); err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	for k, v := range rec.Headers {
		if strings.Contains(strings.ToLower(k), "rate") {
			h[http.CanonicalHeaderKey(k)] = v
		}
	}
	if len(h) == 0 {
		t.Fatal("no rate-limit headers in the recorded response")
	}
	return h
}
