package e2e

import (
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/alerts"
	"github.com/support-exporter/support_exporter/simulator"
)

const (
	backfillStep     = 6 * time.Hour
	complianceWindow = 30 * day
	// backfillJob is the job label the shipped recording rules select.
	backfillJob = "support_exporter"
)

// backfillNow is the simulated vendors' frozen "now": four days ago, so
// that every SLA deadline of a ticket still open then (72 h at most) has
// passed before the backfill runs, and nothing the exporter serves moves
// between the backfill's last sample and the live scrapes after it.
var backfillNow = time.Now().Add(-4 * day).Truncate(time.Second)

// backfillVendor is one simulated vendor of the backfill test: two years of
// history through one ticket source and one status page.
type backfillVendor struct {
	sim                 simulator.Vendor
	ticketKind          string
	statusKind          string
	firstResponse       map[string]string // priority -> target, as configured
	unsetPriority       string            // what a ticket without priority counts as through ticketKind
	solveMinutesOnly    bool              // the API dates the first solve in whole minutes after creation
	statusNeedsTimezone bool              // the status page's times carry no zone
}

var backfillVendors = []backfillVendor{
	{
		sim: simulator.Vendor{
			Name: "slowco", Persona: simulator.SlowThorough, Timezone: "Europe/Berlin",
			History: 2 * 365 * day, Tickets: 3000, IncidentsPerWeek: 2, MaintenancesPerWeek: 1,
		},
		ticketKind: simulator.KindZendesk, statusKind: simulator.KindStatuspage,
		firstResponse: map[string]string{"urgent": "1h", "high": "4h", "normal": "8h", "low": "24h"},
		unsetPriority: "normal",
		// Zendesk's metric set gives first_resolution_time_in_minutes only.
		solveMinutesOnly: true,
	},
	{
		sim: simulator.Vendor{
			Name: "quickco", Persona: simulator.FastShallow, Timezone: "America/New_York",
			History: 2 * 365 * day, Tickets: 3000, IncidentsPerWeek: 1, MaintenancesPerWeek: 1,
		},
		ticketKind: simulator.KindFreshdesk, statusKind: simulator.KindCachet,
		firstResponse: map[string]string{"urgent": "5m", "high": "10m", "normal": "15m", "low": "30m"},
		// Freshdesk has no unset priority: such a ticket is Low there.
		unsetPriority:       "low",
		statusNeedsTimezone: true,
	},
}

