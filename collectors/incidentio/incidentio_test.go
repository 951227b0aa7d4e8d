package incidentio

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// startPage serves the widget and the two v2 endpoints incident.io serves
// under prefix; anything else, including the Statuspage paths incident.io
// does not serve (scheduled-maintenances.json, incidents/unresolved.json),
// is a 404.
func startPage(t *testing.T, prefix string, widget, summary, incidents http.HandlerFunc) (*collectortest.Site, *httptest.Server) {
	t.Helper()
	return collectortest.StartSite(t, map[string]http.HandlerFunc{
		prefix + "/" + widgetPath:    widget,
		prefix + "/" + summaryPath:   summary,
		prefix + "/" + incidentsPath: incidents,
	})
}

func newSource(t *testing.T, srv *httptest.Server, rawURL string) source.Source {
	t.Helper()
	return collectortest.NewSource(t, New, collectortest.Env("incidentio", rawURL, srv.Client()))
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
		collectortest.ServeJSON(string(collectortest.Testdata(t, widgetPreviewFile))),
		collectortest.ServeJSON(string(collectortest.Testdata(t, openaiSummaryFile))),
		collectortest.ServeJSON(openaiIncidentsList))

	batches, err := collectortest.Sync(newSource(t, srv, srv.URL), nil)
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
	if !reflect.DeepEqual(page.Hits(), want) {
		t.Errorf("requests = %v, want %v", page.Hits(), want)
	}
}

func TestSyncSubPageURL(t *testing.T) {
	for _, suffix := range []string{"/console", "/console/"} {
		t.Run(suffix, func(t *testing.T) {
			page, srv := startPage(t, "/console",
				collectortest.ServeJSON(string(collectortest.Testdata(t, widgetEmptyFile))),
				collectortest.ServeJSON(`{"components": [{"id": "c1", "name": "Console", "status": "operational"}], "incidents": []}`),
				collectortest.ServeJSON(`{"incidents": []}`))
			batches, err := collectortest.Sync(newSource(t, srv, srv.URL+suffix), nil)
			if err != nil {
				t.Fatal(err)
			}
			want := []item.Component{{Name: "Console", Status: "operational"}}
			if len(batches) != 1 || !reflect.DeepEqual(batches[0].Components, want) {
				t.Errorf("batches = %+v, want one with components %v", batches, want)
			}
			if page.Hits()[0] != "/console/"+widgetPath {
				t.Errorf("first request = %s, want /console/%s", page.Hits()[0], widgetPath)
			}
		})
	}
}

func TestSyncFailures(t *testing.T) {
	ok := map[string]http.HandlerFunc{
		widgetPath:    collectortest.ServeJSON(string(collectortest.Testdata(t, widgetEmptyFile))),
		summaryPath:   collectortest.ServeJSON(`{"components": []}`),
		incidentsPath: collectortest.ServeJSON(`{"incidents": []}`),
	}
	tests := []struct {
		name       string
		path       string // the endpoint that misbehaves
		handler    http.HandlerFunc
		wantReason string
		wantPrefix string
	}{
		{"widget switched off", widgetPath, http.NotFound, fetch.ReasonHTTP, "incidentio: widget summary: "},
		{"widget rate limited", widgetPath, collectortest.ServeStatus(http.StatusTooManyRequests), fetch.ReasonRateLimited, "incidentio: widget summary: "},
		{"widget answers a page", widgetPath, collectortest.ServeJSON(`<!DOCTYPE html><title>Status</title>`), fetch.ReasonDecode, "incidentio: widget summary: "},
		{"widget without arrays", widgetPath, collectortest.ServeJSON(`{"page_title": "x"}`), fetch.ReasonDecode, "incidentio: widget summary: "},
		{"summary 500", summaryPath, collectortest.ServeStatus(http.StatusInternalServerError), fetch.ReasonHTTP, "incidentio: summary: "},
		{"summary without components", summaryPath, collectortest.ServeJSON(`{"incidents": []}`), fetch.ReasonDecode, "incidentio: summary: "},
		{"incidents 502", incidentsPath, collectortest.ServeStatus(http.StatusBadGateway), fetch.ReasonHTTP, "incidentio: incidents: "},
		{"incidents truncated", incidentsPath, collectortest.ServeJSON(`{"incidents": [{"id": "a",`), fetch.ReasonDecode, "incidentio: incidents: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handlers := maps.Clone(ok)
			handlers[tt.path] = tt.handler
			_, srv := startPage(t, "", handlers[widgetPath], handlers[summaryPath], handlers[incidentsPath])

			batches, err := collectortest.Sync(newSource(t, srv, srv.URL), nil)
			collectortest.WantSyncError(t, err, tt.wantReason, tt.wantPrefix)
			if len(batches) != 0 {
				t.Errorf("emitted %d batches, want none: a partial picture hides components", len(batches))
			}
		})
	}
}

