package exporter

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/drill"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// defaultDrillTick is how often a vendor's drill takes its next step.
const defaultDrillTick = time.Minute

// drills are the running off-hours drills (exporter/drill), one per vendor
// whose drill is on. A drill keeps all its state in the store, so a reload
// simply stops them and starts the new configuration's: pending drills
// carry on from their stored step.
type drills struct {
	mu      sync.Mutex
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	summary map[string]*atomic.Pointer[quality.DrillSummary] // by vendor
}

// applyDrills replaces the running drills with cfg's; without run (the
// one-shot SyncAll of the backfill) no drill runs, and the metrics show
// what is stored. A vendor whose driller cannot be built runs no drill
// (the error says why); the other vendors' drills run all the same.
func (e *Exporter) applyDrills(cfg *config.Config, run bool) error {
	e.drills.mu.Lock()
	defer e.drills.mu.Unlock()
	e.stopDrillsLocked()
	ctx, cancel := context.WithCancel(e.runCtx)
	summary := map[string]*atomic.Pointer[quality.DrillSummary]{}
	var errs []error
	for _, v := range cfg.Vendors {
		if !v.Drill.On() {
			continue
		}
		p := &atomic.Pointer[quality.DrillSummary]{}
		summary[v.Name] = p
		e.storeDrillSummary(v.Name, p)
		if !run {
			continue
		}
		if e.opts.DrillDisabled {
			e.opts.Logger.Info("off-hours drill configured, but this instance does not drill: start it with --drill.enabled (only one instance of an HA pair should)", "vendor", v.Name)
			continue
		}
		dr, err := e.newDriller(cfg, v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		e.drills.wg.Go(func() { dr.Run(ctx, e.drillTick(), func() { e.storeDrillSummary(v.Name, p) }) })
	}
	e.drills.cancel, e.drills.summary = cancel, summary
	return errors.Join(errs...)
}

func (e *Exporter) drillTick() time.Duration {
	if e.opts.DrillTick > 0 {
		return e.opts.DrillTick
	}
	return defaultDrillTick
}

// stopDrills stops every running drill and waits for it.
func (e *Exporter) stopDrills() {
	e.drills.mu.Lock()
	defer e.drills.mu.Unlock()
	e.stopDrillsLocked()
}

func (e *Exporter) stopDrillsLocked() {
	if e.drills.cancel != nil {
		e.drills.cancel()
		e.drills.wg.Wait()
		e.drills.cancel = nil
	}
}

// storeDrillSummary derives the vendor's drill metrics from its stored
// drills; on a read error the last summary stays.
func (e *Exporter) storeDrillSummary(vendor string, p *atomic.Pointer[quality.DrillSummary]) {
	ds, err := e.opts.Store.Drills(vendor)
	if err != nil {
		e.logger.Warn("reading the vendor's drills", "vendor", vendor, "err", err)
		return
	}
	p.Store(drill.Summary(ds))
}

// drillSummary is the vendor's drill summary for a snapshot; nil when its
// drill is off.
func (e *Exporter) drillSummary(vendor string) *quality.DrillSummary {
	e.drills.mu.Lock()
	p := e.drills.summary[vendor]
	e.drills.mu.Unlock()
	if p == nil {
		return nil
	}
	if s := p.Load(); s != nil {
		return s
	}
	return quality.SummarizeDrills(nil)
}

// newDriller builds the vendor's Driller over its drill source: a creator
// with its own HTTP client from the source's http_client, and the source's
// stored tickets and sync state.
func (e *Exporter) newDriller(cfg *config.Config, v *config.Vendor) (*drill.Driller, error) {
	var sc *config.Source
	for _, s := range v.Tickets {
		if s.Name == v.Drill.Source {
			sc = s
		}
	}
	if sc == nil {
		return nil, fmt.Errorf("vendor %q: drill source %q is not configured", v.Name, v.Drill.Source)
	}
	hcCfg := sc.HTTPClient
	if hcCfg.OAuth2 != nil {
		o := *hcCfg.OAuth2 // as newRunner: the config stays as loaded
		hcCfg.OAuth2 = &o
	}
	hc, err := commoncfg.NewClientFromConfig(hcCfg, "support_exporter")
	if err != nil {
		return nil, fmt.Errorf("vendor %q drill source %q: http_client: %w", v.Name, sc.Name, err)
	}
	logger := e.logger.With("vendor", v.Name, "source_name", sc.Name, "kind", sc.Kind)
	client := fetch.New(hc, e.limits, fetch.Options{
		Timeout: time.Duration(cfg.Global.RequestTimeout), UserAgent: e.opts.UserAgent, Logger: logger,
	})
	creator, err := collectors.NewCreator(source.Env{
		Config: sc, Vendor: v, HTTP: client, Limits: e.limits, Logger: logger, Now: e.opts.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("vendor %q: drill: %w", v.Name, err)
	}
	key := store.SourceKey{Vendor: v.Name, Source: sc.Name}
	seed := uint64(e.opts.Now().UnixNano())
	ticket := func(source, id string) (*item.Ticket, error) {
		return e.opts.Store.Ticket(store.SourceKey{Vendor: v.Name, Source: source}, id)
	}
	return drill.New(v, drill.Deps{
		Store:   e.opts.Store,
		Creator: creator,
		Ticket:  ticket,
		SyncedAt: func() time.Time {
			e.mu.RLock()
			defer e.mu.RUnlock()
			if st := e.status[key]; st != nil {
				return st.lastSyncedAt()
			}
			return time.Time{}
		},
		IncidentsOpen: func() (uint64, bool) { return e.incidentsOpen(v) },
		Now:           e.opts.Now,
		Rand:          rand.New(rand.NewPCG(seed, seed>>1|1)),
		DryRun:        e.opts.DrillDryRun,
		Tick:          e.drillTick(),
		Logger:        logger.With("component", "drill"),
	})
}

// incidentsOpen is the vendor's open status-page incidents in the latest
// snapshot; known once each of its status pages completed a sync and a
// snapshot was built since.
func (e *Exporter) incidentsOpen(vendor *config.Vendor) (uint64, bool) {
	p := e.snapshot.Load()
	if p == nil {
		return 0, false
	}
	snap := p.snap
	e.mu.RLock()
	for _, sc := range vendor.StatusPages {
		st := e.status[store.SourceKey{Vendor: vendor.Name, Source: sc.Name}]
		if st == nil || st.lastSyncedAt().IsZero() || st.lastSyncedAt().After(p.at) {
			e.mu.RUnlock()
			return 0, false
		}
	}
	e.mu.RUnlock()
	var n uint64
	for _, v := range snap.Vendors {
		if v.Vendor == vendor.Name {
			for _, c := range v.IncidentsOpen {
				n += c
			}
		}
	}
	return n, true
}
