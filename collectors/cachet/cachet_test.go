package cachet

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	commoncfg "github.com/prometheus/common/config"
	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
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
	env.Config.Options = &Options{Timezone: zone}
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
			withFields(comp, map[string]any{"id": i, "name": "Component " + string(rune('A'-1+i)), "status": 1 + i%4}))
	}
	inc := template(t, "cachet_incidents_list.json")
	for i := 1; i <= nIncidents; i++ {
		f.lists[incidentsPath] = append(f.lists[incidentsPath], withFields(inc, map[string]any{
			"id": i, "component_id": 1, "status": 1, "visible": 1,
			"occurred_at": stamp(i - 1), "created_at": stamp(i), "updated_at": stamp(i + 10),
			"updates": []map[string]any{{"id": i, "incident_id": i, "status": 4, "created_at": stamp(i + 10)}},
		}))
	}
	f.lists[schedulesPath] = []map[string]any{withFields(template(t, "cachet_schedules_list.json"), map[string]any{
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
	wantComponents := []item.Component{
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
	wantFirst := item.Incident{
		ID: "230", Impact: item.ImpactNone,
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
	wantMaintenances := []item.Maintenance{{
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
	f.lists[incidentsPath] = []map[string]any{withFields(template(t, "cachet_incidents_list.json"), nil)}
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
		withFields(comp, map[string]any{"id": 1, "name": "API", "enabled": true}),
		withFields(comp, map[string]any{"id": 2, "name": "Legacy", "enabled": false}),
	}
	inc := template(t, "cachet_incidents_list.json")
	f.lists[incidentsPath] = []map[string]any{
		withFields(inc, map[string]any{"id": 1, "visible": 1}),
		withFields(inc, map[string]any{"id": 2, "visible": 0}),
	}
	f.lists[schedulesPath] = nil
	srv := f.start(t)

	// As written in the config file (docs/configuration.md: http_client is Prometheus').
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
	if want := []item.Component{{Name: "API", Status: "operational"}}; !reflect.DeepEqual(b.Components, want) {
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
		{"page ignored: the first page again", incidentsPath + "?page=2", collectortest.ServeBody("", `{"meta": {"pagination": {"current_page": 1, "total_pages": 3}}, "data": []}`), fetch.ReasonLoop, "cachet: incidents: page 2: "},
		{"another page than asked for", incidentsPath + "?page=2", collectortest.ServeBody("", `{"meta": {"pagination": {"current_page": 7, "total_pages": 9}}, "data": []}`), fetch.ReasonDecode, "cachet: incidents: page 2: "},
		{"pagination number not a count", incidentsPath + "?page=1", collectortest.ServeBody("", `{"meta": {"pagination": {"current_page": 1, "total_pages": "three"}}, "data": []}`), fetch.ReasonDecode, "cachet: incidents: page 1: "},
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
		{Name: "zone", Env: source.Env{Config: &config.Source{URL: "https://status.example.com", Options: &Options{Timezone: "America/New_York"}}, HTTP: client}},
		{Name: "unknown zone", Env: source.Env{Config: &config.Source{URL: "https://status.example.com", Options: &Options{Timezone: "Mars/Olympus"}}, HTTP: client}, WantErr: `timezone "Mars/Olympus"`},
		{Name: "no scheme", Env: source.Env{Config: &config.Source{URL: "status.example.com"}, HTTP: client}, WantErr: "cachet: url"},
		{Name: "credentials in url", Env: source.Env{Config: &config.Source{URL: "https://u:p@status.example.com"}, HTTP: client}, WantErr: "http_client"},
		{Name: "no config", Env: source.Env{HTTP: client}, WantErr: "incomplete environment"},
		{Name: "no client", Env: source.Env{Config: &config.Source{URL: "https://status.example.com"}}, WantErr: "incomplete environment"},
	})
}

// Cachet before 2.0 wrote per_page as the query's string, and the other
// pagination numbers may come as text too: a sync reads the pages alike.
func TestSyncPaginationNumbersAsText(t *testing.T) {
	f := newFakeCachet("")
	f.numbersAsText = true
	populate(t, f, 3, 230)
	srv := f.start(t)
	batches, err := collectortest.Sync(newSource(t, srv.Client(), srv.URL, "", time.Time{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := collectortest.IncidentIDs(batches[0].Incidents); len(got) != 230 || got[0] != "230" || got[229] != "1" {
		t.Errorf("got %d incidents, want 230 from id 230 down to 1", len(got))
	}
	if len(f.hits) != 5 {
		t.Errorf("requests = %v, want 5: one page of components, three of incidents, one of schedules", f.hits)
	}
}

// endlessComponents answers every page of the component list with a full
// page of components: pages(n) gives the current_page it claims, the
// total_pages it announces and the component ids it lists for page n.
func endlessComponents(t *testing.T, pages func(n int) (current, total int, ids []int)) http.HandlerFunc {
	comp := template(t, "cachet_components_list.json")
	return func(w http.ResponseWriter, r *http.Request) {
		current, total, ids := pages(intParam(r.URL.Query(), "page", 1))
		data := []map[string]any{}
		for _, id := range ids {
			data = append(data, withFields(comp, map[string]any{"id": id, "name": "Component " + strconv.Itoa(id)}))
		}
		collectortest.WriteJSON(w, http.StatusOK, map[string]any{
			"meta": map[string]any{"pagination": map[string]any{
				"total": total * perPage, "count": len(data), "per_page": perPage,
				"current_page": current, "total_pages": total,
				"links": map[string]any{"next_page": "http://localhost/api/v1/components?page=" + strconv.Itoa(current+1)},
			}},
			"data": data,
		})
	}
}

// ids are perPage component ids starting at from.
func ids(from int) []int {
	out := make([]int, perPage)
	for i := range out {
		out[i] = from + i
	}
	return out
}

// A vendor that always names a next page cannot keep a sync requesting:
// the walk ends, with a loop error, at the first page that repeats one
// already read, that lists nothing new, or that goes beyond the first
// page's total_pages and the one page that items published during the walk
// may add.
func TestSyncEndlessPaging(t *testing.T) {
	tests := []struct {
		name      string
		pages     func(n int) (current, total int, ids []int)
		wantHits  int
		wantError string // "" when the walk ends well
	}{
		{"the same page again", func(n int) (int, int, []int) { return 1, n + 1, ids(1) },
			2, "cachet: components: page 2: "},
		{"nothing new", func(n int) (int, int, []int) { return n, n + 1, ids(1) },
			2, "cachet: components: page 2: "},
		{"more pages than announced", func(n int) (int, int, []int) { return n, n + 1, ids(n * perPage) },
			3, "cachet: components: page 3: "},
		{"one page more, for items published during the walk", func(n int) (int, int, []int) { return n, min(n+1, 3), ids(n * perPage) },
			3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, srv := collectortest.StartSite(t, map[string]http.HandlerFunc{
				componentsPath: endlessComponents(t, tt.pages),
				incidentsPath:  collectortest.ServeJSON(`{"meta": {"pagination": {"current_page": 1, "total_pages": 1}}, "data": []}`),
				schedulesPath:  collectortest.ServeJSON(`{"meta": {"pagination": {"current_page": "1", "total_pages": "1"}}, "data": []}`),
			})
			batches, err := collectortest.Sync(newSource(t, srv.Client(), srv.URL, "", time.Time{}), nil)
			hits := 0
			for _, h := range site.Hits() {
				if strings.HasPrefix(h, componentsPath) {
					hits++
				}
			}
			if hits != tt.wantHits {
				t.Errorf("requested %d component pages, want %d", hits, tt.wantHits)
			}
			if tt.wantError == "" {
				if err != nil || len(batches) != 1 || len(batches[0].Components) != 3*perPage {
					t.Errorf("Sync = %d batches, %v; want one with %d components", len(batches), err, 3*perPage)
				}
				return
			}
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, tt.wantError)
			if len(batches) != 0 {
				t.Errorf("emitted %d batches, want none", len(batches))
			}
		})
	}
}

// The door's bounds: the exporter refuses an item with a time before 2000
// or more than an hour after its clock, which reads 2024-03-02.
var bounds = door.Bounds{
	NotBefore: collectortest.UTC("2000-01-01T00:00:00Z"),
	MaxSkew:   time.Hour,
	Now:       func() time.Time { return collectortest.UTC("2024-03-02T00:00:00Z") },
}

// The walk of a newest-first list stops at the first page reaching back
// before history_start, judged by its oldest item. A forged far-past
// created_at at the end of a page says nothing about that: the walk goes on,
// and the incidents on the next page are stored. A far-future one changes
// nothing either; the exporter refuses it at ingest (door).
func TestSyncImplausibleTimesDoNotEndTheWalk(t *testing.T) {
	f := newFakeCachet("")
	// Page 1 lists ids 150 down to 51, page 2 50 down to 1.
	populate(t, f, 1, 150)
	f.lists[incidentsPath][50]["created_at"] = "1970-01-01 00:00:00"  // id 51, last on page 1
	f.lists[incidentsPath][149]["created_at"] = "2099-01-01 00:00:00" // id 150, first on page 1
	srv := f.start(t)
	env := collectortest.Env("cachet", srv.URL, srv.Client())
	env.HistoryStart = collectortest.UTC("2024-03-01T00:30:00Z") // incident 30's created_at
	env.Bounds = bounds
	var rejected []string
	env.Reject = func(reason string) { rejected = append(rejected, reason) }
	src := collectortest.NewSource(t, New, env)

	for sync := 1; sync <= 2; sync++ {
		f.hits = nil
		batches, err := collectortest.Sync(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := collectortest.IncidentIDs(batches[0].Incidents)
		// 150 (refused later, at ingest) down to 30, without 51, which is
		// older than history_start as written.
		if len(got) != 120 || got[0] != "150" || got[len(got)-1] != "30" || slices.Contains(got, "51") {
			t.Errorf("sync %d: incidents %v, want 150 down to 30 without 51", sync, got)
		}
		if batches[0].Cursor != nil {
			t.Errorf("sync %d: cursor %q, want none", sync, batches[0].Cursor)
		}
		if n := len(f.hits); n != 4 {
			t.Errorf("sync %d: requests %v, want components, two pages of incidents, schedules", sync, f.hits)
		}
	}
	if len(rejected) != 0 {
		t.Errorf("rejected %v: the exporter's door counts what it refuses", rejected)
	}
}

// Each page's body is capped at maxBodyBytes: a list padded to the cap
// reads, one byte more fails the sync (fetch counts it too_large; decode
// before issue 10's fetch change).
func TestSyncBodyCap(t *testing.T) {
	page := `{"meta": {"pagination": {"current_page": 1, "total_pages": 1}}, "data": []}`
	for _, tt := range []struct {
		size    int
		wantErr bool
	}{{maxBodyBytes, false}, {maxBodyBytes + 1, true}} {
		body := page + strings.Repeat(" ", tt.size-len(page))
		_, srv := collectortest.StartSite(t, map[string]http.HandlerFunc{
			componentsPath: collectortest.ServeJSON(body),
			incidentsPath:  collectortest.ServeJSON(page),
			schedulesPath:  collectortest.ServeJSON(page),
		})
		_, err := collectortest.Sync(newSource(t, srv.Client(), srv.URL, "", time.Time{}), nil)
		switch {
		case !tt.wantErr && err != nil:
			t.Errorf("%d bytes: %v, want the page read", tt.size, err)
		case tt.wantErr && (err == nil || !slices.Contains([]string{fetch.ReasonTooLarge, fetch.ReasonDecode}, fetch.Reason(err))):
			t.Errorf("%d bytes: error %v, want the body refused as too large", tt.size, err)
		}
	}
}
