package simulator

import (
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/exporter/calendar"
)

// ticketState is a ticket as of an instant: the prefix of its timeline that
// has happened, summed up the way Zendesk reports it. Zero times mean "not
// yet".
type ticketState struct {
	tl       *timeline
	now      int64
	n        int // steps that have happened
	status   zStatus
	updated  int64
	created  int64 // the creation time shown: tl.created, unless edited
	priority int   // index into zPriorities, after any escalation bump or edit
	edited   bool  // the priority was edited: escalations keep it
	deleted  bool
	tagged   bool
	// ghLabels and ghType are the GitHub labels and type edited last
	// (TicketEdit); nil: as created.
	ghLabels *[]string
	ghType   *string
	ratings  []bool // every rating given, good = true, in order
	replies  int
	reopens  int
	chases   int

	firstReply, firstSolve, lastSolve                 int64
	lastVendor, lastCustomer, lastStatus, lastComment int64
}

// stateAt returns tl as of now; tl must exist by then (created <= now).
func stateAt(tl *timeline, now int64) ticketState {
	s := ticketState{tl: tl, now: now, priority: tl.priority, created: tl.created}
	for _, st := range tl.steps {
		if st.at > now {
			break
		}
		s.n++
		if st.status != s.status || st.kind == stepCreated {
			s.lastStatus = st.at
		}
		s.status, s.updated = st.status, st.at
		switch {
		case st.kind.vendorReply():
			s.replies++
			s.lastVendor, s.lastComment = st.at, st.at
			if s.firstReply == 0 {
				s.firstReply = st.at
			}
		case st.kind.customerComment():
			s.lastCustomer, s.lastComment = st.at, st.at
		}
		switch st.kind {
		case stepSolve:
			s.lastSolve = st.at
			if s.firstSolve == 0 {
				s.firstSolve = st.at
			}
		case stepReopen:
			s.reopens++
		case stepChase:
			s.chases++
		case stepEscalate:
			s.tagged = true
			if !s.edited {
				s.priority = tl.escalated
			}
		case stepRate:
			s.ratings = append(s.ratings, st.good)
		case stepEdit:
			if p := st.edit.Priority; p != nil {
				s.priority, s.edited = slices.Index(zPriorities, *p), true
			}
			if !st.edit.Created.IsZero() {
				s.created = st.edit.Created.Unix()
			}
			if st.edit.Labels != nil {
				s.ghLabels = st.edit.Labels
			}
			if st.edit.Type != nil {
				s.ghType = st.edit.Type
			}
		case stepDelete:
			s.deleted = true
		}
	}
	return s
}

// solved reports whether the ticket is solved or closed now.
func (s *ticketState) solved() bool { return s.status == zSolved || s.status == zClosed }

// waits is the time the ticket spent in each waiting state, calendar and
// business, up to now or to its latest solve: requester (new, open and on
// hold: the customer waits), agent (pending: the vendor waits) and on hold.
type waits struct {
	requester, agent, onHold [2]time.Duration // [calendar, business]
}

func (s *ticketState) waits(cal *calendar.Calendar) waits {
	var w waits
	steps := s.tl.steps[:s.n]
	for i, st := range steps {
		end := s.now
		if i+1 < len(steps) {
			end = steps[i+1].at
		}
		var acc *[2]time.Duration
		switch st.status {
		case zNew, zOpen:
			acc = &w.requester
		case zPending:
			acc = &w.agent
		case zHold:
			acc = &w.onHold
		default:
			continue
		}
		from, to := time.Unix(st.at, 0), time.Unix(end, 0)
		d := [2]time.Duration{to.Sub(from), cal.Between(from, to)}
		acc[0], acc[1] = acc[0]+d[0], acc[1]+d[1]
		if st.status == zHold {
			w.requester[0], w.requester[1] = w.requester[0]+d[0], w.requester[1]+d[1]
		}
	}
	return w
}
