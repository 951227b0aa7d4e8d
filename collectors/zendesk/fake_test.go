package zendesk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

const exportPath = "/api/v2/incremental/tickets/cursor.json"

// fakePage is how the fake server answers one request of the export.
type fakePage struct {
	tickets     []map[string]any
	metricSets  []map[string]any
	afterCursor string // "" is sent as null
	endOfStream bool

	// Failure injection: a non-200 status, or a raw body instead of the
	// JSON page, optionally cut short of its announced Content-Length.
	status     int
	retryAfter string
	body       string
	truncated  bool
	// hang answers nothing until the client gives up on the request.
	hang bool
}

// fakeZendesk answers GET {prefix}/api/v2/incremental/tickets/cursor.json
// as Zendesk does: the first page is selected by start_time, later ones by
// the after_cursor of the previous page; every response carries the
// rate-limit headers of a real Zendesk response.
type fakeZendesk struct {
	prefix           string
	rateLimitHeaders http.Header
	// pages by the request's cursor parameter; "" is the start_time request.
	pages map[string]fakePage

	// shown are the tickets GET {prefix}/api/v2/tickets/{id}.json answers,
	// by id, with the metric set sideloaded on include=metric_sets (nil:
	// none); any other id is 404 RecordNotFound.
	shown map[int64]fakeShown

	mu       sync.Mutex
	requests []url.Values
	// shows are the path?query of each request for a ticket.
	shows []string
	// arrivals receives the cursor parameter of each request as it arrives
	// ("" for the start_time request), for tests that wait for one.
	arrivals chan string
}

// fakeShown is a ticket as GET /api/v2/tickets/{id}.json shows it.
type fakeShown struct {
	ticket    map[string]any
	metricSet map[string]any
}

func newFakeZendesk(t *testing.T, prefix string, pages map[string]fakePage) (*fakeZendesk, *httptest.Server) {
	t.Helper()
	f := &fakeZendesk{prefix: prefix, rateLimitHeaders: realRateLimitHeaders(t), pages: pages, arrivals: make(chan string, 64), shown: map[int64]fakeShown{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeZendesk) queries() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.requests...)
}

// showing returns the path?query of the requests for a ticket.
func (f *fakeZendesk) showing() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.shows...)
}

// show sets how GET /api/v2/tickets/{id}.json answers for ticket id; a
// nil ticket makes it 404.
func (f *fakeZendesk) show(id int, ticket, metricSet map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ticket == nil {
		delete(f.shown, int64(id))
		return
	}
	f.shown[int64(id)] = fakeShown{ticket: ticket, metricSet: metricSet}
}

func (f *fakeZendesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, f.prefix+"/api/v2/tickets/"); ok && r.Method == http.MethodGet && strings.HasSuffix(rest, ".json") {
		f.serveTicket(w, r, strings.TrimSuffix(rest, ".json"))
		return
	}
	if r.Method != http.MethodGet || r.URL.Path != f.prefix+exportPath {
		collectortest.WriteJSON(w, http.StatusNotFound, map[string]any{"error": "InvalidEndpoint", "description": "Not found"})
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	f.requests = append(f.requests, q)
	f.mu.Unlock()
	select {
	case f.arrivals <- q.Get("cursor"):
	default: // a test that does not wait for requests never stalls the server
	}

	p, ok := f.pages[q.Get("cursor")]
	if !ok {
		collectortest.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "InvalidPaginationParameter", "description": "cursor is invalid"})
		return
	}
	for k, v := range f.rateLimitHeaders {
		w.Header()[k] = v
	}
	switch {
	case p.hang:
		<-r.Context().Done()
	case p.status != 0:
		if p.retryAfter != "" {
			w.Header().Set("Retry-After", p.retryAfter)
		}
		collectortest.WriteJSON(w, p.status, map[string]any{"error": http.StatusText(p.status)})
	case p.truncated:
		collectortest.WriteCut(w, collectortest.JSONType, p.body)
	case p.body != "":
		collectortest.WriteBody(w, collectortest.JSONType, p.body)
	default:
		collectortest.WriteJSON(w, http.StatusOK, f.pageJSON(r, p))
	}
}

// serveTicket answers GET /api/v2/tickets/{id}.json as Zendesk's Show
// Ticket does: {"ticket": {...}}, with each sideload of include in a
// top-level array under its name (metric_sets: the ticket's metric set),
// or 404 RecordNotFound; with the account's rate-limit headers.
func (f *fakeZendesk) serveTicket(w http.ResponseWriter, r *http.Request, idText string) {
	f.mu.Lock()
	f.shows = append(f.shows, r.URL.Path+"?"+r.URL.RawQuery)
	id, _ := strconv.ParseInt(idText, 10, 64)
	shown, ok := f.shown[id]
	f.mu.Unlock()
	for k, v := range f.rateLimitHeaders {
		w.Header()[k] = v
	}
	if !ok {
		collectortest.WriteJSON(w, http.StatusNotFound, map[string]any{"error": "RecordNotFound", "description": "Not found"})
		return
	}
	body := map[string]any{"ticket": shown.ticket}
	for _, include := range strings.Split(r.URL.Query().Get("include"), ",") {
		if include == "metric_sets" {
			sets := []map[string]any{}
			if shown.metricSet != nil {
				sets = append(sets, shown.metricSet)
			}
			body["metric_sets"] = sets
		}
	}
	collectortest.WriteJSON(w, http.StatusOK, body)
}

