package report

import (
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// A previous period that starts before history_start is not compared (a
// partial period would compare unequal volumes): Previous stays nil, no
// indicator has a previous value, and the report says why.
func TestPreviousBeforeHistoryStart(t *testing.T) {
	cfg := testConfig(t, strings.Replace(testYAML, "history_start: 2025-12-01", "history_start: 2026-01-05", 1))
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	putTickets(t, st, cfg, "acme", "support", synced, []item.Ticket{ticket("t1", "urgent", from.Add(time.Hour), item.StatusOpen)})
	putTickets(t, st, cfg, "other", "desk", synced, nil)
	// Jan 10-20: the previous period, Dec 31 - Jan 10, starts before Jan 5.
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: from, To: to}, ComparePrevious: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if r.Previous != nil || !strings.Contains(r.PreviousUnavailable, "history_start 2026-01-05") {
		t.Errorf("previous %+v, unavailable %q: want none, and why", r.Previous, r.PreviousUnavailable)
	}
	for _, in := range r.Vendors[0].Indicators {
		if in.Previous != nil {
			t.Errorf("%s has a previous value %v without a previous period", in.ID, *in.Previous)
		}
	}
	// Jan 16-20: the previous period, Jan 12-16, is measured.
	r, err = Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: to.Add(-4 * 24 * time.Hour), To: to}, ComparePrevious: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if r.Previous == nil || r.PreviousUnavailable != "" {
		t.Errorf("previous %+v, unavailable %q: want the previous period", r.Previous, r.PreviousUnavailable)
	}
}

// A named period so far is compared with the same elapsed part of the
// previous one: the quarter-to-date comparison.
func TestPreviousSoFarSameElapsed(t *testing.T) {
	q2 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	asked := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	at := q2.Add(30*24*time.Hour + 13*time.Hour)
	p := Period{From: q2, To: at, Name: "2026Q2", RequestedTo: &asked}
	got := previousPeriod(p)
	q1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if !got.From.Equal(q1) || !got.To.Equal(q1.Add(at.Sub(q2))) || got.Name != "2026Q1" || !got.ToDate {
		t.Errorf("previous of %+v = %+v, want 2026Q1's first 30 d 13 h, to date", p, got)
	}
	// The whole quarter asked for: the whole previous one.
	if got := previousPeriod(Period{From: q2, To: asked, Name: "2026Q2"}); !got.To.Equal(q2) || got.ToDate {
		t.Errorf("previous of the whole 2026Q2 = %+v", got)
	}
	// Never past the previous period's end (March 31 so far vs February).
	mar := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	apr := mar.AddDate(0, 1, 0)
	if got := previousPeriod(Period{From: mar, To: apr.Add(-time.Hour), Name: "2026-03", RequestedTo: &apr}); !got.To.Equal(mar) || !got.ToDate {
		t.Errorf("previous of March so far = %+v, want all of February", got)
	}
}

// Each vendor lists its sources with their last complete sync start.
func TestVendorSources(t *testing.T) {
	st, cfg := smallStore(t)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: from, To: to}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	src := r.Vendors[0].Sources
	if len(src) != 1 || src[0].Name != "support" || src[0].Kind != "zendesk" || !src[0].SyncedAt.Equal(synced) {
		t.Errorf("sources %+v, want support (zendesk) synced %s", src, synced)
	}
}