// TestBackfillJoinsLiveScrapes is issue 6's acceptance: two years of two
// vendors' history, backfilled into OpenMetrics, turned into blocks by
// promtool, read by a real Prometheus that then scrapes the exporter live.
// The 30-day first-response compliance over the two years equals what the
// simulator's tickets give, and no series jumps or resets at the seam.
func TestBackfillJoinsLiveScrapes(t *testing.T) {
	promBin, promtool := lookPath(t, "prometheus", "prometheus"), lookPath(t, "promtool", "prometheus")
	dir := t.TempDir()
	sim, cfgPath, historyStart := startBackfillWorld(t, dir)
	args := []string{"--config.file=" + cfgPath, "--storage.path=" + filepath.Join(dir, "store")}

	// a. A complete sync into the store, then stop: the store is locked
	// while the exporter runs.
	began := time.Now()
	exp := start(t, nil, args...)
	addr := exp.addr
	waitEvery(t, 3*time.Minute, time.Second, "every source synced with every ticket", func() bool {
		s, _ := exp.scrape()
		return backfillSynced(sim, s)
	})
	exp.term()
	t.Logf("sync: %s", time.Since(began).Round(100*time.Millisecond))

	// b. The backfill, up to a known instant: the seam.
	to := time.Now().UTC().Truncate(time.Second)
	outDir := filepath.Join(dir, "backfill")
	began = time.Now()
	out, err := exec.Command(binary, append([]string{"backfill"}, append(args, "--output="+outDir, "--step="+model.Duration(backfillStep).String(),
		"--to="+to.Format(time.RFC3339), "--label=job="+backfillJob, "--label=instance="+addr)...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("backfill: %v\n%s", err, tail(string(out), 30))
	}
	files, size := backfillFiles(t, outDir)
	t.Logf("backfill: %s, %d files, %d bytes in all", time.Since(began).Round(100*time.Millisecond), len(files), size)

	// c. One block per file.
	promData := filepath.Join(dir, "prometheus")
	began = time.Now()
	for _, f := range files {
		if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet",
			"--max-block-duration=486h", f, promData).CombinedOutput(); err != nil {
			t.Fatalf("promtool on %s: %v\n%s", filepath.Base(f), err, tail(string(out), 20))
		}
	}
	blocks, err := filepath.Glob(filepath.Join(promData, "01*"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("promtool: %s, %d blocks, %d bytes in all", time.Since(began).Round(100*time.Millisecond), len(blocks), dirSize(t, promData))
	if len(blocks) != len(files) {
		t.Errorf("promtool made %d blocks of %d files, want one per file", len(blocks), len(files))
	}

	// d. The exporter again, same store and address, and Prometheus on the
	// blocks scraping it.
	startAt(t, addr, args...)
	prom := startPrometheus(t, promBin, dir, promData, addr)
	waitFor(t, time.Minute, "three live scrapes", func() bool {
		got, err := promInstant(prom.url, `count_over_time(up{job="`+backfillJob+`"}[1m]) >= 3`, time.Now())
		return err == nil && len(got) == 1
	})

	// e. Monthly first-response compliance over the two years.
	verdicts := map[string]clockVerdicts{}
	for _, v := range backfillVendors {
		verdicts[v.sim.Name] = firstResponseVerdicts(t, v, sim.Truth(v.sim.Name, backfillNow))
	}
	first := historyStart.Add(complianceWindow)
	last := time.Unix(to.Unix()/int64(backfillStep.Seconds())*int64(backfillStep.Seconds()), 0).UTC()
	checkCompliance(t, prom.url, verdicts, first, last)

	// f. The seam.
	checkSeam(t, prom.url, to)

	// The trends dashboard reads recording rules only: their history comes
	// from promtool too.
	checkRuleBackfill(t, promtool, prom, dir, first, last)
}

// startBackfillWorld starts the simulated vendors and writes the exporter's
// config; history_start is the UTC day before the oldest ticket.
func startBackfillWorld(t *testing.T, dir string) (*simulator.Sim, string, time.Time) {
	t.Helper()
	sim, historyStart := startFrozenSim(t, 6, backfillVendors)

	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global:\n  poll_interval: 1s\n  request_timeout: 10s\n  history_start: %s\ncalendars:\n",
		historyStart.Format(time.DateOnly))
	for _, v := range backfillVendors {
		fmt.Fprintf(&cfg, "  %s:\n    timezone: %s\n    hours: \"09:00-18:00\"\n", v.sim.Name, v.sim.Timezone)
	}
	cfg.WriteString("vendors:\n")
	for _, v := range backfillVendors {
		var targets []string
		for _, p := range []string{"urgent", "high", "normal", "low"} {
			targets = append(targets, p+": "+v.firstResponse[p])
		}
		fmt.Fprintf(&cfg, `  - name: %[1]s
    calendar: %[1]s
    sla:
      clock: calendar
      first_response: {%[2]s}
      resolution: {urgent: 24h, high: 72h}
      maintenance_notice: 72h
    escalation:
      tags: [escalated]
    tickets:
      - name: helpdesk
`, v.sim.Name, strings.Join(targets, ", "))
		cfg.WriteString(sourceYAML(t, sim, v.sim.Name, v.ticketKind, false))
		fmt.Fprintf(&cfg, "    status_pages:\n      - name: status\n        kind: %s\n        url: %s\n",
			v.statusKind, sim.URL(v.sim.Name, v.statusKind))
		if v.statusNeedsTimezone {
			fmt.Fprintf(&cfg, "        timezone: %s\n", v.sim.Timezone)
		}
	}
	cfgPath := filepath.Join(dir, "support_exporter.yml")
	writeFile(t, cfgPath, cfg.String())
	return sim, cfgPath, historyStart
}

// startFrozenSim starts the simulated vendors frozen at backfillNow
// (stopped when the test ends) and returns them with the history_start
// that holds their every ticket: the UTC day before the oldest.
func startFrozenSim(t *testing.T, seed int64, vendors []backfillVendor) (*simulator.Sim, time.Time) {
	t.Helper()
	var simVendors []simulator.Vendor
	oldest := backfillNow
	for _, v := range vendors {
		simVendors = append(simVendors, v.sim)
		if from := backfillNow.Add(-v.sim.History); from.Before(oldest) {
			oldest = from
		}
	}
	sim, err := simulator.New(simulator.Options{
		Seed: seed, Start: backfillNow, Clock: func() time.Time { return backfillNow }, Vendors: simVendors, ExportRequestsPerMinute: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim, oldest.UTC().Truncate(day).Add(-day)
}

// backfillSynced reports whether every source has completed a sync and
// the store holds every ticket of the simulator.
func backfillSynced(sim *simulator.Sim, s series) bool {
	for _, v := range backfillVendors {
		name := v.sim.Name
		for source, kind := range map[string]string{"helpdesk": v.ticketKind, "status": v.statusKind} {
			if at, _ := s.get("support_source_last_success_timestamp_seconds", "vendor", name, "source", source, "kind", kind); at == 0 {
				return false
			}
		}
		if int(s.sum("support_tickets_created_total", "vendor", name)) != len(sim.Truth(name, backfillNow).Tickets) {
			return false
		}
	}
	return true
}

// backfillFiles lists the OpenMetrics files in time order, checks that
// each starts on promtool's 486h block grid, and adds up their sizes.
func backfillFiles(t *testing.T, dir string) ([]string, int64) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "support_exporter-*.om"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no OpenMetrics file in %s (%v)", dir, err)
	}
	sort.Strings(files)
	var size int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		size += fi.Size()
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "support_exporter-"), ".om")
		at, err := time.Parse("20060102T150405Z", name)
		if err != nil {
			t.Errorf("%s: the name is no range start: %v", f, err)
		} else if at.Unix()%int64((486*time.Hour).Seconds()) != 0 {
			t.Errorf("%s starts off promtool's 486h block grid", f)
		}
	}
	return files, size
}

