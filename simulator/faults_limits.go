package simulator

import (
	"net"
	"net/http"
	"strconv"
	"time"
)

// serveLimited answers a rate-limit fault, f, telling the client to wait
// wait: as of the vendor's clock, which the Date header gives, so that a
// client that reads an HTTP date or an epoch second against that header
// (or its own clock, under the demo's) waits exactly that long.
func (e *endpoint) serveLimited(rw http.ResponseWriter, r *http.Request, f Fault, wait time.Duration) {
	now := e.clock().UTC().Truncate(time.Second)
	wait = time.Duration(retryAfterSeconds(wait)) * time.Second
	h := rw.Header()
	h.Set("Date", now.Format(http.TimeFormat))
	switch f {
	case FaultGitHubPrimaryLimit:
		writeGitHubPrimaryLimit(rw, r, now.Add(wait))
		return
	case FaultRetryAfterDate:
		h.Set("Retry-After", now.Add(wait).Format(http.TimeFormat))
	case FaultRateLimitNoReset:
		h.Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
		h.Set("X-Rate-Limit-Remaining", "0")
	}
	if e.kind == KindGitHub {
		writeGhError(rw, http.StatusTooManyRequests, ghSecondaryLimit)
		return
	}
	if e.kind == KindLark { // the headers under test, Lark's body and code
		writeLarkError(rw, http.StatusTooManyRequests, 99991400, "request trigger frequency limit")
		return
	}
	// The other kinds answer as FaultRateLimit does, with Zendesk's error.
	writeZendeskError(rw, http.StatusTooManyRequests, "APIRateLimitExceeded", "Number of allowed API requests per minute exceeded")
}

// ghSecondaryLimit is GitHub's message for a secondary rate limit, which it
// answers with a Retry-After (docs.github.com, "Rate limits for the REST
// API").
const ghSecondaryLimit = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."

// writeGitHubPrimaryLimit answers as GitHub does once the primary rate
// limit is spent (docs.github.com, "Troubleshooting the REST API": 403,
// x-ratelimit-remaining 0, x-ratelimit-reset in epoch seconds): the quota
// of the caller, anonymous (per address) or by token (per user).
func writeGitHubPrimaryLimit(rw http.ResponseWriter, r *http.Request, reset time.Time) {
	limit := ghLimitAnonymous
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	msg := "API rate limit exceeded for " + host + ". (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
	if r.Header.Get("Authorization") != "" {
		limit = ghLimitToken
		msg = "API rate limit exceeded for user ID " + strconv.FormatInt(ghNumber("token owner"), 10) + "."
	}
	h := rw.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Used", strconv.Itoa(limit))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	writeJSON(rw, http.StatusForbidden, struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
		Status           string `json:"status"`
	}{msg, "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api", "403"})
}
