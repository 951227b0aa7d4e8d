package dashboards

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// schemaCheckDir holds the check against Grafana's published dashboard
// schema: @grafana/schema's types, run through tsc (see check.mjs there).
const schemaCheckDir = "schemacheck"

// TestDashboardsMatchGrafanaSchema holds every committed dashboard to
// Grafana's own schema: no Grafana runs here, so this is the check that a
// field's name and type are ones Grafana knows.
func TestDashboardsMatchGrafanaSchema(t *testing.T) {
	committed, err := filepath.Glob("*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(committed) == 0 {
		t.Fatal("no committed dashboard JSON to check")
	}
	if out, err := runSchemaCheck(t, committed...); err != nil {
		t.Fatalf("the dashboards do not match Grafana's schema: %v\n%s", err, out)
	}
}

// TestSchemaCheckRejectsBrokenDashboards proves the check can fail: each
// case breaks a copy of a committed dashboard the way a generator bug would.
func TestSchemaCheckRejectsBrokenDashboards(t *testing.T) {
	data, err := os.ReadFile("support-exporter-health.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		breaks func(d map[string]any)
		want   string // in tsc's report of the broken file
	}{
		{
			name:   "field of the wrong type",
			breaks: func(d map[string]any) { d["refresh"] = 300 },
			want:   "Type 'number' is not assignable to type 'string'",
		},
		{
			name:   "unknown top-level key",
			breaks: func(d map[string]any) { d["refreshInterval"] = "5m" },
			want:   `'"refreshInterval"' does not exist`,
		},
		{
			name:   "gridPos width as a string",
			breaks: func(d map[string]any) { gridPos(t, d)["w"] = "8" },
			want:   "Type 'string' is not assignable to type 'number'",
		},
		{
			name:   "gridPos without a height",
			breaks: func(d map[string]any) { delete(gridPos(t, d), "h") },
			want:   "Property 'h' is missing",
		},
		{
			name:   "panel option outside the plugin's values",
			breaks: func(d map[string]any) { firstPanel(t, d)["options"].(map[string]any)["graphMode"] = "sparkline" },
			want:   `Type '"sparkline"' is not assignable`,
		},
		{
			name:   "unknown key in a panel's options",
			breaks: func(d map[string]any) { firstPanel(t, d)["options"].(map[string]any)["sparkline"] = true },
			want:   `'"sparkline"' does not exist`,
		},
		{
			name:   "panel of an unknown plugin",
			breaks: func(d map[string]any) { firstPanel(t, d)["type"] = "graph" },
			want:   `Type '"graph"' is not assignable`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal(data, &d); err != nil {
				t.Fatal(err)
			}
			tc.breaks(d)
			broken, err := json.MarshalIndent(d, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "broken.json")
			if err := os.WriteFile(path, broken, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := runSchemaCheck(t, path)
			if err == nil {
				t.Fatalf("the check accepted the broken dashboard:\n%s", out)
			}
			if !strings.Contains(out, path) || !strings.Contains(out, tc.want) {
				t.Errorf("the check failed without reporting %q in %s:\n%s", tc.want, path, out)
			}
		})
	}
}

// firstPanel is the dashboard's first panel under its first row: a stat.
func firstPanel(t *testing.T, d map[string]any) map[string]any {
	t.Helper()
	panels, _ := d["panels"].([]any)
	if len(panels) < 2 {
		t.Fatalf("want a row and a panel, got %d panels", len(panels))
	}
	p, _ := panels[1].(map[string]any)
	if p["type"] != "stat" {
		t.Fatalf("the first panel is a %v, the cases expect a stat", p["type"])
	}
	return p
}

func gridPos(t *testing.T, d map[string]any) map[string]any {
	t.Helper()
	pos, ok := firstPanel(t, d)["gridPos"].(map[string]any)
	if !ok {
		t.Fatal("the first panel has no gridPos")
	}
	return pos
}

// runSchemaCheck runs check.mjs on files, installing its pinned packages
// first when they are missing. It fails the test, never skips it, when Node.js
// or npm is not there: the check is the dashboards' only contact with
// Grafana's schema.
func runSchemaCheck(t *testing.T, files ...string) (string, error) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: the dashboard schema check needs Node.js 20 or later and npm on PATH", tool)
		}
	}
	// npm writes its hidden lockfile last: without it the install is
	// missing or was cut short.
	if _, err := os.Stat(filepath.Join(schemaCheckDir, "node_modules", ".package-lock.json")); err != nil {
		install := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		install.Dir = schemaCheckDir
		if out, err := install.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in dashboards/%s: %v\n%s", schemaCheckDir, err, out)
		}
	}
	check := exec.Command("node", append([]string{filepath.Join(schemaCheckDir, "check.mjs")}, files...)...)
	out, err := check.CombinedOutput()
	return string(out), err
}
