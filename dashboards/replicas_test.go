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
				if strings.HasPrefix(inner, "label_join(") || recordedOnly(inner) || perReplicaOnly(inner, perReplica) {
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
