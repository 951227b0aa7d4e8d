package e2e

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/alerts"
	"github.com/support-exporter/support_exporter/simulator"
)

// longTermVendors are the vendors of the long-term store test: the
// backfill test's two, with a hundred days of history instead of two
// years, enough for seventy days of 30-day windows, each holding a few
// hundred first-response clocks.
var longTermVendors = func() []backfillVendor {
	vendors := slices.Clone(backfillVendors)
	for i := range vendors {
		vendors[i].sim.History = 100 * day
		vendors[i].sim.Tickets = 700
	}
	return vendors
}()

// TestRemoteWriteToVictoriaMetrics is issue 16's long-term store: Debian's
// VictoriaMetrics single node (`victoria-metrics`), fed the way
// docs/long-term-storage.md tells a user to feed it:
//   - history: the exporter's backfill (OpenMetrics) imported through
//     VictoriaMetrics' /api/v1/import/prometheus, since remote_write carries
//     only what Prometheus ingests live, never blocks made by promtool;
//   - live: a real Prometheus scraping the exporter, evaluating the shipped
//     recording rules (alerts/support_exporter.rules.yml, the one change
//     being a shorter group interval) and remote_writing both to it.
//
// Prometheus gets the same history as promtool blocks. The 30-day SLA
// breach ratio, the shipped rule's expression evaluated by
// VictoriaMetrics (MetricsQL) over the imported history, equals at every
// history step Prometheus' evaluation of the same expression and the ratio
// computed by hand from the simulator's tickets; the recorded series
// remote-written by Prometheus arrive in VictoriaMetrics sample for sample;
// vmalert's replay records the same rule over the history with the same
// values; and history and live samples join in one series per label set
// there.
func TestRemoteWriteToVictoriaMetrics(t *testing.T) {
	promBin, promtool := lookPath(t, "prometheus", "prometheus"), lookPath(t, "promtool", "prometheus")
	vmBin := lookPath(t, "victoria-metrics", "victoria-metrics")
	began := time.Now()
	dir := t.TempDir()
	sim, cfgPath, historyStart := startHistoryWorld(t, dir, longTermVendors)
	args := []string{"--config.file=" + cfgPath, "--storage.path=" + filepath.Join(dir, "store")}

	// A complete sync, then the backfill up to a known instant: the seam.
	exp := start(t, nil, args...)
	addr := exp.addr
	waitEvery(t, 2*time.Minute, time.Second, "every source synced with every ticket", func() bool {
		s, _ := exp.scrape()
		return historySynced(sim, longTermVendors, s)
	})
	exp.term()
	to := time.Now().UTC().Truncate(time.Second)
	outDir := filepath.Join(dir, "backfill")
	if out, err := exec.Command(binary, append([]string{"backfill"}, append(args, "--output="+outDir, "--step="+model.Duration(backfillStep).String(),
		"--to="+to.Format(time.RFC3339), "--label=job="+backfillJob, "--label=instance="+addr)...)...).CombinedOutput(); err != nil {
		t.Fatalf("backfill: %v\n%s", err, tail(string(out), 30))
	}
	files, size := backfillFiles(t, outDir)
	t.Logf("sync and backfill: %s, %d files, %d bytes", time.Since(began).Round(100*time.Millisecond), len(files), size)

	// Prometheus' history: promtool blocks. VictoriaMetrics': the same
	// files through its import API.
	promData := filepath.Join(dir, "prometheus")
	for _, f := range files {
		if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet",
			"--max-block-duration=486h", f, promData).CombinedOutput(); err != nil {
			t.Fatalf("promtool on %s: %v\n%s", filepath.Base(f), err, tail(string(out), 20))
		}
	}
	vm := startVictoriaMetrics(t, vmBin, filepath.Join(dir, "vm"))
	step := time.Now()
	for _, f := range files {
		importOpenMetrics(t, vm, f)
	}
	flushVictoriaMetrics(t, vm)
	t.Logf("import into VictoriaMetrics: %s", time.Since(step).Round(10*time.Millisecond))

	// Live: the exporter again on its address, Prometheus on the blocks
	// evaluating the shipped rules and writing to VictoriaMetrics.
	startAt(t, addr, args...)
	prom := startRemoteWritingPrometheus(t, promBin, dir, promData, addr, vm+"/api/v1/write")
	record := alerts.SLABreachRatio.Over(alerts.Window30d)
	liveSel := fmt.Sprintf(`%s{job=%q,target="first_response"}`, record, backfillJob)
	waitEvery(t, time.Minute, time.Second, "three live scrapes and recorded samples of each vendor in VictoriaMetrics", func() bool {
		flushVictoriaMetrics(t, vm)
		up, err := promInstant(vm, fmt.Sprintf("count_over_time(up{job=%q}[5m]) >= 3", backfillJob), time.Now())
		if err != nil || len(up) != 1 {
			return false
		}
		got, err := promInstant(vm, fmt.Sprintf("count_over_time(%s[5m]) >= 3", liveSel), time.Now())
		return err == nil && len(got) == len(longTermVendors)
	})
	flushVictoriaMetrics(t, vm)

	// The 30-day breach ratio over the history, every step.
	verdicts := map[string]clockVerdicts{}
	for _, v := range longTermVendors {
		verdicts[v.sim.Name] = firstResponseVerdicts(t, v, sim.Truth(v.sim.Name, backfillNow))
	}
	first := historyStart.Add(complianceWindow).Truncate(backfillStep).Add(backfillStep)
	last := to.Truncate(backfillStep)
	expr := shippedRecordingRule(t, "support_exporter.rules.yml", record)
	checkBreachRatioHistory(t, prom, vm, expr, verdicts, first, last, leftOpenRanges(t, promBin))

	// The trend rule's history recorded by vmalert's replay, as the docs
	// tell a VictoriaMetrics user to backfill it.
	checkVMAlertReplay(t, vm, dir, record, expr, verdicts, first, last)

	// The coverage query of docs/long-term-storage.md finds where the
	// history begins, in both stores.
	checkCoverageQuery(t, prom.url, vm, historyStart)

	// The recorded series, as Prometheus evaluated them live, arrive whole.
	checkRemoteWrittenRecords(t, prom, vm, liveSel, to)

	// History and live join: one series per label set, no step at the seam.
	checkVictoriaMetricsSeam(t, prom, vm, to)
	t.Logf("whole test: %s", time.Since(began).Round(100*time.Millisecond))
}