// clockVerdicts are when a vendor's first-response clocks count, as an
// exporter running all along would have counted them: a met clock is
// checked from the instant it stopped on, a missed one is checked and
// breached from just after its deadline.
type clockVerdicts struct {
	met       []time.Time // sorted
	deadlines []time.Time // of the breached clocks, sorted
}

// firstResponseVerdicts computes the verdicts from the simulator's tickets.
// The clock stops at the first reply or the first solve, whichever comes
// first; priorities are those of the sync (the exporter pins a ticket's
// labels when it first stores it).
func firstResponseVerdicts(t *testing.T, v backfillVendor, truth simulator.Truth) clockVerdicts {
	t.Helper()
	var c clockVerdicts
	for _, tk := range truth.Tickets {
		priority := tk.Priority
		if priority == "" {
			priority = v.unsetPriority
		}
		target, err := time.ParseDuration(v.firstResponse[priority])
		if err != nil {
			t.Fatalf("vendor %s: priority %q has no target: %v", v.sim.Name, priority, err)
		}
		solve := tk.FirstSolve
		if v.solveMinutesOnly && !solve.IsZero() {
			solve = tk.Created.Add(solve.Sub(tk.Created).Truncate(time.Minute))
		}
		stop := tk.FirstReply
		if stop.IsZero() || (!solve.IsZero() && solve.Before(stop)) {
			stop = solve
		}
		deadline := tk.Created.Add(target)
		if !stop.IsZero() && !stop.After(deadline) {
			c.met = append(c.met, stop)
		} else {
			c.deadlines = append(c.deadlines, deadline)
		}
	}
	slices.SortFunc(c.met, time.Time.Compare)
	slices.SortFunc(c.deadlines, time.Time.Compare)
	return c
}

