package simulator

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Vendors' agents edit what their APIs already served: they move a
// ticket's priority, correct its creation time or delete it, backdate an
// incident's start or change its impact, correct when an update was
// posted, reschedule a maintenance or correct when it was announced. The
// edits below do that to a simulated vendor, at the simulated clock's
// instant when they are made: from then on every API serves the item
// edited, with its updated_at at the edit (so that the incremental APIs
// list it again), and Truth shows it edited. Before that instant the item
// is served as generated, so a clock set back shows the world unedited.

// TicketEdit is an agent's change to a ticket; zero fields change nothing.
type TicketEdit struct {
	// Priority, when set, is the new priority: urgent, high, normal, low,
	// or "" for none. A later escalation keeps it.
	Priority *string
	// Created, when set, is the creation time the ticket shows from now on
	// (an import or an admin correcting it), at or before the edit. Every
	// figure the APIs compute from the creation (Zendesk's reply and
	// resolution minutes, JSM's SLA cycles, Freshdesk's due dates) follows.
	Created time.Time
	// Delete deletes the ticket: Zendesk's export lists it once more, with
	// status "deleted"; the other lists leave it out, and its own URLs
	// answer 404 (GitHub: 410 Gone, "This issue was deleted"). Nothing
	// happens to it afterwards.
	Delete bool
	// Labels and Type, when set, replace the labels besides its
	// tags and priority (ScriptedTicket.Labels), and its issue type ("" for
	// none), as an agent does on GitHub: a relabel shows as labeled and
	// unlabeled events by the agent. The other kinds ignore them.
	Labels *[]string
	Type   *string
}

// IncidentEdit is an agent's change to a status-page incident; zero fields
// change nothing.
type IncidentEdit struct {
	Started time.Time // when impact began, moved (backdated, or later)
	Impact  string    // none, minor, major or critical
	// Updates moves the time of the posted updates it names, by position
	// from the first post (0), to the times given, each at or before the
	// edit; moving update 0 moves the incident's first post (created_at).
	// The updates keep their order in every list.
	Updates map[int]time.Time
}

// MaintenanceEdit is an agent's change to a scheduled maintenance; zero
// fields change nothing.
type MaintenanceEdit struct {
	// ScheduledFor and ScheduledUntil reschedule the window; the posts not
	// made yet (in progress, verifying, completed) move with it.
	ScheduledFor, ScheduledUntil time.Time
	// Announced is when the maintenance shows as announced (its created_at
	// and first post), at or before the edit.
	Announced time.Time
}

// edits are the edits made to one world, applied whenever its items are
// generated. A world without ticket edits pays nothing for them on its
// hot path (timeline).
type edits struct {
	mu           sync.RWMutex
	anyTicket    atomic.Bool
	tickets      map[int][]ticketEdit // by ticket index, oldest first
	incidents    map[string][]incidentEdit
	maintenances map[string][]maintenanceEdit
}

type ticketEdit struct {
	at int64 // Unix seconds
	e  TicketEdit
}

type incidentEdit struct {
	at int64 // Unix ms
	e  IncidentEdit
}

type maintenanceEdit struct {
	at int64 // Unix ms
	e  MaintenanceEdit
}

func (ed *edits) ticket(i int) []ticketEdit {
	if !ed.anyTicket.Load() {
		return nil
	}
	ed.mu.RLock()
	defer ed.mu.RUnlock()
	return ed.tickets[i]
}

func (ed *edits) incident(id string) []incidentEdit {
	ed.mu.RLock()
	defer ed.mu.RUnlock()
	return ed.incidents[id]
}

func (ed *edits) maintenance(id string) []maintenanceEdit {
	ed.mu.RLock()
	defer ed.mu.RUnlock()
	return ed.maintenances[id]
}

