package source

import (
	"context"
	"errors"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// Creator files tickets as the buyer, for the off-hours drill
// (docs/configuration.md, "The off-hours drill"). It is the only thing in
// the exporter that writes to a vendor: its caller (exporter/drill)
// stores each step durably before it asks, and never retries a create
// whose outcome is unknown before Find has looked for it.
type Creator interface {
	// Create files one ticket and returns it as the vendor answered.
	// An error whose outcome is unknown (a timeout, a 5xx, a connection
	// reset: the vendor may have filed it) satisfies Unknown.
	Create(ctx context.Context, d Draft) (Filed, error)
	// Find returns every ticket filed by the buyer whose subject or body
	// contains marker (a drill's marker, or the prefix of every drill's)
	// that it meets, each once, in no particular order; none is an empty
	// list. It reads the buyer's own list, which is current, until it is
	// past since (tickets filed before since need not be returned, but may
	// be: the caller bounds by creation itself), before any search index
	// (which lags); a list it could not read to since is an error, never
	// "none".
	Find(ctx context.Context, marker string, since time.Time) ([]Filed, error)
	// Comment adds a public comment to the ticket id, as the buyer.
	Comment(ctx context.Context, id, body string) error
	// Target names where Create files and Find looks: the API's base URL
	// and, where the source has several, the repository or service desk.
	// A drill stores it and never looks or files elsewhere.
	Target() string
}

// Draft is a ticket to file.
type Draft struct {
	Subject, Body string
	// Priority is the vendor's own value (a label for GitHub); empty:
	// the vendor's default.
	Priority string
	Marker   string
}

// Filed is a ticket the vendor holds: its id as the source's collector
// stores it (item.Ticket.ID), and its creation time as the vendor says.
type Filed struct {
	ID        string
	CreatedAt time.Time
}

// CreatorFactory builds a kind's Creator from the same Env as its Source.
type CreatorFactory func(Env) (Creator, error)

// NotSent reports whether err says a write was never sent, or refused
// undone by a rate limit (a wait for the client's limiter cut short, a
// 429, GitHub's 403 secondary limit): it may be sent again after
// retryAfter (the vendor's Retry-After; zero when it named none).
func NotSent(err error) (retryAfter time.Duration, ok bool) {
	var wo WriteOutcome
	if errors.As(err, &wo) {
		return wo.NotSentRetryAfter()
	}
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Reason != fetch.ReasonRateLimited || fe.Status >= 500 {
		return 0, false
	}
	return fe.RetryAfter, true
}

// Unknown reports whether err leaves a write's outcome unknown: no
// answer (timeout, connection reset, a cut body) or a 5xx, after which the
// vendor may have done it. A 4xx (refused, rate limited) is a known "not
// done".
func Unknown(err error) bool {
	if err == nil {
		return false
	}
	var wo WriteOutcome
	if errors.As(err, &wo) {
		return wo.OutcomeUnknown()
	}
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		return true // not even classified: assume the worst
	}
	switch {
	case fe.Status >= 500:
		return true
	case fe.Status >= 400:
		return false
	}
	return fe.Reason != fetch.ReasonAuth && fe.Reason != fetch.ReasonRateLimited
}

// WriteOutcome is implemented by the errors of writes that are no HTTP
// requests (the imap kind's mail through SMTP, where a 5xx reply is a
// refusal, not an outcome unknown): they say themselves what NotSent and
// Unknown report.
type WriteOutcome interface {
	error
	OutcomeUnknown() bool
	NotSentRetryAfter() (retryAfter time.Duration, ok bool)
}

// AddFiled appends f to found unless a ticket of its id is there.
func AddFiled(found []Filed, f Filed) []Filed {
	for _, g := range found {
		if g.ID == f.ID {
			return found
		}
	}
	return append(found, f)
}
