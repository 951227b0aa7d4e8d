package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const exportPrefix = "/api/v2/incremental/"

// arrivalServer answers 200 and records when each request arrived on clk,
// by path. latency, when set, is how long the i-th answer takes on clk.
type arrivalServer struct {
	*httptest.Server
	mu       sync.Mutex
	arrivals map[string][]time.Duration
	host     string
}

func newArrivalServer(t *testing.T, clk *fakeClock, latency ...time.Duration) *arrivalServer {
	t.Helper()
	s := &arrivalServer{arrivals: map[string][]time.Duration{}}
	n := 0
	s.Server = httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.arrivals[r.URL.Path] = append(s.arrivals[r.URL.Path], clk.Since())
		if n < len(latency) {
			clk.Advance(latency[n])
		}
		n++
	}))
	t.Cleanup(s.Close)
	s.host = strings.TrimPrefix(s.URL, "http://")
	return s
}

func (s *arrivalServer) at(path string) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.arrivals[path])
}

// TestDeclaredLimitIsASlidingWindow: at most burst requests in any window of
// burst*every, and the next goes exactly when the oldest leaves the window
// (counted from its answer). A token bucket would send Zendesk's 11th export
// request 6 s after the first 10, which Zendesk refuses.
func TestDeclaredLimitIsASlidingWindow(t *testing.T) {
	s := time.Second
	cases := []struct {
		name    string
		every   time.Duration
		burst   int
		ready   []time.Duration // when the caller asks for each request
		latency []time.Duration // how long each answer takes
		want    []time.Duration // when each arrives
	}{
		{name: "Zendesk's 10 a minute, 21 requests at once", every: 6 * s, burst: 10,
			ready: make([]time.Duration, 21),
			want:  append(append(make([]time.Duration, 10), slices.Repeat([]time.Duration{60 * s}, 10)...), 120*s)},
		{name: "staggered: each waits for its own oldest", every: 10 * s, burst: 3,
			ready: []time.Duration{0, 5 * s, 10 * s, 12 * s, 20 * s, 70 * s},
			want:  []time.Duration{0, 5 * s, 10 * s, 30 * s, 35 * s, 70 * s}},
		{name: "a slow answer counts from its arrival", every: 10 * s, burst: 2,
			ready: []time.Duration{0, 0, 0}, latency: []time.Duration{2 * s},
			want: []time.Duration{0, 2 * s, 22 * s}},
		{name: "burst 1", every: 30 * s, burst: 1,
			ready: []time.Duration{0, 0, 45 * s, 100 * s},
			want:  []time.Duration{0, 30 * s, 60 * s, 100 * s}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			srv := newArrivalServer(t, clk, tc.latency...)
			limits := fakeLimits(clk)
			limits.Declare("", srv.host, exportPrefix, tc.burst, time.Duration(tc.burst)*tc.every)
			c := fakeClient(clk, limits, Options{})
			for _, r := range tc.ready {
				if d := r - clk.Since(); d > 0 {
					clk.Advance(d)
				}
				if _, err := c.Get(context.Background(), srv.URL+exportPrefix+"tickets/cursor.json", nil); err != nil {
					t.Fatal(err)
				}
			}
			if got := srv.at(exportPrefix + "tickets/cursor.json"); !slices.Equal(got, tc.want) {
				t.Errorf("requests arrived at\n%v, want\n%v", got, tc.want)
			}
		})
	}
}

// TestDeclareAgainKeepsTheHistory: a reload re-declares the limit; the
// requests already sent still count, under the new limit.
func TestDeclareAgainKeepsTheHistory(t *testing.T) {
	cases := []struct {
		name         string
		every        time.Duration
		burst        int
		wantEleventh time.Duration
	}{
		{"same limit", 6 * time.Second, 10, time.Minute},
		{"raised to 30 a minute (High Volume add-on)", 2 * time.Second, 30, time.Second},
		{"lowered to 5 a minute", 12 * time.Second, 5, time.Minute},
		{"10 per 30 s", 3 * time.Second, 10, 30 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			srv := newArrivalServer(t, clk)
			limits := fakeLimits(clk)
			limits.Declare("", srv.host, exportPrefix, 10, time.Minute)
			c := fakeClient(clk, limits, Options{})
			get := func() {
				t.Helper()
				if _, err := c.Get(context.Background(), srv.URL+exportPrefix+"t.json", nil); err != nil {
					t.Fatal(err)
				}
			}
			for range 10 {
				get()
			}
			clk.Advance(time.Second)
			limits.Declare("", srv.host, exportPrefix, tc.burst, time.Duration(tc.burst)*tc.every)
			get()
			if got := srv.at(exportPrefix + "t.json"); got[10] != tc.wantEleventh {
				t.Errorf("11th request at %s, want %s", got[10], tc.wantEleventh)
			}
		})
	}
}

