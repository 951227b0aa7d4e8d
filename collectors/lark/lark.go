// Package lark reads a Lark (Feishu) group chat shared with a vendor (an
// external group, the vendor's "dedicated technical group") as tickets,
// by the rules of the slack kind: a top-level message by the buyer's side
// is a ticket, the replies to it its conversation, a vendor reply matching
// solved_patterns its solve (docs/sources.md, `lark`).
package lark

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// DefaultURL is Feishu's Open API host; Lark's (outside China) is
// https://open.larksuite.com.
const DefaultURL = "https://open.feishu.cn"

// pageSize is the largest page the message list allows.
const pageSize = "50"

// maxPageBytes caps a response: 50 messages of rich text or cards are
// well under 1 MiB.
const maxPageBytes = 4 << 20

// New builds the source of kind lark (a source.Factory).
func New(env source.Env) (source.Source, error) {
	base, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("lark: source %q: %w", env.Config.Name, err)
	}
	opts := optionsOf(env.Config)
	if opts.ChatID == "" {
		return nil, fmt.Errorf("lark: source %q: no chat_id", env.Config.Name)
	}
	creds := credentials{env.Config.HTTPClient.BasicAuth}
	if err := creds.check(); err != nil {
		return nil, fmt.Errorf("lark: source %q: %w", env.Config.Name, err)
	}
	var solved []*regexp.Regexp
	for _, p := range opts.SolvedPatterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("lark: source %q: solved_patterns: %w", env.Config.Name, err)
		}
		solved = append(solved, re)
	}
	logger := env.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := env.Now
	if now == nil {
		now = time.Now
	}
	stored := env.Stored
	if stored == nil {
		stored = func(string) (*item.Ticket, error) { return nil, nil }
	}
	c := &collector{
		http:         env.HTTP.WithMaxBodyBytes(maxPageBytes),
		tokenURL:     base.JoinPath(tokenPath),
		messages:     base.JoinPath("open-apis/im/v1/messages"),
		creds:        creds,
		tokens:       &tokens{},
		opts:         opts,
		solved:       solved,
		tenants:      map[string]bool{},
		users:        map[string]bool{},
		historyStart: env.HistoryStart,
		logger:       logger,
		now:          now,
		bounds:       env.Bounds,
		rejected:     env.Rejected,
		stored:       stored,
	}
	for _, t := range opts.VendorTenants {
		c.tenants[t] = true
	}
	for _, u := range opts.VendorUsers {
		c.users[u] = true
	}
	return c, nil
}

type collector struct {
	http           *fetch.Client
	tokenURL       *url.URL
	messages       *url.URL
	creds          credentials
	tokens         *tokens
	opts           *Options
	solved         []*regexp.Regexp
	tenants, users map[string]bool
	historyStart   time.Time
	logger         *slog.Logger
	now            func() time.Time
	bounds         door.Bounds
	rejected       func(string)
	stored         func(string) (*item.Ticket, error)
}

// cursor is the stored position: Mark is the newest message read by a
// finished walk; a walk under way keeps its start_time, its page token,
// the newest message it has read so far, and the replies it has read
// whose root it has not reached yet (newest first, a reply comes before
// its root).
type cursor struct {
	Mark    time.Time `json:"mark,omitzero"`
	Start   string    `json:"start,omitempty"`
	Next    string    `json:"next,omitempty"`
	Newest  time.Time `json:"newest,omitzero"`
	Pending []pending `json:"pending,omitempty"`
	// Again is set when a walk ended on a page, named by a token, without
	// messages: the next sync walks again from the mark unchanged, and
	// takes such an end as the end.
	Again bool `json:"again,omitempty"`
}

// pending is a reply read before its root: the events and tags it brings.
type pending struct {
	Root   string         `json:"root"`
	ID     string         `json:"id"`
	At     time.Time      `json:"at"`
	Kind   item.EventKind `json:"kind,omitempty"` // empty: an app's message, its tags only
	Solved bool           `json:"solved,omitempty"`
	Tags   []string       `json:"tags,omitempty"`
}

func (c *collector) vendor(m *message) bool {
	return c.users[m.Sender.ID] || c.tenants[m.Sender.TenantKey]
}

