// Package fetch is the one place where support_exporter talks HTTP to
// vendors. Every request goes through a Client, which enforces the shared
// policy: a timeout per request, a cap on the response size, the vendor's
// advertised rate limits (Retry-After, X-RateLimit-* and RateLimit-*
// headers) plus any static limit a collector declares, and a classification
// of every failure into the reasons of support_source_errors_total.
package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Failure reasons, the `reason` label of support_source_errors_total.
const (
	ReasonNetwork     = "network"
	ReasonTimeout     = "timeout"
	ReasonRateLimited = "rate_limited"
	ReasonHTTP        = "http"
	ReasonAuth        = "auth"
	ReasonDecode      = "decode"
	// ReasonTooLarge: a response body over the source's size cap.
	ReasonTooLarge = "too_large"
	// ReasonLoop: the vendor led a sync in a circle (the same page link or
	// cursor twice, or pages that bring nothing new): the sync ends rather
	// than request without end.
	ReasonLoop = "loop"
	// ReasonBudget: a sync reached its source's max_requests_per_sync.
	ReasonBudget = "budget"
)

// Error is a failed request, classified.
type Error struct {
	Reason string
	URL    string // without query string: queries may carry cursors, never secrets, but keep logs short
	Status int    // HTTP status; 0 when no response arrived
	// RetryAfter is how long the vendor asked us to wait (429/503), or zero.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	switch {
	case e.Status != 0 && e.Err != nil:
		return fmt.Sprintf("GET %s: HTTP %d: %v", e.URL, e.Status, e.Err)
	case e.Status != 0:
		return fmt.Sprintf("GET %s: HTTP %d", e.URL, e.Status)
	default:
		return fmt.Sprintf("GET %s: %v", e.URL, e.Err)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Reason returns the failure reason of err: the Reason of a wrapped *Error,
// ReasonTimeout for deadline errors, else ReasonNetwork.
func Reason(err error) string {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Reason
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ReasonTimeout
	}
	return ReasonNetwork
}

// DecodeError wraps a decoding failure of a well-formed response (a
// collector's own checks on a body that parsed) so it is counted as decode.
func DecodeError(url string, err error) error {
	return &Error{Reason: ReasonDecode, URL: stripQuery(url), Err: err}
}

// LoopError ends a sync that the vendor's paging led in a circle (see
// ReasonLoop); url is the request that showed it.
func LoopError(url string, err error) error {
	return &Error{Reason: ReasonLoop, URL: stripQuery(url), Err: err}
}

// Options are the policy of one Client.
type Options struct {
	Timeout      time.Duration // per request; default 30s
	MaxBodyBytes int64         // default 64 MiB
	UserAgent    string
	// OnResponse is called once per request with the status code, or "error"
	// when no response arrived: support_source_requests_total.
	OnResponse func(code string)
}

// Client sends GET requests on behalf of one source.
type Client struct {
	hc     *http.Client
	opts   Options
	limits *Limits
	now    func() time.Time
}

// New returns a Client using hc (built from the source's http_client config)
// and the process-wide limits, which outlive config reloads.
func New(hc *http.Client, limits *Limits, opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 20
	}
	if opts.OnResponse == nil {
		opts.OnResponse = func(string) {}
	}
	return &Client{hc: hc, opts: opts, limits: limits, now: time.Now}
}

// WithMaxBodyBytes returns a Client like c whose responses may be at most n
// bytes: a kind whose pages are small by API contract declares a cap much
// smaller than the default, so that a vendor cannot make the process hold
// a huge body (docs/sources.md).
func (c *Client) WithMaxBodyBytes(n int64) *Client {
	d := *c
	d.opts.MaxBodyBytes = n
	return &d
}

