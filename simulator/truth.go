package simulator

import "time"

// Truth is what a vendor's generated world holds as of an instant: the
// facts the APIs serve, without the APIs' rounding, so tests can compute
// what every metric must be. It shows the edits made by then (edit.go), a
// deleted ticket with status "deleted".
type Truth struct {
	Tickets      []TicketTruth
	Incidents    []IncidentTruth
	Maintenances []MaintenanceTruth
	Components   map[string]string // component name -> status (group containers included)
	Pages        []PageTruth       // the documentation site's pages, in path order (docs.go)
}

// TicketTruth is one ticket as of the instant. Zero times mean "not yet".
type TicketTruth struct {
	ID            int64
	Created       time.Time
	Updated       time.Time
	Priority      string // the raw priority now ("" is null)
	FirstPriority string // the priority at creation (escalations may bump it)
	Status        string // Zendesk's: new, open, pending, hold, solved, closed, or deleted (edit.go)
	FirstReply    time.Time
	FirstSolve    time.Time
	Replies       int    // public vendor replies
	Reopens       int    // reopen events
	Followups     int    // customer chases while awaiting the vendor
	Satisfaction  string // the rating now: "", "good" or "bad"
	Ratings       []string
	Tags          []string
}

// IncidentTruth is one incident as of the instant.
type IncidentTruth struct {
	ID         string
	Impact     string
	Created    time.Time   // first public post
	Updated    time.Time   // latest post, postmortem or edit
	Started    time.Time   // when impact began
	Resolved   time.Time   // zero while unresolved
	Updates    []time.Time // public updates posted so far, oldest first
	Postmortem time.Time   // zero until published
	Components []string
}

// MaintenanceTruth is one scheduled maintenance as of the instant.
type MaintenanceTruth struct {
	ID             string
	Created        time.Time // announced
	Updated        time.Time // latest post or edit
	ScheduledFor   time.Time
	ScheduledUntil time.Time
	Completed      time.Time // zero until completed
}

// Truth returns the vendor's world as of now: every ticket, incident and
// maintenance that exists by then. It generates every ticket, so it costs
// time proportional to the vendor's size. An unknown vendor has no truth.
func (s *Sim) Truth(vendor string, now time.Time) Truth {
	w := s.worlds[vendor]
	if w == nil {
		return Truth{}
	}
	var t Truth
	for i := range w.ticketsBy(now.Unix()) {
		st := stateAt(w.timeline(i), now.Unix())
		t.Tickets = append(t.Tickets, st.truth())
	}
	t.Pages = w.docPages(now.Unix())
	ps := w.pageAt(now.UnixMilli())
	for _, in := range ps.incidents {
		t.Incidents = append(t.Incidents, in.truth(w, ps.now))
	}
	for _, m := range ps.maintenances {
		mt := MaintenanceTruth{
			ID: m.id, Created: utcMilli(m.created()), Updated: utcMilli(m.updatedAt(ps.now)),
			ScheduledFor: utcMilli(m.scheduledFor), ScheduledUntil: utcMilli(m.scheduledUntil),
		}
		if m.completed() <= ps.now {
			mt.Completed = utcMilli(m.completed())
		}
		t.Maintenances = append(t.Maintenances, mt)
	}
	t.Components = map[string]string{}
	for i, c := range w.id.components {
		t.Components[c.name] = ps.status[i]
	}
	return t
}

func (s *ticketState) truth() TicketTruth {
	unix := func(t int64) time.Time {
		if t == 0 {
			return time.Time{}
		}
		return time.Unix(t, 0).UTC()
	}
	t := TicketTruth{
		ID: s.tl.id(), Created: unix(s.created), Updated: unix(s.updated),
		Priority: zPriorities[s.priority], FirstPriority: zPriorities[s.tl.priority], Status: s.zendeskStatus(),
		FirstReply: unix(s.firstReply), FirstSolve: unix(s.firstSolve),
		Replies: s.replies, Reopens: s.reopens, Followups: s.chases, Tags: s.tags(),
	}
	for _, good := range s.ratings {
		t.Ratings = append(t.Ratings, map[bool]string{true: "good", false: "bad"}[good])
	}
	if len(t.Ratings) > 0 {
		t.Satisfaction = t.Ratings[len(t.Ratings)-1]
	}
	return t
}

func (in *incident) truth(w *world, now int64) IncidentTruth {
	t := IncidentTruth{
		ID: in.id, Impact: in.impact, Created: utcMilli(in.created()), Updated: utcMilli(incidentUpdated(in, now)),
		Started: utcMilli(in.started),
	}
	for _, u := range in.updates {
		if u.at <= now {
			t.Updates = append(t.Updates, utcMilli(u.at))
		}
	}
	if in.resolved() <= now {
		t.Resolved = utcMilli(in.resolved())
	}
	if in.postmortem != 0 && in.postmortem <= now {
		t.Postmortem = utcMilli(in.postmortem)
	}
	for _, c := range in.components {
		t.Components = append(t.Components, w.id.components[c].name)
	}
	return t
}

func utcMilli(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
