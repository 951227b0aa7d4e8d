package report

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// TestListsCarryTitles: the period's incidents and maintenances carry the
// title stored, the vendor's last edit of it; an item without one has "".
func TestListsCarryTitles(t *testing.T) {
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
	at := from.Add(24 * h)
	first := item.Incident{ID: "i1", Title: "Errors on API", Impact: item.ImpactMajor, CreatedAt: at, UpdatedAt: at}
	edited := first
	edited.Title, edited.ResolvedAt, edited.UpdatedAt = "Elevated error rates on the API (eu-west-1)", at.Add(h), at.Add(h)
	untitled := item.Incident{ID: "i2", Impact: item.ImpactMinor, CreatedAt: at.Add(2 * h), UpdatedAt: at.Add(2 * h)}
	m := item.Maintenance{ID: "m1", Title: "Database upgrade", CreatedAt: from.Add(-10 * 24 * h), ScheduledFor: at,
		ScheduledUntil: at.Add(h), CompletedAt: at.Add(h), UpdatedAt: at.Add(h)}
	err = st.Update(store.SourceKey{Vendor: "acme", Source: "status"}, func(tx *store.Tx) error {
		i1 := rules.MergeIncident(nil, first, quality.Judged{})
		i1 = rules.MergeIncident(&i1, edited, quality.Judged{})
		i2 := rules.MergeIncident(nil, untitled, quality.Judged{})
		m1 := rules.MergeMaintenance(nil, m, quality.Judged{})
		for _, i := range []*item.Incident{&i1, &i2} {
			if _, err := tx.PutIncident(i); err != nil {
				return err
			}
		}
		if _, err := tx.PutMaintenance(&m1); err != nil {
			return err
		}
		return tx.SetSyncedAt(synced)
	})
	if err != nil {
		t.Fatal(err)
	}
	putTickets(t, st, cfg, "acme", "support", synced, nil)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: from, To: to}, Now: now, Kinds: collectors.Kinds.Config()})
	if err != nil {
		t.Fatal(err)
	}
	v := r.Vendors[0]
	titles := map[string]string{}
	for _, i := range v.Incidents {
		titles[i.ID] = i.Title
	}
	for _, m := range v.Maintenances {
		titles[m.ID] = m.Title
	}
	want := map[string]string{"i1": edited.Title, "i2": "", "m1": "Database upgrade"}
	for id, w := range want {
		if got, ok := titles[id]; !ok || got != w {
			t.Errorf("%s: title %q (listed %v), want %q", id, got, ok, w)
		}
	}
}