// TestRaisedLimitReleasesAWaitingRequest: a request waiting for its window
// goes as soon as a reload raises the limit, without waiting out the old one.
func TestRaisedLimitReleasesAWaitingRequest(t *testing.T) {
	clk := newFakeClock()
	srv := newArrivalServer(t, clk)
	limits := fakeLimits(clk)
	limits.Declare("", srv.host, exportPrefix, 1, time.Minute)
	c := fakeClient(clk, limits, Options{})
	if _, err := c.Get(context.Background(), srv.URL+exportPrefix+"t.json", nil); err != nil {
		t.Fatal(err)
	}
	clk.hold = true
	errc := make(chan error)
	go func() {
		_, err := c.Get(context.Background(), srv.URL+exportPrefix+"t.json", nil)
		errc <- err
	}()
	if d := <-clk.waits; d != time.Minute {
		t.Fatalf("second request waits %s, want 1m", d)
	}
	limits.Declare("", srv.host, exportPrefix, 2, 2*time.Minute)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got := srv.at(exportPrefix + "t.json"); !slices.Equal(got, []time.Duration{0, 0}) {
		t.Errorf("requests arrived at %v, want both at 0", got)
	}
}

// TestTwoDeclarersShareTheStrictest: two sources declaring different
// limits for one key are held to the stricter, whichever declared last; an
// owner's new declaration replaces its own old one only.
func TestTwoDeclarersShareTheStrictest(t *testing.T) {
	for _, order := range [][2]string{{"strict", "loose"}, {"loose", "strict"}} {
		t.Run(order[0]+" first", func(t *testing.T) {
			clk := newFakeClock()
			srv := newArrivalServer(t, clk)
			limits := fakeLimits(clk)
			declared := map[string]int{"strict": 1, "loose": 50}
			for _, owner := range order {
				limits.Declare(owner, srv.host, exportPrefix, declared[owner], time.Minute)
			}
			c := fakeClient(clk, limits, Options{})
			for range 2 {
				if _, err := c.Get(context.Background(), srv.URL+exportPrefix+"t.json", nil); err != nil {
					t.Fatal(err)
				}
			}
			if got := srv.at(exportPrefix + "t.json"); !slices.Equal(got, []time.Duration{0, time.Minute}) {
				t.Errorf("requests arrived at %v, want 1 a minute: %v", got, []time.Duration{0, time.Minute})
			}
			// The strict source raises its own limit: 50 a minute now.
			limits.Declare("strict", srv.host, exportPrefix, 50, time.Minute)
			if _, err := c.Get(context.Background(), srv.URL+exportPrefix+"t.json", nil); err != nil {
				t.Fatal(err)
			}
			if got := srv.at(exportPrefix + "t.json"); !slices.Equal(got, []time.Duration{0, time.Minute, time.Minute}) {
				t.Errorf("after the raise, requests arrived at %v, want the third at once", got)
			}
		})
	}
}

// TestDeclaredLimitCoversItsPrefixOnly: other paths of the host are not
// limited, and the longest declared prefix applies.
func TestDeclaredLimitCoversItsPrefixOnly(t *testing.T) {
	clk := newFakeClock()
	srv := newArrivalServer(t, clk)
	limits := fakeLimits(clk)
	limits.Declare("", srv.host, "/api/", 100, 100*time.Minute)
	limits.Declare("", srv.host, exportPrefix, 1, time.Minute)
	c := fakeClient(clk, limits, Options{})
	for _, p := range []string{exportPrefix + "a", "/api/v2/tickets.json", "/other", exportPrefix + "b", "/api/v2/tickets.json"} {
		if _, err := c.Get(context.Background(), srv.URL+p, nil); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]time.Duration{exportPrefix + "a": {0}, "/api/v2/tickets.json": {0, time.Minute}, "/other": {0}, exportPrefix + "b": {time.Minute}}
	for p, w := range want {
		if got := srv.at(p); !slices.Equal(got, w) {
			t.Errorf("%s arrived at %v, want %v", p, got, w)
		}
	}
}

