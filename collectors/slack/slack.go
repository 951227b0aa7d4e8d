// Package slack reads a Slack channel shared with a vendor (Slack Connect,
// or the buyer's channel with the vendor's people in it) as tickets: a
// top-level message by the buyer's side is a ticket, its thread the
// conversation, a reaction on it the solve (docs/sources.md, `slack`).
package slack

import (
	"context"
	"encoding/json"
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

// DefaultURL is Slack's Web API host; the methods are under /api.
const DefaultURL = "https://slack.com"

// pageSize is the limit Slack recommends for conversations.history.
const pageSize = "200"

// maxPageBytes caps a response: 200 messages with text, blocks and
// reactions are well under 2 MiB.
const maxPageBytes = 8 << 20

// New builds the source of kind slack (a source.Factory).
func New(env source.Env) (source.Source, error) {
	base, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("slack: source %q: %w", env.Config.Name, err)
	}
	opts := optionsOf(env.Config)
	if opts.Channel == "" {
		return nil, fmt.Errorf("slack: source %q: no channel", env.Config.Name)
	}
	if opts.RequestsPerMinute <= 0 {
		return nil, fmt.Errorf("slack: source %q: requests_per_minute must be positive, got %d", env.Config.Name, opts.RequestsPerMinute)
	}
	history, replies := base.JoinPath("api/conversations.history"), base.JoinPath("api/conversations.replies")
	// Slack answers past its limit with 429 and Retry-After, which the
	// shared client honours; declared, the limit is kept before Slack has
	// to say so. Slack counts per method and per app and workspace: each
	// method has its own window, shared by every source on the host and
	// held to the strictest source's limit (two workspaces' sources share
	// it, the cautious side).
	for _, method := range []*url.URL{history, replies} {
		env.Limits.Declare(source.Owner(env), base.Host, method.EscapedPath(), opts.RequestsPerMinute, time.Minute)
	}
	logger := env.Log()
	now := env.Clock()
	stored := env.StoredOrNone()
	c := &collector{
		http:         env.HTTP.WithMaxBodyBytes(maxPageBytes),
		history:      history,
		replies:      replies,
		opts:         opts,
		teams:        map[string]bool{},
		users:        map[string]bool{},
		historyStart: env.HistoryStart,
		logger:       logger,
		now:          now,
		bounds:       env.Bounds,
		rejected:     env.Rejected,
		stored:       stored,
	}
	for _, t := range opts.VendorTeams {
		c.teams[t] = true
	}
	for _, u := range opts.VendorUsers {
		c.users[u] = true
	}
	return c, nil
}

type collector struct {
	http             *fetch.Client
	history, replies *url.URL
	opts             *Options
	teams, users     map[string]bool
	historyStart     time.Time
	logger           *slog.Logger
	now              func() time.Time
	bounds           door.Bounds
	rejected         func(string)
	stored           func(string) (*item.Ticket, error)
}

// cursor is the stored position: Mark is the newest ticket message read by
// a finished walk; a walk under way keeps its oldest, its page cursor and
// the newest message it has read so far.
type cursor struct {
	Mark   time.Time `json:"mark,omitzero"`
	Oldest string    `json:"oldest,omitempty"`
	Next   string    `json:"next,omitempty"`
	Newest time.Time `json:"newest,omitzero"`
	// Again is set when a walk ended on a page, named by a cursor, without
	// messages: the next sync walks again from the mark unchanged, and
	// takes such an end as the end.
	Again bool `json:"again,omitempty"`
}

func (c *collector) vendor(m *message) bool { return c.users[m.User] || c.teams[m.team()] }

