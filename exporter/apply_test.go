package exporter

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// aggregator is the vendor's running aggregator, nil when not configured.
func aggregator(e *Exporter, vendor string) *quality.Aggregator {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if vs := e.vendors[vendor]; vs != nil {
		return vs.agg
	}
	return nil
}

// runningRunners is the running configuration's sync loops.
func runningRunners(e *Exporter) []*runner {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return slices.Clone(e.runners)
}

// stopped reports whether r's loop has ended.
func stopped(r *runner) bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// exportRequestsCond waits until the fake received more than n export
// requests: the ticket source keeps syncing.
func exportRequestsCond(zd *fakeZendesk, n int) func() (bool, string) {
	return func() (bool, string) {
		got := len(zd.requests())
		return got > n, fmt.Sprintf("%d export requests, want more than %d", got, n)
	}
}

// startTimeRequests counts the export requests that started from
// start_time rather than resuming from a stored cursor.
func startTimeRequests(zd *fakeZendesk) int {
	n := 0
	for _, q := range zd.requests() {
		if q.Has("start_time") {
			n++
		}
	}
	return n
}

func TestReloadKeepsOrRebuildsAggregates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// reload edits the running config's YAML.
		reload     func(yaml string) string
		wantReused bool
		// wantKept: the sync loops keep running untouched (README.md,
		// "Endpoints": a reload keeps every unchanged source's schedule).
		wantKept    bool
		wantTargets [quality.NumTargets]float64 // urgent targets, in hours, after the reload
	}{
		{
			name:        "same settings",
			reload:      func(y string) string { return y },
			wantReused:  true,
			wantKept:    true,
			wantTargets: [quality.NumTargets]float64{quality.FirstResponse: 1},
		},
		{
			// Connection settings are not part of the vendor's fingerprint,
			// but they are the sources' own: new loops.
			name:        "new poll interval",
			reload:      func(y string) string { return strings.Replace(y, "poll_interval: 200ms", "poll_interval: 150ms", 1) },
			wantReused:  true,
			wantTargets: [quality.NumTargets]float64{quality.FirstResponse: 1},
		},
		{
			name:        "new SLA",
			reload:      func(y string) string { return strings.Replace(y, slaOneHour, slaTwoHours, 1) },
			wantReused:  false,
			wantTargets: [quality.NumTargets]float64{quality.FirstResponse: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, st, zd, sp := startAcme(t, slaOneHour)
			before := aggregator(e, "acme")
			oldRunners := runningRunners(e)

			if err := e.Apply(parseConfig(t, tt.reload(acmeConfig(zd.URL(), sp.URL(), slaOneHour)))); err != nil {
				t.Fatalf("reload: %v", err)
			}
			if kept := slices.Equal(runningRunners(e), oldRunners); kept != tt.wantKept {
				t.Errorf("loops kept = %v, want %v", kept, tt.wantKept)
			}
			for _, r := range oldRunners {
				if stopped(r) == tt.wantKept {
					t.Errorf("the previous config's loop of %v: stopped = %v, want %v", r.key, stopped(r), !tt.wantKept)
				}
			}
			if !e.ReloadSuccessful() {
				t.Error("ReloadSuccessful() = false after a good reload")
			}
			if reused := aggregator(e, "acme") == before; reused != tt.wantReused {
				t.Errorf("aggregator reused = %v, want %v", reused, tt.wantReused)
			}
			if got := ticketsCreated(e, "acme"); got != wantAcmeCreated {
				t.Errorf("TicketsCreated right after the reload = %v, want %v", got, wantAcmeCreated)
			}
			if got := vendorSnapshot(e, "acme").Incidents[quality.ImpactMinor]; got != 1 {
				t.Errorf("minor incidents right after the reload = %d, want 1", got)
			}
			contracts := e.Contracts()
			if len(contracts) != 1 {
				t.Fatalf("Contracts() = %v, want acme's", contracts)
			}
			for tg, hours := range tt.wantTargets {
				if got := contracts[0].Targets[quality.Urgent][tg].Hours(); got != hours {
					t.Errorf("urgent %s target = %vh, want %vh", quality.Target(tg), got, hours)
				}
			}

			// The new sources resume from the stored cursor, and their syncs
			// count nothing twice.
			n := len(zd.requests())
			waitFor(t, "syncs after the reload", exportRequestsCond(zd, n+1))
			waitFor(t, "the status page to sync after the reload", statusCond(e, statusKey, func(s exposition.SourceStatus) bool { return s.Up }))
			if got := startTimeRequests(zd); got != 1 {
				t.Errorf("%d export requests started from start_time, want 1: a reload resumes from the stored cursor", got)
			}
			if got := ticketsCreated(e, "acme"); got != wantAcmeCreated {
				t.Errorf("TicketsCreated after syncs = %v, want %v", got, wantAcmeCreated)
			}
			if got := storedTickets(t, st, supportKey); got != 2 {
				t.Errorf("stored tickets = %d, want 2", got)
			}
		})
	}
}

