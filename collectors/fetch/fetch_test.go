package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
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
			Options{MaxBodyBytes: 10}, ReasonTooLarge, 200, 0},
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
	clk := newFakeClock()
	limits := fakeLimits(clk)
	if _, err := fakeClient(clk, limits, Options{}).Get(context.Background(), srv.URL, nil); Reason(err) != ReasonRateLimited {
		t.Fatalf("first call: %v", err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if until := limits.BlockedUntil(host); !until.Equal(t0.Add(time.Hour)) {
		t.Fatalf("blocked until %s, want an hour after %s", until, t0)
	}
	// A second client on the same host (another source of the same vendor)
	// must not send anything while the host is blocked.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := fakeClient(clk, limits, Options{}).Get(ctx, srv.URL, nil)
	if Reason(err) != ReasonRateLimited || calls.Load() != 1 {
		t.Fatalf("second call: err=%v calls=%d; want rate_limited without a request", err, calls.Load())
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
