// Package exporter runs support_exporter's background work: one sync loop
// per configured source, each storing what its collector fetched and
// folding it into its vendor's aggregates, and the snapshot that scrapes
// read. Config reloads swap all of it without losing counts.
package exporter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/model"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// refreshEvery rebuilds the snapshot between syncs, so that time-driven
// values (an SLA target passing on an open ticket, the next maintenance
// starting) move even when no vendor data changed.
const refreshEvery = 15 * time.Second

// Options configure an Exporter.
type Options struct {
	Logger    *slog.Logger
	Store     *store.Store
	UserAgent string
	// Now is the exporter's clock (default time.Now): the demo runs at a
	// fixed clock in tests (--demo.clock).
	Now func() time.Time
}

// Exporter owns the sync loops, the aggregates and the current snapshot.
type Exporter struct {
	opts   Options
	logger *slog.Logger
	limits *fetch.Limits

	applyMu sync.Mutex // serializes Apply
	stopped bool       // set by Stop, under applyMu
	// alertsMu: Apply holds it while it rebuilds aggregates from the store
	// and swaps them in, AddFiringAlerts (read side) while it stores alerts.
	alertsMu sync.RWMutex
	mu       sync.RWMutex
	cfg      *config.Config
	vendors  map[string]*vendorState
	runners  []*runner
	status   map[store.SourceKey]*sourceStatus

	snapMu   sync.Mutex
	snapshot atomic.Pointer[quality.Snapshot]
	reloadOK atomic.Bool

	runCtx context.Context
}

type vendorState struct {
	cfg         *config.Vendor
	fingerprint string
	agg         *quality.Aggregator
}

// New returns an Exporter with no configuration; call Apply to start it.
// ctx bounds every sync loop.
func New(ctx context.Context, opts Options) *Exporter {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Exporter{
		opts: opts, logger: opts.Logger, limits: fetch.NewLimits(),
		vendors: map[string]*vendorState{}, status: map[store.SourceKey]*sourceStatus{},
		runCtx: ctx,
	}
	e.reloadOK.Store(true)
	go e.refreshLoop(ctx)
	return e
}

// Reload loads a configuration and applies it. When either fails, the
// running configuration stays in force and ReloadSuccessful reports false.
func (e *Exporter) Reload(load func() (*config.Config, error)) error {
	cfg, err := load()
	if err != nil {
		e.reloadOK.Store(false)
		return err
	}
	return e.Apply(cfg)
}

// Apply makes cfg the running configuration. Everything that can fail
// (HTTP clients, collectors, loading aggregates) is built before the running
// sources stop; on error the previous configuration keeps running and
// ReloadSuccessful reports false.
func (e *Exporter) Apply(cfg *config.Config) error {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	if e.stopped {
		return errStopped
	}
	err := e.apply(cfg, true)
	e.reloadOK.Store(err == nil)
	return err
}

// apply makes cfg the running configuration; start says whether its
// sources start their background loops.
func (e *Exporter) apply(cfg *config.Config, start bool) error {
	e.mu.RLock()
	oldVendors, oldRunners := e.vendors, e.runners
	e.mu.RUnlock()

	vendors := make(map[string]*vendorState, len(cfg.Vendors))
	var reuse, rebuild []*vendorState
	for _, v := range cfg.Vendors {
		vs := &vendorState{cfg: v, fingerprint: cfg.Fingerprint(v)}
		if old, ok := oldVendors[v.Name]; ok && old.fingerprint == vs.fingerprint {
			vs.agg = old.agg
			reuse = append(reuse, vs)
		} else {
			rules, err := quality.NewRules(v, cfg.Global)
			if err != nil {
				return fmt.Errorf("vendor %q: %w", v.Name, err)
			}
			vs.agg = quality.NewAggregator(rules, sourceKinds(v))
			rebuild = append(rebuild, vs)
		}
		vendors[v.Name] = vs
	}
	runners, status, err := e.newRunners(cfg, vendors)
	if err != nil {
		return err
	}

	// From here on the old sources are stopped, and alerts wait, so that
	// nothing lands in the store while aggregates are rebuilt from it.
	for _, r := range oldRunners {
		r.stop()
	}
	if err := e.rebuildAndSwap(cfg, vendors, rebuild, runners, status); err != nil {
		e.restart(oldRunners)
		return err
	}
	if start {
		for _, r := range runners {
			r.start(e.runCtx)
		}
	}
	e.rebuildSnapshot()
	e.logger.Info("configuration applied", "vendors", len(vendors), "sources", len(runners),
		"reused_aggregates", len(reuse), "rebuilt_aggregates", len(rebuild))
	return nil
}

