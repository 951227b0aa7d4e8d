package instatus

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

// fakePage answers like an Instatus page: /summary.json and
// /v2/components.json, whose bodies the test may change between syncs;
// anything else is a 404. Every request is recorded.
type fakePage struct {
	mu       sync.Mutex
	handlers map[string]http.HandlerFunc // by path
	hits     []string
}

func (f *fakePage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits = append(f.hits, r.URL.RequestURI())
	h, ok := f.handlers[r.URL.Path]
	f.mu.Unlock()
	if !ok || r.Method != http.MethodGet || r.Header.Get("Authorization") != "" {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

func (f *fakePage) serve(path string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[path] = h
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

// startPage serves the two documents under prefix.
func startPage(t *testing.T, prefix string, summary, components http.HandlerFunc) (*fakePage, *httptest.Server) {
	t.Helper()
	f := &fakePage{handlers: map[string]http.HandlerFunc{
		prefix + "/" + summaryPath:    summary,
		prefix + "/" + componentsPath: components,
	}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func newSource(t *testing.T, srv *httptest.Server, rawURL string, now func() time.Time) source.Source {
	t.Helper()
	s, err := New(source.Env{
		Config: &config.Source{Name: "status", Kind: "instatus", URL: rawURL},
		HTTP:   fetch.New(srv.Client(), fetch.NewLimits(), fetch.Options{Timeout: 10 * time.Second}),
		Now:    now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// syncOnce runs one Sync from cursor and returns the batches it emitted.
func syncOnce(t *testing.T, s source.Source, cursor []byte) ([]model.Batch, error) {
	t.Helper()
	var batches []model.Batch
	err := s.Sync(context.Background(), cursor, func(b model.Batch) error {
		batches = append(batches, b)
		return nil
	})
	return batches, err
}

func TestSyncRealPayloads(t *testing.T) {
	page, srv := startPage(t, "",
		serveJSON(string(readTestdata(t, docsSummaryFile))),
		serveJSON(string(readTestdata(t, wistiaComponents))))
	batches, err := syncOnce(t, newSource(t, srv, srv.URL, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 {
		t.Fatalf("emitted %d batches, want 1", len(batches))
	}
	b := batches[0]
	if len(b.Incidents) != 1 || b.Incidents[0].ID != docsIncidentID || !b.Incidents[0].ResolvedAt.IsZero() {
		t.Errorf("incidents = %+v, want %s open", b.Incidents, docsIncidentID)
	}
	if len(b.Maintenances) != 1 || b.Maintenances[0].ID != docsMaintenanceID {
		t.Errorf("maintenances = %+v, want %s", b.Maintenances, docsMaintenanceID)
	}
	if want := []model.Component{{Name: wistiaComponentName, Status: "operational"}}; !reflect.DeepEqual(b.Components, want) {
		t.Errorf("components = %+v, want %+v", b.Components, want)
	}
	if want := []string{"/" + summaryPath, "/" + componentsPath}; !reflect.DeepEqual(page.hits, want) {
		t.Errorf("requests = %v, want %v", page.hits, want)
	}
}

// An incident that leaves the summary between two syncs is emitted once
// more, resolved at the time of the sync that missed it; a third sync has
// nothing left to resolve.
func TestSyncResolvesAcrossPolls(t *testing.T) {
	page, srv := startPage(t, "/status",
		serveJSON(`{"page": {"name": "Acme", "status": "HASISSUES"}, "activeIncidents": [
			{"id": "inc1", "name": "API errors", "started": "2026-03-20T10:00:00Z", "status": "IDENTIFIED",
			 "impact": "PARTIALOUTAGE", "url": "https://status.acme.example/incident/inc1", "updatedAt": "2026-03-20T10:20:00Z"}]}`),
		serveJSON(`{"components": [{"id": "c1", "name": "API", "status": "PARTIALOUTAGE", "group": null}]}`))
	now := utc("2026-03-20T10:30:00Z")
	s := newSource(t, srv, srv.URL+"/status/", func() time.Time { return now })

	first, err := syncOnce(t, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || len(first[0].Incidents) != 1 || !first[0].Incidents[0].ResolvedAt.IsZero() {
		t.Fatalf("first sync = %+v, want inc1 open", first)
	}

	page.serve("/status/"+summaryPath, serveJSON(string(readTestdata(t, wistiaSummaryFile))))
	page.serve("/status/"+componentsPath, serveJSON(`{"components": [{"id": "c1", "name": "API", "status": "OPERATIONAL", "group": null}]}`))
	now = utc("2026-03-20T11:00:00Z")
	second, err := syncOnce(t, s, first[0].Cursor)
	if err != nil {
		t.Fatal(err)
	}
	want := model.Incident{ID: "inc1", Impact: model.ImpactMajor, StartedAt: utc("2026-03-20T10:00:00Z"),
		UpdatedAt: utc("2026-03-20T10:20:00Z"), ResolvedAt: now}
	if len(second) != 1 || !reflect.DeepEqual(second[0].Incidents, []model.Incident{want}) {
		t.Fatalf("second sync = %+v, want inc1 resolved at %v", second, now)
	}

	third, err := syncOnce(t, s, second[0].Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(third) != 1 || len(third[0].Incidents) != 0 {
		t.Errorf("third sync = %+v, want no incident", third)
	}
}

func TestSyncFailures(t *testing.T) {
	okSummary := serveJSON(string(readTestdata(t, wistiaSummaryFile)))
	okComponents := serveJSON(string(readTestdata(t, wistiaComponents)))
	tests := []struct {
		name                string
		summary, components http.HandlerFunc
		wantReason          string
		wantPrefix          string
	}{
		{"summary 404", http.NotFound, okComponents, fetch.ReasonHTTP, "instatus: summary: "},
		{"summary rate limited", serveStatus(http.StatusTooManyRequests), okComponents, fetch.ReasonRateLimited, "instatus: summary: "},
		{"summary is a page", serveJSON(`<!DOCTYPE html><title>Status</title>`), okComponents, fetch.ReasonDecode, "instatus: summary: "},
		{"summary is Statuspage's", serveJSON(`{"components": [], "incidents": []}`), okComponents, fetch.ReasonDecode, "instatus: summary: "},
		{"components 500", okSummary, serveStatus(http.StatusInternalServerError), fetch.ReasonHTTP, "instatus: components: "},
		{"components without array", okSummary, serveJSON(`{"page": {}}`), fetch.ReasonDecode, "instatus: components: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := startPage(t, "", tt.summary, tt.components)
			batches, err := syncOnce(t, newSource(t, srv, srv.URL, nil), nil)
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

// A stored cursor that does not parse fails the sync before any request:
// going on without it would leave the incidents it remembers open forever.
func TestSyncBrokenCursor(t *testing.T) {
	page, srv := startPage(t, "",
		serveJSON(string(readTestdata(t, wistiaSummaryFile))), serveJSON(string(readTestdata(t, wistiaComponents))))
	batches, err := syncOnce(t, newSource(t, srv, srv.URL, nil), []byte(`{"open": 5}`))
	if err == nil || !strings.HasPrefix(err.Error(), "instatus: stored cursor: ") {
		t.Errorf("Sync error = %v, want one about the stored cursor", err)
	}
	if len(batches) != 0 || len(page.hits) != 0 {
		t.Errorf("emitted %d batches after %d requests, want none", len(batches), len(page.hits))
	}
}

func TestSyncReturnsEmitError(t *testing.T) {
	_, srv := startPage(t, "",
		serveJSON(string(readTestdata(t, wistiaSummaryFile))), serveJSON(string(readTestdata(t, wistiaComponents))))
	stored := errors.New("store is read-only")
	err := newSource(t, srv, srv.URL, nil).Sync(context.Background(), nil, func(model.Batch) error { return stored })
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
		{"custom domain", source.Env{Config: &config.Source{URL: "https://status.railway.com"}, HTTP: client}, ""},
		{"instatus subdomain", source.Env{Config: &config.Source{URL: "https://typesense.instatus.com/"}, HTTP: client}, ""},
		{"no scheme", source.Env{Config: &config.Source{URL: "status.railway.com"}, HTTP: client}, "instatus: url"},
		{"query", source.Env{Config: &config.Source{URL: "https://status.example?x=1"}, HTTP: client}, "must not carry a query"},
		{"password in URL", source.Env{Config: &config.Source{URL: "https://u:secret@status.example"}, HTTP: client}, "credentials belong in http_client"},
		{"no config", source.Env{HTTP: client}, "incomplete environment"},
		{"no client", source.Env{Config: &config.Source{URL: "https://status.railway.com"}}, "incomplete environment"},
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
