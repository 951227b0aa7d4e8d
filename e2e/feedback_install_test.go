package e2e

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// TestFeatureRequestOutcomesWhateverTheInstallDate: the same GitHub data
// gives the same outcomes whenever the exporter was installed. A request
// is closed as not planned by the stale workflow on day 60, reopened on
// day 90 and shipped on day 100. An exporter polling since day 61 and one
// installed on day 101 both count it closed by the bot (60 days) and
// shipped (100 days): every close is read from the timeline at its date.
func TestFeatureRequestOutcomesWhateverTheInstallDate(t *testing.T) {
	t.Parallel()
	const vendor = "featureinstall"
	now := time.Now().UTC().Truncate(time.Minute)
	t0 := now.Add(-110 * day)
	script := []simulator.ScriptedTicket{
		{Created: t0, Priority: "normal", Labels: []string{"enhancement"}, Steps: []simulator.ScriptStep{
			{At: 60 * day, Kind: simulator.StaleClose}, {At: 90 * day, Kind: simulator.Reopen}, {At: 100 * day, Kind: simulator.Solve}}},
	}
	var clock atomic.Int64
	clock.Store(t0.Add(61 * day).Unix())
	sim := startedSim(t, simulator.Options{Seed: 12, Start: t0.Add(61 * day), Clock: func() time.Time { return time.Unix(clock.Load(), 0).UTC() },
		Vendors: []simulator.Vendor{{Name: vendor, Timezone: "Europe/Berlin", History: 62 * day, Script: script}}})
	cfg := officeConfigHeader + fmt.Sprintf(`  - name: %s
    feature_requests:
      tags: [enhancement]
    tickets:
      - name: issues
`, vendor) + sourceYAML(t, sim, vendor, simulator.KindGitHub, false)
	exporter := func() *proc {
		dir := t.TempDir()
		return start(t, &syncBuffer{}, "--config.file="+configFile(t, dir, cfg), "--storage.path="+filepath.Join(dir, "data"))
	}

	early := exporter()
	waitFor(t, 30*time.Second, "the early exporter to see the bot's close", func() bool {
		s, _ := early.scrape()
		return outcome(s, vendor, "closed_by_bot") == 1
	})
	clock.Store(t0.Add(101 * day).Unix())
	late := exporter()
	want := metricValues{
		"support_feature_requests_created_total":                              1,
		"support_feature_request_outcomes_total outcome=closed_by_bot":        1,
		"support_feature_request_outcomes_total outcome=shipped":              1,
		"support_feature_request_outcomes_total outcome=declined":             0,
		"support_feature_request_outcomes_total outcome=withdrawn":            0,
		"support_feature_request_outcome_seconds_sum outcome=closed_by_bot":   60 * 86400,
		"support_feature_request_outcome_seconds_sum outcome=shipped":         100 * 86400,
		"support_feature_request_outcome_seconds_count outcome=shipped":       1,
		"support_feature_request_outcome_seconds_count outcome=closed_by_bot": 1,
	}
	for name, p := range map[string]*proc{"polling since day 61": early, "installed on day 101": late} {
		var s series
		waitFor(t, 30*time.Second, name+": the shipped close", func() bool {
			s, _ = p.scrape()
			return outcome(s, vendor, "shipped") == 1
		})
		t.Run(name, func(t *testing.T) { want.check(t, s, vendor) })
	}
}
