package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/alecthomas/kingpin/v2"

	"github.com/support-exporter/support_exporter/alerts"
	"github.com/support-exporter/support_exporter/dashboards"
)

// The layout `support_exporter mixin` writes under --output.dir.
const (
	mixinRulesDir      = "prometheus" // rule files for Prometheus' rule_files
	mixinDashboardsDir = "dashboards" // Grafana dashboards, one JSON each
	mixinKubeDir       = "kubernetes" // the PrometheusRule object
	mixinKubeFile      = "support_exporter.prometheusrule.yml"
)

type mixinFlags struct {
	outputDir   string
	printConfig bool
	ruleName    string
	ruleNS      string
	ruleLabels  map[string]string
}

func addMixinCommand(app *kingpin.Application, m *mixinFlags) *kingpin.CmdClause {
	cmd := app.Command("mixin", "Render the recording rules, alerting rules, backfill rules, Grafana dashboards and a Kubernetes PrometheusRule from a mixin config (--config.file, docs/mixin.md; without it, the defaults: the files committed in alerts/ and dashboards/).")
	cmd.Flag("output.dir", "Directory to write into (created): prometheus/, dashboards/ and kubernetes/ under it.").StringVar(&m.outputDir)
	cmd.Flag("print-config", "Print the mixin config in effect (the defaults, or --config.file over them) with every key, and exit.").BoolVar(&m.printConfig)
	cmd.Flag("rule.name", "metadata.name of the PrometheusRule.").Default("support-exporter").StringVar(&m.ruleName)
	cmd.Flag("rule.namespace", "metadata.namespace of the PrometheusRule (default: none, kubectl's namespace).").StringVar(&m.ruleNS)
	m.ruleLabels = map[string]string{} // kingpin fills the map: it must exist
	cmd.Flag("rule.label", "NAME=VALUE label of the PrometheusRule, e.g. the one your Prometheus' ruleSelector wants; repeat for several.").PlaceHolder("NAME=VALUE").StringMapVar(&m.ruleLabels)
	return cmd
}

// mixinCommand runs the mixin command: 0 done, 2 a bad config or flags, 1
// the files could not be written. Without --config.file (the exporter's
// default file is not a mixin config) it renders the defaults.
func mixinCommand(f flags, m mixinFlags, stdout, stderr io.Writer) int {
	cfg := alerts.Default()
	if configFile := f.configFile; f.configFileSet {
		data, err := os.ReadFile(configFile)
		if err != nil {
			fmt.Fprintf(stderr, "%s mixin: %v\n", name, err)
			return 2
		}
		if cfg, err = alerts.ParseConfigFile(configFile, data); err != nil {
			fmt.Fprintf(stderr, "%s mixin: %v\n", name, err)
			return 2
		}
	}
	if m.printConfig {
		data, err := alerts.MarshalConfigFile(cfg)
		if err != nil {
			fmt.Fprintf(stderr, "%s mixin: %v\n", name, err)
			return 1
		}
		if _, err := stdout.Write(data); err != nil {
			return 1
		}
		return 0
	}
	if m.outputDir == "" {
		fmt.Fprintf(stderr, "%s mixin: --output.dir is required (or --print-config)\n", name)
		return 2
	}
	files, err := renderMixin(cfg, alerts.RuleMeta{Name: m.ruleName, Namespace: m.ruleNS, Labels: m.ruleLabels})
	if err != nil {
		fmt.Fprintf(stderr, "%s mixin: %v\n", name, err)
		return 2
	}
	for _, f := range files {
		if err := writeAtomic(filepath.Join(m.outputDir, f.Name), f.Data); err != nil {
			fmt.Fprintf(stderr, "%s mixin: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "wrote %d files under %s\n", len(files), m.outputDir)
	return 0
}

// renderMixin renders every file of the mixin for cfg, named by their
// path under the output directory.
func renderMixin(cfg alerts.Config, meta alerts.RuleMeta) ([]dashboards.File, error) {
	var files []dashboards.File
	for _, r := range []struct {
		name   string
		render func(alerts.Config) ([]byte, error)
	}{
		{alerts.RulesFile, alerts.RecordingRules},
		{alerts.AlertsFile, alerts.AlertingRules},
		{alerts.BackfillRulesFile, alerts.BackfillRecordingRules},
	} {
		data, err := r.render(cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
		files = append(files, dashboards.File{Name: filepath.Join(mixinRulesDir, r.name), Data: data})
	}
	boards, err := dashboards.Render(cfg)
	if err != nil {
		return nil, fmt.Errorf("dashboards: %w", err)
	}
	for _, b := range boards {
		files = append(files, dashboards.File{Name: filepath.Join(mixinDashboardsDir, b.Name), Data: b.Data})
	}
	rule, err := alerts.PrometheusRule(cfg, meta)
	if err != nil {
		return nil, err
	}
	return append(files, dashboards.File{Name: filepath.Join(mixinKubeDir, mixinKubeFile), Data: rule}), nil
}

// writeAtomic writes data to path through a temporary file in the same
// directory renamed over it: a reader (Prometheus reloading its rules, the
// Grafana sidecar) sees the old file or the new one, never half of one.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return errors.Join(fmt.Errorf("write %s", path), err)
	}
	return nil
}
