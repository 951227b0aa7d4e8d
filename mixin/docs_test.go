package mixin

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/alerts"
)

// TestConfigKeysDocumented: every key of the mixin config (as
// --print-config writes them, which is also the library's _config) has
// its row in docs/mixin.md.
func TestConfigKeysDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "mixin.md"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := alerts.MarshalConfigFile(alerts.Default())
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := yaml.Unmarshal(data, &keys); err != nil {
		t.Fatal(err)
	}
	var all []string
	for k, v := range keys {
		all = append(all, k)
		if list, ok := v.([]any); ok && len(list) > 0 {
			if m, ok := list[0].(map[string]any); ok {
				for sub := range m {
					all = append(all, k+"[]."+sub)
				}
			}
		}
	}
	if len(all) < 25 {
		t.Fatalf("only %d keys: %v", len(all), all)
	}
	for _, k := range all {
		if !bytes.Contains(doc, []byte("| `"+k+"` |")) {
			t.Errorf("docs/mixin.md has no row for %s", k)
		}
	}
}
