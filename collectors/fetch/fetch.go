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
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
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
	// RetryAfter is how long the response's Retry-After asked us to wait
	// (403, 429, 5xx), at most an hour, or zero.
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
	// Logger receives what the vendor should hear about (a wait beyond the
	// cap); never a URL's query. Default: discarded.
	Logger *slog.Logger
	// Now reads the clock against which an absolute rate-limit instant is
	// read when the response carries no Date header. Default time.Now.
	Now func() time.Time
}

// Client sends GET requests on behalf of one source.
type Client struct {
	hc     *http.Client
	opts   Options
	limits *Limits
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
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Client{hc: hc, opts: opts, limits: limits}
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

// Get fetches url once the vendor's and the declared rate limits allow it.
// A non-2xx status is an *Error; the body of a 2xx response is returned
// whole, or a decode error when it exceeds MaxBodyBytes or arrives
// truncated.
func (c *Client) Get(ctx context.Context, rawURL string, header http.Header) (*Response, error) {
	u := stripQuery(rawURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, classifyTransport(u, err)
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
	host, class := c.limits.key(req.URL)
	done, err := c.limits.acquire(ctx, host, class)
	if err != nil {
		return nil, &Error{Reason: ReasonRateLimited, URL: u, Err: err}
	}
	rctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	resp, err := c.hc.Do(req.WithContext(rctx))
	done()
	if err != nil {
		if ctx.Err() == nil { // our own cancellation (stop, reload) is no failed request
			c.opts.OnResponse("error")
		}
		return nil, classifyTransport(u, err)
	}
	defer resp.Body.Close()
	c.opts.OnResponse(strconv.Itoa(resp.StatusCode))
	limit := askedWait(resp.StatusCode, resp.Header, c.opts.Now())
	if limit.uncapped > maxWait {
		c.opts.Logger.Warn("vendor asked to wait longer than the cap; waiting the cap",
			"host", host, "asked", limit.uncapped.Round(time.Second), "cap", maxWait)
	}
	if limit.wait > 0 {
		c.limits.block(host, limit.wait)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, statusError(u, resp, limit)
	}
	body, err := c.readBody(u, resp)
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// statusError classifies a non-2xx answer.
func statusError(u string, resp *http.Response, limit asked) *Error {
	// Drain a little so the connection can be reused; the body of an
	// error page is never logged (it may echo request details).
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	e := &Error{Reason: ReasonHTTP, URL: u, Status: resp.StatusCode, RetryAfter: limit.retryAfter}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Reason = ReasonRateLimited
	case resp.StatusCode == http.StatusForbidden && limit.limited:
		e.Reason = ReasonRateLimited // GitHub's primary (quota spent) and secondary (Retry-After) limits
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		e.Reason = ReasonAuth
	}
	return e
}

// readBody reads a 2xx body of at most MaxBodyBytes.
func (c *Client) readBody(u string, resp *http.Response) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBodyBytes+1))
	if err != nil {
		if fe := classifyTransport(u, err); fe.Reason == ReasonTimeout {
			return nil, fe
		}
		return nil, &Error{Reason: ReasonDecode, URL: u, Status: resp.StatusCode, Err: fmt.Errorf("reading body: %w", err)}
	}
	if int64(len(body)) > c.opts.MaxBodyBytes {
		return nil, &Error{Reason: ReasonDecode, URL: u, Status: resp.StatusCode,
			Err: fmt.Errorf("response larger than %d bytes", c.opts.MaxBodyBytes)}
	}
	return body, nil
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
