package e2e

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// TestDemoAtFixedClocks: the demo shows every catalog family within 60 s
// whatever the clock reads, run with --demo.clock at a weekday noon UTC, on
// a Saturday, on a Sunday night and at local midnight in each demo office
// (the Monday after the US moved to summer time, when no office has worked
// for two days). The simulator's TestDemoAtAnyClock proves the same of
// what the vendors serve at a hundred more instants; this runs the whole
// exporter. The exporters run two at a time (-parallel, GOMAXPROCS by
// default), each stopped as soon as every family shows.
func TestDemoAtFixedClocks(t *testing.T) {
	catalog := catalogFamilies(t)
	clocks := map[string]time.Time{
		"weekday noon UTC": time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC),
		"Saturday":         time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC),
		"Sunday night":     time.Date(2026, 3, 15, 22, 30, 0, 0, time.UTC),
	}
	// Demo's offices do not depend on the instant it is given.
	offices := simulator.Demo(time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC))
	for _, v := range offices {
		loc, err := time.LoadLocation(v.Timezone)
		if err != nil {
			t.Fatal(err)
		}
		clocks["midnight in "+v.Timezone] = time.Date(2026, 3, 9, 0, 0, 0, 0, loc)
	}
	if len(clocks) != 3+len(offices) {
		t.Fatalf("%d clocks, want 3 and one per demo office: two demo offices share a zone?", len(clocks))
	}
	for name, at := range clocks {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			began := time.Now()
			p := start(t, nil, "--demo", "--demo.clock="+at.Format(time.RFC3339))
			_, missing := waitForCatalog(t, p, catalog, 60*time.Second)
			if len(missing) > 0 {
				t.Fatalf("demo at %s: after 60 s no non-zero value for %d families: %v", at.Format(time.RFC3339), len(missing), missing)
			}
			p.term() // the demo removes its store
			t.Logf("demo at %s: every family after %v", at.Format(time.RFC3339), time.Since(began).Round(100*time.Millisecond))
		})
	}
}
