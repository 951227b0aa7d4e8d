package report

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/replay"
)

// maxEscalations bounds the open escalations listed, oldest first; the
// indicator escalations_open counts them all.
const maxEscalations = 100

// collector sees every stored item once, while the replay indexes them,
// and keeps only what the report lists: the worst tickets of each SLA row
// (a top-N), the open escalations (the oldest), the incidents and
// maintenances of the period, the documentation pages.
type collector struct {
	ctx      context.Context
	seen     int // items seen, to check ctx now and then
	o        *Options
	vc       *config.Vendor
	rules    *quality.Rules
	from, to time.Time
	synced   map[string]time.Time
	kinds    map[string]*config.Source // source name -> its configuration
	rv       *replay.Vendor

	worst        [quality.NumPriorities][quality.NumTargets][]rankedRef
	ended        [quality.NumPriorities][quality.NumTargets]uint64 // every candidate of worst, for tests
	escalations  []TicketRef
	incidents    []incidentSeen
	maintenances []Maintenance
	pageLists    map[string][]item.Page
	laterDated   map[string]uint64 // pages dated after the period's end, by source
}

type incidentSeen struct {
	source string
	inc    Incident
}

func newCollector(ctx context.Context, o *Options, vc *config.Vendor, from, to time.Time) *collector {
	rules, _ := quality.NewRules(vc, o.Config.Global) // replay.NewVendor reports the error
	c := &collector{ctx: ctx, o: o, vc: vc, rules: rules, from: from, to: to,
		synced: map[string]time.Time{}, kinds: map[string]*config.Source{}, pageLists: map[string][]item.Page{}}
	for _, list := range [][]*config.Source{vc.Tickets, vc.StatusPages, vc.Docs} {
		for _, s := range list {
			c.kinds[s.Name] = s
		}
	}
	return c
}

// setSynced notes a source's last complete sync start as the replay read
// it (replay.Options.Synced), before the source's items: the lists are
// judged as of the instant the counters are, even when a sync completes
// while the report reads the store.
func (c *collector) setSynced(source string, at time.Time) { c.synced[source] = at }

