package instatus

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// startPage serves an Instatus page's two documents under prefix; the test
// may change them between syncs with Serve.
func startPage(t *testing.T, prefix string, summary, components http.HandlerFunc) (*collectortest.Site, *httptest.Server) {
	t.Helper()
	return collectortest.StartSite(t, map[string]http.HandlerFunc{
		prefix + "/" + summaryPath:    summary,
		prefix + "/" + componentsPath: components,
	})
}

// newSource builds a source whose clock is now (nil: the wall clock).
func newSource(t *testing.T, srv *httptest.Server, rawURL string, now func() time.Time) source.Source {
	t.Helper()
	env := collectortest.Env("instatus", rawURL, srv.Client())
	if now != nil {
		env.Now = now
	}
	return collectortest.NewSource(t, New, env)
}

func TestSyncRealPayloads(t *testing.T) {
	page, srv := startPage(t, "",
		collectortest.ServeJSON(string(collectortest.Testdata(t, docsSummaryFile))),
		collectortest.ServeJSON(string(collectortest.Testdata(t, wistiaComponents))))
	batches, err := collectortest.Sync(newSource(t, srv, srv.URL, nil), nil)
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
	if want := []item.Component{{Name: wistiaComponentName, Status: "operational"}}; !reflect.DeepEqual(b.Components, want) {
		t.Errorf("components = %+v, want %+v", b.Components, want)
	}
	if want := []string{"/" + summaryPath, "/" + componentsPath}; !reflect.DeepEqual(page.Hits(), want) {
		t.Errorf("requests = %v, want %v", page.Hits(), want)
	}
}

