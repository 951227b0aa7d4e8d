package zendeskrequests

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// pageSize is the largest page cursor pagination allows.
const pageSize = "100"

// maxPageBytes caps a response. A list page of 100 requests is about 55 KB
// (the simulator's; the documentation's request object is 2 KB with its
// description), and a page of 100 comments about as much with short
// replies; the cap leaves room for a page of 100 long email replies, each
// sent three times (body, html_body, plain_body).
const maxPageBytes = 8 << 20

// New builds the source of kind zendesk_requests (a source.Factory).
func New(env source.Env) (source.Source, error) {
	base, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("zendesk_requests: source %q: %w", env.Config.Name, err)
	}
	opts := optionsOf(env.Config)
	colleagues := make(map[int64]bool, len(opts.Colleagues))
	for _, s := range opts.Colleagues {
		id, ok := userID(s)
		if !ok {
			return nil, fmt.Errorf("zendesk_requests: source %q: colleague %q is not a Zendesk user id", env.Config.Name, s)
		}
		colleagues[id] = true
	}
	automated := make(map[int64]bool, len(opts.Automation))
	for _, s := range opts.Automation {
		id, ok := userID(s)
		if !ok {
			return nil, fmt.Errorf("zendesk_requests: source %q: automation user %q is not a Zendesk user id", env.Config.Name, s)
		}
		automated[id] = true
	}
	logger := env.Log()
	now := env.Clock()
	stored := env.StoredOrNone()
	return &collector{
		http:         env.HTTP.WithMaxBodyBytes(maxPageBytes),
		requests:     base.JoinPath("api/v2/requests"),
		colleagues:   colleagues,
		automated:    automated,
		historyStart: env.HistoryStart,
		logger:       logger,
		now:          now,
		bounds:       env.Bounds,
		rejected:     env.Rejected,
		stored:       stored,
	}, nil
}

// collector walks one end user's requests.
type collector struct {
	http         *fetch.Client
	requests     *url.URL // .../api/v2/requests
	colleagues   map[int64]bool
	automated    map[int64]bool // automation_users: their comments are no replies
	historyStart time.Time
	logger       *slog.Logger
	now          func() time.Time
	// bounds are the plausible times: a request updated at another time is
	// left out of the walk, and reported to rejected.
	bounds   door.Bounds
	rejected func(reason string)
	// stored reads a ticket's stored version (nil when none).
	stored func(id string) (*item.Ticket, error)
}

