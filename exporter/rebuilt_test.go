package exporter

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/exporter/store"
)

// rebuiltAt is the vendor's support_aggregates_rebuilt_timestamp_seconds.
func rebuiltAt(t *testing.T, e *Exporter, vendor string) float64 {
	t.Helper()
	for _, r := range e.RebuiltAt() {
		if r.Vendor == vendor {
			if r.At.IsZero() {
				return 0
			}
			return float64(r.At.Unix())
		}
	}
	t.Fatalf("no rebuild time for %s", vendor)
	return 0
}

// TestRebuildIsExposedOnlyWhenCountersMove: a reload whose new settings
// recompute other values (a past target changed: the urgent ticket's
// first-response check flips) sets the rebuild time; one that rebuilds to
// the same values (a term added for a future date) does not; a reload that
// rebuilds nothing keeps it.
func TestRebuildIsExposedOnlyWhenCountersMove(t *testing.T) {
	t.Parallel()
	e, _, zd, sp := startAcme(t, slaOneHour)
	if got := rebuiltAt(t, e, "acme"); got != 0 {
		t.Fatalf("rebuilt at %v on a new store, want 0", got)
	}
	base := acmeConfig(zd.URL(), sp.URL(), slaOneHour)

	futureTerm := strings.Replace(base, "    sla:\n"+slaOneHour+"\n", "    sla:\n      - first_response: {urgent: 1h, normal: 4h}\n      - from: 2099-01-01\n        first_response: {urgent: 1m}\n", 1)
	if futureTerm == base {
		t.Fatal("the edit did not apply")
	}
	if err := e.Apply(parseConfig(t, futureTerm)); err != nil {
		t.Fatal(err)
	}
	if got := rebuiltAt(t, e, "acme"); got != 0 {
		t.Errorf("a term for 2099 set the rebuild time (%v): nothing counted can move", got)
	}

	// A resolution target for normal, in force since ever, adds a check
	// for acme's solved normal ticket.
	past := strings.Replace(base, slaOneHour, slaOneHour+"\n      resolution: {normal: 1h}", 1)
	if err := e.Apply(parseConfig(t, past)); err != nil {
		t.Fatal(err)
	}
	at := rebuiltAt(t, e, "acme")
	if at == 0 {
		t.Fatal("a past target added: the rebuild time is not set")
	}
	if err := e.Apply(parseConfig(t, strings.Replace(past, "poll_interval: 200ms", "poll_interval: 300ms", 1))); err != nil {
		t.Fatal(err)
	}
	if got := rebuiltAt(t, e, "acme"); got != at {
		t.Errorf("a reload without a rebuild moved the rebuild time: %v, want %v", got, at)
	}
}

// TestRebuildWhileStopped: settings changed while the exporter was stopped
// are found at start-up from the fingerprint the store kept, and the
// rebuild time survives restarts.
func TestRebuildWhileStopped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zd, sp := newFakeZendesk(t, acmeTickets()...), newFakeStatuspage(t)
	run := func(sla string) float64 {
		st, err := store.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		e := New(t.Context(), Options{Logger: slog.New(slog.DiscardHandler), Store: st})
		defer e.Stop()
		if err := e.Apply(parseConfig(t, acmeConfig(zd.URL(), sp.URL(), sla))); err != nil {
			t.Fatal(err)
		}
		return rebuiltAt(t, e, "acme")
	}
	if got := run(slaOneHour); got != 0 {
		t.Fatalf("first start: rebuilt at %v, want 0", got)
	}
	if got := run(slaOneHour); got != 0 {
		t.Fatalf("restart with the same settings: rebuilt at %v, want 0", got)
	}
	at := run(slaTwoHours)
	if at == 0 {
		t.Fatal("restart with another SLA: the rebuild time is not set")
	}
	if got := run(slaTwoHours); got != at {
		t.Errorf("a later restart: rebuilt at %v, want the kept %v", got, at)
	}
}

// TestRebuildOnUpgrade: a store with items but no settings kept was
// written by an earlier build, whose rules this one's differ from: the
// first start marks the rebuild; a store with nothing stored does not.
func TestRebuildOnUpgrade(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zd, sp := newFakeZendesk(t, acmeTickets()...), newFakeStatuspage(t)
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := New(t.Context(), Options{Logger: slog.New(slog.DiscardHandler), Store: st})
	if err := e.Apply(parseConfig(t, acmeConfig(zd.URL(), sp.URL(), slaOneHour))); err != nil {
		t.Fatal(err)
	}
	if got := rebuiltAt(t, e, "acme"); got != 0 {
		t.Errorf("a new store: rebuilt at %v, want 0", got)
	}
	waitFor(t, "the tickets stored", func() (bool, string) {
		got := ticketsCreated(e, "acme")
		return got == wantAcmeCreated, "not yet"
	})
	e.Stop()
	// What an earlier build leaves: items, no settings.
	if err := st.SetVendorSettings(map[string]store.VendorSettings{"acme": {}}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e = New(t.Context(), Options{Logger: slog.New(slog.DiscardHandler), Store: st})
	defer e.Stop()
	if err := e.Apply(parseConfig(t, acmeConfig(zd.URL(), sp.URL(), slaOneHour))); err != nil {
		t.Fatal(err)
	}
	if got := rebuiltAt(t, e, "acme"); got == 0 {
		t.Error("the first start on an earlier build's store did not mark the rebuild")
	}
}

// TestAgreementChangedWhileStopped: an agreement's gauge-only settings
// (tiers) changed while the exporter was stopped mark no rebuild; its
// weights, which feed support_contract_downtime_seconds_total, do.
func TestAgreementChangedWhileStopped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zd, sp := newFakeZendesk(t, acmeTickets()...), newFakeStatuspage(t)
	run := func(tiers, weights string) float64 {
		st, err := store.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		e := New(t.Context(), Options{Logger: slog.New(slog.DiscardHandler), Store: st})
		defer e.Stop()
		sla := slaOneHour + "\n    agreements:\n      - {name: cdn, measure: availability, components: [CDN], period: month, weights: " +
			weights + ", tiers: " + tiers + "}"
		if err := e.Apply(parseConfig(t, acmeConfig(zd.URL(), sp.URL(), sla))); err != nil {
			t.Fatal(err)
		}
		return rebuiltAt(t, e, "acme")
	}
	if got := run("[{below: 0.999, credit: 0.1}]", "{major: 1}"); got != 0 {
		t.Fatalf("first start: rebuilt at %v, want 0", got)
	}
	if got := run("[{below: 0.9995, credit: 0.25}]", "{major: 1}"); got != 0 {
		t.Errorf("restart with other tiers: rebuilt at %v, want 0 (no counter moves)", got)
	}
	if got := run("[{below: 0.9995, credit: 0.25}]", "{major: 0.5}"); got == 0 {
		t.Error("restart with other weights: the rebuild time is not set")
	}
}
