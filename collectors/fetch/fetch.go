// Package fetch is the one place where support_exporter talks HTTP to
// vendors. Every request goes through a Client, which enforces the shared
// policy: a timeout per request, a cap on the response size, the vendor's
// advertised rate limits (Retry-After, X-RateLimit-* and RateLimit-*
// headers) plus any static limit a collector declares, under StartSync a
// per-sync request budget and loop check, and a classification of every
// failure into the reasons of support_source_errors_total.
package fetch

import (
	"bytes"
	"cmp"
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
	"sync"
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
	// Method is the request's method; empty for GET, which nearly every
	// request is.
	Method string
	URL    string // without query string: queries may carry cursors, never secrets, but keep logs short
	Status int    // HTTP status; 0 when no response arrived
	// RetryAfter is how long the response's Retry-After asked us to wait
	// (403, 429, 5xx), at most an hour, or zero.
	RetryAfter time.Duration
	Err        error
	// Body holds the first bytes (at most maxErrorBody) of a non-2xx
	// answer, for a collector to read the vendor's own error code from
	// (Lark's {code, msg} on a 400). Error never prints it: an error page
	// may echo request details.
	Body []byte
}

func (e *Error) Error() string {
	m := cmp.Or(e.Method, http.MethodGet)
	switch {
	case e.Status != 0 && e.Err != nil:
		return fmt.Sprintf("%s %s: HTTP %d: %v", m, e.URL, e.Status, e.Err)
	case e.Status != 0:
		return fmt.Sprintf("%s %s: HTTP %d", m, e.URL, e.Status)
	default:
		return fmt.Sprintf("%s %s: %v", m, e.URL, e.Err)
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

// DefaultMaxBodyBytes is the response-size cap of a Client whose kind
// declares none (WithMaxBodyBytes). The largest page of any supported API is
// a Zendesk export page of 1000 tickets with their metric sets, a few MiB;
// 16 MiB leaves room for long ticket descriptions while a hostile or broken
// vendor cannot make the process hold more than that per request.
const DefaultMaxBodyBytes = 16 << 20

// Options are the policy of one Client.
type Options struct {
	Timeout      time.Duration // per request, the body included; default 30s
	MaxBodyBytes int64         // default DefaultMaxBodyBytes
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

// Client sends GET requests on behalf of one source, the odd POST of a
// token endpoint (PostJSON), and the reads of an API whose every call is a
// POST (Post).
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
		opts.MaxBodyBytes = DefaultMaxBodyBytes
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

// Timeout is the per-request timeout (global.request_timeout): a kind
// that speaks another protocol (imap) bounds each command by it.
func (c *Client) Timeout() time.Duration { return c.opts.Timeout }

// Response is a successful (2xx) response, body read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Get fetches url once the vendor's and the declared rate limits allow it,
// and, under StartSync, the sync's budget and loop check. A non-2xx status
// is an *Error; the body of a 2xx response is returned whole, a too_large
// error when it exceeds MaxBodyBytes, or a decode error when it arrives
// truncated.
func (c *Client) Get(ctx context.Context, rawURL string, header http.Header) (*Response, error) {
	return c.do(ctx, outgoing{method: http.MethodGet, url: rawURL, header: header, loopCheck: true})
}

// PostJSON posts in, encoded as JSON, to url and decodes the JSON answer
// into out, under the same policy as Get: timeout, size cap, rate limits,
// the sync's budget (a POST counts as one request) and the failure
// reasons. It is for an API's token endpoint (Lark's
// tenant_access_token), never for changing anything at a vendor. The loop
// check does not apply: asking for a token again within a sync, once it
// expired, is no paging in a circle. in is never part of an error.
func (c *Client) PostJSON(ctx context.Context, rawURL string, header http.Header, in, out any) (*Response, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, &Error{Reason: ReasonDecode, Method: http.MethodPost, URL: stripQuery(rawURL), Err: err}
	}
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Accept", "application/json")
	resp, err := c.do(ctx, outgoing{method: http.MethodPost, url: rawURL, header: h, body: body})
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return nil, &Error{Reason: ReasonDecode, Method: http.MethodPost, URL: stripQuery(rawURL), Status: resp.Status, Err: err}
	}
	resp.Body = nil
	return resp, nil
}

// Post is a read sent as a POST: an API whose every call is a POST to one
// URL (AWS's JSON protocol, docs/sources.md `aws_support`) names the
// operation in a header and the page to read in the body.
type Post struct {
	URL    string
	Header http.Header
	Body   []byte
	// Sign, when set, signs the request (AWS Signature Version 4) once its
	// rate limits allowed it, just before it is sent: a signature dates
	// the request, and the vendor refuses one dated long before it
	// arrived. An error fails the request, unsent, with ReasonAuth. Sign
	// must never log what it adds.
	Sign func(*http.Request) error
}

// Post sends p under the same policy as Get: timeout, size cap, rate
// limits, the sync's budget and loop check, the failure reasons. The loop
// check keys p by its URL, headers and body: the same URL asking for
// another page is another request, the same page answered twice in a sync
// a loop. A non-2xx answer is an *Error whose Body holds the vendor's
// error envelope.
func (c *Client) Post(ctx context.Context, p Post) (*Response, error) {
	return c.do(ctx, outgoing{method: http.MethodPost, url: p.URL, header: p.Header, body: p.Body, loopCheck: true, sign: p.Sign})
}

// outgoing is what do sends: Get's, PostJSON's or Post's.
type outgoing struct {
	method string
	url    string
	header http.Header
	body   []byte // nil for none
	// loopCheck: the sync refuses the request once it got an answer to it
	// (requestKey). Not for PostJSON: a token asked for again once it
	// expired is no paging in a circle.
	loopCheck bool
	sign      func(*http.Request) error // Post.Sign
}

// do sends r under the Client's policy.
func (c *Client) do(ctx context.Context, r outgoing) (*Response, error) {
	resp, err := c.send(ctx, r)
	var fe *Error
	if err != nil && r.method != http.MethodGet && errors.As(err, &fe) && fe.Method == "" {
		fe.Method = r.method
	}
	return resp, err
}

// send is do before its errors name their method.
func (c *Client) send(ctx context.Context, r outgoing) (*Response, error) {
	u := stripQuery(r.url)
	var reqBody io.Reader
	if r.body != nil {
		reqBody = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, reqBody)
	if err != nil {
		return nil, classifyTransport(u, err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	// A GET asks for JSON unless told otherwise (a feed asks for XML); a
	// Post is sent with its caller's headers, as its caller signs them.
	if r.method == http.MethodGet && req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if c.opts.UserAgent != "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	run := syncOf(ctx)
	key, err := run.reserve(r, req.Header)
	if err != nil {
		return nil, err
	}
	host, class := c.limits.key(req.URL)
	done, err := c.limits.acquire(ctx, host, class)
	if err != nil {
		run.unreserve()
		return nil, &Error{Reason: ReasonRateLimited, URL: u, Err: err}
	}
	if r.sign != nil {
		if err := r.sign(req); err != nil {
			// Counted in a declared window as if sent: the cautious side
			// of a request that was never sent.
			done()
			run.unreserve()
			return nil, &Error{Reason: ReasonAuth, URL: u, Err: err}
		}
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
	// Closing a body not read to its end closes the connection: a body
	// over the cap is never drained.
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
	respBody, err := c.readBody(u, resp)
	if err != nil {
		return nil, err
	}
	if r.loopCheck {
		run.answer(key)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: respBody}, nil
}

// maxErrorBody is how much of a non-2xx answer is read and kept
// (Error.Body): every vendor's error envelope is far smaller.
const maxErrorBody = 64 << 10

// statusError classifies a non-2xx answer.
func statusError(u string, resp *http.Response, limit asked) *Error {
	// Read a little, so the connection can be reused and a collector can
	// read the vendor's error code; the body of an error page is never
	// logged (it may echo request details).
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &Error{Reason: ReasonHTTP, URL: u, Status: resp.StatusCode, RetryAfter: limit.retryAfter, Body: body}
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

// readBody reads a 2xx body of at most MaxBodyBytes. A declared length
// over the cap is refused before a byte is read; otherwise the read stops
// at the first byte past the cap, so a body too large is reported as such
// however slowly it arrives, and never held beyond the cap.
func (c *Client) readBody(u string, resp *http.Response) ([]byte, error) {
	capBytes := c.opts.MaxBodyBytes
	tooLarge := &Error{Reason: ReasonTooLarge, URL: u, Status: resp.StatusCode,
		Err: fmt.Errorf("response larger than the %d bytes this source accepts", capBytes)}
	if resp.ContentLength > capBytes {
		return nil, tooLarge
	}
	var body []byte
	var err error
	if resp.ContentLength >= 0 {
		// The length is known and within the cap: one allocation.
		body = make([]byte, resp.ContentLength)
		_, err = io.ReadFull(resp.Body, body)
	} else {
		body, err = readUpTo(resp.Body, capBytes)
		if errors.Is(err, errTooLarge) {
			return nil, tooLarge
		}
	}
	if err != nil {
		if fe := classifyTransport(u, err); fe.Reason == ReasonTimeout {
			return nil, fe
		}
		return nil, &Error{Reason: ReasonDecode, URL: u, Status: resp.StatusCode, Err: fmt.Errorf("reading body: %w", err)}
	}
	return body, nil
}

// chunkSize is the unit in which a body of unknown length is read.
const chunkSize = 256 << 10

// chunks are reused across reads: a body of unknown length costs one
// allocation of its own size, and one over the cap none, where io.ReadAll
// allocates about twice the body in growing copies, all of them garbage
// when the body turns out too large.
var chunks = sync.Pool{New: func() any { return new([chunkSize]byte) }}

var errTooLarge = errors.New("body over the cap")

// readUpTo reads r to its end into one exactly sized slice, or fails with
// errTooLarge as soon as more than capBytes arrived.
func readUpTo(r io.Reader, capBytes int64) ([]byte, error) {
	r = io.LimitReader(r, capBytes+1) // never a byte more than it takes to know
	var read []*[chunkSize]byte
	defer func() {
		for _, c := range read {
			chunks.Put(c)
		}
	}()
	var total int64
	var c *[chunkSize]byte
	used := chunkSize // of the last chunk
	for {
		if used == chunkSize {
			c, used = chunks.Get().(*[chunkSize]byte), 0
			read = append(read, c)
		}
		// One Read at a time, not ReadFull: the byte past the cap must be
		// seen as soon as it arrives, even if the rest never comes.
		n, err := r.Read(c[used:])
		used += n
		total += int64(n)
		if total > capBytes {
			return nil, errTooLarge
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	body := make([]byte, 0, total)
	for _, c := range read {
		body = append(body, c[:min(chunkSize, total-int64(len(body)))]...)
	}
	return body, nil
}

// GetJSON fetches url and decodes its JSON body into v. The returned
// Response carries no Body: v holds what it said, and keeping the bytes too
// would hold the page twice for as long as the caller keeps the Response.
func (c *Client) GetJSON(ctx context.Context, rawURL string, header http.Header, v any) (*Response, error) {
	resp, err := c.Get(ctx, rawURL, header)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return nil, &Error{Reason: ReasonDecode, URL: stripQuery(rawURL), Status: resp.Status, Err: err}
	}
	resp.Body = nil
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