// startHistoryWorld is startBackfillWorld for the given vendors: the
// simulated vendors frozen at backfillNow, and the exporter's config;
// history_start is the UTC day before the oldest ticket.
func startHistoryWorld(t *testing.T, dir string, vendors []backfillVendor) (*simulator.Sim, string, time.Time) {
	t.Helper()
	sim, historyStart := startFrozenSim(t, 16, vendors)

	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global:\n  poll_interval: 1s\n  request_timeout: 10s\n  history_start: %s\ncalendars:\n",
		historyStart.Format(time.DateOnly))
	for _, v := range vendors {
		fmt.Fprintf(&cfg, "  %s:\n    timezone: %s\n    hours: \"09:00-18:00\"\n", v.sim.Name, v.sim.Timezone)
	}
	cfg.WriteString("vendors:\n")
	for _, v := range vendors {
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
    tickets:
      - name: helpdesk
`, v.sim.Name, strings.Join(targets, ", "))
		cfg.WriteString(sourceYAML(t, sim, v.sim.Name, v.ticketKind, false))
	}
	cfgPath := filepath.Join(dir, "support_exporter.yml")
	writeFile(t, cfgPath, cfg.String())
	return sim, cfgPath, historyStart
}

// historySynced reports whether every ticket source has completed a sync
// and the store holds every ticket of the simulator.
func historySynced(sim *simulator.Sim, vendors []backfillVendor, s series) bool {
	for _, v := range vendors {
		if at, _ := s.get("support_source_last_success_timestamp_seconds", "vendor", v.sim.Name, "source", "helpdesk", "kind", v.ticketKind); at == 0 {
			return false
		}
		if int(s.sum("support_tickets_created_total", "vendor", v.sim.Name)) != len(sim.Truth(v.sim.Name, backfillNow).Tickets) {
			return false
		}
	}
	return true
}

// startVictoriaMetrics runs a single-node VictoriaMetrics on loopback and
// returns its base URL once it answers. The retention keeps the history
// (the default, one month, would drop most of it); the response cache is
// off and the latency offset zero, so that a query sees every sample
// flushed before it, backfilled or just written.
func startVictoriaMetrics(t *testing.T, bin, dataDir string) string {
	t.Helper()
	addr := freeAddr(t)
	runDaemon(t, bin, "-storageDataPath="+dataDir, "-retentionPeriod=100y", "-httpListenAddr="+addr,
		"-search.disableCache", "-search.latencyOffset=0s", "-loggerLevel=WARN")
	base := "http://" + addr
	waitFor(t, 30*time.Second, "VictoriaMetrics ready", func() bool {
		code, _ := httpGet(base + "/health")
		return code == http.StatusOK
	})
	return base
}

// importOpenMetrics posts one backfill file to VictoriaMetrics' import API,
// as `curl --data-binary @file .../api/v1/import/prometheus` does.
func importOpenMetrics(t *testing.T, base, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	resp, err := (&http.Client{Timeout: time.Minute}).Post(base+"/api/v1/import/prometheus", "text/plain", f)
	if err != nil {
		t.Fatalf("importing %s: %v", filepath.Base(path), err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("importing %s: %s", filepath.Base(path), resp.Status)
	}
}

// flushVictoriaMetrics makes what VictoriaMetrics has received searchable.
func flushVictoriaMetrics(t *testing.T, base string) {
	t.Helper()
	if code, body := httpGet(base + "/internal/force_flush"); code != http.StatusOK {
		t.Fatalf("force_flush: %d %s", code, body)
	}
}

// startRemoteWritingPrometheus runs Prometheus on dataDir (holding the
// backfilled blocks) scraping the exporter at target every second,
// evaluating the shipped recording rules every second (they say 1m: the
// only change) and writing everything it ingests to writeURL.
func startRemoteWritingPrometheus(t *testing.T, bin, dir, dataDir, target, writeURL string) *promServer {
	t.Helper()
	b, err := readRepoFile("alerts/support_exporter.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	rules := regexp.MustCompile(`(?m)^(\s+interval:) .*$`).ReplaceAllString(string(b), "${1} 1s")
	rulesPath := filepath.Join(dir, "support_exporter.rules.yml")
	writeFile(t, rulesPath, rules)
	cfg := filepath.Join(dir, "prometheus-rw.yml")
	writeFile(t, cfg, fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%s]
scrape_configs:
  - job_name: %s
    static_configs:
      - targets: ['%s']
remote_write:
  - url: %s
    queue_config:
      batch_send_deadline: 1s
`, rulesPath, backfillJob, target, writeURL))
	return runPrometheus(t, bin, cfg, dataDir)
}

