package report

import (
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// The vendor's own resolution clock (JSM: paused while waiting for the
// customer) judged the target met; the worst list shows our wall-clock
// seconds, twice the target, as "met".
func TestReviewVendorClockSeconds(t *testing.T) {
	cfg := testConfig(t, testYAML)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := time.Hour
	created := from.Add(h)
	tk := ticket("j1", "urgent", created, item.StatusSolved, ev(item.EventVendorReply, created.Add(h/2)), ev(item.EventSolved, created.Add(48*h)))
	tk.Figures = &item.Figures{FirstReplyAt: created.Add(h / 2), FirstSolvedAt: created.Add(48 * h),
		ResolutionSLA: &item.SLAClock{Deadline: created.Add(72 * h), Stopped: created.Add(48 * h)}}
	tk2 := ticket("j2", "urgent", created, item.StatusSolved, ev(item.EventVendorReply, created.Add(h/2)), ev(item.EventSolved, created.Add(20*h)))
	tk2.Figures = &item.Figures{FirstReplyAt: created.Add(h / 2), FirstSolvedAt: created.Add(20 * h),
		ResolutionSLA: &item.SLAClock{Deadline: created.Add(10 * h), Stopped: created.Add(20 * h), Breached: true}}
	putTickets(t, st, cfg, "acme", "support", synced, []item.Ticket{tk, tk2})
	putTickets(t, st, cfg, "other", "desk", synced, nil)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"}, Period: Period{From: from, To: to}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range r.Vendors[0].SLA {
		if row.Target == "resolution" {
			t.Logf("%s/%s target %vs checks %d breaches %d worst %+v", row.Priority, row.Target, row.TargetSeconds, row.Checks, row.Breaches, row.Worst)
			for _, w := range row.Worst {
				if !w.Breached && w.Seconds > row.TargetSeconds {
					t.Errorf("ticket %s listed met with %vs against a %vs target", w.ID, w.Seconds, row.TargetSeconds)
				}
			}
			// The vendor's clock judged both: its verdict and where it
			// stopped against its own deadline, never our clock's seconds.
			want := map[string]float64{"j2": (10 * h).Seconds(), "j1": (-24 * h).Seconds()}
			if len(row.Worst) != 2 || row.Worst[0].ID != "j2" {
				t.Fatalf("worst %+v, want j2 (breached) then j1", row.Worst)
			}
			for _, w := range row.Worst {
				if w.Clock != "vendor" || w.Seconds != 0 || w.OverSeconds == nil || *w.OverSeconds != want[w.ID] {
					t.Errorf("%s: clock %q seconds %v over %v, want the vendor's clock, 0 s, %v s past its deadline", w.ID, w.Clock, w.Seconds, w.OverSeconds, want[w.ID])
				}
			}
		}
	}
}

// Finding 9: a p50 indicator's footnote gives the p50, a p90's the p90:
// the PromQL pasted from a footnote is the indicator's own number.
func TestReviewQuantileFootnotes(t *testing.T) {
	notes := map[string]Footnote{}
	for _, f := range footnotes([]string{"acme"}, Period{From: from, To: to}) {
		notes[f.ID] = f
	}
	for _, def := range indicatorDefs() {
		for q, arg := range map[string]string{"_p50": "histogram_quantile(0.5,", "_p90": "histogram_quantile(0.9,"} {
			if !strings.Contains(def.id, q) {
				continue
			}
			f, ok := notes[def.footnote]
			if !ok || !strings.Contains(f.PromQL, arg) || strings.Count(f.PromQL, "histogram_quantile(") != 1 {
				t.Errorf("%s: footnote %s gives %q, want its own %s", def.id, def.footnote, f.PromQL, arg)
			}
		}
	}
}
