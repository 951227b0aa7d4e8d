package alerts

import (
	"fmt"
	"time"
)

// contractAlerts watch the vendors' agreements (docs/metrics.md,
// "Contracts: credits owed"): a credit that will be lost unless claimed
// soon, and a right to end the contract.
func contractAlerts(q promql) []alert {
	return []alert{creditClaimDue(q), terminationRight(q)}
}

// creditClaimDue: a finished period earned a credit and its claim deadline
// is ahead but within ClaimNotice. The current period is left out: its
// credit may still grow and a claim waits for its end. The value is the
// time left.
func creditClaimDue(q promql) alert {
	deadline := q.dedupeGauge(q.sel("support_contract_claim_deadline_timestamp_seconds", `period!="current"`))
	return alert{
		name:     "SupportContractCreditClaimDue",
		severity: "warning",
		expr: fmt.Sprintf("(\n  %s - time() < %d\n  and\n  %s - time() > 0\n)\nand on (%s)\n%s > 0",
			deadline, int64(q.cfg.ClaimNotice/time.Second), deadline,
			q.by("vendor", "agreement", "period"), q.dedupeGauge(q.sel("support_contract_credit_ratio"))),
		summary: "A vendor owes a service credit whose claim deadline is near.",
		description: `{{ $labels.vendor }} owes a credit under agreement {{ $labels.agreement }} for the {{ $labels.period }}` +
			` period; it can be claimed for {{ $value | humanizeDuration }} more.`,
	}
}

func terminationRight(q promql) alert {
	return alert{
		name:     "SupportContractTerminationRight",
		severity: "warning",
		expr:     q.dedupeGauge(q.sel("support_contract_termination_right")) + " == 1",
		pending:  q.cfg.ConfirmFor,
		summary:  "A vendor's shortfall gives the right to terminate the contract.",
		description: `A termination condition of {{ $labels.vendor }}'s agreement {{ $labels.agreement }} holds:` +
			` the contract may be ended under its terms.`,
	}
}