// Response is a successful (2xx) response, body read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Get fetches url after the rate limiter allows it. A non-2xx status is an
// *Error; the body of a 2xx response is returned whole, or a decode error
// when it exceeds MaxBodyBytes or arrives truncated.
func (c *Client) Get(ctx context.Context, rawURL string, header http.Header) (*Response, error) {
	host, class := c.limits.key(rawURL)
	if err := c.limits.wait(ctx, host, class); err != nil {
		return nil, &Error{Reason: ReasonRateLimited, URL: stripQuery(rawURL), Err: err}
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &Error{Reason: ReasonNetwork, URL: stripQuery(rawURL), Err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if req.Header.Get("Accept") == "" { // a feed asks for XML
		req.Header.Set("Accept", "application/json")
	}
	if c.opts.UserAgent != "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if parent.Err() == nil { // our own cancellation (stop, reload) is no failed request
			c.opts.OnResponse("error")
		}
		return nil, classifyTransport(stripQuery(rawURL), err)
	}
	defer resp.Body.Close()
	c.opts.OnResponse(strconv.Itoa(resp.StatusCode))
	c.limits.observe(host, resp.StatusCode, resp.Header, c.now())

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused; the body of an
		// error page is never logged (it may echo request details).
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		e := &Error{Reason: ReasonHTTP, URL: stripQuery(rawURL), Status: resp.StatusCode}
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			e.Reason = ReasonAuth
			if ra, ok := retryAfter(resp.Header, c.now()); ok { // GitHub's secondary limits are 403 + Retry-After
				e.Reason, e.RetryAfter = ReasonRateLimited, ra
			} else if resp.Header.Get("X-RateLimit-Remaining") == "0" {
				e.Reason = ReasonRateLimited
			}
		case http.StatusTooManyRequests:
			e.Reason = ReasonRateLimited
			e.RetryAfter, _ = retryAfter(resp.Header, c.now())
		case http.StatusServiceUnavailable:
			e.RetryAfter, _ = retryAfter(resp.Header, c.now())
		}
		return nil, e
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBodyBytes+1))
	if err != nil {
		if fe := classifyTransport(stripQuery(rawURL), err); fe.Reason == ReasonTimeout {
			return nil, fe
		}
		return nil, &Error{Reason: ReasonDecode, URL: stripQuery(rawURL), Status: resp.StatusCode,
			Err: fmt.Errorf("reading body: %w", err)}
	}
	if int64(len(body)) > c.opts.MaxBodyBytes {
		return nil, &Error{Reason: ReasonDecode, URL: stripQuery(rawURL), Status: resp.StatusCode,
			Err: fmt.Errorf("response larger than %d bytes", c.opts.MaxBodyBytes)}
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// GetJSON fetches url and decodes its JSON body into v.
func (c *Client) GetJSON(ctx context.Context, rawURL string, header http.Header, v any) (*Response, error) {
	resp, err := c.Get(ctx, rawURL, header)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return nil, &Error{Reason: ReasonDecode, URL: stripQuery(rawURL), Status: resp.Status, Err: err}
	}
	return resp, nil
}

func classifyTransport(u string, err error) *Error {
	// *url.Error repeats the full URL, query string included; keep only its cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &Error{Reason: ReasonTimeout, URL: u, Err: err}
	}
	return &Error{Reason: ReasonNetwork, URL: u, Err: err}
}

