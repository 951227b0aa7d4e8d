package quality

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
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
	incidents    map[itemKey]openIncident    // unresolved incidents
	maintenances map[itemKey]liveMaintenance // not completed, their start ahead as of judged
	components   map[string][]item.Component
	items        map[string]uint64 // stored items per source

	// judged is, per source, the latest instant a snapshot judged the
	// source's items as of, and judgedSignals the latest instant up to
	// which every signal source was complete at a snapshot. What becomes
	// final as they pass (a one-touch resolution settling, a maintenance
	// starting) is folded into the totals then, and every contribution is
	// derived as of them, so that Replace takes back exactly what was added.
	judged        map[string]time.Time
	judgedSignals time.Time

	// Who noticed first (detection.go). A counted incident is undecided,
	// with its notice window as last stored, until every signal source is
	// complete past its first post; its verdict is then kept, so that it
	// never flips in memory (see doc.go for restarts).
	signals       signals
	signalSources []string // the ticket sources, and AlertSource
	undecided     map[itemKey]noticeWindow
	decided       map[itemKey]verdict

	// pages are the documentation sources' page lists (docs.go).
	pages     map[string][]item.Page
	outages   map[itemKey]outage // agreements: incidents' outage spans (contract.go)
	responses responseTallies    // response agreements' checks per period (contract_response.go)
}

// itemKey identifies an item of a vendor.
type itemKey struct{ source, id string }

// NewAggregator returns an empty aggregator for a vendor's rules and its
// sources (source name -> kind, for support_store_items): every source whose
// items it is given, and whose asOf its snapshots read. ticketSources are
// those of them that feed tickets, the vendor's `tickets` list
// (VendorSources): their tickets are the customer signals, so each must be
// complete past an incident's first post before who noticed it first is
// decided (docs/metrics.md, support_incidents_detected_total). Which kinds
// feed tickets is the config's to say, not quality's.
func NewAggregator(r *Rules, sources map[string]string, ticketSources []string) *Aggregator {
	signalSources := append([]string{AlertSource}, ticketSources...)
	return &Aggregator{
		rules:         r,
		kinds:         sources,
		totals:        newTally(r),
		tickets:       map[itemKey]liveTicket{},
		incidents:     map[itemKey]openIncident{},
		maintenances:  map[itemKey]liveMaintenance{},
		components:    map[string][]item.Component{},
		pages:         map[string][]item.Page{},
		items:         map[string]uint64{},
		judged:        map[string]time.Time{},
		signals:       signals{timely: signalSet{}},
		signalSources: signalSources,
		undecided:     map[itemKey]noticeWindow{},
		decided:       map[itemKey]verdict{},
	}
}

// VendorSources returns a vendor's sources as NewAggregator takes them:
// every source's kind by name, and the names of the sources that feed
// tickets, those of its `tickets` list (docs/configuration.md).
func VendorSources(v *config.Vendor) (kinds map[string]string, ticketSources []string) {
	kinds = make(map[string]string, len(v.Tickets)+len(v.StatusPages))
	for _, s := range v.Tickets {
		kinds[s.Name] = s.Kind
		ticketSources = append(ticketSources, s.Name)
	}
	for _, s := range slices.Concat(v.StatusPages, v.Docs) {
		kinds[s.Name] = s.Kind
	}
	return kinds, ticketSources
}

// Rules returns the rules the aggregator derives with; items are merged
// with them too (Rules.MergeTicket).
func (a *Aggregator) Rules() *Rules { return a.rules }

// Judged returns the instants to merge an item of source with: as of which
// snapshots taken with asOf (the function given to Snapshot) judge it, and
// no earlier than this aggregator has judged already. Call it before
// reading the stored versions of a batch; a snapshot taken between the
// call and the batch's Replace calls must not judge later than asOf does
// (the exporter's asOf moves a source only when that source's sync ends).
func (a *Aggregator) Judged(source string, asOf func(string) time.Time) Judged {
	a.mu.Lock()
	defer a.mu.Unlock()
	return Judged{
		Source:  latest(asOf(source), a.judged[source]),
		Signals: latest(a.signalsComplete(asOf), a.judgedSignals),
	}
}

