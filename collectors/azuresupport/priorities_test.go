package azuresupport

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

// TestRecommendedPriorities: the `priorities` docs/sources.md recommends
// for this kind map each of Azure's severities, as the collector emits
// them, to a priority, none left unknown.
func TestRecommendedPriorities(t *testing.T) {
	doc, err := os.ReadFile("../../docs/sources.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(doc), "### `azure_support`")
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "```yaml\n")
	block, _, _ = strings.Cut(block, "```")
	var v struct {
		Priorities map[string][]string `yaml:"priorities"`
	}
	if err := yaml.Unmarshal([]byte(block), &v); !ok || err != nil || len(v.Priorities) == 0 {
		t.Fatalf("no recommended priorities in the azure_support section (%v):\n%s", err, block)
	}
	rules, err := quality.NewRules(&config.Vendor{Name: "azure", Priorities: v.Priorities}, config.Global{})
	if err != nil {
		t.Fatal(err)
	}
	for severity, want := range map[string]string{"HighestCriticalImpact": "urgent", "Critical": "urgent", "Moderate": "high", "Minimal": "normal"} {
		at := apiTicket{}
		at.Properties.Severity = severity
		if p, known := rules.Priority(at.severity()); !known || p.String() != want {
			t.Errorf("severity %s: %s (known %v), want %s", severity, p, known, want)
		}
	}
}
