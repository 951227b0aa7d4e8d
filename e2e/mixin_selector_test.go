package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// TestMixinKubernetesSelector is the Kubernetes path of docs/mixin.md: the
// built binary's `mixin` command renders the rules and dashboards for a
// job named support-exporter in namespace monitoring (a name the committed
// files' job="support_exporter" never matches); a real Prometheus scrapes
// the demo under that job and loads the rules from the rendered
// PrometheusRule's spec. Every recording rule produces series, every
// dashboard query returns data with the job and instance variables set to
// the exporter's, and none with the job variable set to another job: each
// query honours the selector and the variables.
func TestMixinKubernetesSelector(t *testing.T) {
	promBin := lookPath(t, "prometheus", "prometheus")
	dir := t.TempDir()
	exp := start(t, nil, "--demo")

	writeFile(t, filepath.Join(dir, "mixin.yml"), "selector: job=\"support-exporter\",namespace=\"monitoring\"\ninterval: 5s\n")
	out := filepath.Join(dir, "out")
	if b, err := exec.Command(binary, "mixin", "--config.file", filepath.Join(dir, "mixin.yml"), "--output.dir", out,
		"--rule.namespace", "monitoring").CombinedOutput(); err != nil {
		t.Fatalf("mixin: %v\n%s", err, b)
	}
	// The PrometheusRule's spec is a rule file's content.
	var pr struct {
		Kind string         `yaml:"kind"`
		Spec map[string]any `yaml:"spec"`
	}
	if err := yaml.Unmarshal([]byte(mustRead(t, filepath.Join(out, "kubernetes", "support_exporter.prometheusrule.yml"))), &pr); err != nil {
		t.Fatal(err)
	}
	spec, err := yaml.Marshal(pr.Spec)
	if err != nil || pr.Kind != "PrometheusRule" {
		t.Fatalf("PrometheusRule: kind %q, %v", pr.Kind, err)
	}
	rules := filepath.Join(dir, "rules.yml")
	writeFile(t, rules, string(spec))

	promAddr := freeAddr(t)
	writeFile(t, filepath.Join(dir, "prometheus.yml"), fmt.Sprintf(`global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files: [%s]
scrape_configs:
  - job_name: support-exporter
    static_configs:
      - targets: ['%s']
        labels: {namespace: monitoring}
`, rules, exp.addr))
	runDaemon(t, promBin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "tsdb"), "--web.listen-address="+promAddr)
	prom := "http://" + promAddr

	records := regexp.MustCompile(`(?m)^\s+- record: (\S+)`).FindAllStringSubmatch(
		mustRead(t, filepath.Join(out, "prometheus", "support_exporter.rules.yml")), -1)
	if len(records) < 20 {
		t.Fatalf("only %d recording rules found", len(records))
	}
	waitFor(t, 4*time.Minute, "every recording rule to produce series", func() bool {
		for _, r := range records {
			if n, err := promQuery(prom, r[1]+`{job="support-exporter",namespace="monitoring"}`); err != nil || n == 0 {
				return false
			}
		}
		return true
	})

	queries := dashboardQueriesIn(t, filepath.Join(out, "dashboards"))
	scoped := func(expr, job, instance string) string {
		return grafanaVariables(strings.NewReplacer("$job", job, "$instance", instance).Replace(expr))
	}
	for _, q := range queries {
		if !strings.Contains(q.expr, `job="support-exporter",namespace="monitoring",job=~"$job"`) {
			t.Errorf("%s / %s: no selector and job variable in %s", q.uid, q.panel, q.expr)
		}
		if n, err := promQuery(prom, scoped(q.expr, "another-job", ".*")); err != nil || n != 0 {
			t.Errorf("%s / %s: another job's dashboard shows %d series (%v): %s", q.uid, q.panel, n, err, q.expr)
		}
	}
	// The demo's drill answers after a while: queries get a few minutes to
	// hold data, as the rules had.
	var empty []string
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(5 * time.Second) {
		empty = nil
		for _, q := range queries {
			n, err := promQuery(prom, scoped(q.expr, "support-exporter", exp.addr))
			if err != nil {
				t.Fatalf("%s / %s: %v\n%s", q.uid, q.panel, err, q.expr)
			} else if n == 0 {
				empty = append(empty, q.uid+" / "+q.panel+": "+q.expr)
			}
		}
		if len(empty) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(empty) > 0 {
		t.Errorf("%d of %d dashboard queries return no data:\n%s", len(empty), len(queries), strings.Join(empty, "\n"))
	}
}
