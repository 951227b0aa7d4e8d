package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/report"
	"github.com/support-exporter/support_exporter/exporter/store"
)

const boundaryConfig = `global:
  history_start: 2026-01-01
vendors:
  - name: acme
    sla:
      first_response: {urgent: 1h, high: 4h, normal: 8h, low: 24h}
    tickets:
      - name: support
        kind: zendesk
        http_client: {basic_auth: {username: agent, password: token}}
        url: https://acme.zendesk.com
`

// TestPeriodEdgesAsPromQL pins which edge of the period an event exactly on
// it falls in: the one increase() at To over the period's length gives.
// The backfill writes, at each sample instant t, the replay advanced to t
// with every change at t included (quality.Replay.Advance); increase() at
// To with samples at both edges is the value at To minus the value at From,
// so it counts the events of (From, To]: one exactly at To is in, one
// exactly at From is out. The e2e test TestReportMatchesPromQL compares
// whole reports with a real Prometheus, but its simulated events fall on
// arbitrary seconds and hardly ever on an edge: this is the edge.
func TestPeriodEdgesAsPromQL(t *testing.T) {
	from := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(14 * 24 * time.Hour)
	synced := to.Add(3 * 24 * time.Hour)

	cfg, err := config.Parse([]byte(boundaryConfig), "boundary.yml", collectors.Kinds.Config())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	rules, err := quality.NewRules(cfg.Vendors[0], cfg.Global)
	if err != nil {
		t.Fatal(err)
	}
	answered := func(id string, created, reply time.Time) item.Ticket {
		return item.Ticket{ID: id, Priority: "normal", Status: item.StatusOpen, CreatedAt: created, UpdatedAt: reply,
			Events: []item.Event{{Kind: item.EventVendorReply, At: reply}}}
	}
	tickets := []item.Ticket{
		// Opened exactly at From: not in the period's increase; their
		// first responses, inside, are.
		answered("opened-at-from-1", from, from.Add(time.Hour)),
		answered("opened-at-from-2", from, from.Add(2*time.Hour)),
		// Opened and answered inside.
		answered("inside", from.Add(24*time.Hour), from.Add(25*time.Hour)),
		// Answered exactly at To (its first-response check then): in.
		answered("answered-at-to", to.Add(-2*time.Hour), to),
		// Opened exactly at To: in; answered after: its check is not.
		answered("opened-at-to", to, to.Add(time.Hour)),
	}
	// The replay, as the backfill runs it (exporter/backfill's vendor):
	// the snapshots at From and To, whose differences the report's figures
	// must be.
	sources, ticketSources := quality.VendorSources(cfg.Vendors[0])
	agg := quality.NewAggregator(rules, sources, ticketSources)
	replay := quality.NewReplay(agg)
	err = st.Update(store.SourceKey{Vendor: "acme", Source: "support"}, func(tx *store.Tx) error {
		for _, tk := range tickets {
			merged := rules.MergeTicket(nil, tk, quality.Judged{})
			if _, err := tx.PutTicket(&merged); err != nil {
				return err
			}
			replay.AddTicket("support", &merged)
		}
		return tx.SetSyncedAt(synced)
	})
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func(at time.Time) *quality.VendorSnapshot {
		replay.Advance(at)
		return agg.Snapshot(func(string) time.Time { return at }) // synced is later: asOf is at
	}
	atFrom, atTo := snapshot(from), snapshot(to)
	var opened, checked uint64
	for p := range atTo.TicketsCreated {
		opened += atTo.TicketsCreated[p] - atFrom.TicketsCreated[p]
		for target := range atTo.SLAChecks[p] {
			checked += atTo.SLAChecks[p][target] - atFrom.SLAChecks[p][target]
		}
	}
	if opened != 3 || checked != 4 {
		t.Fatalf("the replay's increase over the period: %d opened, %d checked; the test's hand-worked 3 and 4 are wrong", opened, checked)
	}

	rep, err := report.Build(context.Background(), report.Options{
		Store: st, Config: cfg, Vendors: []string{"acme"}, Period: report.Period{From: from, To: to},
		Now: synced, Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Vendors) != 1 {
		t.Fatalf("%d vendors, want 1", len(rep.Vendors))
	}
	v := rep.Vendors[0]
	// (From, To]: inside, answered-at-to, opened-at-to opened; the first
	// responses of both opened at From, inside and answered-at-to checked.
	// Half-open [From, To) would give 4 opened (both at From, inside,
	// answered-at-to) and 3 checks (answered-at-to's out).
	if v.Volume.TicketsOpened != 3 {
		t.Errorf("tickets opened %d, want 3: increase() at To counts those opened in (From, To]", v.Volume.TicketsOpened)
	}
	if v.Volume.SLAChecks != 4 {
		t.Errorf("SLA checks %d, want 4: increase() at To counts the clocks that stopped in (From, To]", v.Volume.SLAChecks)
	}
	var checks uint64
	for _, row := range v.SLA {
		if row.Priority == "normal" && row.Target == "first_response" {
			checks += row.Checks
		}
	}
	if checks != 4 {
		t.Errorf("SLA row normal/first_response has %d checks, want 4", checks)
	}
}
