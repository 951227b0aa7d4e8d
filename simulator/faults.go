package simulator

import (
	"cmp"
	"context"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"time"
)

// Fault is a failure the next requests to an API suffer (see Sim.Inject
// and Sim.InjectSpec).
type Fault int

// Faults, each as a real vendor or network produces it. Each applies to
// every kind unless it says otherwise.
const (
	// FaultRateLimit answers 429 with Retry-After: 1 and exhausted
	// rate-limit headers (Google, which sends none, its RESOURCE_EXHAUSTED
	// envelope with Retry-After: 1).
	FaultRateLimit Fault = iota + 1
	// FaultServerError answers 500.
	FaultServerError
	// FaultTimeout holds the request 35 s (past a 30 s client timeout) or
	// until the client goes away, then answers normally.
	FaultTimeout
	// FaultMalformed answers 200 with the first half of the real body: JSON
	// that ends too early. The real body is the answer to the request made
	// unconditional, so that a page the client holds (GitHub's 304) still
	// has a body to damage.
	FaultMalformed
	// FaultTruncated answers 200 with a Content-Length of the whole real
	// body (unconditional, as for FaultMalformed), sends half of it and
	// closes the connection.
	FaultTruncated
	// FaultUnauthorized answers 401 as the API itself answers a revoked
	// credential (each vendor has its own body and headers); an API that
	// checks no credential, a public status page, answers as Zendesk does.
	FaultUnauthorized

	// FaultFutureTimes is a vendor whose clock runs years ahead: the real
	// answer (unconditional, as for FaultMalformed) with every time at or
	// after Spec.Since (every time when Since is zero) Spec.Years later
	// (default 10), in whichever form the API writes it (RFC 3339, Jira's
	// and Cachet's forms, Zendesk's generated_timestamp, Jira's epochMillis
	// and friendly dates; Statuspage's feed prints no year in its entry
	// bodies, which a whole number of years leaves as they are). So the
	// items changed since Since show those changes years ahead; once the
	// fault ends, their true times show again, with the updates made since.
	// Cursors stay true: they are opaque, the client only hands them back.
	FaultFutureTimes
	// FaultPastTimes is FaultFutureTimes with times Spec.Years earlier
	// (default 100: before the Unix epoch).
	FaultPastTimes
	// FaultEndlessSame: every page of a list says more follows and names
	// itself as the next page. Paged kinds only (zendesk, zendesk_requests,
	// freshdesk, github, jira_service_management, cachet, slack,
	// azure_support): Link rel="next"
	// to the same URL (Freshdesk, GitHub); end_of_stream false and the same
	// after_cursor (Zendesk's export); has_more true and the same
	// after_cursor (Requests); isLast false and the same nextPageToken
	// (JSM search), isLastPage false and _links.next to the same page (the
	// servicedeskapi); next_page the same page (Cachet); has_more true and
	// the same next_cursor (Slack); has_more true and the same page_token
	// (Lark); a nextLink to the same page (ARM); has_more true and the
	// page's own after_cursor (the help center); a sitemap index listing
	// itself too (docs.go).
	FaultEndlessSame
	// FaultEndlessGrowing: every page of a list says more follows and names
	// a next page never named before. Paged kinds only: where pages are
	// numbered (Freshdesk, GitHub, Cachet, the servicedeskapi's start),
	// the next number is one more and every page holds the first page's
	// items, already seen; where a cursor pages (Zendesk's export, the
	// Requests API, JSM's search, ARM's $skiptoken), pages follow as usual
	// and, past the last item, stay empty with a new cursor each time (the
	// help center too); a sitemap's every file is an index listing a file
	// never named before.
	FaultEndlessGrowing
	// FaultHugeBody answers 200 with a body of Spec.Size bytes (default 64
	// MiB), streamed without a Content-Length and never held in memory:
	// the real answer with padding inserted at the start of its first list
	// (copies of the list's first item; {} in an empty list; the feed's
	// first entry), so that what the client reads first is the API's own
	// shape. An answer without a list is padded with whitespace after its
	// first brace, which JSON allows.
	FaultHugeBody
	// FaultRetryAfterDate answers 429 with Retry-After as an HTTP date
	// Spec.Wait (default 30 s) after the vendor's clock, which the Date
	// header gives.
	FaultRetryAfterDate
	// FaultRateLimitNoReset answers 429 with Retry-After: Spec.Wait in
	// seconds (default 30) and X-Rate-Limit-Remaining: 0, and no header
	// saying when the quota resets.
	FaultRateLimitNoReset
	// FaultGitHubPrimaryLimit answers as GitHub does once the primary rate
	// limit is spent: 403, x-ratelimit-remaining 0, x-ratelimit-reset the
	// epoch second Spec.Wait (default 30 s) after the vendor's clock, and
	// GitHub's "API rate limit exceeded" body. github only.
	FaultGitHubPrimaryLimit
	// FaultForbidden answers 403 as the API itself answers a credential it
	// knows but that lacks the permission the request needs, each vendor
	// with its own body (faults_forbidden.go); a public status page, which
	// checks no credential, answers as the web server or CDN in front of it
	// answers a client it blocks: an HTML page.
	FaultForbidden
	// FaultReset resets the connection before any byte of the answer: the
	// request is read, then the connection is closed with SO_LINGER 0, so
	// that the client reads a TCP reset. Go's transport retries a GET whose
	// reused keep-alive connection fails so, once, on another connection:
	// inject it for more than one request, or for a duration, to make sure
	// the client sees it.
	FaultReset
	// FaultEmptyPage answers 200 with the real answer (unconditional, as for
	// FaultMalformed) showing no item, a vendor's glitch that lists nothing:
	// a page of a list with its lists emptied and saying no page follows, in
	// the API's own shape (faults_empty.go: the export's end_of_stream true
	// with the request's own position as after_cursor; has_more, isLast and
	// isLastPage; no Link to a next page; Cachet's counts; a feed without
	// entries). An answer that is one item, not a list (a ticket, an issue,
	// an account, a desk), and a list that belongs to one item (a ticket's
	// comments, conversations, timeline or SLA cycles) are served as they
	// are: the glitch is a list of items showing none.
	FaultEmptyPage
	// FaultUnsorted: the Requests API ignores sort_by and sort_order under
	// cursor pagination, as a Zendesk community report (2024-11, "Lists
	// Requests API with Cursor Pagination not sorting") says it does: the
	// list comes in id order, its page cursors following that order.
	// zendesk_requests only.
	FaultUnsorted
)

