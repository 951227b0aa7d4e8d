package fetch

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Limits holds the rate-limit state of every vendor host, shared by all
// sources and kept across config reloads, so that two sources on one vendor
// account, or a reload, never send more than the vendor allows.
type Limits struct {
	mu       sync.Mutex
	blocked  map[string]time.Time // host -> no request before this instant
	windows  map[string]*window   // host+" "+pathPrefix -> declared limit
	prefixes map[string][]string  // host -> its declared path prefixes
	now      func() time.Time
	// timer is time.NewTimer's channel and Stop; tests replace it (and now)
	// with a fake clock, so that waits are exact and take no real time.
	timer func(time.Duration) (<-chan time.Time, func() bool)
}

// NewLimits returns empty rate-limit state.
func NewLimits() *Limits {
	return &Limits{
		blocked:  map[string]time.Time{},
		windows:  map[string]*window{},
		prefixes: map[string][]string{},
		now:      time.Now,
		timer: func(d time.Duration) (<-chan time.Time, func() bool) {
			t := time.NewTimer(d)
			return t.C, t.Stop
		},
	}
}

// window is a static limit: at most limit requests in any span. It holds the
// requests of the last span and those still in flight. A request counts from
// when its answer arrived, not from when it left: the vendor counts it on
// arrival, somewhere in between, so a slow first request cannot make the
// vendor see limit+1 requests in one span.
type window struct {
	limit int
	span  time.Duration
	// declared holds each declarer's limit; the strictest applies.
	declared map[string]rate
	sent     []*request
	changed  chan struct{} // closed when a request ends or the limit changes
}

// rate is one declared limit: burst requests in any span.
type rate struct {
	burst int
	span  time.Duration
}

// stricter reports whether r allows fewer requests per unit of time than o.
func (r rate) stricter(o rate) bool {
	return int64(r.burst)*int64(o.span) < int64(o.burst)*int64(r.span)
}

type request struct {
	at       time.Time // when its answer (or failure) arrived
	inFlight bool
}

// Declare sets owner's static limit for the requests to host whose path
// starts with pathPrefix: at most burst requests in any window of span
// (Zendesk's incremental exports: 10 a minute). A token bucket would let an
// 11th request go 6 s after the first 10, which Zendesk refuses. Two
// sources (owners) that declare different limits for one key share the
// strictest: the vendor may count them as one client, and a raised limit
// must not let the other source's requests past its own. An owner's
// declaration replaces its earlier one; a source removed by a reload keeps
// its declaration until restart, the cautious side. The history lives as
// long as the Limits: re-declaring on reload applies a changed limit to the
// requests already sent.
func (l *Limits) Declare(owner, host, pathPrefix string, burst int, span time.Duration) {
	host = normalizeHost(host)
	burst = max(burst, 1) // a limit of no request at all would stop the source for good
	l.mu.Lock()
	defer l.mu.Unlock()
	k := host + " " + pathPrefix
	w := l.windows[k]
	if w == nil {
		w = &window{changed: make(chan struct{}), declared: map[string]rate{}}
		l.windows[k] = w
		l.prefixes[host] = append(l.prefixes[host], pathPrefix)
	}
	w.declared[owner] = rate{burst: burst, span: max(span, 0)}
	strictest := rate{burst: burst, span: max(span, 0)}
	for _, r := range w.declared {
		if r.stricter(strictest) {
			strictest = r
		}
	}
	w.limit, w.span = strictest.burst, strictest.span
	w.notify() // a raised limit lets the waiting requests go now
}

// normalizeHost makes the spellings of one host one key: host names are
// case-insensitive, and a vendor's own links may drop the default port.
func normalizeHost(host string) string {
	host = strings.ToLower(host)
	for _, p := range []string{":443", ":80"} {
		host = strings.TrimSuffix(host, p)
	}
	return host
}

