package quality

import (
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// Replaying history (the backfill). A stored item is the vendor's latest
// version; its timeline tells what earlier versions looked like, as far as
// the API dates each fact. Feeding an Aggregator the version of every item
// as of each of its change instants, in time order, and snapshotting
// between them, gives the aggregates a live exporter would have served had
// it run all along: the same rules judge the same facts, only earlier.
//
// What an API does not date moves at the item's last update (the stored
// version): satisfaction ratings, escalation by flag or tag, reopens that
// only a count gives (Zendesk's metric sets), a close, and the ticket's
// status between its dated solves and reopens. So do facts dated after the
// last update, which a consistent API never gives.

// TicketChanges returns the instants at which a ticket's metrics may
// change, ascending and distinct: its creation, each dated fact, and its
// last update, at which TicketAt is the stored ticket itself. SLA deadlines
// are no change: the Aggregator judges running clocks at each snapshot.
func TicketChanges(t *model.Ticket) []time.Time {
	times := []time.Time{t.CreatedAt, lastTicketChange(t)}
	for _, e := range t.Events {
		times = append(times, e.At)
	}
	if f := t.Figures; f != nil {
		times = append(times, f.FirstReplyAt, f.FirstSolvedAt)
		for _, c := range []*model.SLAClock{f.FirstResponseSLA, f.ResolutionSLA} {
			if c != nil {
				times = append(times, c.Stopped)
			}
		}
	}
	return changeInstants(times, t.CreatedAt, lastTicketChange(t))
}

// lastTicketChange is when the stored version took over.
func lastTicketChange(t *model.Ticket) time.Time {
	if t.UpdatedAt.After(t.CreatedAt) {
		return t.UpdatedAt
	}
	return t.CreatedAt
}

// TicketAt returns the ticket as its API would have shown it at an instant
// between its creation and its last update: the dated facts up to then,
// solved when its latest dated solve up to then follows every dated
// reopen, else open. From the last update on it is t itself. t must be a
// stored version (MergeTicket set its History).
func (r *Rules) TicketAt(t *model.Ticket, at time.Time) model.Ticket {
	if !at.Before(lastTicketChange(t)) {
		return *t
	}
	v := model.Ticket{ID: t.ID, CreatedAt: t.CreatedAt, UpdatedAt: at, Priority: t.Priority, Status: model.StatusOpen}
	var solved, reopened time.Time
	escalated := false
	for _, e := range t.Events {
		if e.At.After(at) {
			continue
		}
		v.Events = append(v.Events, e)
		switch e.Kind {
		case model.EventSolved:
			solved = latest(solved, e.At)
		case model.EventReopened:
			reopened = latest(reopened, e.At)
		case model.EventEscalated:
			escalated = true
		}
	}
	if fig := t.Figures; fig != nil {
		f := model.Figures{
			FirstReplyAt:     dated(fig.FirstReplyAt, at),
			FirstSolvedAt:    dated(fig.FirstSolvedAt, at),
			FirstResponseSLA: slaClockAt(fig.FirstResponseSLA, at),
			ResolutionSLA:    slaClockAt(fig.ResolutionSLA, at),
		}
		// Replies feed no counter (rounds come from the pinned history);
		// reopens only a count dates are those of the timeline.
		if !f.FirstReplyAt.IsZero() {
			f.Replies = fig.Replies
		}
		f.Reopens = min(fig.Reopens, countEvents(v.Events, model.EventReopened))
		solved = latest(solved, f.FirstSolvedAt)
		v.Figures = &f
	}
	if !solved.IsZero() && solved.After(reopened) {
		v.Status = model.StatusSolved
	}
	h := t.History
	if h == nil {
		h = r.MergeTicket(nil, *t).History
	}
	vh := model.TicketHistory{FirstPriority: h.FirstPriority, RepliesAtFirstSolve: -1, EverEscalated: escalated}
	if first := r.ticketFacts(t).firstSolve; !first.IsZero() && !first.After(at) {
		vh.RepliesAtFirstSolve = h.RepliesAtFirstSolve
	}
	v.History = &vh
	return v
}

// slaClockAt is a vendor's SLA clock as it stood at an instant: running
// until it stopped, and breached once its deadline had passed. A breach
// the vendor does not date shows only from the last update on. The
// deadline is the last one the vendor gave, which pauses may have moved:
// a clock the vendor judged met when it stopped (or breached only after
// its stop) is taken as never breached while it ran, so that no breach
// is counted and then taken back.
func slaClockAt(c *model.SLAClock, at time.Time) *model.SLAClock {
	if c == nil || (!c.Stopped.IsZero() && !c.Stopped.After(at)) {
		return c
	}
	run := &model.SLAClock{Deadline: c.Deadline}
	if !c.Stopped.IsZero() && (!c.Breached || c.Deadline.After(c.Stopped)) {
		run.Deadline = time.Time{}
	}
	run.Breached = !run.Deadline.IsZero() && at.After(run.Deadline)
	return run
}

// IncidentChanges is TicketChanges for incidents: the first post (or, for
// formats that do not give it, the earliest time known), each update, the
// resolution, the postmortem and the last update.
func IncidentChanges(i *model.Incident) []time.Time {
	first, last := incidentSpan(i)
	times := append([]time.Time{first, last, i.ResolvedAt, i.PostmortemPublishedAt}, i.Updates...)
	return changeInstants(times, first, last)
}

// incidentSpan is when an incident was first and last seen changing.
func incidentSpan(i *model.Incident) (first, last time.Time) {
	first = i.CreatedAt
	if first.IsZero() {
		first = earliestOf(append([]time.Time{i.StartedAt, i.UpdatedAt}, i.Updates...))
	}
	last = first
	for _, t := range append([]time.Time{i.UpdatedAt, i.ResolvedAt, i.PostmortemPublishedAt}, i.Updates...) {
		last = latest(last, t)
	}
	return first, last
}

// IncidentAt returns the incident as its status page showed it at an
// instant: the updates posted by then, unresolved until its resolution,
// without a postmortem until one was published. Its impact, components and
// start are the stored ones: no format dates their changes.
func IncidentAt(i *model.Incident, at time.Time) model.Incident {
	if _, last := incidentSpan(i); !at.Before(last) {
		return *i
	}
	v := *i
	v.UpdatedAt = at
	v.Updates = nil
	for _, u := range i.Updates {
		if !u.After(at) {
			v.Updates = append(v.Updates, u)
		}
	}
	v.ResolvedAt = dated(i.ResolvedAt, at)
	v.PostmortemPublishedAt = dated(i.PostmortemPublishedAt, at)
	return v
}

// MaintenanceChanges is TicketChanges for maintenances: the announcement
// (for formats that do not date it, the earlier of the scheduled start and
// the last update), the completion and the last update.
func MaintenanceChanges(m *model.Maintenance) []time.Time {
	first, last := maintenanceSpan(m)
	return changeInstants([]time.Time{first, m.CompletedAt, last}, first, last)
}

func maintenanceSpan(m *model.Maintenance) (first, last time.Time) {
	first = m.CreatedAt
	if first.IsZero() {
		first = earliestOf([]time.Time{m.ScheduledFor, m.UpdatedAt})
	}
	return first, latest(latest(first, m.UpdatedAt), m.CompletedAt)
}

// MaintenanceAt returns the maintenance as announced at an instant: not
// completed until it was.
func MaintenanceAt(m *model.Maintenance, at time.Time) model.Maintenance {
	if _, last := maintenanceSpan(m); !at.Before(last) {
		return *m
	}
	v := *m
	v.UpdatedAt = at
	v.CompletedAt = dated(m.CompletedAt, at)
	return v
}

// changeInstants sorts the non-zero instants, clamped into [first, last],
// and drops repeats.
func changeInstants(times []time.Time, first, last time.Time) []time.Time {
	out := make([]time.Time, 0, len(times))
	for _, t := range times {
		if t.IsZero() {
			continue
		}
		if t.Before(first) {
			t = first
		}
		if t.After(last) {
			t = last
		}
		out = append(out, t)
	}
	slices.SortFunc(out, time.Time.Compare)
	return slices.CompactFunc(out, time.Time.Equal)
}

// dated is t when it is known by at, else zero.
func dated(t, at time.Time) time.Time {
	if t.After(at) {
		return time.Time{}
	}
	return t
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// earliestOf is the earliest non-zero instant; zero when none is.
func earliestOf(times []time.Time) time.Time {
	var first time.Time
	for _, t := range times {
		first = earliest(first, t)
	}
	return first
}

func countEvents(events []model.Event, kind model.EventKind) int {
	n := 0
	for _, e := range events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}
