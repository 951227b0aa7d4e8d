package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// operatorLabels are the target labels the Prometheus Operator gives the
// series scraped through the chart's ServiceMonitor (its generated relabelings:
// job from the jobLabel, namespace, service, pod, container, endpoint, and
// instance the pod's address), for the pod named pod at address addr.
func operatorLabels(t *testing.T, m manifests, pod, addr string) map[string]string {
	t.Helper()
	sm := m.only(t, "ServiceMonitor")
	svc := m.only(t, "Service")
	d := m.only(t, "Deployment")
	return map[string]string{
		"job":       str(svc, "metadata", "labels", str(sm, "spec", "jobLabel")),
		"namespace": str(svc, "metadata", "namespace"),
		"service":   svc.name(),
		"pod":       pod,
		"container": str(container(t, d), "name"),
		"endpoint":  str(sm, "spec", "endpoints", 0, "port"),
		"instance":  addr,
	}
}

// TestChartPairDedupes: an HA pair is two releases of the chart in one
// namespace. Their series differ by labels the chart's rules must merge
// (instance, pod and service: two Services), so that a pair counts once
// and alerts once. promtool runs the chart's rule files on the pair's
// series with the Operator's labels.
func TestChartPairDedupes(t *testing.T) {
	a := operatorLabels(t, renderRelease(t, "se-a", "--set", "serviceMonitor.enabled=true"), "se-a-support-exporter-6d4b9-x1", "10.0.0.1:10043")
	b := operatorLabels(t, renderRelease(t, "se-b", "--set", "serviceMonitor.enabled=true"), "se-b-support-exporter-7f8c2-y2", "10.0.0.2:10043")
	var differ []string
	for k, v := range a {
		if b[k] != v {
			differ = append(differ, k)
		}
	}
	sort.Strings(differ)
	replicas := chartConfig().ReplicaLabels
	for _, l := range differ {
		if !slices.Contains(replicas, l) {
			t.Errorf("the two releases' series differ by %q, which the chart's rules do not merge (replica labels %v)", l, replicas)
		}
	}
	// Every dedupe in the chart's files drops them all.
	without := regexp.MustCompile(`max without \(([^)]*)\)`)
	for rel, data := range chartFiles(t) {
		ms := without.FindAllSubmatch(data, -1)
		if len(ms) == 0 && strings.HasSuffix(rel, ".yml") {
			t.Errorf("%s: no max without (...)", rel)
		}
		for _, mm := range ms {
			got := strings.Split(string(mm[1]), ", ")
			for _, l := range differ {
				if !slices.Contains(got, l) {
					t.Errorf("%s: max without (%s) keeps %q", rel, mm[1], l)
					break
				}
			}
		}
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if inCI() {
			t.Fatal("promtool not found: install Debian's prometheus package (bash .ci/run does)")
		}
		t.Skip("promtool not found (Debian's prometheus package)")
	}
	sel := func(l map[string]string, extra string) string {
		var parts []string
		for k, v := range l {
			parts = append(parts, fmt.Sprintf("%s=%q", k, v))
		}
		sort.Strings(parts)
		return "{" + strings.Join(parts, ", ") + ", " + extra + "}"
	}
	var series strings.Builder
	for _, l := range []map[string]string{a, b} {
		// Both replicas see the same: one escalation open for 25 hours, one
		// SLA check a minute.
		fmt.Fprintf(&series, "      - series: 'support_escalations_open%s'\n        values: '1x1500'\n", sel(l, `vendor="acme", priority="urgent"`))
		fmt.Fprintf(&series, "      - series: 'support_ticket_sla_checks_total%s'\n        values: '0+1x1500'\n", sel(l, `vendor="acme", priority="urgent", target="first_response"`))
	}
	abs := func(name string) string {
		p, err := filepath.Abs(filepath.Join(chartPath, "files", name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	test := fmt.Sprintf(`rule_files:
  - %s
  - %s
evaluation_interval: 5m
tests:
  - interval: 1m
    input_series:
%s    promql_expr_test:
      # One alert for the pair, not one per Service.
      - expr: count(ALERTS{alertname="SupportEscalationOpenTooLong", alertstate="firing"})
        eval_time: 1d1h
        exp_samples:
          - labels: '{}'
            value: 1
      # The pair's checks are one replica's, not twice as many.
      - expr: vendor_target:support_ticket_sla_checks:increase1d == bool on (job, vendor, target) sum by (job, vendor, target) (increase(support_ticket_sla_checks_total{instance="%s"}[1d]))
        eval_time: 1d1h
        exp_samples:
          - labels: '{job="%s", vendor="acme", target="first_response"}'
            value: 1
`, abs("support_exporter.rules.yml"), abs("support_exporter.alerts.yml"), series.String(), a["instance"], a["job"])
	f := filepath.Join(t.TempDir(), "pair.test.yml")
	if err := os.WriteFile(f, []byte(test), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(promtool, "test", "rules", f).CombinedOutput()
	if err != nil {
		t.Errorf("promtool test rules: %v\n%s", err, out)
	}
}
