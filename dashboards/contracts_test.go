package dashboards

import (
	"strings"
	"testing"
)

// TestCreditsToClaimExcludesCurrent: the current period's credit is not
// claimable until the period ends; "Credits to claim" lists ended periods
// only.
func TestCreditsToClaimExcludesCurrent(t *testing.T) {
	for _, p := range contractsRow(selectors{}).panels {
		if p.title != "Credits to claim" {
			continue
		}
		for _, q := range p.queries {
			for _, metric := range []string{"support_contract_claim_deadline_timestamp_seconds", "support_contract_credit_ratio"} {
				_, rest, ok := strings.Cut(q.expr, metric+"{")
				sel, _, _ := strings.Cut(rest, "}")
				if !ok || !strings.Contains(sel, `period!="current"`) {
					t.Errorf("%s in %q: selector {%s}, want period!=\"current\"", metric, q.expr, sel)
				}
			}
		}
		return
	}
	t.Fatal(`no "Credits to claim" panel`)
}
