package render

import (
	"math"
	"testing"

	"github.com/support-exporter/support_exporter/exporter/report"
)

// TestFixtureConsistent: the hand-made fixture adds up the way a store's
// real report does (testdata/README.md), so the goldens show plausible
// numbers: SLA rows against the volume and the months, compliance against
// breaches, worst tickets against breaches, weekly samples against the
// quantiles' samples, update gaps against the incidents' updates.
func TestFixtureConsistent(t *testing.T) {
	r := fixture(t)
	for _, v := range r.Vendors {
		rows := map[string][2]uint64{} // target: checks, breaches
		var checks uint64
		for _, s := range v.SLA {
			checks += s.Checks
			x := rows[s.Target]
			rows[s.Target] = [2]uint64{x[0] + s.Checks, x[1] + s.Breaches}
			if s.Checks == 0 {
				if s.Compliance != nil || len(s.Worst) != 0 {
					t.Errorf("%s %s/%s: no clock but a compliance or tickets", v.Name, s.Priority, s.Target)
				}
				continue
			}
			want := 1 - float64(s.Breaches)/float64(s.Checks)
			if s.Compliance == nil || math.Abs(*s.Compliance-want) > 1e-12 {
				t.Errorf("%s %s/%s: compliance %v, want %v", v.Name, s.Priority, s.Target, s.Compliance, want)
			}
			if s.Met == nil || *s.Met != (want >= s.Objective) {
				t.Errorf("%s %s/%s: met %v", v.Name, s.Priority, s.Target, s.Met)
			}
			if n := min(uint64(report.WorstTickets), s.Checks); uint64(len(s.Worst)) != n {
				t.Errorf("%s %s/%s: %d worst tickets, want %d", v.Name, s.Priority, s.Target, len(s.Worst), n)
			}
			var breached uint64
			for i, w := range s.Worst {
				if w.Breached {
					breached++
					if i > 0 && !s.Worst[i-1].Breached {
						t.Errorf("%s %s/%s: breaches not first", v.Name, s.Priority, s.Target)
					}
				}
				if w.Breached != (w.Seconds > s.TargetSeconds) {
					t.Errorf("%s %s/%s: ticket %s of %v s breached=%v", v.Name, s.Priority, s.Target, w.ID, w.Seconds, w.Breached)
				}
				if i > 0 && w.Breached == s.Worst[i-1].Breached && w.Seconds > s.Worst[i-1].Seconds {
					t.Errorf("%s %s/%s: tickets not longest first", v.Name, s.Priority, s.Target)
				}
			}
			if breached != min(s.Breaches, uint64(report.WorstTickets)) {
				t.Errorf("%s %s/%s: %d breached tickets listed of %d breaches", v.Name, s.Priority, s.Target, breached, s.Breaches)
			}
		}
		if checks != v.Volume.SLAChecks {
			t.Errorf("%s: SLA rows add up to %d clocks, the volume says %d", v.Name, checks, v.Volume.SLAChecks)
		}
		// The months add up to the rows, per target.
		months := map[string][2]float64{}
		for _, m := range v.Charts.MonthlyCompliance {
			x := months[m.Target]
			b := 0.0
			if m.Compliance != nil {
				b = math.Round(float64(m.Checks) * (1 - *m.Compliance))
			}
			months[m.Target] = [2]float64{x[0] + float64(m.Checks), x[1] + b}
		}
		for tg, x := range rows {
			if m := months[tg]; m[0] != float64(x[0]) || m[1] != float64(x[1]) {
				t.Errorf("%s %s: months have %v clocks and %v breaches, rows %v", v.Name, tg, m[0], m[1], x)
			}
		}
		// Quarterly compliance indicators equal the rows.
		for _, in := range v.Indicators {
			tg := map[string]string{"first_response_compliance": "first_response", "resolution_compliance": "resolution"}[in.ID]
			if tg == "" || in.Value == nil {
				continue
			}
			x := rows[tg]
			if want := 1 - float64(x[1])/float64(x[0]); math.Abs(*in.Value-want) > 1e-12 || in.Samples != x[0] {
				t.Errorf("%s %s: %v of %d, rows give %v of %d", v.Name, in.ID, *in.Value, in.Samples, want, x[0])
			}
		}
		// Weekly samples add up to the p90's samples of the priority.
		weekly := map[string]uint64{}
		for _, w := range v.Charts.WeeklyFirstResponse {
			weekly[w.Priority] += w.Samples
		}
		for _, in := range v.Indicators {
			for p, n := range weekly {
				if in.ID == "first_response_p90_"+p && in.Samples != n {
					t.Errorf("%s %s: %d samples, the weeks %d", v.Name, in.ID, in.Samples, n)
				}
			}
		}
		// One gap per update after the first post, and the silence after
		// the last.
		var gaps uint64
		for _, in := range v.Incidents {
			gaps += uint64(in.Updates) + 1
		}
		for _, in := range v.Indicators {
			if in.ID == "incident_update_gap_p90" && in.Samples != gaps {
				t.Errorf("%s: %d update gaps, the incidents give %d", v.Name, in.Samples, gaps)
			}
		}
		if uint64(len(v.Incidents)) != v.Volume.Incidents && v.Sections.Status {
			t.Errorf("%s: %d incidents, the volume says %d", v.Name, len(v.Incidents), v.Volume.Incidents)
		}
	}
}
