package e2e

import (
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/alerts"
	"github.com/support-exporter/support_exporter/dashboards"
	"github.com/support-exporter/support_exporter/simulator"
)

// instancesStep is the backfill's step: 30 days hold 120 samples.
const instancesStep = 6 * time.Hour

// instancesNow is the simulated vendors' frozen "now", as in the backfill
// test: days enough before the exporters' own clock that every deadline of
// a ticket open then has passed.
var instancesNow = time.Now().Add(-4 * day).Truncate(day)

// instancesVendors are the two vendors every layout serves.
var instancesVendors = []backfillVendor{
	{
		sim: simulator.Vendor{
			Name: "slowco", Persona: simulator.SlowThorough, Timezone: "Europe/Berlin",
			History: 45 * day, Tickets: 240, IncidentsPerWeek: 2, MaintenancesPerWeek: 1,
		},
		ticketKind: simulator.KindZendesk, statusKind: simulator.KindStatuspage,
		firstResponse: map[string]string{"urgent": "1h", "high": "4h", "normal": "8h", "low": "24h"},
	},
	{
		sim: simulator.Vendor{
			Name: "quickco", Persona: simulator.FastShallow, Timezone: "America/New_York",
			History: 45 * day, Tickets: 240, IncidentsPerWeek: 1, MaintenancesPerWeek: 1,
		},
		ticketKind: simulator.KindFreshdesk, statusKind: simulator.KindCachet,
		firstResponse:       map[string]string{"urgent": "5m", "high": "10m", "normal": "15m", "low": "30m"},
		statusNeedsTimezone: true,
	},
}

// instanceRun is one exporter of a layout: the vendors its config holds and
// the labels Prometheus would give its series.
type instanceRun struct {
	vendors []backfillVendor
	labels  map[string]string
}