// Sync lists the chat newest first, from now back to the mark less the
// re-read window, one batch per page. A reply (root_id) is held until its
// root: a top-level message of the buyer's side, which makes a ticket with
// every reply read, so that each ticket is stored whole (a ticket stored
// with some of its replies would be a version the vendor never showed).
// Replies whose root is older than the walk join the stored ticket once
// the walk ends: a reply long after its root is never missed however old
// the root, and the window is only for what a listing by creation cannot
// show (topic threads that grew, edited hashtags).
func (c *collector) Sync(ctx context.Context, raw []byte, emit func(item.Batch) error) error {
	var cur cursor
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cur); err != nil {
			c.logger.Warn("lark: unreadable cursor, starting over", "err", err)
			cur = cursor{}
		}
	}
	if !cur.Mark.IsZero() && c.bounds.Check(cur.Mark) == door.ReasonFuture {
		c.logger.Warn("lark: stored mark is in the future, starting over", "mark", cur.Mark)
		cur = cursor{}
	}
	if cur.Start == "" {
		cur.Next, cur.Newest, cur.Pending = "", time.Time{}, nil
		var start time.Time
		if !cur.Mark.IsZero() {
			start = cur.Mark.Add(-c.opts.RereadWindow)
		}
		if start.Before(c.historyStart) {
			start = c.historyStart
		}
		cur.Start = strconv.FormatInt(max(start.Unix(), 0), 10)
	}
	seen := map[string]bool{}
	for n := 1; ; n++ {
		q := url.Values{
			"container_id_type": {"chat"}, "container_id": {c.opts.ChatID}, "start_time": {cur.Start},
			"sort_type": {"ByCreateTimeDesc"}, "page_size": {pageSize},
		}
		if cur.Next != "" {
			q.Set("page_token", cur.Next)
		}
		var p page
		if err := c.call(ctx, q, &p); err != nil {
			if cur.Next != "" && n == 1 && codeOf(err) == codeBadParam {
				c.logger.Warn("lark: stored page token refused, walking again", "err", err)
				cur = cursor{Mark: cur.Mark, Start: cur.Start}
				n = 0
				continue
			}
			return c.fail(cur, emit, fmt.Errorf("lark: messages page %d: %w", n, err))
		}
		next := p.Data.PageToken
		if !p.Data.HasMore {
			next = ""
		}
		if next != "" && seen[next] {
			return c.fail(cur, emit, fmt.Errorf("lark: messages page %d: %w", n, fetch.LoopError(c.messages.String(), errors.New("page_token named twice"))))
		}
		seen[next] = true
		w := &walk{c: c, pending: cur.Pending}
		for i := range p.Data.Items {
			at, err := w.add(ctx, &p.Data.Items[i])
			if err != nil {
				return fmt.Errorf("lark: messages page %d: %w", n, err)
			}
			if at.After(cur.Newest) {
				cur.Newest = at
			}
		}
		resume := cursor{Mark: cur.Mark, Start: cur.Start, Next: next, Newest: cur.Newest, Pending: w.pending, Again: cur.Again}
		switch {
		case next == "" && cur.Next != "" && len(p.Data.Items) == 0 && !cur.Again:
			// has_more said a page follows, and it lists nothing: a
			// vendor's glitch after which the mark would pass messages
			// never listed.
			c.logger.Warn("lark: the listing ended on a page without messages; walking again at the next sync", "page", n)
			resume = cursor{Mark: cur.Mark, Again: true}
		case next == "":
			// The walk is done: the replies whose root is older join
			// its stored ticket.
			if err := w.orphans(); err != nil {
				return fmt.Errorf("lark: messages page %d: %w", n, err)
			}
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
			return fmt.Errorf("lark: messages page %d: %w", n, fetch.DecodeError(c.messages.String(), err))
		}
		if err := emit(item.Batch{Tickets: w.tickets, Cursor: encoded}); err != nil {
			return fmt.Errorf("lark: storing messages page %d: %w", n, err)
		}
		if next == "" {
			return nil
		}
		cur = resume
	}
}

// fail ends a sync with err. When the listing led in a circle in the
// middle of a walk, the stored cursor goes back to the walk's start: a
// page token of that circle may have skipped messages (a token named
// once, then a larger one), and the next sync walks again rather than
// trust it.
func (c *collector) fail(cur cursor, emit func(item.Batch) error, err error) error {
	if fetch.Reason(err) != fetch.ReasonLoop || cur.Next == "" {
		return err
	}
	encoded, merr := json.Marshal(cursor{Mark: cur.Mark, Start: cur.Start, Again: cur.Again})
	if merr != nil {
		return err
	}
	if eerr := emit(item.Batch{Cursor: encoded}); eerr != nil {
		return errors.Join(err, fmt.Errorf("lark: storing the walk's restart: %w", eerr))
	}
	return err
}

