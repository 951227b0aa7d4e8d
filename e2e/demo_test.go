package e2e

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// notFedYet are catalog families the demo serves at zero only: follow-ups
// need a reply timeline, and Zendesk's export gives counts only.
var notFedYet = map[string]bool{
	"support_ticket_customer_followups_total": true,
	// Zero is the healthy value: the demo's vendors use known priorities.
	"support_tickets_unknown_priority_total": true,
}

// TestDemo: within 60 s of start, the demo serves every catalog family that
// Zendesk and Statuspage feed with a non-zero value, and promtool finds
// nothing to say about the exposition.
func TestDemo(t *testing.T) {
	catalog := catalogFamilies(t)
	p := start(t, nil, "--demo")
	deadline := time.Now().Add(60 * time.Second)
	var missing []string
	var text string
	for {
		_, text = p.get("/metrics")
		s := parseMetrics(t, text)
		missing = missing[:0]
		for name, typ := range catalog {
			sample := name
			if typ == "histogram" {
				sample = name + "_count"
			}
			switch {
			case notFedYet[name]:
				if !s.has(sample) { // served, at zero
					missing = append(missing, name)
				}
			case s.max(sample) <= 0:
				missing = append(missing, name)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Fatalf("after 60 s the demo has no non-zero value for %d families: %v", len(missing), missing)
	}
	if out := promtoolLint(t, text); out != "" {
		t.Fatalf("promtool check metrics:\n%s", out)
	}
}

// catalogFamilies reads the metric catalog of docs/metrics.md: the names
// dashboards and alerts rely on.
func catalogFamilies(t *testing.T) map[string]string {
	t.Helper()
	b, err := readRepoFile("docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	re := regexp.MustCompile("(?m)^\\| `(support_[a-z0-9_]+)` \\| (counter|gauge|histogram) \\|")
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = m[2]
	}
	if len(out) < 30 || !strings.Contains(string(b), "support_tickets_created_total") {
		t.Fatalf("docs/metrics.md lists only %d families", len(out))
	}
	return out
}
