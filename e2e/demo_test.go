package e2e

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
)

// notFedYet are catalog families the demo serves at zero only: follow-ups
// need a reply timeline, and Zendesk's export gives counts only.
var notFedYet = map[string]bool{
	"support_ticket_customer_followups_total": true,
	// Zero is the healthy value: the demo's vendors use known priorities,
	// send plausible times, and its settings never change.
	"support_tickets_unknown_priority_total":       true,
	"support_items_rejected_total":                 true,
	"support_aggregates_rebuilt_timestamp_seconds": true,
}

// TestDemo: within 60 s of start, the demo serves every catalog family that
// Zendesk and Statuspage feed with a non-zero value, and promtool finds
// nothing to say about the exposition; its landing page lists every source
// kind there is, with its own keys.
func TestDemo(t *testing.T) {
	p := start(t, nil, "--demo")
	_, landing := p.get("/")
	for _, k := range collectors.Kinds {
		if !strings.Contains(landing, "<td><code>"+k.Name+"</code></td><td>"+html.EscapeString(k.Title)+"</td>") {
			t.Errorf("the landing page does not list kind %s", k.Name)
		}
		for _, key := range k.Keys() {
			if !strings.Contains(landing, "<code>"+key.Name+"</code>") {
				t.Errorf("the landing page does not show %s's key %s", k.Name, key.Name)
			}
		}
	}
	text, missing := waitForCatalog(t, p, catalogFamilies(t), 60*time.Second)
	if len(missing) > 0 {
		t.Fatalf("after 60 s the demo has no non-zero value for %d families: %v", len(missing), missing)
	}
	if out := promtoolLint(t, text); out != "" {
		t.Fatalf("promtool check metrics:\n%s", out)
	}
}

// waitForCatalog scrapes p every second until every catalog family has a
// non-zero value (those of notFedYet: a series), or timeout passes, and
// returns the last exposition and the families still missing, sorted.
func waitForCatalog(t *testing.T, p *proc, catalog map[string]string, timeout time.Duration) (text string, missing []string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
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
			slices.Sort(missing)
			return text, missing
		}
		time.Sleep(time.Second)
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
