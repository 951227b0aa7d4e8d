package statuspage

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// rackPage serves the three endpoints from bodies a test edits, as a real
// page does (simulator/statuspage_conditional.go): a weak ETag of the body,
// no Last-Modified, and 304 without a body when If-None-Match is the ETag.
type rackPage struct {
	mu     sync.Mutex
	bodies map[string]string
	inm    []string // the If-None-Match of each request
	fail   map[string]int
}

func (p *rackPage) set(path, body string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bodies[path] = body
}

func (p *rackPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	body, ok := p.bodies[r.URL.Path]
	fail := p.fail[r.URL.Path]
	p.inm = append(p.inm, r.Header.Get("If-None-Match"))
	p.mu.Unlock()
	switch {
	case !ok:
		http.NotFound(w, r)
		return
	case fail != 0:
		http.Error(w, "oops", fail)
		return
	}
	sum := sha256.Sum256([]byte(body))
	etag := `W/"` + hex.EncodeToString(sum[:])[:32] + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	collectortest.WriteBody(w, collectortest.JSONType, body)
}

// poll is one sync's outcome: its batch (nil when none was emitted) and
// the answers it got, by status code.
type poll struct {
	batch *item.Batch
	codes []string
}

// rackSource is a statuspage source of p, whose requests are counted as
// the exporter counts them (support_source_requests_total), judged as of
// now.
func rackSource(t *testing.T, p *rackPage, now time.Time, historyStart time.Time) (func(cursor []byte) (poll, error), *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	env := collectortest.Env("statuspage", srv.URL, srv.Client())
	var mu sync.Mutex
	var codes []string
	env.HTTP = fetch.New(srv.Client(), env.Limits, fetch.Options{Timeout: collectortest.Timeout, OnResponse: func(code string) {
		mu.Lock()
		defer mu.Unlock()
		codes = append(codes, code)
	}})
	clock := func() time.Time { return now }
	env.Now, env.HistoryStart = clock, historyStart
	env.Bounds = door.Bounds{MaxSkew: 5 * time.Minute, Now: clock}
	src := newSourceEnv(t, env)
	return func(cursor []byte) (poll, error) {
		mu.Lock()
		codes = nil
		mu.Unlock()
		batches, err := collectortest.Sync(src, cursor)
		mu.Lock()
		defer mu.Unlock()
		out := poll{codes: slices.Clone(codes)}
		if len(batches) > 1 {
			t.Fatalf("emitted %d batches, want at most 1", len(batches))
		}
		if len(batches) == 1 {
			out.batch = &batches[0]
		}
		return out, err
	}, srv
}

// A page as the tests start it: API (in group Core) and Web; incident
// open1 under way on Core / API; old1 resolved; maintenance m1 completed.
const (
	rackSummary = `{"page": {"id": "p"}, "components": [
  {"id": "g", "name": "Core", "status": "degraded_performance", "group": true},
  {"id": "api", "name": "API", "status": "degraded_performance", "group_id": "g"},
  {"id": "web", "name": "Web", "status": "operational"}],
 "incidents": [` + open1 + `], "scheduled_maintenances": []}`
	open1 = `{"id": "open1", "status": "investigating", "impact": "minor",
    "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z",
    "components": [{"id": "api", "name": "API", "group_id": "g"}],
    "incident_updates": [{"status": "investigating", "created_at": "2026-11-01T10:00:00Z"}]}`
	old1 = `{"id": "old1", "status": "resolved", "impact": "minor",
    "created_at": "2026-10-20T08:00:00Z", "updated_at": "2026-10-20T09:00:00Z", "resolved_at": "2026-10-20T09:00:00Z",
    "components": [{"id": "api", "name": "API", "group_id": "g"}],
    "incident_updates": [{"status": "resolved", "created_at": "2026-10-20T09:00:00Z"},
      {"status": "investigating", "created_at": "2026-10-20T08:00:00Z"}]}`
	m1 = `{"id": "m1", "status": "completed", "impact": "maintenance",
    "created_at": "2026-10-01T00:00:00Z", "updated_at": "2026-10-05T02:00:00Z",
    "scheduled_for": "2026-10-05T00:00:00Z", "scheduled_until": "2026-10-05T02:00:00Z",
    "incident_updates": [{"status": "completed", "created_at": "2026-10-05T02:00:00Z"},
      {"status": "scheduled", "created_at": "2026-10-01T00:00:00Z"}]}`
)

func newRackPage() *rackPage {
	return &rackPage{bodies: map[string]string{
		summaryPath:      rackSummary,
		incidentsPath:    `{"page": {"id": "p"}, "incidents": [` + open1 + `, ` + old1 + `]}`,
		maintenancesPath: `{"page": {"id": "p"}, "scheduled_maintenances": [` + m1 + `]}`,
	}, fail: map[string]int{}}
}

// pollAt is the instant of every poll: the door's clock.
var pollAt = collectortest.UTC("2026-11-02T00:00:00Z")

