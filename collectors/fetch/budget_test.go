package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// followNext walks a paged API the way collectors do: it follows the
// Link rel="next" header, or a "?cursor=" the body names, until there is
// none, at most limit pages; it returns the pages fetched and the error
// that stopped it.
func followNext(ctx context.Context, c *Client, first string, limit int) (int, error) {
	next := first
	for n := range limit {
		resp, err := c.Get(ctx, next, nil)
		if err != nil {
			return n, err
		}
		if m := linkNext.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
			next = m[1]
		} else if cur, ok := strings.CutPrefix(string(resp.Body), "cursor="); ok {
			next = first + "?cursor=" + cur
		} else {
			return n + 1, nil
		}
	}
	return limit, nil
}

var linkNext = regexp.MustCompile(`<([^>]+)>;\s*rel="next"`)

func TestBudgetAndLoop(t *testing.T) {
	cases := []struct {
		name string
		// handler answers the i-th request (from 1).
		handler    func(w http.ResponseWriter, r *http.Request, i int, base string)
		max        int  // max_requests_per_sync; 0: none
		noSync     bool // no StartSync: a collector's unit test
		wantSent   int
		wantReason string
		wantSays   []string // what the error must tell the user
	}{
		{name: "Link always names the same next page", max: 100,
			handler: func(w http.ResponseWriter, _ *http.Request, _ int, base string) {
				w.Header().Set("Link", `<`+base+`/tickets?page=2>; rel="next"`)
			},
			wantSent: 2, wantReason: ReasonLoop,
			wantSays: []string{"already sent this request", "the next sync resumes from the stored cursor"}},
		{name: "a cursor that never ends, always new", max: 25,
			handler: func(w http.ResponseWriter, _ *http.Request, i int, _ string) {
				_, _ = w.Write([]byte("cursor=c" + strconv.Itoa(i)))
			},
			wantSent: 25, wantReason: ReasonBudget,
			wantSays: []string{"25 requests", "raise max_requests_per_sync (docs/configuration.md)", "the next sync resumes from the stored cursor"}},
		{name: "a cursor cycling through three values", max: 100,
			handler: func(w http.ResponseWriter, _ *http.Request, i int, _ string) {
				_, _ = w.Write([]byte("cursor=c" + strconv.Itoa(i%3)))
			},
			wantSent: 4, wantReason: ReasonLoop},
		{name: "errors count against the budget", max: 3,
			handler: func(w http.ResponseWriter, _ *http.Request, _ int, _ string) {
				w.WriteHeader(http.StatusBadGateway)
			},
			wantSent: 3, wantReason: ReasonBudget},
		{name: "no budget: the loop check still applies",
			handler: func(w http.ResponseWriter, _ *http.Request, _ int, base string) {
				w.Header().Set("Link", `<`+base+`/tickets?page=2>; rel="next"`)
			},
			wantSent: 2, wantReason: ReasonLoop},
		{name: "without StartSync neither check applies", noSync: true,
			handler: func(w http.ResponseWriter, _ *http.Request, _ int, base string) {
				w.Header().Set("Link", `<`+base+`/tickets?page=2>; rel="next"`)
			},
			wantSent: 50},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var sent atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tc.handler(w, r, int(sent.Add(1)), "http://"+r.Host)
			}))
			defer srv.Close()
			ctx := context.Background()
			if !tc.noSync {
				ctx = StartSync(ctx, tc.max)
			}
			c := New(&http.Client{}, NewLimits(), Options{})
			first := srv.URL + "/tickets"
			// A 502 is retried, as a caller may.
			var err error
			for range 50 {
				var n int
				n, err = followNext(ctx, c, first, 50)
				if n == 50 || Reason(err) != ReasonHTTP {
					break
				}
			}
			if got := int(sent.Load()); got != tc.wantSent {
				t.Errorf("%d requests reached the vendor, want %d", got, tc.wantSent)
			}
			if tc.wantReason == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if Reason(err) != tc.wantReason {
				t.Fatalf("err = %v, want reason %s", err, tc.wantReason)
			}
			for _, s := range tc.wantSays {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "cursor=") || strings.Contains(err.Error(), "page=") {
				t.Errorf("error %q carries the query", err)
			}
		})
	}
}

