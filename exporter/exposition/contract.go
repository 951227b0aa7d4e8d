package exposition

import (
	"strconv"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

// contractFamilies are the families of a vendor's agreements
// (docs/metrics.md, "Contracts: credits owed").
type contractFamilies struct {
	downtime, availability, compliance, credit, claimDeadline, periodStart, periodEnd,
	termination, tierBelow, tierCredit, objective *Family
}

var contractFams = newContractFamilies()

func newContractFamilies() contractFamilies {
	va, vap := []string{"vendor", "agreement"}, []string{"vendor", "agreement", "period"}
	downtime := counterFamily("contract_downtime_seconds_total",
		"Weighted downtime of an availability agreement's components: the union over time of the resolved incidents affecting them, each instant weighted by the highest weight (agreement weights per impact at resolution) of the incidents then open; added when an incident resolves.", va...)
	downtime.perUnit = 1e6 // contract.Downtime: millisecond-thousandths
	return contractFamilies{
		downtime: downtime,
		availability: gaugeFamily("contract_availability_ratio",
			"Availability of an agreement's components in the period: 1 - weighted downtime / the period's full length. For period=current, the downtime so far (open incidents up to the status page's last complete sync): what the period ends with if nothing more goes down.", vap...),
		compliance: gaugeFamily("contract_response_compliance_ratio",
			"Of a response agreement's first-response SLA checks of tickets created in the period, the share met; absent while the period has no check.", "vendor", "agreement", "priority", "period"),
		credit: gaugeFamily("contract_credit_ratio",
			"Estimated credit owed for the period, a share of the period's fee, by the agreement's credit model and cap. Evidence for a claim: the vendor's own figure is the contractual one.", vap...),
		claimDeadline: gaugeFamily("contract_claim_deadline_timestamp_seconds",
			"Last instant (Unix seconds) a credit for the period can be claimed under the agreement's claim window.", vap...),
		periodStart: gaugeFamily("contract_period_start_timestamp_seconds", "Start (Unix seconds) of the agreement's period, in the contract's time zone.", vap...),
		periodEnd:   gaugeFamily("contract_period_end_timestamp_seconds", "End (Unix seconds, exclusive) of the agreement's period.", vap...),
		termination: gaugeFamily("contract_termination_right",
			"1 while one of the agreement's termination conditions holds for the run of periods ending in the current or the previous period, else 0.", va...),
		tierBelow: gaugeFamily("contract_tier_below_ratio",
			"A tiered credit's step: the measured ratio below which the tier's credit is owed (tier 1 is the first step down).", "vendor", "agreement", "tier"),
		tierCredit: gaugeFamily("contract_tier_credit_ratio", "A tiered credit's step: the credit owed below the tier's threshold, a share of the period's fee.", "vendor", "agreement", "tier"),
		objective: gaugeFamily("contract_response_objective_ratio",
			"A response agreement's objective: the share of first responses on target each priority should reach in a period.", va...),
	}
}

func (f *contractFamilies) list() []*Family {
	return []*Family{f.downtime, f.availability, f.compliance, f.credit, f.claimDeadline, f.periodStart, f.periodEnd,
		f.termination, f.tierBelow, f.tierCredit, f.objective}
}

// walkContracts walks a vendor's agreements. The downtime counter is there
// from the start, for every availability agreement; the period gauges once
// the measured sources completed a sync.
func walkContracts(w Walker, v *quality.VendorSnapshot) {
	f := &contractFams
	for i := range v.Contracts {
		c := &v.Contracts[i]
		if c.Measure == config.MeasureAvailability {
			w.Counter(f.downtime, uint64(c.Downtime), v.Vendor, c.Agreement)
		}
		if c.Measure == config.MeasureResponse {
			w.Gauge(f.objective, c.Objective, v.Vendor, c.Agreement)
		}
		for t, tier := range c.Tiers {
			n := strconv.Itoa(t + 1)
			w.Gauge(f.tierBelow, tier.Below, v.Vendor, c.Agreement, n)
			w.Gauge(f.tierCredit, tier.Credit, v.Vendor, c.Agreement, n)
		}
		for _, p := range c.Periods {
			w.Gauge(f.periodStart, timestamp(p.Start), v.Vendor, c.Agreement, p.Name)
			w.Gauge(f.periodEnd, timestamp(p.End), v.Vendor, c.Agreement, p.Name)
			if c.Measure == config.MeasureAvailability {
				w.Gauge(f.availability, p.Availability, v.Vendor, c.Agreement, p.Name)
			}
			for pr := range quality.NumPriorities {
				if p.HasCompliance[pr] {
					w.Gauge(f.compliance, p.Compliance[pr], v.Vendor, c.Agreement, pr.String(), p.Name)
				}
			}
			if c.HasCredit {
				w.Gauge(f.credit, p.Credit, v.Vendor, c.Agreement, p.Name)
			}
			if c.HasClaim {
				w.Gauge(f.claimDeadline, timestamp(p.ClaimDeadline), v.Vendor, c.Agreement, p.Name)
			}
		}
		if c.HasTermination && len(c.Periods) > 0 {
			x := 0.0
			if c.Termination {
				x = 1
			}
			w.Gauge(f.termination, x, v.Vendor, c.Agreement)
		}
	}
}
