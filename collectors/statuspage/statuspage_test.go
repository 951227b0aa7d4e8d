package statuspage

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

const (
	summaryPath      = "/api/v2/summary.json"
	incidentsPath    = "/api/v2/incidents.json"
	maintenancesPath = "/api/v2/scheduled-maintenances.json"
)

// startPage serves the three endpoints under prefix as a Statuspage page
// does; configured URLs are built from srv.URL.
func startPage(t *testing.T, prefix string, summaryBody, incidentsBody, maintenancesBody http.HandlerFunc) (*collectortest.Site, *httptest.Server) {
	t.Helper()
	return collectortest.StartSite(t, map[string]http.HandlerFunc{
		prefix + summaryPath:      summaryBody,
		prefix + incidentsPath:    incidentsBody,
		prefix + maintenancesPath: maintenancesBody,
	})
}

func newSource(t *testing.T, srv *httptest.Server, rawURL string) source.Source {
	t.Helper()
	return collectortest.NewSource(t, New, collectortest.Env("statuspage", rawURL, srv.Client()))
}

func TestSyncRealPayloads(t *testing.T) {
	page, srv := startPage(t, "",
		collectortest.ServeJSON(string(collectortest.Testdata(t, "jira-software-summary-2025-03-19-major-3-incidents-1-maint.json"))),
		collectortest.ServeJSON(string(collectortest.Testdata(t, "stactus_githubstatus_incidents_trimmed.json"))),
		collectortest.ServeJSON(string(collectortest.Testdata(t, "claude-anthropic-scheduled-maintenances-2026-09-15-2-completed.json"))))

	batches, err := collectortest.Sync(newSource(t, srv, srv.URL), nil)
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
	if got := collectortest.IncidentIDs(b.Incidents); !reflect.DeepEqual(got, wantIncidents) {
		t.Errorf("incidents = %v, want %v", got, wantIncidents)
	}
	wantMaintenances := []string{"13yfkv7c6xd5", "x017628t2rl5", "16z0qdmy3qv2"}
	if got := collectortest.MaintenanceIDs(b.Maintenances); !reflect.DeepEqual(got, wantMaintenances) {
		t.Errorf("maintenances = %v, want %v", got, wantMaintenances)
	}
	// The test server sends no validators: none are kept.
	if c, err := parseCursor(b.Cursor); err != nil || len(c.Docs) != 0 {
		t.Errorf("cursor = %q (%v), want one without validators", b.Cursor, err)
	}
	// One request per endpoint; unresolved.json is covered by summary.json.
	if want := []string{summaryPath, incidentsPath, maintenancesPath}; !reflect.DeepEqual(page.Hits(), want) {
		t.Errorf("requests = %v, want %v", page.Hits(), want)
	}
}

