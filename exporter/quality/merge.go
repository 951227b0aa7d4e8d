package quality

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// Judged is how far the aggregates have judged time-driven values when an
// item is merged: Source, the instant as of which its source is judged
// (the start of its last complete sync); Signals, the instant up to which
// every customer-signal source of the vendor is complete (who noticed an
// incident first is decided once it passes the first post). The merges pin
// in the item what any snapshot judged up to then may have counted, so that
// no later version takes it back (Aggregator.Judged computes it).
type Judged struct {
	Source, Signals time.Time
	// KeepComponents: the source's kind names an incident's components
	// only while it is ongoing (config.Source.ComponentsWhileOngoing), so
	// a resolved version without any keeps those stored. Set by
	// Aggregator.Judged.
	KeepComponents bool
}

// MergeTicket combines a freshly fetched ticket with its stored version (nil
// when new) and returns what to store: the fetched ticket with its History
// (item.TicketHistory) carried over and completed, so that counters never
// go down when the vendor later edits the ticket:
//
//   - facts pinned once seen: the creation, the first priority, the first
//     reply, the first solve (with the replies before it), each SLA clock's
//     end, the vendor's own clocks once stopped, whose clock judged each
//     target, reopens and follow-ups never lower, the reopens seen (a
//     version shown open after the first solve, which rules one-touch out
//     unless it was counted), escalation sticky, every rating;
//   - judged as of j (pinJudged): a clock seen running, a vendor clock
//     breached while running, a one-touch resolution settled;
//   - for who noticed first: when the ticket and each later tag became
//     known (SeenTags, StoredAsOf), and when a drill's mark was first seen
//     (DrillSeen).
//
// Merging the same fetched ticket twice with the same j changes nothing,
// which is what makes a re-fetch after a crash safe.
func (r *Rules) MergeTicket(stored *item.Ticket, fetched item.Ticket, j Judged) item.Ticket {
	merged := fetched
	// A reopen we see ourselves: a version shown open after the first
	// solve, where the stored one was not (showsReopened). Counted once per
	// reopen, as the vendor's reopen events are.
	storedReopened := false
	if stored != nil {
		h, _ := r.ticketHistory(stored)
		r.pinJudged(&h, stored, j)
		storedReopened = showsReopened(&h, stored)
		h.SeenTags = seenTags(stored.Tags, h.SeenTags, fetched.Tags, j.Signals)
		merged.History = &h
	} else {
		h := item.TicketHistory{FirstPriority: fetched.Priority, RepliesAtFirstSolve: -1, Created: fetched.CreatedAt}
		if j.Signals.After(fetched.CreatedAt) {
			h.StoredAsOf = j.Signals
		}
		merged.History = &h
	}
	h, _ := r.ticketHistory(&merged)
	r.pinDrill(&h, stored, &fetched, j)
	if showsReopened(&h, &merged) && !storedReopened {
		h.ReopensSeen++
	}
	r.pinJudged(&h, &merged, j)
	merged.History = &h
	return merged
}

// pinDrill pins when a version marked as a drill ticket (item.Ticket.Drill)
// was first stored: the instant up to which the signal sources were then
// complete, at least the creation. Never moved nor cleared after: a
// vendor's later edit of the subject leaves the ticket a drill's.
//
// A signal stays one (ticketSignal): a mark first seen on a stored ticket
// that was a signal, known as of some instant, is pinned after it, even
// when j.Signals is not (the same instant, or behind it after a restart
// with a larger alert_grace or a clock stepped back), so that no decision
// that counted the ticket is taken back.
func (r *Rules) pinDrill(h *item.TicketHistory, stored, fetched *item.Ticket, j Judged) {
	if !fetched.Drill || !h.DrillSeen.IsZero() {
		return
	}
	h.DrillSeen = latest(j.Signals, h.Created)
	if stored == nil {
		return
	}
	sh, _ := r.ticketHistory(stored)
	if sg, ok := r.ticketSignal(stored, &sh); ok && !sg.known.Before(h.DrillSeen) {
		h.DrillSeen = sg.known.Add(time.Millisecond)
	}
}

