package quality

import (
	"container/heap"
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
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
func (p *Replay) AddTicket(source string, t *item.Ticket) {
	scheduleVersions(p, p.agg.rules.TicketChanges(t), t, p.agg.rules.TicketAt,
		func(old, new *item.Ticket) { p.agg.ReplaceTicket(source, old, new) })
}

// AddIncident is AddTicket for incidents (IncidentChanges).
func (p *Replay) AddIncident(source string, i *item.Incident) {
	scheduleVersions(p, IncidentChanges(i), i, IncidentAt,
		func(old, new *item.Incident) { p.agg.ReplaceIncident(source, old, new) })
}

// AddMaintenance is AddTicket for maintenances (MaintenanceChanges).
func (p *Replay) AddMaintenance(source string, m *item.Maintenance) {
	scheduleVersions(p, MaintenanceChanges(m), m, MaintenanceAt,
		func(old, new *item.Maintenance) { p.agg.ReplaceMaintenance(source, old, new) })
}

// scheduleVersions moves a stored item into the aggregates version by
// version: its version at each change instant replaces the previous one,
// and at the last the stored item itself does.
func scheduleVersions[T any](p *Replay, changes []time.Time, stored *T, at func(*T, time.Time) T, replace func(old, new *T)) {
	var cur *T
	p.schedule(changes, func(when time.Time, last bool) {
		next := stored
		if !last {
			v := at(stored, when)
			next = &v
		}
		replace(cur, next)
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

// AdvanceCoalesced is Advance for a caller that snapshots only at the
// instants it advances to (the service review): an item with several
// changes up to at moves straight to its version at the last of them.
// Between two snapshots the judged instants do not move, and Replace takes
// back exactly what it added as of them, so the aggregates depend only on
// the versions in place: the snapshot at at is the one Advance gives
// (TestReplayCoalescedEqualsStepped).
func (p *Replay) AdvanceCoalesced(at time.Time) {
	for len(p.pending) > 0 && !p.pending[0].changes[0].After(at) {
		it := p.pending[0]
		n, found := slices.BinarySearchFunc(it.changes, at, func(c, t time.Time) int { return c.Compare(t) })
		if found {
			n++
		}
		when := it.changes[n-1]
		it.changes = it.changes[n:]
		it.apply(when, len(it.changes) == 0)
		if len(it.changes) == 0 {
			heap.Pop(&p.pending)
		} else {
			heap.Fix(&p.pending, 0)
		}
	}
}

// Finish applies every change left: the aggregator then holds exactly the
// stored items, as a start-up load would.
func (p *Replay) Finish() {
	for len(p.pending) > 0 {
		p.step()
	}
}

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
