package exporter

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/exporter/webhook"
)

// The fake status page's incident: impact began 09:55, first post 10:00.
// The fake tickets were created at 09:00, outside its notice window, so
// without alerts it is vendor-first.
var incidentCreated = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func firingAlert(labels map[string]string, fingerprint string, startsAt time.Time) webhook.Firing {
	return webhook.Firing{Labels: labels, Fingerprint: fingerprint, StartsAt: startsAt}
}

func TestAddFiringAlertsResults(t *testing.T) {
	e, st := newTestExporter(t)
	if _, err := e.AddFiringAlerts([]webhook.Firing{firingAlert(map[string]string{"vendor": "acme"}, "a", incidentCreated)}); !errors.Is(err, errNotReady) {
		t.Fatalf("before any configuration: %v, want errNotReady", err)
	}
	zd, sp := newFakeZendesk(t), newFakeStatuspage(t)
	yaml := strings.Replace(acmeConfig(zd.URL(), sp.URL(), slaOneHour), "global:\n", "global:\n  alert_vendor_label: supplier\n", 1)
	if err := e.Apply(parseConfig(t, yaml)); err != nil {
		t.Fatal(err)
	}
	at := incidentCreated.Add(-20 * time.Minute)
	got, err := e.AddFiringAlerts([]webhook.Firing{
		firingAlert(map[string]string{"supplier": "acme"}, "a", at),
		firingAlert(map[string]string{"supplier": "acme"}, "a", at.In(time.FixedZone("CET", 3600))), // the same instant
		firingAlert(map[string]string{"supplier": "acme"}, "a", at.Add(time.Hour)),                  // fired again later
		firingAlert(map[string]string{"supplier": "acme"}, "b", at),
		firingAlert(map[string]string{"vendor": "acme"}, "c", at), // not the configured label
		firingAlert(map[string]string{"supplier": "initech"}, "d", at),
		firingAlert(map[string]string{"supplier": "acme"}, "e", time.Now().Add(2*time.Hour)),                 // beyond the 1h skew
		firingAlert(map[string]string{"supplier": "acme"}, "f", time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)), // before 2000
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []webhook.Result{webhook.Accepted, webhook.Duplicate, webhook.Accepted, webhook.Accepted, webhook.UnknownVendor, webhook.UnknownVendor,
		webhook.ImplausibleTime, webhook.ImplausibleTime}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
	stored := 0
	if err := st.LoadAlertSignals("acme", func(time.Time) error { stored++; return nil }); err != nil {
		t.Fatal(err)
	}
	if stored != 3 {
		t.Errorf("%d signals stored for acme, want 3", stored)
	}
	again, err := e.AddFiringAlerts([]webhook.Firing{firingAlert(map[string]string{"supplier": "acme"}, "b", at)})
	if err != nil || !reflect.DeepEqual(again, []webhook.Result{webhook.Duplicate}) {
		t.Errorf("re-delivery: %v %v, want a duplicate", again, err)
	}

	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddFiringAlerts([]webhook.Firing{firingAlert(map[string]string{"supplier": "acme"}, "e", at)}); err == nil {
		t.Error("stored an alert in a closed store")
	}
}

// detectedCond waits for the vendor's who-noticed-first counts and the
// sum of its customer leads.
func detectedCond(e *Exporter, want [quality.NumFirsts]uint64, leadSum float64) func() (bool, string) {
	return func() (bool, string) {
		v := vendorSnapshot(e, "acme")
		if v == nil {
			return false, "no snapshot"
		}
		return v.Detected == want && v.CustomerLead.Sum == leadSum,
			fmt.Sprintf("detected %v, customer lead sum %v", v.Detected, v.CustomerLead.Sum)
	}
}

// An alert received before the incident is fetched makes it customer-first;
// one after its first post does not. A restart rebuilds both from the store.
func TestAlertsDecideWhoNoticedFirst(t *testing.T) {
	tests := []struct {
		name     string
		startsAt time.Time
		want     [quality.NumFirsts]uint64
		leadSum  float64
	}{
		{"alert 20 min before the first post", incidentCreated.Add(-20 * time.Minute), [quality.NumFirsts]uint64{quality.CustomerFirst: 1}, 1200},
		{"alert 20 min after the first post", incidentCreated.Add(20 * time.Minute), [quality.NumFirsts]uint64{quality.VendorFirst: 1}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, st := newTestExporter(t)
			zd, sp := newFakeZendesk(t, acmeTickets()...), newFakeStatuspage(t)
			sp.fail(503) // the incident is not fetched until the alert is in
			cfg := parseConfig(t, acmeConfig(zd.URL(), sp.URL(), slaOneHour))
			if err := e.Apply(cfg); err != nil {
				t.Fatal(err)
			}
			alert := firingAlert(map[string]string{"vendor": "acme", "alertname": "JoinFailures"}, "a", tc.startsAt)
			if got, err := e.AddFiringAlerts([]webhook.Firing{alert}); err != nil || got[0] != webhook.Accepted {
				t.Fatalf("AddFiringAlerts: %v %v", got, err)
			}
			sp.fail(0)
			waitFor(t, "the incident decided", detectedCond(e, tc.want, tc.leadSum))

			e.Stop()
			restarted := New(t.Context(), Options{Logger: slog.New(slog.DiscardHandler), Store: st})
			t.Cleanup(restarted.Stop)
			if err := restarted.Apply(cfg); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the same verdict after a restart", detectedCond(restarted, tc.want, tc.leadSum))
		})
	}
}

