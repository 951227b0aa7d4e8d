package simulator

import (
	"sync"
	"time"
)

// window is a fixed-window request quota, as Zendesk's per-minute limits
// behave: limit requests per minute, counted from the first request of the
// window. Real (wall-clock) time, not the simulated clock: it paces real
// requests.
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

// retryAfterSeconds rounds a wait up to whole seconds, at least one.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}