func TestSyncReturnsEmitError(t *testing.T) {
	_, srv := startPage(t, "",
		collectortest.ServeJSON(string(collectortest.Testdata(t, widgetEmptyFile))), collectortest.ServeJSON(`{"components": []}`), collectortest.ServeJSON(`{"incidents": []}`))
	collectortest.WantEmitErrorReturned(t, newSource(t, srv, srv.URL))
}

func TestNew(t *testing.T) {
	client := fetch.New(http.DefaultClient, fetch.NewLimits(), fetch.Options{})
	collectortest.CheckNew(t, New, []collectortest.NewCase{
		{Name: "root URL", Env: source.Env{Config: &config.Source{URL: "https://status.openai.com"}, HTTP: client}},
		{Name: "sub-page", Env: source.Env{Config: &config.Source{URL: "https://neonstatus.com/aws-europe-frankfurt"}, HTTP: client}},
		{Name: "no scheme", Env: source.Env{Config: &config.Source{URL: "status.openai.com"}, HTTP: client}, WantErr: "incidentio: url"},
		{Name: "other scheme", Env: source.Env{Config: &config.Source{URL: "ftp://status.example"}, HTTP: client}, WantErr: "scheme must be http or https"},
		{Name: "query", Env: source.Env{Config: &config.Source{URL: "https://status.example?x=1"}, HTTP: client}, WantErr: "must not carry a query"},
		{Name: "password in URL", Env: source.Env{Config: &config.Source{URL: "https://u:secret@status.example"}, HTTP: client}, WantErr: "credentials belong in http_client"},
		{Name: "no config", Env: source.Env{HTTP: client}, WantErr: "incomplete environment"},
		{Name: "no client", Env: source.Env{Config: &config.Source{URL: "https://status.openai.com"}}, WantErr: "incomplete environment"},
	}, "secret")
}

// Each answer is capped at maxBodyBytes: padded to the cap it reads, one
// byte more fails the sync (fetch counts it too_large; decode before issue
// 10's fetch change).
func TestSyncBodyCap(t *testing.T) {
	const incidents = `{"incidents": []}`
	for _, tt := range []struct {
		size    int
		wantErr bool
	}{{maxBodyBytes, false}, {maxBodyBytes + 1, true}} {
		_, srv := startPage(t, "",
			collectortest.ServeJSON(`{"ongoing_incidents": [], "in_progress_maintenances": [], "scheduled_maintenances": []}`),
			collectortest.ServeJSON(`{"components": []}`),
			collectortest.ServeJSON(incidents+strings.Repeat(" ", tt.size-len(incidents))))
		_, err := collectortest.Sync(newSource(t, srv, srv.URL), nil)
		switch {
		case !tt.wantErr && err != nil:
			t.Errorf("%d bytes: %v, want the answer read", tt.size, err)
		case tt.wantErr && (err == nil || !slices.Contains([]string{fetch.ReasonTooLarge, fetch.ReasonDecode}, fetch.Reason(err))):
			t.Errorf("%d bytes: error %v, want the body refused as too large", tt.size, err)
		}
	}
}
