package quality

import (
	"slices"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/contract"
)

// Response agreements (docs/configuration.md, "Agreements"): the
// first-response SLA checks and breaches of the tickets of the agreement's
// priorities, per period of the ticket's pinned creation, under its pinned
// priority: the rule of support_ticket_sla_checks_total and
// _breaches_total, split by period. Like the totals they are integer
// tallies, added and taken back exactly with each ticket's static part; a
// clock still running counts checked and breached once its deadline passed
// as of the judged instant, at each snapshot (addLiveTicket's rule).

// responseCounts are one period's first-response checks and breaches.
type responseCounts struct {
	checks, breaches [NumPriorities]uint64
}

// responseTallies are, per response agreement (by name), the counts of each
// period by its start (Unix milliseconds).
type responseTallies map[string]map[int64]*responseCounts

// addResponses adds (or takes back) a ticket's judged first response to
// the period of its creation of every response agreement of its priority.
func (a *Aggregator) addResponses(st *ticketStatic, s sign) {
	if !st.checked[FirstResponse] {
		return
	}
	for _, ag := range a.rules.agreements {
		if ag.Measure != config.MeasureResponse || !slices.Contains(ag.Priorities, st.priority.String()) {
			continue
		}
		if a.responses == nil {
			a.responses = responseTallies{}
		}
		periods := a.responses[ag.Name]
		if periods == nil {
			periods = map[int64]*responseCounts{}
			a.responses[ag.Name] = periods
		}
		key := ag.Months.At(st.created).Start.UnixMilli()
		c := periods[key]
		if c == nil {
			c = &responseCounts{}
			periods[key] = c
		}
		c.checks[st.priority] += uint64(s)
		c.breaches[st.priority] += countOf(st.breached[FirstResponse], s)
	}
}

// responseCountsAt are an agreement's counts in each period as of the
// judged instants: the tallies plus the running clocks past their
// deadline.
func (a *Aggregator) responseCountsAt(ag *config.Agreement) map[int64]responseCounts {
	out := map[int64]responseCounts{}
	for k, c := range a.responses[ag.Name] {
		out[k] = *c
	}
	for k, lt := range a.tickets {
		deadline := lt.running[FirstResponse]
		if deadline.IsZero() || !a.judged[k.source].After(deadline) || !slices.Contains(ag.Priorities, lt.pinned.String()) {
			continue
		}
		key := ag.Months.At(lt.created).Start.UnixMilli()
		c := out[key]
		c.checks[lt.pinned]++
		c.breaches[lt.pinned]++
		out[key] = c
	}
	return out
}

// responseStatus derives a response agreement's periods: each priority's
// compliance, the credit of the lowest compliance (tiers), the claim
// deadline, and whether enough first responses were missed to terminate.
func (a *Aggregator) responseStatus(ag *config.Agreement) ContractStatus {
	st := newContractStatus(ag)
	asOf := a.measuredAsOf(false)
	if asOf.IsZero() {
		return st
	}
	counts := a.responseCountsAt(ag)
	ms := ag.Months
	cur := ms.At(asOf)
	for n := 0; n < maxClaimPeriods; n++ {
		p := ms.Shift(cur, -n)
		cp := ContractPeriod{Name: periodName(n), Start: p.Start, End: p.End}
		c := counts[p.Start.UnixMilli()]
		worst := 1.0
		for _, name := range ag.Priorities {
			pr, ok := ParsePriority(name)
			if !ok || c.checks[pr] == 0 {
				continue
			}
			cp.Compliance[pr] = 1 - float64(c.breaches[pr])/float64(c.checks[pr])
			cp.HasCompliance[pr] = true
			worst = min(worst, cp.Compliance[pr])
		}
		if ag.Credit != nil {
			cp.Credit = ag.Credit.Of(worst, 0)
		}
		if ag.ClaimWindow != nil {
			cp.ClaimDeadline = ag.ClaimWindow.Deadline(ms, p)
		}
		if n >= 2 && (ag.ClaimWindow == nil || !cp.ClaimDeadline.After(asOf)) {
			break
		}
		st.Periods = append(st.Periods, cp)
	}
	for _, t := range ag.Termination {
		if t.WithinPeriods <= 0 {
			continue
		}
		missed := make([]uint64, t.WithinPeriods+1) // oldest first, the current last
		for k := range missed {
			c := counts[ms.Shift(cur, k-t.WithinPeriods).Start.UnixMilli()]
			for _, b := range c.breaches {
				missed[k] += b
			}
		}
		if contract.MissedWithin(missed, uint64(t.Missed), t.WithinPeriods) ||
			contract.MissedWithin(missed[:t.WithinPeriods], uint64(t.Missed), t.WithinPeriods) {
			st.Termination = true
		}
	}
	return st
}
