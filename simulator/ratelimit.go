package simulator

import (
	"sync"
	"time"
)

// Both quotas pace real requests, so they run on real (wall-clock) time,
// not the simulated clock.

// window is a fixed-window request quota, as Zendesk's account-wide limit
// advertises itself: limit requests per minute, counted from the first
// request of the window, with the requests remaining "in the current
// minute" and the seconds until it resets in the headers.
type window struct {
	mu    sync.Mutex
	limit int // <= 0: unlimited
	start time.Time
	used  int
}

// take spends one request if the quota allows it, and returns what is left
// and when the window resets.
func (w *window) take(now time.Time) (ok bool, remaining int, reset time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.limit <= 0 {
		return true, 0, 0
	}
	if now.Sub(w.start) >= time.Minute {
		w.start, w.used = now, 0
	}
	reset = w.start.Add(time.Minute).Sub(now)
	if w.used >= w.limit {
		return false, 0, reset
	}
	w.used++
	return true, w.limit - w.used, reset
}

// slidingWindow allows at most limit requests in any minute: Zendesk's
// incremental export limit. Zendesk documents only "up to 10 requests per
// minute" (30 with the High Volume API add-on), limited "identically" to
// its other limits, and a 429 whose Retry-After says how many seconds to
// wait (developer.zendesk.com/api-reference/ticketing/ticket-management/
// incremental_exports/#rate-limits, .../introduction/rate-limits). It does
// not say where a minute starts, so the simulator takes the strictest
// reading: a client that waits what Retry-After says passes with any
// window, while one that expects a fresh quota at a minute boundary is
// refused here. Refused requests do not count.
type slidingWindow struct {
	mu       sync.Mutex
	limit    int         // <= 0: unlimited
	accepted []time.Time // the last limit accepted requests, oldest first
}

// take accepts a request if fewer than limit were accepted in the minute
// before now; otherwise it returns how long until the oldest of them is a
// minute old, when the next request will be accepted.
func (w *slidingWindow) take(now time.Time) (ok bool, wait time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.limit <= 0 {
		return true, 0
	}
	if len(w.accepted) == w.limit {
		if wait = w.accepted[0].Add(time.Minute).Sub(now); wait > 0 {
			return false, wait
		}
		w.accepted = w.accepted[1:]
	}
	w.accepted = append(w.accepted, now)
	return true, 0
}

// retryAfterSeconds rounds a wait up to whole seconds, at least one: the
// request after that long is on time.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}