// shippedRecordingRule is the expression of a recording rule in a shipped
// rules file under alerts/.
func shippedRecordingRule(t *testing.T, file, record string) string {
	t.Helper()
	b, err := readRepoFile("alerts/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Record string `yaml:"record"`
				Expr   string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Record == record {
				return r.Expr
			}
		}
	}
	t.Fatalf("%s records no %s", file, record)
	return ""
}

// checkBreachRatioHistory evaluates the rule's expression over the
// history, every backfill step from first to last, in Prometheus and in
// VictoriaMetrics, and compares both with the ratio from the simulator's
// tickets: breaches over checks of the clocks that ended in the 30 days.
// On the backfill's grid a 30-day window has a sample on both ends, so
// Prometheus' increase() is the exact difference (no extrapolation) and
// MetricsQL's, which takes the last sample before the window, is the same.
//
// Prometheus 3 leaves a range's first instant out (its windows are open on
// the left): the sample at the window's start is not read, increase()
// extrapolates from the next one, 6 hours later, and the ratio is no exact
// count. With Prometheus 3 (leftOpen) only VictoriaMetrics is compared.
func checkBreachRatioHistory(t *testing.T, prom *promServer, vm, expr string, verdicts map[string]clockVerdicts, first, last time.Time, leftOpen bool) {
	t.Helper()
	points := int(last.Sub(first)/backfillStep) + 1
	if points < 200 {
		t.Fatalf("only %d history steps from %s to %s", points, first, last)
	}
	stores := map[string]string{"prometheus": prom.url, "victoriametrics": vm}
	compared := []string{"prometheus", "victoriametrics"}
	if leftOpen {
		t.Logf("Prometheus 3: its windows leave the sample at their start out; the history is compared in VictoriaMetrics only")
		compared = compared[1:]
	}
	for _, store := range compared {
		got, err := promRange(stores[store], expr, first, last, backfillStep)
		if err != nil {
			t.Fatalf("%s: the rule's expression over the history: %v", store, err)
		}
		seen := 0
		for _, s := range got {
			if s.Labels["target"] != "first_response" {
				continue
			}
			vendor := s.Labels["vendor"]
			c, ok := verdicts[vendor]
			if !ok {
				t.Fatalf("%s: a ratio for an unknown vendor %q", store, vendor)
			}
			seen++
			if len(s.Samples) != points {
				t.Errorf("%s: %s: %d points, want %d: the history has holes", store, vendor, len(s.Samples), points)
			}
			var wrong []string
			lowest, highest, fewest := math.Inf(1), math.Inf(-1), math.MaxInt
			for _, p := range s.Samples {
				checksEnd, breachesEnd := c.at(p.At)
				checksStart, breachesStart := c.at(p.At.Add(-complianceWindow))
				checks := checksEnd - checksStart
				if checks == 0 {
					t.Fatalf("%s: no first-response clock ended in the 30 days to %s: the world proves nothing there", vendor, p.At)
				}
				want := float64(breachesEnd-breachesStart) / float64(checks)
				lowest, highest, fewest = min(lowest, want), max(highest, want), min(fewest, checks)
				if p.Value != want { // integer counts divided alike: no rounding to allow for
					wrong = append(wrong, fmt.Sprintf("%s: %v, want %v (%d checks)", p.At.Format(time.RFC3339), p.Value, want, checks))
				}
			}
			t.Logf("%s: %s: %d points of the 30-day breach ratio from %.4f to %.4f, at least %d clocks each", store, vendor, len(s.Samples), lowest, highest, fewest)
			if len(wrong) > 0 {
				t.Errorf("%s: %s: %d of %d points differ from the simulator's tickets:\n%s", store, vendor, len(wrong), len(s.Samples), strings.Join(wrong[:min(len(wrong), 20)], "\n"))
			}
		}
		if seen != len(verdicts) {
			t.Errorf("%s: first-response ratios for %d vendors, want %d", store, seen, len(verdicts))
		}
	}
}

