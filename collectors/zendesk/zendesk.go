// Package zendesk collects tickets from the Zendesk Support agent API with
// the cursor-based incremental ticket export
// (GET /api/v2/incremental/tickets/cursor.json).
//
// One request returns up to 1000 changed tickets together with their metric
// sets (include=metric_sets), which carry the figures Zendesk computes itself:
// reply time, first resolution time, replies and reopens. Satisfaction comes
// from each ticket's own satisfaction_rating field, so neither metrics nor
// ratings cost an extra request: a sync costs one request per page, and a
// caught-up source one request per poll, plus one per ticket held for an
// implausible time (at most maxHeld; see held.go).
//
// Deleted tickets stay in the export with status "deleted"; they are mapped
// to closed, because a ticket that left the queue still counts as opened.
//
// The stored cursor is Zendesk's own after_cursor, opaque: it marks a
// position in Zendesk's stream of changes, which Zendesk dates with its own
// clock, and nothing in it is taken from a ticket's fields. A ticket with
// an implausible time (updated_at far in the future, say) therefore cannot
// move it. Such a ticket is refused (docs/configuration.md, "Timestamps a
// vendor sends") and held in the cursor, to be read again until Zendesk
// dates it plausibly (see maxHeld): the export would show it again only
// when it changes. A cursor without held tickets is the after_cursor
// alone, as every cursor stored before tickets were held.
//
// A page that leads nowhere ends the sync with reason loop after its batch
// is stored: end_of_stream false on a page without tickets, or on a page
// whose every ticket version was exported earlier in the same sync, or an
// after_cursor that the sync already followed. The cursor export reports
// no total to bound the walk with.
package zendesk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// pageSize is the largest page the cursor-based ticket export allows.
const pageSize = "1000"

// maxPageBytes caps an export page. A page of 1000 tickets with their
// metric sets is about 2 MB (the simulator's: 2.1 MB; a real ticket and a
// real metric set are about 1 KB each); the cap leaves some 15 times that,
// 33 KB a ticket on average, for long descriptions, tags and custom fields.
// It stays well above 16 MiB because a page over it can never be stored:
// every sync would stop at it.
const maxPageBytes = 32 << 20

// New builds the source of kind zendesk (a source.Factory). The incremental
// exports allow export_requests_per_minute requests (Zendesk documents 10, or
// 30 with the High Volume API add-on), stricter than the account-wide limit
// that the shared client learns from the response headers.
func New(env source.Env) (source.Source, error) {
	perMinute := optionsOf(env.Config).ExportRequestsPerMinute
	if perMinute <= 0 {
		return nil, fmt.Errorf("zendesk: export limit must be positive, got %d per minute", perMinute)
	}
	base, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("zendesk: source %q: %w", env.Config.Name, err)
	}
	exports := base.JoinPath("api/v2/incremental")
	// The limit covers every incremental export of the account, so it is
	// keyed by host and by the export path under the URL's own prefix.
	env.Limits.Declare(source.Owner(env), base.Host, exports.EscapedPath()+"/", perMinute, time.Minute)
	logger := env.Log()
	return &exporter{
		http:         env.HTTP.WithMaxBodyBytes(maxPageBytes),
		endpoint:     exports.JoinPath("tickets/cursor.json"),
		tickets:      base.JoinPath("api/v2/tickets"),
		historyStart: env.HistoryStart,
		bounds:       env.Bounds,
		rejected:     env.Rejected,
		logger:       logger,
	}, nil
}

// exporter walks the incremental ticket export.
type exporter struct {
	http         *fetch.Client
	endpoint     *url.URL // .../api/v2/incremental/tickets/cursor.json
	tickets      *url.URL // .../api/v2/tickets, where each ticket is shown
	historyStart time.Time
	// bounds are the plausible times: a ticket with another is refused,
	// reported to rejected, and held.
	bounds   door.Bounds
	rejected func(reason string)
	logger   *slog.Logger
}

