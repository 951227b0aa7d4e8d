package report

import (
	"strings"
	"testing"
)

// TestFootnotesOneExpressionEach: every indicator names a footnote that
// exists; a footnote holds one PromQL expression (none joined by ";"),
// quantile footnotes use histogram_quantile and means do not; only
// escalations_open has no PromQL (its gauge is not backfilled), and its
// text says so.
func TestFootnotesOneExpressionEach(t *testing.T) {
	fns := map[string]Footnote{}
	for _, f := range footnotes([]string{"acme"}, Period{From: from, To: to}) {
		if _, dup := fns[f.ID]; dup {
			t.Errorf("footnote %s twice", f.ID)
		}
		fns[f.ID] = f
		if strings.Contains(f.PromQL, ";") {
			t.Errorf("footnote %s holds more than one expression: %s", f.ID, f.PromQL)
		}
		if f.PromQL == "" && f.ID != "escalations_open" {
			t.Errorf("footnote %s has no PromQL", f.ID)
		}
	}
	if f := fns["escalations_open"]; f.PromQL != "" || !strings.Contains(f.Text, "backfill") ||
		!strings.Contains(f.Text, "support_escalations_open") {
		t.Errorf("escalations_open footnote %+v: want no PromQL and a text saying why", f)
	}
	for _, def := range indicatorDefs() {
		f, ok := fns[def.footnote]
		if !ok {
			t.Errorf("%s: footnote %q missing", def.id, def.footnote)
			continue
		}
		quantile := def.unit == UnitSeconds || strings.HasSuffix(def.id, "_p90") || strings.HasSuffix(def.id, "_p50")
		if quantile != strings.Contains(f.PromQL, "histogram_quantile") {
			t.Errorf("%s: footnote %s (%s) does not compute what it is (quantile: %v)", def.id, f.ID, f.PromQL, quantile)
		}
	}
	if f := fns["maintenance_notice"]; !strings.Contains(f.PromQL, "support_status_maintenance_notice_seconds_count") ||
		strings.Contains(f.PromQL, "support_status_maintenances_total") {
		t.Errorf("maintenance_notice: %s, want short notices over the notice histogram's count", f.PromQL)
	}
	for id, outcome := range map[string]string{"feature_requests_shipped": `outcome="shipped"`, "feature_requests_declined": `outcome="declined"`} {
		if f := fns[id]; !strings.Contains(f.PromQL, "support_feature_request_outcomes_total") || !strings.Contains(f.PromQL, outcome) {
			t.Errorf("%s: %s", id, f.PromQL)
		}
	}
}
