package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"
	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/alerts"
)

// TestMixinDefaultsAreTheCommittedFiles: without --config.file the command
// writes exactly the files committed in alerts/ and dashboards/.
func TestMixinDefaultsAreTheCommittedFiles(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"mixin", "--output.dir", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	compare := func(committedGlob, writtenDir string) {
		t.Helper()
		committed, err := filepath.Glob(committedGlob)
		if err != nil || len(committed) == 0 {
			t.Fatalf("%s: %v %v", committedGlob, committed, err)
		}
		written, err := filepath.Glob(filepath.Join(dir, writtenDir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		if len(written) != len(committed) {
			t.Errorf("%s: wrote %d files, %d committed", writtenDir, len(written), len(committed))
		}
		for _, c := range committed {
			want, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, writtenDir, filepath.Base(c)))
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the committed %s", filepath.Join(writtenDir, filepath.Base(c)), c)
			}
		}
	}
	compare("../../alerts/*.yml", mixinRulesDir)
	compare("../../dashboards/*.json", mixinDashboardsDir)
}

// TestMixinConfigFile renders a Kubernetes selector and checks the
// PrometheusRule holds the rules and alerts groups of that config.
func TestMixinConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "mixin.yml")
	if err := os.WriteFile(cfgFile, []byte("selector: job=\"support-exporter\",namespace=\"monitoring\"\nrunbook_url: https://wiki.example.com/support\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	args := []string{"mixin", "--config.file", cfgFile, "--output.dir", out,
		"--rule.namespace", "monitoring", "--rule.label", "release=prometheus"}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	rules, err := os.ReadFile(filepath.Join(out, mixinRulesDir, alerts.RulesFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rules), `{job="support-exporter",namespace="monitoring"}`) || strings.Contains(string(rules), `job="support_exporter"`) {
		t.Errorf("rules do not carry the configured selector alone")
	}
	board, err := os.ReadFile(filepath.Join(out, mixinDashboardsDir, "support-scorecard.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(board), `job=\"support-exporter\",namespace=\"monitoring\"`) {
		t.Errorf("dashboard does not carry the configured selector")
	}
	data, err := os.ReadFile(filepath.Join(out, mixinKubeDir, mixinKubeFile))
	if err != nil {
		t.Fatal(err)
	}
	var pr struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string
		Metadata   struct {
			Name, Namespace string
			Labels          map[string]string
		}
		Spec struct {
			Groups []struct {
				Name  string
				Rules []map[string]any
			}
		}
	}
	if err := yaml.Unmarshal(data, &pr); err != nil {
		t.Fatal(err)
	}
	if pr.APIVersion != "monitoring.coreos.com/v1" || pr.Kind != "PrometheusRule" || pr.Metadata.Name != "support-exporter" ||
		pr.Metadata.Namespace != "monitoring" || pr.Metadata.Labels["release"] != "prometheus" {
		t.Errorf("PrometheusRule header %+v %+v", pr.APIVersion, pr.Metadata)
	}
	// The spec's groups are the rules file's then the alerts file's.
	var want []string
	for _, f := range []string{alerts.RulesFile, alerts.AlertsFile} {
		data, err := os.ReadFile(filepath.Join(out, mixinRulesDir, f))
		if err != nil {
			t.Fatal(err)
		}
		var rf struct{ Groups []struct{ Name string } }
		if err := yaml.Unmarshal(data, &rf); err != nil {
			t.Fatal(err)
		}
		for _, g := range rf.Groups {
			want = append(want, g.Name)
		}
	}
	var got []string
	for _, g := range pr.Spec.Groups {
		got = append(got, g.Name)
		for _, r := range g.Rules {
			if u, ok := r["annotations"].(map[string]any); ok && !strings.HasPrefix(u["runbook_url"].(string), "https://wiki.example.com/support#") {
				t.Errorf("%s: runbook_url %v", g.Name, u["runbook_url"])
			}
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("PrometheusRule groups %v, want %v", got, want)
	}
}

func TestMixinBadConfig(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "mixin.yml")
	if err := os.WriteFile(cfgFile, []byte("selector: job=\"x\"\nstale_afer: 1h\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := run([]string{"mixin", "--config.file", cfgFile, "--output.dir", out}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), cfgFile+`:2: unknown key "stale_afer"`) {
		t.Errorf("exit %d, stderr %q: want 2 and the key's line", code, stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a bad config wrote %s (%v)", out, err)
	}
	stderr.Reset()
	if code := run([]string{"mixin", "--config.file", filepath.Join(dir, "missing.yml"), "--output.dir", out}, &stdout, &stderr); code != 2 {
		t.Errorf("missing config: exit %d, want 2 (%s)", code, stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"mixin"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "--output.dir") {
		t.Errorf("no --output.dir: exit %d %q, want 2", code, stderr.String())
	}
	// A file in the way of the output directory is a write error, exit 1.
	blocked := filepath.Join(dir, "file")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run([]string{"mixin", "--output.dir", blocked}, &stdout, &stderr); code != 1 {
		t.Errorf("output under a file: exit %d, want 1 (%s)", code, stderr.String())
	}
}

// TestMixinPrintConfig: the printed defaults, fed back, render the
// committed files; a config file's values show in the print.
func TestMixinPrintConfig(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"mixin", "--print-config"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	cfg, err := alerts.ParseConfigFile("printed", stdout.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := alerts.RecordingRules(alerts.Default())
	if got, _ := alerts.RecordingRules(cfg); !bytes.Equal(got, want) {
		t.Error("the printed defaults render other rules than the defaults")
	}
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "mixin.yml")
	if err := os.WriteFile(cfgFile, []byte("stale_after: 2h\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := run([]string{"mixin", "--config.file", cfgFile, "--print-config"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "\nstale_after: 2h\n") || !strings.Contains(stdout.String(), "\nconfirm_for: 10m\n") {
		t.Errorf("printed config:\n%s", stdout.String())
	}
}

// TestMixinFlagsDocumented: every flag of the mixin command has its row in
// docs/mixin.md, as does --config.file, which it reads.
func TestMixinFlagsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "mixin.md"))
	if err != nil {
		t.Fatal(err)
	}
	app := kingpin.New("x", "")
	var m mixinFlags
	flags := addMixinCommand(app, &m).Model().Flags
	if len(flags) < 5 {
		t.Fatalf("only %d flags", len(flags))
	}
	for _, name := range append([]string{"config.file"}, flagNames(flags)...) {
		if !bytes.Contains(doc, []byte("| `--"+name+"`")) {
			t.Errorf("docs/mixin.md has no row for --%s", name)
		}
	}
}

func flagNames(flags []*kingpin.FlagModel) []string {
	var names []string
	for _, f := range flags {
		names = append(names, f.Name)
	}
	return names
}
