package incidentio

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

// fakePage answers like an incident.io page: the widget and the two v2
// endpoints incident.io serves; anything else, including the Statuspage
// paths incident.io does not serve (scheduled-maintenances.json,
// incidents/unresolved.json), is a 404. Every request is recorded.
type fakePage struct {
	mu       sync.Mutex
	prefix   string
	handlers map[string]http.HandlerFunc // by API path
	hits     []string
}

func (f *fakePage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits = append(f.hits, r.URL.RequestURI())
	f.mu.Unlock()
	h, ok := f.handlers[strings.TrimPrefix(r.URL.Path, f.prefix+"/")]
	if !ok || !strings.HasPrefix(r.URL.Path, f.prefix+"/") || r.Method != http.MethodGet || r.Header.Get("Authorization") != "" {
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
	return func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "oops", code) }
}

func startPage(t *testing.T, prefix string, widget, summary, incidents http.HandlerFunc) (*fakePage, *httptest.Server) {
	t.Helper()
	f := &fakePage{prefix: prefix, handlers: map[string]http.HandlerFunc{
		widgetPath:    widget,
		summaryPath:   summary,
		incidentsPath: incidents,
	}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func newSource(t *testing.T, srv *httptest.Server, rawURL string) source.Source {
	t.Helper()
	s, err := New(source.Env{
		Config: &config.Source{Name: "status", Kind: "incidentio", URL: rawURL},
		HTTP:   fetch.New(srv.Client(), fetch.NewLimits(), fetch.Options{Timeout: 10 * time.Second}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func syncOnce(t *testing.T, s source.Source) ([]model.Batch, error) {
	t.Helper()
	var batches []model.Batch
	err := s.Sync(context.Background(), nil, func(b model.Batch) error {
		batches = append(batches, b)
		return nil
	})
	return batches, err
}

// openaiIncidentsList is an /api/v2/incidents.json answer built for the tests
// in the shape of the real summary's incidents (no capture of this endpoint
// exists in testdata): the first ongoing incident in an older version, and a
// resolved one, which carries no resolved_at, as incident.io's never do.
const openaiIncidentsList = `{
  "incidents": [
    {"created_at": "2026-09-29T17:52:52Z", "id": "01M3Q4RK1SM4EMK445GGPG7C0N", "impact": "minor",
     "incident_updates": [{"created_at": "2026-09-29T17:52:52Z", "display_at": "2026-09-29T17:52:52Z",
       "id": "01M3Q4RK1S5K0NQDA0FZ267QJC", "status": "investigating"}],
     "name": "Elevated errors", "status": "investigating", "updated_at": "2026-09-29T17:52:52Z"},
    {"created_at": "2026-09-28T09:00:00Z", "id": "01M3M0000000000000000000RS", "impact": "major",
     "incident_updates": [
       {"created_at": "2026-09-28T10:15:00Z", "display_at": "2026-09-28T10:15:00Z", "id": "u2", "status": "resolved"},
       {"created_at": "2026-09-28T09:00:00Z", "display_at": "2026-09-28T09:00:00Z", "id": "u1", "status": "investigating"}],
     "name": "Login errors", "status": "resolved", "updated_at": "2026-09-28T10:15:00Z"}
  ],
  "page": {"id": "01JMDK9XYNY6RXSED6SDWW50WY", "name": "OpenAI"}
}`

func TestSyncRealPayloads(t *testing.T) {
	page, srv := startPage(t, "",
		serveJSON(string(readTestdata(t, widgetPreviewFile))),
		serveJSON(string(readTestdata(t, openaiSummaryFile))),
		serveJSON(openaiIncidentsList))

	batches, err := syncOnce(t, newSource(t, srv, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 {
		t.Fatalf("emitted %d batches, want 1", len(batches))
	}
	b := batches[0]
	if len(b.Components) != 25 {
		t.Errorf("components = %d, want 25", len(b.Components))
	}
	var gotIncidents []string
	for _, inc := range b.Incidents {
		gotIncidents = append(gotIncidents, inc.ID+" resolved="+inc.ResolvedAt.Format(time.RFC3339))
	}
	wantIncidents := []string{
		"01M3Q4RK1SM4EMK445GGPG7C0N resolved=0001-01-01T00:00:00Z", // the summary's newer version
		"01M3Q4HMNP8SZ27DTZKW6F5BJ4 resolved=0001-01-01T00:00:00Z",
		"01M3M0000000000000000000RS resolved=2026-09-28T10:15:00Z",
	}
	if !reflect.DeepEqual(gotIncidents, wantIncidents) {
		t.Errorf("incidents = %v, want %v", gotIncidents, wantIncidents)
	}
	if got := len(b.Incidents[0].Updates); got != 2 {
		t.Errorf("first incident has %d updates, want the summary's 2", got)
	}
	if len(b.Maintenances) != 2 {
		t.Errorf("maintenances = %+v, want the widget's 2", b.Maintenances)
	}
	if b.Cursor != nil {
		t.Errorf("cursor = %q, want nil", b.Cursor)
	}
	want := []string{"/" + widgetPath, "/" + summaryPath, "/" + incidentsPath}
	if !reflect.DeepEqual(page.hits, want) {
		t.Errorf("requests = %v, want %v", page.hits, want)
	}
}

func TestSyncSubPageURL(t *testing.T) {
	for _, suffix := range []string{"/console", "/console/"} {
		t.Run(suffix, func(t *testing.T) {
			page, srv := startPage(t, "/console",
				serveJSON(string(readTestdata(t, widgetEmptyFile))),
				serveJSON(`{"components": [{"id": "c1", "name": "Console", "status": "operational"}], "incidents": []}`),
				serveJSON(`{"incidents": []}`))
			batches, err := syncOnce(t, newSource(t, srv, srv.URL+suffix))
			if err != nil {
				t.Fatal(err)
			}
			want := []model.Component{{Name: "Console", Status: "operational"}}
			if len(batches) != 1 || !reflect.DeepEqual(batches[0].Components, want) {
				t.Errorf("batches = %+v, want one with components %v", batches, want)
			}
			if page.hits[0] != "/console/"+widgetPath {
				t.Errorf("first request = %s, want /console/%s", page.hits[0], widgetPath)
			}
		})
	}
}

func TestSyncFailures(t *testing.T) {
	ok := map[string]http.HandlerFunc{
		widgetPath:    serveJSON(string(readTestdata(t, widgetEmptyFile))),
		summaryPath:   serveJSON(`{"components": []}`),
		incidentsPath: serveJSON(`{"incidents": []}`),
	}
	tests := []struct {
		name       string
		path       string // the endpoint that misbehaves
		handler    http.HandlerFunc
		wantReason string
		wantPrefix string
	}{
		{"widget switched off", widgetPath, http.NotFound, fetch.ReasonHTTP, "incidentio: widget summary: "},
		{"widget rate limited", widgetPath, serveStatus(http.StatusTooManyRequests), fetch.ReasonRateLimited, "incidentio: widget summary: "},
		{"widget answers a page", widgetPath, serveJSON(`<!DOCTYPE html><title>Status</title>`), fetch.ReasonDecode, "incidentio: widget summary: "},
		{"widget without arrays", widgetPath, serveJSON(`{"page_title": "x"}`), fetch.ReasonDecode, "incidentio: widget summary: "},
		{"summary 500", summaryPath, serveStatus(http.StatusInternalServerError), fetch.ReasonHTTP, "incidentio: summary: "},
		{"summary without components", summaryPath, serveJSON(`{"incidents": []}`), fetch.ReasonDecode, "incidentio: summary: "},
		{"incidents 502", incidentsPath, serveStatus(http.StatusBadGateway), fetch.ReasonHTTP, "incidentio: incidents: "},
		{"incidents truncated", incidentsPath, serveJSON(`{"incidents": [{"id": "a",`), fetch.ReasonDecode, "incidentio: incidents: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handlers := map[string]http.HandlerFunc{}
			for p, h := range ok {
				handlers[p] = h
			}
			handlers[tt.path] = tt.handler
			_, srv := startPage(t, "", handlers[widgetPath], handlers[summaryPath], handlers[incidentsPath])

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
		serveJSON(string(readTestdata(t, widgetEmptyFile))), serveJSON(`{"components": []}`), serveJSON(`{"incidents": []}`))
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
		{"root URL", source.Env{Config: &config.Source{URL: "https://status.openai.com"}, HTTP: client}, ""},
		{"sub-page", source.Env{Config: &config.Source{URL: "https://neonstatus.com/aws-europe-frankfurt"}, HTTP: client}, ""},
		{"no scheme", source.Env{Config: &config.Source{URL: "status.openai.com"}, HTTP: client}, "incidentio: url"},
		{"other scheme", source.Env{Config: &config.Source{URL: "ftp://status.example"}, HTTP: client}, "scheme must be http or https"},
		{"query", source.Env{Config: &config.Source{URL: "https://status.example?x=1"}, HTTP: client}, "must not carry a query"},
		{"password in URL", source.Env{Config: &config.Source{URL: "https://u:secret@status.example"}, HTTP: client}, "credentials belong in http_client"},
		{"no config", source.Env{HTTP: client}, "incomplete environment"},
		{"no client", source.Env{Config: &config.Source{URL: "https://status.openai.com"}}, "incomplete environment"},
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
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q repeats the password", err)
			}
		})
	}
}
