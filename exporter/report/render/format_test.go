package render

import (
	"math"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/report"
)

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{fmtDuration(0), "0 s"},
		{fmtDuration(44.6), "45 s"},
		{fmtDuration(59.6), "1 min"},
		{fmtDuration(725), "12 min 5 s"},
		{fmtDuration(3600), "1 h"},
		{fmtDuration(4800), "1 h 20 min"},
		{fmtDuration(86399), "1 d"}, // 23 h 59 min 59 s rounds to a day
		{fmtDuration(183600), "2 d 3 h"},
		{fmtDuration(-900), "-15 min"},
		{fmtDuration(math.NaN()), "no data"},
		{fmtRatio(0), "0.0%"},
		{fmtRatio(0.8649), "86.5%"},
		{fmtRatio(0.9952), "99.52%"},
		{fmtRatio(0.99999), "99.99%"}, // below 1 is never 100 %
		{fmtRatio(1), "100.0%"},
		{fmtCount(3), "3"},
		{fmtCount(2.5), "2.50"},
		{fmtIn(0.18, report.UnitPer), "0.18"},
		{fmtDelta(-0.022, report.UnitRatio, 1), "−2.2 pp"},
		{fmtDelta(900, report.UnitSeconds, 1), "+15 min"},
		{fmtTime(time.Date(2026, 7, 12, 9, 2, 30, 0, time.FixedZone("CEST", 7200))), "2026-07-12 07:02 UTC"},
		{fmtPeriod(report.Period{From: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Name: "2026Q3"}),
			"2026Q3 (2026-07-01 – 2026-09-30)"},
		{fmtPeriod(report.Period{From: time.Date(2026, 7, 1, 6, 0, 0, 0, time.UTC), To: time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC)}),
			"2026-07-01 06:00 UTC – 2026-07-02 00:00 UTC"},
		{safeURL(" https://x.example/t/1 "), "https://x.example/t/1"},
		{safeURL("javascript:alert(1)"), ""},
		{safeURL("/relative"), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestChange(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		in   report.Indicator
		want change
	}{
		{report.Indicator{Unit: report.UnitSeconds, Value: f(4800), Previous: f(3900)},
			change{Known: true, Arrow: "▲", Delta: "+15 min", Verdict: "worse", Class: "worse", Prev: "1 h 5 min"}},
		{report.Indicator{Unit: report.UnitRatio, Value: f(0.42), Previous: f(0.385), HigherIsBetter: true},
			change{Known: true, Arrow: "▲", Delta: "+3.5 pp", Verdict: "better", Class: "better", Prev: "38.5%"}},
		// A change too small to show is no change.
		{report.Indicator{Unit: report.UnitSeconds, Value: f(600.2), Previous: f(600)},
			change{Known: true, Arrow: "=", Delta: "±0", Verdict: "same", Class: "same", Prev: "10 min"}},
		{report.Indicator{Unit: report.UnitSeconds, Value: nil, Previous: f(600)},
			change{Prev: "10 min"}},
	} {
		if got := changeOf(c.in); got != c.want {
			t.Errorf("changeOf(%v → %v): %+v, want %+v", c.in.Previous, c.in.Value, got, c.want)
		}
	}
}