// brokenSource is a ticket source config accepts but whose collector
// refuses it: API paths cannot follow a query.
const brokenSource = `      - name: helpdesk
        kind: freshdesk
        http_client: {basic_auth: {username: agent, password: token}}
        url: https://example.freshdesk.com/?locale=en
`

// sourceNames lists the statuses' vendor/source/kind, for comparing which
// sources are configured.
func sourceNames(statuses []exposition.SourceStatus) []string {
	var out []string
	for _, s := range statuses {
		out = append(out, s.Vendor+"/"+s.Source+"/"+s.Kind)
	}
	return out
}

func TestReloadFailureKeepsRunningConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// bad turns the running config into one that config accepts but
		// whose collectors cannot be built.
		bad     func(yaml, zendeskURL string) string
		wantErr string
	}{
		{
			name: "a source whose collector cannot be built",
			bad: func(y, _ string) string {
				return strings.Replace(y, "    status_pages:\n", brokenSource+"    status_pages:\n", 1)
			},
			wantErr: "must not carry a query",
		},
		{
			// config accepts any absolute http(s) URL; the Zendesk collector
			// refuses a query, which the API paths cannot follow.
			name: "zendesk URL with a query",
			bad: func(y, zendeskURL string) string {
				return strings.Replace(y, "url: "+zendeskURL+"\n", "url: "+zendeskURL+"/?locale=en\n", 1)
			},
			wantErr: "must not carry a query",
		},
		{
			name: "new SLA but a broken source",
			bad: func(y, _ string) string {
				y = strings.Replace(y, slaOneHour, slaTwoHours, 1)
				return strings.Replace(y, "    status_pages:\n", brokenSource+"    status_pages:\n", 1)
			},
			wantErr: "must not carry a query",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, _, zd, sp := startAcme(t, slaOneHour)
			good := acmeConfig(zd.URL(), sp.URL(), slaOneHour)
			bad := tt.bad(good, zd.URL())
			if bad == good {
				t.Fatal("the bad config is the running one: the edit did not apply")
			}
			aggBefore := aggregator(e, "acme")
			statusesBefore := sourceNames(e.SourceStatuses())
			contractsBefore := e.Contracts()
			statusSyncBefore, _ := sourceStatusOf(e, statusKey)
			runnersBefore := runningRunners(e)
			n := len(zd.requests())

			err := e.Apply(parseConfig(t, bad))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Apply(bad) = %v, want an error containing %q", err, tt.wantErr)
			}
			if e.ReloadSuccessful() {
				t.Error("ReloadSuccessful() = true after a failed reload")
			}
			if got := sourceNames(e.SourceStatuses()); !reflect.DeepEqual(got, statusesBefore) {
				t.Errorf("SourceStatuses after the failed reload = %v, want unchanged %v", got, statusesBefore)
			}
			if got := e.Contracts(); !reflect.DeepEqual(got, contractsBefore) {
				t.Errorf("Contracts after the failed reload = %+v, want unchanged %+v", got, contractsBefore)
			}
			if aggregator(e, "acme") != aggBefore {
				t.Error("the failed reload replaced the running aggregator")
			}
			if got := runningRunners(e); !slices.Equal(got, runnersBefore) || slices.ContainsFunc(got, stopped) {
				t.Error("the failed reload replaced or stopped the running loops")
			}

			// The old sources keep syncing.
			waitFor(t, "export requests after the failed reload", exportRequestsCond(zd, n))
			waitFor(t, "a status page sync after the failed reload", statusCond(e, statusKey, func(s exposition.SourceStatus) bool {
				return s.Up && s.LastSync.After(statusSyncBefore.LastSync)
			}))
			if got := ticketsCreated(e, "acme"); got != wantAcmeCreated {
				t.Errorf("TicketsCreated = %v, want %v", got, wantAcmeCreated)
			}

			if err := e.Apply(parseConfig(t, good)); err != nil {
				t.Fatalf("Apply(good) after the failure: %v", err)
			}
			if !e.ReloadSuccessful() {
				t.Error("ReloadSuccessful() = false after a later good reload")
			}
		})
	}
}

