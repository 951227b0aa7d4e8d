package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

// chartPath is the chart, from this package's directory.
const chartPath = "helm/support-exporter"

var (
	helmOnce sync.Once
	helmPath string
	helmErr  error
)

// helmVersion is the Helm pinned by internal/tools/helm/go.mod.
func helmVersion() (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "internal/tools/helm/go.mod"))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?helm\.sh/helm/v4 (v\S+)`).FindSubmatch(b)
	if m == nil {
		return "", errors.New("internal/tools/helm/go.mod requires no helm.sh/helm/v4")
	}
	return string(m[1]), nil
}

// helmBinary returns Helm, the version internal/tools/helm pins: $HELM if
// set, else the build in the tools cache (the Makefile's $(HELM), beside
// the Go build cache), built there first when missing (minutes on a fresh
// machine; seconds from a warm Go build cache).
func helmBinary(t *testing.T) string {
	t.Helper()
	needFull(t)
	helmOnce.Do(func() {
		if p := os.Getenv("HELM"); p != "" {
			helmPath = p
			return
		}
		v, err := helmVersion()
		if err != nil {
			helmErr = err
			return
		}
		out, err := exec.Command("go", "env", "GOCACHE").Output()
		if err != nil {
			helmErr = fmt.Errorf("go env GOCACHE: %w", err)
			return
		}
		helmPath = filepath.Join(filepath.Dir(strings.TrimSpace(string(out))), "support_exporter-tools", "helm-"+v)
		if _, err := os.Stat(helmPath); err == nil {
			return
		}
		cmd := exec.Command("go", "build", "-C", "internal/tools/helm", "-o", helmPath, "helm.sh/helm/v4/cmd/helm")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			helmErr = fmt.Errorf("building helm %s: %v\n%s", v, err, out)
		}
	})
	if helmErr != nil {
		t.Fatal(helmErr)
	}
	return helmPath
}

// helm runs Helm and returns its standard output; stderr goes to the error.
func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(helmBinary(t), args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Helm's caches and config in a temporary home: nothing read from or
	// written to the user's.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home+"/cache", "HELM_CONFIG_HOME="+home+"/config", "HELM_DATA_HOME="+home+"/data")
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("helm %s: %v\n%s%s", strings.Join(args, " "), err, stderr.String(), stdout.String())
	}
	return stdout.String(), nil
}

// object is one rendered Kubernetes object.
type object map[string]any

func (o object) kind() string { return str(o, "kind") }
func (o object) name() string { return str(o, "metadata", "name") }

// get walks maps by key and lists by index (an int).
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m := asMap(v)
			if m == nil {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// asMap returns a mapping as a map (yaml.v3 decodes the nested mappings of
// an object as objects), or nil.
func asMap(v any) map[string]any {
	switch m := v.(type) {
	case map[string]any:
		return m
	case object:
		return m
	}
	return nil
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v any, path ...any) []any {
	l, _ := get(v, path...).([]any)
	return l
}

// manifests is a `helm template` output, by kind then name.
type manifests map[string]map[string]object

// only returns the one object of kind, failing t when there is not exactly one.
func (m manifests) only(t *testing.T, kind string) object {
	t.Helper()
	if len(m[kind]) != 1 {
		t.Fatalf("%d objects of kind %s rendered, want 1", len(m[kind]), kind)
	}
	for _, o := range m[kind] {
		return o
	}
	return nil
}

// render runs `helm template` on the chart and parses every document.
func render(t *testing.T, args ...string) manifests {
	t.Helper()
	return renderRelease(t, "rel", args...)
}

// renderRelease is render with the release name given.
func renderRelease(t *testing.T, release string, args ...string) manifests {
	t.Helper()
	out, err := helm(t, append([]string{"template", release, chartPath, "--namespace", "monitoring"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	m := manifests{}
	dec := yaml.NewDecoder(strings.NewReader(out))
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("helm template output: %v", err)
		}
		if o == nil {
			continue
		}
		if m[o.kind()] == nil {
			m[o.kind()] = map[string]object{}
		}
		if _, dup := m[o.kind()][o.name()]; dup {
			t.Fatalf("two %s named %s", o.kind(), o.name())
		}
		m[o.kind()][o.name()] = o
	}
	return m
}