// seenTags keeps every tag a ticket ever carried with the instant it became
// known (item.TicketHistory.SeenTags): the stored version's tags that the
// fetched one dropped (known since the first store unless they already have
// an entry), and the fetched one's new tags, known as of signals.
func seenTags(stored []string, seen []item.SeenTag, fetched []string, signals time.Time) []item.SeenTag {
	has := func(tags []string, tag string) bool {
		return slices.ContainsFunc(tags, func(t string) bool { return normalizeValue(t) == tag })
	}
	out := slices.Clip(seen) // never write into the stored version's array
	listed := func(tag string) bool {
		return slices.ContainsFunc(out, func(s item.SeenTag) bool { return s.Tag == tag })
	}
	for _, t := range stored {
		if tag := normalizeValue(t); !listed(tag) && !has(fetched, tag) {
			out = append(out, item.SeenTag{Tag: tag})
		}
	}
	for _, t := range fetched {
		if tag := normalizeValue(t); !listed(tag) && !has(stored, tag) {
			out = append(out, item.SeenTag{Tag: tag, AsOf: signals})
		}
	}
	return out
}

// MergeIncident combines a freshly fetched incident with its stored version
// (nil when new). It keeps the earliest CreatedAt and the fetched updates,
// sorted and distinct, and completes its History (item.IncidentHistory):
// the impact and creation at first store (unknown impacts are none), the
// times at resolution (notice delay, update gaps and duration are observed
// then, from them, never before: a later version moving or deleting an
// update moves nothing), the postmortem once seen, and the notice window
// once decidable as of j.Signals. Merging the same fetched incident twice
// with the same j changes nothing.
//
// The updates are the vendor's as it shows them now, not the union of all
// it ever showed: an update the vendor moved would count at both times, in
// the gaps observed at the resolution and in the open incident's silence.
func (r *Rules) MergeIncident(stored *item.Incident, fetched item.Incident, j Judged) item.Incident {
	merged := fetched
	merged.Title = item.CleanTitle(fetched.Title) // the vendor's edit replaces it
	if stored != nil {
		merged.Title = cmp.Or(merged.Title, stored.Title) // a version without one keeps it
		h := incidentHistory(stored)
		if fin := h.Final; fin != nil && fin.Impact == "" && !fin.Resolved.IsZero() {
			// Resolved before record format 5, which pins the impact and
			// components at resolution: an availability agreement has
			// counted the stored version's, which are pinned now, so that
			// the vendor's later edits move nothing from here on.
			pinned := *fin
			pinned.Impact = item.Impact(impactOf(stored.Impact).String())
			pinned.Components = slices.Clone(stored.Components)
			h.Final = &pinned
		}
		r.pinNotice(&h, stored, j)
		merged.History = &h
		merged.CreatedAt = earliest(stored.CreatedAt, fetched.CreatedAt)
		if len(fetched.Components) == 0 && j.KeepComponents && !fetched.ResolvedAt.IsZero() {
			// incident.io names an incident's components only while it is
			// ongoing: the resolved version keeps those last named, which
			// an availability agreement counts (contract.go). Other kinds
			// mean it: a version without components has none.
			merged.Components = stored.Components
		}
	}
	merged.Updates = distinctTimes(fetched.Updates)
	h := incidentHistory(&merged)
	r.pinNotice(&h, &merged, j)
	merged.History = &h
	return merged
}

// incidentHistory is an incident's pinned facts: its History completed
// with what the version shows and it does not hold yet (ticketHistory's
// rule).
func incidentHistory(i *item.Incident) item.IncidentHistory {
	h := item.IncidentHistory{FirstImpact: item.Impact(impactOf(i.Impact).String())}
	if i.History != nil {
		h = *i.History
	}
	if h.Created.IsZero() {
		h.Created = cmp.Or(i.CreatedAt, i.StartedAt)
	}
	if h.Final == nil && (i.ResolutionUnknown || !i.ResolvedAt.IsZero()) {
		h.Final = &item.IncidentFinal{Started: startedAt(i), FirstPost: i.CreatedAt, Resolved: i.ResolvedAt,
			Impact: item.Impact(impactOf(i.Impact).String()), Components: slices.Clone(i.Components)}
		if !i.ResolutionUnknown {
			h.Final.Updates = updatesUpTo(i.Updates, i.ResolvedAt)
		}
	}
	if h.Postmortem.IsZero() {
		h.Postmortem = i.PostmortemPublishedAt
	}
	return h
}

