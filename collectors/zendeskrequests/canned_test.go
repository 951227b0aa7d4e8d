package zendeskrequests

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// canned answers the Requests API with canned bodies, by path below prefix
// and, after "?", the page[after] of the request ("path" alone for a first
// page); anything else is Zendesk's 404. It records each request as
// path?page[after]. It models nothing of Zendesk, which the simulator plays
// (sim_test.go): the tests that use it need answers the simulator never
// gives (paging that circles or lacks a cursor, items lacking fields,
// bodies of a given size).
type canned struct {
	prefix  string
	answers map[string]string

	mu  sync.Mutex
	log []string
}

func newCanned(t *testing.T, prefix string, answers map[string]string) (*canned, *httptest.Server) {
	t.Helper()
	c := &canned{prefix: prefix, answers: answers}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv
}

func (c *canned) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, c.prefix)
	if after := r.URL.Query().Get("page[after]"); after != "" {
		key += "?" + after
	}
	c.mu.Lock()
	c.log = append(c.log, key)
	c.mu.Unlock()
	body, ok := c.answers[key]
	if !ok || !strings.HasPrefix(r.URL.Path, c.prefix+requestsPath) {
		collectortest.WriteJSON(w, http.StatusNotFound, map[string]any{"error": "RecordNotFound", "description": "Not found"})
		return
	}
	collectortest.WriteBody(w, collectortest.JSONType, body)
}

// requested are the requests received, as path?page[after].
func (c *canned) requested() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.log...)
}

const requestsPath = "/api/v2/requests"

var created = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// Users of the canned requests: the end user whose credentials are used,
// a colleague of theirs and an agent of the vendor.
const (
	requester = 1462
	colleague = 5555
	agent     = 72983
)

var hour = time.Hour

// docRequest is the documentation's example request object.
func docRequest(t testing.TB) map[string]any {
	return readJSONObject(t, "docs_request_object.json")
}

// docComment is the documentation's example request comment.
func docComment(t testing.TB) map[string]any {
	return readJSONObject(t, "docs_request_comment_object.json")
}

func readJSONObject(t testing.TB, name string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(collectortest.Testdata(t, name), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// docRequestAs is the documentation's request as request id of the requester,
// open, updated id hours after created.
func docRequestAs(t testing.TB, id int64) map[string]any {
	r := docRequest(t)
	maps.Copy(r, map[string]any{"id": id, "status": "open", "requester_id": requester,
		"created_at": created.Format(time.RFC3339), "updated_at": created.Add(time.Duration(id) * time.Hour).Format(time.RFC3339)})
	return r
}

// cannedList is a list page of requests, has_more with after_cursor after
// ("" for none).
func cannedList(t testing.TB, after string, requests ...map[string]any) string {
	t.Helper()
	meta := map[string]any{"has_more": after != "", "after_cursor": nil, "before_cursor": nil}
	if after != "" {
		meta["after_cursor"] = after
	}
	if requests == nil {
		requests = []map[string]any{}
	}
	return string(collectortest.Marshal(t, map[string]any{"requests": requests, "meta": meta, "links": map[string]any{"next": nil, "prev": nil}}))
}

// commentsBody is a comments page of request id: its description by the
// requester, then a reply by the agent.
func commentsBody(t testing.TB, id int64) string {
	var comments []map[string]any
	for i, author := range []int64{requester, agent} {
		c := docComment(t)
		maps.Copy(c, map[string]any{"id": id*1000 + int64(i), "request_id": id, "author_id": author, "public": true,
			"created_at": created.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)})
		comments = append(comments, c)
	}
	return string(collectortest.Marshal(t, map[string]any{"comments": comments, "meta": map[string]any{"has_more": false}}))
}
