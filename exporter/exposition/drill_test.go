package exposition

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/support-exporter/support_exporter/exporter/quality"
)

func TestDrillFamilies(t *testing.T) {
	s := sampleState()
	if n := testutil.CollectAndCount(New(s), "support_drill_runs_total"); n != 0 {
		t.Fatalf("drill families exposed for a vendor whose drill is off: %d series", n)
	}
	filed := time.Date(2026, 3, 10, 1, 5, 0, 0, time.UTC)
	s.snap.Vendors[0].Drill = quality.SummarizeDrills([]quality.DrillOutcome{
		{Ended: true, Result: quality.DrillResponded, FirstResponse: 95 * time.Minute, Hours: quality.Off, RanAt: filed},
		{Ended: true, Result: quality.DrillSkipped, RanAt: filed.Add(-30 * 24 * time.Hour)},
	})
	want := `
# HELP support_drill_runs_total Off-hours drills by result: responded (a human vendor reply within the drill's timeout), timed_out, create_failed, skipped (an open status-page incident, or a dry run). Refreshed by background sync, not at scrape time.
# TYPE support_drill_runs_total counter
support_drill_runs_total{result="create_failed",vendor="acme"} 0
support_drill_runs_total{result="responded",vendor="acme"} 1
support_drill_runs_total{result="skipped",vendor="acme"} 1
support_drill_runs_total{result="timed_out",vendor="acme"} 0
# HELP support_drill_last_run_timestamp_seconds When the vendor's last drill ran: its ticket's creation at the vendor, or, when none was filed, when it ended; 0 before the first. Refreshed by background sync, not at scrape time.
# TYPE support_drill_last_run_timestamp_seconds gauge
support_drill_last_run_timestamp_seconds{vendor="acme"} 1.7731047e+09
`
	if err := testutil.CollectAndCompare(New(s), strings.NewReader(want), "support_drill_runs_total", "support_drill_last_run_timestamp_seconds"); err != nil {
		t.Error(err)
	}
	// 95 minutes = 5700 s: in le=7200 and above, off hours only.
	if n := testutil.CollectAndCount(New(s), "support_drill_first_response_seconds"); n != 2 {
		t.Errorf("first response: %d histograms, want one per hours value", n)
	}
	if problems, err := testutil.CollectAndLint(New(s)); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}