var faultNames = map[Fault]string{
	FaultRateLimit: "rate_limit", FaultServerError: "server_error", FaultTimeout: "timeout",
	FaultMalformed: "malformed", FaultTruncated: "truncated", FaultUnauthorized: "unauthorized",
	FaultFutureTimes: "future_times", FaultPastTimes: "past_times", FaultEndlessSame: "endless_same",
	FaultEndlessGrowing: "endless_growing", FaultHugeBody: "huge_body", FaultRetryAfterDate: "retry_after_date",
	FaultRateLimitNoReset: "rate_limit_no_reset", FaultGitHubPrimaryLimit: "github_primary_limit",
	FaultForbidden: "forbidden", FaultReset: "reset", FaultEmptyPage: "empty_page", FaultUnsorted: "unsorted",
}

func (f Fault) String() string {
	if n, ok := faultNames[f]; ok {
		return n
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// pagedKinds are the kinds whose lists are paged.
var pagedKinds = []string{KindZendesk, KindZendeskRequests, KindFreshdesk, KindGitHub, KindJSM, KindCachet, KindSlack, KindLark, KindGCPSupport, KindAzureSupport, KindAWSSupport,
	KindSitemap, KindZendeskHelpCenter} // a sitemap's files: an index leads to the next

// AppliesTo reports whether a real API of that kind can fail that way:
// whether InjectSpec plays f on kind, or refuses it. Tests that inject a
// fault into every kind ask it which kinds to leave out.
func (f Fault) AppliesTo(kind string) bool { return f.appliesTo(kind) }

// appliesTo reports whether a real API of that kind can fail that way.
func (f Fault) appliesTo(kind string) bool {
	if kind == KindIMAP {
		return imapFaults[f] // imap_faults.go
	}
	switch f {
	case FaultEndlessSame, FaultEndlessGrowing:
		return slices.Contains(pagedKinds, kind)
	case FaultGitHubPrimaryLimit:
		return kind == KindGitHub
	case FaultUnsorted:
		return kind == KindZendeskRequests
	}
	_, known := faultNames[f]
	return known
}

// Spec is a fault with its parameters, for InjectSpec. A zero parameter
// takes the fault's default.
type Spec struct {
	Fault Fault
	// Requests is how many requests the fault lasts; For, when set, is how
	// long instead (real time, from the first request it meets).
	Requests int
	For      time.Duration
	// After is how many requests the API answers as usual first, from the
	// injection on, before the fault plays: a fault on the third page of
	// a list, say.
	After int

	// Years is how far FaultFutureTimes and FaultPastTimes move times, and
	// Since the earliest time they move (zero: every time): the instant the
	// vendor's clock went wrong.
	Years int
	Since time.Time
	// Wait is how long the rate-limit faults tell the client to wait
	// (whole seconds).
	Wait time.Duration
	// Size is the body of FaultHugeBody, in bytes.
	Size int64
}

// EndFaults ends every fault injected into that API and not yet played
// out, as a vendor recovering does: a test injects a fault for as many
// requests as a sync makes, and ends it when the sync failed. A request
// that FaultTimeout holds is not released.
func (s *Sim) EndFaults(vendor, kind string) {
	if e := s.apis[apiKey{vendor, kind}]; e != nil {
		e.endFaults()
	}
}

// Fault parameters' defaults.
const (
	defaultFutureYears = 10
	defaultPastYears   = 100
	defaultWait        = 30 * time.Second
	defaultHugeSize    = 64 << 20
)

// timeoutHold outlasts the exporter's default 30 s request timeout.
const timeoutHold = 35 * time.Second

// serveFault answers r with the fault of spec; e.api is the real handler,
// whose answer some faults damage.
func (e *endpoint) serveFault(rw http.ResponseWriter, r *http.Request, spec Spec) {
	if e.kind == KindAWSSupport && e.serveAWSFault(rw, spec.Fault) {
		return
	}
	switch spec.Fault {
	case FaultRateLimit:
		if e.kind == KindLark { // Lark's gateway: its own headers and code
			writeLarkRateLimited(rw, time.Second)
			return
		}
		if e.kind == KindGCPSupport { // Google's quota error: no rate-limit headers
			rw.Header().Set("Retry-After", "1")
			writeGCPError(rw, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", gcpQuotaExceeded)
			return
		}
		if e.kind == KindAzureSupport {
			rw.Header().Set("Retry-After", "1")
			writeAzThrottled(rw, e.w, 1)
			return
		}
		h := rw.Header()
		for _, k := range []string{"X-Rate-Limit", "Ratelimit-Limit"} {
			h.Set(k, strconv.Itoa(accountLimit))
		}
		h.Set("X-Rate-Limit-Remaining", "0")
		h.Set("Ratelimit-Remaining", "0")
		h.Set("Ratelimit-Reset", "1")
		writeRateLimited(rw, time.Second, "Number of allowed API requests per minute exceeded")
	case FaultServerError:
		if e.kind == KindGCPSupport {
			writeGCPError(rw, http.StatusInternalServerError, "INTERNAL", "Internal error encountered.")
			return
		}
		http.Error(rw, "Internal Server Error", http.StatusInternalServerError)
	case FaultUnauthorized:
		if e.kind == KindSlack { // Slack answers invalid_auth with 200 and ok false
			revoked := r.Clone(r.Context())
			revoked.Header.Set("Authorization", r.Header.Get("Authorization")+"-revoked")
			e.api.ServeHTTP(rw, revoked)
			return
		}
		if e.kind == KindLark { // the app's secret reset: 400s with Lark's codes
			e.api.ServeHTTP(rw, larkRevoked(r))
			return
		}
		serveRevoked(rw, r, e.api)
	case FaultTimeout:
		t := time.NewTimer(timeoutHold)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-e.closing:
		case <-t.C:
			e.api.ServeHTTP(rw, r)
		}
	case FaultMalformed, FaultTruncated:
		rec := httptest.NewRecorder()
		e.api.ServeHTTP(rec, unconditional(r))
		body := rec.Body.Bytes()
		if spec.Fault == FaultMalformed {
			writeDamaged(rw, rec, body[:len(body)/2], len(body)/2)
			return
		}
		writeDamaged(rw, rec, body[:len(body)/2], len(body))
	case FaultFutureTimes:
		e.serveShifted(rw, r, cmp.Or(spec.Years, defaultFutureYears), spec.Since)
	case FaultPastTimes:
		e.serveShifted(rw, r, -cmp.Or(spec.Years, defaultPastYears), spec.Since)
	case FaultEndlessSame:
		e.api.ServeHTTP(rw, withEndless(r, endlessSame))
	case FaultEndlessGrowing:
		e.api.ServeHTTP(rw, withEndless(r, endlessGrowing))
	case FaultHugeBody:
		e.serveHuge(rw, r, cmp.Or(spec.Size, defaultHugeSize))
	case FaultRetryAfterDate, FaultRateLimitNoReset, FaultGitHubPrimaryLimit:
		e.serveLimited(rw, r, spec.Fault, cmp.Or(spec.Wait, defaultWait))
	case FaultForbidden:
		e.serveForbidden(rw, r)
	case FaultReset:
		resetConnection(rw)
	case FaultEmptyPage:
		e.serveEmpty(rw, r)
	case FaultUnsorted:
		e.api.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), unsortedKey{}, true)))
	default:
		http.Error(rw, "unknown fault "+spec.Fault.String(), http.StatusInternalServerError)
	}
}