// TestWebhookToken: the receiver is on only with alertmanager_webhook, and
// follows reloads.
func TestWebhookToken(t *testing.T) {
	e, _ := newTestExporter(t)
	if _, on, err := e.WebhookToken(); on || !errors.Is(err, errNotReady) {
		t.Errorf("before any configuration: on %v, %v; want not ready", on, err)
	}
	zd, sp := newFakeZendesk(t), newFakeStatuspage(t)
	plain := acmeConfig(zd.URL(), sp.URL(), slaOneHour)
	if err := e.Apply(parseConfig(t, plain)); err != nil {
		t.Fatal(err)
	}
	if _, on, err := e.WebhookToken(); on || err != nil {
		t.Errorf("without alertmanager_webhook: on %v, %v; want off", on, err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	withHook := "alertmanager_webhook:\n  bearer_token_file: " + filepath.Join(dir, "token") + "\n" + plain
	if err := e.Apply(parseConfig(t, withHook)); err != nil {
		t.Fatal(err)
	}
	if token, on, err := e.WebhookToken(); !on || err != nil || token != "s3cret" {
		t.Errorf("WebhookToken() = %q, %v, want the file's token, on", token, on)
	}
	if err := e.Apply(parseConfig(t, plain)); err != nil {
		t.Fatal(err)
	}
	if _, on, _ := e.WebhookToken(); on {
		t.Error("still on after a reload removed alertmanager_webhook")
	}
}

// TestAddedSourceKeepsDecisions: a ticket source added to a vendor whose
// incident was decided vendor-first brings, in its history, an urgent
// ticket inside that incident's notice window: the decision stays (the
// source counts as complete from when it was added), before and after it
// synced.
func TestAddedSourceKeepsDecisions(t *testing.T) {
	t.Parallel()
	e, _, zd, sp := startAcme(t, slaOneHour)
	vendorFirst := [quality.NumFirsts]uint64{quality.VendorFirst: 1}
	waitFor(t, "the incident decided vendor-first", detectedCond(e, vendorFirst, 0))

	inWindow := incidentCreated.Add(-10 * time.Minute)
	other := newFakeZendesk(t, zendeskTicket(201, "urgent", "open", inWindow, inWindow))
	added := strings.Replace(acmeConfig(zd.URL(), sp.URL(), slaOneHour), "    status_pages:\n",
		"      - name: other\n        kind: zendesk\n        http_client: {basic_auth: {username: agent, password: token}}\n        url: "+other.URL()+"\n        export_requests_per_minute: 6000\n    status_pages:\n", 1)
	if err := e.Apply(parseConfig(t, added)); err != nil {
		t.Fatal(err)
	}
	if v := vendorSnapshot(e, "acme"); v.Detected != vendorFirst {
		t.Errorf("right after the source was added: detected %v, want %v", v.Detected, vendorFirst)
	}
	otherKey := store.SourceKey{Vendor: "acme", Source: "other"}
	waitFor(t, "the added source synced", statusCond(e, otherKey, func(s exposition.SourceStatus) bool { return s.Up }))
	waitFor(t, "its ticket counted", func() (bool, string) {
		got := ticketsCreated(e, "acme")
		return got[quality.Urgent] == 2, fmt.Sprint(got)
	})
	if v := vendorSnapshot(e, "acme"); v.Detected != vendorFirst {
		t.Errorf("after the added source synced its history: detected %v, want %v: a decision never flips", v.Detected, vendorFirst)
	}
}

// TestRestartIsNoAddedSource: a ticket source configured before, that has
// not completed a sync yet, is not "added" when the exporter restarts: it
// stays incomplete, and the vendor's decisions wait for it.
func TestRestartIsNoAddedSource(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zd, sp := newFakeZendesk(t, acmeTickets()...), newFakeStatuspage(t)
	zd.fail(503) // the ticket source never completes a sync
	cfg := parseConfig(t, acmeConfig(zd.URL(), sp.URL(), slaOneHour))
	for run := range 2 {
		st, err := store.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		e := New(t.Context(), Options{Logger: slog.New(slog.DiscardHandler), Store: st})
		if err := e.Apply(cfg); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the status page synced", statusCond(e, statusKey, func(s exposition.SourceStatus) bool { return s.Up }))
		if at, err := st.SyncedAt(supportKey); err != nil || !at.IsZero() {
			t.Errorf("run %d: the ticket source's sync time is %v (%v), want none: it never completed a sync", run, at, err)
		}
		if v := vendorSnapshot(e, "acme"); v.Detected != ([quality.NumFirsts]uint64{}) {
			t.Errorf("run %d: detected %v before the ticket source completed a sync, want none decided", run, v.Detected)
		}
		e.Stop()
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
