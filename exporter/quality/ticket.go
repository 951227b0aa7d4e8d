package quality

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
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
	// solve, or so far when not solved (what ticketHistory pins as
	// RepliesAtFirstSolve). The API's figures only give the replies so far:
	// they are pinned when the ticket is first seen solved.
	repliesAtSolve int
	reopens        int
	followups      int
	escalated      bool // escalated now
}

// ticketFacts reads a ticket created at created (its pinned creation). The
// API's own figures, where present, take precedence over the timeline
// (docs/metrics.md: "the API's own figure where it computes one";
// docs/sources.md names each kind's); follow-ups and escalation events come
// from the timeline only.
func (r *Rules) ticketFacts(t *item.Ticket, created time.Time) ticketFacts {
	f := timelineFacts(t, created)
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
			last = created
		}
		switch t.Status {
		case item.StatusSolved: // solved, but the API gave no time
			f.firstSolve = last
		case item.StatusClosed: // closed with no solve on record: not a resolution
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
func timelineFacts(t *item.Ticket, created time.Time) ticketFacts {
	events := t.Events
	byTime := func(a, b item.Event) int { return a.At.Compare(b.At) }
	if !slices.IsSortedFunc(events, byTime) {
		events = slices.Clone(events)
		slices.SortStableFunc(events, byTime)
	}
	var f ticketFacts
	awaitingVendor := true
	for _, e := range events {
		switch e.Kind {
		case item.EventVendorReply:
			if f.firstReply.IsZero() && !e.At.Before(created) {
				f.firstReply = e.At
			}
			if f.firstSolve.IsZero() || !e.At.After(f.firstSolve) {
				f.repliesAtSolve++
			}
			awaitingVendor = false
		case item.EventCustomerReply:
			if awaitingVendor {
				f.followups++
			}
			awaitingVendor = true
		case item.EventSolved:
			if f.firstSolve.IsZero() {
				f.firstSolve = e.At
			}
			awaitingVendor = false
		case item.EventReopened:
			f.reopens++
			awaitingVendor = true
		case item.EventEscalated:
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

// ticketHistory is a ticket's pinned facts: its History, completed with
// what the version itself shows and the History does not hold yet (a fact
// seen for the first time, or every fact of a ticket stored by an older
// build). MergeTicket stores exactly this, so that for a stored ticket it
// adds nothing; the derivation reads it, never the version's own facts
// where a pin exists: a vendor edit moves nothing once seen.
func (r *Rules) ticketHistory(t *item.Ticket) (item.TicketHistory, ticketFacts) {
	h := item.TicketHistory{FirstPriority: t.Priority, RepliesAtFirstSolve: -1}
	if t.History != nil {
		h = *t.History
	}
	if h.Created.IsZero() {
		h.Created = t.CreatedAt
	}
	f := r.ticketFacts(t, h.Created)
	if h.FirstReply.IsZero() {
		h.FirstReply = f.firstReply
	}
	if h.FirstSolve.IsZero() {
		h.FirstSolve = f.firstSolve
	}
	if h.RepliesAtFirstSolve < 0 && !h.FirstSolve.IsZero() {
		h.RepliesAtFirstSolve = f.repliesAtSolve
	}
	h.Reopens = max(h.Reopens, f.reopens)
	h.Followups = max(h.Followups, f.followups)
	h.EverEscalated = h.EverEscalated || f.escalated
	if s := t.Satisfaction; (s == item.RatingGood || s == item.RatingBad) &&
		(len(h.Ratings) == 0 || h.Ratings[len(h.Ratings)-1] != s) {
		h.Ratings = append(slices.Clip(h.Ratings), s) // never write into the stored version's array
	}
	h.VendorReplies = addVendorReplies(h.VendorReplies, t.Events)
	pinFeatureFacts(&h, t)
	ends := clockEnds(h.FirstReply, h.FirstSolve, f.closed)
	vendor := vendorClocks(t)
	for tg, c := range clockHistories(&h) {
		if c.Ended.IsZero() {
			c.Ended = ends[tg]
		}
		// The vendor's run is pinned once the clock is judged by it: at its
		// stop, or at the end our facts give. Never once ours judged the
		// target: a vendor clock that shows only after ours stopped must not
		// replace the verdict counted (pinJudges).
		if v := vendor[tg]; c.Vendor == nil && v != nil && judgeOf(c, v) == item.JudgeVendor &&
			(!v.Stopped.IsZero() || !c.Ended.IsZero()) {
			run := *v
			c.Vendor = &run
		}
	}
	r.pinJudges(&h, t)
	// One-touch needs exactly one vendor reply before the first solve and
	// no reopen, ever (docs/metrics.md). A version shown open after the
	// first solve was reopened, whether or not the vendor recorded a reopen
	// (a status reverted): it rules one-touch out as a reopen does, unless
	// the resolution had settled and was counted before (pinJudged on the
	// stored version runs first).
	if h.OneTouch == item.OneTouchUndecided &&
		(h.Reopens > 0 || h.ReopensSeen > 0 || showsReopened(&h, t) ||
			(h.RepliesAtFirstSolve >= 0 && h.RepliesAtFirstSolve != 1)) {
		h.OneTouch = item.OneTouchRuledOut
	}
	return h, f
}

// closedStates are the states a ticket leaves the queue in.
var closedStates = map[item.Status]struct{}{item.StatusSolved: {}, item.StatusClosed: {}}

// addVendorReplies returns pinned (sorted, distinct) with the instants of
// the vendor replies among events added, in a new array when any is new:
// a reply once seen stays counted whatever later versions show
// (item.TicketHistory.VendorReplies).
func addVendorReplies(pinned []time.Time, events []item.Event) []time.Time {
	var fresh []time.Time
	for _, e := range events {
		if e.Kind != item.EventVendorReply {
			continue
		}
		if _, found := slices.BinarySearchFunc(pinned, e.At, time.Time.Compare); !found {
			fresh = append(fresh, e.At)
		}
	}
	if len(fresh) == 0 {
		return pinned
	}
	return distinctTimes(append(slices.Clone(pinned), fresh...))
}

// closedAt is when a closed ticket closed as its version shows it: the
// API's own close time where it gives one, else its latest solve event,
// else its last change.
func closedAt(t *item.Ticket) time.Time {
	if !t.ClosedAt.IsZero() {
		return t.ClosedAt
	}
	var at time.Time
	for _, e := range t.Events {
		if e.Kind == item.EventSolved && e.At.After(at) {
			at = e.At
		}
	}
	return cmp.Or(at, t.UpdatedAt)
}

// showsReopened reports whether ticket t, whose completed history is h,
// shows an open status after its first solve: it was reopened.
func showsReopened(h *item.TicketHistory, t *item.Ticket) bool {
	_, open := openStates[t.Status]
	return open && !h.FirstSolve.IsZero()
}

// judgeOf is whose clock judges a target (pin its pins, v the version's
// vendor run of it, nil when none): the one pinned when the target was
// first judged; until then the vendor's where the version carries its run
// or one was pinned or counted breached (docs/metrics.md, "Whose verdict":
// the vendor's verdict is counted), else ours.
func judgeOf(pin *item.ClockHistory, v *item.SLAClock) item.Judge {
	switch {
	case pin.Judge != item.JudgeUndecided:
		return pin.Judge
	case pin.Vendor != nil || pin.VendorBreached || v != nil:
		return item.JudgeVendor
	}
	return item.JudgeOurs
}

// pinJudges pins whose clock judges each target of ticket t (h its
// history) the first time the target is judged, so that a later version
// that adds, drops or brings back the vendor's clock never judges it again
// by the other clock: that could take back a check or a breach counted.
// The vendor's judges once its run is pinned (it stopped, or our facts
// ended the target) or its breach was counted while it ran; ours once the
// target ended, or it was seen running past the target as of a judged
// instant (RunningAsOf), under the ticket's pinned priority and term. A
// target ours does not measure (no target configured) is not judged by
// it: a vendor clock showing later may still judge it.
func (r *Rules) pinJudges(h *item.TicketHistory, t *item.Ticket) {
	if h.FirstResponse.Judge != item.JudgeUndecided && h.Resolution.Judge != item.JudgeUndecided {
		return // both judged: no term or priority to look up (a load derives every ticket)
	}
	vendor := vendorClocks(t)
	tm := r.termAt(h.Created)
	first, _ := r.Priority(h.FirstPriority)
	for tg, c := range clockHistories(h) {
		if c.Judge != item.JudgeUndecided {
			continue
		}
		switch judgeOf(c, vendor[tg]) {
		case item.JudgeVendor:
			if c.Vendor != nil || c.VendorBreached {
				c.Judge = item.JudgeVendor
			}
		case item.JudgeOurs:
			if r.ourClock(h.Created, tm, first, Target(tg), c).judged {
				c.Judge = item.JudgeOurs
			}
		}
	}
}

// pinJudged pins in h what a snapshot judged as of j may count from
// ticket t (h is t's completed history): a clock seen running as of
// j.Source, a vendor clock that was past its deadline then, whose clock
// judged a target it counted (pinJudges), a one-touch resolution settled
// by then. MergeTicket applies it to the stored version (what snapshots
// counted so far) and to the merged one (what the next snapshot, judged as
// of j or later, counts), so that neither is taken back by a later
// version.
func (r *Rules) pinJudged(h *item.TicketHistory, t *item.Ticket, j Judged) {
	vendor := vendorClocks(t)
	for tg, c := range clockHistories(h) {
		if !c.Ended.IsZero() || c.Vendor != nil {
			continue
		}
		if j.Source.After(h.Created) {
			c.RunningAsOf = latest(c.RunningAsOf, j.Source)
		}
		// The vendor's run counted only where it judged the target.
		if v := vendor[tg]; v != nil && judgeOf(c, v) == item.JudgeVendor {
			if d := runningDeadline(v, t.UpdatedAt); !d.IsZero() && j.Source.After(d) {
				c.VendorBreached = true
			}
		}
	}
	r.pinJudges(h, t)
	if h.OneTouch == item.OneTouchUndecided && !h.FirstSolve.IsZero() &&
		(t.Status == item.StatusClosed || (t.Status == item.StatusSolved && !j.Source.Before(r.settleOf(h)))) {
		h.OneTouch = item.OneTouchCounted
	}
}

// settleOf is when a solved ticket's resolution is final for one-touch:
// solved_settle after its first solve (docs/metrics.md).
func (r *Rules) settleOf(h *item.TicketHistory) time.Time {
	return h.FirstSolve.Add(r.solvedSettle)
}

// clockHistories are the pins of a ticket's SLA clocks, by target.
func clockHistories(h *item.TicketHistory) [NumTargets]*item.ClockHistory {
	return [NumTargets]*item.ClockHistory{FirstResponse: &h.FirstResponse, Resolution: &h.Resolution}
}

// vendorClocks are the vendor's own runs of a ticket's SLA clocks in its
// current figures, by target; nil where the API gives none.
func vendorClocks(t *item.Ticket) [NumTargets]*item.SLAClock {
	if fig := t.Figures; fig != nil {
		return [NumTargets]*item.SLAClock{FirstResponse: fig.FirstResponseSLA, Resolution: fig.ResolutionSLA}
	}
	return [NumTargets]*item.SLAClock{}
}

// runningDeadline is when a vendor's running clock counts as breached: its
// deadline, or, for a clock the vendor already calls breached without
// saying when, the version's last update (it was breached by the time it
// was seen); zero when it cannot breach (a paused clock).
func runningDeadline(v *item.SLAClock, seen time.Time) time.Time {
	if v.Breached && v.Deadline.IsZero() {
		return seen
	}
	return v.Deadline
}

// openStates maps the open ticket statuses to the `state` label; the other
// statuses have no gauges.
var openStates = map[item.Status]OpenState{
	item.StatusNew:     AwaitingVendor,
	item.StatusOpen:    AwaitingVendor,
	item.StatusPending: AwaitingCustomer,
	item.StatusOnHold:  OnHold,
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
	ratings       []item.Rating
	replies       []time.Time // every public vendor reply seen (pinned)
	// checked and breached are the SLA clocks judged for good; a clock
	// still running is checked in the live part once its deadline passes.
	checked, breached [NumTargets]bool
	// unknownPriority: the pinned first priority is a value no mapping
	// knows, counted as normal.
	unknownPriority bool
	feature         featureStatic // feature.go
	created         time.Time     // pinned: the period a response agreement counts its checks in
}

// liveTicket is the part of an unsettled ticket's contribution evaluated at
// each snapshot.
type liveTicket struct {
	// running are the deadlines of the SLA clocks still running under the
	// pinned priority (counters); zero: no target, the clock ended or
	// cannot breach.
	running [NumTargets]time.Time
	pinned  Priority
	// settle, for a solved one-touch candidate, is when its resolution
	// becomes final and counts; the Aggregator then folds it into the
	// totals.
	settle time.Time

	// Gauges, under the current priority, for open tickets only.
	open       bool
	priority   Priority
	state      OpenState
	created    time.Time
	unanswered bool
	escalated  bool
	breaching  [NumTargets]time.Time // like running, with the current priority's targets
	// featureOpen: an open feature request (feature.go), in the gauge by
	// its age since created.
	featureOpen bool
}

// ticketContrib is what a ticket contributes.
type ticketContrib struct {
	static   ticketStatic
	live     liveTicket
	counted  bool // false for a ticket created before the history start
	hasLive  bool // false when nothing of it depends on the time any more
	signal   signal
	isSignal bool // a customer signal (ticketSignal)
}

// ticketContribution derives a ticket's static and live parts, time-driven
// verdicts judged as of judged (the instant the Aggregator has judged the
// ticket's source as of; see Aggregator.Snapshot).
func (r *Rules) ticketContribution(t *item.Ticket, judged time.Time) ticketContrib {
	h, f := r.ticketHistory(t)
	if !r.counted(h.Created) {
		return ticketContrib{}
	}
	c := ticketContrib{counted: true}
	c.signal, c.isSignal = r.ticketSignal(t, &h)
	c.static, c.live = r.ticketParts(t, &h, &f, judged)
	c.static.feature, c.live.featureOpen = r.featureParts(t, &h)
	lv := &c.live
	c.hasLive = lv.open || !lv.settle.IsZero() || lv.running != [NumTargets]time.Time{}
	return c
}

// ticketParts are a ticket's static and live parts (ticketContribution).
func (r *Rules) ticketParts(t *item.Ticket, h *item.TicketHistory, f *ticketFacts, judged time.Time) (st ticketStatic, lv liveTicket) {
	tm := r.termAt(h.Created)
	first, known := r.Priority(h.FirstPriority)
	st = ticketStatic{
		priority:        first,
		hours:           r.hours(h.Created),
		firstResponse:   -1,
		resolution:      -1,
		rounds:          h.RepliesAtFirstSolve,
		reopens:         max(h.Reopens, h.ReopensSeen), // the vendor's count, or those we saw, whichever is more
		followups:       h.Followups,
		escalated:       h.EverEscalated,
		ratings:         h.Ratings,
		replies:         h.VendorReplies,
		unknownPriority: !known,
		created:         h.Created,
	}
	if !h.FirstReply.IsZero() {
		st.firstResponse = r.clockMillis(tm, h.Created, h.FirstReply)
	}
	if !h.FirstSolve.IsZero() {
		st.resolution = r.clockMillis(tm, h.Created, h.FirstSolve)
	}
	// One-touch counts once the resolution is settled: closed, or solved
	// for solved_settle as of the judged instant; an undecided solved
	// ticket is a candidate (the others are ruled out).
	switch {
	case h.OneTouch == item.OneTouchCounted:
		st.firstContact = true
	case h.OneTouch == item.OneTouchUndecided && !h.FirstSolve.IsZero():
		switch settle := r.settleOf(h); {
		case t.Status == item.StatusClosed, t.Status == item.StatusSolved && !judged.Before(settle):
			st.firstContact = true
		case t.Status == item.StatusSolved:
			lv.settle = settle
		}
	}

	clocks := r.slaClocks(t, h, tm, st.priority)
	lv.pinned = st.priority
	for tg, c := range clocks {
		switch {
		case !c.measured:
		case c.judged:
			st.checked[tg] = true
			st.breached[tg] = c.breached
		default:
			lv.running[tg] = c.deadline
		}
	}
	lv.state, lv.open = openStates[t.Status]
	lv.created = h.Created // also the period of a running clock's check (contract_response.go)
	if lv.open {
		lv.priority = r.priority(t.Priority)
		lv.unanswered = h.FirstReply.IsZero()
		lv.escalated = f.escalated
		// The gauge is under the current priority, whose targets may differ
		// from the pinned one's; the vendor's own clocks know no priority.
		current := clocks
		if lv.priority != st.priority {
			current = r.slaClocks(t, h, tm, lv.priority)
		}
		for tg, c := range current {
			if c.measured && !c.ended {
				lv.breaching[tg] = c.deadline
			}
		}
	}
	return st, lv
}

// slaClock is one SLA clock of a ticket, judged under a priority.
type slaClock struct {
	measured bool // a target applies: configured for the priority, or the vendor runs its own clock
	ended    bool // the clock stopped
	// judged: the verdict no longer depends on the time (the clock ended,
	// or it had already breached as of a judged instant); breached is it.
	judged, breached bool
	// deadline, while running: when the clock breaches (or breached);
	// zero when it cannot (a paused vendor clock).
	deadline time.Time
}

// slaClocks judges a ticket's SLA clocks under priority p and contract term
// tm, from its pinned history h. Where the vendor's API gives its own run of
// a clock (item.SLAClock), its verdict is the one counted (docs/metrics.md,
// "Whose verdict"): the vendor measures on its calendar with its pauses, as
// the contract does. Elsewhere the term's target is measured on its SLA
// clock from the ticket's creation. Once a target was judged, the clock
// that judged it judges it for good (judgeOf), and a clock seen running
// past its deadline as of a judged instant stays breached whatever a later
// version says (docs/metrics.md).
func (r *Rules) slaClocks(t *item.Ticket, h *item.TicketHistory, tm *term, p Priority) [NumTargets]slaClock {
	var clocks [NumTargets]slaClock
	vendor := vendorClocks(t)
	pins := clockHistories(h)
	for tg := range NumTargets {
		if pin := pins[tg]; judgeOf(pin, vendor[tg]) == item.JudgeVendor {
			clocks[tg] = vendorClock(pin, vendor[tg], t.UpdatedAt)
		} else {
			clocks[tg] = r.ourClock(h.Created, tm, p, tg, pin)
		}
	}
	return clocks
}

// ourClock judges target tg of a ticket created at created by the term's
// target for priority p, measured on the term's SLA clock, from the
// target's pins: not measured without a target.
func (r *Rules) ourClock(created time.Time, tm *term, p Priority, tg Target, pin *item.ClockHistory) slaClock {
	target := tm.target(p, tg)
	if target == 0 {
		return slaClock{}
	}
	deadline := r.deadline(tm, created, target)
	c := slaClock{measured: true, ended: !pin.Ended.IsZero(), deadline: deadline}
	c.breached = pin.RunningAsOf.After(deadline) || (c.ended && pin.Ended.After(deadline))
	c.judged = c.ended || c.breached
	return c
}

// vendorClock judges a clock by the vendor's own run of it: the run pinned
// when the clock was judged, else its current run v (nil when a later
// version dropped it). A stopped run gives the vendor's verdict. A run
// still going on a ticket whose facts say the clock ended (the vendor's
// cycle lags a solve) ends there too, so that a settled ticket depends on
// no time: breached if the vendor says so or its deadline had passed. A
// breach counted while the clock ran (pin.VendorBreached) is never taken
// back, even when a pause later moved the deadline or the vendor's final
// verdict is met.
func vendorClock(pin *item.ClockHistory, v *item.SLAClock, seen time.Time) slaClock {
	c := slaClock{measured: true, breached: pin.VendorBreached}
	run := pin.Vendor
	if run == nil {
		run = v
	}
	switch {
	case run != nil && !run.Stopped.IsZero():
		c.ended, c.judged = true, true
		c.breached = c.breached || run.Breached
	case !pin.Ended.IsZero():
		c.ended, c.judged = true, true
		c.breached = c.breached || (run != nil && (run.Breached || (!run.Deadline.IsZero() && pin.Ended.After(run.Deadline))))
	default:
		c.judged = c.breached
		if v != nil {
			c.deadline = runningDeadline(v, seen)
		}
	}
	return c
}

// clockEnds are when the SLA clocks stopped; zero while running. The
// first-response clock stops at the first reply, or at the first solve when
// the ticket was solved before any reply; the resolution clock at the first
// solve. A ticket closed unsolved stops both where they still ran: judged
// like any other, breached when it was closed after the target, so that a
// breach counted while it was open is never taken back.
func clockEnds(firstReply, firstSolve, closed time.Time) [NumTargets]time.Time {
	var ends [NumTargets]time.Time
	ends[FirstResponse] = earliest(firstReply, firstSolve)
	ends[Resolution] = firstSolve
	for tg := range NumTargets {
		if ends[tg].IsZero() {
			ends[tg] = closed
		}
	}
	return ends
}