// checkRemoteWrittenRecords compares the recorded series' samples since
// the seam in VictoriaMetrics with Prometheus' own: the same instants with
// the same values, none lost. VictoriaMetrics stores a value as a decimal
// of at most about 12 to 15 significant digits (1.79 keeps 0.42391304347826086
// as 0.423913043478): a recorded ratio is equal to a relative 1e-11, while
// a count, and so a ratio MetricsQL computes from counts, is exact. Prometheus still writes: VictoriaMetrics
// holds each series' samples up to some instant, in order (remote_write
// keeps a series on one shard), and is compared up to there.
func checkRemoteWrittenRecords(t *testing.T, prom *promServer, vm, sel string, to time.Time) {
	t.Helper()
	now := time.Now()
	window := fmt.Sprintf("%dms", now.Sub(to).Milliseconds()+1000)
	// VictoriaMetrics first: whatever it holds, Prometheus held before.
	got, err := promInstant(vm, fmt.Sprintf("%s[%s]", sel, window), now)
	if err != nil {
		t.Fatalf("victoriametrics: recorded samples: %v", err)
	}
	want, err := promInstant(prom.url, fmt.Sprintf("%s[%s]", sel, window), now)
	if err != nil {
		t.Fatalf("prometheus: recorded samples: %v", err)
	}
	byKey := map[string]promSeries{}
	for _, s := range got {
		byKey[s.key()] = s
	}
	if len(want) != len(longTermVendors) {
		t.Fatalf("prometheus recorded %d first-response series, want %d", len(want), len(longTermVendors))
	}
	for _, w := range want {
		g, ok := byKey[w.key()]
		if !ok {
			t.Errorf("%s: recorded in Prometheus, absent from VictoriaMetrics", w.key())
			continue
		}
		// Prometheus may hold a few samples not yet written.
		lastAt := g.Samples[len(g.Samples)-1].At
		var upTo []promSample
		for _, p := range w.Samples {
			if !p.At.After(lastAt) {
				upTo = append(upTo, p)
			}
		}
		if !slices.EqualFunc(upTo, g.Samples, sameStoredSample) {
			t.Errorf("%s: %d samples in Prometheus, %d in VictoriaMetrics, or their values differ:\nprometheus %v\nvictoriametrics %v", w.key(), len(upTo), len(g.Samples), upTo, g.Samples)
		}
		t.Logf("%s: %d recorded samples, the last %v", w.Labels["vendor"], len(g.Samples), g.Samples[len(g.Samples)-1].Value)
	}
}

