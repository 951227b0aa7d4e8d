package quality

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// Aggregator holds one vendor's aggregates, kept up to date item by item. It
// is safe for concurrent use: the sources of a vendor sync in parallel.
//
// Every item must be given with the same Rules (a config change builds a
// new Aggregator from the store), and each Replace call must pass as old
// exactly the version given as new before: the contribution of old is
// recomputed and taken back.
type Aggregator struct {
	rules *Rules
	kinds map[string]string // source -> kind

	mu           sync.Mutex
	totals       *tally
	tickets      map[itemKey]liveTicket
	incidents    map[itemKey]openIncident // unresolved incidents
	maintenances map[itemKey]time.Time    // not completed and not yet started: their start
	components   map[string][]model.Component
	items        map[string]uint64 // stored items per source

	// Who noticed first (detection.go). A counted incident is undecided,
	// with its notice window as last stored, until every signal source is
	// complete past its first post; its verdict is then pinned, so that it
	// never flips when the vendor later edits the incident.
	signals       signalSet
	signalSources []string // the ticket sources, and AlertSource
	undecided     map[itemKey]noticeWindow
	decided       map[itemKey]verdict
}

// itemKey identifies an item of a vendor.
type itemKey struct{ source, id string }

// NewAggregator returns an empty aggregator for a vendor's rules and its
// sources (source name -> kind, for support_store_items).
func NewAggregator(r *Rules, sources map[string]string) *Aggregator {
	signalSources := []string{AlertSource}
	for source, kind := range sources {
		if ticketKinds[kind] {
			signalSources = append(signalSources, source)
		}
	}
	return &Aggregator{
		rules:         r,
		kinds:         sources,
		totals:        newTally(r),
		tickets:       map[itemKey]liveTicket{},
		incidents:     map[itemKey]openIncident{},
		maintenances:  map[itemKey]time.Time{},
		components:    map[string][]model.Component{},
		items:         map[string]uint64{},
		signals:       signalSet{},
		signalSources: signalSources,
		undecided:     map[itemKey]noticeWindow{},
		decided:       map[itemKey]verdict{},
	}
}

// Rules returns the rules the aggregator derives with; items are merged
// with them too (Rules.MergeTicket).
func (a *Aggregator) Rules() *Rules { return a.rules }

// ReplaceTicket moves a ticket's contribution: old is the previously stored
// version (nil when new), new the stored result of MergeTicket (nil removes
// the ticket). Call it once the store commit succeeded, and at start-up with
// old == nil for every stored ticket.
//
// Each ticket's creation is a customer signal for who noticed an incident
// first. A ticket deleted at the vendor stays stored, and so stays a
// signal; only a removal from the store (new == nil) takes it out.
func (a *Aggregator) ReplaceTicket(source string, old, new *model.Ticket) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.moveSignal(old, new)
	if old != nil {
		delete(a.tickets, itemKey{source, old.ID})
		if st, _, counted, _ := a.rules.ticketContribution(old); counted {
			a.totals.addTicket(&st, minus)
		}
	}
	if new != nil {
		if st, lv, counted, live := a.rules.ticketContribution(new); counted {
			a.totals.addTicket(&st, plus)
			if live {
				a.tickets[itemKey{source, new.ID}] = lv
			}
		}
	}
	a.countItem(source, old != nil, new != nil)
}

// moveSignal replaces a ticket's creation in the customer signals. Tickets
// created before the history start are no signal, as they are no ticket.
func (a *Aggregator) moveSignal(old, new *model.Ticket) {
	if old != nil && new != nil && old.CreatedAt.Equal(new.CreatedAt) {
		return
	}
	if old != nil && a.rules.counted(old.CreatedAt) {
		a.signals.remove(old.CreatedAt)
	}
	// Without its first post's time (a format that does not publish it) no
	// one can say who noticed an incident first: it is never decided.
	if new != nil && !new.CreatedAt.IsZero() && a.rules.counted(new.CreatedAt) {
		a.signals.add(new.CreatedAt)
	}
}

