package report

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// TestListsEdgesAsCounters: the lists take the period's events as the
// counters do, (From, To]: a maintenance starting exactly at To is listed
// and counted in the notice compliance, one starting exactly at From is
// neither; the same for drills and for an incident announced at To.
func TestListsEdgesAsCounters(t *testing.T) {
	cfg := testConfig(t, sectionsYAML)
	rules, err := quality.NewRules(cfg.Vendors[0], cfg.Global)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := time.Hour
	maintenances := []item.Maintenance{
		{ID: "at-from", CreatedAt: from.Add(-10 * 24 * h), ScheduledFor: from, ScheduledUntil: from.Add(h), CompletedAt: from.Add(h), UpdatedAt: from.Add(h)},
		{ID: "inside", CreatedAt: from.Add(-10 * 24 * h), ScheduledFor: from.Add(h), ScheduledUntil: from.Add(2 * h), CompletedAt: from.Add(2 * h), UpdatedAt: from.Add(2 * h)},
		{ID: "at-to", CreatedAt: to.Add(-h), ScheduledFor: to, ScheduledUntil: to.Add(h), CompletedAt: to.Add(h), UpdatedAt: to.Add(h)},
	}
	incidents := []item.Incident{
		{ID: "i-at-to", Impact: item.ImpactMinor, CreatedAt: to, UpdatedAt: to},
	}
	err = st.Update(store.SourceKey{Vendor: "acme", Source: "status"}, func(tx *store.Tx) error {
		for _, m := range maintenances {
			merged := rules.MergeMaintenance(nil, m, quality.Judged{})
			if _, err := tx.PutMaintenance(&merged); err != nil {
				return err
			}
		}
		for _, i := range incidents {
			merged := rules.MergeIncident(nil, i, quality.Judged{})
			if _, err := tx.PutIncident(&merged); err != nil {
				return err
			}
		}
		return tx.SetSyncedAt(synced)
	})
	if err != nil {
		t.Fatal(err)
	}
	putTickets(t, st, cfg, "acme", "support", synced, nil)
	for _, d := range []store.Drill{
		{ID: "d-from", Source: "support", State: "timed_out", TicketID: "1", FiledAt: from, EndedAt: from.Add(3 * h), Hours: "off"},
		{ID: "d-to", Source: "support", State: "timed_out", TicketID: "2", FiledAt: to, EndedAt: to.Add(3 * h), Hours: "off"},
	} {
		if err := st.PutDrill("acme", d); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: from, To: to}, Now: now, Kinds: collectors.Kinds.Config()})
	if err != nil {
		t.Fatal(err)
	}
	v := r.Vendors[0]
	var listed []string
	for _, m := range v.Maintenances {
		listed = append(listed, m.ID)
	}
	if len(listed) != 2 || listed[0] != "inside" || listed[1] != "at-to" {
		t.Errorf("maintenances %v, want inside and at-to", listed)
	}
	// at-to was announced an hour before it started: short notice (72h).
	if ind := indicator(t, v, "maintenance_notice_compliance"); ind.Samples != uint64(len(v.Maintenances)) ||
		ind.Value == nil || *ind.Value != 0.5 {
		t.Errorf("notice compliance %s of %d, want 0.5 of the %d listed", val(ind.Value), ind.Samples, len(v.Maintenances))
	}
	if len(v.Drills) != 1 || v.Drills[0].ID != "d-to" {
		t.Errorf("drills %+v, want d-to only", v.Drills)
	}
	if len(v.Incidents) != 1 || v.Incidents[0].ID != "i-at-to" || v.Volume.Incidents != 1 {
		t.Errorf("incidents %+v (volume %d), want i-at-to, counted", v.Incidents, v.Volume.Incidents)
	}
}
