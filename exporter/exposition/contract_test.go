package exposition

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/support-exporter/support_exporter/exporter/contract"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

func contractState() *fakeState {
	s := sampleState()
	v := s.snap.Vendors[0]
	p := quality.ContractPeriod{Name: "current", Start: time.Unix(1772323200, 0), End: time.Unix(1775001600, 0),
		Availability: 0.9959677419354839, Credit: 0.1, ClaimDeadline: time.Unix(1780272000, 0)}
	r := quality.ContractPeriod{Name: "current", Start: p.Start, End: p.End}
	r.Compliance[quality.Urgent], r.HasCompliance[quality.Urgent] = 0.5, true
	v.Contracts = []quality.ContractStatus{
		{Agreement: "cdn", Measure: "availability", Downtime: contract.Downtime(7200500000), HasCredit: true, HasClaim: true,
			HasTermination: true, Termination: true, Tiers: []contract.Tier{{Below: 0.999, Credit: 0.1}}, Periods: []quality.ContractPeriod{p}},
		{Agreement: "support", Measure: "response", Objective: 0.95, Periods: []quality.ContractPeriod{r}},
		{Agreement: "unsynced", Measure: "availability", HasCredit: true, HasTermination: true},
	}
	return s
}

func TestContractValues(t *testing.T) {
	c := New(contractState())
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
	const want = `
# HELP support_contract_downtime_seconds_total Weighted downtime of an availability agreement's components: the union over time of the resolved incidents affecting them, each instant weighted by the highest weight (agreement weights per impact at resolution) of the incidents then open; added when an incident resolves. Refreshed by background sync, not at scrape time.
# TYPE support_contract_downtime_seconds_total counter
support_contract_downtime_seconds_total{agreement="cdn",vendor="acme"} 7200.5
support_contract_downtime_seconds_total{agreement="unsynced",vendor="acme"} 0
# HELP support_contract_availability_ratio Availability of an agreement's components in the period: 1 - weighted downtime / the period's full length. For period=current, the downtime so far (open incidents up to the status page's last complete sync): what the period ends with if nothing more goes down. Refreshed by background sync, not at scrape time.
# TYPE support_contract_availability_ratio gauge
support_contract_availability_ratio{agreement="cdn",period="current",vendor="acme"} 0.9959677419354839
# HELP support_contract_response_compliance_ratio Of a response agreement's first-response SLA checks of tickets created in the period, the share met; absent while the period has no check. Refreshed by background sync, not at scrape time.
# TYPE support_contract_response_compliance_ratio gauge
support_contract_response_compliance_ratio{agreement="support",period="current",priority="urgent",vendor="acme"} 0.5
# HELP support_contract_response_objective_ratio A response agreement's objective: the share of first responses on target each priority should reach in a period. Refreshed by background sync, not at scrape time.
# TYPE support_contract_response_objective_ratio gauge
support_contract_response_objective_ratio{agreement="support",vendor="acme"} 0.95
# HELP support_contract_termination_right 1 while one of the agreement's termination conditions holds for the run of periods ending in the current or the previous period, else 0. Refreshed by background sync, not at scrape time.
# TYPE support_contract_termination_right gauge
support_contract_termination_right{agreement="cdn",vendor="acme"} 1
# HELP support_contract_claim_deadline_timestamp_seconds Last instant (Unix seconds) a credit for the period can be claimed under the agreement's claim window. Refreshed by background sync, not at scrape time.
# TYPE support_contract_claim_deadline_timestamp_seconds gauge
support_contract_claim_deadline_timestamp_seconds{agreement="cdn",period="current",vendor="acme"} 1.780272e+09
# HELP support_contract_tier_below_ratio A tiered credit's step: the measured ratio below which the tier's credit is owed (tier 1 is the first step down). Refreshed by background sync, not at scrape time.
# TYPE support_contract_tier_below_ratio gauge
support_contract_tier_below_ratio{agreement="cdn",tier="1",vendor="acme"} 0.999
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "support_contract_downtime_seconds_total",
		"support_contract_availability_ratio", "support_contract_response_compliance_ratio", "support_contract_termination_right",
		"support_contract_response_objective_ratio",
		"support_contract_claim_deadline_timestamp_seconds", "support_contract_tier_below_ratio"); err != nil {
		t.Fatal(err)
	}
}
