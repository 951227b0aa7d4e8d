package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/alerts"
)

// TestCreditsToClaimReadsOneReplica runs the dashboard's "Credits to
// claim" query, as rendered, through promtool over an HA pair at a month's
// turn: se-0, whose sources froze before it, still calls October
// "previous" (credit 10%, claim deadline 5000); se-1, fresh, calls
// November "previous" (no credit, deadline 9000) and October "previous_2".
// The query must pair each deadline with the credit of the same replica
// and read the fresh one: October's claim as previous_2, 4700 s left at
// 5 min. (Joined across replicas, it showed November's deadline as a claim
// the fresh replica says was never earned.)
func TestCreditsToClaimReadsOneReplica(t *testing.T) {
	promtool := lookPath(t, "promtool", "prometheus")
	query := dashboardExpr(t, alerts.Default(), "support-vendor-detail.json", "(support_contract_claim_deadline_timestamp_seconds{", nil)
	series := func(metric, replica, labels, values string) string {
		return "      - series: '" + metric + `{job="support_exporter",instance="` + replica + `",pod="` + replica + `",vendor="acme",` + labels + "}'\n        values: '" + values + "'\n"
	}
	var in strings.Builder
	in.WriteString(series("support_source_last_success_timestamp_seconds", "se-0", `source="status",kind="statuspage"`, "100x10"))
	in.WriteString(series("support_source_last_success_timestamp_seconds", "se-1", `source="status",kind="statuspage"`, "0+60x10"))
	for _, s := range []struct{ replica, period, credit, deadline string }{
		{"se-0", "previous", "0.1x10", "5000x10"},
		{"se-1", "previous", "0x10", "9000x10"},
		{"se-1", "previous_2", "0.1x10", "5000x10"},
	} {
		in.WriteString(series("support_contract_credit_ratio", s.replica, `agreement="sla",period="`+s.period+`"`, s.credit))
		in.WriteString(series("support_contract_claim_deadline_timestamp_seconds", s.replica, `agreement="sla",period="`+s.period+`"`, s.deadline))
	}
	test := "evaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" + in.String() +
		"    promql_expr_test:\n      - expr: '" + strings.ReplaceAll(query, "'", "''") + "'\n        eval_time: 5m\n" +
		"        exp_samples:\n          - labels: '{vendor=\"acme\",agreement=\"sla\",period=\"previous_2\"}'\n            value: 4700\n"
	path := filepath.Join(t.TempDir(), "credits.test.yml")
	if err := os.WriteFile(path, []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "test", "rules", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s\nquery: %s", err, out, query)
	}
}