// An incident that leaves the summary between two syncs is emitted once
// more, resolved at the time of the sync that missed it; a third sync has
// nothing left to resolve.
func TestSyncResolvesAcrossPolls(t *testing.T) {
	page, srv := startPage(t, "/status",
		collectortest.ServeJSON(`{"page": {"name": "Acme", "status": "HASISSUES"}, "activeIncidents": [
			{"id": "inc1", "name": "API errors", "started": "2026-03-20T10:00:00Z", "status": "IDENTIFIED",
			 "impact": "PARTIALOUTAGE", "url": "https://status.acme.example/incident/inc1", "updatedAt": "2026-03-20T10:20:00Z"}]}`),
		collectortest.ServeJSON(`{"components": [{"id": "c1", "name": "API", "status": "PARTIALOUTAGE", "group": null}]}`))
	now := collectortest.UTC("2026-03-20T10:30:00Z")
	s := newSource(t, srv, srv.URL+"/status/", func() time.Time { return now })

	first, err := collectortest.Sync(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || len(first[0].Incidents) != 1 || !first[0].Incidents[0].ResolvedAt.IsZero() {
		t.Fatalf("first sync = %+v, want inc1 open", first)
	}

	page.Serve("/status/"+summaryPath, collectortest.ServeJSON(string(collectortest.Testdata(t, wistiaSummaryFile))))
	page.Serve("/status/"+componentsPath, collectortest.ServeJSON(`{"components": [{"id": "c1", "name": "API", "status": "OPERATIONAL", "group": null}]}`))
	now = collectortest.UTC("2026-03-20T11:00:00Z")
	second, err := collectortest.Sync(s, first[0].Cursor)
	if err != nil {
		t.Fatal(err)
	}
	// The title too comes from the cursor.
	want := item.Incident{ID: "inc1", Title: "API errors", Impact: item.ImpactMajor, StartedAt: collectortest.UTC("2026-03-20T10:00:00Z"),
		UpdatedAt: collectortest.UTC("2026-03-20T10:20:00Z"), ResolvedAt: now}
	if len(second) != 1 || !reflect.DeepEqual(second[0].Incidents, []item.Incident{want}) {
		t.Fatalf("second sync = %+v, want inc1 resolved at %v", second, now)
	}

	third, err := collectortest.Sync(s, second[0].Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(third) != 1 || len(third[0].Incidents) != 0 {
		t.Errorf("third sync = %+v, want no incident", third)
	}
}

// A blank picture (no component, incident nor maintenance: a vendor's
// glitch) while an incident is open resolves nothing: the sync fails with
// reason decode and emits nothing; the incident is resolved once a real
// picture misses it.
func TestSyncBlankPictureResolvesNothing(t *testing.T) {
	const open = `{"page": {"name": "Acme", "status": "HASISSUES"}, "activeIncidents": [
		{"id": "inc1", "name": "API errors", "started": "2026-03-20T10:00:00Z", "status": "IDENTIFIED",
		 "impact": "PARTIALOUTAGE", "url": "https://status.acme.example/incident/inc1", "updatedAt": "2026-03-20T10:20:00Z"}]}`
	page, srv := startPage(t, "", collectortest.ServeJSON(open),
		collectortest.ServeJSON(`{"components": [{"id": "c1", "name": "API", "status": "PARTIALOUTAGE", "group": null}]}`))
	now := collectortest.UTC("2026-03-20T10:30:00Z")
	s := newSource(t, srv, srv.URL, func() time.Time { return now })
	first, err := collectortest.Sync(s, nil)
	if err != nil || len(first) != 1 {
		t.Fatalf("first sync: %+v, %v", first, err)
	}

	page.Serve("/"+summaryPath, collectortest.ServeJSON(`{"page": {"name": "Acme", "status": "UP"}}`))
	page.Serve("/"+componentsPath, collectortest.ServeJSON(`{"components": []}`))
	now = collectortest.UTC("2026-03-20T11:00:00Z")
	blank, err := collectortest.Sync(s, first[0].Cursor)
	collectortest.WantSyncError(t, err, fetch.ReasonDecode, "instatus: components: ")
	if len(blank) != 0 {
		t.Errorf("the blank picture emitted %+v, want nothing", blank)
	}

	page.Serve("/"+componentsPath, collectortest.ServeJSON(`{"components": [{"id": "c1", "name": "API", "status": "OPERATIONAL", "group": null}]}`))
	now = collectortest.UTC("2026-03-20T11:05:00Z")
	after, err := collectortest.Sync(s, first[0].Cursor)
	if err != nil || len(after) != 1 || len(after[0].Incidents) != 1 || !after[0].Incidents[0].ResolvedAt.Equal(now) {
		t.Errorf("the sync after: %+v, %v; want inc1 resolved at %v", after, err, now)
	}
}

func TestSyncFailures(t *testing.T) {
	okSummary := collectortest.ServeJSON(string(collectortest.Testdata(t, wistiaSummaryFile)))
	okComponents := collectortest.ServeJSON(string(collectortest.Testdata(t, wistiaComponents)))
	tests := []struct {
		name                string
		summary, components http.HandlerFunc
		wantReason          string
		wantPrefix          string
	}{
		{"summary 404", http.NotFound, okComponents, fetch.ReasonHTTP, "instatus: summary: "},
		{"summary rate limited", collectortest.ServeStatus(http.StatusTooManyRequests), okComponents, fetch.ReasonRateLimited, "instatus: summary: "},
		{"summary is a page", collectortest.ServeJSON(`<!DOCTYPE html><title>Status</title>`), okComponents, fetch.ReasonDecode, "instatus: summary: "},
		{"summary is Statuspage's", collectortest.ServeJSON(`{"components": [], "incidents": []}`), okComponents, fetch.ReasonDecode, "instatus: summary: "},
		{"components 500", okSummary, collectortest.ServeStatus(http.StatusInternalServerError), fetch.ReasonHTTP, "instatus: components: "},
		{"components without array", okSummary, collectortest.ServeJSON(`{"page": {}}`), fetch.ReasonDecode, "instatus: components: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := startPage(t, "", tt.summary, tt.components)
			batches, err := collectortest.Sync(newSource(t, srv, srv.URL, nil), nil)
			collectortest.WantSyncError(t, err, tt.wantReason, tt.wantPrefix)
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
		collectortest.ServeJSON(string(collectortest.Testdata(t, wistiaSummaryFile))), collectortest.ServeJSON(string(collectortest.Testdata(t, wistiaComponents))))
	batches, err := collectortest.Sync(newSource(t, srv, srv.URL, nil), []byte(`{"open": 5}`))
	if err == nil || !strings.HasPrefix(err.Error(), "instatus: stored cursor: ") {
		t.Errorf("Sync error = %v, want one about the stored cursor", err)
	}
	if len(batches) != 0 || len(page.Hits()) != 0 {
		t.Errorf("emitted %d batches after %d requests, want none", len(batches), len(page.Hits()))
	}
}

func TestSyncReturnsEmitError(t *testing.T) {
	_, srv := startPage(t, "",
		collectortest.ServeJSON(string(collectortest.Testdata(t, wistiaSummaryFile))), collectortest.ServeJSON(string(collectortest.Testdata(t, wistiaComponents))))
	collectortest.WantEmitErrorReturned(t, newSource(t, srv, srv.URL, nil))
}

func TestNew(t *testing.T) {
	client := fetch.New(http.DefaultClient, fetch.NewLimits(), fetch.Options{})
	collectortest.CheckNew(t, New, []collectortest.NewCase{
		{Name: "custom domain", Env: source.Env{Config: &config.Source{URL: "https://status.railway.com"}, HTTP: client}},
		{Name: "instatus subdomain", Env: source.Env{Config: &config.Source{URL: "https://typesense.instatus.com/"}, HTTP: client}},
		{Name: "no scheme", Env: source.Env{Config: &config.Source{URL: "status.railway.com"}, HTTP: client}, WantErr: "instatus: url"},
		{Name: "query", Env: source.Env{Config: &config.Source{URL: "https://status.example?x=1"}, HTTP: client}, WantErr: "must not carry a query"},
		{Name: "password in URL", Env: source.Env{Config: &config.Source{URL: "https://u:secret@status.example"}, HTTP: client}, WantErr: "credentials belong in http_client"},
		{Name: "no config", Env: source.Env{HTTP: client}, WantErr: "incomplete environment"},
		{Name: "no client", Env: source.Env{Config: &config.Source{URL: "https://status.railway.com"}}, WantErr: "incomplete environment"},
	}, "secret")
}