// pageJSON is the cursor export envelope, after_url and before fields included.
func (f *fakeZendesk) pageJSON(r *http.Request, p fakePage) map[string]any {
	tickets := p.tickets
	if tickets == nil {
		tickets = []map[string]any{}
	}
	body := map[string]any{
		"tickets":       tickets,
		"after_url":     nil,
		"after_cursor":  nil,
		"before_url":    nil,
		"before_cursor": nil,
		"end_of_stream": p.endOfStream,
	}
	if p.afterCursor != "" {
		next := url.Values{"cursor": {p.afterCursor}, "per_page": {"1000"}, "include": {"metric_sets"}}
		body["after_url"] = "http://" + r.Host + f.prefix + exportPath + "?" + next.Encode()
		body["after_cursor"] = p.afterCursor
	}
	if p.metricSets != nil {
		body["metric_sets"] = p.metricSets
	}
	return body
}

// awaitRequest waits until the fake received the request with the given
// cursor parameter.
func (f *fakeZendesk) awaitRequest(t testing.TB, cursor string) {
	t.Helper()
	// Only a broken pipeline would wait this long: fail rather than hang.
	timeout := time.After(10 * time.Second)
	for {
		select {
		case c := <-f.arrivals:
			if c == cursor {
				return
			}
		case <-timeout:
			t.Fatalf("no request with cursor %q arrived", cursor)
		}
	}
}

// realRateLimitHeaders are the rate-limit headers of the recorded Zendesk
// export response (x-rate-limit, ratelimit-remaining, ...).
func realRateLimitHeaders(t testing.TB) http.Header {
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

// realTicket is the ticket of the recorded export page with fields
// overridden (a nil value is sent as JSON null) and the fields named in
// without removed.
func realTicket(t testing.TB, overrides map[string]any, without ...string) map[string]any {
	t.Helper()
	var page struct {
		Tickets []map[string]any `json:"tickets"`
	}
	if err := json.Unmarshal(collectortest.Testdata(t, "zenpy_incremental_tickets_cursor_first_page.json"), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Tickets) != 1 {
		t.Fatalf("recorded page has %d tickets, want 1", len(page.Tickets))
	}
	ticket := maps.Clone(page.Tickets[0])
	maps.Copy(ticket, overrides)
	for _, k := range without {
		delete(ticket, k)
	}
	return ticket
}

// realMetricSets are the ticket metric objects of the documentation example
// and of the Airbyte sandbox records, in that order.
func realMetricSets(t testing.TB) []map[string]any {
	t.Helper()
	var doc struct {
		TicketMetrics []map[string]any `json:"ticket_metrics"`
	}
	if err := json.Unmarshal(collectortest.Testdata(t, "docs_list_ticket_metrics.json"), &doc); err != nil {
		t.Fatal(err)
	}
	sets := doc.TicketMetrics
	sc := bufio.NewScanner(bytes.NewReader(collectortest.Testdata(t, "airbyte_expected_records_ticket_metrics.jsonl")))
	for sc.Scan() {
		var rec struct {
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		delete(rec.Data, "_ab_updated_at") // added by Airbyte, not Zendesk
		sets = append(sets, rec.Data)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return sets
}

// busyExportPage is an export page of n tickets with their metric sets,
// varied the way a busy account's are: statuses, priorities, tags, ratings,
// answered and unanswered tickets.
func busyExportPage(tb testing.TB, n int) []byte {
	tb.Helper()
	statuses := []string{"new", "open", "pending", "hold", "solved", "closed"}
	priorities := []any{nil, "low", "normal", "high", "urgent"}
	ratings := []any{nil, map[string]any{"score": "unoffered"}, map[string]any{"score": "offered"},
		map[string]any{"id": 7, "score": "good", "comment": "Quick and friendly, thanks!"},
		map[string]any{"id": 8, "score": "bad", "comment": nil}}
	metricTemplate := realMetricSets(tb)[0]
	created := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	tickets := make([]map[string]any, n)
	sets := make([]map[string]any, n)
	for i := range n {
		id := 100_000 + i
		at := created.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		tickets[i] = realTicket(tb, map[string]any{
			"id":                  id,
			"url":                 "https://acme.zendesk.com/api/v2/tickets/" + strconv.Itoa(id) + ".json",
			"created_at":          at,
			"updated_at":          at,
			"subject":             "Checkout fails with error 502 after the last release",
			"raw_subject":         "Checkout fails with error 502 after the last release",
			"description":         "Since this morning our customers cannot pay: the checkout page answers 502 Bad Gateway. Steps to reproduce attached.",
			"status":              statuses[i%len(statuses)],
			"priority":            priorities[i%len(priorities)],
			"tags":                []string{"checkout", "payments", "tier_" + strconv.Itoa(i%3)},
			"satisfaction_rating": ratings[i%len(ratings)],
		})
		m := maps.Clone(metricTemplate)
		m["id"], m["ticket_id"] = 50_000+i, id
		m["replies"], m["reopens"] = i%4, i%2
		if i%5 == 0 { // not answered yet
			m["reply_time_in_minutes"] = map[string]any{"calendar": nil, "business": nil}
			m["reply_time_in_seconds"] = map[string]any{"calendar": nil}
		}
		sets[i] = m
	}
	return collectortest.Marshal(tb, map[string]any{
		"tickets": tickets, "metric_sets": sets,
		"after_url":     "https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=MTc0MDk5NjAwMC4wfHwxMDA5OTl8&include=metric_sets&per_page=1000",
		"after_cursor":  "MTc0MDk5NjAwMC4wfHwxMDA5OTl8",
		"before_url":    nil,
		"before_cursor": nil,
		"end_of_stream": false,
	})
}