// EditTicket edits ticket id (as the APIs number it, from 1) of vendor, as
// of the simulated clock. It fails for a ticket not created yet or deleted,
// or a value no API could hold.
func (s *Sim) EditTicket(vendor string, id int64, e TicketEdit) error {
	w := s.worlds[vendor]
	if w == nil {
		return fmt.Errorf("simulator: unknown vendor %q", vendor)
	}
	now := s.opts.Clock().Unix()
	i := int(id - 1)
	switch {
	case id < 1 || i >= w.ticketsBy(now):
		return fmt.Errorf("simulator: %s has no ticket %d yet", vendor, id)
	case e.Priority != nil && !slices.Contains(zPriorities, *e.Priority):
		return fmt.Errorf("simulator: unknown priority %q", *e.Priority)
	case !e.Created.IsZero() && e.Created.Unix() > now:
		return fmt.Errorf("simulator: ticket %d created at %v, after the edit", id, e.Created)
	}
	if st := stateAt(w.timeline(i), now); st.deleted {
		return fmt.Errorf("simulator: ticket %d is deleted", id)
	}
	w.edits.mu.Lock()
	if w.edits.tickets == nil {
		w.edits.tickets = map[int][]ticketEdit{}
	}
	w.edits.tickets[i] = append(w.edits.tickets[i], ticketEdit{at: now, e: e})
	w.edits.anyTicket.Store(true)
	w.edits.mu.Unlock()
	w.reindexTicket(i)
	return nil
}

// EditIncident edits incident id (Truth's IncidentTruth.ID) of vendor, as
// of the simulated clock. It fails for an incident not posted yet, an
// unknown impact, or an update moved that is not posted or after the edit.
func (s *Sim) EditIncident(vendor, id string, e IncidentEdit) error {
	w := s.worlds[vendor]
	if w == nil {
		return fmt.Errorf("simulator: unknown vendor %q", vendor)
	}
	now := s.opts.Clock().UnixMilli()
	i := slices.IndexFunc(w.incidentsBy(now), func(in *incident) bool { return in.id == id })
	if i < 0 {
		return fmt.Errorf("simulator: %s has no incident %q posted yet", vendor, id)
	}
	in := w.incidentsBy(now)[i]
	if e.Impact != "" && !slices.Contains(impacts, e.Impact) {
		return fmt.Errorf("simulator: unknown impact %q", e.Impact)
	}
	if !e.Started.IsZero() && e.Started.UnixMilli() > now {
		return fmt.Errorf("simulator: incident %s started at %v, after the edit", id, e.Started)
	}
	for k, t := range e.Updates {
		if k < 0 || k >= len(posted(in.updates, now)) || t.UnixMilli() > now {
			return fmt.Errorf("simulator: incident %s: update %d cannot be moved to %v: it must be posted and the time before the edit", id, k, t)
		}
	}
	w.edits.mu.Lock()
	defer w.edits.mu.Unlock()
	if w.edits.incidents == nil {
		w.edits.incidents = map[string][]incidentEdit{}
	}
	w.edits.incidents[id] = append(w.edits.incidents[id], incidentEdit{at: now, e: e})
	return nil
}

// EditMaintenance edits maintenance id (Truth's MaintenanceTruth.ID) of
// vendor, as of the simulated clock. It fails for a maintenance not
// announced yet, a window that ends before it starts or lasts under 15
// minutes, or an announcement after the edit.
func (s *Sim) EditMaintenance(vendor, id string, e MaintenanceEdit) error {
	w := s.worlds[vendor]
	if w == nil {
		return fmt.Errorf("simulator: unknown vendor %q", vendor)
	}
	now := s.opts.Clock().UnixMilli()
	i := slices.IndexFunc(w.maintenancesBy(now), func(m *maintenance) bool { return m.id == id })
	if i < 0 {
		return fmt.Errorf("simulator: %s has no maintenance %q announced yet", vendor, id)
	}
	m := w.maintenancesBy(now)[i]
	from, until := m.scheduledFor, m.scheduledUntil
	if !e.ScheduledFor.IsZero() {
		from = e.ScheduledFor.UnixMilli()
	}
	if !e.ScheduledUntil.IsZero() {
		until = e.ScheduledUntil.UnixMilli()
	}
	if until-from < (15 * time.Minute).Milliseconds() {
		return fmt.Errorf("simulator: maintenance %s rescheduled to %v-%v: want a window of 15 minutes at least", id, utcMilli(from), utcMilli(until))
	}
	if !e.Announced.IsZero() && e.Announced.UnixMilli() > now {
		return fmt.Errorf("simulator: maintenance %s announced at %v, after the edit", id, e.Announced)
	}
	w.edits.mu.Lock()
	defer w.edits.mu.Unlock()
	if w.edits.maintenances == nil {
		w.edits.maintenances = map[string][]maintenanceEdit{}
	}
	w.edits.maintenances[id] = append(w.edits.maintenances[id], maintenanceEdit{at: now, e: e})
	return nil
}

