package cachet

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// simKind is what these tests declare of the kind (package collectors
// holds the whole declaration).
var simKind = config.Kind{Name: simulator.KindCachet, Feeds: config.FeedsStatus, Options: NewOptions}

const (
	componentsPath = "/api/v1/components"
	incidentsPath  = "/api/v1/incidents"
	schedulesPath  = "/api/v1/schedules"
)

// simPage is a simulated vendor's Cachet page of two years: some three
// hundred incidents and two hundred maintenances, several pages each.
func simPage(t *testing.T) (*simulator.Sim, *collectortest.Clock) {
	t.Helper()
	c := collectortest.NewClock(collectortest.SimStart)
	v := collectortest.SmallVendor(0)
	v.History = 2 * 365 * 24 * time.Hour
	return collectortest.StartSim(t, c, v), c
}

// simSource is the vendor's cachet source as the exporter builds it; extra
// is YAML added to its config source (an http_client, say).
func simSource(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, extra string, configure func(*source.Env)) (source.Source, *collectortest.Wire) {
	t.Helper()
	env, wire := collectortest.SimEnv(t, simKind, sim.SourceYAML(collectortest.SimVendor, simulator.KindCachet)+extra, c.Now)
	if configure != nil {
		configure(&env)
	}
	return collectortest.NewSource(t, New, env), wire
}

// listPages are the pages of path requested, in order.
func listPages(wire *collectortest.Wire, path string) []string {
	var out []string
	for _, s := range wire.Sent() {
		if u, _ := url.Parse(s); u.Path == path {
			out = append(out, u.Query().Get("page"))
		}
	}
	return out
}