// sameStoredSample is sameSample up to VictoriaMetrics' decimal storage.
func sameStoredSample(prom, vm promSample) bool {
	return prom.At.Equal(vm.At) && math.Abs(prom.Value-vm.Value) <= 1e-11*math.Abs(prom.Value)
}

// checkVictoriaMetricsSeam requires the SLA counters in VictoriaMetrics to
// be one series per label set across the seam: the imported sample at to
// and the remote-written live samples after it in the same series, with
// the same value (the vendors are frozen), as many series as Prometheus
// holds.
func checkVictoriaMetricsSeam(t *testing.T, prom *promServer, vm string, to time.Time) {
	t.Helper()
	now := time.Now()
	sel := fmt.Sprintf(`{__name__=~"support_ticket_sla_(checks|breaches)_total",job=%q}[%dms]`, backfillJob, now.Sub(to).Milliseconds()+1000)
	got, err := promInstant(vm, sel, now)
	if err != nil {
		t.Fatalf("victoriametrics: counters around the seam: %v", err)
	}
	var problems []string
	for _, s := range got {
		i := slices.IndexFunc(s.Samples, func(p promSample) bool { return p.At.Equal(to) })
		switch {
		case i < 0:
			problems = append(problems, s.key()+": no imported sample at the seam")
		case i == len(s.Samples)-1:
			problems = append(problems, s.key()+": no live sample after the seam")
		default:
			for _, p := range s.Samples[i+1:] {
				if p.Value != s.Samples[i].Value {
					problems = append(problems, fmt.Sprintf("%s: %v at the seam, %v live at %s", s.key(), s.Samples[i].Value, p.Value, p.At.Format(time.RFC3339)))
					break
				}
			}
		}
	}
	want, err := promInstant(prom.url, sel, now)
	if err != nil {
		t.Fatalf("prometheus: counters around the seam: %v", err)
	}
	if len(got) != len(want) || len(got) < 10 {
		problems = append(problems, fmt.Sprintf("%d SLA counter series in VictoriaMetrics, %d in Prometheus", len(got), len(want)))
	}
	t.Logf("seam in VictoriaMetrics: %d SLA counter series joined", len(got))
	if len(problems) > 0 {
		t.Errorf("%d problems at the seam:\n%s", len(problems), strings.Join(problems[:min(len(problems), 30)], "\n"))
	}
}

