package simulator

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// ScriptedTicket is one ticket whose whole life a test writes, so that it
// can compute every metric by hand. A vendor with a Script has exactly
// those tickets, served by every ticket format; its Persona shapes only its
// status page.
type ScriptedTicket struct {
	Created  time.Time
	Priority string // urgent, high, normal, low, or "" for none
	Steps    []ScriptStep
	// Labels and Type are what GitHub shows besides the tags: labels the
	// issue carries from its creation (an issue template's, the
	// author's) and its issue type ("Feature"); the other kinds ignore
	// them (github_feature.go).
	Labels []string
	Type   string
	// Drill: the off-hours drill's ticket, hidden until the buyer files a
	// request through the Requests API (drill.go); Created is then its
	// creation as the vendor answers.
	Drill bool
	// Colleague (with Drill): a drill ticket a colleague of the buyer
	// files (FileColleagueDrill), another end user of the buyer's
	// organization whose exporter drills the same vendor with the same
	// interval, and so the same marker. The buyer's creates never claim
	// it; its requester (reporter) is the colleague. A buyer's drill
	// ticket's requester is the buyer's own account (the Requests API's
	// GET /api/v2/users/me, the JSM customer's myself).
	Colleague bool
}

// ScriptStep is one update of a scripted ticket.
type ScriptStep struct {
	At   time.Duration // after the ticket's creation; strictly increasing along a ticket
	Kind ScriptKind
}

// ScriptKind is what happens at a scripted step.
type ScriptKind uint8

// The scripted steps. A customer reply to a vendor that asked something
// reopens the conversation; one sent while the vendor still owes a reply is
// a follow-up (the customer chases).
const (
	VendorReply   ScriptKind = iota + 1 // public vendor reply asking the customer something (status pending)
	CustomerReply                       // public customer reply (status open)
	Solve                               // public vendor reply solving the ticket
	Reopen                              // the customer replies to a solved ticket
	Close                               // a solved ticket is closed for good
	Escalate                            // tagged "escalated"
	RateGood                            // satisfaction rating "good" (solved tickets only)
	RateBad                             // satisfaction rating "bad" (solved tickets only)
	// Decline and StaleClose are solves that GitHub shows otherwise: a
	// vendor reply closing the issue as not planned, and a close as not
	// planned by the stale workflow (github-actions[bot]) without any
	// comment. The other kinds show a solve (github_feature.go).
	Decline
	StaleClose
)

var scriptKindNames = map[ScriptKind]string{
	VendorReply: "VendorReply", CustomerReply: "CustomerReply", Solve: "Solve", Reopen: "Reopen",
	Close: "Close", Escalate: "Escalate", RateGood: "RateGood", RateBad: "RateBad",
	Decline: "Decline", StaleClose: "StaleClose",
}

func (k ScriptKind) String() string {
	if n, ok := scriptKindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("ScriptKind(%d)", uint8(k))
}

// validateScript checks what needs no world: the order of the tickets
// (ticket counts by time are binary searches), priorities and step order.
func (v Vendor) validateScript() error {
	if v.Tickets > 0 || v.LiveTicketsPerHour > 0 {
		return fmt.Errorf("vendor %s: a Script excludes Tickets and LiveTicketsPerHour", v.Name)
	}
	if v.Persona.PostsAfterComplaints {
		return fmt.Errorf("vendor %s: a Script cannot drive PostsAfterComplaints", v.Name)
	}
	for i, st := range v.Script {
		if i > 0 && st.Created.Before(v.Script[i-1].Created) {
			return fmt.Errorf("vendor %s: scripted ticket %d created before ticket %d", v.Name, i+1, i)
		}
		if st.Colleague && !st.Drill {
			return fmt.Errorf("vendor %s: scripted ticket %d: Colleague without Drill", v.Name, i+1)
		}
		if !slices.Contains(zPriorities, st.Priority) {
			return fmt.Errorf("vendor %s: scripted ticket %d: unknown priority %q", v.Name, i+1, st.Priority)
		}
		var last time.Duration
		for _, s := range st.Steps {
			if s.At <= last || s.At%time.Second != 0 {
				return fmt.Errorf("vendor %s: scripted ticket %d: step %v at %v: want whole seconds after the previous step", v.Name, i+1, s.Kind, s.At)
			}
			last = s.At
		}
	}
	return nil
}