func TestReloadLoadError(t *testing.T) {
	t.Parallel()
	e, _, zd, sp := startAcme(t, slaOneHour)
	good := acmeConfig(zd.URL(), sp.URL(), slaOneHour)
	loadErr := errors.New("reading config: no such file")

	err := e.Reload(func() (*config.Config, error) { return nil, loadErr })
	if !errors.Is(err, loadErr) {
		t.Errorf("Reload = %v, want the load error", err)
	}
	if e.ReloadSuccessful() {
		t.Error("ReloadSuccessful() = true after a failed load")
	}
	if got := ticketsCreated(e, "acme"); got != wantAcmeCreated {
		t.Errorf("TicketsCreated after a failed load = %v, want %v", got, wantAcmeCreated)
	}
	n := len(zd.requests())
	waitFor(t, "syncs after the failed load", exportRequestsCond(zd, n))

	if err := e.Reload(func() (*config.Config, error) {
		return config.Parse([]byte(good), "test.yml", collectors.Kinds.Config())
	}); err != nil {
		t.Fatalf("Reload of a good config: %v", err)
	}
	if !e.ReloadSuccessful() {
		t.Error("ReloadSuccessful() = false after a good reload")
	}
}

// A reload that changes export_requests_per_minute (a plan upgrade, or a
// downgrade that would otherwise earn 429s) must take effect.
func TestReloadAppliesNewExportLimit(t *testing.T) {
	t.Parallel()
	e, _ := newTestExporter(t)
	zd, sp := newFakeZendesk(t, acmeTickets()...), newFakeStatuspage(t)
	good := acmeConfig(zd.URL(), sp.URL(), slaOneHour)
	// One export a minute: after the first sync the next request waits for
	// a minute, far beyond waitTimeout.
	if err := e.Apply(parseConfig(t, strings.Replace(good, "export_requests_per_minute: 6000", "export_requests_per_minute: 1", 1))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first sync", statusCond(e, supportKey, func(s exposition.SourceStatus) bool { return s.Up }))
	n := len(zd.requests())

	if err := e.Apply(parseConfig(t, good)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "an export request under the raised limit", exportRequestsCond(zd, n))
}

// TestApplyAfterStopIsRefused: a reload racing the shutdown must not start
// sources on a store about to close.
func TestApplyAfterStopIsRefused(t *testing.T) {
	t.Parallel()
	e, _ := newTestExporter(t)
	e.Stop()
	if err := e.Apply(&config.Config{}); !errors.Is(err, errStopped) {
		t.Fatalf("Apply after Stop = %v, want errStopped", err)
	}
}

// TestReloadKeepsSchedules: with an hourly poll, a reload that rebuilds
// the vendor's aggregates stops its loops while the store is read, and the
// new loops take over the old schedules: no source syncs again before its
// time. A source whose own settings changed syncs at once.
func TestReloadKeepsSchedules(t *testing.T) {
	t.Parallel()
	e, _ := newTestExporter(t)
	zd, sp := newFakeZendesk(t, acmeTickets()...), newFakeStatuspage(t)
	hourly := func(sla string) string {
		return strings.Replace(acmeConfig(zd.URL(), sp.URL(), sla), "poll_interval: 200ms", "poll_interval: 1h", 1)
	}
	if err := e.Apply(parseConfig(t, hourly(slaOneHour))); err != nil {
		t.Fatal(err)
	}
	for _, k := range []store.SourceKey{supportKey, statusKey} {
		waitFor(t, fmt.Sprintf("%v to sync", k), statusCond(e, k, func(s exposition.SourceStatus) bool { return s.Up }))
	}
	waitFor(t, "both loops to schedule their next sync", func() (bool, string) {
		for _, r := range runningRunners(e) {
			if s := r.schedule(); time.Until(s.next) < 50*time.Minute {
				return false, fmt.Sprintf("%v next sync in %v", r.key, time.Until(s.next))
			}
		}
		return true, ""
	})
	before := map[store.SourceKey]schedule{}
	for _, r := range runningRunners(e) {
		before[r.key] = r.schedule()
	}
	exports, pages := len(zd.requests()), sp.requests()

	if err := e.Apply(parseConfig(t, hourly(slaTwoHours))); err != nil {
		t.Fatalf("reload with a new SLA: %v", err)
	}
	for _, r := range runningRunners(e) {
		if got := r.schedule(); got != before[r.key] {
			t.Errorf("%v schedule after the rebuild = %+v, want the old %+v", r.key, got, before[r.key])
		}
	}
	if got := len(zd.requests()); got != exports {
		t.Errorf("the rebuild made %d export requests, want none before the hour", got-exports)
	}
	if got := sp.requests(); got != pages {
		t.Errorf("the rebuild made %d status page requests, want none before the hour", got-pages)
	}

	// A global setting every collector is built with changes: new loops,
	// the same schedules.
	skew := strings.Replace(hourly(slaTwoHours), "global:\n", "global:\n  max_clock_skew: 2h\n", 1)
	if err := e.Apply(parseConfig(t, skew)); err != nil {
		t.Fatalf("reload with a new max_clock_skew: %v", err)
	}
	for _, r := range runningRunners(e) {
		if got := r.schedule(); got != before[r.key] {
			t.Errorf("%v schedule after a global change = %+v, want the old %+v", r.key, got, before[r.key])
		}
	}

	// The status page's own settings change: it syncs at once, the ticket
	// source keeps its hour.
	changed := strings.Replace(skew, "url: "+sp.URL()+"\n", "url: "+sp.URL()+"\n        max_requests_per_sync: 50\n", 1)
	if err := e.Apply(parseConfig(t, changed)); err != nil {
		t.Fatalf("reload with a changed source: %v", err)
	}
	waitFor(t, "the changed status page to sync at once", func() (bool, string) {
		return sp.requests() > pages, fmt.Sprintf("%d status page requests, want more than %d", sp.requests(), pages)
	})
	if got := len(zd.requests()); got != exports {
		t.Errorf("the unchanged ticket source made %d requests, want none before the hour", got-exports)
	}
}

// TestSourceIdentity: a source keeps its kind (README.md, "Endpoints"): a
// reload that gives a stored source another kind under the same name is
// refused and the running configuration stays; a changed URL is applied.
func TestSourceIdentity(t *testing.T) {
	t.Parallel()
	e, st, zd, sp := startAcme(t, slaOneHour)
	good := acmeConfig(zd.URL(), sp.URL(), slaOneHour)
	otherKind := strings.Replace(good, "        kind: statuspage\n", "        kind: cachet\n", 1)
	err := e.Apply(parseConfig(t, otherKind))
	if err == nil || !strings.Contains(err.Error(), `source "status" of vendor "acme" was stored as kind statuspage, is configured as kind cachet`) {
		t.Fatalf("Apply with a changed kind = %v, want the kind refused", err)
	}
	if got := sourceNames(e.SourceStatuses()); !slices.Contains(got, "acme/status/statuspage") {
		t.Errorf("sources after the refused reload = %v, want the running ones", got)
	}
	sp2 := newFakeStatuspage(t)
	moved := strings.Replace(good, sp.URL(), sp2.URL(), 1)
	// A reload that fails records nothing of the URL it never ran.
	broken := strings.Replace(moved, "    status_pages:\n", brokenSource+"    status_pages:\n", 1)
	if err := e.Apply(parseConfig(t, broken)); err == nil {
		t.Fatal("Apply of a broken config succeeded")
	}
	if change, _, err := st.CheckIdentity(statusKey, "statuspage", sp.URL()); err != nil || change != nil {
		t.Errorf("after the failed reload the store says the URL moved (%+v, %v): it never ran", change, err)
	}
	if err := e.Apply(parseConfig(t, moved)); err != nil {
		t.Fatalf("Apply with a new URL: %v", err)
	}
	if change, _, err := st.CheckIdentity(statusKey, "statuspage", sp.URL()); err != nil || change == nil {
		t.Errorf("after the reload the store does not record the new URL (%+v, %v)", change, err)
	}
	waitFor(t, "the moved status page polled", func() (bool, string) {
		return sp2.requests() > 0, "no request to the new URL"
	})
}