// rebuildAndSwap loads the rebuilt vendors' aggregates from the store and
// makes the new configuration the running one, with alerts held off: an
// alert stored meanwhile would be missed by both the old aggregates and the
// load.
func (e *Exporter) rebuildAndSwap(cfg *config.Config, vendors map[string]*vendorState, rebuild []*vendorState,
	runners []*runner, status map[store.SourceKey]*sourceStatus) error {
	e.alertsMu.Lock()
	defer e.alertsMu.Unlock()
	for _, vs := range rebuild {
		if err := e.load(vs); err != nil {
			return fmt.Errorf("vendor %q: loading stored items: %w", vs.cfg.Name, err)
		}
	}
	if len(rebuild) > 0 && e.cfg == nil {
		// The start-up load mapped the whole store file into memory; no
		// source runs and no alert is stored yet, so the map can be dropped.
		// Only at start-up: a failed reopen then ends the process, while on
		// a reload it would leave the store closed under a running exporter
		// (the pages a reload maps in are clean and the kernel reclaims them).
		if err := e.opts.Store.Remap(); err != nil {
			return fmt.Errorf("releasing the store's memory map: %w", err)
		}
	}
	e.mu.Lock()
	e.cfg, e.vendors, e.runners, e.status = cfg, vendors, runners, status
	e.mu.Unlock()
	return nil
}

// restart brings back the previous configuration's sources after a failed
// reload: new runners with the same collectors (a collector is stateless
// between syncs; its cursor lives in the store).
func (e *Exporter) restart(old []*runner) {
	for _, r := range old {
		r.start(e.runCtx)
	}
}

func sourceKinds(v *config.Vendor) map[string]string {
	m := map[string]string{}
	for _, s := range slices.Concat(v.Tickets, v.StatusPages) {
		m[s.Name] = s.Kind
	}
	return m
}

func (e *Exporter) newRunners(cfg *config.Config, vendors map[string]*vendorState) ([]*runner, map[store.SourceKey]*sourceStatus, error) {
	e.mu.RLock()
	oldStatus := e.status
	e.mu.RUnlock()
	status := map[store.SourceKey]*sourceStatus{}
	var runners []*runner
	for _, v := range cfg.Vendors {
		vs := vendors[v.Name]
		for _, sc := range slices.Concat(v.Tickets, v.StatusPages) {
			key := store.SourceKey{Vendor: v.Name, Source: sc.Name}
			st := oldStatus[key]
			if st == nil || st.snapshot().Kind != sc.Kind {
				st = newSourceStatus(v.Name, sc.Name, sc.Kind)
				at, err := e.opts.Store.SyncedAt(key)
				if err != nil {
					return nil, nil, err
				}
				st.setSyncedAt(at)
			}
			status[key] = st
			hc, err := commoncfg.NewClientFromConfig(sc.HTTPClient, "support_exporter")
			if err != nil {
				return nil, nil, fmt.Errorf("vendor %q source %q: http_client: %w", v.Name, sc.Name, err)
			}
			client := fetch.New(hc, e.limits, fetch.Options{
				Timeout:   time.Duration(cfg.Global.RequestTimeout),
				UserAgent: e.opts.UserAgent, OnResponse: st.countRequest,
			})
			logger := e.logger.With("vendor", v.Name, "source_name", sc.Name, "kind", sc.Kind)
			src, err := collectors.New(source.Env{
				Config: sc, Vendor: v, HTTP: client, Limits: e.limits,
				HistoryStart: cfg.Global.HistoryStart.Time, Logger: logger, Now: e.opts.Now,
				Stored: func(id string) (*model.Ticket, error) {
					t, err := e.opts.Store.Ticket(key, id)
					if err != nil {
						return nil, &storeError{err}
					}
					return t, nil
				},
			})
			if err != nil {
				return nil, nil, fmt.Errorf("vendor %q: %w", v.Name, err)
			}
			host := ""
			if u, err := url.Parse(sc.URL); err == nil {
				host = u.Host
			}
			runners = append(runners, &runner{
				key: key, kind: sc.Kind, host: host, src: src,
				interval: time.Duration(sc.PollInterval), status: st, limits: e.limits, store: e.opts.Store,
				ingest: func(k store.SourceKey, b model.Batch) error {
					return e.ingest(vs, k, cfg.Global.HistoryStart.Time, b)
				},
				refresh: e.rebuildSnapshot,
				logger:  logger,
				now:     e.opts.Now,
			})
		}
	}
	return runners, status, nil
}