func wantCodes(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: answers %v, want %v", what, got, want)
	}
}

func incidentByID(t *testing.T, b *item.Batch, id string) item.Incident {
	t.Helper()
	for _, in := range b.Incidents {
		if in.ID == id {
			return in
		}
	}
	t.Fatalf("incident %s not in the batch: %v", id, collectortest.IncidentIDs(b.Incidents))
	return item.Incident{}
}

// An unchanged page costs three 304s and stores nothing; every edit at the
// vendor between two polls is read at the next, whichever endpoints show
// it: an edit of a resolved incident and of a completed maintenance (in
// the lists alone, summary.json unchanged), then an incident resolved and
// edited again (summary.json and incidents.json).
func TestSyncConditional(t *testing.T) {
	page := newRackPage()
	sync, _ := rackSource(t, page, pollAt, time.Time{})

	first, err := sync(nil)
	if err != nil {
		t.Fatal(err)
	}
	wantCodes(t, "first sync", first.codes, "200", "200", "200")
	if first.batch == nil || len(first.batch.Components) != 2 || len(first.batch.Incidents) != 2 || len(first.batch.Maintenances) != 1 {
		t.Fatalf("first batch = %+v, want 2 components, 2 incidents, 1 maintenance", first.batch)
	}
	cursor := first.batch.Cursor

	unchanged, err := sync(cursor)
	if err != nil {
		t.Fatal(err)
	}
	wantCodes(t, "unchanged page", unchanged.codes, "304", "304", "304")
	if unchanged.batch != nil {
		t.Errorf("unchanged page emitted %+v, want nothing", unchanged.batch)
	}
	for _, inm := range page.inm[3:] {
		if !strings.HasPrefix(inm, `W/"`) {
			t.Errorf("If-None-Match = %q, want the weak ETag the page sent", inm)
		}
	}

	// A late update on resolved old1 (and its impact raised); m1's end
	// corrected. summary.json does not list either.
	old1Edited := strings.NewReplacer(`"impact": "minor"`, `"impact": "major"`,
		`"updated_at": "2026-10-20T09:00:00Z"`, `"updated_at": "2026-11-01T12:00:00Z"`,
		`"incident_updates": [`, `"incident_updates": [{"status": "postmortem", "created_at": "2026-11-01T12:00:00Z"}, `).Replace(old1)
	page.set(incidentsPath, `{"page": {"id": "p"}, "incidents": [`+open1+`, `+old1Edited+`]}`)
	m1Edited := strings.NewReplacer(`"updated_at": "2026-10-05T02:00:00Z"`, `"updated_at": "2026-11-01T12:00:00Z"`,
		`"scheduled_until": "2026-10-05T02:00:00Z"`, `"scheduled_until": "2026-10-05T03:00:00Z"`).Replace(m1)
	page.set(maintenancesPath, `{"page": {"id": "p"}, "scheduled_maintenances": [`+m1Edited+`]}`)

	lists, err := sync(cursor)
	if err != nil {
		t.Fatal(err)
	}
	// summary.json answered 304 first; once incidents.json answered 200,
	// the rest is read whole, summary.json again: the batch is the whole
	// page.
	wantCodes(t, "resolved incident and completed maintenance edited", lists.codes, "304", "200", "200", "200")
	if lists.batch == nil {
		t.Fatal("the edits emitted nothing")
	}
	if len(lists.batch.Components) != 2 || len(lists.batch.Incidents) != 2 {
		t.Errorf("batch = %+v, want the whole page: 2 components, 2 incidents", lists.batch)
	}
	got := incidentByID(t, lists.batch, "old1")
	if got.Impact != item.ImpactMajor || len(got.Updates) != 3 || !got.UpdatedAt.Equal(collectortest.UTC("2026-11-01T12:00:00Z")) {
		t.Errorf("old1 = %+v, want the edited version: impact major, 3 updates", got)
	}
	// Its components are named with the group summary.json lists.
	if want := []string{"Core / API"}; !reflect.DeepEqual(got.Components, want) {
		t.Errorf("old1 components = %v, want %v", got.Components, want)
	}
	if len(lists.batch.Maintenances) != 1 || !lists.batch.Maintenances[0].ScheduledUntil.Equal(collectortest.UTC("2026-10-05T03:00:00Z")) {
		t.Errorf("maintenances = %+v, want m1 with its end corrected", lists.batch.Maintenances)
	}
	cursor = lists.batch.Cursor

	// open1 resolved, then edited again before the next poll.
	open1Resolved := strings.NewReplacer(`"status": "investigating", "impact"`, `"status": "resolved", "impact"`,
		`"updated_at": "2026-11-01T10:00:00Z"`, `"updated_at": "2026-11-01T11:30:00Z", "resolved_at": "2026-11-01T11:00:00Z"`,
		`"incident_updates": [`, `"incident_updates": [{"status": "resolved", "created_at": "2026-11-01T11:00:00Z"}, `).Replace(open1)
	page.set(summaryPath, strings.Replace(strings.ReplaceAll(rackSummary, `"degraded_performance"`, `"operational"`), open1, "", 1))
	page.set(incidentsPath, `{"page": {"id": "p"}, "incidents": [`+open1Resolved+`, `+old1Edited+`]}`)

	resolved, err := sync(cursor)
	if err != nil {
		t.Fatal(err)
	}
	wantCodes(t, "incident resolved and edited", resolved.codes, "200", "200", "200")
	if resolved.batch == nil {
		t.Fatal("the resolution emitted nothing")
	}
	got = incidentByID(t, resolved.batch, "open1")
	if !got.ResolvedAt.Equal(collectortest.UTC("2026-11-01T11:00:00Z")) || len(got.Updates) != 2 {
		t.Errorf("open1 = %+v, want it resolved at 11:00 with 2 updates", got)
	}
	want := []item.Component{{Name: "Core / API", Status: "operational"}, {Name: "Web", Status: "operational"}}
	if !reflect.DeepEqual(resolved.batch.Components, want) {
		t.Errorf("components = %v, want %v", resolved.batch.Components, want)
	}

	again, err := sync(resolved.batch.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	wantCodes(t, "unchanged again", again.codes, "304", "304", "304")
	if again.batch != nil {
		t.Errorf("unchanged page emitted %+v, want nothing", again.batch)
	}
}

// The validators live in the batch alone: a sync whose batch was not
// stored (the process stopped, the store failed) or that failed before
// emitting leaves the stored cursor, and the next sync reads the edit.
func TestSyncConditionalNothingLostWhenNotStored(t *testing.T) {
	page := newRackPage()
	sync, srv := rackSource(t, page, pollAt, time.Time{})
	first, err := sync(nil)
	if err != nil {
		t.Fatal(err)
	}
	cursor := first.batch.Cursor
	page.set(incidentsPath, `{"page": {"id": "p"}, "incidents": [`+open1+`]}`+"\n")

	// The store refuses the batch.
	src := newSourceEnv(t, collectortest.Env("statuspage", srv.URL, srv.Client()))
	refused := errors.New("store: disk full")
	if err := src.Sync(t.Context(), cursor, func(item.Batch) error { return refused }); !errors.Is(err, refused) {
		t.Fatalf("sync = %v, want the store's error", err)
	}
	// A later endpoint fails.
	page.mu.Lock()
	page.fail[maintenancesPath] = http.StatusBadGateway
	page.mu.Unlock()
	failed, err := sync(cursor)
	if err == nil || failed.batch != nil {
		t.Fatalf("sync with a failing endpoint = %v, %+v; want an error and no batch", err, failed.batch)
	}
	page.mu.Lock()
	delete(page.fail, maintenancesPath)
	page.mu.Unlock()

	next, err := sync(cursor)
	if err != nil {
		t.Fatal(err)
	}
	wantCodes(t, "after two lost syncs", next.codes, "304", "200", "200", "200")
	if next.batch == nil || !reflect.DeepEqual(collectortest.IncidentIDs(next.batch.Incidents), []string{"open1"}) {
		t.Errorf("batch = %+v, want incidents.json read again", next.batch)
	}
}

// An endpoint whose body holds an item the door refuses as lying in the
// future keeps no validators: it is read whole until the item's time has
// come, so the item is stored then, not skipped by a 304 for good.
func TestSyncConditionalFutureItem(t *testing.T) {
	page := newRackPage()
	future := strings.ReplaceAll(old1, "2026-10-20T09:00:00Z", "2026-11-03T09:00:00Z") // a day past pollAt
	page.set(incidentsPath, `{"page": {"id": "p"}, "incidents": [`+future+`]}`)
	sync, _ := rackSource(t, page, pollAt, time.Time{})
	first, err := sync(nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := sync(first.batch.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	wantCodes(t, "page with a future incident", second.codes, "304", "200", "200", "200")
	if second.batch == nil {
		t.Fatal("the future incident was not offered again")
	}
	incidentByID(t, second.batch, "old1")
}

// Another global.history_start admits other items: the stored validators
// do not apply, every endpoint is read whole.
func TestSyncConditionalHistoryStartChanged(t *testing.T) {
	page := newRackPage()
	sync, _ := rackSource(t, page, pollAt, collectortest.UTC("2026-10-25T00:00:00Z"))
	first, err := sync(nil)
	if err != nil {
		t.Fatal(err)
	}
	if ids := collectortest.IncidentIDs(first.batch.Incidents); !reflect.DeepEqual(ids, []string{"open1"}) {
		t.Fatalf("incidents = %v, want open1 alone (old1 predates history_start)", ids)
	}
	earlier, _ := rackSource(t, page, pollAt, collectortest.UTC("2026-10-01T00:00:00Z"))
	second, err := earlier(first.batch.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	wantCodes(t, "history_start moved back", second.codes, "200", "200", "200")
	if second.batch == nil || len(second.batch.Incidents) != 2 {
		t.Errorf("batch = %+v, want old1 read now", second.batch)
	}
}