func stripQuery(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// retryAfter parses Retry-After: delta seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// Limits holds the rate-limit state of every vendor host, shared by all
// sources and kept across config reloads, so that two sources on one vendor
// account, or a reload, never send more than the vendor allows.
type Limits struct {
	mu      sync.Mutex
	blocked map[string]time.Time           // host -> no request before this instant
	static  map[string]*rate.Limiter       // host+" "+class -> declared limit
	classes map[string]func(string) string // host -> path classifier
	now     func() time.Time
}

// NewLimits returns empty rate-limit state.
func NewLimits() *Limits {
	return &Limits{
		blocked: map[string]time.Time{},
		static:  map[string]*rate.Limiter{},
		classes: map[string]func(string) string{},
		now:     time.Now,
	}
}

// Declare sets a static limit for the requests to host whose path starts with
// pathPrefix (e.g. Zendesk's incremental exports: 10 per minute). The bucket
// lives as long as the Limits: re-declaring it on reload applies a changed
// limit and keeps the tokens already spent.
func (l *Limits) Declare(host, pathPrefix string, every time.Duration, burst int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := host + " " + pathPrefix
	if lim, ok := l.static[k]; ok {
		// A reload may change the plan's limit: apply it, keeping the tokens
		// already spent.
		lim.SetLimit(rate.Every(every))
		lim.SetBurst(burst)
		return
	}
	l.static[k] = rate.NewLimiter(rate.Every(every), burst)
	prev := l.classes[host]
	l.classes[host] = func(path string) string {
		if strings.HasPrefix(path, pathPrefix) {
			return pathPrefix
		}
		if prev != nil {
			return prev(path)
		}
		return ""
	}
}

func (l *Limits) key(rawURL string) (host, class string) {
	rest := rawURL
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	host, path := rest, "/"
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.classes[host]; f != nil {
		class = f(path)
	}
	return host, class
}

// wait blocks until host may be called, or fails at once when the wait would
// outlast ctx: the scheduler then retries after its back-off, which the
// blocked-until time also lengthens.
func (l *Limits) wait(ctx context.Context, host, class string) error {
	l.mu.Lock()
	until := l.blocked[host]
	lim := l.static[host+" "+class]
	l.mu.Unlock()
	if d := until.Sub(l.now()); d > 0 {
		if dl, ok := ctx.Deadline(); ok && l.now().Add(d).After(dl) {
			return fmt.Errorf("vendor asked to wait %s", d.Round(time.Second))
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	if lim != nil && class != "" {
		return lim.Wait(ctx)
	}
	return nil
}

// BlockedUntil returns when host may next be called (zero when it may now).
func (l *Limits) BlockedUntil(host string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.blocked[host]
}

// observe records what a response says about the vendor's limits.
func (l *Limits) observe(host string, status int, h http.Header, now time.Time) {
	var until time.Time
	if ra, ok := retryAfter(h, now); ok && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusForbidden) {
		until = now.Add(ra)
	}
	if remainingZero(h) {
		if r := resetAt(h, now); r.After(until) {
			until = r
		}
	}
	if until.IsZero() {
		return
	}
	l.mu.Lock()
	if until.After(l.blocked[host]) {
		l.blocked[host] = until
	}
	l.mu.Unlock()
}

func remainingZero(h http.Header) bool {
	for _, k := range []string{"X-RateLimit-Remaining", "X-Rate-Limit-Remaining", "RateLimit-Remaining"} {
		if v := strings.TrimSpace(h.Get(k)); v != "" {
			n, err := strconv.Atoi(v)
			return err == nil && n <= 0
		}
	}
	return false
}

// resetAt reads when an exhausted quota refills: X-RateLimit-Reset is a Unix
// time (GitHub), a number of seconds, or an ISO 8601 instant (Atlassian), and
// RateLimit-Reset a number of seconds (IETF draft, Zendesk). Without either,
// a minute is assumed: the common quota window.
func resetAt(h http.Header, now time.Time) time.Time {
	reset := strings.TrimSpace(h.Get("X-RateLimit-Reset"))
	if v, err := strconv.ParseInt(reset, 10, 64); err == nil {
		if v > 1_000_000_000 {
			return time.Unix(v, 0)
		}
		return now.Add(time.Duration(v) * time.Second)
	}
	if t, err := time.Parse(time.RFC3339, reset); err == nil {
		return t
	}
	if v, err := strconv.ParseInt(strings.TrimSpace(h.Get("RateLimit-Reset")), 10, 64); err == nil {
		return now.Add(time.Duration(v) * time.Second)
	}
	return now.Add(time.Minute)
}
