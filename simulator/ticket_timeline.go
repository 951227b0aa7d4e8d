package simulator

import (
	"math/rand/v2"
	"time"
)

// zStatus is a Zendesk ticket status.
type zStatus uint8

const (
	zNew zStatus = iota
	zOpen
	zPending
	zHold
	zSolved
	zClosed
	numZStatus
)

var zStatusNames = [numZStatus]string{"new", "open", "pending", "hold", "solved", "closed"}

func (s zStatus) String() string { return zStatusNames[s] }

// stepKind is what happened at one step of a ticket's timeline.
type stepKind uint8

const (
	stepCreated       stepKind = iota
	stepVendorReply            // public vendor reply asking the customer something
	stepHold                   // public vendor reply putting the ticket on hold
	stepSolve                  // public vendor reply solving the ticket
	stepCustomerReply          // the customer answers the vendor
	stepChase                  // the customer chases a vendor that has not answered yet
	stepReopen                 // the customer replies to a solved ticket
	stepEscalate               // tagged "escalated" (and perhaps bumped a priority up)
	stepRate                   // satisfaction rating given or changed
	stepClose                  // Zendesk closes solved tickets after 4 days
	stepEdit                   // an agent edits the ticket (edit.go)
	stepDelete                 // an agent deletes the ticket: its last step
)

func (k stepKind) vendorReply() bool {
	return k == stepVendorReply || k == stepHold || k == stepSolve
}

func (k stepKind) customerComment() bool {
	return k == stepCreated || k == stepCustomerReply || k == stepChase || k == stepReopen
}

// step is one update of a ticket. Every step changes updated_at.
type step struct {
	at     int64 // Unix seconds; strictly increasing along a timeline, but an edit may share its second
	kind   stepKind
	status zStatus     // status after the step
	good   bool        // stepRate: the rating given
	edit   *TicketEdit // stepEdit: what changes
	close  closeStyle  // stepSolve: how GitHub shows it (github_feature.go)
}

// Priority values as Zendesk spells them; the empty string is null.
var zPriorities = []string{"urgent", "high", "normal", "low", ""}

// unsetPriority is the index of the null priority in zPriorities.
const unsetPriority = 4

// Realistic shares: most tickets normal, a few urgent, some left unset.
var priorityWeights = []float64{0.06, 0.18, 0.52, 0.16, 0.08}

// priorityPace scales reply delays by priority: urgent tickets jump the queue.
var priorityPace = []float64{0.35, 0.7, 1, 1.6, 1}

// escalationShare is the share of tickets escalated, by priority.
var escalationShare = []float64{0.35, 0.12, 0.03, 0.01, 0.02}

// Shares and delays every persona shares.
const (
	stallShare  = 0.04 // first replies forgotten for many times the usual delay
	holdShare   = 0.10 // vendor replies that put the ticket on hold
	ratingShare = 0.35 // solved tickets that get a satisfaction rating
	rerateShare = 0.08 // ratings changed later
	closeAfter  = 4 * 24 * time.Hour
	maxChases   = 2
)

var (
	chaseDelay    = Delay{Min: time.Hour, Median: 4 * time.Hour, Max: 24 * time.Hour}
	holdDelay     = Delay{Min: 2 * time.Hour, Median: 10 * time.Hour, Max: 3 * 24 * time.Hour}
	reopenDelay   = Delay{Min: 20 * time.Minute, Median: 8 * time.Hour, Max: 3 * 24 * time.Hour}
	ratingDelay   = Delay{Min: 10 * time.Minute, Median: 5 * time.Hour, Max: 3 * 24 * time.Hour}
	rerateDelay   = Delay{Min: time.Hour, Median: 6 * time.Hour, Max: 20 * time.Hour}
	escalateDelay = Delay{Min: 10 * time.Minute, Median: 2 * time.Hour, Max: 12 * time.Hour}
)

// timeline is a ticket's whole life, future included; the API shows the
// prefix of it that has happened.
type timeline struct {
	index     int
	created   int64
	priority  int // index into zPriorities
	escalated int // the priority once escalated (the same when not bumped)
	topic     int // index into topics
	requester int64
	org       int64
	agent     int64
	steps     []step
	// ghLabels and ghType: a scripted ticket's GitHub labels and issue
	// type from its creation (ScriptedTicket); generated ones draw theirs
	// (ghFeatureOf).
	ghLabels []string
	ghType   string
}

func (t *timeline) id() int64 { return int64(t.index) + 1 }

// timeline is ticket i, generated or scripted, with its edits.
func (w *world) timeline(i int) *timeline {
	tl := w.ticketTimeline(i)
	if es := w.edits.ticket(i); len(es) > 0 {
		return tl.withEdits(es)
	}
	return tl
}

