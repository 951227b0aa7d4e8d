package quality

import (
	"testing"
	"time"
)

func TestSummarizeDrills(t *testing.T) {
	at := time.Date(2026, 3, 10, 1, 5, 0, 0, time.UTC)
	s := SummarizeDrills([]DrillOutcome{
		{Ended: true, Result: DrillResponded, FirstResponse: 5700 * time.Second, Hours: Off, RanAt: at},
		{Ended: true, Result: DrillResponded, FirstResponse: 299 * time.Second, Hours: Business, RanAt: at.Add(-60 * 24 * time.Hour)},
		{Ended: true, Result: DrillTimedOut, FirstResponse: time.Hour, RanAt: at.Add(-30 * 24 * time.Hour)}, // no observation
		{Ended: false, Result: DrillResponded, RanAt: at.Add(time.Hour)},                                    // filed, running
		{}, // planned
	})
	if s.Runs != [NumDrillResults]uint64{DrillResponded: 2, DrillTimedOut: 1} {
		t.Errorf("runs %v", s.Runs)
	}
	if !s.LastRun.Equal(at.Add(time.Hour)) {
		t.Errorf("last run %s, want the running drill's %s", s.LastRun, at.Add(time.Hour))
	}
	off, business := s.FirstResponse[Off], s.FirstResponse[Business]
	// 5700 s lies above 3600 and at most 7200: bucket index 4; 299 s in the first.
	if off.Count != 1 || off.Sum != 5700 || off.Counts[4] != 1 || business.Count != 1 || business.Counts[0] != 1 {
		t.Errorf("off %+v, business %+v", off, business)
	}
	for r := range NumDrillResults {
		if got, ok := ParseDrillResult(r.String()); !ok || got != r {
			t.Errorf("%v does not parse back", r)
		}
	}
	if _, ok := ParseDrillResult("planned"); ok {
		t.Error("a running state parsed as a result")
	}
}
