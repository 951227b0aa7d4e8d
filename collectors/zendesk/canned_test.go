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
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

const exportPath = "/api/v2/incremental/tickets/cursor.json"

// canned answers the export with canned pages, by the request's cursor
// parameter ("" for the start_time request), under prefix; any other
// cursor is Zendesk's 400, and a ticket read alone is 404. It records each
// export request's query. It models nothing of Zendesk, which the
// simulator plays (sim_test.go): the tests that use it need answers the
// simulator never gives (paging that circles or lacks a cursor, tickets
// lacking fields, bodies of a given size).
type canned struct {
	prefix string
	pages  map[string]string

	mu      sync.Mutex
	queries []url.Values
}

func newCanned(t *testing.T, prefix string, pages map[string]string) (*canned, *httptest.Server) {
	t.Helper()
	c := &canned{prefix: prefix, pages: pages}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv
}

func (c *canned) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != c.prefix+exportPath {
		collectortest.WriteJSON(w, http.StatusNotFound, map[string]any{"error": "RecordNotFound", "description": "Not found"})
		return
	}
	q := r.URL.Query()
	c.mu.Lock()
	c.queries = append(c.queries, q)
	c.mu.Unlock()
	body, ok := c.pages[q.Get("cursor")]
	if !ok {
		collectortest.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "InvalidPaginationParameter", "description": "cursor is invalid"})
		return
	}
	collectortest.WriteBody(w, collectortest.JSONType, body)
}

func (c *canned) sent() []url.Values {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]url.Values(nil), c.queries...)
}

// cannedPage is an export page as Zendesk writes it: the tickets, the
// after_cursor ("" is null) and end_of_stream.
func cannedPage(t testing.TB, after string, end bool, tickets ...map[string]any) string {
	t.Helper()
	if tickets == nil {
		tickets = []map[string]any{}
	}
	page := map[string]any{"tickets": tickets, "after_url": nil, "after_cursor": nil, "before_url": nil, "before_cursor": nil, "end_of_stream": end}
	if after != "" {
		page["after_cursor"] = after
		page["after_url"] = "https://acme.zendesk.com" + exportPath + "?" + url.Values{"cursor": {after}, "include": {"metric_sets"}, "per_page": {"1000"}}.Encode()
	}
	return string(collectortest.Marshal(t, page))
}

// ticketPage is an export page of the recorded ticket under the ids given.
func ticketPage(t testing.TB, after string, end bool, ids ...int) string {
	t.Helper()
	var tickets []map[string]any
	for _, id := range ids {
		tickets = append(tickets, realTicket(t, map[string]any{"id": id}))
	}
	return cannedPage(t, after, end, tickets...)
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
