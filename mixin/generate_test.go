package mixin

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/alerts"
	"github.com/support-exporter/support_exporter/dashboards"
)

var update = flag.Bool("update", false, "rewrite mixin.libsonnet")

// TestLibsonnetIsCurrent fails when the committed mixin.libsonnet is not
// what the generator writes; go test ./mixin -update rewrites it.
func TestLibsonnetIsCurrent(t *testing.T) {
	want, err := Libsonnet()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(File, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(File)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the generator writes: run go test ./mixin -update and commit it", File)
	}
}

// configs are the mixin configs the jsonnet library must render exactly
// as the Go generator does: the defaults, a Kubernetes selector, and
// every other setting changed (more burn rates, among them windows that
// are recorded windows already, a cluster label).
var configs = map[string]string{
	"default": "",
	"kubernetes": `selector: job="support-exporter",namespace="monitoring"
runbook_url: https://wiki.example.com/support/runbook
`,
	"no replicas": `selector: job="support"
replica_labels: []
cluster_label: cluster
`,
	// the cluster label among the selector's already: kept once.
	"cluster in selector": `selector: job="support",cluster=~"eu-.*"
cluster_label: cluster
`,
	"everything": `selector: 'namespace="monitoring", job=~"support-.*", vendor!="test"'
replica_labels: [replica]
cluster_label: k8s_cluster
interval: 30s
runbook_url: https://runbooks.example.org/support.html
min_sla_checks: 25
burn_rates:
  - {severity: critical, long: 1h, short: 5m, factor: 14.4, for: 2m}
  - {severity: critical, long: 6h, short: 30m, factor: 6, for: 15m}
  - {severity: warning, long: 1d, short: 1h, factor: 3, for: 1h}
  - {severity: info, long: 30d, short: 3d, factor: 1, for: 0s}
urgent_priorities: urgent|high|p1
escalation_open_for: 36h
backlog_growth_window: 90m
backlog_growth_min: 7
short_notice_window: 2d
incident_silence: 45m
vendor_first_min: 0.75
min_incidents: 3
source_down_for: 20m
stale_after: 1h30m
stale_polls: 5
confirm_for: 5m
claim_notice: 2w
drill_window: 10d
`,
}

// TestJsonnetEqualsGo runs the jsonnet binary (Debian's jsonnet package,
// which CI installs) on mixin.libsonnet for each config and compares every
// rule file and dashboard with what the Go generator renders from the same
// config file, value for value.
func TestJsonnetEqualsGo(t *testing.T) {
	bin, err := exec.LookPath("jsonnet")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("jsonnet not installed (Debian package jsonnet): CI must run this test")
		}
		t.Skip("jsonnet not installed (apt-get install jsonnet)")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for name, file := range configs {
		t.Run(name, func(t *testing.T) {
			cfg, err := alerts.ParseConfigFile(name, []byte(file))
			if err != nil {
				t.Fatal(err)
			}
			want, err := goOutput(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var overrides map[string]any
			if err := yaml.Unmarshal([]byte(file), &overrides); err != nil {
				t.Fatal(err)
			}
			if overrides == nil {
				overrides = map[string]any{}
			}
			ov, err := json.Marshal(overrides)
			if err != nil {
				t.Fatal(err)
			}
			main := filepath.Join(t.TempDir(), "main.jsonnet")
			src := "local m = (import 'mixin.libsonnet') + { _config+:: " + string(ov) + " };\n" +
				"{ rules: m.prometheusRules, alerts: m.prometheusAlerts, backfill: m.prometheusBackfillRules, dashboards: m.grafanaDashboards }\n"
			if err := os.WriteFile(main, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			out, err := exec.Command(bin, "-J", dir, main).Output()
			if err != nil {
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					t.Fatalf("jsonnet: %v\n%s", err, ee.Stderr)
				}
				t.Fatal(err)
			}
			t.Logf("jsonnet rendered %s in %v", name, time.Since(start).Round(time.Millisecond))
			var got map[string]any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			for _, part := range []string{"rules", "alerts", "backfill", "dashboards"} {
				if diffs := diff(part, want[part], got[part]); len(diffs) > 0 {
					if len(diffs) > 10 {
						diffs = append(diffs[:10], fmt.Sprintf("... and %d more", len(diffs)-10))
					}
					t.Errorf("jsonnet differs from Go:\n%s", strings.Join(diffs, "\n"))
				}
			}
		})
	}
}

// goOutput is what the Go generator renders for cfg, as generic JSON
// values.
func goOutput(cfg alerts.Config) (map[string]any, error) {
	out := map[string]any{}
	for part, render := range map[string]func(alerts.Config) ([]byte, error){
		"rules": alerts.RecordingRules, "alerts": alerts.AlertingRules, "backfill": alerts.BackfillRecordingRules,
	} {
		data, err := render(cfg)
		if err != nil {
			return nil, err
		}
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			return nil, err
		}
		if out[part], err = viaJSON(v); err != nil {
			return nil, err
		}
	}
	files, err := dashboards.Render(cfg)
	if err != nil {
		return nil, err
	}
	boards := map[string]any{}
	for _, f := range files {
		var v any
		if err := json.Unmarshal(f.Data, &v); err != nil {
			return nil, err
		}
		boards[f.Name] = v
	}
	out["dashboards"] = boards
	return out, nil
}

// viaJSON gives a YAML value JSON's types (float64 numbers).
func viaJSON(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(data, &out)
}

// diff lists the paths where two JSON values differ.
func diff(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %T, want an object", path, got)}
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []string
		for _, k := range sorted {
			out = append(out, diff(path+"."+k, w[k], g[k])...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: got %d items (%T), want %d", path, len(g), got, len(w))}
		}
		var out []string
		for i := range w {
			out = append(out, diff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s:\n   got %#v\n  want %#v", path, got, want)}
		}
		return nil
	}
}
