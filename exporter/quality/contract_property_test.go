package quality

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/contract"
)

// incidentComponents are the components of the generator's incidents, in
// turn: the property vendor's availability agreement counts CDN.
var incidentComponents = [][]string{{"CDN"}, {"API"}, {"CDN", "API"}}

// propertyAgreements are the property vendor's agreements: an availability
// agreement over service months from day 31 in Berlin (clamped months and
// DST changes), partial outages counting half; and a response agreement of
// calendar months in UTC.
func propertyAgreements(t *testing.T) []*config.Agreement {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return []*config.Agreement{{
		Name: "cdn", Measure: config.MeasureAvailability, Components: []string{"CDN"},
		Months:      contract.Months{StartDay: 31, Location: berlin},
		WeightOf:    map[string]contract.Weight{"none": 0, "minor": 0, "major": 500, "critical": 1000},
		Credit:      &contract.Credit{Tiers: []contract.Tier{{Below: 0.999, Credit: 0.1}, {Below: 0.99, Credit: 0.25}}, Cap: 1},
		ClaimWindow: &contract.Claim{BillingCycles: 2},
		Termination: []*config.Termination{{Below: 0.99, Periods: 2}},
	}, {
		Name: "support", Measure: config.MeasureResponse, Priorities: []string{"urgent", "high", "low"}, Objective: 0.9,
		Months:      contract.Months{StartDay: 1, Location: time.UTC},
		Credit:      &contract.Credit{Tiers: []contract.Tier{{Below: 0.9, Credit: 0.05}}, Cap: 1},
		ClaimWindow: &contract.Claim{Within: 30 * 24 * time.Hour},
		Termination: []*config.Termination{{Missed: 3, WithinPeriods: 2}},
	}}
}

// assertContractsBusy fails when the generator left the agreements idle.
func assertContractsBusy(t *testing.T, final *VendorSnapshot) {
	t.Helper()
	if len(final.Contracts) != 2 {
		t.Fatalf("contracts %+v, want the property vendor's two", final.Contracts)
	}
	cdn, support := final.Contracts[0], final.Contracts[1]
	if cdn.Downtime == 0 || len(cdn.Periods) < 2 {
		t.Errorf("generator too quiet: agreement cdn %+v, want downtime and periods", cdn)
	}
	checked := 0
	for _, p := range support.Periods {
		for pr := range NumPriorities {
			if p.HasCompliance[pr] && p.Compliance[pr] < 1 {
				checked++
			}
		}
	}
	if checked == 0 {
		t.Errorf("generator too quiet: agreement support %+v, want some period with missed first responses", support)
	}
}
