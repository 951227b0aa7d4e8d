package report

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// A maintenance from a format that does not date its announcement
// (instatus, incident.io): its notice is unknown, not zero.
func TestReviewMaintenanceUnknownNotice(t *testing.T) {
	cfg := testConfig(t, sectionsYAML)
	rules, _ := quality.NewRules(cfg.Vendors[0], cfg.Global)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := from.Add(48 * time.Hour)
	m := item.Maintenance{ID: "m", UpdatedAt: start.Add(2 * time.Hour), ScheduledFor: start, CompletedAt: start.Add(2 * time.Hour)}
	putStatus(t, st, rules, synced, nil, []item.Maintenance{m}, quality.Judged{})
	putTickets(t, st, cfg, "acme", "support", synced, nil)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"}, Period: Period{From: from, To: to}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	v := r.Vendors[0]
	ind := indicator(t, v, "maintenance_notice_compliance")
	t.Logf("listed %+v; indicator %s of %d", v.Maintenances, val(ind.Value), ind.Samples)
	if len(v.Maintenances) != 1 {
		t.Fatalf("%d maintenances listed, want the one that started in the period, its notice unknown", len(v.Maintenances))
	}
	if m := v.Maintenances[0]; m.NoticeSeconds != nil || m.Announced != nil || m.ShortNotice {
		t.Errorf("unknown notice listed as %v s, announced %v, short %v: want unknown (nil), not short", m.NoticeSeconds, m.Announced, m.ShortNotice)
	}
}