// load rebuilds a vendor's aggregates from everything stored for its
// sources and its customer alerts.
func (e *Exporter) load(vs *vendorState) error {
	for _, sc := range slices.Concat(vs.cfg.Tickets, vs.cfg.StatusPages) {
		name := sc.Name
		err := e.opts.Store.Load(store.SourceKey{Vendor: vs.cfg.Name, Source: name}, store.Handlers{
			Ticket:      func(t *model.Ticket) error { vs.agg.ReplaceTicket(name, nil, t); return nil },
			Incident:    func(i *model.Incident) error { vs.agg.ReplaceIncident(name, nil, i); return nil },
			Maintenance: func(m *model.Maintenance) error { vs.agg.ReplaceMaintenance(name, nil, m); return nil },
			Components:  func(c []model.Component) error { vs.agg.SetComponents(name, c); return nil },
		})
		if err != nil {
			return err
		}
	}
	return e.loadAlertSignals(vs)
}

// ingest stores one batch (items merged with their stored versions, and the
// cursor, in one transaction) and, once committed, moves the aggregates.
func (e *Exporter) ingest(vs *vendorState, key store.SourceKey, historyStart time.Time, b model.Batch) error {
	early := func(t time.Time) bool { return !historyStart.IsZero() && t.Before(historyStart) }
	type change[T any] struct{ old, new *T }
	var tickets []change[model.Ticket]
	var incidents []change[model.Incident]
	var maints []change[model.Maintenance]
	// What snapshots judged so far, pinned in the merged items (quality.Judged).
	asOf := func(string) time.Time { return time.Time{} } // nothing applied yet: nothing judged
	e.mu.RLock()
	if e.cfg != nil {
		asOf = e.asOf(key.Vendor)
	}
	judged := vs.agg.Judged(key.Source, asOf)
	e.mu.RUnlock()
	err := e.opts.Store.Update(key, func(tx *store.Tx) error {
		for _, t := range b.Tickets {
			if early(t.CreatedAt) {
				continue
			}
			old, err := tx.Ticket(t.ID)
			if err != nil {
				return err
			}
			merged := vs.agg.Rules().MergeTicket(old, t, judged)
			changed, err := tx.PutTicket(&merged)
			if err != nil {
				return err
			}
			if changed {
				tickets = append(tickets, change[model.Ticket]{old, &merged})
			}
		}
		for _, i := range b.Incidents {
			if early(i.CreatedAt) {
				continue
			}
			old, err := tx.Incident(i.ID)
			if err != nil {
				return err
			}
			merged := vs.agg.Rules().MergeIncident(old, i, judged)
			changed, err := tx.PutIncident(&merged)
			if err != nil {
				return err
			}
			if changed {
				incidents = append(incidents, change[model.Incident]{old, &merged})
			}
		}
		for _, m := range b.Maintenances {
			if early(m.CreatedAt) {
				continue
			}
			old, err := tx.Maintenance(m.ID)
			if err != nil {
				return err
			}
			merged := vs.agg.Rules().MergeMaintenance(old, m, judged)
			changed, err := tx.PutMaintenance(&merged)
			if err != nil {
				return err
			}
			if changed {
				maints = append(maints, change[model.Maintenance]{old, &merged})
			}
		}
		if b.Components != nil {
			if err := tx.SetComponents(b.Components); err != nil {
				return err
			}
		}
		if b.Cursor != nil {
			return tx.SetCursor(b.Cursor)
		}
		return nil
	})
	if err != nil {
		return &storeError{err}
	}
	for _, c := range tickets {
		vs.agg.ReplaceTicket(key.Source, c.old, c.new)
	}
	for _, c := range incidents {
		vs.agg.ReplaceIncident(key.Source, c.old, c.new)
	}
	for _, c := range maints {
		vs.agg.ReplaceMaintenance(key.Source, c.old, c.new)
	}
	if b.Components != nil {
		vs.agg.SetComponents(key.Source, b.Components)
	}
	e.rebuildSnapshot()
	return nil
}

func (e *Exporter) refreshLoop(ctx context.Context) {
	t := time.NewTicker(refreshEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.rebuildSnapshot()
		}
	}
}