// A sync reads every page of the three lists, newest first, and hands the
// page over in one batch: every incident and maintenance of the vendor, at
// its true times (the zone configured is the vendor's), and the leaf
// components with their status.
func TestSimSyncReadsEveryPage(t *testing.T) {
	sim, c := simPage(t)
	src, wire := simSource(t, sim, c, "", nil)
	batches, err := collectortest.Sync(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 || batches[0].Cursor != nil {
		t.Fatalf("%d batches, want one, without a cursor", len(batches))
	}
	b := batches[0]
	truth := sim.Truth(collectortest.SimVendor, c.Now())
	if len(b.Incidents) != len(truth.Incidents) || len(b.Maintenances) != len(truth.Maintenances) || len(truth.Incidents) <= 2*perPage {
		t.Fatalf("%d incidents and %d maintenances, want the vendor's %d and %d, over pages",
			len(b.Incidents), len(b.Maintenances), len(truth.Incidents), len(truth.Maintenances))
	}
	created := map[time.Time]bool{}
	for _, in := range truth.Incidents {
		created[in.Created.Truncate(time.Second)] = true
	}
	for _, in := range b.Incidents {
		if !created[in.CreatedAt] {
			t.Errorf("incident %s created at %v, not a time the vendor posted one", in.ID, in.CreatedAt)
			break
		}
	}
	for _, comp := range b.Components {
		if truth.Components[comp.Name] == "" {
			t.Errorf("component %q is none of the vendor's", comp.Name)
		}
	}
	if len(b.Components) == 0 {
		t.Error("no component")
	}
	pages := (len(truth.Incidents) + perPage - 1) / perPage
	var want []string
	for p := 1; p <= pages; p++ {
		want = append(want, strconv.Itoa(p))
	}
	if got := listPages(wire, incidentsPath); !slices.Equal(got, want) {
		t.Errorf("incident pages %q, want %q", got, want)
	}
	for _, s := range wire.Sent() {
		if u, _ := url.Parse(s); u.Path != componentsPath && (u.Query().Get("order") != "desc" || u.Query().Get("sort") != "id" || u.Query().Get("per_page") != "100") {
			t.Errorf("request %s, want newest first, 100 a page", s)
		}
	}
}

// With history_start inside the list, the walk stops at the page reaching
// back before it: the pages older still are not requested.
func TestSimSyncStopsAtHistoryStart(t *testing.T) {
	sim, c := simPage(t)
	start := c.Now().Add(-30 * 24 * time.Hour)
	src, wire := simSource(t, sim, c, "", func(env *source.Env) { env.HistoryStart = start })
	batches, err := collectortest.Sync(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, in := range sim.Truth(collectortest.SimVendor, c.Now()).Incidents {
		if !in.Created.Before(start) {
			want++
		}
	}
	if got := len(batches[0].Incidents); got != want {
		t.Errorf("%d incidents, want the %d since the history start", got, want)
	}
	if got := listPages(wire, incidentsPath); !slices.Equal(got, []string{"1"}) {
		t.Errorf("incident pages %q, want the first only", got)
	}
}

// Cachet writes wall times in its zone: read in the vendor's, they are the
// true instants; read in UTC, they are off by the zone's offset (Berlin in
// March, one hour).
func TestSimSyncTimezone(t *testing.T) {
	sim, c := simPage(t)
	first := func(zone string) item.Incident {
		src, _ := simSource(t, sim, c, "", func(env *source.Env) { env.Config.Options.(*Options).Timezone = zone })
		batches, err := collectortest.Sync(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		return batches[0].Incidents[0]
	}
	berlin, utc := first("Europe/Berlin"), first("UTC")
	var truth simulator.IncidentTruth
	for _, in := range sim.Truth(collectortest.SimVendor, c.Now()).Incidents {
		if in.Created.Truncate(time.Second).Equal(berlin.CreatedAt) {
			truth = in
		}
	}
	if truth.ID == "" || berlin.ID != utc.ID || utc.CreatedAt.Sub(berlin.CreatedAt) != time.Hour {
		t.Errorf("the newest incident read in Berlin %v, in UTC %v; want the vendor's true time in Berlin, an hour later in UTC", berlin.CreatedAt, utc.CreatedAt)
	}
}

// The token is configured the Prometheus way, as an http_headers secret of
// the source's http_client; it reaches the API, which then also lists what
// the page hides, and that stays out. The simulator hides nothing, hence
// canned lists.
func TestSyncWithToken(t *testing.T) {
	comp := template(t, "cachet_components_list.json")
	inc := template(t, "cachet_incidents_list.json")
	lists := map[string]string{
		componentsPath: listPage(t, []map[string]any{
			withFields(comp, map[string]any{"id": 1, "name": "API", "enabled": true}),
			withFields(comp, map[string]any{"id": 2, "name": "Legacy", "enabled": false}),
		}, 1, false),
		incidentsPath: listPage(t, []map[string]any{
			withFields(inc, map[string]any{"id": 2, "visible": 0}),
			withFields(inc, map[string]any{"id": 1, "visible": 1}),
		}, 1, false),
		schedulesPath: listPage(t, nil, 1, false),
	}
	var requests, authed int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		if r.Header.Get("X-Cachet-Token") == "s3cr3t-api-key" {
			authed++
		}
		collectortest.WriteBody(w, collectortest.JSONType, lists[r.URL.Path])
	}))
	t.Cleanup(srv.Close)
	env, _ := collectortest.SimEnv(t, simKind, "kind: cachet\nurl: "+srv.URL+
		"\nhttp_client:\n  http_headers:\n    X-Cachet-Token:\n      secrets: [s3cr3t-api-key]\n", collectortest.NewClock(time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)).Now)
	batches, err := collectortest.Sync(collectortest.NewSource(t, New, env), nil)
	if err != nil {
		t.Fatal(err)
	}
	if authed != requests || authed == 0 {
		t.Fatalf("%d of %d requests carried the token, want all", authed, requests)
	}
	b := batches[0]
	if want := []item.Component{{Name: "API", Status: "operational"}}; !reflect.DeepEqual(b.Components, want) {
		t.Errorf("components = %+v, want %+v", b.Components, want)
	}
	if len(b.Incidents) != 1 || b.Incidents[0].ID != "1" {
		t.Errorf("incidents = %+v, want only the visible one", b.Incidents)
	}
}

