package dashboards

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/alerts"
)

// TestQueriesReadReplicasOnce: every sum of the exporter's series reads
// them through max without (instance, pod), as the rules do, so an HA pair
// shows what one exporter shows (docs/ha.md). The exceptions are the
// exporter's own work, which the replicas do twice: requests and failed
// syncs.
func TestQueriesReadReplicasOnce(t *testing.T) {
	files, err := Render(alerts.Default())
	if err != nil {
		t.Fatal(err)
	}
	perReplica := []string{"support_source_requests_total", "support_source_errors_total"}
	sum := regexp.MustCompile(`sum by \([^)]*\) \(`)
	checked := 0
	for _, f := range files {
		for _, expr := range exprs(t, f.Data) {
			for _, loc := range sum.FindAllStringIndex(expr, -1) {
				inner := expr[loc[1]:]
				if strings.HasPrefix(inner, "max without (instance, pod) (") {
					checked++
					continue
				}
				// The freshest-replica ranking sums each replica's own
				// sources' lags, per replica (alerts.GaugeFromFreshest).
				ranking := strings.HasPrefix(inner, "(("+alerts.FreshnessMetric+"{")
				if strings.HasPrefix(inner, "label_join(") || recordedOnly(inner) || perReplicaOnly(inner, perReplica) || ranking {
					continue
				}
				t.Errorf("%s: a sum without max without (instance, pod) under it: %s", f.Name, expr)
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d sums read through the replicas: the check lost its queries", checked)
	}
}

// recordedOnly: the sum reads a recorded series, which has no replica labels.
func recordedOnly(expr string) bool {
	return regexp.MustCompile(`^[a-z_]+:[a-z_0-9]+:[a-z_0-9]+\{`).MatchString(expr)
}

func perReplicaOnly(expr string, metrics []string) bool {
	for _, m := range metrics {
		if strings.HasPrefix(expr, "increase("+m+"{") {
			return true
		}
	}
	return false
}

func exprs(t *testing.T, data []byte) []string {
	t.Helper()
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "expr" {
					out = append(out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return out
}

// TestGaugePanelsReadFreshestReplica: every panel reading a gauge of the
// vendors' numbers reads it through alerts.DedupeReplicaGauge (docs/ha.md,
// "Gauges: the freshest replica"), as the rules do. The exporter's own
// gauges, the configured ones and the timestamps that only grow are read
// as they were.
func TestGaugePanelsReadFreshestReplica(t *testing.T) {
	files, err := Render(alerts.Default())
	if err != nil {
		t.Fatal(err)
	}
	gauges := []string{
		"support_tickets_open", "support_tickets_breaching_sla", "support_ticket_oldest_unanswered_created_timestamp_seconds",
		"support_escalations_open", "support_status_component_status", "support_status_incidents_open",
		"support_status_incident_oldest_last_update_timestamp_seconds", "support_status_next_maintenance_timestamp_seconds",
		"support_docs_pages", "support_docs_last_update_timestamp_seconds", "support_docs_pages_stale", "support_docs_pages_updated",
		"support_docs_translations_outdated", "support_docs_pages_undated", "support_docs_lastmod_suspect", "support_feature_requests_open",
		"support_contract_availability_ratio", "support_contract_response_compliance_ratio", "support_contract_credit_ratio",
		"support_contract_claim_deadline_timestamp_seconds", "support_contract_termination_right",
	}
	prefix := "max without (instance, pod) ((("
	read := map[string]bool{}
	for _, f := range files {
		for _, expr := range exprs(t, f.Data) {
			var spans [][2]int
			for i := 0; ; {
				j := strings.Index(expr[i:], prefix)
				if j < 0 {
					break
				}
				start, depth, end := i+j, 0, -1
				for k := start + len(prefix) - 3; k < len(expr); k++ {
					if expr[k] == '(' {
						depth++
					} else if expr[k] == ')' {
						if depth--; depth == 0 {
							end = k + 1
							break
						}
					}
				}
				if end < 0 || !strings.Contains(expr[start:end], " topk by (") {
					t.Fatalf("%s: not the gauge form: %s", f.Name, expr[start:])
				}
				spans = append(spans, [2]int{start, end})
				i = end
			}
			for _, g := range gauges {
				for _, loc := range regexp.MustCompile(`\b`+g+`\{`).FindAllStringIndex(expr, -1) {
					read[g] = true
					inside := false
					for _, s := range spans {
						inside = inside || s[0] <= loc[0] && loc[1] <= s[1]
					}
					if !inside {
						t.Errorf("%s: the gauge %s read through max alone: %s", f.Name, g, expr)
					}
				}
			}
		}
	}
	for _, g := range gauges {
		if !read[g] {
			t.Errorf("no panel reads %s: the check lost its panels", g)
		}
	}
}
