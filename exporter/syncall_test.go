package exporter

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSyncAllSyncsEverySourceOnce: a one-shot sync stores every source's
// items and sync time, and leaves no background loop running.
func TestSyncAllSyncsEverySourceOnce(t *testing.T) {
	t.Parallel()
	e, st := newTestExporter(t)
	now := time.Now().UTC()
	zd := newFakeZendesk(t,
		zendeskTicket(1, "urgent", "open", now.Add(-2*time.Hour), now.Add(-time.Hour)),
		zendeskTicket(2, "high", "solved", now.Add(-3*time.Hour), now.Add(-time.Hour)),
	)
	sp := newFakeStatuspage(t)
	before := time.Now()
	if err := e.SyncAll(t.Context(), parseConfig(t, acmeConfig(zd.URL(), sp.URL(), slaOneHour)), 3); err != nil {
		t.Fatal(err)
	}
	if n := storedTickets(t, st, supportKey); n != 2 {
		t.Errorf("stored tickets = %d, want 2", n)
	}
	for _, k := range []struct {
		name string
		at   func() (time.Time, error)
	}{
		{"support", func() (time.Time, error) { return st.SyncedAt(supportKey) }},
		{"status", func() (time.Time, error) { return st.SyncedAt(statusKey) }},
	} {
		if at, err := k.at(); err != nil || at.Before(before.Add(-time.Second)) {
			t.Errorf("source %s synced at %v (%v), want a sync started by this call", k.name, at, err)
		}
	}
	requests := len(zd.requests())
	for _, r := range runningRunners(e) {
		if r.done != nil {
			t.Errorf("source %s: a background loop was started", r.key.Source)
		}
	}
	time.Sleep(300 * time.Millisecond) // three poll intervals of the config
	if n := len(zd.requests()); n != requests {
		t.Errorf("%d export requests after SyncAll returned, want none: no loop may poll", n-requests)
	}
}

// TestSyncAllRetriesThenGivesUp: a source that keeps failing is tried the
// given number of times, and the error names it.
func TestSyncAllRetriesThenGivesUp(t *testing.T) {
	t.Parallel()
	e, _ := newTestExporter(t)
	zd := newFakeZendesk(t)
	zd.fail(http.StatusInternalServerError)
	sp := newFakeStatuspage(t)
	err := e.SyncAll(t.Context(), parseConfig(t, acmeConfig(zd.URL(), sp.URL(), slaOneHour)), 2)
	if err == nil || !strings.Contains(err.Error(), `vendor "acme" source "support"`) || !strings.Contains(err.Error(), "500") {
		t.Fatalf("error %v, want the failing source named with its HTTP status", err)
	}
	if n := len(zd.requests()); n != 2 {
		t.Errorf("%d export requests, want 2 (one per attempt)", n)
	}
}
