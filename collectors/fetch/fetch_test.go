package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func newClient(t *testing.T, limits *Limits, opts Options) *Client {
	t.Helper()
	return New(&http.Client{}, limits, opts)
}

func TestGetClassifiesFailures(t *testing.T) {
	cases := []struct {
		name       string
		handler    http.HandlerFunc
		opts       Options
		wantReason string
		wantStatus int
		wantRetry  time.Duration
	}{
		{"unauthorized", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, `{"error":"Couldn't authenticate you"}`, http.StatusUnauthorized)
		}, Options{}, ReasonAuth, 401, 0},
		{"forbidden", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }, Options{}, ReasonAuth, 403, 0},
		{"github secondary limit", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusForbidden)
		}, Options{}, ReasonRateLimited, 403, 60 * time.Second},
		{"github primary limit", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.WriteHeader(http.StatusForbidden)
		}, Options{}, ReasonRateLimited, 403, 0},
		{"too many requests", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		}, Options{}, ReasonRateLimited, 429, 7 * time.Second},
		{"server error", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) }, Options{}, ReasonHTTP, 500, 0},
		{"body too large", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(strings.Repeat("x", 100))) },
			Options{MaxBodyBytes: 10}, ReasonDecode, 200, 0},
		{"truncated body", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "1000")
			_, _ = w.Write([]byte(`{"tickets":[`))
		}, Options{}, ReasonDecode, 200, 0},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, Options{Timeout: 50 * time.Millisecond}, ReasonTimeout, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			c := newClient(t, NewLimits(), tc.opts)
			_, err := c.Get(context.Background(), srv.URL+"/api?cursor=abc", nil)
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if fe.Reason != tc.wantReason || fe.Status != tc.wantStatus || fe.RetryAfter != tc.wantRetry {
				t.Errorf("got reason=%s status=%d retry=%s, want %s %d %s", fe.Reason, fe.Status, fe.RetryAfter, tc.wantReason, tc.wantStatus, tc.wantRetry)
			}
			if Reason(err) != tc.wantReason {
				t.Errorf("Reason() = %s", Reason(err))
			}
			if strings.Contains(err.Error(), "cursor=abc") {
				t.Errorf("error %q carries the query string", err)
			}
		})
	}
}

