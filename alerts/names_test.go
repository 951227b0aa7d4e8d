package alerts

import (
	"slices"
	"testing"
)

// TestEveryRecordingIsRecordedOverEveryWindow: the dashboards use the
// exported names; each must exist in the rules file, for every window, and
// the quantile ones once per quantile.
func TestEveryRecordingIsRecordedOverEveryWindow(t *testing.T) {
	type key struct{ record, quantile string }
	recorded := map[key]int{}
	for _, r := range generatedRules(t, Default(), RecordingRules) {
		recorded[key{r.Record, r.Labels[QuantileLabel]}]++
	}
	quantiled := []Recording{FirstResponseQuantiles, ResolutionQuantiles}
	for _, rec := range []Recording{SLABreachRatioByPriority, SLABreachRatio, SLAChecks, FirstResponseQuantiles,
		ResolutionQuantiles, FirstContactRatio, ReopenRatio, SatisfactionGoodRatio, VendorFirstRatio, ShortNoticeRatio} {
		for _, w := range Windows() {
			quantiles := []string{""}
			if slices.Contains(quantiled, rec) {
				quantiles = Quantiles()
			}
			for _, q := range quantiles {
				if n := recorded[key{rec.Over(w), q}]; n != 1 {
					t.Errorf("%s (quantile %q) recorded %d times, want once", rec.Over(w), q, n)
				}
			}
		}
	}
}

// TestWeekHoursCoveredIsRecordedOverItsWindows: the coverage share is
// recorded once for each window of a week or more, and never for a day.
func TestWeekHoursCoveredIsRecordedOverItsWindows(t *testing.T) {
	recorded := map[string]int{}
	for _, r := range generatedRules(t, Default(), RecordingRules) {
		recorded[r.Record]++
	}
	for _, w := range Windows() {
		want := 0
		if slices.Contains(CoverageWindows(), w) {
			want = 1
		}
		if n := recorded[WeekHoursCovered.Over(w)]; n != want {
			t.Errorf("%s recorded %d times, want %d", WeekHoursCovered.Over(w), n, want)
		}
	}
}

// TestBurnRateWindowsAreRecorded: every window a burn-rate alert reads is
// recorded, including those outside Windows().
func TestBurnRateWindowsAreRecorded(t *testing.T) {
	recorded := map[string]bool{}
	for _, r := range generatedRules(t, Default(), RecordingRules) {
		recorded[r.Record] = true
	}
	for _, b := range Default().BurnRates {
		for _, w := range []string{promDuration(b.Long), promDuration(b.Short)} {
			if !recorded[SLABreachRatio.Over(w)] {
				t.Errorf("%s is not recorded", SLABreachRatio.Over(w))
			}
		}
		if !recorded[SLAChecks.Over(promDuration(b.Long))] {
			t.Errorf("%s is not recorded", SLAChecks.Over(promDuration(b.Long)))
		}
	}
}