// at is the counters' values at an instant: checks and breaches so far.
func (c clockVerdicts) at(t time.Time) (checks, breaches int) {
	met, _ := slices.BinarySearchFunc(c.met, t, func(e, t time.Time) int {
		if e.After(t) {
			return 1
		}
		return -1
	})
	breaches, _ = slices.BinarySearchFunc(c.deadlines, t, time.Time.Compare)
	return met + breaches, breaches
}

// compliance is 30-day first-response compliance ending at t.
func (c clockVerdicts) compliance(t time.Time) (ratio float64, checks int) {
	checksEnd, breachesEnd := c.at(t)
	checksStart, breachesStart := c.at(t.Add(-complianceWindow))
	checks = checksEnd - checksStart
	return 1 - float64(breachesEnd-breachesStart)/float64(checks), checks
}

const complianceQuery = `1 - sum by (vendor) (increase(support_ticket_sla_breaches_total{job="` + backfillJob + `",target="first_response"}[30d]))
  / sum by (vendor) (increase(support_ticket_sla_checks_total{job="` + backfillJob + `",target="first_response"}[30d]))`

// checkCompliance compares every point of the range query with the
// simulator's truth: on the backfill's grid, range selectors hold samples
// on both ends and increase() is the exact difference.
func checkCompliance(t *testing.T, prom string, verdicts map[string]clockVerdicts, first, last time.Time) {
	t.Helper()
	query := complianceQuery
	if promMajor(t, prom) >= 3 { // increase() extrapolates there: asDifferences
		query = asDifferences(query)
	}
	got, err := promRange(prom, query, first, last, backfillStep)
	if err != nil {
		t.Fatalf("compliance range query: %v", err)
	}
	points := int(last.Sub(first)/backfillStep) + 1
	if len(got) != len(verdicts) {
		t.Fatalf("compliance for %d vendors, want %d: %v", len(got), len(verdicts), got)
	}
	for _, s := range got {
		vendor := s.Labels["vendor"]
		c, ok := verdicts[vendor]
		if !ok {
			t.Fatalf("compliance of an unknown vendor %q", vendor)
		}
		if len(s.Samples) != points {
			t.Errorf("%s: %d points, want %d: the history has holes", vendor, len(s.Samples), points)
		}
		var wrong []string
		minChecks, lowest, highest := math.MaxInt, 1.0, 0.0
		for _, p := range s.Samples {
			want, checks := c.compliance(p.At)
			minChecks, lowest, highest = min(minChecks, checks), min(lowest, want), max(highest, want)
			if checks == 0 {
				t.Fatalf("%s: no first-response clock ended in the 30 days to %s: the world proves nothing there", vendor, p.At)
			}
			if p.Value != want { // integer counts divided alike: no rounding to allow for
				wrong = append(wrong, fmt.Sprintf("%s: %v, want %v (%d checks)", p.At.Format(time.RFC3339), p.Value, want, checks))
			}
		}
		t.Logf("%s: %d points of 30-day compliance from %.3f to %.3f, at least %d clocks each", vendor, len(s.Samples), lowest, highest, minChecks)
		if len(wrong) > 0 {
			t.Errorf("%s: %d of %d points differ from the simulator's truth:\n%s", vendor, len(wrong), len(s.Samples), strings.Join(wrong[:min(len(wrong), 20)], "\n"))
		}
	}
}

// backfilledGauges are the gauges the backfill writes besides every
// counter and histogram of the catalog.
var backfilledGauges = []string{
	"support_tickets_breaching_sla",
	"support_ticket_oldest_unanswered_created_timestamp_seconds",
	"support_status_incidents_open",
	"support_status_incident_oldest_last_update_timestamp_seconds",
	"support_status_next_maintenance_timestamp_seconds",
}

