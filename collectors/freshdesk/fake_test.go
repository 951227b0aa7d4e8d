package freshdesk

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
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

const (
	apiKey       = "sfg6FhWvgD4XkA8ffp3" // basic auth username; the password is "X"
	fakeRateMax  = 400
	maxListPages = 300 // Freshdesk refuses page 301 of the ticket list
)

// fault is how the fake answers instead of the real response.
type fault struct {
	nth        int // only the nth request to the path (from 1); 0: every one
	status     int
	retryAfter string
	body       string // raw 200 body
	truncated  bool   // announce more bytes than body has
	next       bool   // send a Link rel="next" header with body
	// pages, when set, answers page n (from 1) with pages(n) and a Link
	// naming page n+1: a list that never ends.
	pages func(n int) []map[string]any
}

// fakeFreshdesk answers the Freshdesk API v2 endpoints the collector calls,
// as Freshdesk documents them: basic auth with the API key and "X", list
// endpoints returning JSON arrays paged with page/per_page (at most 100) and
// a Link rel="next" header on every page but the last, the ticket list
// filtered by updated_since (inclusive) or, without it, limited to tickets
// created within the last 30 days, and refusing pages beyond the 300th;
// stats embedded only with include=stats; X-RateLimit-* and Date headers on
// every response.
type fakeFreshdesk struct {
	prefix string
	now    time.Time // the Date of every response

	mu            sync.Mutex
	tickets       map[int64]map[string]any
	conversations map[int64][]map[string]any
	ratings       []map[string]any
	faults        map[string]fault // by path below the prefix, e.g. "/api/v2/tickets"
	requests      []*url.URL
	perPath       map[string]int // requests by path
	// served runs after each list response, with its path and page: tests
	// change the account between two pages with it.
	served func(path string, page int)
}

func newFake(t *testing.T, prefix string) (*fakeFreshdesk, *httptest.Server) {
	t.Helper()
	f := &fakeFreshdesk{
		prefix:        prefix,
		now:           collectortest.Time(t, "2025-03-10T12:00:00Z"),
		tickets:       map[int64]map[string]any{},
		conversations: map[int64][]map[string]any{},
		faults:        map[string]fault{},
		perPath:       map[string]int{},
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeFreshdesk) addTickets(tickets ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range tickets {
		f.tickets[int64(t["id"].(int))] = t
	}
}

func (f *fakeFreshdesk) setFault(path string, ft fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[path] = ft
}

// queries are the requests received, as path?query below the prefix.
func (f *fakeFreshdesk) queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, u := range f.requests {
		q := strings.TrimPrefix(u.Path, f.prefix)
		if u.RawQuery != "" {
			q += "?" + u.Query().Encode()
		}
		out = append(out, q)
	}
	return out
}

func (f *fakeFreshdesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL)
	served := f.served
	f.mu.Unlock()
	w.Header().Set("Date", f.now.Format(http.TimeFormat))
	user, pass, ok := r.BasicAuth()
	if !ok || user != apiKey || pass != "X" {
		collectortest.WriteJSON(w, http.StatusUnauthorized, map[string]any{"code": "invalid_credentials", "message": "You have to be logged in to perform this action."})
		return
	}
	path := strings.TrimPrefix(r.URL.Path, f.prefix)
	q := r.URL.Query()
	page, perPage, errMsg := paging(q)
	if errMsg != "" {
		collectortest.WriteJSON(w, http.StatusBadRequest, validationError(errMsg))
		return
	}
	cost := 1
	if q.Get("include") != "" {
		cost = 3 // each include costs 2 more credits
	}
	w.Header().Set("X-Ratelimit-Total", strconv.Itoa(fakeRateMax))
	w.Header().Set("X-Ratelimit-Remaining", strconv.Itoa(fakeRateMax-cost))
	w.Header().Set("X-Ratelimit-Used-Currentrequest", strconv.Itoa(cost))
	if ft, ok := f.fault(path); ok {
		writeFault(w, r, ft, page)
		return
	}

	var items []map[string]any
	switch {
	case r.Method != http.MethodGet:
		collectortest.WriteJSON(w, http.StatusMethodNotAllowed, validationError("method not allowed"))
		return
	case path == "/api/v2/tickets":
		var err string
		if items, err = f.listTickets(q); err != "" {
			collectortest.WriteJSON(w, http.StatusBadRequest, validationError(err))
			return
		}
		if page > maxListPages {
			collectortest.WriteJSON(w, http.StatusBadRequest, validationError("You cannot access tickets beyond the 300th page. Please provide a smaller page number."))
			return
		}
	case path == "/api/v2/surveys/satisfaction_ratings":
		items = f.listRatings(q)
	case strings.HasPrefix(path, "/api/v2/tickets/"):
		f.serveTicket(w, strings.TrimPrefix(path, "/api/v2/tickets/"), q)
		return
	default:
		collectortest.WriteJSON(w, http.StatusNotFound, map[string]any{"code": "invalid_url"})
		return
	}
	from := min((page-1)*perPage, len(items))
	to := min(from+perPage, len(items))
	if to < len(items) {
		next := maps.Clone(q)
		next.Set("page", strconv.Itoa(page+1))
		w.Header().Set("Link", "<http://"+r.Host+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
	}
	collectortest.WriteJSON(w, http.StatusOK, nonNil(items[from:to]))
	if served != nil {
		served(path, page)
	}
}