// TestDeclaredLimitUnderConcurrency: sources of one account fetching in
// parallel never put more than burst requests in any window.
func TestDeclaredLimitUnderConcurrency(t *testing.T) {
	const workers, each, burst = 4, 6, 3
	const every = 10 * time.Second
	clk := newFakeClock()
	srv := newArrivalServer(t, clk)
	limits := fakeLimits(clk)
	limits.Declare("", srv.host, exportPrefix, burst, time.Duration(burst)*every)
	var wg sync.WaitGroup
	for range workers {
		c := fakeClient(clk, limits, Options{})
		wg.Go(func() {
			for range each {
				if _, err := c.Get(context.Background(), srv.URL+exportPrefix+"t.json", nil); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got := srv.at(exportPrefix + "t.json")
	slices.Sort(got)
	if len(got) != workers*each {
		t.Fatalf("%d requests arrived, want %d", len(got), workers*each)
	}
	for i := burst; i < len(got); i++ {
		if got[i]-got[i-burst] < burst*every {
			t.Errorf("requests %d..%d arrived within %s: %v", i-burst, i, got[i]-got[i-burst], got)
		}
	}
}

// TestRateLimitWaitIsCancellable: a request waiting for the vendor or for
// its window returns when its context ends, sends nothing, and gives its
// place back.
func TestRateLimitWaitIsCancellable(t *testing.T) {
	cases := []struct {
		name     string
		declare  bool          // a limit of one request a minute
		block    time.Duration // the host blocked after the first request
		wantWait time.Duration
	}{
		{name: "window", declare: true, wantWait: time.Minute},
		{name: "host blocked", block: 90 * time.Second, wantWait: 90 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			srv := newArrivalServer(t, clk)
			limits := fakeLimits(clk)
			if tc.declare {
				limits.Declare("", srv.host, "/", 1, time.Minute)
			}
			c := fakeClient(clk, limits, Options{})
			if _, err := c.Get(context.Background(), srv.URL+"/first", nil); err != nil {
				t.Fatal(err)
			}
			if tc.block > 0 {
				limits.block(srv.host, tc.block)
			}
			clk.hold = true
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error)
			go func() {
				_, err := c.Get(ctx, srv.URL+"/second", nil)
				errc <- err
			}()
			if d := <-clk.waits; d != tc.wantWait {
				t.Errorf("waits %s, want %s", d, tc.wantWait)
			}
			cancel()
			if err := <-errc; Reason(err) != ReasonRateLimited || !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want rate_limited, canceled", err)
			}
			if got := srv.at("/second"); len(got) != 0 {
				t.Fatalf("the cancelled request was sent at %v", got)
			}
			// Its place was given back: the next request waits for the
			// same instant, not one window later.
			clk.hold = false
			if _, err := c.Get(context.Background(), srv.URL+"/second", nil); err != nil {
				t.Fatal(err)
			}
			if got := srv.at("/second"); !slices.Equal(got, []time.Duration{tc.wantWait}) {
				t.Errorf("next request arrived at %v, want %s", got, tc.wantWait)
			}
		})
	}
}

// TestWaitBeyondTheDeadlineFailsAtOnce: a wait that would outlast the
// context's deadline is refused at once rather than held.
func TestWaitBeyondTheDeadlineFailsAtOnce(t *testing.T) {
	clk := newFakeClock()
	clk.hold = true // a timer would block the test: none may be started
	srv := newArrivalServer(t, clk)
	limits := fakeLimits(clk)
	limits.Declare("", srv.host, "/", 1, time.Hour)
	c := fakeClient(clk, limits, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.Get(ctx, srv.URL+"/a", nil); err != nil {
		t.Fatal(err)
	}
	_, err := c.Get(ctx, srv.URL+"/a", nil)
	if Reason(err) != ReasonRateLimited || len(clk.waits) != 0 {
		t.Fatalf("err = %v with %d timers, want rate_limited at once", err, len(clk.waits))
	}
	if got := srv.at("/a"); len(got) != 1 {
		t.Fatalf("%d requests sent, want 1", len(got))
	}
}
