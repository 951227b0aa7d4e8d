package backfill

import (
	"fmt"
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// vendor replays one vendor's stored history.
type vendor struct {
	name   string
	store  *store.Store
	agg    *quality.Aggregator
	replay *quality.Replay
	grace  time.Duration        // global.alert_grace
	synced map[string]time.Time // per source: the start of its last complete sync
	// lastSync is the latest of synced: from then on the store holds all it
	// will, and the last sample is the live exporter's values.
	lastSync time.Time
	pending  []entry // items the replay has not reached yet, by first change
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

func newVendor(st *store.Store, v *config.Vendor, g *config.Global) (*vendor, error) {
	rules, err := quality.NewRules(v, *g)
	if err != nil {
		return nil, fmt.Errorf("vendor %s: %w", v.Name, err)
	}
	sources, ticketSources := quality.VendorSources(v)
	agg := quality.NewAggregator(rules, sources, ticketSources)
	vd := &vendor{
		name:   v.Name,
		store:  st,
		agg:    agg,
		replay: quality.NewReplay(agg),
		grace:  time.Duration(g.AlertGrace),
		synced: map[string]time.Time{},
	}
	for name := range sources {
		if err := vd.index(name); err != nil {
			return nil, err
		}
	}
	err = st.LoadAlertSignals(v.Name, func(startsAt time.Time) error {
		vd.pending = append(vd.pending, entry{first: startsAt, kind: alertItem})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(vd.pending, func(a, b entry) int { return a.first.Compare(b.first) })
	return vd, nil
}

// index notes a source's sync time and the key and first change of each
// of its items.
func (v *vendor) index(source string) error {
	k := store.SourceKey{Vendor: v.name, Source: source}
	at, err := v.store.SyncedAt(k)
	if err != nil {
		return err
	}
	v.synced[source] = at
	v.lastSync = latest(v.lastSync, at)
	note := func(changes []time.Time, kind itemKind, id string) {
		if len(changes) > 0 {
			v.pending = append(v.pending, entry{first: changes[0], source: source, kind: kind, id: id})
		}
	}
	return v.store.Load(k, store.Handlers{
		Ticket:   func(t *item.Ticket) error { note(v.agg.Rules().TicketChanges(t), ticketItem, t.ID); return nil },
		Incident: func(i *item.Incident) error { note(quality.IncidentChanges(i), incidentItem, i.ID); return nil },
		Maintenance: func(m *item.Maintenance) error {
			note(quality.MaintenanceChanges(m), maintenanceItem, m.ID)
			return nil
		},
	})
}

// advance brings the replay to at: the items whose first change has come
// are read and added, then every change up to at is applied.
func (v *vendor) advance(at time.Time) error {
	n := 0
	for n < len(v.pending) && !v.pending[n].first.After(at) {
		if err := v.add(v.pending[n]); err != nil {
			return err
		}
		n++
	}
	v.pending = v.pending[n:]
	v.replay.Advance(at)
	return nil
}

// finish applies every change left, whatever its time: the aggregates are
// then those a start-up load of the store gives, what the live exporter
// serves.
func (v *vendor) finish() error {
	for _, e := range v.pending {
		if err := v.add(e); err != nil {
			return err
		}
	}
	v.pending = nil
	v.replay.Finish()
	return nil
}

func (v *vendor) add(e entry) error {
	k := store.SourceKey{Vendor: v.name, Source: e.source}
	gone := func(err error) error {
		if err != nil {
			return err
		}
		return fmt.Errorf("store: %s %q of vendor %q source %q vanished during the backfill", []string{"ticket", "incident", "maintenance"}[e.kind], e.id, v.name, e.source)
	}
	switch e.kind {
	case ticketItem:
		t, err := v.store.Ticket(k, e.id)
		if t == nil {
			return gone(err)
		}
		v.replay.AddTicket(e.source, t)
	case incidentItem:
		i, err := v.store.Incident(k, e.id)
		if i == nil {
			return gone(err)
		}
		v.replay.AddIncident(e.source, i)
	case maintenanceItem:
		m, err := v.store.Maintenance(k, e.id)
		if m == nil {
			return gone(err)
		}
		v.replay.AddMaintenance(e.source, m)
	case alertItem:
		v.replay.AddAlertSignal(e.first)
	}
	return nil
}

// snapshot is what a live exporter would have served at at: each source
// judged as of at, but never past the start of its last complete sync (as
// the exporter judges), and customer alerts as of alert_grace before.
func (v *vendor) snapshot(at time.Time) *quality.VendorSnapshot {
	return v.agg.Snapshot(func(source string) time.Time {
		if source == quality.AlertSource {
			return at.Add(-v.grace)
		}
		if s := v.synced[source]; s.Before(at) {
			return s
		}
		return at
	})
}
