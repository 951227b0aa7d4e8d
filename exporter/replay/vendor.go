// Package replay replays one vendor's stored history into its aggregates
// (quality.Replay) and takes the snapshots a live exporter would have
// served at past instants. The backfill writes them as samples; the
// service review (exporter/report) takes the differences between them, so
// both give the same numbers.
package replay

import (
	"fmt"
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// Vendor replays one vendor's stored history.
type Vendor struct {
	Name  string
	store *store.Store
	Agg   *quality.Aggregator
	rep   *quality.Replay
	grace time.Duration // global.alert_grace
	// Synced is, per source, the start of its last complete sync.
	Synced map[string]time.Time
	// LastSync is the latest of Synced: from then on the store holds all
	// it will, and the last sample is the live exporter's values.
	LastSync time.Time
	pending  []entry // items the replay has not reached yet, by first change
	opts     Options
}

// Options narrow a replay to the instants it will be asked for, and let
// the caller see every stored item once as it is indexed.
type Options struct {
	// Start, when set, is the first instant Advance will be called with:
	// an item whose every change is at or before it is added to the
	// aggregates as stored, at once, with no version stepping (the
	// replay's last version of an item is the stored item).
	Start time.Time
	// End, when set, is the last instant Advance will be called with: an
	// item whose first change is after it is never read again, and Finish
	// must not be called.
	End time.Time
	// Coalesce moves each item straight to its version at each instant
	// Advance is called with (quality.Replay.AdvanceCoalesced), for a
	// caller that snapshots only there.
	Coalesce bool
	// Ticket, Incident and Maintenance, when set, see each stored item of
	// a source once, during NewVendor, with the item's change instants.
	Ticket      func(source string, t *item.Ticket, changes []time.Time) error
	Incident    func(source string, i *item.Incident, changes []time.Time) error
	Maintenance func(source string, m *item.Maintenance, changes []time.Time) error
	// Pages, when set, sees each source's stored documentation pages.
	Pages func(source string, pages []item.Page) error
	// Synced, when set, sees each source's last complete sync start as
	// the replay read it (Vendor.Synced), before the source's items: a
	// caller judging the items itself judges them as of the same instant
	// even when a sync completes during NewVendor.
	Synced func(source string, at time.Time)
}

// entry is an item waiting for the replay to reach its first change. Only
// its key is held; the item is read from the store when the replay adds
// it, and dropped after its last change, so that memory follows the items
// in flight rather than the history.
type entry struct {
	first  time.Time
	source string
	kind   itemKind
	id     string
}

type itemKind uint8

const (
	ticketItem itemKind = iota
	incidentItem
	maintenanceItem
	alertItem // a customer alert: first is its start, no id
)

// NewVendor indexes a vendor's stored items for a replay.
func NewVendor(st *store.Store, v *config.Vendor, g *config.Global, o Options) (*Vendor, error) {
	rules, err := quality.NewRules(v, *g)
	if err != nil {
		return nil, fmt.Errorf("vendor %s: %w", v.Name, err)
	}
	sources, ticketSources := quality.VendorSources(v)
	agg := quality.NewAggregator(rules, sources, ticketSources)
	vd := &Vendor{
		Name:   v.Name,
		store:  st,
		Agg:    agg,
		rep:    quality.NewReplay(agg),
		grace:  time.Duration(g.AlertGrace),
		Synced: map[string]time.Time{},
		opts:   o,
	}
	names := make([]string, 0, len(sources))
	for name := range sources {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := vd.index(name); err != nil {
			return nil, err
		}
	}
	err = st.LoadAlertSignals(v.Name, func(startsAt time.Time) error {
		if !o.Start.IsZero() && !startsAt.After(o.Start) {
			agg.AddAlertSignal(startsAt)
			return nil
		}
		if o.End.IsZero() || !startsAt.After(o.End) {
			vd.pending = append(vd.pending, entry{first: startsAt, kind: alertItem})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(vd.pending, func(a, b entry) int { return a.first.Compare(b.first) })
	return vd, nil
}

// index notes a source's sync time and the key and first change of each
// of its items; an item done by Options.Start is added at once.
func (v *Vendor) index(source string) error {
	k := store.SourceKey{Vendor: v.Name, Source: source}
	at, err := v.store.SyncedAt(k)
	if err != nil {
		return err
	}
	v.Synced[source] = at
	v.LastSync = latest(v.LastSync, at)
	o := &v.opts
	if o.Synced != nil {
		o.Synced(source, at)
	}
	// note returns whether the item is added as stored, now.
	note := func(changes []time.Time, kind itemKind, id string) bool {
		if len(changes) == 0 {
			return false
		}
		if !o.Start.IsZero() && !changes[len(changes)-1].After(o.Start) {
			return true
		}
		if o.End.IsZero() || !changes[0].After(o.End) {
			v.pending = append(v.pending, entry{first: changes[0], source: source, kind: kind, id: id})
		}
		return false
	}
	return v.store.Load(k, store.Handlers{
		Ticket: func(t *item.Ticket) error {
			changes := v.Agg.Rules().TicketChanges(t)
			if note(changes, ticketItem, t.ID) {
				v.Agg.ReplaceTicket(source, nil, t)
			}
			if o.Ticket != nil {
				return o.Ticket(source, t, changes)
			}
			return nil
		},
		Incident: func(i *item.Incident) error {
			changes := quality.IncidentChanges(i)
			if note(changes, incidentItem, i.ID) {
				v.Agg.ReplaceIncident(source, nil, i)
			}
			if o.Incident != nil {
				return o.Incident(source, i, changes)
			}
			return nil
		},
		Maintenance: func(m *item.Maintenance) error {
			changes := quality.MaintenanceChanges(m)
			if note(changes, maintenanceItem, m.ID) {
				v.Agg.ReplaceMaintenance(source, nil, m)
			}
			if o.Maintenance != nil {
				return o.Maintenance(source, m, changes)
			}
			return nil
		},
		Pages: func(pages []item.Page) error {
			if o.Pages != nil {
				return o.Pages(source, pages)
			}
			return nil
		},
	})
}

// Advance brings the replay to at: the items whose first change has come
// are read and added, then every change up to at is applied.
func (v *Vendor) Advance(at time.Time) error {
	n := 0
	for n < len(v.pending) && !v.pending[n].first.After(at) {
		if err := v.add(v.pending[n]); err != nil {
			return err
		}
		n++
	}
	v.pending = v.pending[n:]
	if v.opts.Coalesce {
		v.rep.AdvanceCoalesced(at)
	} else {
		v.rep.Advance(at)
	}
	return nil
}

// Finish applies every change left, whatever its time: the aggregates are
// then those a start-up load of the store gives, what the live exporter
// serves.
func (v *Vendor) Finish() error {
	for _, e := range v.pending {
		if err := v.add(e); err != nil {
			return err
		}
	}
	v.pending = nil
	v.rep.Finish()
	return nil
}

func (v *Vendor) add(e entry) error {
	k := store.SourceKey{Vendor: v.Name, Source: e.source}
	gone := func(err error) error {
		if err != nil {
			return err
		}
		return fmt.Errorf("store: %s %q of vendor %q source %q vanished during the replay", []string{"ticket", "incident", "maintenance"}[e.kind], e.id, v.Name, e.source)
	}
	switch e.kind {
	case ticketItem:
		t, err := v.store.Ticket(k, e.id)
		if t == nil {
			return gone(err)
		}
		v.rep.AddTicket(e.source, t)
	case incidentItem:
		i, err := v.store.Incident(k, e.id)
		if i == nil {
			return gone(err)
		}
		v.rep.AddIncident(e.source, i)
	case maintenanceItem:
		m, err := v.store.Maintenance(k, e.id)
		if m == nil {
			return gone(err)
		}
		v.rep.AddMaintenance(e.source, m)
	case alertItem:
		v.rep.AddAlertSignal(e.first)
	}
	return nil
}

// AsOf is the instant a source is judged as of in a snapshot at at: at,
// but never past the start of the source's last complete sync (as the
// exporter judges), and customer alerts as of alert_grace before.
func (v *Vendor) AsOf(source string, at time.Time) time.Time {
	if source == quality.AlertSource {
		return at.Add(-v.grace)
	}
	if s := v.Synced[source]; s.Before(at) {
		return s
	}
	return at
}

// Snapshot is what a live exporter would have served at at (AsOf).
func (v *Vendor) Snapshot(at time.Time) *quality.VendorSnapshot {
	return v.Agg.Snapshot(func(source string) time.Time { return v.AsOf(source, at) })
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
