package exporter

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// Retry policy after a failed sync: exponential back-off from minBackoff,
// capped at the source's poll interval (and at maxBackoff), and never sooner
// than the vendor's Retry-After or rate-limit reset.
const (
	minBackoff = time.Second
	maxBackoff = 5 * time.Minute
	jitter     = 0.1 // ±10% on every wait, so sources sharing a vendor do not fire together
)

// runner is the background loop of one source.
type runner struct {
	key      store.SourceKey
	kind     string
	host     string
	src      source.Source
	interval time.Duration
	// maxRequests is the source's max_requests_per_sync.
	maxRequests int
	status      *sourceStatus
	limits      *fetch.Limits
	store       *store.Store
	ingest      func(store.SourceKey, item.Batch) error
	// refresh rebuilds the snapshot once a sync completed: the source's data
	// is now judged as of the new sync time.
	refresh func()
	logger  *slog.Logger
	now     func() time.Time
	// settings are what the runner was built from: a reload keeps the
	// runner, or its schedule, when they are unchanged.
	settings sourceSettings

	// sched is written by the loop; a reload that replaces the runner hands
	// it to the next one once this one stopped.
	schedMu sync.Mutex
	sched   schedule

	cancel context.CancelFunc
	done   chan struct{}
}

// schedule is when a source syncs next and how many syncs in a row failed
// (the back-off). The zero schedule syncs within a second.
type schedule struct {
	next     time.Time // real time: timers run on the wall clock
	failures int
}

// storeError marks a failure of our own store, counted as reason "store"
// rather than blamed on the vendor.
type storeError struct{ err error }

func (e *storeError) Error() string { return "store: " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

func (r *runner) start(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	r.cancel, r.done = cancel, make(chan struct{})
	go r.loop(ctx)
}

// running reports whether the loop was started and not stopped since.
func (r *runner) running() bool { return r.cancel != nil }

// stop cancels the loop and waits for it: an in-flight request is aborted,
// and a batch being stored is either committed whole or not at all. A
// runner never started (SyncAll's) has nothing to stop. Its schedule is
// kept: a sync it aborted is due at once when it starts again.
func (r *runner) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	<-r.done
	r.cancel = nil
}

// schedule returns the runner's schedule.
func (r *runner) schedule() schedule {
	r.schedMu.Lock()
	defer r.schedMu.Unlock()
	return r.sched
}

func (r *runner) setSchedule(s schedule) {
	r.schedMu.Lock()
	r.sched = s
	r.schedMu.Unlock()
}

func (r *runner) loop(ctx context.Context) {
	defer close(r.done)
	sched := r.schedule()
	if sched.next.IsZero() {
		sched.next = time.Now().Add(time.Duration(rand.Int64N(int64(time.Second)))) // spread the first syncs
		r.setSchedule(sched)
	}
	for {
		t := time.NewTimer(time.Until(sched.next))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		err := r.syncOnce(ctx)
		if ctx.Err() != nil {
			return // stopping: an aborted sync is not the vendor's failure, and is due again
		}
		if err == nil {
			sched = schedule{next: time.Now().Add(spread(r.interval))}
		} else {
			sched.failures++
			wait := backoff(sched.failures, r.interval)
			if blocked := r.limits.BlockedFor(r.host); blocked > wait { // rate limits are in real time
				wait = blocked
			}
			sched.next = time.Now().Add(wait)
		}
		r.setSchedule(sched)
	}
}

func (r *runner) syncOnce(ctx context.Context) error {
	start := r.now()
	cursor, err := r.store.Cursor(r.key)
	if err != nil {
		err = &storeError{err}
	} else {
		// Each sync has its request budget and loop check (docs/configuration.md,
		// "Request budget"): a vendor whose paging never ends cannot make us
		// flood it.
		err = r.src.Sync(fetch.StartSync(ctx, r.maxRequests), cursor, func(b item.Batch) error { return r.ingest(r.key, b) })
	}
	if err == nil {
		err = r.markSynced(start)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	end := r.now()
	reason := ""
	if err != nil {
		reason = fetch.Reason(err)
		var se *storeError
		if errors.As(err, &se) {
			reason = "store"
		}
		r.logger.Warn("sync failed", "reason", reason, "err", err, "duration", end.Sub(start).Round(time.Millisecond))
	} else {
		r.logger.Debug("sync done", "duration", end.Sub(start).Round(time.Millisecond))
	}
	r.status.finish(end, end.Sub(start), reason, err)
	return err
}

// markSynced records that everything the vendor showed before start is
// stored: the instant as of which open tickets' SLA clocks are judged.
func (r *runner) markSynced(start time.Time) error {
	if err := r.store.Update(r.key, func(tx *store.Tx) error { return tx.SetSyncedAt(start) }); err != nil {
		return &storeError{err}
	}
	r.status.setSyncedAt(start)
	r.refresh()
	return nil
}

func spread(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (1 - jitter + 2*jitter*rand.Float64()))
}

func backoff(failures int, interval time.Duration) time.Duration {
	limit := min(interval, maxBackoff)
	d := minBackoff
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return spread(min(d, limit))
}