// TestShippedRulesLoadInVMAlert: vmalert (Debian's `victoria-metrics`
// ships it), which docs/long-term-storage.md suggests for evaluating the
// rules next to VictoriaMetrics, accepts both shipped rule files, every
// expression parsed and validated as MetricsQL (-dryRun exits non-zero
// on the first one it refuses).
func TestShippedRulesLoadInVMAlert(t *testing.T) {
	vmalert := lookPath(t, "vmalert", "victoria-metrics")
	for _, f := range []string{"support_exporter.rules.yml", "support_exporter.alerts.yml"} {
		out, err := exec.Command(vmalert, "-dryRun", "-rule.validateExpressions", "-rule.validateTemplates",
			"-rule="+filepath.Join("..", "alerts", f)).CombinedOutput()
		if err != nil {
			t.Errorf("vmalert -dryRun on %s: %v\n%s", f, err, tail(string(out), 10))
		}
	}
}

// checkVMAlertReplay records the 30-day breach ratio (and the 30-day SLA
// clock count, which the coverage query of the docs reads) over the history with
// vmalert's replay mode (-replay.timeFrom/-replay.timeTo: one range query
// per rule, the results written to VictoriaMetrics), every backfill step
// (-datasource.queryStep=0: the group's interval; its default, 5m, would
// evaluate every 5 minutes whatever the interval),
// and compares each recorded sample with the simulator's tickets. The
// replayed series carry ruler="vmalert" here, apart from those Prometheus
// writes live; a user replaying only the past needs no such label.
func checkVMAlertReplay(t *testing.T, vm, dir, record, expr string, verdicts map[string]clockVerdicts, first, last time.Time) {
	t.Helper()
	vmalert := lookPath(t, "vmalert", "victoria-metrics")
	rulesPath := filepath.Join(dir, "replay.rules.yml")
	checks := alerts.SLAChecks.Over(alerts.Window30d)
	writeFile(t, rulesPath, fmt.Sprintf("groups:\n  - name: replay\n    interval: %s\n    rules:\n      - record: %s\n        expr: %q\n      - record: %s\n        expr: %q\n",
		model.Duration(backfillStep), record, expr, checks, shippedRecordingRule(t, "support_exporter.rules.yml", checks)))
	began := time.Now()
	out, err := exec.Command(vmalert, "-rule="+rulesPath, "-datasource.url="+vm, "-remoteWrite.url="+vm,
		"-external.label=ruler=vmalert", "-datasource.queryStep=0", "-replay.timeFrom="+first.Format(time.RFC3339), "-replay.timeTo="+last.Format(time.RFC3339),
		"-replay.disableProgressBar", "-loggerLevel=WARN").CombinedOutput()
	if err != nil {
		t.Fatalf("vmalert replay: %v\n%s", err, tail(string(out), 20))
	}
	flushVictoriaMetrics(t, vm)
	t.Logf("vmalert replay: %s", time.Since(began).Round(10*time.Millisecond))
	points := int(last.Sub(first)/backfillStep) + 1
	got, err := promInstant(vm, fmt.Sprintf(`%s{ruler="vmalert",target="first_response"}[%dms]`, record, last.Sub(first).Milliseconds()+1000), last)
	if err != nil {
		t.Fatalf("replayed samples: %v", err)
	}
	if len(got) != len(verdicts) {
		t.Fatalf("vmalert recorded %d first-response series, want %d", len(got), len(verdicts))
	}
	for _, s := range got {
		vendor := s.Labels["vendor"]
		c := verdicts[vendor]
		if len(s.Samples) != points {
			t.Errorf("vmalert: %s: %d recorded steps, want %d", vendor, len(s.Samples), points)
		}
		var wrong []string
		for _, p := range s.Samples {
			checksEnd, breachesEnd := c.at(p.At)
			checksStart, breachesStart := c.at(p.At.Add(-complianceWindow))
			want := float64(breachesEnd-breachesStart) / float64(checksEnd-checksStart)
			if p.At.Sub(first)%backfillStep != 0 || !sameStoredSample(promSample{p.At, want}, p) {
				wrong = append(wrong, fmt.Sprintf("%s: %v, want %v", p.At.Format(time.RFC3339), p.Value, want))
			}
		}
		t.Logf("vmalert: %s: %d recorded steps", vendor, len(s.Samples))
		if len(wrong) > 0 {
			t.Errorf("vmalert: %s: %d of %d recorded steps differ from the simulator's tickets:\n%s", vendor, len(wrong), len(s.Samples), strings.Join(wrong[:min(len(wrong), 20)], "\n"))
		}
	}

	// The docs' query for the oldest point the trends dashboard can draw:
	// the first midnight (UTC) of the replayed history.
	drawable, err := promInstant(vm, recordedCoverageQuery, time.Now())
	wantDay := first.Add(day - time.Second).Truncate(day)
	if err != nil || len(drawable) != 1 || drawable[0].Samples[0].Value != float64(wantDay.Unix()) {
		t.Errorf("victoriametrics: the recorded series' coverage query gives %v (%v), want %d (%s)", drawable, err, wantDay.Unix(), wantDay.Format(time.RFC3339))
	}
}

