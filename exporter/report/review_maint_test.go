package report

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

func putStatus(t *testing.T, st *store.Store, rules *quality.Rules, at time.Time, incs []item.Incident, ms []item.Maintenance, j quality.Judged) {
	t.Helper()
	err := st.Update(store.SourceKey{Vendor: "acme", Source: "status"}, func(tx *store.Tx) error {
		for _, i := range incs {
			merged := rules.MergeIncident(nil, i, j)
			if _, err := tx.PutIncident(&merged); err != nil {
				return err
			}
		}
		for _, m := range ms {
			merged := rules.MergeMaintenance(nil, m, j)
			if _, err := tx.PutMaintenance(&merged); err != nil {
				return err
			}
		}
		return tx.SetSyncedAt(at)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A "so far" report: the status page's last complete sync started 2h
// before now. A maintenance scheduled 1h before now is listed, but its
// notice is not in maintenance_notice_compliance's set.
func TestReviewMaintenanceListVsCounterAsOf(t *testing.T) {
	cfg := testConfig(t, sectionsYAML)
	vc := cfg.Vendors[0]
	rules, _ := quality.NewRules(vc, cfg.Global)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := time.Hour
	nowR := to
	m := item.Maintenance{ID: "m", CreatedAt: nowR.Add(-30 * h), UpdatedAt: nowR.Add(-30 * h), ScheduledFor: nowR.Add(-h), ScheduledUntil: nowR.Add(h)}
	putStatus(t, st, rules, nowR.Add(-2*h), nil, []item.Maintenance{m}, quality.Judged{})
	putTickets(t, st, cfg, "acme", "support", nowR.Add(-2*h), nil)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: from, To: to.Add(10 * 24 * h)}, Now: nowR, Kinds: collectors.Kinds.Config()})
	if err != nil {
		t.Fatal(err)
	}
	v := r.Vendors[0]
	ind := indicator(t, v, "maintenance_notice_compliance")
	t.Logf("listed %d maintenances (short=%v); indicator %s over %d samples", len(v.Maintenances), len(v.Maintenances) > 0 && v.Maintenances[0].ShortNotice, val(ind.Value), ind.Samples)
	if uint64(len(v.Maintenances)) != ind.Samples {
		t.Errorf("the list has %d maintenances, the indicator's set %d", len(v.Maintenances), ind.Samples)
	}
}

// A maintenance whose start was observed (notice pinned) and which the
// vendor later rescheduled: the stored version's ScheduledFor is not the
// pinned start the counters count it at.
func TestReviewMaintenanceRescheduledAfterPin(t *testing.T) {
	cfg := testConfig(t, sectionsYAML)
	vc := cfg.Vendors[0]
	rules, _ := quality.NewRules(vc, cfg.Global)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := time.Hour
	// announced Jan 2, scheduled Jan 8 (before the period): the exporter saw it start.
	m0 := item.Maintenance{ID: "m", CreatedAt: day0.AddDate(0, 0, 1), UpdatedAt: day0.AddDate(0, 0, 1), ScheduledFor: day0.AddDate(0, 0, 7)}
	pinned := rules.MergeMaintenance(nil, m0, quality.Judged{Source: day0.AddDate(0, 0, 7).Add(h)})
	if pinned.History == nil || pinned.History.Notice == nil {
		t.Fatalf("no pin: %+v", pinned.History)
	}
	// Jan 9 the vendor postpones it to Jan 12 (in the period) and completes it then.
	m1 := m0
	m1.ScheduledFor, m1.UpdatedAt, m1.CompletedAt = day0.AddDate(0, 0, 11), day0.AddDate(0, 0, 11).Add(2*h), day0.AddDate(0, 0, 11).Add(2*h)
	merged := rules.MergeMaintenance(&pinned, m1, quality.Judged{Source: day0.AddDate(0, 0, 11).Add(3 * h)})
	err = st.Update(store.SourceKey{Vendor: "acme", Source: "status"}, func(tx *store.Tx) error {
		if _, err := tx.PutMaintenance(&merged); err != nil {
			return err
		}
		return tx.SetSyncedAt(synced)
	})
	if err != nil {
		t.Fatal(err)
	}
	putTickets(t, st, cfg, "acme", "support", synced, nil)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: from, To: to}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	v := r.Vendors[0]
	ind := indicator(t, v, "maintenance_notice_compliance")
	t.Logf("pinned start %s, stored scheduled %s; listed %+v; indicator samples %d", merged.History.Notice.Start, merged.ScheduledFor, v.Maintenances, ind.Samples)
	if uint64(len(v.Maintenances)) != ind.Samples {
		t.Errorf("the list has %d maintenances, the indicator's set %d", len(v.Maintenances), ind.Samples)
	}
}

// Documentation: the last update shown for a past period is after it.
func TestReviewDocsLastUpdateAfterPeriod(t *testing.T) {
	cfg := testConfig(t, sectionsYAML)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Update(store.SourceKey{Vendor: "acme", Source: "docs"}, func(tx *store.Tx) error {
		if err := tx.SetPages([]item.Page{
			{URL: "https://docs.acme.com/a", Updated: from.Add(24 * time.Hour)},
			{URL: "https://docs.acme.com/b", Updated: to.Add(72 * time.Hour)}, // after the period
		}); err != nil {
			return err
		}
		return tx.SetSyncedAt(synced)
	})
	if err != nil {
		t.Fatal(err)
	}
	putTickets(t, st, cfg, "acme", "support", synced, nil)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"}, Period: Period{From: from, To: to}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	d := r.Vendors[0].Docs[0]
	t.Logf("docs %+v last %v", d, d.LastUpdate)
	if d.LastUpdate != nil && d.LastUpdate.After(to) {
		t.Errorf("last update %s is after the period's end %s", d.LastUpdate, to)
	}
	if d.Pages != 1 || d.LaterDated != 1 || d.LastUpdate == nil || !d.LastUpdate.Equal(from.Add(24*time.Hour)) ||
		d.ListRead == nil || !d.ListRead.Equal(synced) {
		t.Errorf("docs %+v: want 1 page dated in the period, 1 dated after it left out, the list read at %s", d, synced)
	}
}
