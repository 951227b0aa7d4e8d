package statuspage

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

// mergedStore applies batches as the exporter does (quality.Rules.Merge*),
// and follows the cursor.
type mergedStore struct {
	rules        quality.Rules
	incidents    map[string]*item.Incident
	maintenances map[string]*item.Maintenance
	cursor       []byte
}

func newMergedStore() *mergedStore {
	return &mergedStore{incidents: map[string]*item.Incident{}, maintenances: map[string]*item.Maintenance{}}
}

func (s *mergedStore) poll(t *testing.T, sync func([]byte) (poll, error)) poll {
	t.Helper()
	p, err := sync(s.cursor)
	if err != nil {
		t.Fatal(err)
	}
	if p.batch == nil {
		return p
	}
	for _, in := range p.batch.Incidents {
		m := s.rules.MergeIncident(s.incidents[in.ID], in, quality.Judged{})
		s.incidents[in.ID] = &m
	}
	for _, mt := range p.batch.Maintenances {
		m := s.rules.MergeMaintenance(s.maintenances[mt.ID], mt, quality.Judged{})
		s.maintenances[mt.ID] = &m
	}
	s.cursor = p.batch.Cursor
	return p
}

// A CDN edge serves an older summary.json (stale-while-revalidate,
// stale-if-error) after both lists showed open1 resolved, while
// incidents.json answers 304. The poll reads incidents.json again, so the
// resolved version, the newer, is the one stored; once the edge is fresh,
// the page costs three 304s again. (Before, the batch held the stale
// summary's open version alone, and 304s never offered the resolved one
// again.)
func TestSyncStaleSummaryKeepsNewerIncident(t *testing.T) {
	page := newRackPage()
	sync, _ := rackSource(t, page, pollAt, time.Time{})
	s := newMergedStore()
	s.poll(t, sync)

	open1Resolved := strings.NewReplacer(`"status": "investigating", "impact"`, `"status": "resolved", "impact"`,
		`"updated_at": "2026-11-01T10:00:00Z"`, `"updated_at": "2026-11-01T11:30:00Z", "resolved_at": "2026-11-01T11:00:00Z"`,
		`"incident_updates": [`, `"incident_updates": [{"status": "resolved", "created_at": "2026-11-01T11:00:00Z"}, `).Replace(open1)
	freshSummary := strings.Replace(strings.ReplaceAll(rackSummary, `"degraded_performance"`, `"operational"`), open1, "", 1)
	page.set(summaryPath, freshSummary)
	page.set(incidentsPath, `{"page": {"id": "p"}, "incidents": [`+open1Resolved+`, `+old1+`]}`)
	s.poll(t, sync)
	if s.incidents["open1"].ResolvedAt.IsZero() {
		t.Fatal("setup: open1 not resolved")
	}

	page.set(summaryPath, rackSummary) // an edge's older copy
	stale := s.poll(t, sync)
	wantCodes(t, "stale summary", stale.codes, "200", "200", "200")
	if got := s.incidents["open1"]; got.ResolvedAt.IsZero() || !got.UpdatedAt.Equal(collectortest.UTC("2026-11-01T11:30:00Z")) {
		t.Errorf("after the stale summary open1 = %+v, want the resolved version kept", got)
	}

	page.set(summaryPath, freshSummary) // the edge is fresh again
	s.poll(t, sync)
	for i := range 2 {
		p := s.poll(t, sync)
		wantCodes(t, "unchanged page", p.codes, "304", "304", "304")
		if p.batch != nil {
			t.Errorf("poll %d: unchanged page emitted a batch", i)
		}
	}
	if got := s.incidents["open1"]; got.ResolvedAt.IsZero() {
		t.Errorf("open1 stored open again (updated_at %v), want it resolved", got.UpdatedAt)
	}
}

// The maintenance variant: m2 is completed in both summary.json and
// scheduled-maintenances.json; an edge then serves the older summary.json
// listing m2 in progress while scheduled-maintenances.json answers 304.
func TestSyncStaleSummaryKeepsNewerMaintenance(t *testing.T) {
	const m2 = `{"id": "m2", "status": "in_progress", "impact": "maintenance",
    "created_at": "2026-10-30T00:00:00Z", "updated_at": "2026-11-01T20:00:00Z",
    "scheduled_for": "2026-11-01T20:00:00Z", "scheduled_until": "2026-11-01T23:00:00Z",
    "incident_updates": [{"status": "in_progress", "created_at": "2026-11-01T20:00:00Z"},
      {"status": "scheduled", "created_at": "2026-10-30T00:00:00Z"}]}`
	m2Done := strings.NewReplacer(`"status": "in_progress", "impact"`, `"status": "completed", "impact"`,
		`"updated_at": "2026-11-01T20:00:00Z"`, `"updated_at": "2026-11-01T22:00:00Z"`,
		`"incident_updates": [`, `"incident_updates": [{"status": "completed", "created_at": "2026-11-01T22:00:00Z"}, `).Replace(m2)
	withMaint := func(m string) string {
		return strings.Replace(rackSummary, `"scheduled_maintenances": []`, `"scheduled_maintenances": [`+m+`]`, 1)
	}
	page := newRackPage()
	page.set(summaryPath, withMaint(m2))
	page.set(maintenancesPath, `{"page": {"id": "p"}, "scheduled_maintenances": [`+m2+`, `+m1+`]}`)
	sync, _ := rackSource(t, page, pollAt, time.Time{})
	s := newMergedStore()
	s.poll(t, sync)

	page.set(summaryPath, rackSummary) // a completed maintenance leaves summary.json
	page.set(maintenancesPath, `{"page": {"id": "p"}, "scheduled_maintenances": [`+m2Done+`, `+m1+`]}`)
	s.poll(t, sync)
	if s.maintenances["m2"].CompletedAt.IsZero() {
		t.Fatal("setup: m2 not completed")
	}

	page.set(summaryPath, withMaint(m2)) // an edge's older copy
	s.poll(t, sync)
	page.set(summaryPath, rackSummary)
	s.poll(t, sync)
	p := s.poll(t, sync)
	wantCodes(t, "unchanged page", p.codes, "304", "304", "304")
	if got := s.maintenances["m2"]; got.CompletedAt.IsZero() || !got.UpdatedAt.Equal(collectortest.UTC("2026-11-01T22:00:00Z")) {
		t.Errorf("m2 = %+v, want the completed version kept", got)
	}
}