// Sync walks the requests newest first from the stored walk, or from the
// newest request, and emits one batch per list page: the requests on it
// that changed since the stored high-water mark, with their comments, and
// the cursor that resumes after them. A list that leads in a circle ends
// the sync with reason loop (see walked.circles).
func (c *collector) Sync(ctx context.Context, raw []byte, emit func(item.Batch) error) error {
	cur, err := parseCursor(raw)
	if err == nil && c.bounds.Check(cur.latest()) == door.ReasonFuture {
		// Stored before implausible times were kept out: no request could
		// be newer than it, so every change would be missed.
		err = fmt.Errorf("mark %s is in the future", cur.latest().Format(time.RFC3339))
	}
	if err != nil {
		// Starting over re-fetches what is stored, which is harmless.
		c.logger.Warn("zendesk_requests: unreadable cursor, starting over", "err", err)
		cur = cursor{}
	}
	w := cur.Walk
	cur.Walk = nil
	walked := newWalked(w)
	var resumed []byte // the cursor last stored; nil keeps the one stored before the sync
	for n := 1; ; n++ {
		followed := w != nil // the page is one a page cursor named
		list, next, err := c.listPage(ctx, n, w)
		if n == 1 && w != nil && isBadRequest(err) {
			// Zendesk no longer accepts the stored page cursor.
			c.logger.Warn("zendesk_requests: stored page cursor refused, walking again from the newest request", "err", err)
			w, followed = nil, false
			list, next, err = c.listPage(ctx, n, w)
		}
		if err != nil {
			return err
		}
		if followed && next == "" && len(list.requests) == 0 && !(cur.StartedOver && cur.EmptyAfter.Equal(w.Last)) {
			// has_more said a page follows, and it lists nothing: a list
			// that shrank during the walk, or a vendor's glitch, after
			// which finishing the walk would set the mark above every
			// request it did not list. The next sync walks again from
			// the newest request, the mark unchanged; a walk that ends
			// so again after the same request is taken as complete (the
			// list ends there), one that ends so elsewhere starts over
			// again: a glitch twice in a row loses nothing.
			c.logger.Warn("zendesk_requests: the list ended on a page without requests; walking again from the newest request at the next sync", "page", n)
			encoded, err := cursor{Since: cur.Since, SinceIDs: cur.SinceIDs, StartedOver: true, EmptyAfter: w.Last}.encode()
			if err != nil {
				return fmt.Errorf("zendesk_requests: list page %d: %w", n, fetch.DecodeError(c.requests.String(), err))
			}
			if err := emit(item.Batch{Cursor: encoded}); err != nil {
				return fmt.Errorf("zendesk_requests: storing list page %d: %w", n, err)
			}
			return nil
		}
		if w == nil {
			w = &walk{Cap: list.serverTime.Add(-clockMargin)}
		}
		circle, rewinds := walked.circles(list.requests, next)
		var tickets []item.Ticket
		reachedMark := false
		if circle == "" || rewinds {
			// A page that brings new requests is taken, even when it
			// links back into the walk.
			if tickets, reachedMark, err = c.changedTickets(ctx, cur, w, list.requests); err != nil {
				return err
			}
		}
		done := next == "" || (reachedMark && !w.Unsorted)
		resume := cur.finish(w)
		if !done {
			w.After = next
			resume = cursor{Since: cur.Since, SinceIDs: cur.SinceIDs, Walk: w, StartedOver: cur.StartedOver, EmptyAfter: cur.EmptyAfter}
		}
		encoded, err := resume.encode()
		if err != nil {
			return fmt.Errorf("zendesk_requests: list page %d: %w", n, fetch.DecodeError(c.requests.String(), err))
		}
		if circle != "" && !done && rewinds {
			// Resuming at this page asks for it again, rather than walk
			// the circle again.
			encoded = resumed
		}
		if err := emit(item.Batch{Tickets: tickets, Cursor: encoded}); err != nil {
			return fmt.Errorf("zendesk_requests: storing list page %d: %w", n, err)
		}
		resumed = encoded
		switch {
		case done:
			if w.Unsorted {
				c.logger.Warn("zendesk_requests: the request list ignored sort_by=updated_at, so every poll walks every page")
			}
			return nil
		case circle != "":
			return fmt.Errorf("zendesk_requests: list page %d: %w", n, fetch.LoopError(c.requests.String(), errors.New(circle)))
		}
	}
}

// walked is what one sync has followed of the request list: the page
// cursors sent and the requests listed, by update time, to tell a page that
// leads in a circle.
type walked struct {
	afters map[string]bool
	listed map[int64]time.Time
}

// newWalked starts at the stored walk w (nil: a new walk).
func newWalked(w *walk) *walked {
	wd := &walked{afters: map[string]bool{}, listed: map[int64]time.Time{}}
	if w != nil {
		wd.afters[w.After] = true
	}
	return wd
}

// circles records a list page and the page[after] it names (next, "" on
// the last page) and says why following it would lead in a circle ("" when
// it would not): has_more on a page without requests or that only repeats
// requests listed earlier in the sync, unchanged, or a page cursor already
// followed (rewinds).
func (wd *walked) circles(reqs []request, next string) (why string, rewinds bool) {
	fresh := 0
	for _, r := range reqs {
		if at, ok := wd.listed[r.id]; !ok || !at.Equal(r.updated) {
			fresh++
		}
		wd.listed[r.id] = r.updated
	}
	switch {
	case next == "":
		return "", false
	case wd.afters[next]:
		return "after_cursor " + next + " was followed earlier in this sync", true
	case len(reqs) == 0:
		return "has_more is true on a page without requests", false
	case fresh == 0:
		return "has_more is true, but the page only repeats requests listed earlier in this sync, unchanged", false
	}
	wd.afters[next] = true
	return "", false
}

