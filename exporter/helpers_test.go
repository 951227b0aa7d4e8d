package exporter

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// waitTimeout bounds every wait for background work. It only decides when a
// test gives up; no assertion depends on how fast anything happens.
const waitTimeout = 10 * time.Second

// newTestExporter returns an Exporter on a fresh store in a temporary
// directory. Cleanup stops it before the store closes.
func newTestExporter(t *testing.T) (*Exporter, *store.Store) {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() }) // some tests close it themselves
	e := New(t.Context(), Options{Logger: slog.New(slog.DiscardHandler), Store: st, UserAgent: "support_exporter/test"})
	t.Cleanup(e.Stop)
	return e, st
}

func parseConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "test.yml", collectors.Kinds.Config())
	if err != nil {
		t.Fatalf("config.Parse: %v\n%s", err, yaml)
	}
	return cfg
}

// acmeConfig is one vendor, acme, with a Zendesk ticket source named
// support and a Statuspage page named status, polled every 200ms. sla is
// the vendor's sla block (YAML, indented for it).
func acmeConfig(zendeskURL, statusURL, sla string) string {
	return fmt.Sprintf(`global:
  poll_interval: 200ms
  request_timeout: 5s
vendors:
  - name: acme
    sla:
%s
    tickets:
      - name: support
        kind: zendesk
        http_client: {basic_auth: {username: agent, password: token}}
        url: %s
        export_requests_per_minute: 6000
    status_pages:
      - name: status
        kind: statuspage
        url: %s
`, sla, zendeskURL, statusURL)
}

const (
	slaOneHour  = "      first_response: {urgent: 1h, normal: 4h}"
	slaTwoHours = "      first_response: {urgent: 2h, normal: 8h}"
)

var (
	supportKey = store.SourceKey{Vendor: "acme", Source: "support"}
	statusKey  = store.SourceKey{Vendor: "acme", Source: "status"}
)

// waitFor polls cond until it holds, failing the test with what cond last
// reported when it does not within waitTimeout.
func waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last state: %s", what, state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// vendorSnapshot is the vendor's part of the latest snapshot, or nil.
func vendorSnapshot(e *Exporter, vendor string) *quality.VendorSnapshot {
	snap := e.Snapshot()
	if snap == nil {
		return nil
	}
	for _, v := range snap.Vendors {
		if v.Vendor == vendor {
			return v
		}
	}
	return nil
}

// ticketsCreated is the vendor's TicketsCreated, zero when the vendor is not
// in the snapshot.
func ticketsCreated(e *Exporter, vendor string) [quality.NumPriorities]uint64 {
	if v := vendorSnapshot(e, vendor); v != nil {
		return v.TicketsCreated
	}
	return [quality.NumPriorities]uint64{}
}

func sourceStatusOf(e *Exporter, k store.SourceKey) (exposition.SourceStatus, bool) {
	for _, s := range e.SourceStatuses() {
		if s.Vendor == k.Vendor && s.Source == k.Source {
			return s, true
		}
	}
	return exposition.SourceStatus{}, false
}

// statusCond is a waitFor condition on one source's status.
func statusCond(e *Exporter, k store.SourceKey, ok func(exposition.SourceStatus) bool) func() (bool, string) {
	return func() (bool, string) {
		s, found := sourceStatusOf(e, k)
		if !found {
			return false, fmt.Sprintf("%v not in SourceStatuses", k)
		}
		return ok(s), fmt.Sprintf("%+v", s)
	}
}

// storedTickets is how many tickets the store holds for the source.
func storedTickets(t *testing.T, st *store.Store, k store.SourceKey) int {
	t.Helper()
	n, _, _ := storedCounts(t, st, k)
	return n
}

// storedCounts is how many tickets, incidents and maintenances the store
// holds for the source, read as a start-up load reads them.
func storedCounts(tb testing.TB, st *store.Store, k store.SourceKey) (tickets, incidents, maintenances int) {
	tb.Helper()
	err := st.Load(k, store.Handlers{
		Ticket:      func(*item.Ticket) error { tickets++; return nil },
		Incident:    func(*item.Incident) error { incidents++; return nil },
		Maintenance: func(*item.Maintenance) error { maintenances++; return nil },
	})
	if err != nil {
		tb.Fatal(err)
	}
	return tickets, incidents, maintenances
}

// acmeTickets are an urgent open ticket and a normal solved one, both
// recent.
func acmeTickets() []map[string]any {
	created := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	return []map[string]any{
		zendeskTicket(101, "urgent", "open", created, created.Add(time.Hour)),
		zendeskTicket(102, "normal", "solved", created, created.Add(2*time.Hour)),
	}
}

// wantAcmeCreated is TicketsCreated for acmeTickets.
var wantAcmeCreated = [quality.NumPriorities]uint64{quality.Urgent: 1, quality.Normal: 1}

// startAcme applies acmeConfig against fresh fakes serving acmeTickets and
// waits until both sources synced once.
func startAcme(t *testing.T, sla string) (*Exporter, *store.Store, *fakeZendesk, *fakeStatuspage) {
	t.Helper()
	e, st := newTestExporter(t)
	zd, sp := newFakeZendesk(t, acmeTickets()...), newFakeStatuspage(t)
	if err := e.Apply(parseConfig(t, acmeConfig(zd.URL(), sp.URL(), sla))); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	for _, k := range []store.SourceKey{supportKey, statusKey} {
		waitFor(t, fmt.Sprintf("%v to sync", k), statusCond(e, k, func(s exposition.SourceStatus) bool { return s.Up }))
	}
	waitFor(t, "the tickets in the snapshot", func() (bool, string) {
		got := ticketsCreated(e, "acme")
		return got == wantAcmeCreated, fmt.Sprint(got)
	})
	return e, st, zd, sp
}
