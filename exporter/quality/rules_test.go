package quality

import (
	"reflect"
	"strings"
	"testing"
	"time"

	commonmodel "github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/config"
)

func TestNewRulesRefusesBadSettings(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*config.Vendor)
		wantErr string
	}{
		{"unknown normalized priority", func(v *config.Vendor) { v.Priorities["critical"] = []string{"sev1"} }, `unknown priority "critical"`},
		{"one value, two priorities", func(v *config.Vendor) { v.Priorities["low"] = []string{"p2"} }, `value "p2" maps to both`},
		{"one value, two priorities, other case", func(v *config.Vendor) { v.Priorities["low"] = []string{"p1"} }, `value "p1" maps to both urgent and low`},
		{"unknown clock", func(v *config.Vendor) { v.SLA[0].Clock = "wall" }, `unknown clock "wall"`},
		{"business clock without a calendar", func(v *config.Vendor) { v.SLA[0].Clock = "business" }, "needs a calendar"},
		{"calendar named but not parsed", func(v *config.Vendor) { v.Calendar = "office" }, `calendar "office" was not parsed`},
		{"target for an unknown priority", func(v *config.Vendor) { v.SLA[0].Resolution["p1"] = hours(1) }, `resolution: unknown priority "p1"`},
		{"zero target", func(v *config.Vendor) { v.SLA[0].FirstResponse["low"] = 0 }, "first_response: low: target must be positive"},
		{"negative notice window", func(v *config.Vendor) { v.NoticeWindow = commonmodel.Duration(-time.Minute) }, "notice_window -1m0s: must be positive"},
		{"a later term's bad clock, named by its place", func(v *config.Vendor) {
			v.SLA = append(v.SLA, datedTerm(t0, config.SLA{Clock: "wall"}))
		}, `term 2: sla: unknown clock "wall"`},
		{"a term from a date the config did not date", func(v *config.Vendor) {
			v.SLA = append(v.SLA, config.SLA{From: config.Date{Time: t0}})
		}, "term 2: sla: from 2026-03-02 was not dated"},
		{"unknown signal priority", func(v *config.Vendor) { v.Signals.Priorities = []string{"p1"} }, `signals: unknown priority "p1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := testVendor()
			tc.change(v)
			_, err := NewRules(v, config.Global{})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	if _, err := NewRules(nil, config.Global{}); err == nil {
		t.Error("nil vendor accepted")
	}
	if _, err := NewRules(testVendor(), config.Global{SolvedSettle: commonmodel.Duration(-time.Hour)}); err == nil ||
		!strings.Contains(err.Error(), "solved_settle -1h0m0s: must be positive") {
		t.Errorf("negative solved_settle: error = %v", err)
	}
}

func TestPriority(t *testing.T) {
	v := testVendor()
	v.Priorities["low"] = []string{"normal"} // a configured value wins over the default
	r := mustRules(t, v, time.Time{})
	tests := []struct {
		raw       string
		want      Priority
		wantKnown bool
	}{
		{"urgent", Urgent, true},
		{"P1", Urgent, true},
		{"p1", Urgent, true},
		{" p2 ", High, true},
		{"High", High, true},
		{"normal", Low, true},
		{"low", Low, true},
		{"", Normal, true}, // no priority set is simply normal
		{"  ", Normal, true},
		{"4", Normal, false},
		{"sev-1", Normal, false},
		// Built-in names of the ticket systems, unless configured otherwise.
		{"Critical", Urgent, true},
		{"Highest", Urgent, true},
		{"medium", Normal, true},
		{"Lowest", Low, true},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			p, known := r.Priority(tc.raw)
			if p != tc.want || known != tc.wantKnown {
				t.Errorf("Priority(%q) = %s, %v; want %s, %v", tc.raw, p, known, tc.want, tc.wantKnown)
			}
		})
	}
}

func TestMostUrgent(t *testing.T) {
	v := testVendor() // urgent: urgent, P1; high: high, p2
	v.Priorities["urgent"] = append(v.Priorities["urgent"], "Sev: Critical")
	v.Priorities["low"] = []string{"blocker", "nice-to-have"} // a default name, configured otherwise
	r := mustRules(t, v, time.Time{})
	tests := []struct {
		name   string
		values []string
		want   string
	}{
		{"nil", nil, ""},
		{"empty", []string{}, ""},
		{"no value names a priority", []string{"bug", "android", "", "  "}, ""},
		{"unknown values are ignored", []string{"bug", "p2", "docs"}, "p2"},
		{"a normalized name means itself", []string{"bug", "High"}, "High"},
		{"a built-in name counts", []string{"bug", "Critical"}, "Critical"},
		{"most urgent wins, whatever the order", []string{"nice-to-have", "p2", "P1", "low"}, "P1"},
		{"case and spaces do not matter; the value comes as written", []string{"p2", " sev: CRITICAL "}, " sev: CRITICAL "},
		{"a configured value beats a less urgent default", []string{"major", "Sev: Critical"}, "Sev: Critical"},
		{"a configured value overrides a default's priority", []string{"blocker", "medium"}, "medium"},
		{"a tie goes to the first", []string{"bug", "urgent", "Sev: Critical", "p1"}, "urgent"},
		{"a tie goes to the first, other order", []string{"Sev: Critical", "urgent"}, "Sev: Critical"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := r.MostUrgent(tc.values)
			if got != tc.want {
				t.Errorf("MostUrgent(%q) = %q, want %q", tc.values, got, tc.want)
			}
			if p, known := r.Priority(got); got != "" && !known {
				t.Errorf("MostUrgent(%q) = %q, which Priority does not know (%s)", tc.values, got, p)
			}
		})
	}
}

func TestHistogramBounds(t *testing.T) {
	v := testVendor()
	v.SLA[0].FirstResponse["low"] = commonmodel.Duration(90 * time.Second)
	// A later term adds its own targets and minimum notice; a target two
	// terms share is one bound.
	v.SLA = append(v.SLA, datedTerm(t0, config.SLA{
		FirstResponse:     map[string]commonmodel.Duration{"urgent": hours(1), "low": hours(5)},
		MaintenanceNotice: hours(72),
	}))
	v.SLA[0].MaintenanceNotice = hours(10)
	a := NewAggregator(mustRules(t, v, time.Time{}), testSources, testTicketSources)
	s := a.Snapshot(at(t0))
	withTargets := []float64{90, 300, 900, 1800, 3600, 7200, 14400, 18000, 28800, 86400, 172800, 259200, 604800}
	withNotice := []float64{300, 900, 1800, 3600, 7200, 14400, 28800, 36000, 86400, 172800, 259200, 604800}
	tests := []struct {
		name string
		h    Histogram
		want []float64
	}{
		{"first response: defaults plus every term's targets, sorted, once", s.FirstResponse[Low][Off], withTargets},
		{"resolution: the same", s.Resolution[Urgent], withTargets},
		{"rounds", s.Rounds[High], RoundBuckets},
		{"incident duration: defaults", s.Duration[ImpactMajor], DefaultBuckets},
		{"update gaps: defaults", s.UpdateGap, DefaultBuckets},
		{"maintenance notice: defaults plus every term's minimum notice", s.MaintenanceNotice, withNotice},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.h.Bounds, tc.want) {
				t.Errorf("bounds = %v, want %v", tc.h.Bounds, tc.want)
			}
			if len(tc.h.Counts) != len(tc.want)+1 {
				t.Errorf("%d counts for %d bounds, want one more", len(tc.h.Counts), len(tc.want))
			}
		})
	}
	if &s.FirstResponse[Low][Off].Bounds[0] != &a.Snapshot(at(t0)).FirstResponse[Low][Off].Bounds[0] {
		t.Error("bounds are copied per snapshot, want them shared")
	}
}

// An observation on a bound falls in that bound's bucket (le), one above it
// in the next.
func TestHistogramBucketing(t *testing.T) {
	h := newHist(newBuckets([]float64{1, 2}))
	for _, ms := range []int64{0, 1000, 1001, 2000, 5000} {
		h.observe(ms, plus)
	}
	got := h.export()
	// Native buckets at schema 3, (2^((i-1)/8), 2^(i/8)]: 0 in the zero
	// bucket, 1 in bucket 0, 1.001 in 1, 2 in 8, 5 (2^2.32) in 19.
	want := Histogram{Bounds: []float64{1, 2}, Counts: []uint64{2, 2, 1}, Sum: 9.001, Count: 5,
		Native: &Native{Zero: 1, Positive: map[int32]uint64{0: 1, 1: 1, 8: 1, 19: 1}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("histogram = %+v, want %+v", got, want)
	}
	h.observe(1001, minus)
	if got := h.export(); got.Count != 4 || got.Counts[1] != 1 || got.Sum != 8 {
		t.Errorf("after taking back 1.001: %+v", got)
	}
}
