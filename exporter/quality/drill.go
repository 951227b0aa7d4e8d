package quality

import "time"

// DrillResult is the `result` label of support_drill_runs_total: how an
// off-hours drill ended (docs/metrics.md, "The off-hours drill").
type DrillResult int

// DrillResult values.
const (
	DrillResponded    DrillResult = iota // a human vendor reply came within the drill's timeout
	DrillTimedOut                        // none by then
	DrillCreateFailed                    // the ticket could not be filed
	DrillSkipped                         // not filed: an open status-page incident, or a dry run
	NumDrillResults
)

func (r DrillResult) String() string {
	return [NumDrillResults]string{"responded", "timed_out", "create_failed", "skipped"}[r]
}

// ParseDrillResult reads a result as String writes it.
func ParseDrillResult(s string) (DrillResult, bool) {
	for r := range NumDrillResults {
		if r.String() == s {
			return r, true
		}
	}
	return 0, false
}

// DrillOutcome is one drill as its stored record says (exporter/drill).
type DrillOutcome struct {
	// Ended: Result is decided; a running drill counts only in LastRun.
	Ended  bool
	Result DrillResult
	// FirstResponse is from the ticket's creation at the vendor to the
	// first human vendor reply, in calendar seconds; observed for
	// responded drills only.
	FirstResponse time.Duration
	Hours         Hours // at the ticket's creation, in the vendor's calendar
	// RanAt is when the drill ran: the ticket's creation at the vendor,
	// or, when none was filed, when the drill ended; zero while planned.
	RanAt time.Time
}

// DrillSummary is a vendor's drills as exposed: derived from the stored
// records each time, so that it never goes down (a record is never
// deleted and its result never changes once decided).
type DrillSummary struct {
	Runs          [NumDrillResults]uint64
	FirstResponse [NumHours]Histogram // calendar seconds, DefaultBuckets
	LastRun       time.Time           // zero: never ran
}

var drillBuckets = newBuckets(DefaultBuckets)

// SummarizeDrills derives a vendor's drill summary.
func SummarizeDrills(outcomes []DrillOutcome) *DrillSummary {
	var hists [NumHours]hist
	for h := range hists {
		hists[h] = newHist(drillBuckets)
	}
	s := &DrillSummary{}
	for _, o := range outcomes {
		if o.RanAt.After(s.LastRun) {
			s.LastRun = o.RanAt
		}
		if !o.Ended {
			continue
		}
		s.Runs[o.Result]++
		if o.Result == DrillResponded {
			hists[o.Hours].observe(o.FirstResponse.Milliseconds(), plus)
		}
	}
	for h := range hists {
		s.FirstResponse[h] = hists[h].export()
	}
	return s
}