// Answers that are not Cachet's, or pages that are not the ones asked for:
// each fails the sync with its reason, emitting nothing, since a partial
// picture would hide components. The vendor's own failures (statuses,
// damaged and cut bodies) are the conformance suite's
// (collectors/conformance_faults_test.go).
func TestSimSyncFailures(t *testing.T) {
	tests := []struct {
		name, path string
		nth        int
		body       string
		wantReason string
		wantPrefix string
	}{
		{"incidents HTML", incidentsPath, 1, `<!DOCTYPE html><title>Cachet</title>`, fetch.ReasonDecode, "cachet: incidents: page 1: "},
		{"incidents without pagination", incidentsPath, 2, `{"data": []}`, fetch.ReasonDecode, "cachet: incidents: page 2: "},
		{"page ignored: the first page again", incidentsPath, 2, `{"meta": {"pagination": {"current_page": 1, "total_pages": 3}}, "data": []}`, fetch.ReasonLoop, "cachet: incidents: page 2: "},
		{"another page than asked for", incidentsPath, 2, `{"meta": {"pagination": {"current_page": 7, "total_pages": 9}}, "data": []}`, fetch.ReasonDecode, "cachet: incidents: page 2: "},
		{"pagination number not a count", incidentsPath, 1, `{"meta": {"pagination": {"current_page": 1, "total_pages": "three"}}, "data": []}`, fetch.ReasonDecode, "cachet: incidents: page 1: "},
		{"schedule timestamp with a zone", schedulesPath, 1,
			`{"meta": {"pagination": {"current_page": 1, "total_pages": 1}}, "data": [{"id": 1, "scheduled_at": "2024-04-01T02:00:00Z", "created_at": "2024-03-20 09:00:00"}]}`,
			fetch.ReasonDecode, "cachet: schedules: page 1: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, c := simPage(t)
			src, wire := simSource(t, sim, c, "", nil)
			wire.Override(tt.path, tt.nth, http.StatusOK, tt.body, nil)
			batches, err := collectortest.Sync(src, nil)
			collectortest.WantSyncError(t, err, tt.wantReason, tt.wantPrefix)
			if len(batches) != 0 {
				t.Errorf("emitted %d batches, want none: a partial picture hides components", len(batches))
			}
		})
	}
}

// Cachet before 2.0 wrote per_page as the query's string, and the other
// pagination numbers may come as text too: a sync reads the pages alike.
func TestSimSyncPaginationNumbersAsText(t *testing.T) {
	sim, c := simPage(t)
	src, wire := simSource(t, sim, c, "", nil)
	all := incidents(t, 230)
	for page := 1; page <= 3; page++ {
		wire.Override(incidentsPath, page, http.StatusOK, listPage(t, all, page, true), nil)
	}
	batches, err := collectortest.Sync(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := collectortest.IncidentIDs(batches[0].Incidents); len(got) != 230 || got[0] != "230" || got[229] != "1" {
		t.Errorf("got %d incidents, want 230 from id 230 down to 1", len(got))
	}
	if got := listPages(wire, incidentsPath); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("incident pages %q, want 3", got)
	}
}

// The walk of a newest-first list stops at the first page reaching back
// before history_start, judged by its oldest item. A forged far-past
// created_at at the end of a page says nothing about that: the walk goes on,
// and the incidents on the next page are stored. A far-future one changes
// nothing either; the exporter refuses it at ingest (door).
func TestSimSyncImplausibleTimesDoNotEndTheWalk(t *testing.T) {
	sim, c := simPage(t)
	all := incidents(t, 150)                      // page 1: ids 150 down to 51, page 2: 50 down to 1
	all[0]["created_at"] = "2099-01-01 00:00:00"  // id 150, first on page 1
	all[99]["created_at"] = "1970-01-01 00:00:00" // id 51, last on page 1
	var rejected []string
	src, wire := simSource(t, sim, c, "", func(env *source.Env) {
		env.Config.Options.(*Options).Timezone = "UTC"
		env.HistoryStart = collectortest.UTC("2024-03-01T00:30:00Z") // incident 30's created_at
		env.Reject = func(reason string) { rejected = append(rejected, reason) }
	})
	for page := 1; page <= 2; page++ {
		wire.Override(incidentsPath, page, http.StatusOK, listPage(t, all, page, false), nil)
	}
	batches, err := collectortest.Sync(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := collectortest.IncidentIDs(batches[0].Incidents)
	// 150 (refused later, at ingest) down to 30, without 51, which is
	// older than history_start as written.
	if len(got) != 120 || got[0] != "150" || got[len(got)-1] != "30" || slices.Contains(got, "51") {
		t.Errorf("incidents %v, want 150 down to 30 without 51", got)
	}
	if pages := listPages(wire, incidentsPath); !slices.Equal(pages, []string{"1", "2"}) || len(rejected) != 0 {
		t.Errorf("incident pages %q, rejected %v; want two pages and nothing refused here", pages, rejected)
	}
}
