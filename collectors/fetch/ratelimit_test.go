package fetch

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestVendorWaits: after one answer, the next request to the host goes
// exactly when the vendor's headers say, read on the vendor's own clock
// (its Date header) however far ours is from it. The first three cases are
// the tester's measurements: 1 s, 1 s and 60 s before the fix.
func TestVendorWaits(t *testing.T) {
	unix := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	cases := []struct {
		name   string
		skew   time.Duration // the vendor's clock minus ours
		status int
		header func(vendorNow time.Time) http.Header
		noDate bool // the response has no Date header: instants are read on our clock

		wantWait   time.Duration // until the next request may go
		wantReason string        // of the first request; "" for success
		wantRetry  time.Duration // Error.RetryAfter
		wantLog    bool          // the wait was capped
	}{
		{name: "Retry-After HTTP date, vendor 11 s behind", skew: -11 * time.Second, status: 429,
			header: func(v time.Time) http.Header {
				return http.Header{"Retry-After": {v.Add(12 * time.Second).Format(http.TimeFormat)}}
			},
			wantWait: 12 * time.Second, wantReason: ReasonRateLimited, wantRetry: 12 * time.Second},
		{name: "GitHub reset epoch on a 200, vendor 9 s behind", skew: -9 * time.Second, status: 200,
			header: func(v time.Time) http.Header {
				return http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {unix(v.Add(10 * time.Second))}}
			},
			wantWait: 10 * time.Second},
		{name: "Retry-After wins over the guessed minute", status: 429,
			header: func(time.Time) http.Header {
				return http.Header{"Retry-After": {"30"}, "X-Rate-Limit-Remaining": {"0"}}
			},
			wantWait: 30 * time.Second, wantReason: ReasonRateLimited, wantRetry: 30 * time.Second},
		{name: "Lark's x-ogw-ratelimit-reset on a 429", status: 429,
			header: func(time.Time) http.Header {
				return http.Header{"X-Ogw-Ratelimit-Reset": {"9"}, "X-Ogw-Ratelimit-Limit": {"50"}}
			},
			wantWait: 9 * time.Second, wantReason: ReasonRateLimited, wantRetry: 9 * time.Second},
		{name: "Retry-After seconds", status: 429,
			header:   func(time.Time) http.Header { return http.Header{"Retry-After": {"7"}} },
			wantWait: 7 * time.Second, wantReason: ReasonRateLimited, wantRetry: 7 * time.Second},
		{name: "Retry-After HTTP date on a 503, vendor 1 h ahead", skew: time.Hour, status: 503,
			header: func(v time.Time) http.Header {
				return http.Header{"Retry-After": {v.Add(90 * time.Second).Format(http.TimeFormat)}}
			},
			wantWait: 90 * time.Second, wantReason: ReasonHTTP, wantRetry: 90 * time.Second},
		{name: "Retry-After HTTP date without Date: our clock", status: 429, noDate: true,
			header: func(time.Time) http.Header {
				return http.Header{"Retry-After": {t0.Add(45 * time.Second).Format(http.TimeFormat)}}
			},
			wantWait: 45 * time.Second, wantReason: ReasonRateLimited, wantRetry: 45 * time.Second},
		{name: "GitHub secondary limit: 403 and Retry-After", status: 403,
			header:   func(time.Time) http.Header { return http.Header{"Retry-After": {"60"}} },
			wantWait: time.Minute, wantReason: ReasonRateLimited, wantRetry: time.Minute},
		{name: "GitHub primary limit: 403, quota spent, reset epoch", status: 403,
			header: func(v time.Time) http.Header {
				return http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {unix(v.Add(25 * time.Minute))}}
			},
			wantWait: 25 * time.Minute, wantReason: ReasonRateLimited},
		{name: "403 with Retry-After 0: a rate limit already over", status: 403,
			header:     func(time.Time) http.Header { return http.Header{"Retry-After": {"0"}} },
			wantReason: ReasonRateLimited},
		{name: "403, quota spent, reset already past: a rate limit already over", status: 403,
			header: func(v time.Time) http.Header {
				return http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {unix(v.Add(-time.Hour))}}
			},
			wantReason: ReasonRateLimited},
		{name: "403 without rate-limit headers: auth", status: 403,
			header:     func(time.Time) http.Header { return http.Header{"X-Ratelimit-Remaining": {"12"}} },
			wantReason: ReasonAuth},
		{name: "GitHub: Retry-After and reset, the later wins", status: 429,
			header: func(v time.Time) http.Header {
				return http.Header{"Retry-After": {"20"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {unix(v.Add(50 * time.Second))}}
			},
			wantWait: 50 * time.Second, wantReason: ReasonRateLimited, wantRetry: 20 * time.Second},
		{name: "IETF draft on a 200", status: 200,
			header: func(time.Time) http.Header {
				return http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"30"}}
			},
			wantWait: 30 * time.Second},
		{name: "Zendesk 429: Retry-After, ratelimit-reset, X-Rate-Limit-Remaining", status: 429,
			header: func(time.Time) http.Header {
				return http.Header{"Retry-After": {"12"}, "X-Rate-Limit-Remaining": {"0"}, "Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"12"}}
			},
			wantWait: 12 * time.Second, wantReason: ReasonRateLimited, wantRetry: 12 * time.Second},
		{name: "Zendesk 200: X-Rate-Limit-Remaining 0 alone, a minute guessed", status: 200,
			header:   func(time.Time) http.Header { return http.Header{"X-Rate-Limit-Remaining": {"0"}} },
			wantWait: time.Minute},
		{name: "Freshdesk 429: X-Ratelimit-Remaining 0 and Retry-After", status: 429,
			header: func(time.Time) http.Header {
				return http.Header{"X-Ratelimit-Total": {"200"}, "X-Ratelimit-Remaining": {"0"}, "Retry-After": {"25"}}
			},
			wantWait: 25 * time.Second, wantReason: ReasonRateLimited, wantRetry: 25 * time.Second},
		{name: "Atlassian: reset written to the minute", status: 200,
			header: func(v time.Time) http.Header {
				return http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {v.Add(2 * time.Minute).Format("2006-01-02T15:04Z")}}
			},
			wantWait: 2 * time.Minute},
		{name: "Atlassian 429: reset ISO 8601 before Retry-After", status: 429,
			header: func(v time.Time) http.Header {
				return http.Header{"Retry-After": {"30"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {v.Format(time.RFC3339)}}
			},
			wantWait: 30 * time.Second, wantReason: ReasonRateLimited, wantRetry: 30 * time.Second},
		{name: "quota left: no wait", status: 200,
			header: func(v time.Time) http.Header {
				return http.Header{"X-Ratelimit-Remaining": {"4999"}, "X-Ratelimit-Reset": {unix(v.Add(time.Hour))}}
			}},
		{name: "Retry-After on a 200 means nothing", status: 200,
			header: func(time.Time) http.Header { return http.Header{"Retry-After": {"120"}} }},
		{name: "a Retry-After of a year is capped at an hour", status: 429,
			header:   func(time.Time) http.Header { return http.Header{"Retry-After": {"31536000"}} },
			wantWait: time.Hour, wantReason: ReasonRateLimited, wantRetry: time.Hour, wantLog: true},
		{name: "a reset epoch years ahead is capped at an hour", status: 200,
			header: func(v time.Time) http.Header {
				return http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {unix(v.AddDate(5, 0, 0))}}
			},
			wantWait: time.Hour, wantLog: true},
		{name: "a Retry-After past any Duration saturates, then is capped", status: 429,
			header:   func(time.Time) http.Header { return http.Header{"Retry-After": {"99999999999999999999999"}} },
			wantWait: time.Hour, wantReason: ReasonRateLimited, wantRetry: time.Hour, wantLog: true},
		{name: "Retry-After Inf, NaN, negative or exponent is no value", status: 429,
			header: func(time.Time) http.Header {
				return http.Header{"Retry-After": {"Inf"}, "X-Rate-Limit-Remaining": {"0"}, "Ratelimit-Reset": {"-5"}, "X-Ratelimit-Reset": {"1e3"}}
			},
			wantWait: time.Minute, wantReason: ReasonRateLimited},
		{name: "a reset in the past: no wait beyond now", status: 200,
			header: func(v time.Time) http.Header {
				return http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {unix(v.Add(-time.Minute))}}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			var mu sync.Mutex
			var arrivals []time.Duration
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				arrivals = append(arrivals, clk.Since())
				if len(arrivals) > 1 {
					return // the second request is only timed
				}
				vendorNow := clk.Now().Add(tc.skew)
				for k, v := range tc.header(vendorNow) {
					w.Header()[k] = v
				}
				w.Header()["Date"] = nil // suppresses net/http's own
				if !tc.noDate {
					w.Header().Set("Date", vendorNow.Format(http.TimeFormat))
				}
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			var logs bytes.Buffer
			limits := fakeLimits(clk)
			c := fakeClient(clk, limits, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})

			_, err := c.Get(context.Background(), srv.URL+"/api?cursor=s3cr3t", nil)
			if tc.wantReason == "" && err != nil {
				t.Fatalf("first request: %v", err)
			}
			if tc.wantReason != "" {
				var fe *Error
				if !errors.As(err, &fe) || fe.Reason != tc.wantReason || fe.RetryAfter != tc.wantRetry {
					t.Fatalf("first request: err %v, want reason %s, RetryAfter %s", err, tc.wantReason, tc.wantRetry)
				}
			}
			host := strings.TrimPrefix(srv.URL, "http://")
			if got := limits.BlockedFor(host); got != tc.wantWait {
				t.Errorf("BlockedFor = %s, want %s", got, tc.wantWait)
			}
			if _, err := c.Get(context.Background(), srv.URL+"/api", nil); err != nil {
				t.Fatalf("second request: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(arrivals) != 2 || arrivals[1] != tc.wantWait {
				t.Errorf("requests arrived at %v, want the second after %s", arrivals, tc.wantWait)
			}
			wantLogs := 0
			if tc.wantLog {
				wantLogs = 1
			}
			if logged := strings.Count(logs.String(), "level=WARN"); logged != wantLogs {
				t.Errorf("%d warnings logged, want capped=%v:\n%s", logged, tc.wantLog, logs.String())
			}
			if tc.wantLog && (!strings.Contains(logs.String(), "host="+host) || strings.Contains(logs.String(), "s3cr3t")) {
				t.Errorf("log %q must name the host and never the query", logs.String())
			}
		})
	}
}

// TestBlockedHostSpellings: a host is one key however its URLs spell it
// (the configured URL versus the vendor's own next-page links).
func TestBlockedHostSpellings(t *testing.T) {
	clk := newFakeClock()
	l := fakeLimits(clk)
	l.block(normalizeHost("Acme.Zendesk.com:443"), time.Minute)
	for _, h := range []string{"acme.zendesk.com", "ACME.zendesk.com", "acme.zendesk.com:443"} {
		if got := l.BlockedFor(h); got != time.Minute {
			t.Errorf("BlockedFor(%q) = %s, want 1m", h, got)
		}
	}
	if got := l.BlockedFor("other.zendesk.com"); got != 0 {
		t.Errorf("another host is blocked for %s", got)
	}
}
