package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
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

// promMajor is the major version of the Prometheus serving base (2 or 3),
// from its build information.
func promMajor(t *testing.T, base string) int {
	t.Helper()
	code, body := httpGet(base + "/api/v1/status/buildinfo")
	var info struct {
		Data struct {
			Version string `json:"version"`
		} `json:"data"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &info) != nil {
		t.Fatalf("prometheus build info: %d %.200s", code, body)
	}
	major, _, _ := strings.Cut(info.Data.Version, ".")
	n, err := strconv.Atoi(major)
	if err != nil || n < 2 {
		t.Fatalf("prometheus version %q", info.Data.Version)
	}
	return n
}

var increaseOf = regexp.MustCompile(`increase\(([a-z_:]+)(\{[^}]*\})?\[([0-9a-z]+)\]( @ \d+)?\)`)

// asDifferences writes every `increase(x[d])` (or `increase(x[d] @ t)`) of
// expr as `(x - x offset d)` (`(x @ t - x @ t offset d)`). On samples that
// sit on both edges of the range (the backfill's grid) the two are equal on
// Prometheus 2, which selects [t-d, t]; Prometheus 3 selects (t-d, t], drops
// the sample at t-d and extrapolates from the next one, so there only the
// difference is exact (docs/prometheus.md). It needs every series to have a
// sample at t-d and no counter reset, as the exporter's counters never go
// down.
func asDifferences(expr string) string {
	return increaseOf.ReplaceAllString(expr, "($1$2$4 - $1$2$4 offset $3)")
}

// binaryMajor is the major version a Prometheus binary prints with
// --version ("prometheus, version 3.16.0 (...)"), for settings that must be
// chosen before it starts.
func binaryMajor(t *testing.T, bin string) int {
	t.Helper()
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", bin, err)
	}
	_, after, ok := strings.Cut(string(out), "version ")
	major, _, _ := strings.Cut(after, ".")
	n, err := strconv.Atoi(major)
	if !ok || err != nil {
		t.Fatalf("%s --version: no version in %.200q", bin, out)
	}
	return n
}