// ticketTimeline generates ticket i, or returns it when scripted.
func (w *world) ticketTimeline(i int) *timeline {
	if w.scripted != nil {
		return w.scripted[i]
	}
	r := itemRand(w.seed, streamTicket, uint64(i))
	created := w.createdFromJitter(i, r.Float64()) // first draw: see ticketCreated
	tl := &timeline{
		index:     i,
		created:   created,
		priority:  pick(r, priorityWeights),
		topic:     r.IntN(len(topics)),
		requester: 380000000000 + r.Int64N(1e9),
		org:       w.id.orgIDs[r.IntN(len(w.id.orgIDs))],
		agent:     w.id.agents[r.IntN(len(w.id.agents))],
		steps:     make([]step, 0, 16),
	}
	if w.complains(i, created) {
		tl.priority = 0 // urgent
	}
	tl.escalated = tl.priority
	b := builder{w: w, r: r, tl: tl, escalateAt: -1}
	if r.Float64() < escalationShare[tl.priority] {
		b.escalateAt = created + secs(escalateDelay.sample(r))
		if r.Float64() < 0.5 && tl.priority > 0 && tl.priority != unsetPriority {
			tl.escalated = tl.priority - 1
		}
	}
	b.add(created, stepCreated, zNew)

	pace := priorityPace[tl.priority]
	first := scale(w.p.FirstReply.sample(r), pace)
	if r.Float64() < stallShare {
		first *= time.Duration(6 + r.IntN(14))
	}
	solved := b.rounds(created, first, 1+pick(r, w.p.RoundWeights[:]))
	for reopens := 0; reopens < 2 && r.Float64() < w.p.ReopenShare/float64(1+2*reopens); reopens++ {
		at := b.add(solved+secs(reopenDelay.sample(r)), stepReopen, zOpen)
		solved = b.rounds(at, scale(w.p.NextReply.sample(r), pace), 1+r.IntN(2))
	}
	b.escalateAt = -1 // an escalation not reached by the last solve never happens
	closeAt := solved + secs(closeAfter)
	if r.Float64() < ratingShare {
		good := r.Float64() < w.p.GoodRatingShare
		at := b.rate(solved+secs(ratingDelay.sample(r)), good)
		if again := at + secs(rerateDelay.sample(r)); r.Float64() < rerateShare && again < closeAt {
			b.rate(again, !good)
		}
	}
	b.add(closeAt, stepClose, zClosed)
	return tl
}

// builder appends steps in time order.
type builder struct {
	w          *world
	r          *rand.Rand
	tl         *timeline
	last       int64
	escalateAt int64 // pending escalation, -1 when none
}

// add appends a step at or after at (strictly after the previous step),
// first inserting a pending escalation that falls before it, and returns
// the step's time.
func (b *builder) add(at int64, kind stepKind, status zStatus) int64 {
	if b.escalateAt >= 0 && b.escalateAt < at && len(b.tl.steps) > 0 {
		e := b.escalateAt
		b.escalateAt = -1
		b.add(e, stepEscalate, b.tl.steps[len(b.tl.steps)-1].status)
	}
	if len(b.tl.steps) > 0 {
		at = max(at, b.last+1)
	}
	if kind.vendorReply() && b.w.p.BusinessHoursOnly && !b.w.cal.Contains(time.Unix(at, 0)) {
		at = b.w.cal.Add(time.Unix(at, 0), time.Second).Unix()
	}
	b.tl.steps = append(b.tl.steps, step{at: at, kind: kind, status: status})
	b.last = at
	return at
}

// rate adds the customer's satisfaction rating.
func (b *builder) rate(at int64, good bool) int64 {
	at = b.add(at, stepRate, zSolved)
	b.tl.steps[len(b.tl.steps)-1].good = good
	return at
}

// rounds plays n vendor replies, the last one solving, starting with the
// vendor owing a reply since `since` and answering after delay. It returns
// when the ticket was solved.
func (b *builder) rounds(since int64, delay time.Duration, n int) int64 {
	p := b.w.p
	waiting := b.tl.steps[len(b.tl.steps)-1].status // new or open
	for k := 1; ; k++ {
		at := b.vendorAt(since, delay)
		if waiting != zHold {
			b.chase(since, at)
		}
		if k == n {
			return b.add(at, stepSolve, zSolved)
		}
		if b.r.Float64() < holdShare {
			since = b.add(at, stepHold, zHold)
			delay, waiting = holdDelay.sample(b.r), zHold
			continue
		}
		asked := b.add(at, stepVendorReply, zPending)
		since = b.add(asked+secs(p.CustomerReply.sample(b.r)), stepCustomerReply, zOpen)
		delay, waiting = p.NextReply.sample(b.r), zOpen
	}
}

// chase adds the customer's follow-ups while waiting from since to the
// vendor's reply at `until`: the longer the wait, the more they chase.
func (b *builder) chase(since, until int64) {
	at := since
	for range maxChases {
		at += secs(chaseDelay.sample(b.r))
		if at >= until-60 {
			return
		}
		status := b.tl.steps[len(b.tl.steps)-1].status
		b.add(at, stepChase, status)
	}
}

// vendorAt is when the vendor acts, delay after from: calendar time, or
// business time for a vendor without a night shift.
func (b *builder) vendorAt(from int64, delay time.Duration) int64 {
	if !b.w.p.BusinessHoursOnly {
		return from + secs(delay)
	}
	return b.w.cal.Add(time.Unix(from, 0), delay).Unix()
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }

func scale(d time.Duration, f float64) time.Duration { return time.Duration(float64(d) * f) }

// topics give tickets readable subjects and a tag.
var topics = []struct{ tag, subject string }{
	{"billing", "Invoice does not match our usage"},
	{"api", "API returns 502 for some requests"},
	{"webhooks", "Webhook deliveries are delayed"},
	{"login", "SSO login fails for new users"},
	{"performance", "Dashboard is slow to load"},
	{"data", "Exported report is missing rows"},
	{"integration", "Integration stopped syncing"},
	{"account", "Please add seats to our plan"},
}