// ReplaceTicket moves a ticket's contribution: old is the previously stored
// version (nil when new), new the stored result of MergeTicket (nil removes
// the ticket). Call it once the store commit succeeded, and at start-up with
// old == nil for every stored ticket.
//
// A ticket matching the vendor's signals is a customer signal for who
// noticed an incident first. A ticket deleted at the vendor stays stored,
// and so stays a signal; only a removal from the store (new == nil) takes
// it out.
func (a *Aggregator) ReplaceTicket(source string, old, new *item.Ticket) {
	a.mu.Lock()
	defer a.mu.Unlock()
	judged := a.judged[source]
	var oc, nc ticketContrib
	if old != nil {
		oc = a.rules.ticketContribution(old, judged)
		delete(a.tickets, itemKey{source, old.ID})
		if oc.counted {
			a.totals.addTicket(&oc.static, minus)
			a.addResponses(&oc.static, minus)
		}
	}
	if new != nil {
		nc = a.rules.ticketContribution(new, judged)
		if nc.counted {
			a.totals.addTicket(&nc.static, plus)
			a.addResponses(&nc.static, plus)
			if nc.hasLive {
				a.tickets[itemKey{source, new.ID}] = nc.live
			}
		}
	}
	if oc.isSignal != nc.isSignal || !oc.signal.equal(nc.signal) {
		if oc.isSignal {
			a.signals.remove(oc.signal)
		}
		if nc.isSignal {
			a.signals.add(nc.signal)
		}
	}
	a.countItem(source, old != nil, new != nil)
}

