package statuspage

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/model"
)

const (
	summaryPath      = "/api/v2/summary.json"
	incidentsPath    = "/api/v2/incidents.json"
	maintenancesPath = "/api/v2/scheduled-maintenances.json"
)

// fakePage answers like a Statuspage page: each path serves a fixed
// response, anything else is a 404, and every request is recorded.
type fakePage struct {
	mu       sync.Mutex
	prefix   string
	handlers map[string]http.HandlerFunc // by API path
	hits     []string
}

func (f *fakePage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits = append(f.hits, r.URL.Path)
	f.mu.Unlock()
	h, ok := f.handlers[strings.TrimPrefix(r.URL.Path, f.prefix)]
	if !ok || !strings.HasPrefix(r.URL.Path, f.prefix) || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

func serveJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(body))
	}
}

func serveStatus(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "oops", code)
	}
}

// serveCut promises a longer body than it sends, as when a connection drops.
func serveCut(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "100000")
		_, _ = w.Write([]byte(body))
	}
}

// startPage serves the three endpoints under prefix and returns the page
// and its server; configured URLs are built from srv.URL.
func startPage(t *testing.T, prefix string, summaryBody, incidentsBody, maintenancesBody http.HandlerFunc) (*fakePage, *httptest.Server) {
	t.Helper()
	f := &fakePage{prefix: prefix, handlers: map[string]http.HandlerFunc{
		summaryPath:      summaryBody,
		incidentsPath:    incidentsBody,
		maintenancesPath: maintenancesBody,
	}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func newSource(t *testing.T, srv *httptest.Server, rawURL string) source.Source {
	t.Helper()
	s, err := New(source.Env{
		Config: &config.Source{Name: "status", Kind: "statuspage", URL: rawURL},
		HTTP:   fetch.New(srv.Client(), fetch.NewLimits(), fetch.Options{Timeout: 10 * time.Second}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// syncOnce runs one Sync and returns the batches it emitted.
func syncOnce(t *testing.T, s source.Source) ([]model.Batch, error) {
	t.Helper()
	var batches []model.Batch
	err := s.Sync(context.Background(), nil, func(b model.Batch) error {
		batches = append(batches, b)
		return nil
	})
	return batches, err
}

func TestSyncRealPayloads(t *testing.T) {
	page, srv := startPage(t, "",
		serveJSON(string(readTestdata(t, "jira-software-summary-2025-03-19-major-3-incidents-1-maint.json"))),
		serveJSON(string(readTestdata(t, "stactus_githubstatus_incidents_trimmed.json"))),
		serveJSON(string(readTestdata(t, "claude-anthropic-scheduled-maintenances-2026-09-15-2-completed.json"))))

	batches, err := syncOnce(t, newSource(t, srv, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 {
		t.Fatalf("emitted %d batches, want 1", len(batches))
	}
	b := batches[0]
	if len(b.Components) != 11 {
		t.Errorf("components = %d, want 11", len(b.Components))
	}
	wantIncidents := []string{"kmm6nrlmqst9", "gzl6g8sy321g", "yy18rh6bl4v5", "69sb0f8lydp4", "r3x7x31k7nn1"}
	if got := ids(b.Incidents, incidentID); !reflect.DeepEqual(got, wantIncidents) {
		t.Errorf("incidents = %v, want %v", got, wantIncidents)
	}
	wantMaintenances := []string{"13yfkv7c6xd5", "x017628t2rl5", "16z0qdmy3qv2"}
	if got := ids(b.Maintenances, maintenanceID); !reflect.DeepEqual(got, wantMaintenances) {
		t.Errorf("maintenances = %v, want %v", got, wantMaintenances)
	}
	if b.Cursor != nil {
		t.Errorf("cursor = %q, want nil", b.Cursor)
	}
	// One request per endpoint; unresolved.json is covered by summary.json.
	if want := []string{summaryPath, incidentsPath, maintenancesPath}; !reflect.DeepEqual(page.hits, want) {
		t.Errorf("requests = %v, want %v", page.hits, want)
	}
}

func TestSyncPrefixURL(t *testing.T) {
	for _, suffix := range []string{"/status", "/status/"} {
		t.Run(suffix, func(t *testing.T) {
			page, srv := startPage(t, "/status",
				serveJSON(`{"components": [{"id": "c1", "name": "API", "status": "operational"}]}`),
				serveJSON(`{"incidents": []}`),
				serveJSON(`{"scheduled_maintenances": []}`))
			batches, err := syncOnce(t, newSource(t, srv, srv.URL+suffix))
			if err != nil {
				t.Fatal(err)
			}
			want := []model.Component{{Name: "API", Status: "operational"}}
			if len(batches) != 1 || !reflect.DeepEqual(batches[0].Components, want) {
				t.Errorf("batches = %+v, want one with components %v", batches, want)
			}
			if page.hits[0] != "/status"+summaryPath {
				t.Errorf("first request = %s, want /status%s", page.hits[0], summaryPath)
			}
		})
	}
}

// The summary lists incident abc unresolved; incidents.json has it resolved
// since, plus a maintenance (it carries scheduled_for) that
// scheduled-maintenances.json lists in an older version.
const (
	dedupSummary = `{
  "components": [],
  "incidents": [{"id": "abc", "status": "identified", "impact": "major",
    "created_at": "2024-09-16T10:00:00.000-06:00", "updated_at": "2024-09-16T10:05:00.000-06:00",
    "resolved_at": null, "scheduled_for": null, "incident_updates": []}],
  "scheduled_maintenances": []
}`
	dedupIncidents = `{"incidents": [
  {"id": "mnt", "status": "in_progress", "impact": "maintenance",
    "created_at": "2024-09-10T00:00:00Z", "updated_at": "2024-09-16T16:00:00Z",
    "scheduled_for": "2024-09-16T16:00:00Z", "scheduled_until": "2024-09-16T18:00:00Z", "incident_updates": []},
  {"id": "abc", "status": "resolved", "impact": "critical",
    "created_at": "2024-09-16T16:00:00Z", "updated_at": "2024-09-16T17:00:00Z",
    "resolved_at": "2024-09-16T17:00:00Z", "scheduled_for": null, "incident_updates": []}
]}`
	dedupMaintenances = `{"scheduled_maintenances": [
  {"id": "mnt", "status": "scheduled", "impact": "maintenance",
    "created_at": "2024-09-10T00:00:00Z", "updated_at": "2024-09-10T00:00:00Z",
    "scheduled_for": "2024-09-16T15:00:00Z", "scheduled_until": "2024-09-16T18:00:00Z", "incident_updates": []}
]}`
)

func TestSyncDeduplicates(t *testing.T) {
	_, srv := startPage(t, "", serveJSON(dedupSummary), serveJSON(dedupIncidents), serveJSON(dedupMaintenances))
	batches, err := syncOnce(t, newSource(t, srv, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 {
		t.Fatalf("emitted %d batches, want 1", len(batches))
	}
	b := batches[0]
	wantIncidents := []model.Incident{{
		ID: "abc", Impact: model.ImpactCritical,
		CreatedAt:  utc("2024-09-16T16:00:00Z"),
		ResolvedAt: utc("2024-09-16T17:00:00Z"),
		UpdatedAt:  utc("2024-09-16T17:00:00Z"),
	}}
	if !reflect.DeepEqual(b.Incidents, wantIncidents) {
		t.Errorf("incidents = %+v, want %+v", b.Incidents, wantIncidents)
	}
	wantMaintenances := []model.Maintenance{{
		ID:             "mnt",
		CreatedAt:      utc("2024-09-10T00:00:00Z"),
		UpdatedAt:      utc("2024-09-16T16:00:00Z"),
		ScheduledFor:   utc("2024-09-16T16:00:00Z"), // the newer version's
		ScheduledUntil: utc("2024-09-16T18:00:00Z"),
	}}
	if !reflect.DeepEqual(b.Maintenances, wantMaintenances) {
		t.Errorf("maintenances = %+v, want %+v", b.Maintenances, wantMaintenances)
	}
	if b.Components == nil || len(b.Components) != 0 {
		t.Errorf("components = %#v, want an empty, non-nil list", b.Components)
	}
}

func TestSyncFailures(t *testing.T) {
	ok := map[string]http.HandlerFunc{
		summaryPath:      serveJSON(`{"components": []}`),
		incidentsPath:    serveJSON(`{"incidents": []}`),
		maintenancesPath: serveJSON(`{"scheduled_maintenances": []}`),
	}
	tests := []struct {
		name       string
		path       string // the endpoint that misbehaves
		handler    http.HandlerFunc
		wantReason string
		wantPrefix string
	}{
		{"summary 500", summaryPath, serveStatus(http.StatusInternalServerError), fetch.ReasonHTTP, "statuspage: summary: "},
		{"incidents 500", incidentsPath, serveStatus(http.StatusInternalServerError), fetch.ReasonHTTP, "statuspage: incidents: "},
		{"maintenances 502", maintenancesPath, serveStatus(http.StatusBadGateway), fetch.ReasonHTTP, "statuspage: scheduled maintenances: "},
		{"summary malformed", summaryPath, serveJSON(`<!DOCTYPE html><title>Down</title>`), fetch.ReasonDecode, "statuspage: summary: "},
		{"incidents truncated JSON", incidentsPath, serveJSON(`{"incidents": [{"id": "abc",`), fetch.ReasonDecode, "statuspage: incidents: "},
		{"maintenances cut connection", maintenancesPath, serveCut(`{"scheduled_maintenances": [`), fetch.ReasonDecode, "statuspage: scheduled maintenances: "},
		{"incidents without the array", incidentsPath, serveJSON(`{"page": {"id": "kctbh9vrtdwd"}}`), fetch.ReasonDecode, "statuspage: incidents: "},
		{"summary without components", summaryPath, serveJSON(`{"incidents": []}`), fetch.ReasonDecode, "statuspage: summary: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handlers := map[string]http.HandlerFunc{}
			for p, h := range ok {
				handlers[p] = h
			}
			handlers[tt.path] = tt.handler
			_, srv := startPage(t, "", handlers[summaryPath], handlers[incidentsPath], handlers[maintenancesPath])

			batches, err := syncOnce(t, newSource(t, srv, srv.URL))
			if err == nil {
				t.Fatal("Sync succeeded, want an error")
			}
			if got := fetch.Reason(err); got != tt.wantReason {
				t.Errorf("reason = %q, want %q (error: %v)", got, tt.wantReason, err)
			}
			if !strings.HasPrefix(err.Error(), tt.wantPrefix) {
				t.Errorf("error = %q, want prefix %q", err, tt.wantPrefix)
			}
			if len(batches) != 0 {
				t.Errorf("emitted %d batches, want none: a partial picture hides components", len(batches))
			}
		})
	}
}

func TestSyncReturnsEmitError(t *testing.T) {
	_, srv := startPage(t, "",
		serveJSON(`{"components": []}`), serveJSON(`{"incidents": []}`), serveJSON(`{"scheduled_maintenances": []}`))
	stored := errors.New("store is read-only")
	err := newSource(t, srv, srv.URL).Sync(context.Background(), nil, func(model.Batch) error { return stored })
	if !errors.Is(err, stored) {
		t.Errorf("Sync error = %v, want %v", err, stored)
	}
}

func TestNew(t *testing.T) {
	client := fetch.New(http.DefaultClient, fetch.NewLimits(), fetch.Options{})
	tests := []struct {
		name    string
		env     source.Env
		wantErr string
	}{
		{"root URL", source.Env{Config: &config.Source{URL: "https://www.githubstatus.com"}, HTTP: client}, ""},
		{"prefix", source.Env{Config: &config.Source{URL: "http://127.0.0.1:8080/vendor/status/"}, HTTP: client}, ""},
		{"no scheme", source.Env{Config: &config.Source{URL: "www.githubstatus.com"}, HTTP: client}, "want http(s)://host"},
		{"other scheme", source.Env{Config: &config.Source{URL: "ftp://status.example"}, HTTP: client}, "want http(s)://host"},
		{"no host", source.Env{Config: &config.Source{URL: "https:///api"}, HTTP: client}, "want http(s)://host"},
		{"empty", source.Env{Config: &config.Source{}, HTTP: client}, "want http(s)://host"},
		{"unparsable", source.Env{Config: &config.Source{URL: "http://[::1"}, HTTP: client}, "statuspage: url"},
		{"no config", source.Env{HTTP: client}, "incomplete environment"},
		{"no client", source.Env{Config: &config.Source{URL: "https://www.githubstatus.com"}}, "incomplete environment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.env)
			switch {
			case tt.wantErr == "" && (err != nil || s == nil):
				t.Errorf("New = %v, %v; want a source", s, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("New error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
