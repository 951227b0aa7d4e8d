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

// incidentReview stores the incident versions (each merged into the one
// before, as the status collectors do) and builds acme's review of
// [from, to] over them; check sees the stored version first.
func incidentReview(t *testing.T, check func(stored *item.Incident), versions ...item.Incident) Vendor {
	t.Helper()
	cfg := testConfig(t, sectionsYAML)
	rules, _ := quality.NewRules(cfg.Vendors[0], cfg.Global)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var merged *item.Incident
	for _, v := range versions {
		m := rules.MergeIncident(merged, v, quality.Judged{})
		merged = &m
	}
	check(merged)
	err = st.Update(store.SourceKey{Vendor: "acme", Source: "status"}, func(tx *store.Tx) error {
		if _, err := tx.PutIncident(merged); err != nil {
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
	return r.Vendors[0]
}

// An incident whose start the vendor moved after it was resolved (to
// shorten its notice delay) and whose updates it thinned out: the list
// shows the times the status metrics observed, pinned at resolution, not
// the vendor's later word.
func TestReviewIncidentListKeepsPinnedTimes(t *testing.T) {
	h := time.Hour
	post := from.Add(24 * h)
	first := item.Incident{ID: "i", Title: "API errors", Impact: "major", StartedAt: post.Add(-h), CreatedAt: post,
		UpdatedAt: post.Add(5 * h), Updates: []time.Time{post.Add(h), post.Add(4 * h)}, ResolvedAt: post.Add(5 * h)}
	edited := first
	edited.StartedAt, edited.Updates, edited.UpdatedAt = post.Add(-5*time.Minute), []time.Time{post.Add(4 * h)}, post.Add(48*h)
	v := incidentReview(t, func(stored *item.Incident) {
		if !stored.StartedAt.Equal(edited.StartedAt) || stored.History == nil || stored.History.Final == nil {
			t.Fatalf("the stored version is not the edited one with its resolution pinned: %+v", stored)
		}
	}, first, edited)
	if len(v.Incidents) != 1 {
		t.Fatalf("%d incidents listed, want 1", len(v.Incidents))
	}
	i := v.Incidents[0]
	// By hand from the first resolved version: started 1 h before the
	// first post; posts at 0, 1 h, 4 h and the resolution at 5 h.
	if !i.Started.Equal(first.StartedAt) || i.NoticeDelaySeconds != 3600 {
		t.Errorf("listed as started %s, notice delay %v s; want %s and 3600 s (pinned at resolution)", i.Started, i.NoticeDelaySeconds, first.StartedAt)
	}
	if i.Updates != 2 || i.LongestGapSeconds != 3*3600 {
		t.Errorf("listed with %d updates, longest gap %v s; want 2 and 10800 s (pinned at resolution)", i.Updates, i.LongestGapSeconds)
	}
}

// An incident resolved before the period and reopened (Cachet dates a
// resolution by its latest update): open through the period, as the
// open-incident gauge has it, so listed and unresolved.
func TestReviewIncidentReopenedIsListedOpen(t *testing.T) {
	h := time.Hour
	post := from.Add(-72 * h)
	resolvedOnce := item.Incident{ID: "i", Title: "Slow API", Impact: "minor", CreatedAt: post, UpdatedAt: post.Add(2 * h),
		Updates: []time.Time{post.Add(2 * h)}, ResolvedAt: post.Add(2 * h)}
	reopened := resolvedOnce
	reopened.ResolvedAt, reopened.UpdatedAt = time.Time{}, post.Add(5*h)
	reopened.Updates = []time.Time{post.Add(2 * h), post.Add(5 * h)}
	v := incidentReview(t, func(stored *item.Incident) {
		if stored.History == nil || stored.History.Final == nil || !stored.ResolvedAt.IsZero() {
			t.Fatalf("want a reopened incident with its first resolution pinned: %+v", stored)
		}
	}, resolvedOnce, reopened)
	if len(v.Incidents) != 1 {
		t.Fatalf("%d incidents listed, want the reopened one, open through the period", len(v.Incidents))
	}
	if i := v.Incidents[0]; i.Resolved != nil || i.Updates != 2 {
		t.Errorf("listed resolved at %v with %d updates, want open with 2", i.Resolved, i.Updates)
	}
}

// The longest silence of an incident resolved in the period is the
// longest gap support_status_incident_update_gap_seconds observes: between
// public updates up to the resolution, the resolution itself no update
// unless the vendor posted one then.
func TestReviewIncidentGapsAreTheMetrics(t *testing.T) {
	h := time.Hour
	post := from.Add(24 * h)
	inc := item.Incident{ID: "i", Title: "Errors", Impact: "major", CreatedAt: post, UpdatedAt: post.Add(10 * h),
		Updates: []time.Time{post.Add(h)}, ResolvedAt: post.Add(10 * h)}
	v := incidentReview(t, func(*item.Incident) {}, inc)
	if len(v.Incidents) != 1 {
		t.Fatalf("%d incidents listed, want 1", len(v.Incidents))
	}
	// By hand: posts at 0 and 1 h, resolved at 10 h without a post then:
	// the metric observes one gap of 1 h.
	if i := v.Incidents[0]; i.Updates != 1 || i.LongestGapSeconds != 3600 {
		t.Errorf("listed with %d updates, longest gap %v s; want 1 and 3600 s (the metric's one gap)", i.Updates, i.LongestGapSeconds)
	}
	gaps := indicator(t, v, "incident_update_gap_p90")
	if gaps.Samples != 1 {
		t.Errorf("the update-gap indicator counts %d gaps, want 1", gaps.Samples)
	}
}