func TestGetJSONDecodeError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"a":`)) }))
	defer srv.Close()
	var v map[string]any
	_, err := newClient(t, NewLimits(), Options{}).GetJSON(context.Background(), srv.URL, nil, &v)
	if Reason(err) != ReasonDecode {
		t.Fatalf("reason = %s (%v), want decode", Reason(err), err)
	}
}

func TestCountsEveryRequestByCode(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 2 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	codes := map[string]int{}
	c := newClient(t, NewLimits(), Options{OnResponse: func(code string) { codes[code]++ }})
	for range 3 {
		_, _ = c.Get(context.Background(), srv.URL, nil)
	}
	srv.Close()
	_, _ = c.Get(context.Background(), srv.URL, nil)
	if codes["200"] != 2 || codes["502"] != 1 || codes["error"] != 1 {
		t.Fatalf("codes = %v", codes)
	}
}

func TestRetryAfterBlocksTheHost(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	limits := NewLimits()
	c := newClient(t, limits, Options{})
	if _, err := c.Get(context.Background(), srv.URL, nil); Reason(err) != ReasonRateLimited {
		t.Fatalf("first call: %v", err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if until := limits.BlockedUntil(host); time.Until(until) < 59*time.Minute {
		t.Fatalf("blocked until %s, want about an hour from now", until)
	}
	// A second client on the same host (another source of the same vendor)
	// must not send anything while the host is blocked.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := newClient(t, limits, Options{}).Get(ctx, srv.URL, nil)
	if Reason(err) != ReasonRateLimited || calls.Load() != 1 {
		t.Fatalf("second call: err=%v calls=%d; want rate_limited without a request", err, calls.Load())
	}
}

func TestExhaustedQuotaWaitsForReset(t *testing.T) {
	cases := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"github unix reset", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"%UNIX+120%"}}, 120 * time.Second},
		{"ietf draft seconds", http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"30"}}, 30 * time.Second},
		{"atlassian iso 8601", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"%ISO+90%"}}, 90 * time.Second},
		{"zendesk legacy, no reset", http.Header{"X-Rate-Limit-Remaining": {"0"}}, time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Now()
			for k, v := range tc.header {
				switch v[0] {
				case "%UNIX+120%":
					tc.header[k] = []string{strconv.FormatInt(now.Unix()+120, 10)}
				case "%ISO+90%":
					tc.header[k] = []string{now.Add(90 * time.Second).UTC().Format(time.RFC3339)}
				}
			}
			l := NewLimits()
			l.observe("h", 200, tc.header, now)
			got := l.BlockedUntil("h").Sub(now)
			if got < tc.want-time.Second || got > tc.want+time.Second {
				t.Fatalf("blocked for %s, want %s", got, tc.want)
			}
		})
	}
	l := NewLimits()
	l.observe("h", 200, http.Header{"X-Rate-Limit-Remaining": {"5"}}, time.Now())
	if !l.BlockedUntil("h").IsZero() {
		t.Fatal("remaining quota must not block")
	}
}

func TestDeclaredLimitSpacesRequests(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { calls.Add(1) }))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	limits := NewLimits()
	limits.Declare(host, "/api/v2/incremental/", time.Hour, 2)
	c := newClient(t, limits, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	for range 3 {
		_, _ = c.Get(ctx, srv.URL+"/api/v2/incremental/tickets/cursor.json", nil)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d export requests went out, want the burst of 2", calls.Load())
	}
	// Other paths on the host are not limited by the export bucket.
	if _, err := c.Get(context.Background(), srv.URL+"/api/v2/tickets.json", nil); err != nil || calls.Load() != 3 {
		t.Fatalf("other path: err=%v calls=%d", err, calls.Load())
	}
	// Declaring the same limit again (a reload) keeps the spent bucket.
	limits.Declare(host, "/api/v2/incremental/", time.Hour, 2)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	_, _ = c.Get(ctx2, srv.URL+"/api/v2/incremental/tickets/cursor.json", nil)
	if calls.Load() != 3 {
		t.Fatal("re-declaring the same limit refilled the bucket")
	}
	// A reload with a higher limit (a plan upgrade) applies at once.
	limits.Declare(host, "/api/v2/incremental/", time.Millisecond, 2)
	ctx3, cancel3 := context.WithTimeout(context.Background(), time.Second)
	defer cancel3()
	if _, err := c.Get(ctx3, srv.URL+"/api/v2/incremental/tickets/cursor.json", nil); err != nil || calls.Load() != 4 {
		t.Fatalf("after raising the limit: err=%v calls=%d", err, calls.Load())
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}
	if d, ok := retryAfter(h, now); !ok || d != 90*time.Second {
		t.Fatalf("retryAfter = %s %v", d, ok)
	}
}

// TestOwnCancellationIsNoFailedRequest: a request we abort (stop, reload)
// is not counted as a request that failed; one that times out is.
func TestOwnCancellationIsNoFailedRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	codes := map[string]int{}
	c := newClient(t, NewLimits(), Options{Timeout: 100 * time.Millisecond, OnResponse: func(code string) { codes[code]++ }})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, _ = c.Get(ctx, srv.URL, nil)
	if codes["error"] != 0 {
		t.Fatalf("our own cancellation counted: %v", codes)
	}
	if _, err := c.Get(context.Background(), srv.URL, nil); Reason(err) != ReasonTimeout || codes["error"] != 1 {
		t.Fatalf("timeout: reason %s, codes %v", Reason(err), codes)
	}
}