// recordedCoverageQuery is the query docs/long-term-storage.md gives for
// the oldest point of the recorded series the trends dashboard draws.
const recordedCoverageQuery = `min by (job) (min_over_time(timestamp(vendor_target:support_ticket_sla_checks:increase30d{job="support_exporter"})[400d:1d]))`

// coverageQuery is the query docs/long-term-storage.md gives for the
// oldest sample the 30- and 90-day rules can read (a day's precision).
const coverageQuery = `min by (job) (min_over_time(timestamp(support_ticket_sla_checks_total{job="support_exporter"})[400d:1d]))`

// checkCoverageQuery requires the coverage query to give the first day of
// the history, the backfill's first sample, in Prometheus and in
// VictoriaMetrics.
func checkCoverageQuery(t *testing.T, prom, vm string, historyStart time.Time) {
	t.Helper()
	doc, err := readRepoFile("docs/long-term-storage.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{coverageQuery, recordedCoverageQuery} {
		if !strings.Contains(string(doc), "\n"+q+"\n") {
			t.Errorf("docs/long-term-storage.md does not give the query this test checks: %s", q)
		}
	}
	for store, base := range map[string]string{"prometheus": prom, "victoriametrics": vm} {
		got, err := promInstant(base, coverageQuery, time.Now())
		if err != nil {
			t.Fatalf("%s: coverage query: %v", store, err)
		}
		if len(got) != 1 || got[0].Samples[0].Value != float64(historyStart.Unix()) {
			t.Errorf("%s: coverage query gives %v, want %d (%s)", store, got, historyStart.Unix(), historyStart.Format(time.DateOnly))
		}
	}
}

// leftOpenRanges reports whether the Prometheus at bin leaves a range
// selector's first instant out, as Prometheus 3 does (2.x includes it).
func leftOpenRanges(t *testing.T, bin string) bool {
	t.Helper()
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", bin, err, out)
	}
	m := regexp.MustCompile(`version (\d+)\.`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("%s --version: no version in %q", bin, out)
	}
	return string(m[1]) != "2"
}
