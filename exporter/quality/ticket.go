package quality

import (
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// ticketFacts are what the metrics read from one ticket version.
type ticketFacts struct {
	firstReply time.Time // zero: no vendor reply yet
	firstSolve time.Time // zero: never solved
	// closed is when a ticket closed without ever being solved (GitHub's
	// "not planned", a deleted ticket) left the queue: it ends the SLA
	// clocks, but is no resolution.
	closed time.Time
	// repliesAtSolve is the number of public vendor replies up to the first
	// solve, or so far when not solved (what MergeTicket pins as
	// RepliesAtFirstSolve). The API's figures only give the replies so far:
	// MergeTicket pins them when it first sees the ticket solved.
	repliesAtSolve int
	reopens        int
	followups      int
	escalated      bool // escalated now
}

// ticketFacts reads a ticket. The API's own figures, where present, take
// precedence over the timeline (DESIGN.md); follow-ups and escalation events
// come from the timeline only.
func (r *Rules) ticketFacts(t *model.Ticket) ticketFacts {
	f := timelineFacts(t)
	if fig := t.Figures; fig != nil {
		f.firstReply, f.firstSolve = fig.FirstReplyAt, fig.FirstSolvedAt
		f.repliesAtSolve, f.reopens = max(fig.Replies, 0), max(fig.Reopens, 0)
	}
	if f.firstSolve.IsZero() {
		// The last change is the latest the ticket can have been solved or
		// closed. Every solved or closed ticket thus stops its SLA clocks, so
		// that its contribution no longer depends on the time.
		last := t.UpdatedAt
		if last.IsZero() {
			last = t.CreatedAt
		}
		switch t.Status {
		case model.StatusSolved: // solved, but the API gave no time
			f.firstSolve = last
		case model.StatusClosed: // closed with no solve on record: not a resolution
			f.closed = last
		}
	}
	f.escalated = f.escalated || t.Escalated || r.taggedEscalated(t.Tags)
	return f
}

// timelineFacts walks the public timeline in time order. The ticket awaits
// the vendor from its creation, and again after each customer reply or
// reopen, until the next vendor reply or solve; a customer reply that comes
// while it already awaits the vendor is a follow-up (the customer had to
// chase). The first reply is the earliest vendor reply at or after creation.
func timelineFacts(t *model.Ticket) ticketFacts {
	events := t.Events
	byTime := func(a, b model.Event) int { return a.At.Compare(b.At) }
	if !slices.IsSortedFunc(events, byTime) {
		events = slices.Clone(events)
		slices.SortStableFunc(events, byTime)
	}
	var f ticketFacts
	awaitingVendor := true
	for _, e := range events {
		switch e.Kind {
		case model.EventVendorReply:
			if f.firstReply.IsZero() && !e.At.Before(t.CreatedAt) {
				f.firstReply = e.At
			}
			if f.firstSolve.IsZero() || !e.At.After(f.firstSolve) {
				f.repliesAtSolve++
			}
			awaitingVendor = false
		case model.EventCustomerReply:
			if awaitingVendor {
				f.followups++
			}
			awaitingVendor = true
		case model.EventSolved:
			if f.firstSolve.IsZero() {
				f.firstSolve = e.At
			}
			awaitingVendor = false
		case model.EventReopened:
			f.reopens++
			awaitingVendor = true
		case model.EventEscalated:
			f.escalated = true
		}
	}
	return f
}

func (r *Rules) taggedEscalated(tags []string) bool {
	for _, tag := range tags {
		if r.escalationTags[strings.ToLower(tag)] {
			return true
		}
	}
	return false
}

// openStates maps the open ticket statuses to the `state` label; the other
// statuses have no gauges.
var openStates = map[model.Status]OpenState{
	model.StatusNew:     AwaitingVendor,
	model.StatusOpen:    AwaitingVendor,
	model.StatusPending: AwaitingCustomer,
	model.StatusOnHold:  OnHold,
}

// ticketStatic is the part of a ticket's contribution that no longer
// depends on the time, all under the priority pinned at first store.
type ticketStatic struct {
	priority      Priority
	hours         Hours
	firstResponse int64 // milliseconds on the SLA clock; -1: no reply yet
	resolution    int64 // milliseconds on the SLA clock; -1: not solved
	rounds        int   // vendor replies up to the first solve; -1: not solved
	firstContact  bool
	reopens       int
	followups     int
	escalated     bool // ever
	ratings       []model.Rating
	// checked and breached are the SLA clocks that ended; a clock still
	// running is checked in the live part once its deadline passes.
	checked, breached [NumTargets]bool
	// unknownPriority: the pinned first priority is a value no mapping
	// knows, counted as normal.
	unknownPriority bool
}

// liveTicket is the part of an unsettled ticket's contribution evaluated at
// each snapshot.
type liveTicket struct {
	// running are the deadlines of the SLA clocks still running under the
	// pinned priority (counters); zero: no target or the clock ended.
	running [NumTargets]time.Time
	pinned  Priority

	// Gauges, under the current priority, for open tickets only.
	open       bool
	priority   Priority
	state      OpenState
	created    time.Time
	unanswered bool
	escalated  bool
	breaching  [NumTargets]time.Time // like running, with the current priority's targets
}

// ticketContribution derives a ticket's static and live parts. counted is
// false for a ticket created before the history start; live is false for a
// settled (solved or closed) ticket, whose contribution is then static
// only.
func (r *Rules) ticketContribution(t *model.Ticket) (st ticketStatic, lv liveTicket, counted, live bool) {
	if !r.counted(t.CreatedAt) {
		return st, lv, false, false
	}
	h := t.History
	if h == nil {
		h = r.MergeTicket(nil, *t).History
	}
	f := r.ticketFacts(t)
	first, known := r.Priority(h.FirstPriority)
	st = ticketStatic{
		priority:      first,
		hours:         r.hours(t.CreatedAt),
		firstResponse: -1,
		resolution:    -1,
		rounds:        h.RepliesAtFirstSolve,
		reopens:       f.reopens,
		followups:     f.followups,
		escalated:     h.EverEscalated || f.escalated,
		ratings:       h.Ratings,
	}
	st.unknownPriority = !known
	if !f.firstReply.IsZero() {
		st.firstResponse = r.clockMillis(t.CreatedAt, f.firstReply)
	}
	if !f.firstSolve.IsZero() {
		st.resolution = r.clockMillis(t.CreatedAt, f.firstSolve)
	}
	// Counting one-touch at the first solve would have to be taken back on a
	// reopen, and counters never go down: it is counted once the ticket is
	// closed, which is final.
	st.firstContact = t.Status == model.StatusClosed && h.RepliesAtFirstSolve == 1 && f.reopens == 0

	clocks := r.slaClocks(t, f, st.priority)
	lv.pinned = st.priority
	for tg, c := range clocks {
		switch {
		case !c.measured:
		case c.ended:
			st.checked[tg] = true
			st.breached[tg] = c.breached
		default:
			lv.running[tg] = c.deadline
		}
	}
	if t.Status == model.StatusSolved || t.Status == model.StatusClosed {
		return st, lv, true, false
	}
	lv.state, lv.open = openStates[t.Status]
	if lv.open {
		lv.priority = r.priority(t.Priority)
		lv.created = t.CreatedAt
		lv.unanswered = f.firstReply.IsZero()
		lv.escalated = f.escalated
		// The gauge is under the current priority, whose targets may differ
		// from the pinned one's; the vendor's own clocks know no priority.
		current := clocks
		if lv.priority != st.priority {
			current = r.slaClocks(t, f, lv.priority)
		}
		for tg, c := range current {
			if c.measured && !c.ended {
				lv.breaching[tg] = c.deadline
			}
		}
	}
	return st, lv, true, true
}

// slaClock is one SLA clock of a ticket, judged under a priority.
type slaClock struct {
	measured bool // a target applies: configured for the priority, or the vendor runs its own clock
	ended    bool
	breached bool // when ended
	// deadline, while running: the clock counts as breached once it has
	// passed; zero when it cannot pass (a paused vendor clock).
	deadline time.Time
}

// slaClocks judges a ticket's SLA clocks under priority p. Where the
// vendor's API gives its own run of a clock (model.SLAClock), its verdict
// is the one counted (DESIGN.md): the vendor measures on its calendar with
// its pauses, as the contract does. Elsewhere the configured target is
// measured on the vendor's SLA clock from the ticket's creation.
func (r *Rules) slaClocks(t *model.Ticket, f ticketFacts, p Priority) [NumTargets]slaClock {
	var clocks [NumTargets]slaClock
	ends := clockEnds(f)
	var vendor [NumTargets]*model.SLAClock
	if fig := t.Figures; fig != nil {
		vendor = [NumTargets]*model.SLAClock{FirstResponse: fig.FirstResponseSLA, Resolution: fig.ResolutionSLA}
	}
	for tg := range NumTargets {
		c := &clocks[tg]
		if v := vendor[tg]; v != nil {
			*c = vendorClock(v, ends[tg], t.UpdatedAt)
			continue
		}
		target := r.targets[p][tg]
		if target == 0 {
			continue
		}
		deadline := r.deadline(t.CreatedAt, target)
		c.measured = true
		if c.ended = !ends[tg].IsZero(); c.ended {
			c.breached = ends[tg].After(deadline)
		} else {
			c.deadline = deadline
		}
	}
	return clocks
}

// vendorClock judges a clock by the vendor's own run of it. A run still
// going on a ticket whose facts say the clock ended (the vendor's cycle
// lags a solve) ends there too, so that a settled ticket depends on no
// time: breached if the vendor says so or its deadline had passed. A
// running clock the vendor already calls breached without a deadline was
// breached by the time it was last seen.
func vendorClock(v *model.SLAClock, factsEnd, seen time.Time) slaClock {
	c := slaClock{measured: true}
	switch {
	case !v.Stopped.IsZero():
		c.ended, c.breached = true, v.Breached
	case !factsEnd.IsZero():
		c.ended = true
		c.breached = v.Breached || (!v.Deadline.IsZero() && factsEnd.After(v.Deadline))
	case v.Breached && v.Deadline.IsZero():
		c.deadline = seen
	default:
		c.deadline = v.Deadline
	}
	return c
}

// clockEnds are when the SLA clocks stopped; zero while running. The
// first-response clock stops at the first reply, or at the first solve when
// the ticket was solved before any reply; the resolution clock at the first
// solve. A ticket closed unsolved stops both where they still ran: judged
// like any other, breached when it was closed after the target, so that a
// breach counted while it was open is never taken back.
func clockEnds(f ticketFacts) [NumTargets]time.Time {
	var ends [NumTargets]time.Time
	ends[FirstResponse] = earliest(f.firstReply, f.firstSolve)
	ends[Resolution] = f.firstSolve
	for tg := range NumTargets {
		if ends[tg].IsZero() {
			ends[tg] = f.closed
		}
	}
	return ends
}
