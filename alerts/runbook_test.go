package alerts

import (
	"os"
	"strings"
	"testing"
)

// TestEveryAlertHasARunbookSection: runbook_url points at
// docs/runbook.md#<lower-cased name>, the anchor of a "## <Name>" heading.
func TestEveryAlertHasARunbookSection(t *testing.T) {
	runbook, err := os.ReadFile("../docs/runbook.md")
	if err != nil {
		t.Fatalf("read runbook: %v", err)
	}
	for _, r := range generatedRules(t, Default(), AlertingRules) {
		if !strings.Contains(string(runbook), "\n## "+r.Alert+"\n") {
			t.Errorf("docs/runbook.md has no section ## %s", r.Alert)
		}
		if want := Default().RunbookURL + "#" + strings.ToLower(r.Alert); r.Annotations["runbook_url"] != want {
			t.Errorf("%s runbook_url = %s, want %s", r.Alert, r.Annotations["runbook_url"], want)
		}
		for _, a := range []string{"summary", "description"} {
			if r.Annotations[a] == "" {
				t.Errorf("%s has no %s", r.Alert, a)
			}
		}
		if !severities[r.Labels["severity"]] {
			t.Errorf("%s severity %q", r.Alert, r.Labels["severity"])
		}
	}
}
