package statusio

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

const testPageID = "5b36dc6502d06804c08349f7" // GitLab's page

// fakeAPI answers like api.status.io: GET /1.0/status/{page_id} serves the
// current body for the one page it knows, anything else is a 404. Every
// request is recorded.
type fakeAPI struct {
	mu     sync.Mutex
	prefix string
	serve  http.HandlerFunc
	hits   []string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits = append(f.hits, r.Method+" "+r.URL.String())
	serve := f.serve
	f.mu.Unlock()
	if r.Method != http.MethodGet || r.URL.Path != f.prefix+"/1.0/status/"+testPageID {
		http.NotFound(w, r)
		return
	}
	serve(w, r)
}

// answer makes the API serve h from now on.
func (f *fakeAPI) answer(h http.HandlerFunc) {
	f.mu.Lock()
	f.serve = h
	f.mu.Unlock()
}

func startAPI(t *testing.T, prefix string, h http.HandlerFunc) (*fakeAPI, *httptest.Server) {
	t.Helper()
	f := &fakeAPI{prefix: prefix, serve: h}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// newSource builds a source of testPageID whose clock stands at now.
func newSource(t *testing.T, srv *httptest.Server, rawURL string, now time.Time) source.Source {
	t.Helper()
	env := collectortest.Env("statusio", rawURL, srv.Client())
	env.Config.Options = &Options{PageID: testPageID}
	env.Now = func() time.Time { return now }
	return collectortest.NewSource(t, New, env)
}

// Three polls: an incident and a maintenance are listed, then the page is
// calm again (both ended at the second poll's time), then calm still
// (nothing is ended twice).
func TestSyncEndsWhatLeavesTheList(t *testing.T) {
	api, srv := startAPI(t, "", collectortest.ServeJSON(string(collectortest.Testdata(t, "constructed-status-incident-and-active-maintenance.json"))))
	firstPoll := collectortest.UTC("2024-03-12T09:45:00Z")
	batches, err := collectortest.Sync(newSource(t, srv, srv.URL, firstPoll), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 {
		t.Fatalf("emitted %d batches, want 1", len(batches))
	}
	first := batches[0]
	if got, want := collectortest.IncidentIDs(first.Incidents), []string{"65f0b7d1e3d4b5a697000301", "65f0b7d1e3d4b5a697000302"}; !reflect.DeepEqual(got, want) {
		t.Errorf("first poll incidents = %v, want %v", got, want)
	}
	for _, i := range first.Incidents {
		if !i.ResolvedAt.IsZero() {
			t.Errorf("listed incident %s resolved at %v, want open", i.ID, i.ResolvedAt)
		}
	}
	if want := []string{"GET /1.0/status/" + testPageID}; !reflect.DeepEqual(api.hits, want) {
		t.Errorf("requests = %v, want %v", api.hits, want)
	}

	api.answer(collectortest.ServeJSON(string(collectortest.Testdata(t, "docs_public_status_api_example.json"))))
	secondPoll := collectortest.UTC("2024-03-12T10:05:00Z")
	batches, err = collectortest.Sync(newSource(t, srv, srv.URL, secondPoll), first.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	second := batches[0]
	if want := []item.Component{{Name: "Website", Status: "operational"}}; !reflect.DeepEqual(second.Components, want) {
		t.Errorf("second poll components = %v, want %v", second.Components, want)
	}
	wantIncident := first.Incidents[0]
	wantIncident.ResolvedAt, wantIncident.UpdatedAt = secondPoll, secondPoll
	if len(second.Incidents) != 2 || !reflect.DeepEqual(second.Incidents[0], wantIncident) {
		t.Errorf("second poll incidents = %+v, want both resolved, the first %+v", second.Incidents, wantIncident)
	}
	wantMaintenance := first.Maintenances[0]
	wantMaintenance.CompletedAt, wantMaintenance.UpdatedAt = secondPoll, secondPoll
	if want := []item.Maintenance{wantMaintenance}; !reflect.DeepEqual(second.Maintenances, want) {
		t.Errorf("second poll maintenances = %+v, want %+v", second.Maintenances, want)
	}

	batches, err = collectortest.Sync(newSource(t, srv, srv.URL, collectortest.UTC("2024-03-12T10:10:00Z")), second.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if third := batches[0]; len(third.Incidents)+len(third.Maintenances) != 0 || third.Cursor == nil {
		t.Errorf("third poll = %+v, want no items and a cursor listing none", third)
	}
}

// A blank answer (no component, incident nor maintenance: a vendor's
// glitch) after a poll that listed items ends none of them: the sync fails
// with reason decode and emits nothing, and the next answer ends only what
// it no longer lists. A blank answer with nothing listed before is a calm
// page.
func TestSyncBlankAnswerEndsNothing(t *testing.T) {
	const blankBody = `{"result": {"status_overall": {"status_code": 100}, "status": [], "incidents": [], "maintenance": {"active": [], "upcoming": []}}}`
	api, srv := startAPI(t, "", collectortest.ServeJSON(string(collectortest.Testdata(t, "constructed-status-incident-and-active-maintenance.json"))))
	batches, err := collectortest.Sync(newSource(t, srv, srv.URL, collectortest.UTC("2024-03-12T09:45:00Z")), nil)
	if err != nil || len(batches) != 1 {
		t.Fatalf("first poll: %d batches, %v", len(batches), err)
	}
	listed := batches[0].Cursor

	api.answer(collectortest.ServeJSON(blankBody))
	batches, err = collectortest.Sync(newSource(t, srv, srv.URL, collectortest.UTC("2024-03-12T10:05:00Z")), listed)
	collectortest.WantSyncError(t, err, fetch.ReasonDecode, "statusio: status: ")
	if len(batches) != 0 {
		t.Errorf("the blank answer emitted %+v, want nothing", batches)
	}

	api.answer(collectortest.ServeJSON(string(collectortest.Testdata(t, "constructed-status-incident-and-active-maintenance.json"))))
	batches, err = collectortest.Sync(newSource(t, srv, srv.URL, collectortest.UTC("2024-03-12T10:10:00Z")), listed)
	if err != nil || len(batches) != 1 {
		t.Fatalf("the poll after: %d batches, %v", len(batches), err)
	}
	for _, in := range batches[0].Incidents {
		if !in.ResolvedAt.IsZero() {
			t.Errorf("incident %s resolved at %v, want still open", in.ID, in.ResolvedAt)
		}
	}

	batches, err = collectortest.Sync(newSource(t, srv, srv.URL, collectortest.UTC("2024-03-12T10:15:00Z")), nil)
	if err == nil {
		api.answer(collectortest.ServeJSON(blankBody))
		batches, err = collectortest.Sync(newSource(t, srv, srv.URL, collectortest.UTC("2024-03-12T10:15:00Z")), nil)
	}
	if err != nil || len(batches) != 1 {
		t.Errorf("a blank answer with nothing listed before: %d batches, %v; want a calm page", len(batches), err)
	}
}

func TestSyncHistoryStartAndPrefix(t *testing.T) {
	api, srv := startAPI(t, "/statusio", collectortest.ServeJSON(string(collectortest.Testdata(t, "gitlab-status-2023-06-29-1-upcoming-maintenance.json"))))
	env := collectortest.Env("statusio", srv.URL+"/statusio/", srv.Client())
	env.Config.Options = &Options{PageID: testPageID}
	env.HistoryStart = collectortest.UTC("2023-07-01T00:00:00Z") // after the maintenance was announced
	s := collectortest.NewSource(t, New, env)
	batches, err := collectortest.Sync(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b := batches[0]; len(b.Components) != 17 || len(b.Maintenances) != 0 {
		t.Errorf("got %d components, %d maintenances; want 17 and none", len(b.Components), len(b.Maintenances))
	}
	if want := "GET /statusio/1.0/status/" + testPageID; api.hits[0] != want {
		t.Errorf("request = %s, want %s", api.hits[0], want)
	}
}

func TestSyncFailures(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantReason string
		wantPrefix string
	}{
		{"server error", collectortest.ServeStatus(http.StatusInternalServerError), fetch.ReasonHTTP, "statusio: status: "},
		{"rate limited", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "30")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		}, fetch.ReasonRateLimited, "statusio: status: "},
		{"HTML error page", collectortest.ServeJSON(`<!DOCTYPE html><title>Maintenance</title>`), fetch.ReasonDecode, "statusio: status: "},
		{"error envelope", collectortest.ServeJSON(`{"status": {"error": "yes", "message": "Invalid statuspage"}}`), fetch.ReasonDecode, "statusio: status: "},
		{"cut connection", collectortest.ServeCut("", `{"result": {"status": [`), fetch.ReasonDecode, "statusio: status: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := startAPI(t, "", tt.handler)
			batches, err := collectortest.Sync(newSource(t, srv, srv.URL, time.Now()), nil)
			collectortest.WantSyncError(t, err, tt.wantReason, tt.wantPrefix)
			if len(batches) != 0 {
				t.Errorf("emitted %d batches, want none", len(batches))
			}
		})
	}
}

func TestSyncCorruptCursor(t *testing.T) {
	api, srv := startAPI(t, "", collectortest.ServeJSON(`{"result": {"status": []}}`))
	batches, err := collectortest.Sync(newSource(t, srv, srv.URL, time.Now()), []byte(`[`))
	if err == nil || !strings.HasPrefix(err.Error(), "statusio: stored cursor: ") {
		t.Errorf("error = %v, want a stored-cursor error", err)
	}
	if len(batches)+len(api.hits) != 0 {
		t.Errorf("emitted %d batches after %d requests, want none before reading the cursor", len(batches), len(api.hits))
	}
}

func TestSyncUnknownPage(t *testing.T) {
	_, srv := startAPI(t, "", collectortest.ServeJSON(`{"result": {"status": []}}`))
	env := collectortest.Env("statusio", srv.URL, srv.Client())
	env.Config.Options = &Options{PageID: "000000000000000000000000"}
	_, err := collectortest.Sync(collectortest.NewSource(t, New, env), nil)
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Status != http.StatusNotFound {
		t.Errorf("error = %v, want the 404", err)
	}
}

func TestSyncReturnsEmitError(t *testing.T) {
	_, srv := startAPI(t, "", collectortest.ServeJSON(`{"result": {"status": []}}`))
	collectortest.WantEmitErrorReturned(t, newSource(t, srv, srv.URL, time.Now()))
}

func TestNew(t *testing.T) {
	client := fetch.New(http.DefaultClient, fetch.NewLimits(), fetch.Options{})
	env := func(url, pageID string) source.Env {
		return source.Env{Config: &config.Source{URL: url, Options: &Options{PageID: pageID}}, HTTP: client}
	}
	collectortest.CheckNew(t, New, []collectortest.NewCase{
		{Name: "default API", Env: env("https://api.status.io", testPageID)},
		{Name: "prefix", Env: env("http://127.0.0.1:8080/statusio/", testPageID)},
		{Name: "no page id", Env: env("https://api.status.io", ""), WantErr: "page_id"},
		{Name: "page id with a slash", Env: env("https://api.status.io", "a/../b"), WantErr: "page_id"},
		{Name: "page id with a query", Env: env("https://api.status.io", "a?x=1"), WantErr: "page_id"},
		{Name: "no scheme", Env: env("api.status.io", testPageID), WantErr: "statusio: url"},
		{Name: "query in url", Env: env("https://api.status.io?x=1", testPageID), WantErr: "query"},
		{Name: "no config", Env: source.Env{HTTP: client}, WantErr: "incomplete environment"},
		{Name: "no client", Env: source.Env{Config: &config.Source{URL: "https://api.status.io", Options: &Options{PageID: testPageID}}}, WantErr: "incomplete environment"},
	})
}
