package cachet

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	commoncfg "github.com/prometheus/common/config"
	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/model"
)

const (
	componentsPath = "/api/v1/components"
	incidentsPath  = "/api/v1/incidents"
	schedulesPath  = "/api/v1/schedules"
)

// newSource builds a source of the Cachet page at rawURL, in zone ("" for
// UTC), that sends with hc.
func newSource(t *testing.T, hc *http.Client, rawURL, zone string, historyStart time.Time) source.Source {
	t.Helper()
	env := collectortest.Env("cachet", rawURL, hc)
	env.Config.Timezone = zone
	env.HistoryStart = historyStart
	return collectortest.NewSource(t, New, env)
}

// populate fills f with nComponents components and nIncidents incidents
// (one minute apart, each with one fixed update ten minutes later) and one
// upcoming schedule, all shaped like the testdata lists.
func populate(t *testing.T, f *fakeCachet, nComponents, nIncidents int) {
	t.Helper()
	comp := template(t, "cachet_components_list.json")
	for i := 1; i <= nComponents; i++ {
		f.lists[componentsPath] = append(f.lists[componentsPath],
			item(comp, map[string]any{"id": i, "name": "Component " + string(rune('A'-1+i)), "status": 1 + i%4}))
	}
	inc := template(t, "cachet_incidents_list.json")
	for i := 1; i <= nIncidents; i++ {
		f.lists[incidentsPath] = append(f.lists[incidentsPath], item(inc, map[string]any{
			"id": i, "component_id": 1, "status": 1, "visible": 1,
			"occurred_at": stamp(i - 1), "created_at": stamp(i), "updated_at": stamp(i + 10),
			"updates": []map[string]any{{"id": i, "incident_id": i, "status": 4, "created_at": stamp(i + 10)}},
		}))
	}
	f.lists[schedulesPath] = []map[string]any{item(template(t, "cachet_schedules_list.json"), map[string]any{
		"status": 0, "scheduled_at": "2024-04-01 02:00:00", "completed_at": nil,
		"created_at": "2024-03-20 09:00:00", "updated_at": "2024-03-20 09:00:00",
	})}
}

