package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// rateLimitLate is how much later than asked the request after a rate limit
// may come. After a refused sync the runner waits the longer of its back-off
// and the vendor's wait (exporter/runner.go); the back-off, capped at the
// poll interval (1 s here) with ±10% jitter, is at most 1.1 s, shorter
// than every wait below, so the sync is due when the wait ends. 1.1 s
// allows for the back-off added after the wait instead, and 0.4 s more
// for scheduling on a loaded two-core CI machine.
const rateLimitLate = 1500 * time.Millisecond

// rateLimitPoll is how often the requests a vendor received are read.
const rateLimitPoll = 50 * time.Millisecond

// TestRateLimitWaits measures, at three vendors at once, the time between
// the request a vendor refused with a rate limit and the next request it
// receives (docs/sources.md: rate limits honoured to the second):
//
//   - Zendesk's export answers 429 with Retry-After as an HTTP date 12 s
//     after its Date header: 12 s;
//   - GitHub answers 403 with its primary limit spent and
//     x-ratelimit-reset 10 s after its Date header: 10 s;
//   - Zendesk's Requests API answers 429 with Retry-After: 30 and
//     X-Rate-Limit-Remaining: 0, and no reset: 30 s, not the minute guessed
//     when a spent quota says nothing about when to retry.
//
// Every wait is read against the vendor's Date header, a frozen instant 40
// days before ours: read against our clock, the date and the reset would
// lie weeks in the past, and the wait would be none.
func TestRateLimitWaits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		vendor string
		spec   simulator.Spec
		code   string // the refused request's status, in support_source_requests_total
	}{
		{"zendesk", simulator.Spec{Fault: simulator.FaultRetryAfterDate, Requests: 1, Wait: 12 * time.Second}, "429"},
		{"github", simulator.Spec{Fault: simulator.FaultGitHubPrimaryLimit, Requests: 1, Wait: 10 * time.Second}, "403"},
		{"zendesk-requests", simulator.Spec{Fault: simulator.FaultRateLimitNoReset, Requests: 1, Wait: 30 * time.Second}, "429"},
	}
	var tickets []faultSource
	for _, c := range cases {
		i := -1
		for j, f := range faultSources {
			if f.vendor == c.vendor {
				i = j
			}
		}
		tickets = append(tickets, faultSources[i])
	}
	z := startZoo(t, zooOptions{tickets: tickets, noStatus: true})
	w := newWatcher(t, z.p, 250*time.Millisecond)
	lags := func(s series) string { return fmt.Sprint(z.lags(s, nil)) }
	w.until(60*time.Second, "every source synced", func(s series) bool { return len(z.lags(s, nil)) == 0 }, lags)
	was := w.scrape()

	gaps := make([]waitGap, len(cases))
	var wg sync.WaitGroup
	done := make(chan struct{})
	for i, c := range cases {
		src := z.source(t, c.vendor)
		wg.Go(func() { gaps[i] = measureWait(src, c.spec) })
	}
	go func() { wg.Wait(); close(done) }()
	// The exporter is scraped meanwhile, as Prometheus would.
	after := w.until(time.Minute, "the waits measured", func(series) bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	}, nil)

	for i, c := range cases {
		g, src := gaps[i], z.source(t, c.vendor)
		if g.err != nil {
			t.Errorf("%s: %v", c.vendor, g.err)
			continue
		}
		t.Logf("%s %s: the next request came %s after the refused one (between %s and %s), asked %s",
			c.vendor, c.spec.Fault, ((g.least + g.most) / 2).Round(time.Millisecond), g.least.Round(time.Millisecond), g.most.Round(time.Millisecond), c.spec.Wait)
		// The request is counted when it arrives, the wait starts when
		// the exporter reads the refusal, after: the gap between arrivals
		// is at least the wait, and at most the bound's lateness more.
		if g.most < c.spec.Wait {
			t.Errorf("%s %s: the next request came %s after the refused one at most, sooner than the %s asked", c.vendor, c.spec.Fault, g.most.Round(time.Millisecond), c.spec.Wait)
		}
		if g.least > c.spec.Wait+rateLimitLate {
			t.Errorf("%s %s: the next request came %s after the refused one at least, more than %s after the %s asked", c.vendor, c.spec.Fault, g.least.Round(time.Millisecond), rateLimitLate, c.spec.Wait)
		}
		refused := func(s series) (requests, failures float64) {
			requests, _ = s.get("support_source_requests_total", append(src.labels(), "code", c.code)...)
			failures, _ = s.get("support_source_errors_total", append(src.labels(), "reason", "rate_limited")...)
			return requests, failures
		}
		r0, f0 := refused(was)
		r1, f1 := refused(after)
		if r1-r0 != 1 || f1-f0 != 1 {
			t.Errorf("%s: %v requests answered %s and %v syncs failed rate_limited, want 1 and 1", c.vendor, r1-r0, c.code, f1-f0)
		}
	}
	w.until(10*time.Second, "every source up again", func(s series) bool { return len(z.lags(s, nil)) == 0 }, lags)
}

// waitGap is the time between two requests' arrivals at a vendor, known
// within the polling: at least least, at most most.
type waitGap struct {
	least, most time.Duration
	err         error
}

// measureWait injects spec, a fault of one request, into src, and measures
// the time from the request it answers to the next one, reading the
// vendor's request count every rateLimitPoll.
func measureWait(src zooSource, spec simulator.Spec) waitGap {
	// Inject just after a poll: the next poll, a poll interval away, is
	// the one that meets the fault, whatever the timing. (A caught-up poll
	// of these kinds is one request.)
	n := src.requests()
	for deadline := time.Now().Add(10 * time.Second); src.requests() == n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			return waitGap{err: fmt.Errorf("no poll within 10 s")}
		}
	}
	time.Sleep(200 * time.Millisecond)
	n = src.requests()
	if err := src.sim.InjectSpec(src.vendor, src.kind, spec); err != nil {
		return waitGap{err: err}
	}
	// arrival waits for the count to pass want, and returns when it was
	// last seen at most want (from since on) and first seen past it: the
	// arrival lies between them.
	arrival := func(want int, since time.Time, timeout time.Duration) (below, above time.Time, err error) {
		below = since
		for deadline := time.Now().Add(timeout); ; time.Sleep(rateLimitPoll) {
			at := time.Now()
			if src.requests() > want {
				return below, time.Now(), nil
			}
			below = at
			if at.After(deadline) {
				return below, below, fmt.Errorf("no request %d within %s", want+1, timeout)
			}
		}
	}
	b1, a1, err := arrival(n, time.Now(), 10*time.Second)
	if err != nil {
		return waitGap{err: fmt.Errorf("the fault was not met: %w", err)}
	}
	seen := time.Now()
	if got := src.requests(); got > n+1 {
		return waitGap{err: fmt.Errorf("%d requests arrived at once: the refused one cannot be told apart", got-n)}
	}
	b2, a2, err := arrival(n+1, seen, spec.Wait+10*time.Second)
	if err != nil {
		return waitGap{err: fmt.Errorf("after the refused request: %w", err)}
	}
	return waitGap{least: b2.Sub(a1), most: a2.Sub(b1)}
}