// TestInstancesAgree is issue 16's "correct across instances": the same
// two simulated vendors served by one exporter, by two shards (one vendor
// each) and by an HA pair (both vendors on both replicas, each replica its
// own store), every exporter syncing and backfilling its own history into
// one real Prometheus, one job per layout. The shipped rules' and
// dashboards' expressions, each with its layout's selector, give the same
// 30-day SLA compliance, first-response p90, tickets created and tickets
// open in all three layouts; without max without (instance, pod) the pair
// would count every ticket twice.
func TestInstancesAgree(t *testing.T) {
	promBin, promtool := lookPath(t, "prometheus", "prometheus"), lookPath(t, "promtool", "prometheus")
	began := time.Now()
	dir := t.TempDir()
	sim := startInstancesWorld(t)
	historyStart := instancesNow.Add(-45 * day).Truncate(day).Add(-day)
	to := instancesNow.Add(3 * day) // on the step grid: instancesNow is a whole day

	layouts := map[string][]instanceRun{
		"one": {{instancesVendors, map[string]string{"instance": "one:10043"}}},
		"shards": {
			{instancesVendors[:1], map[string]string{"instance": "shard-a:10043"}},
			{instancesVendors[1:], map[string]string{"instance": "shard-b:10043"}},
		},
		"ha": {
			{instancesVendors, map[string]string{"instance": "10.0.0.1:10043", "pod": "support-exporter-0"}},
			{instancesVendors, map[string]string{"instance": "10.0.0.2:10043", "pod": "support-exporter-1"}},
		},
	}
	promData := filepath.Join(dir, "prometheus")
	n := 0
	for job, runs := range layouts {
		for _, r := range runs {
			n++
			runDir := filepath.Join(dir, fmt.Sprintf("exporter-%d", n))
			backfillInstance(t, sim, runDir, historyStart, to, job, r, promtool, promData)
		}
	}
	t.Logf("%d exporters synced and backfilled: %s", n, time.Since(began).Round(100*time.Millisecond))

	prom := startQueryOnlyPrometheus(t, promBin, dir, promData)
	// The end of the history, and a week before the vendors' "now", when
	// tickets were still open past their targets.
	at, mid := to, instancesNow.Add(-7*day)
	figures := instanceFigures(t)
	// Prometheus 3's ranges leave their first instant out: over the
	// backfill's grid only the difference of the ends is exact, and the
	// hand count below needs exact figures (docs/prometheus.md).
	v3 := promMajor(t, prom.url) >= 3
	got := map[string]map[string]float64{} // layout -> figure{labels}@instant -> value
	for job := range layouts {
		got[job] = map[string]float64{}
		cfg := alerts.Default()
		cfg.Selector = `job="` + job + `"`
		for name, expr := range figures(cfg) {
			for _, instant := range []time.Time{at, mid} {
				if v3 {
					expr = asDifferences(expr)
				}
				series, err := promInstant(prom.url, expr, instant)
				if err != nil {
					t.Fatalf("%s %s: %v\n%s", job, name, err, expr)
				}
				for _, s := range series {
					delete(s.Labels, "job")
					got[job][name+s.key()+"@"+instant.Format(time.DateOnly)] = s.Samples[0].Value
				}
			}
		}
	}
	want := got["one"]
	if len(want) < 24 {
		t.Fatalf("one exporter gave only %d figures: %v", len(want), want)
	}
	for key, v := range want {
		if math.IsNaN(v) {
			t.Errorf("one exporter: %s is NaN: the window holds no data", key)
		}
	}
	for _, job := range []string{"shards", "ha"} {
		for key, v := range want {
			g, ok := got[job][key]
			if !ok || !(g == v || math.Abs(g-v) <= 1e-9*math.Abs(v)) {
				t.Errorf("%s: %s = %v (present %v), one exporter gives %v", job, key, g, ok, v)
			}
		}
		if len(got[job]) != len(want) {
			t.Errorf("%s gives %d figures, one exporter %d", job, len(got[job]), len(want))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		t.Logf("%s = %v", key, want[key])
	}

	// And one exporter's count is the simulator's: the tickets created in
	// the 30 days up to each instant.
	for _, v := range instancesVendors {
		for _, instant := range []time.Time{at, mid} {
			n := 0
			for _, tk := range sim.Truth(v.sim.Name, instancesNow).Tickets {
				if tk.Created.After(instant.Add(-30*day)) && !tk.Created.After(instant) {
					n++
				}
			}
			key := "tickets_created_30d" + promSeries{Labels: map[string]string{"vendor": v.sim.Name}}.key() + "@" + instant.Format(time.DateOnly)
			if want[key] != float64(n) {
				t.Errorf("%s = %v, the simulator created %d", key, want[key], n)
			}
		}
	}

	// The check can fail: the pair read without the dedupe counts twice.
	naive := alerts.Default()
	naive.Selector, naive.ReplicaLabels = `job="ha"`, nil
	created := dashboardExpr(t, naive, "support-scorecard.json", "increase(support_tickets_created_total{", map[string]string{"$window": "30d"})
	if v3 {
		created = asDifferences(created)
	}
	series, err := promInstant(prom.url, created, at)
	if err != nil || len(series) != 2 {
		t.Fatalf("naive tickets created: %v, %v", series, err)
	}
	for _, s := range series {
		one := want["tickets_created_30d"+promSeries{Labels: map[string]string{"vendor": s.Labels["vendor"]}}.key()+"@"+at.Format(time.DateOnly)]
		if s.Samples[0].Value != 2*one {
			t.Errorf("without replica labels the pair gives %v tickets for %s, want twice %v", s.Samples[0].Value, s.Labels["vendor"], one)
		}
	}
	t.Logf("whole test: %s", time.Since(began).Round(100*time.Millisecond))
}

// instanceFigures returns, per figure, the expression the shipped rules
// (RecordingRules) or dashboards (Render) evaluate for a config.
func instanceFigures(t *testing.T) func(alerts.Config) map[string]string {
	return func(cfg alerts.Config) map[string]string {
		t.Helper()
		rules := recordedExprs(t, cfg)
		compliance := rules[alerts.SLABreachRatio.Over(alerts.Window30d)]
		p90 := rules[alerts.FirstResponseQuantiles.Over(alerts.Window30d)+"/"+alerts.Quantile90]
		if compliance == "" || p90 == "" {
			t.Fatalf("the rules record no %s or %s", alerts.SLABreachRatio.Over(alerts.Window30d), alerts.FirstResponseQuantiles.Over(alerts.Window30d))
		}
		return map[string]string{
			"sla_compliance_30d":     "1 - (" + compliance + ")",
			"first_response_p90_30d": p90,
			"tickets_created_30d":    dashboardExpr(t, cfg, "support-scorecard.json", "increase(support_tickets_created_total{", map[string]string{"$window": "30d"}),
			// A gauge, read from each vendor's freshest replica
			// (docs/ha.md): the backfilled history has no
			// support_source_last_success_timestamp_seconds, so every
			// layout reads it through the fallback, every replica's max.
			"tickets_breaching_sla": dashboardExpr(t, cfg, "support-vendor-detail.json", "(vendor, target) (max without (instance, pod) (((support_tickets_breaching_sla{", nil),
		}
	}
}

// recordedExprs maps each recorded name (with "/quantile" for quantile
// rules) to its expression.
func recordedExprs(t *testing.T, cfg alerts.Config) map[string]string {
	t.Helper()
	out, err := alerts.RecordingRules(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Record string            `yaml:"record"`
				Expr   string            `yaml:"expr"`
				Labels map[string]string `yaml:"labels"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(out, &f); err != nil {
		t.Fatal(err)
	}
	exprs := map[string]string{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			name := r.Record
			if q := r.Labels[alerts.QuantileLabel]; q != "" {
				name += "/" + q
			}
			exprs[name] = r.Expr
		}
	}
	return exprs
}

// dashboardExpr finds the one query of a dashboard that contains marker
// and is no ratio, with every vendor selected and vars replaced.
func dashboardExpr(t *testing.T, cfg alerts.Config, file, marker string, vars map[string]string) string {
	t.Helper()
	files, err := dashboards.Render(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, f := range files {
		if f.Name != file {
			continue
		}
		for _, line := range strings.Split(string(f.Data), "\n") {
			line = strings.TrimSpace(line)
			// A ratio divides outside the freshest-replica ranking, whose
			// lags divide by the poll interval (alerts.GaugeFromFreshest).
			divisions := strings.Count(line, " / ") - strings.Count(line, " / ignoring (kind) ") - strings.Count(line, " - time()) / 300)")
			if !strings.HasPrefix(line, `"expr": `) || !strings.Contains(line, marker) || divisions > 0 {
				continue
			}
			var expr string
			if err := yaml.Unmarshal([]byte(strings.TrimSuffix(strings.TrimPrefix(line, `"expr": `), ",")), &expr); err != nil {
				t.Fatal(err)
			}
			found = append(found, expr)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: %d queries contain %q, want one: %q", file, len(found), marker, found)
	}
	// Every job and instance of the layout, as Grafana's "All" reads them.
	expr := strings.NewReplacer(`vendor=~"$vendor"`, `vendor=~".+"`, "$job", ".*", "$instance", ".*").Replace(found[0])
	for k, v := range vars {
		expr = strings.ReplaceAll(expr, k, v)
	}
	if strings.Contains(expr, "$") {
		t.Fatalf("%s: a variable left in %s", file, expr)
	}
	return expr
}

// startInstancesWorld starts the simulated vendors, frozen at instancesNow.
func startInstancesWorld(t *testing.T) *simulator.Sim {
	t.Helper()
	var vendors []simulator.Vendor
	for _, v := range instancesVendors {
		vendors = append(vendors, v.sim)
	}
	sim, err := simulator.New(simulator.Options{
		Seed: 16, Start: instancesNow, Clock: func() time.Time { return instancesNow }, Vendors: vendors, ExportRequestsPerMinute: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

// backfillInstance is one exporter of a layout: its own config and store,
// one sync of its vendors, its history written with its labels and turned
// into blocks in promData.
func backfillInstance(t *testing.T, sim *simulator.Sim, dir string, historyStart, to time.Time, job string, r instanceRun, promtool, promData string) {
	t.Helper()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global:\n  poll_interval: 1s\n  request_timeout: 10s\n  history_start: %s\ncalendars:\n", historyStart.Format(time.DateOnly))
	for _, v := range r.vendors {
		fmt.Fprintf(&cfg, "  %s:\n    timezone: %s\n    hours: \"09:00-18:00\"\n", v.sim.Name, v.sim.Timezone)
	}
	cfg.WriteString("vendors:\n")
	for _, v := range r.vendors {
		var targets []string
		for _, p := range []string{"urgent", "high", "normal", "low"} {
			targets = append(targets, p+": "+v.firstResponse[p])
		}
		fmt.Fprintf(&cfg, "  - name: %[1]s\n    calendar: %[1]s\n    sla:\n      clock: calendar\n      first_response: {%[2]s}\n"+
			"      resolution: {urgent: 24h, high: 72h}\n    tickets:\n      - name: helpdesk\n", v.sim.Name, strings.Join(targets, ", "))
		cfg.WriteString(sourceYAML(t, sim, v.sim.Name, v.ticketKind, false))
		fmt.Fprintf(&cfg, "    status_pages:\n      - name: status\n        kind: %s\n        url: %s\n", v.statusKind, sim.URL(v.sim.Name, v.statusKind))
		if v.statusNeedsTimezone {
			fmt.Fprintf(&cfg, "        timezone: %s\n", v.sim.Timezone)
		}
	}
	cfgPath := filepath.Join(dir, "support_exporter.yml")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfgPath, cfg.String())
	outDir := filepath.Join(dir, "backfill")
	args := []string{"backfill", "--sync", "--config.file=" + cfgPath, "--storage.path=" + filepath.Join(dir, "store"),
		"--output=" + outDir, "--step=" + instancesStep.String(), "--to=" + to.Format(time.RFC3339), "--label=job=" + job}
	for k, v := range r.labels {
		args = append(args, "--label="+k+"="+v)
	}
	if out, err := exec.Command(binary, args...).CombinedOutput(); err != nil {
		t.Fatalf("backfill of %s %v: %v\n%s", job, r.labels, err, tail(string(out), 30))
	}
	files, _ := backfillFiles(t, outDir)
	for _, f := range files {
		if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet",
			"--max-block-duration=486h", f, promData).CombinedOutput(); err != nil {
			t.Fatalf("promtool on %s: %v\n%s", f, err, tail(string(out), 20))
		}
	}
}

// startQueryOnlyPrometheus serves the blocks in dataDir and scrapes
// nothing: every series comes from the backfilled exporters.
func startQueryOnlyPrometheus(t *testing.T, bin, dir, dataDir string) *promServer {
	t.Helper()
	cfg := filepath.Join(dir, "prometheus.yml")
	writeFile(t, cfg, "global:\n  scrape_interval: 1m\nscrape_configs: []\n")
	return runPrometheus(t, bin, cfg, dataDir)
}