func TestSyncPrefixURL(t *testing.T) {
	for _, suffix := range []string{"/status", "/status/"} {
		t.Run(suffix, func(t *testing.T) {
			page, srv := startPage(t, "/status",
				collectortest.ServeJSON(`{"components": [{"id": "c1", "name": "API", "status": "operational"}]}`),
				collectortest.ServeJSON(`{"incidents": []}`),
				collectortest.ServeJSON(`{"scheduled_maintenances": []}`))
			batches, err := collectortest.Sync(newSource(t, srv, srv.URL+suffix), nil)
			if err != nil {
				t.Fatal(err)
			}
			want := []item.Component{{Name: "API", Status: "operational"}}
			if len(batches) != 1 || !reflect.DeepEqual(batches[0].Components, want) {
				t.Errorf("batches = %+v, want one with components %v", batches, want)
			}
			if page.Hits()[0] != "/status"+summaryPath {
				t.Errorf("first request = %s, want /status%s", page.Hits()[0], summaryPath)
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
	_, srv := startPage(t, "", collectortest.ServeJSON(dedupSummary), collectortest.ServeJSON(dedupIncidents), collectortest.ServeJSON(dedupMaintenances))
	batches, err := collectortest.Sync(newSource(t, srv, srv.URL), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 {
		t.Fatalf("emitted %d batches, want 1", len(batches))
	}
	b := batches[0]
	wantIncidents := []item.Incident{{
		ID: "abc", Impact: item.ImpactCritical,
		CreatedAt:  collectortest.UTC("2024-09-16T16:00:00Z"),
		ResolvedAt: collectortest.UTC("2024-09-16T17:00:00Z"),
		UpdatedAt:  collectortest.UTC("2024-09-16T17:00:00Z"),
	}}
	if !reflect.DeepEqual(b.Incidents, wantIncidents) {
		t.Errorf("incidents = %+v, want %+v", b.Incidents, wantIncidents)
	}
	wantMaintenances := []item.Maintenance{{
		ID:             "mnt",
		CreatedAt:      collectortest.UTC("2024-09-10T00:00:00Z"),
		UpdatedAt:      collectortest.UTC("2024-09-16T16:00:00Z"),
		ScheduledFor:   collectortest.UTC("2024-09-16T16:00:00Z"), // the newer version's
		ScheduledUntil: collectortest.UTC("2024-09-16T18:00:00Z"),
	}}
	if !reflect.DeepEqual(b.Maintenances, wantMaintenances) {
		t.Errorf("maintenances = %+v, want %+v", b.Maintenances, wantMaintenances)
	}
	if b.Components != nil {
		t.Errorf("components = %#v, want nil: a summary listing none is no news of them (statusitems.Components)", b.Components)
	}
}

func TestSyncFailures(t *testing.T) {
	ok := map[string]http.HandlerFunc{
		summaryPath:      collectortest.ServeJSON(`{"components": []}`),
		incidentsPath:    collectortest.ServeJSON(`{"incidents": []}`),
		maintenancesPath: collectortest.ServeJSON(`{"scheduled_maintenances": []}`),
	}
	tests := []struct {
		name       string
		path       string // the endpoint that misbehaves
		handler    http.HandlerFunc
		wantReason string
		wantPrefix string
	}{
		{"summary 500", summaryPath, collectortest.ServeStatus(http.StatusInternalServerError), fetch.ReasonHTTP, "statuspage: summary: "},
		{"incidents 500", incidentsPath, collectortest.ServeStatus(http.StatusInternalServerError), fetch.ReasonHTTP, "statuspage: incidents: "},
		{"maintenances 502", maintenancesPath, collectortest.ServeStatus(http.StatusBadGateway), fetch.ReasonHTTP, "statuspage: scheduled maintenances: "},
		{"summary malformed", summaryPath, collectortest.ServeJSON(`<!DOCTYPE html><title>Down</title>`), fetch.ReasonDecode, "statuspage: summary: "},
		{"incidents truncated JSON", incidentsPath, collectortest.ServeJSON(`{"incidents": [{"id": "abc",`), fetch.ReasonDecode, "statuspage: incidents: "},
		{"maintenances cut connection", maintenancesPath, collectortest.ServeCut("", `{"scheduled_maintenances": [`), fetch.ReasonDecode, "statuspage: scheduled maintenances: "},
		{"incidents without the array", incidentsPath, collectortest.ServeJSON(`{"page": {"id": "kctbh9vrtdwd"}}`), fetch.ReasonDecode, "statuspage: incidents: "},
		{"summary without components", summaryPath, collectortest.ServeJSON(`{"incidents": []}`), fetch.ReasonDecode, "statuspage: summary: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handlers := maps.Clone(ok)
			handlers[tt.path] = tt.handler
			_, srv := startPage(t, "", handlers[summaryPath], handlers[incidentsPath], handlers[maintenancesPath])

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
		collectortest.ServeJSON(`{"components": []}`), collectortest.ServeJSON(`{"incidents": []}`), collectortest.ServeJSON(`{"scheduled_maintenances": []}`))
	collectortest.WantEmitErrorReturned(t, newSource(t, srv, srv.URL))
}

func TestNew(t *testing.T) {
	client := fetch.New(http.DefaultClient, fetch.NewLimits(), fetch.Options{})
	collectortest.CheckNew(t, New, []collectortest.NewCase{
		{Name: "root URL", Env: source.Env{Config: &config.Source{URL: "https://www.githubstatus.com"}, HTTP: client}},
		{Name: "prefix", Env: source.Env{Config: &config.Source{URL: "http://127.0.0.1:8080/vendor/status/"}, HTTP: client}},
		{Name: "no scheme", Env: source.Env{Config: &config.Source{URL: "www.githubstatus.com"}, HTTP: client}, WantErr: "scheme must be http or https"},
		{Name: "other scheme", Env: source.Env{Config: &config.Source{URL: "ftp://status.example"}, HTTP: client}, WantErr: "scheme must be http or https"},
		{Name: "no host", Env: source.Env{Config: &config.Source{URL: "https:///api"}, HTTP: client}, WantErr: "no host"},
		{Name: "empty", Env: source.Env{Config: &config.Source{}, HTTP: client}, WantErr: "scheme must be http or https"},
		{Name: "unparsable", Env: source.Env{Config: &config.Source{URL: "http://[::1"}, HTTP: client}, WantErr: "statuspage: url"},
		{Name: "credentials", Env: source.Env{Config: &config.Source{URL: "https://user:hunter2@status.example"}, HTTP: client}, WantErr: "credentials belong in http_client"},
		{Name: "no config", Env: source.Env{HTTP: client}, WantErr: "incomplete environment"},
		{Name: "no client", Env: source.Env{Config: &config.Source{URL: "https://www.githubstatus.com"}}, WantErr: "incomplete environment"},
	}, "hunter2")
}

// Each answer is capped at maxBodyBytes: padded to the cap it reads, one
// byte more fails the sync (fetch counts it too_large; decode before issue
// 10's fetch change).
func TestSyncBodyCap(t *testing.T) {
	const summary = `{"components": []}`
	for _, tt := range []struct {
		size    int
		wantErr bool
	}{{maxBodyBytes, false}, {maxBodyBytes + 1, true}} {
		_, srv := startPage(t, "",
			collectortest.ServeJSON(summary+strings.Repeat(" ", tt.size-len(summary))),
			collectortest.ServeJSON(`{"incidents": []}`),
			collectortest.ServeJSON(`{"scheduled_maintenances": []}`))
		_, err := collectortest.Sync(newSource(t, srv, srv.URL), nil)
		switch {
		case !tt.wantErr && err != nil:
			t.Errorf("%d bytes: %v, want the answer read", tt.size, err)
		case tt.wantErr && (err == nil || !slices.Contains([]string{fetch.ReasonTooLarge, fetch.ReasonDecode}, fetch.Reason(err))):
			t.Errorf("%d bytes: error %v, want the body refused as too large", tt.size, err)
		}
	}
}

func newSourceEnv(t *testing.T, env source.Env) source.Source {
	t.Helper()
	return collectortest.NewSource(t, New, env)
}
