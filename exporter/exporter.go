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
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/item"
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
	// DrillDryRun: off-hours drills log what they would send and send
	// nothing (--drill.dry-run; drills.go).
	DrillDryRun bool
	// DrillDisabled: this instance runs no drill (--drill.enabled not
	// given: drills are opt-in per instance, so that of an HA pair only
	// one files); the metrics show the stored drills.
	DrillDisabled bool
	// DrillTick is how often each drill takes its next step (default 1m).
	DrillTick time.Duration
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
	snapshot atomic.Pointer[published] // published.go
	reloadOK atomic.Bool
	reloadAt atomic.Int64 // Unix nanoseconds of the last configuration applied; 0 before

	runCtx context.Context
	drills drills // the off-hours drills (drills.go)
}

type vendorState struct {
	cfg         *config.Vendor
	fingerprint string
	agg         *quality.Aggregator
	rebuilt     bool      // its aggregates are (being) loaded anew from the store
	rebuiltAt   time.Time // when new settings last moved its counters; zero: never
	old         *vendorState
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
//
// A reload keeps each unchanged source's schedule and back-off (README.md, Endpoints):
// a source whose own settings are unchanged, of a vendor whose aggregates
// are reused, keeps running untouched; one of a vendor being rebuilt is
// stopped while the store is read and resumes its schedule after; only new
// or changed sources sync at once.
func (e *Exporter) apply(cfg *config.Config, start bool) error {
	e.mu.RLock()
	oldVendors := e.vendors
	e.mu.RUnlock()

	vendors := make(map[string]*vendorState, len(cfg.Vendors))
	var reuse, rebuild []*vendorState
	for _, v := range cfg.Vendors {
		vs := &vendorState{cfg: v, fingerprint: cfg.Fingerprint(v)}
		if old, ok := oldVendors[v.Name]; ok && old.fingerprint == vs.fingerprint {
			vs.agg, vs.rebuiltAt = old.agg, old.rebuiltAt
			reuse = append(reuse, vs)
		} else {
			vs.old = oldVendors[v.Name]
			rules, err := quality.NewRules(v, cfg.Global)
			if err != nil {
				return fmt.Errorf("vendor %q: %w", v.Name, err)
			}
			sources, ticketSources := quality.VendorSources(v)
			vs.agg = quality.NewAggregator(rules, sources, ticketSources)
			vs.rebuilt = true
			rebuild = append(rebuild, vs)
		}
		vendors[v.Name] = vs
	}
	plan, err := e.planRunners(cfg, vendors)
	if err != nil {
		return err
	}

	// From here on the replaced sources are stopped, and alerts wait, so
	// that nothing lands in a rebuilt vendor's part of the store while its
	// aggregates are loaded from it.
	for _, r := range plan.stop {
		r.stop()
	}
	plan.carrySchedules()
	if err := e.rebuildAndSwap(cfg, vendors, rebuild, plan.runners, plan.status); err != nil {
		e.restart(plan.stop)
		return err
	}
	e.recordIdentities(plan.identify)
	e.completeAddedSources(plan.added)
	if start {
		for _, r := range plan.runners {
			if !r.running() {
				r.start(e.runCtx)
			}
		}
	}
	// Drills run only with the sources' loops, never under SyncAll (the
	// backfill): a drill writes to vendors.
	if err := e.applyDrills(cfg, start); err != nil {
		e.logger.Error("starting the off-hours drills", "err", err)
	}
	e.rebuildSnapshot()
	e.logger.Info("configuration applied", "vendors", len(vendors), "sources", len(plan.runners),
		"reused_aggregates", len(reuse), "rebuilt_aggregates", len(rebuild), "sources_kept_running", plan.kept)
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
	settings := make(map[string]store.VendorSettings, len(rebuild))
	for _, vs := range rebuild {
		if err := e.load(vs); err != nil {
			return fmt.Errorf("vendor %q: loading stored items: %w", vs.cfg.Name, err)
		}
		kept, err := e.noteRebuild(vs, vs.old)
		if err != nil {
			return fmt.Errorf("vendor %q: %w", vs.cfg.Name, err)
		}
		settings[vs.cfg.Name] = kept
	}
	if len(settings) > 0 {
		if err := e.opts.Store.SetVendorSettings(settings); err != nil {
			return err
		}
	}
	for _, vs := range rebuild {
		vs.rebuiltAt, vs.old = settings[vs.cfg.Name].RebuiltAt, nil // the old aggregates may go
	}
	if len(rebuild) > 0 && e.cfg == nil {
		// The start-up load leaves up to 32 MiB of the store file mapped
		// in (the store gives back the rest as it reads); no source runs
		// and no alert is stored yet, so the map can be dropped.
		// Only at start-up: a failed reopen then ends the process, while on
		// a reload it would leave the store closed under a running exporter
		// (the pages a reload maps in are clean and the kernel reclaims them).
		if err := e.opts.Store.Remap(); err != nil {
			return fmt.Errorf("releasing the store's memory map: %w", err)
		}
	}
	for _, r := range runners {
		r.status.setPollInterval(r.interval) // served once the source runs under it
	}
	e.mu.Lock()
	e.cfg, e.vendors, e.runners, e.status = cfg, vendors, runners, status
	e.mu.Unlock()
	e.reloadAt.Store(e.opts.Now().UnixNano())
	return nil
}

// restart brings back the sources stopped for a reload that failed, with
// their schedules (a collector is stateless between syncs; its cursor
// lives in the store).
func (e *Exporter) restart(old []*runner) {
	for _, r := range old {
		r.start(e.runCtx)
	}
}

// runnerPlan is what a configuration does to the sync loops.
type runnerPlan struct {
	runners []*runner // the new configuration's, kept ones included
	status  map[store.SourceKey]*sourceStatus
	stop    []*runner // the old ones to stop: removed, changed or of a rebuilt vendor
	// carry maps a new runner to the stopped one whose schedule it takes
	// over: the same source, unchanged, of a rebuilt vendor.
	carry map[*runner]*runner
	kept  int // old runners that keep running untouched
	// identify are the new or changed sources, to record in the store
	// once the configuration runs (store.Identify).
	identify []identity
	// added are the sources never synced that this configuration adds.
	added []*sourceStatus
}

// completeAddedSources makes a ticket source added to a vendor already
// measured count as complete from now, as if it had synced: the customer
// signals in its history, fetched later, come after the incidents of the
// vendor's other sources were decided, and must not reopen (and maybe
// flip) those decisions (docs/metrics.md, support_incidents_detected_total).
// Judging its own items as of now is no less safe than as of a sync start:
// each is fetched whole, after now. A vendor none of whose sources synced
// yet (a new vendor, a new store) waits for all of them, as before.
func (e *Exporter) completeAddedSources(added []*sourceStatus) {
	now := e.opts.Now()
	for _, st := range added {
		s := st.snapshot()
		if !e.vendorSynced(s.Vendor) {
			continue
		}
		key := store.SourceKey{Vendor: s.Vendor, Source: s.Source}
		if err := e.opts.Store.Update(key, func(tx *store.Tx) error { return tx.SetSyncedAt(now) }); err != nil {
			e.logger.Warn("recording an added source as complete from now", "vendor", s.Vendor, "source_name", s.Source, "err", err)
			continue
		}
		st.setSyncedAt(now)
		e.logger.Info("source added to a vendor already measured: complete from now; its history's signals do not reopen decided incidents",
			"vendor", s.Vendor, "source_name", s.Source)
	}
}

// vendorSynced reports whether any source of the vendor completed a sync.
func (e *Exporter) vendorSynced(vendor string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for k, st := range e.status {
		if k.Vendor == vendor && !st.lastSyncedAt().IsZero() {
			return true
		}
	}
	return false
}

// identity is a source's kind and URL, as the store records them.
type identity struct {
	key       store.SourceKey
	kind, url string
}

// recordIdentities records the sources of the configuration now running.
// A failure is logged, not returned: the configuration runs, and the next
// apply records them again.
func (e *Exporter) recordIdentities(ids []identity) {
	for _, id := range ids {
		moved, err := e.opts.Store.Identify(id.key, id.kind, id.url)
		switch {
		case err != nil:
			e.logger.Warn("recording a source's kind and URL", "vendor", id.key.Vendor, "source_name", id.key.Source, "err", err)
		case moved != nil:
			e.logger.Info("source URL changed", "vendor", id.key.Vendor, "source_name", id.key.Source, "from", moved.From, "to", moved.To)
		}
	}
}

// carrySchedules gives each replacing runner the schedule and back-off of
// the runner it replaces, once that one has stopped.
func (p *runnerPlan) carrySchedules() {
	for r, old := range p.carry {
		r.setSchedule(old.schedule())
	}
}

// planRunners builds the runners of cfg: new collectors for new and changed
// sources and for every source of a rebuilt vendor (its collector may read
// vendor settings), the old runner itself for an unchanged source of a
// reused vendor.
func (e *Exporter) planRunners(cfg *config.Config, vendors map[string]*vendorState) (*runnerPlan, error) {
	e.mu.RLock()
	oldStatus := e.status
	old := make(map[store.SourceKey]*runner, len(e.runners))
	for _, r := range e.runners {
		old[r.key] = r
	}
	e.mu.RUnlock()
	p := &runnerPlan{status: map[store.SourceKey]*sourceStatus{}, carry: map[*runner]*runner{}}
	for _, v := range cfg.Vendors {
		vs := vendors[v.Name]
		for _, sc := range slices.Concat(v.Tickets, v.StatusPages, v.Docs) {
			key := store.SourceKey{Vendor: v.Name, Source: sc.Name}
			settings := settingsOf(cfg, sc)
			prev := old[key]
			delete(old, key)
			same := prev != nil && prev.settings.unchanged(settings)
			// A source whose own config is unchanged keeps its schedule even
			// when a global setting it depends on changed.
			sameSource := prev != nil && reflect.DeepEqual(prev.settings.source, settings.source)
			known := prev != nil
			if !same {
				// The store keys a source by vendor and name (README.md, Endpoints): a
				// changed kind under the same name would mix two APIs'
				// items. Checked now, recorded once the configuration runs.
				_, stored, err := e.opts.Store.CheckIdentity(key, sc.Kind, sc.URL)
				if err != nil {
					return nil, err
				}
				known = known || stored
				p.identify = append(p.identify, identity{key: key, kind: sc.Kind, url: sc.URL})
			}
			if same && !vs.rebuilt {
				p.runners = append(p.runners, prev)
				p.status[key] = prev.status
				p.kept++
				continue
			}
			st := oldStatus[key]
			if st == nil || st.snapshot().Kind != sc.Kind {
				st = newSourceStatus(v.Name, sc.Name, sc.Kind)
				at, err := e.opts.Store.SyncedAt(key)
				if err != nil {
					return nil, err
				}
				st.setSyncedAt(at)
				if !known { // new to the store too, not merely restarted before its first complete sync
					p.added = append(p.added, st)
				}
			}
			r, err := e.newRunner(cfg, vs, sc, key, st)
			if err != nil {
				return nil, err
			}
			r.settings = settings
			p.runners = append(p.runners, r)
			p.status[key] = st
			if prev != nil {
				p.stop = append(p.stop, prev)
				if sameSource {
					p.carry[r] = prev
				}
			}
		}
	}
	for _, r := range old { // sources no longer configured
		p.stop = append(p.stop, r)
	}
	return p, nil
}

// sourceSettings is what a source's collector is built from besides its
// vendor's settings: its own config (without its line in the file), and
// the global settings its loop and requests depend on.
type sourceSettings struct {
	source         config.Source
	requestTimeout time.Duration
	historyStart   time.Time
	maxClockSkew   time.Duration
	earliest       time.Time
}

func settingsOf(cfg *config.Config, sc *config.Source) sourceSettings {
	s := sourceSettings{source: *sc, requestTimeout: time.Duration(cfg.Global.RequestTimeout),
		historyStart: cfg.Global.HistoryStart.Time, maxClockSkew: time.Duration(cfg.Global.MaxClockSkew),
		earliest: cfg.Global.EarliestTimestamp.Time}
	s.source.Line = 0
	return s
}

// unchanged reports whether a source's settings are the same: compared
// deeply, secrets included (an inline password changed needs a new client).
func (s sourceSettings) unchanged(o sourceSettings) bool { return reflect.DeepEqual(s, o) }

// newRunner builds the sync loop of one source.
func (e *Exporter) newRunner(cfg *config.Config, vs *vendorState, sc *config.Source, key store.SourceKey, st *sourceStatus) (*runner, error) {
	v := vs.cfg
	hcCfg := sc.HTTPClient
	if hcCfg.OAuth2 != nil {
		// The client sets up the OAuth2 proxy lazily, inside the struct:
		// on a copy, so that the config (compared at the next reload,
		// sourceSettings) stays as loaded.
		o := *hcCfg.OAuth2
		hcCfg.OAuth2 = &o
	}
	hc, err := commoncfg.NewClientFromConfig(hcCfg, "support_exporter")
	if err != nil {
		return nil, fmt.Errorf("vendor %q source %q: http_client: %w", v.Name, sc.Name, err)
	}
	logger := e.logger.With("vendor", v.Name, "source_name", sc.Name, "kind", sc.Kind)
	// fetch keeps the real clock: rate limits pace real requests, and the
	// exporter's may be the demo's shifted one.
	client := fetch.New(hc, e.limits, fetch.Options{
		Timeout:   time.Duration(cfg.Global.RequestTimeout),
		UserAgent: e.opts.UserAgent, OnResponse: st.countRequest, Logger: logger,
	})
	bounds := e.bounds(cfg)
	src, err := collectors.New(source.Env{
		Config: sc, Vendor: v, HTTP: client, Limits: e.limits, CountRequest: st.countRequest,
		HistoryStart: cfg.Global.HistoryStart.Time, Logger: logger, Now: e.opts.Now,
		Bounds: bounds, Reject: func(reason string) { st.countRejected(reason, 1) },
		Stored: func(id string) (*item.Ticket, error) {
			t, err := e.opts.Store.Ticket(key, id)
			if err != nil {
				return nil, &storeError{err}
			}
			return t, nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("vendor %q: %w", v.Name, err)
	}
	host := ""
	if u, err := url.Parse(sc.URL); err == nil {
		host = u.Host
	}
	historyStart := cfg.Global.HistoryStart.Time
	kind, _ := collectors.Kinds.Lookup(sc.Kind) // the config has checked it
	priorityInTags := kind.PriorityInTags
	refresh := e.rebuildSnapshot
	if slices.Contains(vs.cfg.StatusPages, sc) && len(vs.cfg.Agreements) > 0 {
		refresh = e.warnUnmatchedComponents(vs, sc.Name, refresh)
	}
	return &runner{
		key: key, kind: sc.Kind, host: host, src: src,
		interval: time.Duration(sc.PollInterval), maxRequests: sc.MaxRequestsPerSync,
		status: st, limits: e.limits, store: e.opts.Store,
		ingest: func(k store.SourceKey, b item.Batch) error {
			b = admitWith(b, bounds, func(urls map[string]bool) map[string]item.Page {
				return vs.agg.StoredPages(k.Source, urls)
			}, st, logger)
			if priorityInTags {
				b.Tickets = priorityFromTags(vs.agg.Rules(), b.Tickets)
			}
			return e.ingest(vs, k, historyStart, b)
		},
		refresh: refresh,
		logger:  logger,
		now:     e.opts.Now,
	}, nil
}

// load rebuilds a vendor's aggregates from everything stored for its
// sources and its customer alerts.
func (e *Exporter) load(vs *vendorState) error {
	for _, sc := range slices.Concat(vs.cfg.Tickets, vs.cfg.StatusPages, vs.cfg.Docs) {
		name := sc.Name
		err := e.opts.Store.Load(store.SourceKey{Vendor: vs.cfg.Name, Source: name}, store.Handlers{
			Ticket:      func(t *item.Ticket) error { vs.agg.ReplaceTicket(name, nil, t); return nil },
			Incident:    func(i *item.Incident) error { vs.agg.ReplaceIncident(name, nil, i); return nil },
			Maintenance: func(m *item.Maintenance) error { vs.agg.ReplaceMaintenance(name, nil, m); return nil },
			Components:  func(c []item.Component) error { vs.agg.SetComponents(name, c); return nil },
			Pages:       func(p []item.Page) error { vs.agg.SetPages(name, p); return nil },
		})
		if err != nil {
			return err
		}
	}
	return e.loadAlertSignals(vs)
}

// admit refuses the items of b with an implausible time (exporter/door):
// they are counted in support_items_rejected_total and left out, so that
// their stored version, if any, stays as it was. The batch's cursor is
// kept: collectors do not move it past an item refused for the time the
// cursor follows, and read it again (docs/configuration.md, "Timestamps a
// vendor sends").
func admit(b item.Batch, bounds door.Bounds, st *sourceStatus, logger *slog.Logger) item.Batch {
	return admitWith(b, bounds, nil, st, logger)
}

// admitWith is admit with the source's stored pages (stored returns the
// stored versions of the pages at the URLs asked; nil: none is stored).
func admitWith(b item.Batch, bounds door.Bounds, stored func(urls map[string]bool) map[string]item.Page,
	st *sourceStatus, logger *slog.Logger) item.Batch {
	refused := map[string]int{}
	var example string
	refuse := func(reason, id string) bool {
		if reason == "" {
			return false
		}
		refused[reason]++
		if example == "" {
			example = id
		}
		return true
	}
	out := b
	out.Tickets = slices.DeleteFunc(slices.Clone(b.Tickets), func(t item.Ticket) bool { return refuse(bounds.Ticket(&t), t.ID) })
	out.Incidents = slices.DeleteFunc(slices.Clone(b.Incidents), func(i item.Incident) bool { return refuse(bounds.Incident(&i), i.ID) })
	out.Maintenances = slices.DeleteFunc(slices.Clone(b.Maintenances), func(m item.Maintenance) bool {
		return refuse(bounds.Maintenance(&m), m.ID)
	})
	if b.Pages != nil {
		var held int
		out.Pages, held = admitPages(b.Pages, bounds, stored, refuse)
		if held > 0 {
			// The list was read with pages not taken: its cursor (a
			// sitemap's validators) would have the next sync skip them.
			// The stored cursor stays.
			out.Cursor = nil
		}
	}
	for reason, n := range refused {
		st.countRejected(reason, n)
		logger.Warn("items refused: a time the vendor sent is implausible", "reason", reason, "items", n,
			"example_id", example, "latest_plausible", bounds.Latest().Format(time.RFC3339))
	}
	return out
}

// priorityFromTags sets the priority of fetched tickets of a kind that
// carries it as a tag (config.Kind.PriorityInTags: GitHub's labels), before
// they are merged and stored: the tag naming the most urgent priority, as
// written, so that the stored ticket maps like one whose system has a
// priority field (quality.Rules.MostUrgent; docs/configuration.md,
// "Priorities"). Its collector leaves the priority empty.
func priorityFromTags(r *quality.Rules, tickets []item.Ticket) []item.Ticket {
	out := slices.Clone(tickets)
	for i := range out {
		out[i].Priority = r.MostUrgent(out[i].Tags)
	}
	return out
}

// ingest stores one batch (items merged with their stored versions, and the
// cursor, in one transaction) and, once committed, moves the aggregates.
//
// An item first seen with a creation before the history start is not
// wanted. One already stored is merged whatever its new times say: its
// creation is pinned at first store (quality.MergeTicket), so a vendor
// moving it back cannot take it out of the counters.
func (e *Exporter) ingest(vs *vendorState, key store.SourceKey, historyStart time.Time, b item.Batch) error {
	early := func(t time.Time) bool { return !historyStart.IsZero() && t.Before(historyStart) }
	type change[T any] struct{ old, new *T }
	var tickets []change[item.Ticket]
	var incidents []change[item.Incident]
	var maints []change[item.Maintenance]
	// What snapshots judged so far, pinned in the merged items
	// (quality.Judged). No snapshot may judge between here and the
	// Replaces below: it could decide, as of a later instant, what the
	// merge did not pin.
	e.snapMu.Lock()
	defer e.rebuildSnapshot() // after the unlock below: deferred calls run last first
	defer e.snapMu.Unlock()
	asOf := func(string) time.Time { return time.Time{} } // nothing applied yet: nothing judged
	e.mu.RLock()
	if e.cfg != nil {
		asOf = e.asOf(key.Vendor)
	}
	judged := vs.agg.Judged(key.Source, asOf)
	e.mu.RUnlock()
	err := e.opts.Store.Update(key, func(tx *store.Tx) error {
		for _, t := range b.Tickets {
			old, err := tx.Ticket(t.ID)
			if err != nil {
				return err
			}
			if old == nil && early(t.CreatedAt) {
				continue
			}
			merged := vs.agg.Rules().MergeTicket(old, t, judged)
			changed, err := tx.PutTicket(&merged)
			if err != nil {
				return err
			}
			if changed {
				tickets = append(tickets, change[item.Ticket]{old, &merged})
			}
		}
		for _, i := range b.Incidents {
			old, err := tx.Incident(i.ID)
			if err != nil {
				return err
			}
			if old == nil && early(cmp.Or(i.CreatedAt, i.StartedAt)) {
				continue
			}
			merged := vs.agg.Rules().MergeIncident(old, i, judged)
			changed, err := tx.PutIncident(&merged)
			if err != nil {
				return err
			}
			if changed {
				incidents = append(incidents, change[item.Incident]{old, &merged})
			}
		}
		for _, m := range b.Maintenances {
			old, err := tx.Maintenance(m.ID)
			if err != nil {
				return err
			}
			if old == nil && early(cmp.Or(m.CreatedAt, m.ScheduledFor)) {
				continue
			}
			merged := vs.agg.Rules().MergeMaintenance(old, m, judged)
			changed, err := tx.PutMaintenance(&merged)
			if err != nil {
				return err
			}
			if changed {
				maints = append(maints, change[item.Maintenance]{old, &merged})
			}
		}
		if b.Components != nil {
			if err := tx.SetComponents(b.Components); err != nil {
				return err
			}
		}
		if b.Pages != nil {
			if err := tx.SetPages(b.Pages); err != nil {
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
	if b.Pages != nil {
		vs.agg.SetPages(key.Source, b.Pages)
	}
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

// rebuildSnapshot publishes a new snapshot of every vendor's aggregates,
// or keeps the one served when nothing changed (publish).
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
		v := vs.agg.Snapshot(e.asOf(name))
		v.Drill = e.drillSummary(name)
		snap.Vendors = append(snap.Vendors, v)
	}
	e.mu.RUnlock()
	slices.SortFunc(snap.Vendors, func(a, b *quality.VendorSnapshot) int { return cmp.Compare(a.Vendor, b.Vendor) })
	e.publish(snap)
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

// bounds are the plausible instants of what vendors and Alertmanager send
// (docs/configuration.md, "Timestamps a vendor sends").
func (e *Exporter) bounds(cfg *config.Config) door.Bounds {
	return door.Bounds{
		NotBefore: cfg.Global.EarliestTimestamp.Time,
		MaxSkew:   time.Duration(cfg.Global.MaxClockSkew),
		Now:       e.opts.Now,
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
	e.stopDrills()
}

// Snapshot is the latest snapshot; nil before the first Apply.
func (e *Exporter) Snapshot() *quality.Snapshot {
	if p := e.snapshot.Load(); p != nil {
		return p.snap
	}
	return nil
}

// ReloadSuccessful reports whether the last Apply succeeded.
func (e *Exporter) ReloadSuccessful() bool { return e.reloadOK.Load() }

// LastReloadSuccess is when the running configuration was applied (at
// start, then at each successful reload); zero before the first.
func (e *Exporter) LastReloadSuccess() time.Time {
	if ns := e.reloadAt.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

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
