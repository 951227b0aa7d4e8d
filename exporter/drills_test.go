package exporter

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// drillConfig is one vendor whose drill files through a zendesk_requests
// source at url; subject varies the drill's settings.
func drillConfig(url, subject string, on bool) string {
	return fmt.Sprintf(`global:
  poll_interval: 1h
calendars:
  office: {timezone: Europe/Berlin, hours: "09:00-18:00"}
vendors:
  - name: acme
    calendar: office
    tickets:
      - name: portal
        kind: zendesk_requests
        url: %s
        http_client: {basic_auth: {username: buyer/token, password: token}}
    drill:
      enabled: %v
      source: portal
      subject: "%s {{.Marker}}"
      body: "{{.Marker}}"
      closing: "Thanks, a drill."
`, url, on, subject)
}

// writesTo is a vendor that counts every request that is not a GET,
// and refuses it; it lists no request, and finds none.
func writesTo(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var writes atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writes.Add(1)
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v2/users/me" { // the end user, asked before any look for a marker
			_, _ = w.Write([]byte(`{"user":{"id":1462,"role":"end-user"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"requests":[],"count":0,"meta":{"has_more":false,"after_cursor":null}}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &writes
}

// drillNow is the drill tests' clock: Sunday 8 March 2026, 03:00 in
// Berlin, outside the office calendar.
var drillNow = time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC)

func newDrillExporter(t *testing.T) (*Exporter, *store.Store) {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := New(t.Context(), Options{Logger: slog.New(slog.DiscardHandler), Store: st, DrillTick: 10 * time.Millisecond,
		Now: func() time.Time { return drillNow }})
	t.Cleanup(e.Stop)
	return e, st
}

// dueDrill stores a drill planned a second before drillNow, at url: the
// first step that runs files it.
func dueDrill(t *testing.T, st *store.Store, url string) {
	t.Helper()
	base, err := fetch.BaseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	d := store.Drill{ID: "due", Source: "portal", Marker: "support-drill-due", Moment: drillNow.Add(-time.Second),
		State: "planned", Target: base.String()}
	if err := st.PutDrill("acme", d); err != nil {
		t.Fatal(err)
	}
}

// TestADueDrillWrites is the control of the tests that no drill writes:
// with the same exporter, vendor and stored plan, a running drill does
// write.
func TestADueDrillWrites(t *testing.T) {
	t.Parallel()
	e, st := newDrillExporter(t)
	srv, writes := writesTo(t)
	dueDrill(t, st, srv.URL)
	if err := e.Apply(parseConfig(t, drillConfig(srv.URL, "a", true))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the due drill's create", func() (bool, string) { return writes.Load() > 0, fmt.Sprint(writes.Load()) })
}

// TestSyncAllNeverRunsDrills: the backfill's one-shot sync plans and
// sends nothing for a vendor whose drill is on.
func TestSyncAllNeverRunsDrills(t *testing.T) {
	t.Parallel()
	e, st := newDrillExporter(t)
	srv, writes := writesTo(t)
	dueDrill(t, st, srv.URL)
	_ = e.SyncAll(t.Context(), parseConfig(t, drillConfig(srv.URL, "a", true)), 1) // the fake fails every read
	time.Sleep(100 * time.Millisecond)                                             // ten drill ticks
	if ds, err := st.Drills("acme"); err != nil || len(ds) != 1 || ds[0].State != "planned" {
		t.Errorf("drills after SyncAll: %+v, %v; want the due plan alone, untouched", ds, err)
	}
	if n := writes.Load(); n != 0 {
		t.Errorf("%d writes to the vendor, want none", n)
	}
}

// TestReloadKeepsThePendingDrill: the plan stored at the first apply is
// the one a reload goes on with, and the drill's families follow the
// config.
func TestReloadKeepsThePendingDrill(t *testing.T) {
	t.Parallel()
	e, st := newDrillExporter(t)
	srv, writes := writesTo(t)
	drills := func() []store.Drill {
		ds, err := st.Drills("acme")
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	if err := e.Apply(parseConfig(t, drillConfig(srv.URL, "a", true))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first plan", func() (bool, string) { return len(drills()) == 1, fmt.Sprint(drills()) })
	plan := drills()[0]
	if err := e.Apply(parseConfig(t, drillConfig(srv.URL, "b", true))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if ds := drills(); len(ds) != 1 || ds[0] != plan {
		t.Errorf("after a reload: %+v, want the pending plan %+v alone", ds, plan)
	}
	if v := vendorSnapshot(e, "acme"); v == nil || v.Drill == nil {
		t.Error("no drill summary in the snapshot while the drill is on")
	}
	if err := e.Apply(parseConfig(t, drillConfig(srv.URL, "b", false))); err != nil {
		t.Fatal(err)
	}
	if v := vendorSnapshot(e, "acme"); v == nil || v.Drill != nil {
		t.Error("a drill summary in the snapshot once the drill is off")
	}
	if n := writes.Load(); n != 0 {
		t.Errorf("%d writes to the vendor before any drill's moment, want none", n)
	}
}

// TestDrillDisabledPlansNothing: without --drill.enabled (the second of an HA
// pair) runs no drill: nothing planned, nothing sent, the summary shown.
func TestDrillDisabledPlansNothing(t *testing.T) {
	t.Parallel()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := New(t.Context(), Options{Logger: slog.New(slog.DiscardHandler), Store: st, DrillTick: 10 * time.Millisecond, DrillDisabled: true})
	t.Cleanup(e.Stop)
	srv, writes := writesTo(t)
	if err := e.Apply(parseConfig(t, drillConfig(srv.URL, "a", true))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // ten drill ticks
	if ds, err := st.Drills("acme"); err != nil || len(ds) != 0 {
		t.Errorf("drills planned without --drill.enabled: %+v, %v", ds, err)
	}
	if v := vendorSnapshot(e, "acme"); v == nil || v.Drill == nil {
		t.Error("no drill summary in the snapshot")
	}
	if n := writes.Load(); n != 0 {
		t.Errorf("%d writes, want none", n)
	}
}

// TestOneVendorsDrillSetupFailureSparesTheOthers: a vendor whose driller
// cannot be built (its drill source gone from the loaded config), listed
// first, runs no drill; another vendor's due drill still files.
func TestOneVendorsDrillSetupFailureSparesTheOthers(t *testing.T) {
	t.Parallel()
	e, st := newDrillExporter(t)
	srv, writes := writesTo(t)
	dueDrill(t, st, srv.URL)
	acme := strings.SplitN(drillConfig(srv.URL, "a", true), "vendors:\n", 2)
	cfg := parseConfig(t, acme[0]+"vendors:\n"+strings.ReplaceAll(acme[1], "name: acme", "name: broken")+acme[1])
	if cfg.Vendors[0].Name != "broken" {
		t.Fatalf("vendors %s first, want broken", cfg.Vendors[0].Name)
	}
	cfg.Vendors[0].Drill.Source = "gone"
	if err := e.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "acme's due drill's create", func() (bool, string) { return writes.Load() > 0, fmt.Sprint(writes.Load()) })
}
