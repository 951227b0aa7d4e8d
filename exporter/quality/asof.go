package quality

import (
	"cmp"
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
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
// only a count gives (Zendesk's metric sets) or that the live exporter saw
// as a status shown open again (item.TicketHistory.ReopensSeen), a close
// the API does not date, and the ticket's status between its dated solves,
// closes and reopens. So do
// facts dated after the last update, which a consistent API never gives.
//
// The pins of the stored item (item.TicketHistory...) are what the live
// exporter saw: each earlier version shows a pinned fact from its instant
// on and never a different one, so that nothing is counted on the way that
// the stored version takes back; a target our clock judged is judged by
// ours throughout, whatever vendor clock the stored version shows. A pin
// the live exporter made as of a judged instant, not dated by the vendor
// (a vendor clock seen breached, a one-touch resolution settled at an
// unknown instant), shows from the last update; an earlier version that
// could count what the stored one does not (a one-touch the stored version
// ruled out) is ruled out too.

// TicketChanges returns the instants at which a ticket's metrics may
// change, ascending and distinct: its creation, each dated fact, and its
// last change (lastTicketChange), at which TicketAt is the stored ticket
// itself. SLA deadlines
// and one-touch settling are no change: the Aggregator judges them at each
// snapshot.
func (r *Rules) TicketChanges(t *item.Ticket) []time.Time {
	h, _ := r.ticketHistory(t)
	last := r.lastTicketChange(t, &h)
	times := append([]time.Time{h.Created, last, h.FirstReply, h.FirstSolve}, featureChanges(&h)...)
	for _, e := range t.Events {
		times = append(times, e.At)
	}
	times = append(times, h.VendorReplies...)
	if f := t.Figures; f != nil {
		times = append(times, f.FirstReplyAt, f.FirstSolvedAt)
	}
	vendor := vendorClocks(t)
	for tg, c := range clockHistories(&h) {
		times = append(times, c.Ended)
		for _, v := range []*item.SLAClock{c.Vendor, vendor[tg]} {
			if v != nil {
				times = append(times, v.Stopped)
			}
		}
	}
	return changeInstants(times, h.Created, last)
}

// lastTicketChange is when the stored version took over: its last update,
// or later, when the live exporter judged it later (a clock seen running,
// a solve settled as one-touch), so that what it pinned then counts no
// earlier in the replay.
func (r *Rules) lastTicketChange(t *item.Ticket, h *item.TicketHistory) time.Time {
	last := latest(h.Created, t.UpdatedAt)
	for _, c := range clockHistories(h) {
		last = latest(last, c.RunningAsOf)
	}
	if h.OneTouch == item.OneTouchCounted && t.Status == item.StatusSolved {
		last = latest(last, r.settleOf(h))
	}
	return last
}

// TicketAt returns the ticket as its API would have shown it at an instant
// between its creation and its last update, pinned as the live exporter
// would have pinned it by then: the dated facts up to then, solved when
// its latest dated solve up to then follows every dated reopen, else
// closed when a dated close (item.TicketHistory.Closes: a decline, a
// bot's close) does, else open.
// From its last change on it is t itself.
func (r *Rules) TicketAt(t *item.Ticket, at time.Time) item.Ticket {
	h, _ := r.ticketHistory(t)
	if !at.Before(r.lastTicketChange(t, &h)) {
		return *t
	}
	v := item.Ticket{ID: t.ID, CreatedAt: t.CreatedAt, UpdatedAt: at, Priority: t.Priority, Status: item.StatusOpen,
		Author: t.Author, Drill: t.Drill}
	var solved, reopened time.Time
	escalated := false
	for _, e := range t.Events {
		if e.At.After(at) {
			continue
		}
		v.Events = append(v.Events, e)
		switch e.Kind {
		case item.EventSolved:
			solved = latest(solved, e.At)
		case item.EventReopened:
			reopened = latest(reopened, e.At)
		case item.EventEscalated:
			escalated = true
		}
	}
	// The version carries the pinned first reply and solve as its figures,
	// which take precedence over the timeline: a reply the live exporter saw
	// only later never shows earlier. Reopens are those dated by then.
	fig := item.Figures{
		FirstReplyAt:  dated(h.FirstReply, at),
		FirstSolvedAt: dated(h.FirstSolve, at),
		Reopens:       min(h.Reopens, countEvents(v.Events, item.EventReopened)),
	}
	vendor := vendorClocks(t)
	vh := item.TicketHistory{
		FirstPriority: h.FirstPriority, Created: h.Created, RepliesAtFirstSolve: -1, EverEscalated: escalated,
		FirstReply: fig.FirstReplyAt, FirstSolve: fig.FirstSolvedAt, Reopens: fig.Reopens,
		StoredAsOf: h.StoredAsOf, SeenTags: everyTag(t, &h),
		// A drill's mark as pinned: the replayed versions are the signals
		// the stored one is.
		DrillSeen: h.DrillSeen,
		// Every reply the live exporter saw, the deleted ones too, from its
		// own instant on (support_vendor_replies_total).
		VendorReplies: updatesUpTo(h.VendorReplies, at),
	}
	featuresAt(&vh, &h, at)
	stored, pinned := clockHistories(&h), clockHistories(&vh)
	for tg := range NumTargets {
		c := stored[tg]
		run := c.Vendor
		if run == nil {
			run = vendor[tg]
		}
		if c.Judge == item.JudgeOurs {
			// Ours judged the target: a vendor clock the stored version
			// shows came later and never judges it, on the way either.
			run, pinned[tg].Judge = nil, item.JudgeOurs
		}
		*clockOf(&fig, tg) = slaClockAt(run, at)
		pinned[tg].Ended = dated(c.Ended, at)
		if !c.RunningAsOf.IsZero() {
			pinned[tg].RunningAsOf = earliest(c.RunningAsOf, at)
		}
		if c.Vendor != nil && !cmp.Or(c.Vendor.Stopped, c.Ended).After(at) {
			pinned[tg].Vendor = c.Vendor
		}
	}
	v.Figures = &fig
	if first := fig.FirstSolvedAt; !first.IsZero() && latest(solved, first).After(reopened) {
		v.Status = item.StatusSolved
	} else if lastClose(h.Closes, at).After(reopened) {
		// Closed without a solve (declined, a bot's close): closed until
		// a reopen dated after it.
		v.Status = item.StatusClosed
	}
	if !vh.FirstSolve.IsZero() {
		vh.RepliesAtFirstSolve = h.RepliesAtFirstSolve
	}
	switch counts := h.OneTouch == item.OneTouchCounted ||
		(h.OneTouch == item.OneTouchUndecided && !h.FirstSolve.IsZero() && (t.Status == item.StatusSolved || t.Status == item.StatusClosed)); {
	case !counts:
		vh.OneTouch = item.OneTouchRuledOut
	case h.OneTouch == item.OneTouchCounted && !at.Before(r.settleOf(&h)):
		vh.OneTouch = item.OneTouchCounted
	}
	v.History = &vh
	return v
}

// everyTag is every tag a ticket ever carried, each with the instant it
// became known (item.TicketHistory.SeenTags): the replayed versions carry
// no tags (escalation by tag is undated), yet are the signals the stored
// one is.
func everyTag(t *item.Ticket, h *item.TicketHistory) []item.SeenTag {
	all := slices.Clone(h.SeenTags)
	for _, tag := range t.Tags {
		tag = normalizeValue(tag)
		if !slices.ContainsFunc(all, func(s item.SeenTag) bool { return s.Tag == tag }) {
			all = append(all, item.SeenTag{Tag: tag})
		}
	}
	return all
}

// clockOf is the figures' vendor clock of a target.
func clockOf(f *item.Figures, tg Target) **item.SLAClock {
	if tg == FirstResponse {
		return &f.FirstResponseSLA
	}
	return &f.ResolutionSLA
}

// slaClockAt is a vendor's SLA clock as it stood at an instant: running
// until it stopped, and breached once its deadline had passed. A breach
// the vendor does not date shows only from the last update on. The
// deadline is the last one the vendor gave, which pauses may have moved:
// a clock the vendor judged met when it stopped (or breached only after
// its stop) is taken as never breached while it ran, so that no breach
// is counted and then taken back.
func slaClockAt(c *item.SLAClock, at time.Time) *item.SLAClock {
	if c == nil || (!c.Stopped.IsZero() && !c.Stopped.After(at)) {
		return c
	}
	run := &item.SLAClock{Deadline: c.Deadline}
	if !c.Stopped.IsZero() && (!c.Breached || c.Deadline.After(c.Stopped)) {
		run.Deadline = time.Time{}
	}
	run.Breached = !run.Deadline.IsZero() && at.After(run.Deadline)
	return run
}

// IncidentChanges is TicketChanges for incidents: the first post (or, for
// formats that do not give it, the earliest time known), each update, the
// resolution, the postmortem and the last update.
func IncidentChanges(i *item.Incident) []time.Time {
	h := incidentHistory(i)
	first, last := incidentSpan(i, &h)
	times := append([]time.Time{first, last, i.ResolvedAt, h.Postmortem}, i.Updates...)
	if h.Final != nil {
		times = append(times, h.Final.Resolved)
	}
	return changeInstants(times, first, last)
}

// incidentSpan is when an incident was first and last seen changing.
func incidentSpan(i *item.Incident, h *item.IncidentHistory) (first, last time.Time) {
	first = i.CreatedAt
	if first.IsZero() {
		first = earliestOf(append([]time.Time{i.StartedAt, i.UpdatedAt}, i.Updates...))
	}
	last = first
	for _, t := range append([]time.Time{i.UpdatedAt, i.ResolvedAt, i.PostmortemPublishedAt, h.Postmortem}, i.Updates...) {
		last = latest(last, t)
	}
	if h.Final != nil {
		last = latest(last, h.Final.Resolved)
	}
	return first, last
}

// IncidentAt returns the incident as its status page showed it at an
// instant: the updates posted by then, unresolved until its resolution as
// pinned, without a postmortem until one was published. Its impact,
// components and start are the stored ones: no format dates their changes.
func IncidentAt(i *item.Incident, at time.Time) item.Incident {
	h := incidentHistory(i)
	if _, last := incidentSpan(i, &h); !at.Before(last) {
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
	resolved := i.ResolvedAt
	if h.Final != nil && !h.Final.Resolved.IsZero() {
		resolved = h.Final.Resolved
	}
	v.ResolvedAt = dated(resolved, at)
	v.PostmortemPublishedAt = dated(h.Postmortem, at)
	vh := h
	if !i.ResolutionUnknown && v.ResolvedAt.IsZero() {
		vh.Final = nil
	}
	vh.Postmortem = v.PostmortemPublishedAt
	v.History = &vh
	return v
}

// MaintenanceChanges is TicketChanges for maintenances: the announcement
// (for formats that do not date it, the earlier of the scheduled start and
// the last update), the completion and the last change (maintenanceSpan).
func MaintenanceChanges(m *item.Maintenance) []time.Time {
	h := maintenanceHistory(m)
	first, last := maintenanceSpan(m, &h)
	return changeInstants([]time.Time{first, m.CompletedAt, last}, first, last)
}

// maintenanceSpan is when a maintenance was first and last seen changing;
// its pinned start counts as a change (its notice is observed then).
func maintenanceSpan(m *item.Maintenance, h *item.MaintenanceHistory) (first, last time.Time) {
	first = m.CreatedAt
	if first.IsZero() {
		first = earliestOf([]time.Time{m.ScheduledFor, m.UpdatedAt})
	}
	last = latest(latest(first, m.UpdatedAt), m.CompletedAt)
	if h.Notice != nil {
		last = latest(last, h.Notice.Start)
	}
	return first, last
}

// MaintenanceAt returns the maintenance as announced at an instant: not
// completed until it was. Once its notice is pinned, it shows the pinned
// announcement and schedule throughout, the notice pinned from its start
// (or completion) on: so the notice observed on the way is the pinned one.
func MaintenanceAt(m *item.Maintenance, at time.Time) item.Maintenance {
	h := maintenanceHistory(m)
	if _, last := maintenanceSpan(m, &h); !at.Before(last) {
		return *m
	}
	v := *m
	v.UpdatedAt = at
	v.CompletedAt = dated(m.CompletedAt, at)
	vh := h
	if n := h.Notice; n != nil {
		v.CreatedAt, v.ScheduledFor = n.Announced, n.Start
		if at.Before(n.Start) && v.CompletedAt.IsZero() {
			vh.Notice = nil
		}
	}
	v.History = &vh
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

func countEvents(events []item.Event, kind item.EventKind) int {
	n := 0
	for _, e := range events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}