// TestLoopCheckTellsRequestsApart: a request is repeated only with the same
// URL, query included, and the same conditional headers, after a 2xx.
func TestLoopCheckTellsRequestsApart(t *testing.T) {
	type req struct {
		path       string
		etag       string // If-None-Match
		auth       string // Authorization
		status     int    // the vendor's answer
		wantReason string // "" when the answer reaches the caller
	}
	cases := []struct {
		name string
		reqs []req
	}{
		{"another query is another page", []req{
			{path: "/a?page=1", status: 200}, {path: "/a?page=2", status: 200}, {path: "/a?page=1", status: 200, wantReason: ReasonLoop}}},
		{"a new ETag is a new question", []req{
			{path: "/a", etag: `"v1"`, status: 200}, {path: "/a", etag: `"v2"`, status: 200}, {path: "/a", etag: `"v1"`, status: 200, wantReason: ReasonLoop}}},
		{"a new token is a new question", []req{
			{path: "/a", auth: "Bearer t-1", status: 200}, {path: "/a", auth: "Bearer t-2", status: 200}, {path: "/a", auth: "Bearer t-2", status: 200, wantReason: ReasonLoop}}},
		{"a failed request may be asked again", []req{
			{path: "/a", status: 500, wantReason: ReasonHTTP}, {path: "/a", status: 200}}},
		{"a 304 is no answer to loop on", []req{
			{path: "/a", etag: `"v1"`, status: 304, wantReason: ReasonHTTP}, {path: "/a", etag: `"v1"`, status: 304, wantReason: ReasonHTTP}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				status, _ := strconv.Atoi(r.Header.Get("X-Test-Status"))
				w.WriteHeader(status)
			}))
			defer srv.Close()
			ctx := StartSync(context.Background(), 0)
			c := New(&http.Client{}, NewLimits(), Options{})
			for i, r := range tc.reqs {
				h := http.Header{"X-Test-Status": {strconv.Itoa(r.status)}}
				if r.etag != "" {
					h.Set("If-None-Match", r.etag)
				}
				if r.auth != "" {
					h.Set("Authorization", r.auth)
				}
				_, err := c.Get(ctx, srv.URL+r.path, h)
				if got := Reason(err); (err == nil) != (r.wantReason == "") || (err != nil && got != r.wantReason) {
					t.Errorf("request %d (%s %s): err %v, want reason %q", i+1, r.path, r.etag, err, r.wantReason)
				}
			}
		})
	}
}

// TestBudgetUnderConcurrency: a collector fetching in parallel gets exactly
// its budget of requests, however they interleave.
func TestBudgetUnderConcurrency(t *testing.T) {
	const workers, each, budget = 8, 10, 25
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { sent.Add(1) }))
	defer srv.Close()
	ctx := StartSync(context.Background(), budget)
	c := New(&http.Client{}, NewLimits(), Options{})
	var refused atomic.Int32
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				_, err := c.Get(ctx, srv.URL+"/t/"+strconv.Itoa(w*each+i), nil)
				switch {
				case Reason(err) == ReasonBudget:
					refused.Add(1)
				case err != nil:
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if sent.Load() != budget || refused.Load() != workers*each-budget {
		t.Fatalf("%d sent and %d refused, want %d and %d", sent.Load(), refused.Load(), budget, workers*each-budget)
	}
}

// TestUnsentRequestCostsNoBudget: a request refused while waiting for the
// vendor's rate limit was not sent, and does not count.
func TestUnsentRequestCostsNoBudget(t *testing.T) {
	clk := newFakeClock()
	srv := newArrivalServer(t, clk)
	limits := fakeLimits(clk)
	c := fakeClient(clk, limits, Options{})
	ctx := StartSync(context.Background(), 2)
	if _, err := c.Get(ctx, srv.URL+"/1", nil); err != nil {
		t.Fatal(err)
	}
	limits.block(srv.host, time.Hour)
	short, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := c.Get(short, srv.URL+"/2", nil); Reason(err) != ReasonRateLimited {
		t.Fatalf("err = %v, want rate_limited before sending", err)
	}
	if _, err := c.Get(ctx, srv.URL+"/2", nil); err != nil {
		t.Fatalf("the second request sent: %v", err)
	}
	if _, err := c.Get(ctx, srv.URL+"/3", nil); Reason(err) != ReasonBudget {
		t.Fatalf("third request sent: err = %v, want budget", err)
	}
}

// TestBudgetErrorIsAnError: errors.As finds the *Error under a collector's
// wrapping, so the runner counts the reason.
func TestBudgetErrorIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	ctx := StartSync(context.Background(), 1)
	c := New(&http.Client{}, NewLimits(), Options{})
	_, _ = c.Get(ctx, srv.URL+"/a", nil)
	_, err := c.Get(ctx, srv.URL+"/b", nil)
	var fe *Error
	if wrapped := errors.Join(errors.New("zendesk: export page 2"), err); !errors.As(wrapped, &fe) || fe.Reason != ReasonBudget || Reason(wrapped) != ReasonBudget {
		t.Fatalf("err = %v, want a *Error with reason budget", err)
	}
}