// rebuildSnapshot publishes a new snapshot of every vendor's aggregates.
func (e *Exporter) rebuildSnapshot() {
	e.snapMu.Lock()
	defer e.snapMu.Unlock()
	snap := &quality.Snapshot{At: e.opts.Now()}
	e.mu.RLock()
	if e.cfg == nil { // nothing applied yet: stay not ready
		e.mu.RUnlock()
		return
	}
	for name, vs := range e.vendors {
		snap.Vendors = append(snap.Vendors, vs.agg.Snapshot(e.asOf(name)))
	}
	e.mu.RUnlock()
	slices.SortFunc(snap.Vendors, func(a, b *quality.VendorSnapshot) int { return cmp.Compare(a.Vendor, b.Vendor) })
	e.snapshot.Store(snap)
}

// asOf judges each source's time-driven values (an open ticket's SLA clock,
// the next maintenance) as of the start of its last complete sync: all the
// vendor did before that instant is stored. Judging at the wall clock would
// count an open ticket's breach that the next sync then reveals was
// answered in time, and counters never go down. A source that never
// completed a sync is judged as of the zero time: nothing of it is late yet.
// Customer alerts (quality.AlertSource) are stored as they arrive and
// Alertmanager delivers them within global.alert_grace: they are complete
// up to that long ago.
func (e *Exporter) asOf(vendor string) func(source string) time.Time {
	alertsComplete := e.opts.Now().Add(-time.Duration(e.cfg.Global.AlertGrace))
	return func(source string) time.Time {
		if source == quality.AlertSource {
			return alertsComplete
		}
		if st := e.status[store.SourceKey{Vendor: vendor, Source: source}]; st != nil {
			return st.lastSyncedAt()
		}
		return time.Time{}
	}
}

// errStopped refuses an Apply that comes after Stop (a reload racing the
// shutdown), which would start sources on a store about to close.
var errStopped = errors.New("exporter is stopping")

// Stop stops every sync loop and waits for them; later Applies fail.
func (e *Exporter) Stop() {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	e.stopped = true
	e.mu.Lock()
	runners := e.runners
	e.runners = nil
	e.mu.Unlock()
	for _, r := range runners {
		r.stop()
	}
}

// Snapshot is the latest snapshot; nil before the first Apply.
func (e *Exporter) Snapshot() *quality.Snapshot { return e.snapshot.Load() }

// ReloadSuccessful reports whether the last Apply succeeded.
func (e *Exporter) ReloadSuccessful() bool { return e.reloadOK.Load() }

// SourceStatuses lists every configured source's sync state, sorted.
func (e *Exporter) SourceStatuses() []exposition.SourceStatus {
	e.mu.RLock()
	out := make([]exposition.SourceStatus, 0, len(e.status))
	for _, st := range e.status {
		out = append(out, st.snapshot())
	}
	e.mu.RUnlock()
	slices.SortFunc(out, func(a, b exposition.SourceStatus) int {
		return cmp.Or(cmp.Compare(a.Vendor, b.Vendor), cmp.Compare(a.Source, b.Source))
	})
	return out
}

// Contracts lists every vendor's SLA term in force now (a vendor whose
// first term starts later has none yet).
func (e *Exporter) Contracts() []exposition.Contract {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.cfg == nil {
		return nil
	}
	now := e.opts.Now()
	out := make([]exposition.Contract, 0, len(e.cfg.Vendors))
	for _, v := range e.cfg.Vendors {
		term := v.SLA.At(now)
		if term == nil {
			continue
		}
		k := exposition.Contract{Vendor: v.Name, Objective: term.Objective, MaintenanceNotice: time.Duration(term.MaintenanceNotice)}
		for name, d := range term.FirstResponse {
			if p, ok := quality.ParsePriority(name); ok {
				k.Targets[p][quality.FirstResponse] = time.Duration(d)
			}
		}
		for name, d := range term.Resolution {
			if p, ok := quality.ParsePriority(name); ok {
				k.Targets[p][quality.Resolution] = time.Duration(d)
			}
		}
		out = append(out, k)
	}
	return out
}

// errNotReady is returned by Ready before the first configuration is applied.
var errNotReady = errors.New("no configuration applied yet")

// Ready reports nil once the store is open and a snapshot is built.
func (e *Exporter) Ready() error {
	if e.snapshot.Load() == nil {
		return errNotReady
	}
	return nil
}
