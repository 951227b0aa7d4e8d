package quality

import (
	"container/heap"
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// Replay rebuilds a vendor's past aggregates from its stored items (see
// asof.go): it moves each item into its Aggregator version by version, in
// time order, so that a snapshot taken after Advance(t) is the one a live
// exporter would have served at t. Items are added as the replay reaches
// their first change and forgotten after their last, so memory follows the
// items in flight, not the length of the history.
type Replay struct {
	agg     *Aggregator
	pending changeQueue
}

// NewReplay returns a replay into a, which must be empty.
func NewReplay(a *Aggregator) *Replay { return &Replay{agg: a} }

// replayItem is one stored item in flight: its versions so far and the
// change instants still ahead.
type replayItem struct {
	changes []time.Time // ahead, ascending
	apply   func(at time.Time, last bool)
}

// AddTicket schedules a stored ticket's versions. Add items before Advance
// passes their first change (TicketChanges), or they start late.
func (p *Replay) AddTicket(source string, t *model.Ticket) {
	var cur *model.Ticket
	p.schedule(TicketChanges(t), func(at time.Time, last bool) {
		next := t
		if !last {
			v := p.agg.rules.TicketAt(t, at)
			next = &v
		}
		p.agg.ReplaceTicket(source, cur, next)
		cur = next
	})
}

// AddIncident is AddTicket for incidents (IncidentChanges).
func (p *Replay) AddIncident(source string, i *model.Incident) {
	var cur *model.Incident
	p.schedule(IncidentChanges(i), func(at time.Time, last bool) {
		next := i
		if !last {
			v := IncidentAt(i, at)
			next = &v
		}
		p.agg.ReplaceIncident(source, cur, next)
		cur = next
	})
}

// AddMaintenance is AddTicket for maintenances (MaintenanceChanges).
func (p *Replay) AddMaintenance(source string, m *model.Maintenance) {
	var cur *model.Maintenance
	p.schedule(MaintenanceChanges(m), func(at time.Time, last bool) {
		next := m
		if !last {
			v := MaintenanceAt(m, at)
			next = &v
		}
		p.agg.ReplaceMaintenance(source, cur, next)
		cur = next
	})
}

// AddAlertSignal schedules a customer alert that started at startsAt.
func (p *Replay) AddAlertSignal(startsAt time.Time) {
	p.schedule([]time.Time{startsAt}, func(time.Time, bool) { p.agg.AddAlertSignal(startsAt) })
}

func (p *Replay) schedule(changes []time.Time, apply func(at time.Time, last bool)) {
	if len(changes) == 0 {
		return
	}
	heap.Push(&p.pending, &replayItem{changes: changes, apply: apply})
}

// Advance applies every change up to and including at.
func (p *Replay) Advance(at time.Time) {
	for len(p.pending) > 0 && !p.pending[0].changes[0].After(at) {
		p.step()
	}
}

// Finish applies every change left: the aggregator then holds exactly the
// stored items, as a start-up load would.
func (p *Replay) Finish() {
	for len(p.pending) > 0 {
		p.step()
	}
}

// InFlight is the number of items whose last change is still ahead.
func (p *Replay) InFlight() int { return len(p.pending) }

// step applies the earliest pending change.
func (p *Replay) step() {
	it := p.pending[0]
	at := it.changes[0]
	it.changes = it.changes[1:]
	it.apply(at, len(it.changes) == 0)
	if len(it.changes) == 0 {
		heap.Pop(&p.pending)
	} else {
		heap.Fix(&p.pending, 0)
	}
}

// changeQueue orders items in flight by their next change.
type changeQueue []*replayItem

func (q changeQueue) Len() int           { return len(q) }
func (q changeQueue) Less(i, j int) bool { return q[i].changes[0].Before(q[j].changes[0]) }
func (q changeQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *changeQueue) Push(x any)        { *q = append(*q, x.(*replayItem)) }
func (q *changeQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return it
}
