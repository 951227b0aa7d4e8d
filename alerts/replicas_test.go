package alerts

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestValidateRefusesReplicaLabels(t *testing.T) {
	for _, tc := range []struct {
		name   string
		labels []string
		want   string
	}{
		{"not a name", []string{"pod-name"}, `"pod-name" is not a label name`},
		{"empty", []string{""}, `"" is not a label name`},
		{"reserved", []string{"__address__"}, `"__address__" is not a label name`},
		{"twice", []string{"instance", "pod", "instance"}, `"instance" is listed twice`},
		{"the selector's", []string{"job"}, `"job" is a label of the selector`},
		{"the exporter's", []string{"instance", "vendor"}, `"vendor" is a label of the exporter's series`},
		{"a bucket's", []string{"le"}, `"le" is a label of the exporter's series`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			cfg.ReplicaLabels = tc.labels
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), "replica labels: "+tc.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	cfg := Default()
	cfg.ReplicaLabels = []string{"replica", "cluster_node"}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate() with other replica labels = %v", err)
	}
}

// TestExporterLabelsMatchMetricsDoc: every label docs/metrics.md gives an
// exporter series is refused as a replica label.
func TestExporterLabelsMatchMetricsDoc(t *testing.T) {
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `?support_[a-z0-9_]+`? \\| [a-z]+ \\| ([^|]*) \\|")
	seen := 0
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		for _, l := range strings.Split(m[1], ",") {
			l = strings.Trim(strings.TrimSpace(l), "`")
			if l == "" {
				continue
			}
			seen++
			if !slices.Contains(exporterLabels, l) {
				t.Errorf("docs/metrics.md label %q is missing from exporterLabels", l)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("read only %d labels from docs/metrics.md: the table format changed", seen)
	}
}

// TestRatesReadThroughReplicas: every increase, rate and delta of the
// rules is read through max without (instance, pod), so an HA pair counts
// once. The exporter's health alerts are per instance on purpose.
func TestRatesReadThroughReplicas(t *testing.T) {
	perInstance := []string{"SupportSourceDown", "SupportSourceStale", "SupportExporterConfigReloadFailed", "SupportExporterDown", "SupportExporterAbsent"}
	fn := regexp.MustCompile(`\b(increase|rate|delta)\(`)
	for _, generate := range []func(Config) ([]byte, error){RecordingRules, AlertingRules, BackfillRecordingRules} {
		for _, r := range generatedRules(t, Default(), generate) {
			if slices.Contains(perInstance, r.Alert) {
				if strings.Contains(r.Expr, "max without") {
					t.Errorf("%s: a health alert is per instance, got %s", r.Alert, r.Expr)
				}
				continue
			}
			all := len(fn.FindAllStringIndex(r.Expr, -1))
			// A gauge's delta is read twice in the gauge form (dedupeGauge).
			deduped := len(regexp.MustCompile(`max without \(instance, pod\) \((increase|rate|delta)\(`).FindAllStringIndex(r.Expr, -1)) +
				2*len(regexp.MustCompile(`max without \(instance, pod\) \(\(\((increase|rate|delta)\(`).FindAllStringIndex(r.Expr, -1))
			if all != deduped {
				t.Errorf("%s%s: %d of %d increase/rate/delta not under max without (instance, pod):\n%s", r.Record, r.Alert, all-deduped, all, r.Expr)
			}
		}
	}
}

func TestNoReplicaLabelsNoDedupe(t *testing.T) {
	cfg := Default()
	cfg.ReplicaLabels = nil
	for _, generate := range []func(Config) ([]byte, error){RecordingRules, AlertingRules} {
		for _, r := range generatedRules(t, cfg, generate) {
			if strings.Contains(r.Expr, "max without") {
				t.Errorf("%s%s without replica labels: %s", r.Record, r.Alert, r.Expr)
			}
		}
	}
	cfg.ReplicaLabels = []string{"replica"}
	rules := generatedRules(t, cfg, RecordingRules)
	if !strings.Contains(rules[0].Expr, "max without (replica) (increase(") {
		t.Errorf("replica labels [replica]: %s", rules[0].Expr)
	}
}

// readPlain are the gauges of docs/metrics.md read without dedupeGauge:
// the exporter's own, per replica or about its runs, the configured ones
// (the same on both replicas of a pair) and timestamps that only grow.
var readPlain = []string{
	"support_source_", "support_store_items", "support_exporter_", "support_aggregates_rebuilt_timestamp_seconds",
	"support_sla_objective_ratio", "support_sla_target_seconds", "support_sla_maintenance_notice_seconds",
	"support_contract_response_objective_ratio", "support_contract_period_", "support_contract_tier_",
	"support_drill_last_run_timestamp_seconds",
}

// docGauges are the gauges docs/metrics.md lists that a rule or a panel
// must read from the freshest replica.
func docGauges(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	var gauges []string
	for _, m := range regexp.MustCompile("(?m)^\\| `?(support_[a-z0-9_]+)`? \\| gauge \\|").FindAllStringSubmatch(string(doc), -1) {
		if !slices.ContainsFunc(readPlain, func(p string) bool { return strings.HasPrefix(m[1], p) }) {
			gauges = append(gauges, m[1])
		}
	}
	if len(gauges) < 20 {
		t.Fatalf("read only %d gauges from docs/metrics.md: the table format changed", len(gauges))
	}
	return gauges
}

// gaugeSpans are the spans of expr written by dedupeGauge.
func gaugeSpans(t *testing.T, expr, replicas string) [][2]int {
	t.Helper()
	var spans [][2]int
	prefix := "max without (" + replicas + ") ((("
	for i := 0; ; {
		j := strings.Index(expr[i:], prefix)
		if j < 0 {
			return spans
		}
		start := i + j
		depth, end := 0, -1
		for k := start + len("max without ("+replicas+") "); k < len(expr); k++ {
			if expr[k] == '(' {
				depth++
			} else if expr[k] == ')' {
				depth--
				if depth == 0 {
					end = k + 1
					break
				}
			}
		}
		if end < 0 {
			t.Fatalf("unbalanced %s", expr[start:])
		}
		if !strings.Contains(expr[start:end], " topk by (") || !strings.Contains(expr[start:end], FreshnessMetric+"{") {
			t.Fatalf("not the gauge form: %s", expr[start:end])
		}
		spans = append(spans, [2]int{start, end})
		i = end
	}
}

// TestGaugesReadFromFreshestReplica: every gauge of the vendors' numbers a
// rule reads is read through dedupeGauge (docs/ha.md, "Gauges: the freshest
// replica"), so a replica whose source fails cannot keep an alert firing
// with its frozen values.
func TestGaugesReadFromFreshestReplica(t *testing.T) {
	gauges := docGauges(t)
	read := map[string]bool{}
	for _, generate := range []func(Config) ([]byte, error){RecordingRules, AlertingRules, BackfillRecordingRules} {
		for _, r := range generatedRules(t, Default(), generate) {
			spans := gaugeSpans(t, r.Expr, "instance, pod")
			for _, g := range gauges {
				for _, loc := range regexp.MustCompile(`\b`+g+`\{`).FindAllStringIndex(r.Expr, -1) {
					read[g] = true
					if !slices.ContainsFunc(spans, func(s [2]int) bool { return s[0] <= loc[0] && loc[1] <= s[1] }) {
						t.Errorf("%s%s reads the gauge %s through max alone:\n%s", r.Record, r.Alert, g, r.Expr)
					}
				}
			}
		}
	}
	for _, g := range []string{"support_tickets_breaching_sla", "support_escalations_open", "support_ticket_oldest_unanswered_created_timestamp_seconds",
		"support_status_incident_oldest_last_update_timestamp_seconds", "support_contract_credit_ratio", "support_contract_termination_right",
		"support_contract_claim_deadline_timestamp_seconds"} {
		if !read[g] {
			t.Errorf("no rule reads %s: the check lost its rules", g)
		}
	}
}

// TestDedupeGaugeShape: the exact expression, with the selector's labels and
// the cluster label kept, and none without replica labels.
func TestDedupeGaugeShape(t *testing.T) {
	cfg := Default()
	cfg.ClusterLabel = "cluster"
	got := DedupeReplicaGauge(cfg, `support_escalations_open{job="support_exporter"}`, `vendor=~"$vendor"`)
	want := `max without (instance, pod) (((support_escalations_open{job="support_exporter"}) and on (job, cluster, vendor, instance, pod)` +
		` topk by (job, cluster, vendor) (1, sum by (job, cluster, vendor, instance, pod) (` +
		`((support_source_last_success_timestamp_seconds{job="support_exporter",vendor=~"$vendor"} - time()) / ignoring (kind) support_source_poll_interval_seconds{job="support_exporter",vendor=~"$vendor"})` +
		` or ignoring (kind) ((support_source_last_success_timestamp_seconds{job="support_exporter",vendor=~"$vendor"} - time()) / 300))))` +
		` or ((support_escalations_open{job="support_exporter"}) unless on (job, cluster, vendor) support_source_last_success_timestamp_seconds{job="support_exporter",vendor=~"$vendor"}))`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	cfg.ReplicaLabels = nil
	if got := DedupeReplicaGauge(cfg, "x", "y"); got != "x" {
		t.Errorf("without replica labels: %s", got)
	}
}
