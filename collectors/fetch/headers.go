package fetch

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxWait caps any wait a vendor asks for. A Retry-After of a year or a
// reset epoch years ahead is a vendor bug or a forged header, not a quota:
// obeying it would silence the source for good, while an hour costs one
// more refused request an hour at worst.
const maxWait = time.Hour

// guessedWindow is how long an exhausted quota is assumed to last when the
// response says it is exhausted but neither when it refills nor when to
// retry (Zendesk's X-Rate-Limit-Remaining alone): a minute is the window of
// every per-minute quota, and GitHub's documented advice without headers.
const guessedWindow = time.Minute

// asked is what one response says about when the host may be called again.
type asked struct {
	retryAfter time.Duration // the Retry-After header alone, capped; 0 when absent
	wait       time.Duration // before the next request: every header together, capped
	// uncapped is the longest wait a header asked for, before the cap:
	// above maxWait, the response is logged.
	uncapped time.Duration
	// limited: the response carries a Retry-After or says the quota is
	// spent, even with no wait left: on a 403, a rate limit, not an auth
	// failure.
	limited bool
}

// askedWait reads the rate-limit headers of a response received at now.
// Explicit values win over the guessed window: Retry-After (delta seconds
// or HTTP date; on 403 for GitHub's secondary limits, on 429 and on 5xx;
// on a 429 without it, Lark's X-Ogw-Ratelimit-Reset, delta seconds),
// and when a Remaining header says the quota is spent, when it refills
// (X-RateLimit-Reset: epoch seconds as GitHub, delta seconds, or ISO 8601 as
// Atlassian; RateLimit-Reset: delta seconds per the IETF draft). When
// several are given, the longest wait is kept: GitHub says to wait for both.
//
// Absolute instants are read against the response's Date header, the
// vendor's own clock, rather than ours: a vendor whose clock runs 11 s
// behind ours and says "retry at its now+12 s" means 12 s, not 1 s.
func askedWait(status int, h http.Header, now time.Time) asked {
	vendorNow := now
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		vendorNow = d
	}
	var a asked
	explicit := false
	take := func(d time.Duration) time.Duration {
		a.uncapped = max(a.uncapped, d)
		return min(d, maxWait)
	}
	if status == http.StatusForbidden || status == http.StatusTooManyRequests || status >= 500 {
		if d, ok := retryAfter(h.Get("Retry-After"), vendorNow); ok {
			a.retryAfter, explicit, a.limited = take(d), true, true
		} else if d, ok := seconds(strings.TrimSpace(h.Get("X-Ogw-Ratelimit-Reset"))); ok && status == http.StatusTooManyRequests {
			// Lark's (Feishu's) gateway says when to retry in its own
			// header, seconds until the quota's window resets, on its 429.
			a.retryAfter, explicit, a.limited = take(d), true, true
		}
	}
	a.wait = a.retryAfter
	if quotaSpent(h) {
		a.limited = true
		for _, k := range []string{"X-RateLimit-Reset", "RateLimit-Reset"} {
			if d, ok := resetIn(h.Get(k), vendorNow); ok {
				a.wait, explicit = max(a.wait, take(d)), true
			}
		}
		if !explicit {
			a.wait = guessedWindow
		}
	}
	return a
}

// quotaSpent reports whether any Remaining header (GitHub, Atlassian,
// Freshdesk: X-RateLimit-Remaining; Zendesk: X-Rate-Limit-Remaining and
// RateLimit-Remaining) says no request is left: one spent quota is enough
// for the next request to be refused.
func quotaSpent(h http.Header) bool {
	for _, k := range []string{"X-RateLimit-Remaining", "X-Rate-Limit-Remaining", "RateLimit-Remaining"} {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Get(k))); err == nil && n <= 0 {
			return true
		}
	}
	return false
}

// retryAfter parses a Retry-After value: delta seconds, or an HTTP date
// read against vendorNow.
func retryAfter(v string, vendorNow time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if d, ok := seconds(v); ok {
		return d, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(vendorNow), 0), true
	}
	return 0, false
}

// epochFloor tells a Unix time (GitHub's X-RateLimit-Reset) from a number
// of seconds: 10^9 s is 2001, and no quota window lasts 31 years.
const epochFloor = 1_000_000_000

// resetIn parses a Reset header into the time left until the quota
// refills, instants read against vendorNow.
func resetIn(v string, vendorNow time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= epochFloor {
		return max(time.Unix(n, 0).Sub(vendorNow), 0), true
	}
	if d, ok := seconds(v); ok {
		return d, true
	}
	// Atlassian writes the minute only ("2026-03-01T12:01Z").
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			return max(t.Sub(vendorNow), 0), true
		}
	}
	return 0, false
}

// seconds parses a non-negative number of seconds, digits with an optional
// fraction: ParseFloat alone would also take "Inf", "NaN", "1e9" and hex. A
// value too large for a Duration saturates rather than wrapping negative,
// so that the cap applies.
func seconds(v string) (time.Duration, bool) {
	if strings.Trim(v, "0123456789.") != "" || strings.Count(v, ".") > 1 || strings.Trim(v, ".") == "" {
		return 0, false
	}
	s, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, false
	}
	if s >= float64(math.MaxInt64)/float64(time.Second) {
		return math.MaxInt64, true
	}
	return time.Duration(s * float64(time.Second)), true
}
