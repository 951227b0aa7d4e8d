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
			deduped := len(regexp.MustCompile(`max without \(instance, pod\) \((increase|rate|delta)\(`).FindAllStringIndex(r.Expr, -1))
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