// Sync walks conversations.history from the mark less the re-read window,
// newest first, one batch per page.
func (c *collector) Sync(ctx context.Context, raw []byte, emit func(item.Batch) error) error {
	var cur cursor
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cur); err != nil {
			c.logger.Warn("slack: unreadable cursor, starting over", "err", err)
			cur = cursor{}
		}
	}
	if !cur.Mark.IsZero() && c.bounds.Check(cur.Mark) == door.ReasonFuture {
		c.logger.Warn("slack: stored mark is in the future, starting over", "mark", cur.Mark)
		cur = cursor{}
	}
	if cur.Oldest == "" {
		cur.Next, cur.Newest = "", time.Time{}
		var oldest time.Time
		if !cur.Mark.IsZero() {
			oldest = cur.Mark.Add(-c.opts.RereadWindow)
		}
		if oldest.Before(c.historyStart) {
			oldest = c.historyStart
		}
		cur.Oldest = "0"
		if !oldest.IsZero() && oldest.Unix() > 0 {
			cur.Oldest = formatTS(oldest)
		}
	}
	seen := map[string]bool{}
	for n := 1; ; n++ {
		q := url.Values{"channel": {c.opts.Channel}, "limit": {pageSize}, "oldest": {cur.Oldest}}
		if cur.Next != "" {
			q.Set("cursor", cur.Next)
		}
		var p page
		u := c.history.String() + "?" + q.Encode()
		if err := c.call(ctx, u, &p); err != nil {
			if cur.Next != "" && n == 1 && isInvalidCursor(err) {
				c.logger.Warn("slack: stored page cursor refused, walking again", "err", err)
				cur.Next = ""
				n = 0
				continue
			}
			return fmt.Errorf("slack: history page %d: %w", n, err)
		}
		var tickets []item.Ticket
		for i := range p.Messages {
			m := &p.Messages[i]
			t, ok, err := c.ticket(ctx, m)
			if err != nil {
				return fmt.Errorf("slack: history page %d: %w", n, err)
			}
			if !ok {
				continue
			}
			if t.CreatedAt.After(cur.Newest) {
				cur.Newest = t.CreatedAt
			}
			if t.ID != "" {
				tickets = append(tickets, t)
			}
		}
		next := p.ResponseMetadata.NextCursor
		if !p.HasMore {
			next = ""
		}
		if next != "" && seen[next] {
			return fmt.Errorf("slack: history page %d: %w", n, fetch.LoopError(c.history.String(), errors.New("next_cursor named twice")))
		}
		seen[next] = true
		resume := cursor{Mark: cur.Mark, Oldest: cur.Oldest, Next: next, Newest: cur.Newest, Again: cur.Again}
		switch {
		case next == "" && cur.Next != "" && len(p.Messages) == 0 && !cur.Again:
			// has_more said a page follows, and it lists nothing: a
			// vendor's glitch after which the mark would pass messages
			// never listed.
			c.logger.Warn("slack: the history ended on a page without messages; walking again at the next sync", "page", n)
			resume = cursor{Mark: cur.Mark, Again: true}
		case next == "":
			mark := cur.Mark
			if cur.Newest.After(mark) {
				mark = cur.Newest
			}
			if latest := c.bounds.Latest(); !latest.IsZero() && mark.After(latest) {
				mark = latest
			}
			resume = cursor{Mark: mark}
		}
		encoded, err := json.Marshal(resume)
		if err != nil {
			return fmt.Errorf("slack: history page %d: %w", n, fetch.DecodeError(c.history.String(), err))
		}
		if err := emit(item.Batch{Tickets: tickets, Cursor: encoded}); err != nil {
			return fmt.Errorf("slack: storing history page %d: %w", n, err)
		}
		if next == "" {
			return nil
		}
		cur = resume
	}
}

// call GETs a Web API method and reads its envelope: ok false is an error
// with the reason its error code says.
func (c *collector) call(ctx context.Context, u string, p *page) error {
	if _, err := c.http.GetJSON(ctx, u, nil, p); err != nil {
		return err
	}
	if !p.OK {
		return &fetch.Error{Reason: errorReason(p.Error), URL: stripQuery(u), Status: 200, Err: &apiError{p.Error}}
	}
	return nil
}

// apiError is Slack's error code of an ok:false answer.
type apiError struct{ code string }

func (e *apiError) Error() string { return "slack error " + strconv.Quote(e.code) }

func isInvalidCursor(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.code == "invalid_cursor"
}

// errorReason maps Slack's error codes to support_source_errors_total
// reasons.
func errorReason(code string) string {
	switch code {
	case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
		"not_in_channel", "channel_not_found", "missing_scope", "no_permission", "not_allowed_token_type":
		return fetch.ReasonAuth
	case "ratelimited":
		return fetch.ReasonRateLimited
	case "":
		return fetch.ReasonDecode
	}
	return fetch.ReasonHTTP
}