// AddAlertSignal adds a customer alert that started firing at startsAt, a
// customer signal like a ticket's creation. Call it once the store commit of
// a new alert succeeded, and at start-up for every stored one. Alerts that
// started before the history start are no signal.
func (a *Aggregator) AddAlertSignal(startsAt time.Time) {
	if !a.rules.counted(startsAt) {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.signals.add(startsAt)
}

// ReplaceIncident is ReplaceTicket for incidents (MergeIncident).
func (a *Aggregator) ReplaceIncident(source string, old, new *model.Incident) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.trackDetection(source, old, new)
	if old != nil {
		delete(a.incidents, itemKey{source, old.ID})
		if st, _, counted, _ := a.rules.incidentContribution(old); counted {
			a.totals.addIncident(&st, minus)
		}
	}
	if new != nil {
		if st, live, counted, open := a.rules.incidentContribution(new); counted {
			a.totals.addIncident(&st, plus)
			if open {
				a.incidents[itemKey{source, new.ID}] = live
			}
		}
	}
	a.countItem(source, old != nil, new != nil)
}

// trackDetection keeps a counted incident's notice window until who noticed
// it first is decided. A decided verdict stays pinned whatever new version
// comes, and is taken back only when the incident leaves the store or the
// history (as its other counters are).
func (a *Aggregator) trackDetection(source string, old, new *model.Incident) {
	k := itemKey{source: source}
	if new != nil {
		k.id = new.ID
	} else if old != nil {
		k.id = old.ID
	}
	// Without its first post's time (a format that does not publish it) no
	// one can say who noticed an incident first: it is never decided.
	if new != nil && !new.CreatedAt.IsZero() && a.rules.counted(new.CreatedAt) {
		if _, pinned := a.decided[k]; !pinned {
			a.undecided[k] = a.rules.noticeWindowOf(new)
		}
		return
	}
	delete(a.undecided, k)
	if vd, pinned := a.decided[k]; pinned {
		a.totals.addVerdict(vd, minus)
		delete(a.decided, k)
	}
}

// ReplaceMaintenance is ReplaceTicket for maintenances (MergeMaintenance).
func (a *Aggregator) ReplaceMaintenance(source string, old, new *model.Maintenance) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if old != nil {
		delete(a.maintenances, itemKey{source, old.ID})
		if st, _, counted, _ := a.rules.maintenanceContribution(old); counted {
			a.totals.addMaintenance(&st, minus)
		}
	}
	if new != nil {
		if st, start, counted, pending := a.rules.maintenanceContribution(new); counted {
			a.totals.addMaintenance(&st, plus)
			if pending {
				a.maintenances[itemKey{source, new.ID}] = start
			}
		}
	}
	a.countItem(source, old != nil, new != nil)
}

// countItem keeps the number of stored items per source. Items before the
// history start are counted too: they are in the store.
func (a *Aggregator) countItem(source string, had, has bool) {
	switch {
	case has && !had:
		a.items[source]++
	case had && !has:
		a.items[source]--
	}
}

// SetComponents replaces a source's component list.
func (a *Aggregator) SetComponents(source string, c []model.Component) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.components[source] = slices.Clone(c)
}

