package cachet

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// fakeCachet answers like Cachet 2.4's API v1 list endpoints: `page`
// (default 1) and `per_page` (default 20) select a page, `sort=id` with
// `order=desc` reverses the id order, and every answer carries
// meta.pagination with links built from Cachet's APP_URL (here a wrong one,
// as on many installs). Hidden incidents and disabled components are listed
// only to a request carrying the token. Every request is recorded.
type fakeCachet struct {
	mu     sync.Mutex
	prefix string
	token  string
	// numbersAsText writes the pagination numbers as strings, as Cachet
	// before 2.0 wrote per_page (testdata/cachet_incidents_list_per_page_string.json).
	numbersAsText bool
	lists         map[string][]map[string]any // items by API path, in id order
	broken        map[string]http.HandlerFunc // answers that replace a page, by "path?page=N"
	hits          []string
	authed        int // requests that carried the token
}

func newFakeCachet(prefix string) *fakeCachet {
	return &fakeCachet{prefix: prefix, lists: map[string][]map[string]any{}, broken: map[string]http.HandlerFunc{}}
}

func (f *fakeCachet) start(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeCachet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits = append(f.hits, r.URL.RequestURI())
	path, ok := cutPrefix(r.URL.Path, f.prefix)
	items, known := f.lists[path]
	if !ok || !known || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	page, perPage := intParam(q, "page", 1), intParam(q, "per_page", 20)
	if h, ok := f.broken[path+"?page="+strconv.Itoa(page)]; ok {
		h(w, r)
		return
	}
	authed := f.token != "" && r.Header.Get("X-Cachet-Token") == f.token
	if authed {
		f.authed++
	}
	var visible []map[string]any
	for _, it := range items {
		if authed || (it["visible"] != 0 && it["enabled"] != false) {
			visible = append(visible, it)
		}
	}
	if q.Get("sort") == "id" && q.Get("order") == "desc" {
		visible = slices.Clone(visible)
		slices.Reverse(visible)
	}
	lastPage := max(1, int(math.Ceil(float64(len(visible))/float64(perPage))))
	from, to := min((page-1)*perPage, len(visible)), min(page*perPage, len(visible))
	link := func(n int) any {
		if n < 1 || n > lastPage {
			return nil
		}
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("page", strconv.Itoa(n))
		return "http://localhost" + path + "?" + next.Encode()
	}
	number := func(n int) any {
		if f.numbersAsText {
			return strconv.Itoa(n)
		}
		return n
	}
	body := map[string]any{
		"meta": map[string]any{"pagination": map[string]any{
			"total": number(len(visible)), "count": number(to - from), "per_page": number(perPage),
			"current_page": number(page), "total_pages": number(lastPage),
			"links": map[string]any{"next_page": link(page + 1), "previous_page": link(page - 1)},
		}},
		"data": append([]map[string]any{}, visible[from:to]...),
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func cutPrefix(path, prefix string) (string, bool) {
	if len(path) < len(prefix) || path[:len(prefix)] != prefix {
		return "", false
	}
	return path[len(prefix):], true
}

func intParam(q url.Values, key string, def int) int {
	if n, err := strconv.Atoi(q.Get(key)); err == nil && n > 0 {
		return n
	}
	return def
}

// template returns the first item of a testdata list: the shape every item
// the fake serves copies, so the fake's items are the real API's.
func template(t *testing.T, file string) map[string]any {
	t.Helper()
	var doc struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(collectortest.Testdata(t, file), &doc); err != nil || len(doc.Data) == 0 {
		t.Fatalf("%s: %v", file, err)
	}
	return doc.Data[0]
}

// item copies tmpl with fields replaced. JSON numbers are kept as Go ints so
// the fake's filters compare them.
func withFields(tmpl map[string]any, fields map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range tmpl {
		if n, ok := v.(float64); ok && n == math.Trunc(n) {
			v = int(n)
		}
		out[k] = v
	}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

// stamp is the zone-less time of the n-th minute after 2024-03-01 00:00.
func stamp(n int) string {
	return fmt.Sprintf("2024-03-%02d %02d:%02d:00", 1+n/1440, n/60%24, n%60)
}