// key returns the host of u and the declared path prefix it falls under
// (the longest), or "" when none.
func (l *Limits) key(u *url.URL) (host, class string) {
	host = normalizeHost(u.Host)
	path := u.EscapedPath()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.prefixes[host] {
		if strings.HasPrefix(path, p) && len(p) > len(class) {
			class = p
		}
	}
	return host, class
}

// BlockedUntil returns when host may next be called (zero when it has
// never been blocked).
func (l *Limits) BlockedUntil(host string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.blocked[normalizeHost(host)]
}

// BlockedFor returns how long host must not be called from now on, read on
// the Limits' own clock: a caller comparing BlockedUntil with another clock
// (a simulated one) would misread it.
func (l *Limits) BlockedFor(host string) time.Duration {
	return max(l.BlockedUntil(host).Sub(l.now()), 0)
}

// block keeps host from being called for d from now, unless it already is
// for longer.
func (l *Limits) block(host string, d time.Duration) {
	until := l.now().Add(d)
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.blocked[host]) {
		l.blocked[host] = until
	}
}

// acquire waits until a request to host under class may be sent, and
// returns the function to call once its answer (or failure) arrived. It
// fails at once when the wait would outlast ctx's deadline: the scheduler
// then retries after its back-off, which the blocked-until time lengthens.
func (l *Limits) acquire(ctx context.Context, host, class string) (done func(), err error) {
	for {
		if d := l.BlockedFor(host); d > 0 {
			if err := l.sleep(ctx, d, nil); err != nil {
				return nil, fmt.Errorf("vendor asked to wait %s: %w", d.Round(time.Second), err)
			}
		}
		l.mu.Lock()
		w := l.windows[host+" "+class]
		l.mu.Unlock()
		if w == nil {
			return func() {}, nil
		}
		r, err := l.take(ctx, w)
		if err != nil {
			return nil, err
		}
		if l.BlockedFor(host) <= 0 {
			return func() { l.finish(w, r) }, nil
		}
		// Another source's answer blocked the host while this request
		// waited for its window: give the place back and wait again.
		l.forget(w, r)
	}
}

// take waits for a place in w and holds it for a request in flight.
func (l *Limits) take(ctx context.Context, w *window) (*request, error) {
	for {
		l.mu.Lock()
		now := l.now()
		w.sent = slices.DeleteFunc(w.sent, func(r *request) bool { return !r.inFlight && !now.Before(r.at.Add(w.span)) })
		if len(w.sent) < w.limit {
			r := &request{inFlight: true}
			w.sent = append(w.sent, r)
			l.mu.Unlock()
			return r, nil
		}
		wait := time.Duration(-1) // every place is in flight: wait for one to end
		for _, r := range w.sent {
			if !r.inFlight && (wait < 0 || r.at.Add(w.span).Sub(now) < wait) {
				wait = r.at.Add(w.span).Sub(now)
			}
		}
		limit, span, changed := w.limit, w.span, w.changed
		l.mu.Unlock()
		if err := l.sleep(ctx, wait, changed); err != nil {
			return nil, fmt.Errorf("declared limit of %d requests per %s: %w", limit, span, err)
		}
	}
}

// finish records that the answer to r arrived now.
func (l *Limits) finish(w *window, r *request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r.at, r.inFlight = l.now(), false
	w.notify()
}

// forget gives back the place of a request that was not sent.
func (l *Limits) forget(w *window, r *request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w.sent = slices.DeleteFunc(w.sent, func(s *request) bool { return s == r })
	w.notify()
}

// notify wakes the requests waiting for w; l.mu is held.
func (w *window) notify() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// sleep waits for d (forever when d < 0) or until wake is closed. It fails
// at once when d outlasts ctx's deadline, rather than hold a request that
// cannot be sent in time.
func (l *Limits) sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	var fire <-chan time.Time
	if d >= 0 {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return fmt.Errorf("%s is longer than the time left", d.Round(time.Millisecond))
		}
		c, stop := l.timer(d)
		defer stop()
		fire = c
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-fire:
	case <-wake:
	}
	return nil
}