// scriptedTimelines turns the vendor's script into timelines, checking
// that every step can follow the ticket's status and lies in the range the
// export index can hold.
func (w *world) scriptedTimelines() ([]*timeline, error) {
	out := make([]*timeline, 0, len(w.v.Script))
	for i, st := range w.v.Script {
		tl, err := w.scriptedTimeline(i, st)
		if err != nil {
			return nil, fmt.Errorf("vendor %s: scripted ticket %d: %w", w.v.Name, i+1, err)
		}
		out = append(out, tl)
	}
	return out, nil
}

func (w *world) scriptedTimeline(i int, st ScriptedTicket) (*timeline, error) {
	created := st.Created.Unix()
	if created < w.t0 {
		return nil, fmt.Errorf("created %v, before the history start %v", st.Created, time.Unix(w.t0, 0).UTC())
	}
	if len(st.Steps) > 0 && created+secs(st.Steps[len(st.Steps)-1].At)-w.t0 >= math.MaxUint32 {
		return nil, fmt.Errorf("steps end too far after the history start")
	}
	r := itemRand(w.seed, streamTicket, uint64(i))
	priority := slices.Index(zPriorities, st.Priority)
	tl := &timeline{
		index:     i,
		created:   created,
		priority:  priority,
		escalated: priority,
		topic:     i % len(topics),
		requester: 380000000000 + r.Int64N(1e9),
		org:       w.id.orgIDs[r.IntN(len(w.id.orgIDs))],
		agent:     w.id.agents[r.IntN(len(w.id.agents))],
		steps:     []step{{at: created, kind: stepCreated, status: zNew}},
		ghLabels:  st.Labels,
		ghType:    st.Type,
	}
	if st.Drill && !st.Colleague {
		tl.requester = w.buyerUserID() // filed as the buyer (drill.go)
	}
	for _, s := range st.Steps {
		next, err := scriptedStep(tl.steps[len(tl.steps)-1].status, s.Kind)
		if err != nil {
			return nil, fmt.Errorf("at %v: %w", s.At, err)
		}
		next.at = created + secs(s.At)
		tl.steps = append(tl.steps, next)
	}
	return tl, nil
}

// scriptedStep is the step a scripted kind makes from a status.
func scriptedStep(status zStatus, kind ScriptKind) (step, error) {
	solved := status == zSolved
	switch {
	case status == zClosed:
		return step{}, fmt.Errorf("%v after the ticket was closed", kind)
	case kind == VendorReply && !solved:
		return step{kind: stepVendorReply, status: zPending}, nil
	case kind == CustomerReply && status == zPending:
		return step{kind: stepCustomerReply, status: zOpen}, nil
	case kind == CustomerReply && !solved:
		return step{kind: stepChase, status: status}, nil
	case kind == Solve && !solved:
		return step{kind: stepSolve, status: zSolved}, nil
	case kind == Decline && !solved:
		return step{kind: stepSolve, status: zSolved, close: closeDeclined}, nil
	case kind == StaleClose && !solved:
		return step{kind: stepSolve, status: zSolved, close: closeStale}, nil
	case kind == Reopen && solved:
		return step{kind: stepReopen, status: zOpen}, nil
	case kind == Close && solved:
		return step{kind: stepClose, status: zClosed}, nil
	case kind == Escalate:
		return step{kind: stepEscalate, status: status}, nil
	case (kind == RateGood || kind == RateBad) && solved:
		return step{kind: stepRate, status: zSolved, good: kind == RateGood}, nil
	}
	return step{}, fmt.Errorf("%v cannot follow status %v", kind, status)
}