func TestSyncReadsEveryPage(t *testing.T) {
	f := newFakeCachet("")
	populate(t, f, 3, 230)
	srv := f.start(t)
	batches, err := collectortest.Sync(newSource(t, srv.Client(), srv.URL, "", time.Time{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 {
		t.Fatalf("emitted %d batches, want 1", len(batches))
	}
	b := batches[0]
	wantComponents := []model.Component{
		{Name: "Component A", Status: "degraded_performance"},
		{Name: "Component B", Status: "partial_outage"},
		{Name: "Component C", Status: "major_outage"},
	}
	if !reflect.DeepEqual(b.Components, wantComponents) {
		t.Errorf("components = %+v, want %+v", b.Components, wantComponents)
	}
	if len(b.Incidents) != 230 || b.Incidents[0].ID != "230" || b.Incidents[229].ID != "1" {
		t.Fatalf("got %d incidents, want 230 from id 230 down to 1", len(b.Incidents))
	}
	wantFirst := model.Incident{
		ID: "230", Impact: model.ImpactNone,
		StartedAt:  collectortest.UTC("2024-03-01T03:49:00Z"),
		CreatedAt:  collectortest.UTC("2024-03-01T03:50:00Z"),
		UpdatedAt:  collectortest.UTC("2024-03-01T04:00:00Z"),
		ResolvedAt: collectortest.UTC("2024-03-01T04:00:00Z"),
		Updates:    []time.Time{collectortest.UTC("2024-03-01T04:00:00Z")},
		Components: []string{"Component A"},
	}
	if !reflect.DeepEqual(b.Incidents[0], wantFirst) {
		t.Errorf("incident 230:\n got  %+v\n want %+v", b.Incidents[0], wantFirst)
	}
	wantMaintenances := []model.Maintenance{{
		ID: "1", CreatedAt: collectortest.UTC("2024-03-20T09:00:00Z"), UpdatedAt: collectortest.UTC("2024-03-20T09:00:00Z"),
		ScheduledFor: collectortest.UTC("2024-04-01T02:00:00Z"),
	}}
	if !reflect.DeepEqual(b.Maintenances, wantMaintenances) {
		t.Errorf("maintenances = %+v, want %+v", b.Maintenances, wantMaintenances)
	}
	wantHits := []string{
		componentsPath + "?page=1&per_page=100",
		incidentsPath + "?order=desc&page=1&per_page=100&sort=id",
		incidentsPath + "?order=desc&page=2&per_page=100&sort=id",
		incidentsPath + "?order=desc&page=3&per_page=100&sort=id",
		schedulesPath + "?order=desc&page=1&per_page=100&sort=id",
	}
	if !reflect.DeepEqual(f.hits, wantHits) {
		t.Errorf("requests:\n got  %v\n want %v", f.hits, wantHits)
	}
}

// With history_start inside the second page of incidents, the walk stops
// there: the third page is older still.
func TestSyncStopsAtHistoryStart(t *testing.T) {
	f := newFakeCachet("")
	populate(t, f, 1, 230)
	srv := f.start(t)
	start := collectortest.UTC("2024-03-01T01:40:00Z") // incident 100's created_at
	batches, err := collectortest.Sync(newSource(t, srv.Client(), srv.URL, "", start), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(batches[0].Incidents); got != 131 {
		t.Errorf("incidents = %d, want 131 (ids 230 down to 100)", got)
	}
	if len(batches[0].Maintenances) != 1 {
		t.Errorf("maintenances = %d, want the one announced after the start", len(batches[0].Maintenances))
	}
	for _, h := range f.hits {
		if strings.Contains(h, incidentsPath) && strings.Contains(h, "page=3") {
			t.Errorf("requested %s, which is older than history_start", h)
		}
	}
}

// Cachet's times are read in the configured zone: 12:00 in Berlin in
// August is 10:00 UTC.
func TestSyncTimezone(t *testing.T) {
	f := newFakeCachet("/status")
	f.lists[componentsPath] = nil
	f.lists[incidentsPath] = []map[string]any{item(template(t, "cachet_incidents_list.json"), nil)}
	f.lists[schedulesPath] = nil
	srv := f.start(t)
	for _, tt := range []struct{ zone, want string }{
		{"", "2015-08-01T12:00:00Z"},
		{"UTC", "2015-08-01T12:00:00Z"},
		{"Europe/Berlin", "2015-08-01T10:00:00Z"},
		{"Asia/Shanghai", "2015-08-01T04:00:00Z"},
	} {
		t.Run(tt.zone, func(t *testing.T) {
			batches, err := collectortest.Sync(newSource(t, srv.Client(), srv.URL+"/status/", tt.zone, time.Time{}), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := batches[0].Incidents; len(got) != 1 || !got[0].CreatedAt.Equal(collectortest.UTC(tt.want)) {
				t.Errorf("incidents = %+v, want one created at %s", got, tt.want)
			}
		})
	}
}

// The token is configured the Prometheus way, as an http_headers secret of
// the source's http_client; it reaches the API, which then also lists what
// the page hides, and that stays out.
func TestSyncWithToken(t *testing.T) {
	f := newFakeCachet("")
	f.token = "s3cr3t-api-key"
	comp := template(t, "cachet_components_list.json")
	f.lists[componentsPath] = []map[string]any{
		item(comp, map[string]any{"id": 1, "name": "API", "enabled": true}),
		item(comp, map[string]any{"id": 2, "name": "Legacy", "enabled": false}),
	}
	inc := template(t, "cachet_incidents_list.json")
	f.lists[incidentsPath] = []map[string]any{
		item(inc, map[string]any{"id": 1, "visible": 1}),
		item(inc, map[string]any{"id": 2, "visible": 0}),
	}
	f.lists[schedulesPath] = nil
	srv := f.start(t)

	// As written in the config file (DESIGN.md: http_client is Prometheus').
	const httpClient = `
http_headers:
  X-Cachet-Token:
    secrets: [s3cr3t-api-key]
`
	cfg := commoncfg.DefaultHTTPClientConfig
	if err := yaml.Unmarshal([]byte(httpClient), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	hc, err := commoncfg.NewClientFromConfig(cfg, "cachet")
	if err != nil {
		t.Fatal(err)
	}
	batches, err := collectortest.Sync(newSource(t, hc, srv.URL, "", time.Time{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.authed != len(f.hits) || f.authed == 0 {
		t.Fatalf("%d of %d requests carried the token, want all", f.authed, len(f.hits))
	}
	b := batches[0]
	if want := []model.Component{{Name: "API", Status: "operational"}}; !reflect.DeepEqual(b.Components, want) {
		t.Errorf("components = %+v, want %+v", b.Components, want)
	}
	if len(b.Incidents) != 1 || b.Incidents[0].ID != "1" {
		t.Errorf("incidents = %+v, want only the visible one", b.Incidents)
	}
}

func TestSyncFailures(t *testing.T) {
	tests := []struct {
		name       string
		page       string // the page that misbehaves
		handler    http.HandlerFunc
		wantReason string
		wantPrefix string
	}{
		{"components 500", componentsPath + "?page=1", collectortest.ServeStatus(http.StatusInternalServerError), fetch.ReasonHTTP, "cachet: components: page 1: "},
		{"incidents page 2 502", incidentsPath + "?page=2", collectortest.ServeStatus(http.StatusBadGateway), fetch.ReasonHTTP, "cachet: incidents: page 2: "},
		{"schedules 401", schedulesPath + "?page=1", collectortest.ServeStatus(http.StatusUnauthorized), fetch.ReasonAuth, "cachet: schedules: page 1: "},
		{"incidents HTML", incidentsPath + "?page=1", collectortest.ServeBody("", `<!DOCTYPE html><title>Cachet</title>`), fetch.ReasonDecode, "cachet: incidents: page 1: "},
		{"incidents without pagination", incidentsPath + "?page=2", collectortest.ServeBody("", `{"data": []}`), fetch.ReasonDecode, "cachet: incidents: page 2: "},
		{"page ignored", incidentsPath + "?page=2", collectortest.ServeBody("", `{"meta": {"pagination": {"current_page": 1, "total_pages": 3}}, "data": []}`), fetch.ReasonDecode, "cachet: incidents: page 2: "},
		{"schedule timestamp with a zone", schedulesPath + "?page=1",
			collectortest.ServeBody("", `{"meta": {"pagination": {"current_page": 1, "total_pages": 1}}, "data": [{"id": 1, "scheduled_at": "2024-04-01T02:00:00Z", "created_at": "2024-03-20 09:00:00"}]}`),
			fetch.ReasonDecode, "cachet: schedules: page 1: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCachet("")
			populate(t, f, 1, 230)
			f.broken[tt.page] = tt.handler
			srv := f.start(t)
			batches, err := collectortest.Sync(newSource(t, srv.Client(), srv.URL, "", time.Time{}), nil)
			collectortest.WantSyncError(t, err, tt.wantReason, tt.wantPrefix)
			if len(batches) != 0 {
				t.Errorf("emitted %d batches, want none: a partial picture hides components", len(batches))
			}
		})
	}
}

func TestSyncReturnsEmitError(t *testing.T) {
	f := newFakeCachet("")
	populate(t, f, 1, 1)
	srv := f.start(t)
	collectortest.WantEmitErrorReturned(t, newSource(t, srv.Client(), srv.URL, "", time.Time{}))
}

func TestNew(t *testing.T) {
	client := fetch.New(http.DefaultClient, fetch.NewLimits(), fetch.Options{})
	collectortest.CheckNew(t, New, []collectortest.NewCase{
		{Name: "root URL", Env: source.Env{Config: &config.Source{URL: "https://status.example.com"}, HTTP: client}},
		{Name: "zone", Env: source.Env{Config: &config.Source{URL: "https://status.example.com", Timezone: "America/New_York"}, HTTP: client}},
		{Name: "unknown zone", Env: source.Env{Config: &config.Source{URL: "https://status.example.com", Timezone: "Mars/Olympus"}, HTTP: client}, WantErr: `timezone "Mars/Olympus"`},
		{Name: "no scheme", Env: source.Env{Config: &config.Source{URL: "status.example.com"}, HTTP: client}, WantErr: "cachet: url"},
		{Name: "credentials in url", Env: source.Env{Config: &config.Source{URL: "https://u:p@status.example.com"}, HTTP: client}, WantErr: "http_client"},
		{Name: "no config", Env: source.Env{HTTP: client}, WantErr: "incomplete environment"},
		{Name: "no client", Env: source.Env{Config: &config.Source{URL: "https://status.example.com"}}, WantErr: "incomplete environment"},
	})
}
