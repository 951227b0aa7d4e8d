package exporter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
)

// SyncAll makes cfg the configuration, as Apply does, but instead of
// starting background loops it syncs every source once, in parallel, and
// returns when each completed a sync: for a one-shot job (the backfill's
// --sync) that needs the store complete up to now. A failed sync is
// retried with the loops' back-off, up to attempts times per source.
func (e *Exporter) SyncAll(ctx context.Context, cfg *config.Config, attempts int) error {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	if e.stopped {
		return errStopped
	}
	if err := e.apply(cfg, false); err != nil {
		return err
	}
	e.mu.RLock()
	runners := e.runners
	e.mu.RUnlock()
	errs := make([]error, len(runners))
	var wg sync.WaitGroup
	for i, r := range runners {
		wg.Go(func() {
			errs[i] = r.syncUntilDone(ctx, attempts)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("vendor %q source %q: %w", r.key.Vendor, r.key.Source, errs[i])
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// syncUntilDone syncs until one sync completes, at most attempts times.
func (r *runner) syncUntilDone(ctx context.Context, attempts int) error {
	for failures := 1; ; failures++ {
		start := r.now()
		err := r.syncOnce(ctx)
		if err == nil {
			r.logger.Info("source synced", "took", r.now().Sub(start).Round(time.Millisecond))
			return nil
		}
		if ctx.Err() != nil || failures >= attempts {
			return err
		}
		wait := max(backoff(failures, r.interval), r.limits.BlockedFor(r.host))
		r.logger.Info("sync failed; retrying", "attempt", failures, "of", attempts, "in", wait.Round(time.Second))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