// AddAlertSignal adds a customer alert that started firing at startsAt, a
// customer signal. Call it once the store commit of a new alert succeeded,
// and at start-up for every stored one. Alerts that started before the
// history start are no signal.
func (a *Aggregator) AddAlertSignal(startsAt time.Time) {
	if !a.rules.counted(startsAt) {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.signals.add(signal{at: startsAt, known: startsAt})
}

// ReplaceIncident is ReplaceTicket for incidents (MergeIncident).
func (a *Aggregator) ReplaceIncident(source string, old, new *item.Incident) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.trackDetection(source, old, new)
	a.trackOutage(source, old, new)
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
// it first is decided. A decided verdict stays whatever new version comes,
// and is taken back only when the incident leaves the store (as its other
// counters are).
func (a *Aggregator) trackDetection(source string, old, new *item.Incident) {
	k := itemKey{source: source}
	if new != nil {
		k.id = new.ID
	} else if old != nil {
		k.id = old.ID
	}
	if new != nil {
		h := incidentHistory(new)
		if w, ok := a.rules.noticeWindowOf(new, &h); ok && a.rules.counted(h.Created) {
			if _, pinned := a.decided[k]; !pinned {
				a.undecided[k] = w
			}
			return
		}
	}
	delete(a.undecided, k)
	if vd, pinned := a.decided[k]; pinned {
		a.totals.addVerdict(vd, minus)
		delete(a.decided, k)
	}
}

// ReplaceMaintenance is ReplaceTicket for maintenances (MergeMaintenance).
func (a *Aggregator) ReplaceMaintenance(source string, old, new *item.Maintenance) {
	a.mu.Lock()
	defer a.mu.Unlock()
	judged := a.judged[source]
	if old != nil {
		delete(a.maintenances, itemKey{source, old.ID})
		if st, _, counted, _ := a.rules.maintenanceContribution(old, judged); counted {
			a.totals.addMaintenance(&st, minus)
		}
	}
	if new != nil {
		if st, lv, counted, pending := a.rules.maintenanceContribution(new, judged); counted {
			a.totals.addMaintenance(&st, plus)
			if pending {
				a.maintenances[itemKey{source, new.ID}] = lv
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
func (a *Aggregator) SetComponents(source string, c []item.Component) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.components[source] = slices.Clone(c)
}

// Snapshot returns a fresh, immutable copy of the aggregates. Time-driven
// values (SLA clocks still running, one-touch resolutions settling, the
// next maintenance and maintenance notices, who noticed an incident first)
// of each source's items are judged as of asOf(source): the instant up to
// which that source's data is complete. It costs the totals plus the
// unsettled items (for an undecided incident, the hours its notice window
// spans), whatever the history size.
//
// What became final is folded into the totals and decided incidents stay
// decided: a source judged earlier than before is judged as of the later
// instant.
func (a *Aggregator) Snapshot(asOf func(source string) time.Time) *VendorSnapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.judge(asOf)
	a.fold()
	a.decideIncidents()
	v := &VendorSnapshot{Vendor: a.rules.vendor, Tickets: a.rules.hasTickets, Status: a.rules.hasStatus, Replies: a.rules.hasReplies}
	a.totals.export(v)
	for k, lt := range a.tickets {
		addLiveTicket(v, &lt, a.judged[k.source])
	}
	for _, oi := range a.incidents {
		addOpenIncident(v, oi)
	}
	for _, lm := range a.maintenances {
		if v.NextMaintenance.IsZero() || lm.start.Before(v.NextMaintenance) {
			v.NextMaintenance = lm.start.UTC()
		}
	}
	v.Components = a.componentList()
	v.Docs = a.docsSites()
	v.Contracts = a.contractStatuses()
	v.StoreItems = make(map[string]uint64, len(a.kinds))
	for source, kind := range a.kinds {
		v.StoreItems[kind] += a.items[source]
	}
	return v
}

// judge moves the judged instants forward to asOf.
func (a *Aggregator) judge(asOf func(string) time.Time) {
	for source := range a.kinds {
		a.judged[source] = latest(a.judged[source], asOf(source))
	}
	a.judgedSignals = latest(a.judgedSignals, a.signalsComplete(asOf))
}

// signalsComplete is the instant up to which every signal source (the
// ticket sources and AlertSource) is complete.
func (a *Aggregator) signalsComplete(asOf func(string) time.Time) time.Time {
	var complete time.Time
	for i, s := range a.signalSources {
		if t := asOf(s); i == 0 || t.Before(complete) {
			complete = t
		}
	}
	return complete
}

// fold moves into the totals what became final as of the judged instants:
// one-touch resolutions that settled, and the notice of maintenances that
// started; the items are forgotten once nothing of them depends on the time
// any more. This is what contributions derived as of the judged instants
// hold (ticketContribution, maintenanceContribution).
func (a *Aggregator) fold() {
	for k, lt := range a.tickets {
		if lt.settle.IsZero() || a.judged[k.source].Before(lt.settle) {
			continue
		}
		a.totals.firstContact[lt.pinned]++
		lt.settle = time.Time{}
		if lt.open || lt.running != [NumTargets]time.Time{} {
			a.tickets[k] = lt
		} else {
			delete(a.tickets, k)
		}
	}
	for k, lm := range a.maintenances {
		if lm.start.After(a.judged[k.source]) {
			continue
		}
		if lm.notice != nil {
			a.totals.addNotice(lm.notice, plus)
		}
		delete(a.maintenances, k)
	}
}

// decideIncidents decides who noticed first every undecided incident whose
// notice window the customer signals are complete for: every ticket source
// has synced past the incident's first post, and the customer alerts are
// complete past it (AlertSource), so no signal of the window can still
// arrive and flip the verdict.
func (a *Aggregator) decideIncidents() {
	for k, w := range a.undecided {
		if !w.settledBy(a.judgedSignals) {
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
	if lt.featureOpen && !now.IsZero() { // no age before a first complete sync (as the breaches)
		addOpenFeature(v, lt.created, now)
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
