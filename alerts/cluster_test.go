package alerts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAggregationsKeepTheClusterLabel: with ClusterLabel set, every
// aggregation and every on () match of both files keeps it after the
// selector's labels, so a global ruler records and alerts per cluster; a
// cluster label the selector names already is kept once.
func TestAggregationsKeepTheClusterLabel(t *testing.T) {
	for _, tc := range []struct{ selector, want string }{
		{`job="support"`, "job, cluster, "},
		{`job="support", cluster=~"eu-.*"`, "job, cluster, "},
	} {
		cfg := Default()
		cfg.Selector = tc.selector
		cfg.ClusterLabel = "cluster"
		for _, generate := range []func(Config) ([]byte, error){RecordingRules, AlertingRules} {
			for _, r := range generatedRules(t, cfg, generate) {
				for _, word := range []string{"by (", "on ("} {
					for _, list := range strings.Split(r.Expr, word)[1:] {
						list = list[:strings.IndexByte(list, ')')]
						if !strings.HasPrefix(list+", ", tc.want) || strings.Count(list, "cluster") != 1 {
							t.Errorf("%s%s (selector %s): %s%s), want %s first, cluster once", r.Record, r.Alert, tc.selector, word, list, tc.want)
						}
					}
				}
			}
		}
	}
}

// clusterTest: two clusters whose exporters poll the same vendor under the
// same job, evaluated by one ruler: each cluster's checks are recorded on
// their own (715 and 286 a day), not summed (1001), and the recorded series
// answer a selector on the cluster. Each counter reads 0 at the window's
// first two samples, so that increase() extrapolates nothing on Prometheus
// 2 ([t-1d, t]) nor 3 ((t-1d, t]) and both give exact values.
const clusterTest = `rule_files:
  - rules.yml
evaluation_interval: 1m
tests:
  - interval: 10m
    input_series:
      - series: 'support_ticket_sla_checks_total{cluster="a",job="support",instance="se:9417",vendor="acme",priority="urgent",target="first_response"}'
        values: '0 0+5x143'
      - series: 'support_ticket_sla_checks_total{cluster="b",job="support",instance="se:9417",vendor="acme",priority="urgent",target="first_response"}'
        values: '0 0+2x143'
    promql_expr_test:
      - expr: vendor_target:support_ticket_sla_checks:increase1d{cluster="a"}
        eval_time: 1d
        exp_samples:
          - labels: 'vendor_target:support_ticket_sla_checks:increase1d{cluster="a",job="support",vendor="acme",target="first_response"}'
            value: 715
      - expr: vendor_target:support_ticket_sla_checks:increase1d
        eval_time: 1d
        exp_samples:
          - labels: 'vendor_target:support_ticket_sla_checks:increase1d{cluster="a",job="support",vendor="acme",target="first_response"}'
            value: 715
          - labels: 'vendor_target:support_ticket_sla_checks:increase1d{cluster="b",job="support",vendor="acme",target="first_response"}'
            value: 286
`

func TestPromtoolRecordsPerCluster(t *testing.T) {
	cfg := Default()
	cfg.Selector = `job="support"`
	cfg.ClusterLabel = "cluster"
	out, err := RecordingRules(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	test := filepath.Join(dir, "cluster.test.yml")
	if err := os.WriteFile(test, []byte(clusterTest), 0o644); err != nil {
		t.Fatal(err)
	}
	runPromtool(t, "test", "rules", test)
}