// changedTickets records the page's requests in the walk and returns those
// that changed since the stored mark, with their comments and the solves
// and reopens told from their stored versions. reachedMark is true when the
// page reached requests older than the mark (or than the history start): in
// newest-first order, none after them changed.
func (c *collector) changedTickets(ctx context.Context, cur cursor, w *walk, reqs []request) ([]item.Ticket, bool, error) {
	floor := cur.Since
	if c.historyStart.After(floor) {
		floor = c.historyStart
	}
	var tickets []item.Ticket
	reachedMark := false
	for _, r := range reqs {
		if why := c.bounds.Check(r.updated); why != "" {
			// Its update time would set the mark, or end the walk early:
			// left out until Zendesk dates it plausibly.
			c.rejected(why)
			continue
		}
		w.see(r.id, r.updated)
		if r.updated.Before(floor) {
			reachedMark = true
			continue
		}
		if r.created.Before(c.historyStart) || !cur.changed(r.id, r.updated) {
			continue
		}
		stored, err := c.stored(ticketID(r.id))
		if err != nil {
			return nil, false, fmt.Errorf("zendesk_requests: request %d: reading its stored version: %w", r.id, err)
		}
		comments, err := c.comments(ctx, r.id)
		if err != nil {
			return nil, false, err
		}
		tickets = append(tickets, c.ticket(r, comments, stored))
	}
	return tickets, reachedMark, nil
}

// listed is a decoded list page and the server's clock when it answered.
type listed struct {
	requests   []request
	serverTime time.Time
}

// listPage fetches list page n of walk w (nil: a new walk's first page).
func (c *collector) listPage(ctx context.Context, n int, w *walk) (listed, string, error) {
	q := url.Values{"page[size]": {pageSize}, "sort_by": {"updated_at"}, "sort_order": {"desc"}}
	if w != nil {
		q.Set("page[after]", w.After)
	}
	u := *c.requests
	u.RawQuery = q.Encode()
	resp, err := c.http.Get(ctx, u.String(), nil)
	if err != nil {
		return listed{}, "", fmt.Errorf("zendesk_requests: list page %d: %w", n, err)
	}
	reqs, next, err := decodeRequests(resp.Body)
	if err != nil {
		return listed{}, "", fmt.Errorf("zendesk_requests: list page %d: %w", n, fetch.DecodeError(u.String(), err))
	}
	return listed{requests: reqs, serverTime: c.serverTime(resp.Header)}, next, nil
}

// comments fetches every comment of request id. Comments leading in a
// circle (has_more on a page without new comments, or a page cursor
// followed before) end the sync with reason loop.
func (c *collector) comments(ctx context.Context, id int64) ([]comment, error) {
	u := *c.requests.JoinPath(strconv.FormatInt(id, 10), "comments")
	var all []comment
	seen := map[int64]bool{}
	afters := map[string]bool{}
	after := ""
	for n := 1; ; n++ {
		q := url.Values{"page[size]": {pageSize}}
		if after != "" {
			q.Set("page[after]", after)
		}
		u.RawQuery = q.Encode()
		resp, err := c.http.Get(ctx, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("zendesk_requests: request %d comments page %d: %w", id, n, err)
		}
		page, next, err := decodeComments(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("zendesk_requests: request %d comments page %d: %w", id, n, fetch.DecodeError(u.String(), err))
		}
		fresh := 0
		for _, cm := range page {
			if !seen[cm.id] {
				seen[cm.id] = true
				fresh++
			}
		}
		var circle string
		switch {
		case next == "":
			return append(all, page...), nil
		case afters[next]:
			circle = "after_cursor " + next + " was followed before"
		case fresh == 0:
			circle = "has_more is true on a page without new comments"
		}
		if circle != "" {
			return nil, fmt.Errorf("zendesk_requests: request %d comments page %d: %w", id, n, fetch.LoopError(u.String(), errors.New(circle)))
		}
		all = append(all, page...)
		afters[next] = true
		after = next
	}
}

// serverTime is Zendesk's clock from the Date header, or ours without a
// plausible one: a Date in the future would let the mark pass our clock.
func (c *collector) serverTime(h http.Header) time.Time {
	if t, err := http.ParseTime(h.Get("Date")); err == nil && c.bounds.Check(t) == "" {
		return t
	}
	return c.now()
}

// isBadRequest reports whether err is Zendesk refusing the request's
// parameters (400), as it does for a page cursor it no longer accepts.
func isBadRequest(err error) bool {
	var fe *fetch.Error
	return errors.As(err, &fe) && fe.Status == http.StatusBadRequest
}