// paging reads page and per_page as Freshdesk validates them.
func paging(q url.Values) (page, perPage int, errMsg string) {
	page, perPage = 1, 30
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, "page: It should be a Positive Integer"
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return 0, 0, "per_page: It should be a Positive Integer less than or equal to 100"
		}
		perPage = n
	}
	return page, perPage, ""
}

// fault counts a request to path and returns the fault it must meet.
func (f *fakeFreshdesk) fault(path string) (fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.perPath[path]++
	ft, ok := f.faults[path]
	return ft, ok && (ft.nth == 0 || ft.nth == f.perPath[path])
}

// listTickets selects and orders the tickets of GET /api/v2/tickets.
func (f *fakeFreshdesk) listTickets(q url.Values) ([]map[string]any, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var since time.Time
	if v := q.Get("updated_since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, "updated_since: It should be a combined date and time in ISO 8601 format"
		}
		since = t
	}
	var out []map[string]any
	for _, t := range f.tickets {
		switch {
		case !since.IsZero() && timeField(t, "updated_at").Before(since):
		case since.IsZero() && timeField(t, "created_at").Before(f.now.AddDate(0, 0, -30)):
		default:
			out = append(out, withIncludes(t, q))
		}
	}
	field, desc := cmp.Or(q.Get("order_by"), "created_at"), q.Get("order_type") != "asc"
	slices.SortFunc(out, func(a, b map[string]any) int {
		c := timeField(a, field).Compare(timeField(b, field))
		if desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a["id"].(int), b["id"].(int)))
	})
	return out, ""
}

// withIncludes drops the stats unless include=stats asked for them.
func withIncludes(t map[string]any, q url.Values) map[string]any {
	if slices.Contains(strings.Split(q.Get("include"), ","), "stats") {
		return t
	}
	t = maps.Clone(t)
	delete(t, "stats")
	return t
}

func (f *fakeFreshdesk) listRatings(q url.Values) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	since, _ := time.Parse(time.RFC3339, q.Get("created_since"))
	var out []map[string]any
	for _, r := range f.ratings {
		if !timeField(r, "created_at").Before(since) {
			out = append(out, r)
		}
	}
	return out
}

// serveTicket answers /api/v2/tickets/{id} and .../{id}/conversations.
func (f *fakeFreshdesk) serveTicket(w http.ResponseWriter, rest string, q url.Values) {
	idText, sub, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(idText, 10, 64)
	f.mu.Lock()
	t, ok := f.tickets[id]
	convs := f.conversations[id]
	f.mu.Unlock()
	if err != nil || !ok || (sub != "" && sub != "conversations") {
		collectortest.WriteJSON(w, http.StatusNotFound, nil)
		return
	}
	if sub == "" {
		collectortest.WriteJSON(w, http.StatusOK, withIncludes(t, q))
		return
	}
	page, perPage, _ := paging(q)
	from := min((page-1)*perPage, len(convs))
	to := min(from+perPage, len(convs))
	if to < len(convs) {
		next := maps.Clone(q)
		next.Set("page", strconv.Itoa(page+1))
		w.Header().Set("Link", `<https://acme.freshdesk.com/api/v2/tickets/`+idText+`/conversations?`+next.Encode()+`>; rel="next"`)
	}
	collectortest.WriteJSON(w, http.StatusOK, nonNil(convs[from:to]))
}

