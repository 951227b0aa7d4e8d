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
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
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

// The declared limit of the message API: 50 requests in any 3 seconds,
// within both of Lark's (1000 a minute, 50 a second, per app).
const (
	rateBurst = 50
	rateSpan  = 3 * time.Second
)

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
	messages := base.JoinPath("open-apis/im/v1/messages")
	// Lark's gateway answers past the message API's limit (1000 requests
	// a minute and 50 a second, per app) with 429 and
	// x-ogw-ratelimit-reset, which the shared client honours; declared,
	// the limit is kept before Lark has to say so: 50 in any 3 s keeps
	// both. Every source of the host shares the window, held to the
	// strictest declaration (two apps' sources share it, the cautious
	// side).
	env.Limits.Declare(source.Owner(env), base.Host, messages.EscapedPath(), rateBurst, rateSpan)
	logger := env.Log()
	now := env.Clock()
	stored := env.StoredOrNone()
	c := &collector{
		http:         env.HTTP.WithMaxBodyBytes(maxPageBytes),
		tokenURL:     base.JoinPath(tokenPath),
		messages:     messages,
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
// once, and the request sent again; when the token endpoint hands back
// the very token refused, the refusal stands (sent again, the request
// would be the same one, and the answer too).
func (c *collector) call(ctx context.Context, q url.Values, p *page) error {
	u := c.messages.String() + "?" + q.Encode()
	var refused string
	var refusal error
	for attempt := 0; ; attempt++ {
		token, err := c.bearer(ctx)
		if err != nil {
			return err
		}
		if refusal != nil && token == refused {
			return refusal
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
			refused, refusal = token, err
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
		// An app's message without a hashtag is kept too: read again,
		// it may have lost one it had.
		if !m.Deleted {
			w.pending = append(w.pending, c.reply(m, m.RootID, at))
		}
		return at, nil
	}
	replies := w.take(m.MessageID)
	if m.Deleted {
		// Recalled or deleted: no ticket. Its replies are handled as
		// those of a root the walk never reached (orphans): they join
		// a ticket stored before, which stays (the store keeps what it
		// counted), and go with none.
		w.pending = append(w.pending, replies...)
		return at, nil
	}
	if !m.human() || c.vendor(m) || at.Before(c.historyStart) {
		// The vendor's, an app's: no ticket, and its replies go with it.
		return at, nil
	}
	stored, err := c.stored(m.MessageID)
	if err != nil {
		return time.Time{}, err
	}
	if m.ThreadID != "" {
		// A topic thread: its replies are listed in the thread, not in
		// the chat (container_id_type=thread). Should the chat list some
		// of them too, they were held above and count once: events are
		// told apart by their message.
		listed, err := c.thread(ctx, m.ThreadID, m.MessageID, stored)
		if err != nil {
			if !threadGone(codeOf(err)) {
				return time.Time{}, err
			}
			// Gone since it was listed, or never to be read: asking
			// again would not help, and would hold the source back
			// for good. The ticket keeps what the chat listed, and
			// what was stored.
			c.logger.Warn("lark: topic thread unreadable, keeping the ticket with what the chat listed", "ticket", m.MessageID, "thread", m.ThreadID, "err", err)
		}
		for i := range listed {
			r := &listed[i]
			if r.Deleted {
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
	t := item.Ticket{ID: m.MessageID, CreatedAt: at, Status: item.StatusOpen}
	if stored != nil {
		t = *stored
		t.Tags, t.Events = slices.Clone(stored.Tags), slices.Clone(stored.Events)
	}
	tags := tagsOf(stored)
	tags.set(m.MessageID, hashtags(m.text()))
	w.finish(&t, stored, tags, replies)
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

// orphans joins the replies whose root the walk has passed to their
// tickets: one read on this page (a reply listed after its root, with
// the same create_time), else the stored one; those of no ticket (a
// vendor's message, one before the history start) are no conversation of
// a ticket.
func (w *walk) orphans() error {
	for len(w.pending) > 0 {
		root := w.pending[0].Root
		replies := w.take(root)
		if i := slices.IndexFunc(w.tickets, func(t item.Ticket) bool { return t.ID == root }); i >= 0 {
			t := w.tickets[i]
			w.tickets = slices.Delete(w.tickets, i, i+1)
			w.finish(&t, nil, tagsOf(&t), replies)
			continue
		}
		stored, err := w.c.stored(root)
		if err != nil {
			return err
		}
		if stored == nil {
			continue
		}
		t := *stored
		t.Tags, t.Events = slices.Clone(stored.Tags), slices.Clone(stored.Events)
		w.finish(&t, stored, tagsOf(stored), replies)
	}
	return nil
}

// finish adds replies to t and keeps it for the batch when it changed
// since stored. A reply read again (in the window, edited perhaps) says
// what it says now: the events and tags it brought before are replaced by
// its current ones. tags are the ticket's by message; t's tags are
// theirs.
func (w *walk) finish(t *item.Ticket, stored *item.Ticket, tags tagNote, replies []pending) {
	for _, r := range replies {
		tags.set(r.ID, r.Tags)
		t.Events = slices.DeleteFunc(t.Events, func(e item.Event) bool { return e.Ref == r.ID })
		if r.Kind != "" {
			addEvent(t, item.Event{Kind: r.Kind, At: r.At, Ref: r.ID})
		}
		if r.Solved {
			addEvent(t, item.Event{Kind: item.EventSolved, At: r.At, Ref: r.ID})
		}
	}
	t.Tags, t.Seen = tags.all(), tags.String()
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

// tagNote holds a ticket's hashtags by the message that wrote them, so
// that a message edited loses the tags it no longer says. It is kept in
// Ticket.Seen, the collector's own note: "id:tag,tag" by message id,
// sorted, space separated (ids and tags hold neither). Tags of a ticket
// stored without the note (before it was kept) are under the id "":
// kept, since no message can be told to have dropped them.
type tagNote map[string][]string

func tagsOf(stored *item.Ticket) tagNote {
	n := tagNote{}
	if stored == nil {
		return n
	}
	if stored.Seen == "" {
		n.set("", stored.Tags)
		return n
	}
	for _, entry := range strings.Fields(stored.Seen) {
		id, list, _ := strings.Cut(entry, ":")
		n.set(id, strings.Split(list, ","))
	}
	return n
}

// set records the tags message id says now.
func (n tagNote) set(id string, tags []string) {
	tags = slices.DeleteFunc(slices.Clone(tags), func(s string) bool { return s == "" })
	if len(tags) == 0 {
		delete(n, id)
		return
	}
	slices.Sort(tags)
	n[id] = slices.Compact(tags)
}

// all are the ticket's tags: every message's, sorted, once each.
func (n tagNote) all() []string {
	var out []string
	for _, tags := range n {
		out = append(out, tags...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (n tagNote) String() string {
	entries := make([]string, 0, len(n))
	for _, id := range slices.Sorted(maps.Keys(n)) {
		entries = append(entries, id+":"+strings.Join(n[id], ","))
	}
	return strings.Join(entries, " ")
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

// thread lists the replies of a topic thread opened by root, newest
// first, down to the first message the stored ticket holds already (an
// event or a tag of it): a thread unchanged since costs one request, a
// thread grown the pages of its new messages.
func (c *collector) thread(ctx context.Context, id, root string, stored *item.Ticket) ([]message, error) {
	known := map[string]bool{}
	if stored != nil {
		for _, e := range stored.Events {
			known[e.Ref] = true
		}
		for ref := range tagsOf(stored) {
			known[ref] = true
		}
	}
	var out []message
	next := ""
	seen := map[string]bool{}
	for {
		q := url.Values{"container_id_type": {"thread"}, "container_id": {id}, "sort_type": {"ByCreateTimeDesc"}, "page_size": {pageSize}}
		if next != "" {
			q.Set("page_token", next)
		}
		var p page
		if err := c.call(ctx, q, &p); err != nil {
			return out, fmt.Errorf("thread %s: %w", id, err)
		}
		for _, m := range p.Data.Items {
			if m.MessageID == root || known[m.MessageID] {
				return out, nil
			}
			out = append(out, m)
		}
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
		s.Status == t.Status && slices.Equal(s.Tags, t.Tags) && s.Seen == t.Seen &&
		slices.EqualFunc(s.Events, t.Events, func(a, b item.Event) bool { return a.Kind == b.Kind && a.At.Equal(b.At) && a.Ref == b.Ref })
}