// call GETs the message list with a tenant_access_token and reads its
// envelope. A token Lark refuses (expired early, revoked) is replaced
// once, and the request sent again.
func (c *collector) call(ctx context.Context, q url.Values, p *page) error {
	u := c.messages.String() + "?" + q.Encode()
	for attempt := 0; ; attempt++ {
		token, err := c.bearer(ctx)
		if err != nil {
			return err
		}
		*p = page{}
		_, err = c.http.GetJSON(ctx, u, http.Header{"Authorization": {"Bearer " + token}}, p)
		if err == nil && p.Code != 0 {
			err = apiFailure(http.MethodGet, c.messages.String(), 200, p.envelope, false)
		} else if err != nil {
			err = classify(err, false)
		}
		if err != nil && attempt == 0 && tokenRefused(codeOf(err)) {
			c.logger.Info("lark: tenant_access_token refused, asking for a new one", "code", codeOf(err))
			c.forget(token)
			continue
		}
		return err
	}
}

// walk reads one page: the tickets it finishes, and the replies still
// waiting for their root.
type walk struct {
	c       *collector
	pending []pending
	tickets []item.Ticket
}

// add reads one listed message; at is its time, for the mark (zero when
// it has none plausible).
func (w *walk) add(ctx context.Context, m *message) (time.Time, error) {
	c := w.c
	at, err := m.created()
	if err != nil {
		return time.Time{}, fetch.DecodeError(c.messages.String(), err)
	}
	if r := c.bounds.Check(at); r != "" {
		if m.RootID == "" && m.human() && !c.vendor(m) && !m.Deleted {
			c.rejected(r) // a ticket refused; a reply is skipped quietly
		}
		return time.Time{}, nil
	}
	if m.RootID != "" && m.RootID != m.MessageID {
		// A reply that brings nothing (an app's without a hashtag) is not
		// kept: the cursor carries what is pending.
		if p := c.reply(m, m.RootID, at); !m.Deleted && (p.Kind != "" || len(p.Tags) > 0) {
			w.pending = append(w.pending, p)
		}
		return at, nil
	}
	replies := w.take(m.MessageID)
	if m.Deleted || !m.human() || c.vendor(m) || at.Before(c.historyStart) {
		// Recalled or deleted, the vendor's, an app's: no ticket, and
		// its replies go with it. A ticket stored before stays as it
		// was (the store keeps what it counted).
		return at, nil
	}
	if m.ThreadID != "" {
		// A topic thread: its replies are listed in the thread, not in
		// the chat (container_id_type=thread). Should the chat list some
		// of them too, they were held above and count once: events are
		// told apart by their message.
		listed, err := c.thread(ctx, m.ThreadID)
		if err != nil {
			return time.Time{}, err
		}
		for i := range listed {
			r := &listed[i]
			if r.MessageID == m.MessageID || r.Deleted {
				continue
			}
			rat, err := r.created()
			if err != nil {
				return time.Time{}, fetch.DecodeError(c.messages.String(), err)
			}
			if c.bounds.Check(rat) == "" {
				replies = append(replies, c.reply(r, m.MessageID, rat))
			}
		}
	}
	stored, err := c.stored(m.MessageID)
	if err != nil {
		return time.Time{}, err
	}
	t := item.Ticket{ID: m.MessageID, CreatedAt: at, Status: item.StatusOpen}
	if stored != nil {
		t = *stored
		t.Tags, t.Events = slices.Clone(stored.Tags), slices.Clone(stored.Events)
	}
	t.Tags = append(t.Tags, hashtags(m.text())...)
	w.finish(&t, stored, replies)
	return at, nil
}

// take removes and returns the pending replies to root.
func (w *walk) take(root string) []pending {
	var out []pending
	w.pending = slices.DeleteFunc(w.pending, func(p pending) bool {
		if p.Root == root {
			out = append(out, p)
			return true
		}
		return false
	})
	return out
}

// orphans joins the replies whose root the walk never reached to their
// stored tickets; those of no stored ticket (a vendor's message, one
// before the history start) are no conversation of a ticket.
func (w *walk) orphans() error {
	for len(w.pending) > 0 {
		root := w.pending[0].Root
		replies := w.take(root)
		stored, err := w.c.stored(root)
		if err != nil {
			return err
		}
		if stored == nil {
			continue
		}
		t := *stored
		t.Tags, t.Events = slices.Clone(stored.Tags), slices.Clone(stored.Events)
		w.finish(&t, stored, replies)
	}
	return nil
}