// catalogCounters are the counter and histogram series names of the metric
// catalog (docs/metrics.md, the sections before the contract and the
// exporter's own metrics), histograms as their _bucket, _sum and _count.
func catalogCounters(t *testing.T) []string {
	t.Helper()
	doc, err := readRepoFile("docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	catalog, _, ok := strings.Cut(string(doc), "\n## The contract")
	if !ok {
		t.Fatal("docs/metrics.md has no \"## The contract\" section: where does the catalog end?")
	}
	var names []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(support_[a-z_]+)` \\| (counter|histogram) \\|").FindAllStringSubmatch(catalog, -1) {
		if m[2] == "histogram" {
			names = append(names, m[1]+"_bucket", m[1]+"_sum", m[1]+"_count")
		} else {
			names = append(names, m[1])
		}
	}
	if len(names) < 20 {
		t.Fatalf("only %d counter and histogram series names found in docs/metrics.md", len(names))
	}
	return names
}

// checkSeam compares, series by series, the last backfilled sample (at to)
// with the live scrapes after it: every backfilled series is served live
// with the same value (the simulated vendors are frozen) and no counter
// reset, and every live series of the backfilled catalog families was
// backfilled.
func checkSeam(t *testing.T, prom string, to time.Time) {
	t.Helper()
	catalog := map[string]bool{}
	for _, name := range append(catalogCounters(t), backfilledGauges...) {
		catalog[name] = true
	}
	now := time.Now()
	window := fmt.Sprintf("%dms", now.Sub(to).Milliseconds()+1000) // from just before to
	raw, err := promInstant(prom, fmt.Sprintf(`{__name__=~"support_.+",job=%q}[%s]`, backfillJob, window), now)
	if err != nil {
		t.Fatalf("samples around the seam: %v", err)
	}
	var problems []string
	joined := 0
	counters := map[string]bool{} // names of the backfilled counter and histogram series
	for _, s := range raw {
		name := s.Labels["__name__"]
		var backfilled *promSample
		var after []promSample
		for i, p := range s.Samples {
			switch {
			case p.At.Equal(to):
				backfilled = &s.Samples[i]
			case p.At.After(to):
				after = append(after, p)
			}
		}
		switch {
		case backfilled == nil && catalog[name]:
			problems = append(problems, s.key()+": served live, not backfilled")
		case backfilled == nil: // the exporter's own metrics are live only
		case len(after) == 0:
			problems = append(problems, s.key()+": backfilled, not served live")
		default:
			joined++
			if !slices.Contains(backfilledGauges, name) {
				counters[name] = true
			}
			for _, p := range after {
				if p.Value != backfilled.Value {
					problems = append(problems, fmt.Sprintf("%s: %v at the seam, %v live at %s", s.key(), backfilled.Value, p.Value, p.At.Format(time.RFC3339)))
					break
				}
			}
		}
	}
	if joined < 100 {
		t.Errorf("only %d series on both sides of the seam", joined)
	}
	for _, name := range slices.Sorted(maps.Keys(counters)) {
		resets, err := promInstant(prom, fmt.Sprintf(`resets(%s{job=%q}[%s])`, name, backfillJob, window), now)
		if err != nil {
			t.Fatalf("resets of %s: %v", name, err)
		}
		for _, r := range resets {
			if r.Samples[0].Value != 0 {
				problems = append(problems, fmt.Sprintf("%s%s: %v resets across the seam", name, r.key(), r.Samples[0].Value))
			}
		}
	}
	t.Logf("seam: %d series on both sides, %d counter and histogram series names without reset", joined, len(counters))
	if len(problems) > 0 {
		slices.Sort(problems)
		t.Errorf("%d problems at the seam:\n%s", len(problems), strings.Join(problems[:min(len(problems), 30)], "\n"))
	}
}

// checkRuleBackfill backfills the 30-day SLA breach ratio, the recording
// rule the trends dashboard's monthly compliance panel reads, with promtool
// from the Prometheus holding the backfilled counters, and requires the
// recorded history to equal the rule's expression evaluated at the same
// instants, over the two years. The rule is the backfill rules file's,
// evaluated daily here (the file says hourly, and holds every trend rule:
// too long for a test).
func checkRuleBackfill(t *testing.T, promtool string, prom *promServer, dir string, first, last time.Time) {
	t.Helper()
	record := alerts.SLABreachRatio.Over(alerts.Window30d)
	expr := shippedRule(t, record)
	rulesPath := filepath.Join(dir, "trend.rules.yml")
	writeFile(t, rulesPath, fmt.Sprintf("groups:\n  - name: backfill\n    interval: 1d\n    rules:\n      - record: %s\n        expr: %q\n", record, expr))
	outDir := filepath.Join(dir, "rule-blocks")
	began := time.Now()
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "rules", "--quiet", "--max-block-duration=486h",
		"--url="+prom.url, "--start="+first.Format(time.RFC3339), "--end="+last.Format(time.RFC3339),
		"--output-dir="+outDir, rulesPath).CombinedOutput(); err != nil {
		t.Fatalf("promtool create-blocks-from rules: %v\n%s", err, tail(string(out), 20))
	}
	blocks, err := filepath.Glob(filepath.Join(outDir, "01*"))
	if err != nil || len(blocks) == 0 {
		t.Fatalf("promtool wrote no rule block (%v)", err)
	}
	for _, b := range blocks {
		if err := os.Rename(b, filepath.Join(prom.dataDir, filepath.Base(b))); err != nil {
			t.Fatal(err)
		}
	}
	prom.restart()
	t.Logf("rule backfill: %s, %d blocks", time.Since(began).Round(100*time.Millisecond), len(blocks))

	recorded, err := promInstant(prom.url, fmt.Sprintf(`%s{job=%q,target="first_response"}[%dh]`, record, backfillJob, int(time.Since(first).Hours())+1), time.Now())
	if err != nil {
		t.Fatalf("recorded series: %v", err)
	}
	if len(recorded) != len(backfillVendors) {
		t.Fatalf("%d recorded series, want one per vendor: %v", len(recorded), recorded)
	}
	for _, r := range recorded {
		vendor := r.Labels["vendor"]
		samples := r.Samples
		if n := int(last.Sub(first) / day); len(samples) < n {
			t.Errorf("%s: %d recorded days over the two years, want %d", vendor, len(samples), n)
			continue
		}
		evaluated, err := promRange(prom.url, expr, samples[0].At, samples[len(samples)-1].At, day)
		if err != nil {
			t.Fatalf("evaluating the rule: %v", err)
		}
		i := slices.IndexFunc(evaluated, func(e promSeries) bool {
			return e.Labels["vendor"] == vendor && e.Labels["target"] == "first_response"
		})
		if i < 0 {
			t.Fatalf("%s: the rule's expression gives no first-response series", vendor)
		}
		if !slices.EqualFunc(samples, evaluated[i].Samples, sameSample) {
			t.Errorf("%s: the recorded history differs from the rule's expression: %d recorded samples, %d evaluated",
				vendor, len(samples), len(evaluated[i].Samples))
		}
	}
}

// sameSample is equality of time and value, NaN equal to NaN (a window
// without any clock). Values may differ in their last bits: the rules sum
// what max without (instance, pod) returns (docs/ha.md), and Prometheus
// adds a range query's series in no fixed order, so two evaluations of
// one expression can round differently (0.15833333333333333 and
// 0.15833333333333335).
func sameSample(a, b promSample) bool {
	return a.At.Equal(b.At) && (a.Value == b.Value || math.Abs(a.Value-b.Value) <= 1e-12*math.Abs(a.Value) ||
		math.IsNaN(a.Value) && math.IsNaN(b.Value))
}

// shippedRule is the expression of a recording rule of the shipped backfill
// rules file.
func shippedRule(t *testing.T, record string) string {
	t.Helper()
	b, err := readRepoFile("alerts/" + alerts.BackfillRulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Rules []struct {
				Record string `yaml:"record"`
				Expr   string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		t.Fatalf("%s: %v", alerts.BackfillRulesFile, err)
	}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			if r.Record == record {
				return r.Expr
			}
		}
	}
	t.Fatalf("%s records no %s", alerts.BackfillRulesFile, record)
	return ""
}

// dirSize adds up the sizes of the files under dir.
func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var size int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		size += fi.Size()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return size
}
