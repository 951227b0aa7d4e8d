package quality

import (
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// MergeTicket combines a freshly fetched ticket with its stored version (nil
// when new) and returns what to store. It pins the facts counters depend on,
// so that they never go down when the vendor later edits the ticket:
//
//   - FirstPriority: the priority at first store (counter label);
//   - RepliesAtFirstSolve: the vendor replies up to the first solve, set
//     when a first solve is first seen (-1 before);
//   - EverEscalated: sticky once the ticket was escalated (API flag,
//     escalation tag or escalation event);
//   - Ratings: every satisfaction rating given, a changed rating appended;
//   - Figures.Reopens: never lower than stored.
//
// It is a method of Rules because escalation by tag is the vendor's
// setting. Merging the same fetched ticket twice changes nothing, which is
// what makes a re-fetch after a crash safe.
func (r *Rules) MergeTicket(stored *model.Ticket, fetched model.Ticket) model.Ticket {
	merged := fetched
	if fetched.Figures != nil {
		fig := *fetched.Figures
		if stored != nil && stored.Figures != nil {
			fig.Reopens = max(fig.Reopens, stored.Figures.Reopens)
		}
		merged.Figures = &fig
	}
	h := model.TicketHistory{FirstPriority: fetched.Priority, RepliesAtFirstSolve: -1}
	switch {
	case stored != nil && stored.History != nil:
		h = *stored.History
	case stored != nil: // stored before it was pinned: it is the first version
		h = *r.MergeTicket(nil, *stored).History
	}
	f := r.ticketFacts(&merged)
	if h.RepliesAtFirstSolve < 0 && !f.firstSolve.IsZero() {
		h.RepliesAtFirstSolve = f.repliesAtSolve
	}
	h.EverEscalated = h.EverEscalated || f.escalated
	if s := fetched.Satisfaction; (s == model.RatingGood || s == model.RatingBad) &&
		(len(h.Ratings) == 0 || h.Ratings[len(h.Ratings)-1] != s) {
		h.Ratings = append(slices.Clip(h.Ratings), s) // never write into the stored version's array
	}
	merged.History = &h
	return merged
}

// MergeIncident combines a freshly fetched incident with its stored version
// (nil when new). It pins the impact at first store (counter label; unknown
// impacts are none), keeps the earliest CreatedAt, and keeps the union of
// stored and fetched updates, sorted: a vendor deleting an update never
// un-counts a gap. Merging the same fetched incident twice changes nothing.
func MergeIncident(stored *model.Incident, fetched model.Incident) model.Incident {
	merged := fetched
	first := fetched.Impact
	var storedUpdates []time.Time
	if stored != nil {
		first = stored.Impact
		if stored.History != nil {
			first = stored.History.FirstImpact
		}
		merged.CreatedAt = earliest(stored.CreatedAt, fetched.CreatedAt)
		storedUpdates = stored.Updates
	}
	merged.Updates = unionTimes(storedUpdates, fetched.Updates)
	merged.History = &model.IncidentHistory{FirstImpact: model.Impact(impactOf(first).String())}
	return merged
}

// MergeMaintenance combines a freshly fetched maintenance with its stored
// version (nil when new), keeping the earliest announcement time so that the
// notice a vendor gave cannot shrink when it edits the maintenance, and the
// stored schedule when the fetched version no longer shows one (a feed
// prints it only while the maintenance is upcoming): a notice once observed
// is never taken back.
func MergeMaintenance(stored *model.Maintenance, fetched model.Maintenance) model.Maintenance {
	merged := fetched
	if stored != nil {
		merged.CreatedAt = earliest(stored.CreatedAt, fetched.CreatedAt)
		if merged.ScheduledFor.IsZero() {
			merged.ScheduledFor, merged.ScheduledUntil = stored.ScheduledFor, stored.ScheduledUntil
		}
	}
	return merged
}

// earliest is the earlier of two times, ignoring zero ones.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// unionTimes is the sorted set of instants in a and b; of equal instants,
// the first met (a's before b's) is kept, which makes merging idempotent.
func unionTimes(a, b []time.Time) []time.Time {
	if len(a)+len(b) == 0 {
		return nil
	}
	all := slices.SortedStableFunc(slices.Values(slices.Concat(a, b)), time.Time.Compare)
	return slices.CompactFunc(all, time.Time.Equal)
}

// impactOf maps a model impact to the `impact` label; unknown values are
// none.
func impactOf(i model.Impact) Impact {
	switch model.Impact(strings.ToLower(string(i))) {
	case model.ImpactMinor:
		return ImpactMinor
	case model.ImpactMajor:
		return ImpactMajor
	case model.ImpactCritical:
		return ImpactCritical
	}
	return ImpactNone
}