// An item created before history_start is never stored, so its time does
// not matter: one updated in the future must not drop its endpoint's
// validators, or the page is read whole and a batch emitted at every poll.
func TestSyncAheadIgnoresItemsBeforeHistoryStart(t *testing.T) {
	page := newRackPage()
	future := strings.ReplaceAll(old1, `"updated_at": "2026-10-20T09:00:00Z"`, `"updated_at": "2026-11-03T09:00:00Z"`)
	page.set(incidentsPath, `{"page": {"id": "p"}, "incidents": [`+open1+`, `+future+`]}`)
	sync, _ := rackSource(t, page, pollAt, collectortest.UTC("2026-10-25T00:00:00Z"))
	s := newMergedStore()
	s.poll(t, sync)
	if _, ok := s.incidents["old1"]; ok {
		t.Fatal("setup: old1 stored although created before history_start")
	}
	for i := range 2 {
		p := s.poll(t, sync)
		wantCodes(t, "page with a future item before history_start", p.codes, "304", "304", "304")
		if p.batch != nil {
			t.Errorf("poll %d emitted a batch, want none", i)
		}
	}
}

// An older copy of an item, hidden by the newer one another endpoint
// lists, is never stored either: a future instant in it (here an update
// dated two days ahead, corrected in the newer copy) drops no validators.
func TestSyncAheadIgnoresMaskedCopies(t *testing.T) {
	page := newRackPage()
	typo := strings.Replace(open1, `"incident_updates": [`, `"incident_updates": [{"status": "identified", "created_at": "2026-11-04T10:00:00Z"}, `, 1)
	page.set(summaryPath, strings.Replace(rackSummary, open1, typo, 1))
	fixed := strings.NewReplacer(`"updated_at": "2026-11-01T10:00:00Z"`, `"updated_at": "2026-11-01T10:30:00Z"`,
		`"incident_updates": [`, `"incident_updates": [{"status": "identified", "created_at": "2026-11-01T10:30:00Z"}, `).Replace(open1)
	page.set(incidentsPath, `{"page": {"id": "p"}, "incidents": [`+fixed+`, `+old1+`]}`)
	sync, _ := rackSource(t, page, pollAt, time.Time{})
	s := newMergedStore()
	s.poll(t, sync)
	if got := s.incidents["open1"]; !got.UpdatedAt.Equal(collectortest.UTC("2026-11-01T10:30:00Z")) {
		t.Fatalf("setup: open1 = %+v, want the newer copy", got)
	}
	p := s.poll(t, sync)
	wantCodes(t, "page with a future instant in a masked copy", p.codes, "304", "304", "304")
	if p.batch != nil {
		t.Error("emitted a batch, want none")
	}
}

// A compatible page on a static host validates with Last-Modified alone
// (http.ServeContent, no ETag). An edit within the same second as the body
// read must not be answered 304: no If-Modified-Since is sent, the page is
// read whole at each poll.
func TestSyncLastModifiedSameSecond(t *testing.T) {
	base := newRackPage()
	var mu sync.Mutex
	mod := time.Date(2026, 11, 1, 12, 0, 0, 100e6, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		body, m := base.bodies[r.URL.Path], mod
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		http.ServeContent(w, r, "x.json", m, bytes.NewReader([]byte(body)))
	}))
	defer srv.Close()
	env := collectortest.Env("statuspage", srv.URL, srv.Client())
	clock := func() time.Time { return pollAt }
	env.Now = clock
	env.Bounds = door.Bounds{MaxSkew: 5 * time.Minute, Now: clock}
	env.HTTP = fetch.New(srv.Client(), env.Limits, fetch.Options{Timeout: collectortest.Timeout})
	src := newSourceEnv(t, env)
	b1, err := collectortest.Sync(src, nil)
	if err != nil || len(b1) != 1 {
		t.Fatal(err, len(b1))
	}
	mu.Lock()
	base.bodies[incidentsPath] = `{"page": {"id": "p"}, "incidents": [` + open1 + `]}`
	mod = mod.Add(500 * time.Millisecond) // the same second
	mu.Unlock()
	b2, err := collectortest.Sync(src, b1[0].Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(b2) != 1 {
		t.Fatalf("edit within the second of Last-Modified: %d batches, want the edit read", len(b2))
	}
	if ids := collectortest.IncidentIDs(b2[0].Incidents); len(ids) != 1 || ids[0] != "open1" {
		t.Errorf("incidents = %v, want open1 alone (old1 left incidents.json)", ids)
	}
}