// Sync follows the export from cursor (or from the history start on the
// first sync) until Zendesk reports the end of the stream, emitting one
// batch per page so that a crash resumes at the next page, then reads the
// tickets held when it began (reread).
//
// The export is pipelined one page deep: page n+1, whose cursor page n
// carries, is fetched and decoded while page n's batch is being emitted
// (stored), so that waiting for Zendesk and decoding overlap the store's
// commit. Page n+2 is asked for only once page n+1 is in hand, so never more
// than one page is ahead. Batches are emitted in order, and a failure of
// page n+1 is reported only after page n was emitted, so that its cursor is
// stored. Sync returns only once the fetch ahead has ended, cancelling it
// first when emit fails: it leaves no request or goroutine behind.
func (e *exporter) Sync(ctx context.Context, cursor []byte, emit func(item.Batch) error) error {
	pos, err := decodePosition(cursor)
	if err != nil {
		// Exporting again from the history start is harmless: the store
		// merges idempotently.
		e.logger.Warn("zendesk: exporting again from the history start", "err", err)
		pos = position{}
	}
	heldBefore := slices.Clone(pos.held)
	pos, err = e.export(ctx, pos, emit)
	if err != nil && !errors.Is(err, errTooManyHeld) {
		return err
	}
	// Reading the held tickets is what can let an export stopped by them
	// go on.
	if rerr := e.reread(ctx, pos, heldBefore, emit); rerr != nil {
		return rerr
	}
	return err
}

// export is the walk of the export from pos; it returns the position last
// stored.
func (e *exporter) export(ctx context.Context, pos position, emit func(item.Batch) error) (position, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	query := e.firstQuery(pos.after)
	walked := newProgress(query.Get("cursor"))
	current := e.fetchPage(ctx, e.pageRequest(1, query))
	for {
		if current.err != nil {
			return pos, current.err
		}
		p, sent := current.page, query.Get("cursor")
		tickets, next, refusals := e.admit(pos, p)
		for _, why := range refusals {
			e.rejected(why)
		}
		if len(next.held) > maxHeld {
			// Counted all the same, so that the refusals show in
			// support_items_rejected_total while the export waits.
			return pos, fmt.Errorf("zendesk: export page %d: %w", current.n, fetch.DecodeError(current.url, errTooManyHeld))
		}
		if p.afterCursor != "" {
			next.after = p.afterCursor
		}
		var stop error
		switch {
		case p.endOfStream:
		case p.afterCursor == "":
			// Following would fetch the same page forever.
			stop = fetch.DecodeError(current.url, errors.New("end_of_stream is false but there is no after_cursor"))
		default:
			if why, rewinds := walked.circles(p); why != "" {
				stop = fetch.LoopError(current.url, errors.New(why))
				if rewinds {
					// Resuming at the cursor that fetched this page asks
					// for it again, rather than walk the circle again.
					next.after = sent
				}
			}
		}
		// A page without a cursor leaves the stored one as it is, unless
		// it changed the held tickets.
		b := item.Batch{Tickets: tickets}
		if p.afterCursor != "" || !next.equal(pos) {
			b.Cursor = next.encode()
		}
		var ahead <-chan fetched
		if !p.endOfStream && stop == nil {
			query.Del("start_time")
			query.Set("cursor", p.afterCursor)
			ahead = e.fetchAhead(ctx, e.pageRequest(current.n+1, query))
		}
		if err := emit(b); err != nil {
			if ahead != nil {
				cancel()
				<-ahead
			}
			return pos, fmt.Errorf("zendesk: storing export page %d: %w", current.n, err)
		}
		pos = next
		switch {
		case p.endOfStream:
			return pos, nil
		case stop != nil:
			return pos, fmt.Errorf("zendesk: export page %d: %w", current.n, stop)
		}
		// A cancelled ctx ends the fetch ahead at once, and it reports why.
		current = <-ahead
	}
}

// recentPages is how many pages back a repeated ticket is recognised: an
// export that serves the same pages again under ever new cursors is
// stopped at once, one that circles through more pages than this by
// max_requests_per_sync, and the memory stays that of 10,000 tickets
// however long the sync (a set of every ticket of a first sync of a
// million tickets would hold some 55 MB).
const recentPages = 10