// Snapshot returns a fresh, immutable copy of the aggregates. Time-driven
// values (SLA clocks still running, the next maintenance, who noticed an
// incident first) of each source's items are judged as of asOf(source): the
// instant up to which that source's data is complete. It costs the totals
// plus the unsettled items (for an undecided incident, the hours its notice
// window spans), whatever the history size.
//
// Maintenances that have started are forgotten (their counters are in the
// totals already) and decided incidents stay decided: asOf must not go
// backwards between calls.
func (a *Aggregator) Snapshot(asOf func(source string) time.Time) *VendorSnapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.decideIncidents(asOf)
	v := &VendorSnapshot{Vendor: a.rules.vendor, Tickets: a.rules.hasTickets, Status: a.rules.hasStatus}
	a.totals.export(v)
	for k, lt := range a.tickets {
		addLiveTicket(v, &lt, asOf(k.source))
	}
	for _, oi := range a.incidents {
		addOpenIncident(v, oi)
	}
	for k, start := range a.maintenances {
		if !start.After(asOf(k.source)) {
			delete(a.maintenances, k)
		} else if v.NextMaintenance.IsZero() || start.Before(v.NextMaintenance) {
			v.NextMaintenance = start.UTC()
		}
	}
	v.Components = a.componentList()
	v.StoreItems = make(map[string]uint64, len(a.kinds))
	for source, kind := range a.kinds {
		v.StoreItems[kind] += a.items[source]
	}
	return v
}

// decideIncidents decides who noticed first every undecided incident whose
// notice window the customer signals are complete for: every ticket source
// has synced past the incident's first post, and the customer alerts are
// complete past it (AlertSource), so no signal of the window can still
// arrive and flip the verdict.
func (a *Aggregator) decideIncidents(asOf func(source string) time.Time) {
	if len(a.undecided) == 0 {
		return
	}
	var complete time.Time
	for i, s := range a.signalSources {
		if t := asOf(s); i == 0 || t.Before(complete) {
			complete = t
		}
	}
	for k, w := range a.undecided {
		if !w.settledBy(complete) {
			continue
		}
		vd := a.signals.decide(w)
		a.totals.addVerdict(vd, plus)
		a.decided[k] = vd
		delete(a.undecided, k)
	}
}

// addLiveTicket adds an unsettled ticket's contribution at now: SLA clocks
// still running count as checked and breached once their deadline passed
// (even while the ticket is open), and open tickets move the gauges.
func addLiveTicket(v *VendorSnapshot, lt *liveTicket, now time.Time) {
	for tg, deadline := range lt.running {
		if !deadline.IsZero() && now.After(deadline) {
			// The counter label is the pinned priority: the static part's.
			v.SLAChecks[lt.pinned][tg]++
			v.SLABreaches[lt.pinned][tg]++
		}
	}
	if !lt.open {
		return
	}
	p := lt.priority
	v.Open[p][lt.state]++
	for tg, deadline := range lt.breaching {
		if !deadline.IsZero() && now.After(deadline) {
			v.Breaching[p][tg]++
		}
	}
	if lt.unanswered && (v.OldestUnanswered[p].IsZero() || lt.created.Before(v.OldestUnanswered[p])) {
		v.OldestUnanswered[p] = lt.created.UTC()
	}
	if lt.escalated {
		v.EscalationsOpen[p]++
	}
}

// addOpenIncident counts an unresolved incident under its current impact
// and keeps, per impact, the earliest latest update: the longest silence of
// any open incident, which an update on another incident cannot hide.
func addOpenIncident(v *VendorSnapshot, oi openIncident) {
	v.IncidentsOpen[oi.impact]++
	if oldest := &v.IncidentOldestLastUpdate[oi.impact]; oldest.IsZero() || oi.lastUpdate.Before(*oldest) {
		*oldest = oi.lastUpdate.UTC()
	}
}

// componentList merges the sources' components, sorted by name. A name
// listed twice (two status pages of a vendor, or one page's groups) would
// make duplicate series: the first, in source order, is kept.
func (a *Aggregator) componentList() []ComponentStatus {
	sources := make([]string, 0, len(a.components))
	for s := range a.components {
		sources = append(sources, s)
	}
	slices.Sort(sources)
	var list []ComponentStatus
	seen := map[string]bool{}
	for _, s := range sources {
		for _, c := range a.components[s] {
			if !seen[c.Name] {
				seen[c.Name] = true
				list = append(list, ComponentStatus{Component: c.Name, Status: c.Status})
			}
		}
	}
	slices.SortFunc(list, func(x, y ComponentStatus) int { return cmp.Compare(x.Component, y.Component) })
	return list
}