// deleted reports whether ticket i was deleted by now (Unix seconds).
func (w *world) deleted(i int, now int64) bool {
	if w.drillHidden(i) { // a drill ticket not filed yet does not exist (drill.go)
		return true
	}
	return slices.ContainsFunc(w.edits.ticket(i), func(ed ticketEdit) bool { return ed.e.Delete && ed.at <= now })
}

// shownCreated is when ticket i shows as created as of now (Unix seconds).
func (w *world) shownCreated(i int, now int64) int64 {
	if len(w.edits.ticket(i)) == 0 {
		return w.ticketCreated(i)
	}
	s := stateAt(w.timeline(i), now)
	return s.created
}

// withEdits returns tl with its edits as steps at their instants: an edit
// changes nothing else, so it keeps the status it finds; a deletion ends
// the timeline. tl itself (a scripted ticket's is shared) is not changed.
func (tl *timeline) withEdits(es []ticketEdit) *timeline {
	out := *tl
	out.steps = slices.Clone(tl.steps)
	for _, ed := range es {
		k, _ := slices.BinarySearchFunc(out.steps, ed.at, func(st step, at int64) int {
			if st.at <= at {
				return -1
			}
			return 1
		})
		st := step{at: ed.at, kind: stepEdit, status: out.steps[k-1].status, edit: &ed.e}
		if ed.e.Delete {
			st.kind = stepDelete
			out.steps = append(out.steps[:k], st)
			break
		}
		out.steps = slices.Insert(out.steps, k, st)
	}
	return &out
}

// move moves a posted update to at, by an edit at edited.
func (u *update) move(at, edited int64) {
	u.posted = u.postedAt()
	u.at, u.edited = at, edited
}

// applyIncidentEdits applies to a generated incident the edits made by now
// (Unix ms).
func (w *world) applyIncidentEdits(in *incident, now int64) {
	for _, ed := range w.edits.incident(in.id) {
		if ed.at > now {
			return
		}
		if !ed.e.Started.IsZero() {
			in.started = ed.e.Started.UnixMilli()
		}
		if ed.e.Impact != "" {
			in.impact = ed.e.Impact
		}
		for k, t := range ed.e.Updates {
			in.updates[k].move(t.UnixMilli(), ed.at)
		}
		in.edited = ed.at
	}
}

// applyMaintenanceEdits applies to a generated maintenance the edits made
// by now (Unix ms). The posts not made at an edit move with the window
// (in progress with its start, the others with its end), after the edit
// and in order.
func (w *world) applyMaintenanceEdits(m *maintenance, now int64) {
	for _, ed := range w.edits.maintenance(m.id) {
		if ed.at > now {
			return
		}
		from, until := m.scheduledFor, m.scheduledUntil
		if !ed.e.ScheduledFor.IsZero() {
			from = ed.e.ScheduledFor.UnixMilli()
		}
		if !ed.e.ScheduledUntil.IsZero() {
			until = ed.e.ScheduledUntil.UnixMilli()
		}
		shift := [2]int64{from - m.scheduledFor, until - m.scheduledUntil}
		last := ed.at
		for k := range m.updates {
			u := &m.updates[k]
			if u.at <= ed.at {
				last = max(last, u.at)
				continue
			}
			by := shift[1]
			if u.status == "in_progress" {
				by = shift[0]
			}
			u.at = max(u.at+by, last+1)
			last = u.at
		}
		m.scheduledFor, m.scheduledUntil = from, until
		if !ed.e.Announced.IsZero() {
			m.updates[0].move(ed.e.Announced.UnixMilli(), ed.at)
		}
		m.edited = ed.at
	}
}
