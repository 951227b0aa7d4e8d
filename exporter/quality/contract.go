package quality

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/contract"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// Agreements (docs/configuration.md, "Agreements"; docs/metrics.md,
// "Contracts: credits owed"). An availability agreement counts the outages
// of the status-page incidents: each incident is kept as one outage span
// (incidents are few), resolved ones with the times, impact and components
// pinned when the incident was first seen resolved (item.IncidentFinal), so
// that a vendor's later edit moves nothing; open ones up to the instant
// their source is judged as of, in the period gauges only. A snapshot
// derives every agreement's periods from the spans: their union weighted
// per instant, never a sum, so overlapping incidents count once.

// outage is an incident's span as an availability agreement counts it.
type outage struct {
	source     string
	start, end time.Time // end zero: the incident is open
	impact     Impact
	components []string
}

// outageOf is an incident's outage; ok is false when it feeds no agreement:
// created before the history start, or of a format that never says when an
// incident ended.
func (r *Rules) outageOf(source string, i *item.Incident) (o outage, ok bool) {
	h := incidentHistory(i)
	if !r.counted(h.Created) || i.ResolutionUnknown {
		return o, false
	}
	o.source = source
	if fin := h.Final; fin != nil && !fin.Resolved.IsZero() {
		o.start, o.end = cmp.Or(fin.Started, fin.FirstPost), fin.Resolved
		if fin.Impact != "" { // pinned at resolution (record format 5)
			o.impact, o.components = impactOf(fin.Impact), fin.Components
		} else {
			o.impact, o.components = impactOf(i.Impact), i.Components
		}
		return o, !o.start.IsZero()
	}
	if !i.ResolvedAt.IsZero() {
		return o, false
	}
	o.start, o.impact, o.components = startedAt(i), impactOf(i.Impact), i.Components
	return o, !o.start.IsZero()
}

// trackOutage keeps an incident's outage span for the agreements.
func (a *Aggregator) trackOutage(source string, old, new *item.Incident) {
	if len(a.rules.agreements) == 0 {
		return
	}
	if a.outages == nil {
		a.outages = map[itemKey]outage{}
	}
	if old != nil {
		delete(a.outages, itemKey{source, old.ID})
	}
	if new != nil {
		if o, ok := a.rules.outageOf(source, new); ok {
			a.outages[itemKey{source, new.ID}] = o
		}
	}
}

// ContractStatus is one agreement's state (docs/metrics.md, "Contracts:
// credits owed").
type ContractStatus struct {
	Agreement string
	Measure   string // config.MeasureAvailability or config.MeasureResponse
	// Downtime is the weighted downtime of the resolved incidents, a
	// counter (availability only).
	Downtime contract.Downtime
	// Periods are the current period, the previous one and any earlier
	// one whose credit can still be claimed, newest first; none before the
	// measured sources completed a first sync.
	Periods []ContractPeriod
	// HasCredit, HasClaim and HasTermination say whether the agreement has
	// a credit model, a claim window and termination conditions.
	HasCredit, HasClaim, HasTermination bool
	// Termination is whether a termination right holds now.
	Termination bool
	// Tiers are the tiered credit's steps, from the first (none for the
	// other models).
	Tiers []contract.Tier
	// Objective is a response agreement's objective: the share of first
	// responses on target each priority should reach in a period (zero
	// for availability agreements).
	Objective float64
}

// ContractPeriod is one period of an agreement.
type ContractPeriod struct {
	Name         string // current, previous, previous_2, ...
	Start, End   time.Time
	Availability float64 // availability agreements
	// Compliance is, per priority of a response agreement, the share of
	// first-response checks met; HasCompliance says whether the priority
	// had a check in the period (without one there is no share).
	Compliance    [NumPriorities]float64
	HasCompliance [NumPriorities]bool
	Credit        float64
	ClaimDeadline time.Time
}

// periodName is the `period` label of the period n periods before the
// current one.
func periodName(n int) string {
	switch n {
	case 0:
		return "current"
	case 1:
		return "previous"
	}
	return "previous_" + strconv.Itoa(n)
}

// maxClaimPeriods bounds the periods exposed for a claim window: a window
// longer than two years is exposed for its first two.
const maxClaimPeriods = 24

// contractStatuses derives every agreement's state as of the judged
// instants.
func (a *Aggregator) contractStatuses() []ContractStatus {
	if len(a.rules.agreements) == 0 {
		return nil
	}
	out := make([]ContractStatus, 0, len(a.rules.agreements))
	for _, ag := range a.rules.agreements {
		switch ag.Measure {
		case config.MeasureAvailability:
			out = append(out, a.availabilityStatus(ag))
		case config.MeasureResponse:
			out = append(out, a.responseStatus(ag))
		}
	}
	return out
}

