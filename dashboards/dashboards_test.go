package dashboards

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/alerts"
)

var update = flag.Bool("update", false, "rewrite the committed dashboard JSON")

// TestGeneratedFilesAreCurrent fails when the committed JSON differs from
// what the code generates; -update rewrites it.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	files, err := Render(alerts.Default())
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		for _, f := range files {
			if err := os.WriteFile(f.Name, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var generated []string
	for _, f := range files {
		generated = append(generated, f.Name)
		committed, err := os.ReadFile(f.Name)
		if err != nil {
			t.Errorf("%s: %v (run go test ./dashboards -update)", f.Name, err)
			continue
		}
		if !bytes.Equal(committed, f.Data) {
			t.Errorf("%s differs from the generated dashboard (run go test ./dashboards -update)", f.Name)
		}
	}
	committed, err := filepath.Glob("*.json")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(generated)
	if !slices.Equal(committed, generated) {
		t.Errorf("committed JSON files %v, generated %v: delete the stale ones", committed, generated)
	}
}

// TestRenderIsDeterministic guards the golden test against map ordering or
// any other source of churn.
func TestRenderIsDeterministic(t *testing.T) {
	first, err := Render(alerts.Default())
	if err != nil {
		t.Fatal(err)
	}
	second, err := Render(alerts.Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 5 || len(second) != 5 {
		t.Fatalf("rendered %d and %d dashboards, want 5", len(first), len(second))
	}
	for i := range first {
		if first[i].Name != second[i].Name || !bytes.Equal(first[i].Data, second[i].Data) {
			t.Errorf("%s: two renders differ", first[i].Name)
		}
	}
}

// TestProvisioningFile checks the example provider is a file provider that
// names a folder to load from.
func TestProvisioningFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("provisioning", "dashboards.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name    string
			Type    string
			Options struct{ Path string }
		}
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if file.APIVersion != 1 || len(file.Providers) != 1 {
		t.Fatalf("apiVersion %d with %d providers, want 1 and 1", file.APIVersion, len(file.Providers))
	}
	p := file.Providers[0]
	if p.Name == "" || p.Type != "file" || p.Options.Path == "" {
		t.Errorf("provider %+v: want a named file provider with options.path", p)
	}
}

func TestDurationText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"1h", "1h"},
		{"30m", "30m"},
		{"24h", "24h"},
		{"1h30m", "1h30m"},
		{"90s", "1m30s"},
		{"10s", "10s"},
	} {
		d, err := time.ParseDuration(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := durationText(d); got != tc.want {
			t.Errorf("durationText(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