func stripQuery(u string) string {
	if i := slices.Index([]byte(u), '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// ticket turns a top-level message into a ticket; ok is false for what is
// no ticket (the vendor's messages, bots', joins, replies broadcast).
func (c *collector) ticket(ctx context.Context, m *message) (item.Ticket, bool, error) {
	if !m.human() || c.vendor(m) || (m.ThreadTS != "" && m.ThreadTS != m.TS) {
		return item.Ticket{}, false, nil
	}
	created, err := parseTS(m.TS)
	if err != nil {
		return item.Ticket{}, false, fetch.DecodeError(c.history.String(), err)
	}
	if created.Before(c.historyStart) {
		return item.Ticket{}, false, nil
	}
	if r := c.bounds.Check(created); r != "" {
		c.rejected(r)
		return item.Ticket{}, false, nil
	}
	stored, err := c.stored(m.TS)
	if err != nil {
		return item.Ticket{}, false, err
	}
	t := item.Ticket{ID: m.TS, CreatedAt: created, UpdatedAt: created, Status: item.StatusOpen}
	solved := false
	for _, r := range m.Reactions {
		t.Tags = append(t.Tags, r.Name)
		if r.Name == c.opts.SolvedReaction {
			solved = true
		}
	}
	slices.Sort(t.Tags)
	t.Tags = slices.Compact(t.Tags)
	var events []item.Event
	latest := created
	if replies, last, ok := storedThread(stored, m); ok {
		// The thread has no reply newer than the version stored: its
		// replies are the stored ones, and Slack is not asked again.
		events = replies
		t.Seen = stored.Seen
		if last.After(latest) {
			latest = last
		}
	} else if m.ReplyCount > 0 {
		var last time.Time
		if events, last, err = c.thread(ctx, m.TS); err != nil {
			return item.Ticket{}, false, err
		}
		t.Seen = m.LatestReply
		if last.After(latest) {
			latest = last
		}
	}
	// Slack dates no reaction: a solve (the reaction added) or a reopen
	// (removed) is dated by the thread's latest message when that is newer
	// than the version stored, else by when the collector first saw it.
	prior := source.SolvesAndReopens(stored)
	wasSolved := stored != nil && stored.Status == item.StatusSolved
	if solved != wasSolved {
		at := latest
		if stored != nil && !latest.After(stored.UpdatedAt) {
			at = c.now().UTC()
		}
		if len(prior) > 0 && at.Before(prior[len(prior)-1].At) {
			at = prior[len(prior)-1].At
		}
		kind := item.EventSolved
		if !solved {
			kind = item.EventReopened
		}
		prior = append(prior, item.Event{Kind: kind, At: at})
	}
	if b := c.bounds.Latest(); !b.IsZero() {
		for i := range prior {
			if prior[i].At.After(b) {
				prior[i].At = b
			}
		}
	}
	events = append(events, prior...)
	slices.SortStableFunc(events, func(a, b item.Event) int { return a.At.Compare(b.At) })
	t.Events = events
	for _, e := range events {
		if e.At.After(t.UpdatedAt) {
			t.UpdatedAt = e.At
		}
	}
	if solved {
		t.Status = item.StatusSolved
	}
	if r := c.bounds.Ticket(&t); r != "" {
		c.rejected(r)
		return item.Ticket{}, false, nil
	}
	if stored != nil && unchanged(stored, &t) {
		t.ID = "" // re-read in the window, the same: nothing to store
	}
	return t, true, nil
}

// storedThread returns the replies of the stored version of a root
// message and the latest of them, when the thread has not grown since it
// was read: its latest_reply, which counts every reply, bots' and those
// left out by the door too, is the one read then (Ticket.Seen). A thread
// re-read in the window, unchanged, costs no conversations.replies
// request. ok is false when Slack must be asked: nothing stored, or a
// reply since.
func storedThread(stored *item.Ticket, m *message) (replies []item.Event, latest time.Time, ok bool) {
	if stored == nil {
		return nil, time.Time{}, false
	}
	for _, e := range stored.Events {
		if e.Kind == item.EventVendorReply || e.Kind == item.EventCustomerReply {
			replies = append(replies, e)
			if e.At.After(latest) {
				latest = e.At
			}
		}
	}
	if m.ReplyCount == 0 {
		return nil, time.Time{}, len(replies) == 0
	}
	if m.LatestReply == "" || stored.Seen != m.LatestReply {
		return nil, time.Time{}, false
	}
	return replies, latest, true
}

// thread reads a ticket's replies: vendor and customer replies, and the
// latest message's time.
func (c *collector) thread(ctx context.Context, ts string) ([]item.Event, time.Time, error) {
	var events []item.Event
	var latest time.Time
	cur := ""
	seen := map[string]bool{}
	for {
		q := url.Values{"channel": {c.opts.Channel}, "ts": {ts}, "limit": {pageSize}}
		if cur != "" {
			q.Set("cursor", cur)
		}
		var p page
		if err := c.call(ctx, c.replies.String()+"?"+q.Encode(), &p); err != nil {
			var ae *apiError
			if errors.As(err, &ae) && ae.code == "thread_not_found" {
				return events, latest, nil // deleted since it was listed
			}
			return nil, time.Time{}, fmt.Errorf("thread %s: %w", ts, err)
		}
		for i := range p.Messages {
			m := &p.Messages[i]
			if m.TS == ts || !m.human() {
				continue
			}
			at, err := parseTS(m.TS)
			if err != nil {
				return nil, time.Time{}, fetch.DecodeError(c.replies.String(), err)
			}
			if c.bounds.Check(at) != "" {
				continue
			}
			kind := item.EventCustomerReply
			if c.vendor(m) {
				kind = item.EventVendorReply
			}
			events = append(events, item.Event{Kind: kind, At: at})
			if at.After(latest) {
				latest = at
			}
		}
		next := p.ResponseMetadata.NextCursor
		if !p.HasMore || next == "" {
			return events, latest, nil
		}
		if seen[next] {
			return nil, time.Time{}, fetch.LoopError(c.replies.String(), errors.New("next_cursor named twice"))
		}
		seen[next] = true
		cur = next
	}
}

// unchanged reports whether t says what the stored version s said.
func unchanged(s, t *item.Ticket) bool {
	return s.ID == t.ID && s.CreatedAt.Equal(t.CreatedAt) && s.UpdatedAt.Equal(t.UpdatedAt) &&
		s.Status == t.Status && slices.Equal(s.Tags, t.Tags) && s.Seen == t.Seen &&
		slices.EqualFunc(s.Events, t.Events, func(a, b item.Event) bool { return a.Kind == b.Kind && a.At.Equal(b.At) })
}