// finish adds replies to t and keeps it for the batch when it changed
// since stored.
func (w *walk) finish(t *item.Ticket, stored *item.Ticket, replies []pending) {
	for _, r := range replies {
		t.Tags = append(t.Tags, r.Tags...)
		if r.Kind != "" {
			addEvent(t, item.Event{Kind: r.Kind, At: r.At, Ref: r.ID})
		}
		if r.Solved {
			addEvent(t, item.Event{Kind: item.EventSolved, At: r.At, Ref: r.ID})
		}
	}
	settle(t)
	if r := w.c.bounds.Ticket(t); r != "" {
		w.c.rejected(r)
		return
	}
	if stored != nil && unchanged(stored, t) {
		return // read again in the window, the same: nothing to store
	}
	w.tickets = append(w.tickets, *t)
}

// reply reads m, a reply in the thread of root: a vendor or customer
// reply by its author, a solve when a vendor's text matches
// solved_patterns; an app's message brings only its hashtags (an
// escalation bot's #escalated). Each event names its message (Ref), so a
// reply listed again in the window is not counted twice.
func (c *collector) reply(m *message, root string, at time.Time) pending {
	text := m.text()
	p := pending{Root: root, ID: m.MessageID, At: at, Tags: hashtags(text)}
	if !m.human() {
		return p
	}
	p.Kind = item.EventCustomerReply
	if c.vendor(m) {
		p.Kind = item.EventVendorReply
		p.Solved = slices.ContainsFunc(c.solved, func(re *regexp.Regexp) bool { return re.MatchString(text) })
	}
	return p
}

func addEvent(t *item.Ticket, e item.Event) {
	if !slices.ContainsFunc(t.Events, func(x item.Event) bool { return x.Kind == e.Kind && x.Ref == e.Ref }) {
		t.Events = append(t.Events, e)
	}
}

// settle orders a ticket's events and derives what follows from them: a
// customer reply after a solve reopens the ticket (a reopen event at that
// reply), the status is solved when the last solve was not followed by
// one, and the update time is the latest event's.
func settle(t *item.Ticket) {
	slices.Sort(t.Tags)
	t.Tags = slices.Compact(t.Tags)
	events := slices.DeleteFunc(t.Events, func(e item.Event) bool { return e.Kind == item.EventReopened })
	slices.SortFunc(events, func(a, b item.Event) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Ref, b.Ref), cmp.Compare(rank[a.Kind], rank[b.Kind]))
	})
	out := make([]item.Event, 0, len(events))
	solved := false
	t.UpdatedAt = t.CreatedAt
	for _, e := range events {
		switch e.Kind {
		case item.EventSolved:
			solved = true
		case item.EventCustomerReply:
			if solved {
				out = append(out, item.Event{Kind: item.EventReopened, At: e.At, Ref: e.Ref})
				solved = false
			}
		}
		out = append(out, e)
		if e.At.After(t.UpdatedAt) {
			t.UpdatedAt = e.At
		}
	}
	t.Events = out
	t.Status = item.StatusOpen
	if solved {
		t.Status = item.StatusSolved
	}
}

// rank orders the events of one message: the reply before the solve it
// says.
var rank = map[item.EventKind]int{item.EventVendorReply: 0, item.EventCustomerReply: 0, item.EventReopened: 1, item.EventSolved: 2}

// thread lists a topic thread's messages, oldest first.
func (c *collector) thread(ctx context.Context, id string) ([]message, error) {
	var out []message
	next := ""
	seen := map[string]bool{}
	for {
		q := url.Values{"container_id_type": {"thread"}, "container_id": {id}, "sort_type": {"ByCreateTimeAsc"}, "page_size": {pageSize}}
		if next != "" {
			q.Set("page_token", next)
		}
		var p page
		if err := c.call(ctx, q, &p); err != nil {
			return nil, fmt.Errorf("thread %s: %w", id, err)
		}
		out = append(out, p.Data.Items...)
		next = p.Data.PageToken
		if !p.Data.HasMore || next == "" {
			return out, nil
		}
		if seen[next] {
			return nil, fetch.LoopError(c.messages.String(), errors.New("page_token named twice"))
		}
		seen[next] = true
	}
}

// unchanged reports whether t says what the stored version s said.
func unchanged(s, t *item.Ticket) bool {
	return s.ID == t.ID && s.CreatedAt.Equal(t.CreatedAt) && s.UpdatedAt.Equal(t.UpdatedAt) &&
		s.Status == t.Status && slices.Equal(s.Tags, t.Tags) &&
		slices.EqualFunc(s.Events, t.Events, func(a, b item.Event) bool { return a.Kind == b.Kind && a.At.Equal(b.At) && a.Ref == b.Ref })
}