// nonNil makes an empty page encode as [], as Freshdesk sends it.
func nonNil(items []map[string]any) []map[string]any {
	if items == nil {
		return []map[string]any{}
	}
	return items
}

func validationError(msg string) map[string]any {
	return map[string]any{"description": "Validation failed", "errors": []any{map[string]any{"message": msg, "code": "invalid_value"}}}
}

func writeFault(w http.ResponseWriter, r *http.Request, ft fault, page int) {
	if ft.next {
		w.Header().Set("Link", `<https://acme.freshdesk.com/api/v2/tickets?page=2>; rel="next"`)
	}
	switch {
	case ft.pages != nil:
		next := r.URL.Query()
		next.Set("page", strconv.Itoa(page+1))
		w.Header().Set("Link", "<https://acme.freshdesk.com"+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
		collectortest.WriteJSON(w, http.StatusOK, nonNil(ft.pages(page)))
	case ft.status != 0:
		if ft.retryAfter != "" {
			w.Header().Set("Retry-After", ft.retryAfter)
		}
		collectortest.WriteJSON(w, ft.status, map[string]any{"message": http.StatusText(ft.status)})
	case ft.truncated:
		collectortest.WriteCut(w, collectortest.JSONType, ft.body)
	default:
		collectortest.WriteBody(w, collectortest.JSONType, ft.body)
	}
}

func timeField(m map[string]any, field string) time.Time {
	s, _ := m[field].(string)
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// airbyteRecords are the `data` objects of the Airbyte sandbox records of
// one stream, in file order.
func airbyteRecords(t testing.TB, file, stream string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(collectortest.Testdata(t, file)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct {
			Stream string         `json:"stream"`
			Data   map[string]any `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Stream == stream {
			out = append(out, rec.Data)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no %s records", file, stream)
	}
	return out
}

const (
	ticketsFile = "airbyte_expected_records_tickets_with_stats.jsonl"
	othersFile  = "airbyte_expected_records_conversations_csat_surveys.jsonl"
)

// realTicket is the recorded pending ticket 22 (answered, stats included)
// with fields overridden; ints stay ints so that the fake can index them.
func realTicket(t testing.TB, overrides map[string]any) map[string]any {
	t.Helper()
	for _, rec := range airbyteRecords(t, ticketsFile, "tickets") {
		if rec["id"] == float64(22) {
			ticket := maps.Clone(rec)
			ticket["id"] = 22
			ticket["stats"] = maps.Clone(rec["stats"].(map[string]any))
			maps.Copy(ticket, overrides)
			return ticket
		}
	}
	t.Fatal("no ticket 22 in the recorded tickets")
	return nil
}

// realConversation is the recorded public agent reply on ticket 22 with
// fields overridden.
func realConversation(t testing.TB, overrides map[string]any) map[string]any {
	t.Helper()
	conv := maps.Clone(airbyteRecords(t, othersFile, "conversations")[0])
	maps.Copy(conv, overrides)
	return conv
}

// realRating is the recorded satisfaction rating (ticket 23, 103 on every
// question) with fields overridden.
func realRating(t testing.TB, overrides map[string]any) map[string]any {
	t.Helper()
	r := maps.Clone(airbyteRecords(t, othersFile, "satisfaction_ratings")[0])
	r["ratings"] = maps.Clone(r["ratings"].(map[string]any))
	maps.Copy(r, overrides)
	return r
}

// ticketsAt are n recorded-shape tickets with ids from first, created a day
// before their update and updated step apart from start.
func ticketsAt(t testing.TB, first, n int, start time.Time, step time.Duration) []map[string]any {
	t.Helper()
	template := realTicket(t, nil)
	out := make([]map[string]any, n)
	for i := range n {
		updated := start.Add(time.Duration(i) * step)
		ticket := maps.Clone(template)
		ticket["stats"] = maps.Clone(template["stats"].(map[string]any))
		ticket["id"] = first + i
		ticket["created_at"] = updated.Add(-24 * time.Hour).Format(time.RFC3339)
		ticket["updated_at"] = updated.Format(time.RFC3339)
		out[i] = ticket
	}
	return out
}
