package e2e

import (
	"os"
	"os/exec"
)

// toolEnv names the variables that choose another prometheus or promtool
// than the one on PATH: make test runs the tests that use them a second
// time with Prometheus 3 (scripts/prometheus3.sh builds it), besides
// Debian's 2.x on PATH.
var toolEnv = map[string]string{
	"prometheus": "SUPPORT_EXPORTER_PROMETHEUS",
	"promtool":   "SUPPORT_EXPORTER_PROMTOOL",
}

// toolPath finds bin: at the path its variable holds when set, else on
// PATH.
func toolPath(bin string) (string, error) {
	if p := os.Getenv(toolEnv[bin]); toolEnv[bin] != "" && p != "" {
		return exec.LookPath(p)
	}
	return exec.LookPath(bin)
}
