package fetch

import (
	"net/http"
	"sync"
	"time"
)

// fakeClock is the clock of a test. A timer advances the clock by its
// duration and fires at once, so that a wait takes no real time and the
// clock reads exactly the instant the wait was for. With hold set, a timer
// never fires and its duration is announced on waits instead: tests of
// cancellation.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	hold  bool
	waits chan time.Duration
}

// t0 is the fake clocks' start: any instant would do.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newFakeClock() *fakeClock {
	return &fakeClock{t: t0, waits: make(chan time.Duration, 16)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Since is the time elapsed on the clock since t0.
func (c *fakeClock) Since() time.Duration { return c.Now().Sub(t0) }

func (c *fakeClock) timer(d time.Duration) (<-chan time.Time, func() bool) {
	if c.hold {
		c.waits <- d
		return nil, func() bool { return true }
	}
	c.Advance(d)
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch, func() bool { return false }
}

// fakeLimits returns Limits that read and wait on clk.
func fakeLimits(clk *fakeClock) *Limits {
	l := NewLimits()
	l.now, l.timer = clk.Now, clk.timer
	return l
}

// fakeClient returns a Client on limits whose own clock is clk.
func fakeClient(clk *fakeClock, limits *Limits, opts Options) *Client {
	opts.Now = clk.Now
	return New(&http.Client{}, limits, opts)
}
