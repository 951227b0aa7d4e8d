package e2e

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// TestFeatureRequestShippedAfter40Days is the feedback loop's acceptance
// row (docs/metrics.md, "Feedback loop: feature requests"): scripted
// GitHub issues read through the exporter, every value worked out by hand
// below; then the vendor relabels, retypes and reprioritizes after the
// outcomes while its API fails for a while, and the exporter restarts:
// nothing counted moves, in the exposition nor in what a real Prometheus
// scraped all along.
//
// The open gauge is judged as of the exporter's own clock (the start of
// the last complete sync), so the history is dated back from the wall
// clock: T0 is 110 days ago, and every age lies weeks from a bucket bound.
func TestFeatureRequestShippedAfter40Days(t *testing.T) {
	t.Parallel()
	const vendor = "featurebuyer"
	now := time.Now().UTC().Truncate(time.Minute)
	t0 := now.Add(-110 * day)
	h := time.Hour
	script := []simulator.ScriptedTicket{
		// #1 A: labeled enhancement by its template; answered after 3h,
		// shipped (closed as completed by the agent) after 40 days, then
		// reopened by its author at day 50.
		{Created: t0, Priority: "normal", Labels: []string{"enhancement"}, Steps: []simulator.ScriptStep{
			{At: 3 * h, Kind: simulator.VendorReply}, {At: 40 * day, Kind: simulator.Solve}, {At: 50 * day, Kind: simulator.Reopen}}},
		// #2 B: of type Feature, no label; declined (a reply closing it as
		// not planned) after 10 days.
		{Created: t0.Add(day), Priority: "normal", Type: "Feature", Steps: []simulator.ScriptStep{
			{At: 10 * day, Kind: simulator.Decline}}},
		// #3 C: labeled enhancement, never answered; closed as not planned
		// by the stale workflow (github-actions[bot]) after 67 days.
		{Created: t0.Add(2 * day), Priority: "normal", Labels: []string{"enhancement"}, Steps: []simulator.ScriptStep{
			{At: 67 * day, Kind: simulator.StaleClose}}},
		// #4 D: labeled enhancement and of type Feature, open for 100
		// days, never answered.
		{Created: t0.Add(10 * day), Priority: "normal", Labels: []string{"enhancement"}, Type: "Feature"},
		// #5 E: an ordinary issue, answered and solved the same day.
		{Created: t0.Add(20 * day), Priority: "normal", Steps: []simulator.ScriptStep{
			{At: h, Kind: simulator.VendorReply}, {At: 2 * h, Kind: simulator.Solve}}},
	}
	// The simulated clock reads each phase in turn: the exporter sees A
	// shipped before its reopen, and every close.
	phases := []struct {
		at   time.Time
		what string
		done func(s series) bool
	}{
		{t0.Add(41 * day), "A shipped, B declined", func(s series) bool {
			return outcome(s, vendor, "shipped") == 1 && outcome(s, vendor, "declined") == 1
		}},
		{t0.Add(70 * day), "A reopened, C closed by the bot", func(s series) bool {
			return outcome(s, vendor, "closed_by_bot") == 1 && gauge(s, vendor, "90d_365d") == 2
		}},
	}
	var clock atomic.Int64
	clock.Store(phases[0].at.Unix())
	sim := startedSim(t, simulator.Options{Seed: 11, Start: phases[0].at, Clock: func() time.Time { return time.Unix(clock.Load(), 0).UTC() },
		Vendors: []simulator.Vendor{{Name: vendor, Timezone: "Europe/Berlin", History: 60 * day, Script: script}}})

	dir := t.TempDir()
	cfg := officeConfigHeader + fmt.Sprintf(`  - name: %s
    feature_requests:
      tags: [enhancement]
      types: [Feature]
    tickets:
      - name: issues
`, vendor) + sourceYAML(t, sim, vendor, simulator.KindGitHub, false)
	args := []string{"--config.file=" + configFile(t, dir, cfg), "--storage.path=" + filepath.Join(dir, "data")}
	logs := &syncBuffer{}
	p := start(t, logs, args...)
	// A real Prometheus scrapes the exporter throughout, across the edits
	// and the restart (on the same address): it must see no counter reset.
	prom := startPrometheus(t, lookPath(t, "prometheus", "prometheus"), dir, filepath.Join(dir, "prom"), p.addr)
	var s series
	var body string
	for _, ph := range phases {
		clock.Store(ph.at.Unix())
		waitFor(t, 30*time.Second, ph.what, func() bool {
			s, body = p.scrape()
			return ph.done(s)
		})
	}

	// Worked out by hand. Requests: A, B, C, D (E carries no label nor
	// type). Acknowledgement: A's reply after 3h (10800 s), B's declining
	// reply after 10 days (864000 s); C and D were never answered nor
	// labeled by the vendor (the template's label is the author's).
	// Outcomes: A shipped after 40 days (3456000 s), B declined after 10
	// days (864000 s), C closed by github-actions[bot], a default bot,
	// after 67 days (5788800 s). Open now: A (reopened, 110 days old) and D
	// (100 days old), both 90d_365d. Every ticket counts in the ordinary
	// metrics too: 5 tickets created.
	want := metricValues{
		"support_feature_requests_created_total":                                            4,
		"support_feature_request_acknowledgement_seconds_count":                             2,
		"support_feature_request_acknowledgement_seconds_sum":                               10800 + 864000,
		"support_feature_request_acknowledgement_seconds_bucket le=3600":                    0,
		"support_feature_request_acknowledgement_seconds_bucket le=86400":                   1,
		"support_feature_request_acknowledgement_seconds_bucket le=604800":                  1,
		"support_feature_request_acknowledgement_seconds_bucket le=1.2096e+06":              2,
		"support_feature_request_outcomes_total outcome=shipped":                            1,
		"support_feature_request_outcomes_total outcome=declined":                           1,
		"support_feature_request_outcomes_total outcome=closed_by_bot":                      1,
		"support_feature_request_outcome_seconds_sum outcome=shipped":                       40 * 86400,
		"support_feature_request_outcome_seconds_bucket outcome=shipped le=2.592e+06":       0,
		"support_feature_request_outcome_seconds_bucket outcome=shipped le=5.184e+06":       1,
		"support_feature_request_outcome_seconds_sum outcome=declined":                      10 * 86400,
		"support_feature_request_outcome_seconds_count outcome=declined":                    1,
		"support_feature_request_outcome_seconds_sum outcome=closed_by_bot":                 67 * 86400,
		"support_feature_request_outcome_seconds_bucket outcome=closed_by_bot le=5.184e+06": 0,
		"support_feature_request_outcome_seconds_bucket outcome=closed_by_bot le=7.776e+06": 1,
		"support_feature_requests_open age=lt_30d":                                          0,
		"support_feature_requests_open age=30d_90d":                                         0,
		"support_feature_requests_open age=90d_365d":                                        2,
		"support_feature_requests_open age=gt_365d":                                         0,
		"support_tickets_created_total priority=normal":                                     5,
	}
	want.check(t, s, vendor)
	if out := promtoolLint(t, body); out != "" {
		t.Errorf("promtool check metrics:\n%s", out)
	}

	// Hold-up: after the outcomes the vendor drops D's label, retypes it a
	// Bug and makes it urgent (its priority label), relabels B wontfix and
	// takes its type, and unlabels C. The urgent label shows the exporter
	// read the edits; nothing counted moves, and D stays an open request.
	// One value rises: the urgent label is the vendor's first label on D,
	// its acknowledgement, 100 days less 10 minutes after its creation
	// (8639400 s, in the 15552000 s bucket, above those checked). B was
	// acknowledged by its reply already: its label moves nothing.
	clock.Store(now.Add(-10 * time.Minute).Unix())
	none, bug, urgent := "", "Bug", "urgent"
	edits := []struct {
		id int64
		e  simulator.TicketEdit
	}{
		{4, simulator.TicketEdit{Labels: &[]string{}, Type: &bug, Priority: &urgent}},
		{2, simulator.TicketEdit{Labels: &[]string{"wontfix"}, Type: &none}},
		{3, simulator.TicketEdit{Labels: &[]string{}}},
	}
	for _, ed := range edits {
		if err := sim.EditTicket(vendor, ed.id, ed.e); err != nil {
			t.Fatal(err)
		}
	}
	// And GitHub misbehaves before it shows them: server errors, a
	// malformed and a truncated body, an empty page. The syncs fail or
	// show nothing; nothing counted moves (Prometheus checks every scrape
	// below).
	for _, f := range []simulator.Fault{simulator.FaultServerError, simulator.FaultMalformed, simulator.FaultTruncated, simulator.FaultEmptyPage} {
		if err := sim.InjectSpec(vendor, simulator.KindGitHub, simulator.Spec{Fault: f, Requests: 2}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 30*time.Second, "D urgent", func() bool {
		s, _ = p.scrape()
		v, _ := s.get("support_tickets_open", "vendor", vendor, "priority", "urgent", "state", "awaiting_vendor")
		return v == 1
	})
	for _, reason := range []string{"http", "decode"} {
		if n, _ := s.get("support_source_errors_total", "vendor", vendor, "source", "issues", "kind", simulator.KindGitHub, "reason", reason); n == 0 {
			t.Errorf("support_source_errors_total{reason=%q} = 0: the faults were not played", reason)
		}
	}
	want["support_feature_request_acknowledgement_seconds_count"] = 3
	want["support_feature_request_acknowledgement_seconds_sum"] += 100*86400 - 600
	t.Run("after the vendor's edits", func(t *testing.T) { want.check(t, s, vendor) })

	// A restart recomputes every value from the store.
	waitFor(t, 30*time.Second, "Prometheus to scrape the edited values", func() bool {
		return promValue(prom.url, `support_feature_request_acknowledgement_seconds_count{vendor="`+vendor+`"}`) == 3
	})
	p.term()
	stopped := time.Now()
	p = startAt(t, p.addr, args...)
	waitFor(t, 30*time.Second, "the restarted exporter's first sync", func() bool {
		s, _ = p.scrape()
		up, _ := s.get("support_source_up", "vendor", vendor, "source", "issues", "kind", simulator.KindGitHub)
		return up == 1
	})
	t.Run("after a restart", func(t *testing.T) { want.check(t, s, vendor) })

	// What Prometheus stored: the values served, and no reset of any
	// feature-request counter or histogram series from the first scrape
	// through the edits and the restart.
	waitFor(t, 30*time.Second, "Prometheus to scrape the restarted exporter", func() bool {
		return promValue(prom.url, `timestamp(support_feature_requests_created_total{vendor="`+vendor+`"})`) > float64(stopped.UnixMilli())/1000
	})
	sel := `{vendor="` + vendor + `"}`
	checks := map[string]float64{
		`support_feature_request_outcomes_total{vendor="` + vendor + `",outcome="shipped"}`:      1,
		`support_feature_request_outcome_seconds_sum{vendor="` + vendor + `",outcome="shipped"}`: 40 * 86400,
		`support_feature_requests_open{vendor="` + vendor + `",age="90d_365d"}`:                  2,
	}
	for _, name := range []string{"support_feature_requests_created_total", "support_feature_request_outcomes_total",
		"support_feature_request_acknowledgement_seconds_count", "support_feature_request_acknowledgement_seconds_bucket",
		"support_feature_request_outcome_seconds_count", "support_feature_request_outcome_seconds_bucket"} {
		checks["sum(resets("+name+sel+"[10m]))"] = 0
	}
	for expr, want := range checks {
		if got := promValue(prom.url, expr); got != want {
			t.Errorf("Prometheus: %s = %v, want %v", expr, got, want)
		}
	}
	// Those series span the restart: samples before it and after.
	if r, err := promInstant(prom.url, "support_feature_requests_created_total"+sel+"[10m]", time.Now()); err != nil || len(r) != 1 ||
		!r[0].Samples[0].At.Before(stopped) || !r[0].Samples[len(r[0].Samples)-1].At.After(stopped) {
		t.Errorf("Prometheus holds no samples on both sides of the restart (%v): %+v", err, r)
	}
	if t.Failed() {
		t.Logf("exposition:\n%s", grepLines(body, "feature"))
	}
}

// promValue is the value of a one-series instant query now; NaN when it
// fails or returns another number of series.
func promValue(base, expr string) float64 {
	r, err := promInstant(base, expr, time.Now())
	if err != nil || len(r) != 1 || len(r[0].Samples) != 1 {
		return math.NaN()
	}
	return r[0].Samples[0].Value
}

func outcome(s series, vendor, o string) float64 {
	v, _ := s.get("support_feature_request_outcomes_total", "vendor", vendor, "outcome", o)
	return v
}

func gauge(s series, vendor, age string) float64 {
	v, _ := s.get("support_feature_requests_open", "vendor", vendor, "age", age)
	return v
}

// grepLines are the lines of text holding sub.
func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