// pinNotice pins an incident's notice window (its start and first post)
// once signals complete up to j.Signals settle it: who noticed it first is
// decided on that window, and a later start (backdated, or moved) must not
// decide it again differently after a restart.
func (r *Rules) pinNotice(h *item.IncidentHistory, i *item.Incident, j Judged) {
	if h.NoticePost.IsZero() && !i.CreatedAt.IsZero() && (noticeWindow{to: i.CreatedAt}).settledBy(j.Signals) {
		h.NoticeStarted, h.NoticePost = startedAt(i), i.CreatedAt
	}
}

// updatesUpTo are the distinct updates at or before end, sorted.
func updatesUpTo(updates []time.Time, end time.Time) []time.Time {
	all := distinctTimes(updates)
	n := 0
	for n < len(all) && !all[n].After(end) {
		n++
	}
	if n == 0 {
		return nil
	}
	return all[:n:n]
}

// MergeMaintenance combines a freshly fetched maintenance with its stored
// version (nil when new), keeping the earliest announcement time, and the
// stored schedule when the fetched version no longer shows one (a feed
// prints it only while the maintenance is upcoming). Its History
// (item.MaintenanceHistory) pins the creation at first store, and the
// announcement and schedule once the maintenance started as of j.Source or
// completed: the notice is observed then, from them, and never moves.
func (r *Rules) MergeMaintenance(stored *item.Maintenance, fetched item.Maintenance, j Judged) item.Maintenance {
	merged := fetched
	merged.Title = item.CleanTitle(fetched.Title) // as MergeIncident's
	if stored != nil {
		merged.Title = cmp.Or(merged.Title, stored.Title)
		h := maintenanceHistory(stored)
		pinStart(&h, stored, j)
		merged.History = &h
		merged.CreatedAt = earliest(stored.CreatedAt, fetched.CreatedAt)
		if merged.ScheduledFor.IsZero() {
			merged.ScheduledFor, merged.ScheduledUntil = stored.ScheduledFor, stored.ScheduledUntil
		}
	}
	h := maintenanceHistory(&merged)
	pinStart(&h, &merged, j)
	merged.History = &h
	return merged
}

// maintenanceHistory is a maintenance's pinned facts, completed with what
// the version shows (ticketHistory's rule): a completed maintenance has
// its notice.
func maintenanceHistory(m *item.Maintenance) item.MaintenanceHistory {
	var h item.MaintenanceHistory
	if m.History != nil {
		h = *m.History
	}
	if h.Created.IsZero() {
		h.Created = cmp.Or(m.CreatedAt, m.ScheduledFor)
	}
	if h.Notice == nil && !m.ScheduledFor.IsZero() && !m.CompletedAt.IsZero() {
		h.Notice = &item.MaintenanceNotice{Announced: m.CreatedAt, Start: m.ScheduledFor}
	}
	return h
}

// pinStart pins a maintenance's notice once its scheduled start passed as
// of j.Source: a snapshot judged then observed it.
func pinStart(h *item.MaintenanceHistory, m *item.Maintenance, j Judged) {
	if h.Notice == nil && !m.ScheduledFor.IsZero() && !m.ScheduledFor.After(j.Source) {
		h.Notice = &item.MaintenanceNotice{Announced: m.CreatedAt, Start: m.ScheduledFor}
	}
}

// earliest is the earlier of two times, ignoring zero ones.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// distinctTimes is the sorted set of instants in ts, in a new array; of
// equal instants the first met is kept, which makes merging idempotent.
func distinctTimes(ts []time.Time) []time.Time {
	if len(ts) == 0 {
		return nil
	}
	all := slices.SortedStableFunc(slices.Values(ts), time.Time.Compare)
	return slices.CompactFunc(all, time.Time.Equal)
}

// impactOf maps a model impact to the `impact` label; unknown values are
// none.
func impactOf(i item.Impact) Impact {
	switch item.Impact(strings.ToLower(string(i))) {
	case item.ImpactMinor:
		return ImpactMinor
	case item.ImpactMajor:
		return ImpactMajor
	case item.ImpactCritical:
		return ImpactCritical
	}
	return ImpactNone
}
