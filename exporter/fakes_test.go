package exporter

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

const zendeskExportPath = "/api/v2/incremental/tickets/cursor.json"

// fakeZendesk answers the cursor-based incremental ticket export as Zendesk
// does: the first request (start_time) returns the tickets updated since
// then with an after_cursor to resume from, and end_of_stream true since
// everything fits in one page; a request resuming from that cursor finds
// nothing new. Failure can be switched on: every request then gets the
// given status, or hangs until the client gives up.
type fakeZendesk struct {
	srv *httptest.Server

	mu      sync.Mutex
	tickets []map[string]any
	status  int  // when non-zero, every request is answered with it
	hang    bool // when set, requests block until the client cancels
	queries []url.Values

	hung    chan struct{} // receives once per hanging request
	release chan struct{} // closed at cleanup, so no handler outlives the test
}

// zendeskCursor is the after_cursor of the fake's only page.
const zendeskCursor = "c1"

func newFakeZendesk(t *testing.T, tickets ...map[string]any) *fakeZendesk {
	t.Helper()
	f := &fakeZendesk{tickets: tickets, hung: make(chan struct{}, 16), release: make(chan struct{})}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.release) }) // runs before srv.Close
	return f
}

func (f *fakeZendesk) URL() string { return f.srv.URL }

func (f *fakeZendesk) fail(status int) {
	f.mu.Lock()
	f.status = status
	f.mu.Unlock()
}

func (f *fakeZendesk) hangRequests() {
	f.mu.Lock()
	f.hang = true
	f.mu.Unlock()
}

// requests returns the query of every export request received so far.
func (f *fakeZendesk) requests() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.queries...)
}

func (f *fakeZendesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != zendeskExportPath {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "InvalidEndpoint", "description": "Not found"})
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	f.queries = append(f.queries, q)
	status, hang, tickets := f.status, f.hang, f.tickets
	f.mu.Unlock()

	switch {
	case hang:
		select {
		case f.hung <- struct{}{}:
		default: // nobody is counting any more
		}
		select {
		case <-r.Context().Done():
		case <-f.release:
		}
		return
	case status != 0:
		writeJSON(w, status, map[string]any{"error": http.StatusText(status)})
		return
	}
	page := []map[string]any{}
	switch {
	case q.Has("cursor"):
		if q.Get("cursor") != zendeskCursor {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "InvalidPaginationParameter", "description": "cursor is invalid"})
			return
		}
	case q.Has("start_time"):
		start, err := strconv.ParseInt(q.Get("start_time"), 10, 64)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "InvalidValue", "description": "start_time is invalid"})
			return
		}
		for _, t := range tickets {
			// The export selects by update time.
			if updated, _ := time.Parse(time.RFC3339, t["updated_at"].(string)); updated.Unix() >= start {
				page = append(page, t)
			}
		}
	default:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "InvalidPaginationParameter", "description": "start_time or cursor is required"})
		return
	}
	next := url.Values{"cursor": {zendeskCursor}, "per_page": {"1000"}, "include": {"metric_sets"}}
	writeJSON(w, http.StatusOK, map[string]any{
		"tickets":       page,
		"metric_sets":   []any{},
		"after_url":     "http://" + r.Host + zendeskExportPath + "?" + next.Encode(),
		"after_cursor":  zendeskCursor,
		"before_url":    nil,
		"before_cursor": nil,
		"end_of_stream": true,
	})
}

// zendeskTicket is a ticket as the export lists it, with the fields the
// collector reads and a few it ignores.
func zendeskTicket(id int64, priority, status string, created, updated time.Time) map[string]any {
	return map[string]any{
		"url":                 "https://example.zendesk.com/api/v2/tickets/" + strconv.FormatInt(id, 10) + ".json",
		"id":                  id,
		"external_id":         nil,
		"created_at":          created.UTC().Format(time.RFC3339),
		"updated_at":          updated.UTC().Format(time.RFC3339),
		"type":                nil,
		"subject":             "ticket " + strconv.FormatInt(id, 10),
		"priority":            priority,
		"status":              status,
		"tags":                []string{},
		"satisfaction_rating": nil,
		"generated_timestamp": updated.Unix(),
	}
}

// fakeStatuspage answers the three public Statuspage API v2 endpoints a
// `statuspage` source reads, with one component and one resolved incident.
type fakeStatuspage struct {
	srv *httptest.Server

	mu     sync.Mutex
	status int // when non-zero, every request is answered with it
	hits   int
}

func newFakeStatuspage(t *testing.T) *fakeStatuspage {
	t.Helper()
	f := &fakeStatuspage{}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeStatuspage) URL() string { return f.srv.URL }

func (f *fakeStatuspage) fail(status int) {
	f.mu.Lock()
	f.status = status
	f.mu.Unlock()
}

func (f *fakeStatuspage) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits
}

const (
	statuspagePage = `"page": {"id": "kctbh9vrtdwd", "name": "Example", "url": "https://status.example.com",
    "time_zone": "Etc/UTC", "updated_at": "2025-03-02T10:00:00.000Z"}`
	statuspageSummary = `{` + statuspagePage + `,
  "components": [{"id": "cmp1", "name": "API", "status": "operational", "created_at": "2024-01-01T00:00:00.000Z",
    "updated_at": "2025-03-01T11:00:00.000Z", "position": 1, "description": null, "showcase": true,
    "start_date": null, "group_id": null, "page_id": "kctbh9vrtdwd", "group": false, "only_show_if_degraded": false}],
  "incidents": [], "scheduled_maintenances": [],
  "status": {"indicator": "none", "description": "All Systems Operational"}}`
	statuspageIncidents = `{` + statuspagePage + `,
  "incidents": [{"id": "inc1", "name": "Elevated API errors", "status": "resolved", "impact": "minor",
    "created_at": "2025-03-01T10:00:00.000Z", "updated_at": "2025-03-01T11:00:00.000Z",
    "started_at": "2025-03-01T09:55:00.000Z", "resolved_at": "2025-03-01T11:00:00.000Z",
    "monitoring_at": null, "scheduled_for": null, "scheduled_until": null, "page_id": "kctbh9vrtdwd",
    "shortlink": "https://stspg.io/x",
    "incident_updates": [
      {"id": "u2", "status": "resolved", "body": "Fixed.", "created_at": "2025-03-01T11:00:00.000Z",
       "display_at": "2025-03-01T11:00:00.000Z", "incident_id": "inc1"},
      {"id": "u1", "status": "investigating", "body": "Looking.", "created_at": "2025-03-01T10:00:00.000Z",
       "display_at": "2025-03-01T10:00:00.000Z", "incident_id": "inc1"}],
    "components": [{"id": "cmp1", "name": "API", "status": "operational", "group_id": null, "group": false}]}]}`
	statuspageMaintenances = `{` + statuspagePage + `, "scheduled_maintenances": []}`
)

var statuspageBodies = map[string]string{
	"/api/v2/summary.json":                statuspageSummary,
	"/api/v2/incidents.json":              statuspageIncidents,
	"/api/v2/scheduled-maintenances.json": statuspageMaintenances,
}

func (f *fakeStatuspage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits++
	status := f.status
	f.mu.Unlock()
	body, ok := statuspageBodies[r.URL.Path]
	switch {
	case !ok || r.Method != http.MethodGet:
		http.NotFound(w, r)
	case status != 0:
		http.Error(w, http.StatusText(status), status)
	default:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(body))
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
