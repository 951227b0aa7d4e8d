package quality

import (
	"cmp"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// TicketView is what a snapshot judged as of an instant makes of one
// ticket version: the service review (exporter/report) lists the tickets
// behind its SLA rows and open escalations with it, so that its lists
// agree with the counters the snapshots give.
type TicketView struct {
	// Counted: the ticket is inside the history (global.history_start).
	Counted bool
	// Priority is the pinned first priority, the counters' label.
	Priority Priority
	Created  time.Time
	Clocks   [NumTargets]TicketClock
	// Open and Escalated as the gauges see them; Current is the open
	// ticket's current priority (support_escalations_open's label).
	Open, Escalated bool
	Current         Priority
}

// TicketClock is one SLA clock as support_ticket_sla_checks_total counts
// it.
type TicketClock struct {
	// Checked: counted as a check (it ended, or its deadline passed);
	// Breached: counted as a breach.
	Checked, Breached bool
	// Seconds is the clock's time on the term's SLA clock from creation to
	// where it stopped, or to the judged instant while it runs past its
	// deadline. Zero when the vendor's clock judged (Vendor): its elapsed
	// time, with its pauses and calendar, is not in the APIs.
	Seconds float64
	// Vendor: the vendor's own SLA clock judged the target (docs/metrics.md,
	// "Whose verdict"), and Breached is its verdict. Over is then where it
	// stopped (or the judged instant while it runs) against the vendor's
	// deadline, in seconds, positive past it; OverKnown is false when the
	// vendor gives no deadline (a paused clock, a verdict without one).
	Vendor    bool
	Over      float64
	OverKnown bool
}

// TicketView judges ticket version t as of judged, as Snapshot does.
func (r *Rules) TicketView(t *item.Ticket, judged time.Time) TicketView {
	h, f := r.ticketHistory(t)
	if !r.counted(h.Created) {
		return TicketView{}
	}
	st, lv := r.ticketParts(t, &h, &f, judged)
	v := TicketView{
		Counted: true, Priority: st.priority, Created: h.Created,
		Open: lv.open, Escalated: lv.open && lv.escalated, Current: lv.priority,
	}
	tm := r.termAt(h.Created)
	pins := clockHistories(&h)
	vendor := vendorClocks(t)
	for tg := range NumTargets {
		c := &v.Clocks[tg]
		switch {
		case st.checked[tg]:
			c.Checked, c.Breached = true, st.breached[tg]
		case !lv.running[tg].IsZero() && judged.After(lv.running[tg]):
			c.Checked, c.Breached = true, true
		default:
			continue
		}
		pin := pins[tg]
		if judgeOf(pin, vendor[tg]) == item.JudgeVendor {
			c.Vendor = true
			run := pin.Vendor
			if run == nil {
				run = vendor[tg]
			}
			if run != nil && !run.Deadline.IsZero() {
				end := judged
				switch {
				case !run.Stopped.IsZero():
					end = run.Stopped
				case !pin.Ended.IsZero():
					end = pin.Ended
				}
				c.Over, c.OverKnown = end.Sub(run.Deadline).Seconds(), true
			}
			continue
		}
		end := judged
		if !pin.Ended.IsZero() {
			end = pin.Ended
		}
		c.Seconds = float64(r.clockMillis(tm, h.Created, end)) / 1000
	}
	return v
}

// SLATarget is the target of priority p and target tg of the contract
// term in force at t; zero when none is configured.
func (r *Rules) SLATarget(at time.Time, p Priority, tg Target) time.Duration {
	return r.termAt(at).target(p, tg)
}

// Detected is who noticed incident id of source first, as the aggregates
// decided it (support_incidents_detected_total); ok is false while
// undecided or for an incident outside the history.
func (a *Aggregator) Detected(source, id string) (first First, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	vd, ok := a.decided[itemKey{source, id}]
	return vd.first, ok
}

// MaintenanceNotice judges a maintenance's notice as
// support_status_maintenance_short_notice_total does: the notice from its
// announcement to its start, and whether it is shorter than the term in
// force at the announcement requires. ok is false when the notice is not
// known (no announcement time, or not started or completed yet).
func (r *Rules) MaintenanceNotice(m *item.Maintenance) (notice time.Duration, short, ok bool) {
	if m.History == nil {
		return 0, false, false
	}
	st := r.noticeOf(m.History.Notice)
	if st.notice < 0 {
		return 0, false, false
	}
	return time.Duration(st.notice) * time.Millisecond, st.short, true
}

// MaintenanceView is what the snapshots make of one maintenance version:
// the service review lists the maintenances whose notice
// support_status_maintenance_notice_seconds observes in its period with it.
type MaintenanceView struct {
	// Counted: the maintenance is inside the history (history_start).
	Counted bool
	// Start is the start its notice is measured to and observed at (once
	// a snapshot is judged as of it or later): the one pinned when the
	// exporter saw it start, else the scheduled start of one not completed;
	// zero: none.
	Start time.Time
	// Announced is when it was announced; zero when the format does not
	// say (the notice is then unknown: not observed, never short).
	Announced time.Time
	// Notice and Short as the counters judge them; Known is false when the
	// announcement time is unknown.
	Notice       time.Duration
	Short, Known bool
}

// MaintenanceView judges maintenance version m as maintenanceContribution
// does.
func (r *Rules) MaintenanceView(m *item.Maintenance) MaintenanceView {
	h := maintenanceHistory(m)
	if !r.counted(h.Created) {
		return MaintenanceView{}
	}
	n := h.Notice
	if n == nil && m.CompletedAt.IsZero() && !m.ScheduledFor.IsZero() {
		n = &item.MaintenanceNotice{Announced: m.CreatedAt, Start: m.ScheduledFor}
	}
	v := MaintenanceView{Counted: true}
	if n == nil {
		return v
	}
	v.Start, v.Announced = n.Start, n.Announced
	if st := r.noticeOf(n); st.notice >= 0 {
		v.Notice, v.Short, v.Known = time.Duration(st.notice)*time.Millisecond, st.short, true
	}
	return v
}

// IncidentTimes are one incident version's times as the status metrics
// observe them (incidentContribution): vendors backdate started_at and
// edit updates after the fact, so the service review lists what the
// counters counted, not the vendor's latest word.
type IncidentTimes struct {
	// Started is when impact began (the first post when not given).
	Started time.Time
	// FirstPost is the first public post; zero when the format does not
	// give it.
	FirstPost time.Time
	// Resolved is zero while open and when the format never says.
	Resolved time.Time
	// Updates are the public updates, in any order.
	Updates []time.Time
}

// UpdateGaps are the gaps support_status_incident_update_gap_seconds
// observes for a resolved incident (updateGaps): between its public
// updates in time order, the first post included, up to the resolution.
// Nil while open, and when the first post is unknown.
func (t IncidentTimes) UpdateGaps() []time.Duration {
	if t.Resolved.IsZero() || t.FirstPost.IsZero() {
		return nil
	}
	ms := updateGaps(t.FirstPost, t.Updates, t.Resolved)
	gaps := make([]time.Duration, len(ms))
	for k, g := range ms {
		gaps[k] = time.Duration(g) * time.Millisecond
	}
	return gaps
}

// IncidentTimesOf gives version i's times: those pinned when it was first
// seen resolved (item.IncidentFinal; at first store for a format that
// never says it ended), else those pinned when who noticed it first became
// decidable, else the version's own.
func IncidentTimesOf(i *item.Incident) IncidentTimes {
	h := incidentHistory(i)
	t := IncidentTimes{Started: startedAt(i), FirstPost: i.CreatedAt, Resolved: i.ResolvedAt, Updates: i.Updates}
	switch fin := h.Final; {
	case fin != nil:
		t.Started, t.FirstPost = cmp.Or(fin.Started, fin.FirstPost), fin.FirstPost
		// A reopened incident (Cachet dates its resolution by its latest
		// update) is open again, as the open-incident gauge has it.
		if !fin.Resolved.IsZero() && !i.ResolvedAt.IsZero() {
			t.Resolved, t.Updates = fin.Resolved, fin.Updates
		}
	case !h.NoticePost.IsZero():
		t.Started, t.FirstPost = h.NoticeStarted, h.NoticePost
	}
	return t
}