// measuredAsOf is the instant up to which every source of the given kind
// list (status pages when status is true, else ticket sources) is
// complete; zero when one never completed a sync.
func (a *Aggregator) measuredAsOf(status bool) time.Time {
	var asOf time.Time
	first := true
	for _, source := range slices.Sorted(maps.Keys(a.kinds)) {
		if slices.Contains(a.signalSources, source) == status {
			continue
		}
		if t := a.judged[source]; first || t.Before(asOf) {
			asOf, first = t, false
		}
	}
	return asOf
}

// spans are the agreement's outage spans: the resolved incidents', and
// with live, the open ones' up to the instant their source is judged as of.
func (a *Aggregator) spans(ag *config.Agreement, live bool) []contract.Span {
	var spans []contract.Span
	for _, o := range a.outages {
		if !slices.ContainsFunc(o.components, func(c string) bool { return slices.Contains(ag.Components, c) }) {
			continue
		}
		w := ag.WeightOf[o.impact.String()]
		switch {
		case !o.end.IsZero():
			spans = append(spans, contract.Span{Start: o.start, End: o.end, Weight: w})
		case live:
			if judged := a.judged[o.source]; judged.After(o.start) {
				spans = append(spans, contract.Span{Start: o.start, End: judged, Weight: w})
			}
		}
	}
	return spans
}

// newContractStatus is an agreement's status before measuring.
func newContractStatus(ag *config.Agreement) ContractStatus {
	st := ContractStatus{Agreement: ag.Name, Measure: ag.Measure, HasCredit: ag.Credit != nil,
		HasClaim: ag.ClaimWindow != nil, HasTermination: len(ag.Termination) > 0}
	if ag.Credit != nil {
		st.Tiers = ag.Credit.Tiers
	}
	if ag.Measure == config.MeasureResponse {
		st.Objective = ag.Objective
	}
	return st
}

func (a *Aggregator) availabilityStatus(ag *config.Agreement) ContractStatus {
	st := newContractStatus(ag)
	st.Downtime = contract.DowntimeOf(a.spans(ag, false), time.Time{}, time.Time{})
	asOf := a.measuredAsOf(true)
	if asOf.IsZero() {
		return st
	}
	spans := a.spans(ag, true)
	ms := ag.Months
	cur := ms.At(asOf)
	availability := func(p contract.Period) float64 {
		return contract.Availability(contract.DowntimeOf(spans, p.Start, p.End), p)
	}
	for n := 0; n < maxClaimPeriods; n++ {
		p := ms.Shift(cur, -n)
		cp := ContractPeriod{Name: periodName(n), Start: p.Start, End: p.End, Availability: availability(p)}
		if ag.Credit != nil {
			cp.Credit = ag.Credit.Of(cp.Availability, contract.DaysDown(spans, p, ms.Location))
		}
		if ag.ClaimWindow != nil {
			cp.ClaimDeadline = ag.ClaimWindow.Deadline(ms, p)
		}
		if n >= 2 && (ag.ClaimWindow == nil || !cp.ClaimDeadline.After(asOf)) {
			break
		}
		st.Periods = append(st.Periods, cp)
	}
	// Termination: the run ending in the current period (its availability
	// falls as downtime accrues) or in the previous one.
	for _, t := range ag.Termination {
		if t.Periods <= 0 {
			continue
		}
		values := make([]float64, t.Periods+1) // oldest first, the current last
		for k := range values {
			values[k] = availability(ms.Shift(cur, k-t.Periods))
		}
		if contract.BelowInARow(values, t.Below, t.Periods) || contract.BelowInARow(values[:t.Periods], t.Below, t.Periods) {
			st.Termination = true
		}
	}
	return st
}

// contractDowntimeMoved reports whether the downtime counter of an
// availability agreement both snapshots have differs (CountersDiffer): an
// agreement added, removed or renamed is a series appearing or going, not
// a step.
func contractDowntimeMoved(a, b *VendorSnapshot) bool {
	before := map[string]contract.Downtime{}
	for _, c := range a.Contracts {
		if c.Measure == config.MeasureAvailability {
			before[c.Agreement] = c.Downtime
		}
	}
	for _, c := range b.Contracts {
		if d, ok := before[c.Agreement]; ok && c.Measure == config.MeasureAvailability && d != c.Downtime {
			return true
		}
	}
	return false
}
