package deploy

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the chart's generated rules and dashboards")

// root is the repository, from this package's directory.
const root = ".."

// inCI reports whether the tests run under CI (CI=true, set by .ci/run):
// there a missing tool fails a test instead of skipping it.
func inCI() bool {
	ci := os.Getenv("CI")
	return ci != "" && ci != "false" && ci != "0"
}

// needFull skips t under -short: it builds or runs real programs.
func needFull(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped under -short: builds and runs the exporter (or Helm); make test runs it")
	}
}

var (
	buildOnce sync.Once
	built     string
	buildErr  error
	buildDir  string
)

// exporterBinary is support_exporter built once for the package with a
// plain `go build` (no -ldflags: the version comes from the fallback).
func exporterBinary(t *testing.T) string {
	t.Helper()
	needFull(t)
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "support_exporter-deploy-")
		if buildErr != nil {
			return
		}
		built = filepath.Join(buildDir, "support_exporter")
		cmd := exec.Command("go", "build", "-o", built, "./cmd/support_exporter")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// run runs a command in dir and returns its combined output, failing t
// when it fails.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// readFile returns a repository file's content.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