// progress is what one sync has followed of the export: the cursors sent,
// and the ticket versions of the recent pages, to tell a page that brings
// nothing new.
type progress struct {
	cursors map[string]struct{}
	recent  []map[ticketVersion]struct{} // oldest first
}

// newProgress starts a sync's progress at the cursor it resumes from ("" on
// a first sync).
func newProgress(start string) *progress {
	pr := &progress{cursors: map[string]struct{}{}}
	if start != "" {
		pr.cursors[start] = struct{}{}
	}
	return pr
}

// circles records page p, whose end_of_stream is false, and says why
// following its after_cursor would go in a circle ("" when it would not);
// rewinds is true when that cursor is one already followed.
func (pr *progress) circles(p page) (why string, rewinds bool) {
	fresh := 0
	versions := make(map[ticketVersion]struct{}, len(p.versions))
	for _, v := range p.versions {
		if !pr.seen(v) {
			fresh++
		}
		versions[v] = struct{}{}
	}
	pr.recent = append(pr.recent, versions)
	if len(pr.recent) > recentPages {
		pr.recent = pr.recent[1:]
	}
	switch _, followed := pr.cursors[p.afterCursor]; {
	case followed:
		return "after_cursor " + p.afterCursor + " was followed earlier in this sync", true
	case len(p.versions) == 0:
		return "end_of_stream is false on a page without tickets", false
	case fresh == 0:
		return "end_of_stream is false, but the page only repeats tickets exported earlier in this sync, unchanged", false
	}
	pr.cursors[p.afterCursor] = struct{}{}
	return "", false
}

// seen reports whether one of the recent pages brought ticket version v.
func (pr *progress) seen(v ticketVersion) bool {
	for _, page := range pr.recent {
		if _, ok := page[v]; ok {
			return true
		}
	}
	return false
}

// pageRequest is one request of the export: the page's number in this sync,
// which error messages give, and its URL.
type pageRequest struct {
	n   int
	url string
}

func (e *exporter) pageRequest(n int, query url.Values) pageRequest {
	u := *e.endpoint
	u.RawQuery = query.Encode()
	return pageRequest{n: n, url: u.String()}
}

// fetched is the decoded page of a request, or why there is none.
type fetched struct {
	pageRequest
	page page
	err  error
}

// fetchPage fetches and decodes the page of r.
func (e *exporter) fetchPage(ctx context.Context, r pageRequest) fetched {
	resp, err := e.http.Get(ctx, r.url, nil)
	if err != nil {
		return fetched{pageRequest: r, err: fmt.Errorf("zendesk: export page %d: %w", r.n, err)}
	}
	p, err := decodePage(resp.Body, e.historyStart)
	if err != nil {
		return fetched{pageRequest: r, err: fmt.Errorf("zendesk: export page %d: %w", r.n, fetch.DecodeError(r.url, err))}
	}
	return fetched{pageRequest: r, page: p}
}

// fetchAhead runs fetchPage in a goroutine of its own. The channel holds the
// one result, so the goroutine ends with the fetch even if nobody receives.
func (e *exporter) fetchAhead(ctx context.Context, r pageRequest) <-chan fetched {
	ahead := make(chan fetched, 1)
	go func() { ahead <- e.fetchPage(ctx, r) }()
	return ahead
}

// firstQuery resumes from Zendesk's after_cursor, or starts at the history
// start (the epoch when there is none) on the first sync.
func (e *exporter) firstQuery(after string) url.Values {
	q := url.Values{"include": {"metric_sets"}, "per_page": {pageSize}}
	if after != "" {
		q.Set("cursor", after)
		return q
	}
	var start int64
	if !e.historyStart.IsZero() && e.historyStart.Unix() > 0 {
		start = e.historyStart.Unix()
	}
	q.Set("start_time", strconv.FormatInt(start, 10))
	return q
}