type unsortedKey struct{}

// unsorted reports whether r is served under FaultUnsorted.
func unsorted(r *http.Request) bool {
	u, _ := r.Context().Value(unsortedKey{}).(bool)
	return u
}

// unconditional is r without the headers that let an API answer 304 Not
// Modified and no body.
func unconditional(r *http.Request) *http.Request {
	u := r.Clone(r.Context())
	for _, h := range []string{"If-None-Match", "If-Modified-Since"} {
		u.Header.Del(h)
	}
	return u
}

// serveRevoked answers r as api answers it once its credential is revoked:
// r with its secret spoiled, or with a bearer token when it carries none
// (an API that also serves anonymous calls, as GitHub's does, refuses a bad
// token). An API that answers anything but 401 checks no credential: the
// client gets Zendesk's 401 instead.
func serveRevoked(rw http.ResponseWriter, r *http.Request, api http.Handler) {
	revoked := r.Clone(r.Context())
	if user, pass, ok := r.BasicAuth(); ok {
		revoked.SetBasicAuth(user, pass+"-revoked")
	} else if auth := r.Header.Get("Authorization"); auth != "" {
		revoked.Header.Set("Authorization", auth+"-revoked")
	} else {
		revoked.Header.Set("Authorization", "Bearer revoked")
	}
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, revoked)
	if rec.Code != http.StatusUnauthorized {
		writeUnauthorized(rw)
		return
	}
	maps.Copy(rw.Header(), rec.Header())
	rw.WriteHeader(rec.Code)
	_, _ = rw.Write(rec.Body.Bytes())
}

// resetConnection closes the connection of rw before any byte of an
// answer, with SO_LINGER 0: the client reads a reset (FaultReset).
func resetConnection(rw http.ResponseWriter) {
	hj, ok := rw.(http.Hijacker)
	if !ok {
		http.Error(rw, "connection cannot be hijacked", http.StatusInternalServerError)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return // the client is gone
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// writeDamaged sends rec's headers with status 200 and a Content-Length of
// declared, then body, and closes the connection: when declared is larger
// than body, the client sees the connection end mid-body.
func writeDamaged(rw http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte, declared int) {
	hj, ok := rw.(http.Hijacker)
	if !ok {
		http.Error(rw, "connection cannot be hijacked", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return // the client is gone
	}
	defer conn.Close()
	h := rec.Header().Clone()
	h.Set("Content-Length", strconv.Itoa(declared))
	h.Set("Connection", "close")
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\n")
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(body)
	_ = buf.Flush()
}