// sources are the vendor's sources the replay read, by name, with the
// start of their last complete sync.
func (c *collector) sources() []SourceSync {
	out := make([]SourceSync, 0, len(c.synced))
	for name, at := range c.synced {
		ss := SourceSync{Name: name, SyncedAt: at.UTC()}
		if at.IsZero() {
			ss.SyncedAt = time.Time{}
		}
		if k := c.kinds[name]; k != nil {
			ss.Kind = k.Kind
		}
		out = append(out, ss)
	}
	slices.SortFunc(out, func(a, b SourceSync) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// asOf is the instant a source is judged as of at at (replay.Vendor.AsOf).
func (c *collector) asOf(source string, at time.Time) time.Time {
	if s := c.synced[source]; s.Before(at) {
		return s
	}
	return at
}

// versionIndex is the index of the last change at or before at; -1: the
// item is not in the aggregates yet. The replay holds the item's version
// at that change (the stored item at the last one).
func versionIndex(changes []time.Time, at time.Time) int {
	i, found := slices.BinarySearchFunc(changes, at, func(a, b time.Time) int { return a.Compare(b) })
	if found {
		return i
	}
	return i - 1
}

func (c *collector) ticket(source string, t *item.Ticket, changes []time.Time) error {
	if c.seen++; c.seen%4096 == 0 {
		if err := c.ctx.Err(); err != nil {
			return err
		}
	}
	if c.rules == nil || len(changes) == 0 {
		return nil
	}
	k := versionIndex(changes, c.to)
	if k < 0 {
		return nil
	}
	if settled(t) && !changes[len(changes)-1].After(c.from) {
		// The same version at both ends, every clock stopped and not
		// open: nothing of it moves in the period.
		return nil
	}
	atTo := t
	if k < len(changes)-1 {
		v := c.rules.TicketAt(t, changes[k])
		atTo = &v
	}
	end := c.rules.TicketView(atTo, c.asOf(source, c.to))
	if !end.Counted {
		return nil
	}
	var start quality.TicketView
	if j := versionIndex(changes, c.from); j >= 0 {
		atFrom := t
		if j < len(changes)-1 {
			v := c.rules.TicketAt(t, changes[j])
			atFrom = &v
		}
		start = c.rules.TicketView(atFrom, c.asOf(source, c.from))
	}
	for tg := range quality.NumTargets {
		ck := end.Clocks[tg]
		if !ck.Checked || start.Counted && start.Clocks[tg].Checked {
			continue
		}
		ref := TicketRef{Source: source, ID: t.ID, URL: c.ticketURL(source, t.ID), Created: end.Created.UTC(),
			Seconds: ck.Seconds, Breached: ck.Breached, Priority: end.Priority.String()}
		rank := ck.Seconds - c.rules.SLATarget(end.Created, end.Priority, tg).Seconds()
		if ck.Vendor {
			ref.Clock, rank = "vendor", 0
			if ck.OverKnown {
				ref.OverSeconds, rank = fptr(ck.Over), ck.Over
			}
		}
		c.worst[end.Priority][tg] = pushWorst(c.worst[end.Priority][tg], rankedRef{ref, rank})
		c.ended[end.Priority][tg]++
	}
	if end.Open && end.Escalated {
		c.escalations = append(c.escalations, TicketRef{Source: source, ID: t.ID, URL: c.ticketURL(source, t.ID),
			Created: end.Created.UTC(), Seconds: max(c.to.Sub(end.Created), 0).Seconds(), Priority: end.Current.String()})
		if len(c.escalations) >= 2*maxEscalations {
			c.escalations = oldestEscalations(c.escalations)
		}
	}
	return nil
}

// settled: solved or closed, so that both SLA clocks stopped (the first
// solve stops them both) and no gauge counts it.
func settled(t *item.Ticket) bool {
	return t.Status == item.StatusSolved || t.Status == item.StatusClosed
}

// worse orders SLA tickets: breaches first, then the furthest past (or
// the least short of) the deadline on the clock that judged, then by
// source and id so that the order is stable.
func worse(a, b rankedRef) int {
	if a.Breached != b.Breached {
		if a.Breached {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(b.rank, a.rank); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
}

// rankedRef is a worst-ticket candidate and its rank: past its deadline
// by this many seconds on the clock that judged it (Seconds - the target
// on ours; OverSeconds on the vendor's, 0 when it gives no deadline).
type rankedRef struct {
	TicketRef
	rank float64
}

// worstRefs are the tickets of a worst list.
func worstRefs(list []rankedRef) []TicketRef {
	out := make([]TicketRef, 0, len(list))
	for _, r := range list {
		out = append(out, r.TicketRef)
	}
	return out
}

// pushWorst keeps the WorstTickets worst of list and ref.
func pushWorst(list []rankedRef, ref rankedRef) []rankedRef {
	if len(list) == WorstTickets && worse(ref, list[len(list)-1]) >= 0 {
		return list
	}
	i, _ := slices.BinarySearchFunc(list, ref, worse)
	list = slices.Insert(list, i, ref)
	if len(list) > WorstTickets {
		list = list[:WorstTickets]
	}
	return list
}

func oldestEscalations(list []TicketRef) []TicketRef {
	slices.SortFunc(list, func(a, b TicketRef) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	if len(list) > maxEscalations {
		list = list[:maxEscalations]
	}
	return list
}

func (c *collector) escalationList() []TicketRef {
	return append([]TicketRef{}, oldestEscalations(c.escalations)...)
}

func (c *collector) incident(source string, i *item.Incident, changes []time.Time) error {
	k := versionIndex(changes, c.to)
	if k < 0 {
		return nil
	}
	inc := i
	if k < len(changes)-1 {
		v := quality.IncidentAt(i, changes[k])
		inc = &v
	}
	// The times the status metrics observe (pinned at resolution), not
	// the vendor's latest edit: the list shows what the counters counted.
	times := quality.IncidentTimesOf(inc)
	// A first post pinned unknown that a later version gives: listed as
	// before, by the version's.
	announced := cmp.Or(times.FirstPost, inc.CreatedAt)
	// The period's events are those of (from, to], as increase() at to.
	if announced.IsZero() || announced.After(c.to) {
		return nil
	}
	resolved := times.Resolved
	if !resolved.IsZero() && resolved.After(c.to) {
		resolved = time.Time{}
	}
	if !resolved.IsZero() && !resolved.After(c.from) {
		return nil
	}
	if inc.ResolutionUnknown && !announced.After(c.from) {
		// A format that never says when an incident ended (a feed): one
		// announced before the period may or may not have been open in it.
		return nil
	}
	if hs := c.o.Config.Global.HistoryStart.Time; !hs.IsZero() && announced.Before(hs) {
		return nil
	}
	started := times.Started
	if started.IsZero() || started.After(announced) {
		started = announced
	}
	out := Incident{
		Source: source, ID: i.ID, Title: i.Title, URL: c.incidentURL(source, i.ID), Impact: string(inc.Impact),
		Started: started.UTC(), Announced: announced.UTC(), Components: inc.Components,
		NoticeDelaySeconds: announced.Sub(started).Seconds(),
	}
	if !resolved.IsZero() {
		r := resolved.UTC()
		out.Resolved = &r
	}
	if gaps := times.UpdateGaps(); !resolved.IsZero() && gaps != nil {
		// Resolved in the period: the gaps the metric observed.
		out.Updates = len(gaps)
		for _, g := range gaps {
			out.LongestGapSeconds = max(out.LongestGapSeconds, g.Seconds())
		}
		c.incidents = append(c.incidents, incidentSeen{source: source, inc: c.withPostmortem(out, inc)})
		return nil
	}
	// Open at the period's end (or of a format that never says it ended):
	// public updates to the period's end, the first post included, and the
	// longest silence between two of them and, while open, since the last.
	posts := []time.Time{announced}
	for _, u := range times.Updates {
		if u.After(announced) && !u.After(c.to) && (resolved.IsZero() || !u.After(resolved)) {
			posts = append(posts, u)
		}
	}
	slices.SortFunc(posts, func(a, b time.Time) int { return a.Compare(b) })
	out.Updates = len(posts) - 1
	switch {
	case !resolved.IsZero():
		posts = append(posts, resolved)
	case !inc.ResolutionUnknown: // open: silent since its last post, as far as the source was read
		posts = append(posts, latest(c.asOf(source, c.to), posts[len(posts)-1]))
	}
	for j := 1; j < len(posts); j++ {
		out.LongestGapSeconds = max(out.LongestGapSeconds, posts[j].Sub(posts[j-1]).Seconds())
	}
	c.incidents = append(c.incidents, incidentSeen{source: source, inc: c.withPostmortem(out, inc)})
	return nil
}

// withPostmortem is out with inc's postmortem, when published by the
// period's end.
func (c *collector) withPostmortem(out Incident, inc *item.Incident) Incident {
	if pm := inc.PostmortemPublishedAt; !pm.IsZero() && !pm.After(c.to) {
		t := pm.UTC()
		out.Postmortem = &t
	}
	return out
}

// incidentList is the period's incidents by start, each with who noticed
// it first as the aggregates decided (after the replay).
func (c *collector) incidentList() []Incident {
	out := make([]Incident, 0, len(c.incidents))
	for _, s := range c.incidents {
		if first, ok := c.rv.Agg.Detected(s.source, s.inc.ID); ok {
			cf := first == quality.CustomerFirst
			s.inc.CustomerFirst = &cf
		}
		out = append(out, s.inc)
	}
	slices.SortFunc(out, func(a, b Incident) int {
		return cmp.Or(a.Started.Compare(b.Started), cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	return out
}

func (c *collector) maintenance(source string, m *item.Maintenance, changes []time.Time) error {
	k := versionIndex(changes, c.to)
	if k < 0 || c.rules == nil {
		return nil
	}
	mt := m
	if k < len(changes)-1 {
		v := quality.MaintenanceAt(m, changes[k])
		mt = &v
	}
	// The notices maintenance_notice_compliance observes in the period:
	// the start the exporter recorded (pinned when it saw it pass) within
	// (from, to] as the source is judged at each end.
	mv := c.rules.MaintenanceView(mt)
	if !mv.Counted || mv.Start.IsZero() || !mv.Start.After(c.asOf(source, c.from)) || mv.Start.After(c.asOf(source, c.to)) {
		return nil
	}
	out := Maintenance{Source: source, ID: m.ID, Title: m.Title, URL: c.incidentURL(source, m.ID), Scheduled: mv.Start.UTC()}
	if !mv.Announced.IsZero() {
		a := mv.Announced.UTC()
		out.Announced = &a
	}
	if mv.Known {
		out.NoticeSeconds, out.ShortNotice = fptr(mv.Notice.Seconds()), mv.Short
	}
	c.maintenances = append(c.maintenances, out)
	return nil
}

func (c *collector) maintenanceList() []Maintenance {
	slices.SortFunc(c.maintenances, func(a, b Maintenance) int {
		return cmp.Or(a.Scheduled.Compare(b.Scheduled), cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	return append([]Maintenance{}, c.maintenances...)
}

func (c *collector) pages(source string, pages []item.Page) error {
	c.pageLists[source] = pages
	return nil
}

// setPages gives the aggregates the stored page lists before the
// snapshots (the replay does not): only the pages dated at or before the
// period's end and the undated ones, as the store keeps no earlier list
// (DocsSite.LaterDated counts the others).
func (c *collector) setPages() {
	c.laterDated = map[string]uint64{}
	for source, pages := range c.pageLists {
		kept := make([]item.Page, 0, len(pages))
		for _, p := range pages {
			if p.Updated.After(c.to) {
				c.laterDated[source]++
				continue
			}
			kept = append(kept, p)
		}
		c.pageLists[source] = kept
		c.rv.Agg.SetPages(source, kept)
	}
}

// docs are the documentation sites as judged at the period's end, with
// the pages updated in the period.
func (c *collector) docs(sn *quality.VendorSnapshot) []DocsSite {
	out := []DocsSite{}
	for _, s := range sn.Docs {
		d := DocsSite{Source: s.Source, Pages: s.Pages, Stale: s.Stale, Undated: s.Undated,
			OutdatedTranslations: s.OutdatedTranslations, LastmodSuspect: s.LastmodSuspect, LaterDated: c.laterDated[s.Source]}
		if read, ok := c.synced[s.Source]; ok && !read.IsZero() {
			r := read.UTC()
			d.ListRead = &r
		}
		if !s.LastUpdate.IsZero() {
			t := s.LastUpdate.UTC()
			d.LastUpdate = &t
		}
		if !s.LastmodSuspect {
			for _, p := range c.pageLists[s.Source] {
				if p.Updated.After(c.from) && !p.Updated.After(c.to) { // (from, to]
					d.UpdatedInPeriod++
				}
			}
		}
		out = append(out, d)
	}
	return out
}

// drills are the vendor's drills that ran in the period (the ticket's
// creation at the vendor, or when none was filed, when the drill ended).
func (c *collector) drills() ([]Drill, error) {
	out := []Drill{}
	if c.vc.Drill == nil {
		return out, nil
	}
	records, err := c.o.Store.Drills(c.vc.Name)
	if err != nil {
		return nil, err
	}
	for _, d := range records {
		ran := d.FiledAt
		if ran.IsZero() {
			ran = d.EndedAt
		}
		if ran.IsZero() || !ran.After(c.from) || ran.After(c.to) { // (from, to]
			continue
		}
		dr := Drill{ID: d.ID, Ran: ran.UTC(), Result: d.State, Hours: d.Hours}
		if d.TicketID != "" {
			dr.Ticket = &TicketRef{Source: d.Source, ID: d.TicketID, URL: c.ticketURL(d.Source, d.TicketID), Created: d.FiledAt.UTC()}
		}
		if d.State == quality.DrillResponded.String() && !d.RepliedAt.IsZero() {
			s := d.RepliedAt.Sub(d.FiledAt).Seconds()
			dr.FirstResponseSeconds = &s
			if dr.Ticket != nil {
				dr.Ticket.Seconds = s
			}
		}
		out = append(out, dr)
	}
	return out, nil
}

// ticketURL is the ticket at the vendor where the source's kind has links.
func (c *collector) ticketURL(source, id string) string {
	return c.link(source, id, func(k *config.Kind) func(string, string) string { return k.TicketURL })
}

// incidentURL is a status-page incident or maintenance at the vendor.
func (c *collector) incidentURL(source, id string) string {
	return c.link(source, id, func(k *config.Kind) func(string, string) string { return k.IncidentURL })
}

func (c *collector) link(source, id string, of func(*config.Kind) func(string, string) string) string {
	s := c.kinds[source]
	if s == nil || id == "" || c.o.Kinds == nil {
		return ""
	}
	k, ok := c.o.Kinds.Lookup(s.Kind)
	if !ok {
		return ""
	}
	if f := of(k); f != nil {
		url := s.URL
		if url == "" {
			url = k.DefaultURL
		}
		return f(url, id)
	}
	return ""
}

// latest is the later of a and b.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
