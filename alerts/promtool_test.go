package alerts

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// promtool returns the path of promtool, failing the test when it is
// missing: these checks are the proof that the rules load and behave.
// $SUPPORT_EXPORTER_PROMTOOL chooses another promtool than PATH's (make
// test runs these tests again with Prometheus 3's, scripts/prometheus3.sh).
func promtool(t *testing.T) string {
	t.Helper()
	name := "promtool"
	if env := os.Getenv("SUPPORT_EXPORTER_PROMTOOL"); env != "" {
		name = env
	}
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("promtool not found (%v): install it with apt-get install prometheus (Debian) to check the rules", err)
	}
	return path
}

func runPromtool(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command(promtool(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %v: %v\n%s", args, err, out)
	}
}

func TestPromtoolChecksCommittedRules(t *testing.T) {
	runPromtool(t, "check", "rules", RulesFile, AlertsFile)
	runPromtool(t, "check", "rules", BackfillRulesFile) // alone: it records what RulesFile records
}

// TestPromtoolChecksOtherConfigs: rules from a configuration other than the
// default (two matchers, other windows) load too.
func TestPromtoolChecksOtherConfigs(t *testing.T) {
	cfg := Default()
	cfg.Selector = `job="support", env=~"prod|staging"`
	cfg.Interval = 30 * time.Second
	cfg.UrgentPriorities = "urgent|high"
	cfg.BurnRates = []BurnRate{{Severity: "critical", Long: 12 * time.Hour, Short: 90 * time.Minute, Factor: 14.4, For: 2 * time.Minute}}
	dir := t.TempDir()
	var files []string
	for name, generate := range map[string]func(Config) ([]byte, error){"rules.yml": RecordingRules, "alerts.yml": AlertingRules} {
		out, err := generate(cfg)
		if err != nil {
			t.Fatalf("generate %s: %v", name, err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	runPromtool(t, append([]string{"check", "rules"}, files...)...)
}

// TestPromtoolUnitTests runs every tests/*.test.yml against the committed
// rule files.
func TestPromtoolUnitTests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("tests", "*.test.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no tests/*.test.yml")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			runPromtool(t, "test", "rules", f)
		})
	}
}
