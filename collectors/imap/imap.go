// Package imap reads a buyer's support mailbox over IMAP as tickets: a
// thread (Message-ID, In-Reply-To, References; Gmail's X-GM-THRID) is a
// ticket, the vendor's human messages its replies, configured patterns
// its solves and reopens (docs/sources.md, `imap`).
package imap

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"slices"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// defaultTimeout bounds a command when the environment gives no HTTP
// client to take global.request_timeout from (tests).
const defaultTimeout = 30 * time.Second

// target is where a source connects.
type target struct {
	addr        string // host:port
	where       string // scheme://host:port, for errors
	implicitTLS bool
}

// New builds the source of kind imap (a source.Factory).
func New(env source.Env) (source.Source, error) {
	name := env.Config.Name
	t, err := parseTarget(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("imap: source %q: %w", name, err)
	}
	opts := optionsOf(env.Config)
	var problems []string
	opts.Check(func(key, format string, args ...any) {
		problems = append(problems, key+": "+fmt.Sprintf(format, args...))
	})
	opts.CheckCredentials(&env.Config.HTTPClient, func(key, format string, args ...any) {
		problems = append(problems, key+": "+fmt.Sprintf(format, args...))
	})
	if len(problems) > 0 {
		return nil, fmt.Errorf("imap: source %q: %v", name, problems)
	}
	tlsConfig, err := commoncfg.NewTLSConfig(&env.Config.HTTPClient.TLSConfig)
	if err != nil {
		return nil, fmt.Errorf("imap: source %q: tls_config: %w", name, err)
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName, _, _ = net.SplitHostPort(t.addr)
	}
	timeout := defaultTimeout
	if env.HTTP != nil && env.HTTP.Timeout() > 0 {
		timeout = env.HTTP.Timeout()
	}
	creds, err := newCredentials(&env.Config.HTTPClient, opts.Username, timeout)
	if err != nil {
		return nil, fmt.Errorf("imap: source %q: %w", name, err)
	}
	c := &collector{
		env: env, target: t, tls: tlsConfig, timeout: timeout, creds: creds, opts: opts,
		ack: compile(opts.AcknowledgementPatterns), solved: compile(opts.SolvedPatterns),
		reopened: compile(opts.ReopenedPatterns), tags: map[string]*regexp.Regexp{},
		logger: env.Logger, stored: env.Stored,
	}
	for tag, p := range opts.TagPatterns {
		c.tags[tag] = regexp.MustCompile(p) // Check compiled it
	}
	for _, a := range opts.VendorAddresses {
		v, _ := parseVendorAddress(a) // Check parsed it
		c.vendors = append(c.vendors, v)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.stored == nil {
		c.stored = func(string) (*item.Ticket, error) { return nil, nil }
	}
	return c, nil
}

func parseTarget(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return target{}, errors.New("url: want imaps://host[:port] or imap://host[:port]")
	}
	if u.User != nil {
		return target{}, errors.New("url: credentials belong in http_client, not in the URL")
	}
	var port string
	switch u.Scheme {
	case "imaps":
		port = "993"
	case "imap":
		port = "143"
	default:
		return target{}, fmt.Errorf("url: scheme %q: want imaps:// or imap:// (STARTTLS)", u.Scheme)
	}
	if u.Port() != "" {
		port = u.Port()
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	return target{addr: addr, where: u.Scheme + "://" + addr, implicitTLS: u.Scheme == "imaps"}, nil
}

func compile(patterns []string) []*regexp.Regexp {
	var res []*regexp.Regexp
	for _, p := range patterns {
		res = append(res, regexp.MustCompile(p)) // Check compiled it
	}
	return res
}

type collector struct {
	env                   source.Env
	target                target
	tls                   *tls.Config
	timeout               time.Duration
	creds                 *credentials
	opts                  *Options
	vendors               []vendorAddress
	ack, solved, reopened []*regexp.Regexp
	tags                  map[string]*regexp.Regexp
	logger                *slog.Logger
	stored                func(string) (*item.Ticket, error)
}

// Sync logs in, reads each folder's new messages in batches of at most
// chunkSize, and logs out.
func (c *collector) Sync(ctx context.Context, raw []byte, emit func(item.Batch) error) error {
	cur := cursor{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cur); err != nil {
			c.logger.Warn("imap: unreadable cursor, reading the mailbox again", "err", err)
			cur = cursor{}
		}
	}
	if cur.Folders == nil {
		cur.Folders = map[string]folderState{}
	}
	b := &budget{max: c.env.Config.MaxRequestsPerSync}
	s, err := dial(ctx, c.target, c.tls, c.timeout, c.env.Counted, b)
	if err != nil {
		return fmt.Errorf("imap: %w", err)
	}
	defer s.close()
	if err := s.login(ctx, c.creds); err != nil {
		return fmt.Errorf("imap: %w", err)
	}
	if err := s.capabilities(ctx); err != nil {
		return fmt.Errorf("imap: %w", err)
	}
	w := &walk{c: c, s: s, cur: cur, st: newState(&cur, c.opts.TicketsOpenedBy == openedByAnyone, c.env.HistoryStart), emit: emit,
		read: map[string]uint32{}, stopped: map[string]bool{}}
	for _, f := range c.opts.Folders {
		if err := w.folder(ctx, f); err != nil {
			if ctx.Err() == nil && !w.emitFailed {
				// What was read is stored before the sync fails: the
				// next one resumes after it.
				if ferr := w.flush(nil, true); ferr != nil {
					return fmt.Errorf("imap: storing: %w", ferr)
				}
			}
			return fmt.Errorf("imap: folder %q: %w", f, err)
		}
	}
	if err := w.flush(nil, true); err != nil {
		return fmt.Errorf("imap: storing: %w", err)
	}
	if err := s.logout(ctx); err != nil {
		// Everything is stored: a failed goodbye fails no sync.
		c.logger.Debug("imap: LOGOUT failed", "err", err)
	}
	return nil
}

// walk is one sync's reading of the folders.
type walk struct {
	c          *collector
	s          *session
	cur        cursor            // as stored by the last batch
	read       map[string]uint32 // per folder, the last UID this sync read
	st         *state
	emit       func(item.Batch) error
	emitFailed bool
	stopped    map[string]bool // folders whose walk ended before a message dated in the future
	dirty      bool            // the state differs from the stored cursor
}

// flush stores tickets with the cursor: mid-sync, each folder's position
// stays before the vendor messages still waiting for a ticket (they are
// in no cursor yet); the final cursor carries them, capped.
func (w *walk) flush(tickets []item.Ticket, final bool) error {
	if !final && len(tickets) == 0 && !w.dirty {
		return nil
	}
	if final && len(tickets) == 0 && !w.dirty && len(w.st.held) == 0 {
		return nil
	}
	next := cursor{Folders: map[string]folderState{}, Pending: w.cur.Pending, Skip: slices.Clone(w.st.skipOrder)}
	for _, name := range w.c.opts.Folders {
		// A folder no longer configured is forgotten: read again from its
		// start if it comes back, counting nothing twice.
		if fs, ok := w.cur.Folders[name]; ok {
			next.Folders[name] = fs
		}
	}
	for name, last := range w.read {
		fs := next.Folders[name]
		if final {
			fs.Last = last
		} else {
			fs.Last = max(fs.Last, w.st.position(name, last))
		}
		next.Folders[name] = fs
	}
	if final {
		next.Pending = w.st.pendingList()
		w.st.held = map[string][]heldMessage{}
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return err
	}
	if err := w.emit(item.Batch{Tickets: tickets, Cursor: raw}); err != nil {
		w.emitFailed = true
		return err
	}
	w.cur = next
	w.dirty = false
	return nil
}

// classify reads a message's role from its header (and body, when given).
func (c *collector) classify(m *message, h *header, body string) {
	m.vendor = c.isVendor(h.from)
	for tag, re := range c.tags {
		if re.MatchString(h.subject) {
			m.tags = append(m.tags, tag)
		}
	}
	if !m.vendor {
		// A bounce, an out-of-office or a newsletter is not the
		// customer writing.
		m.machine = h.machine
		return
	}
	m.machine = h.machine || matchAny(c.ack, h.subject) || matchAny(c.ack, body)
	m.solved = matchAny(c.solved, h.subject) || matchAny(c.solved, body)
	m.reopened = matchAny(c.reopened, h.subject) || matchAny(c.reopened, body)
}

// needsBody reports whether a vendor message's body could change its
// classification: a pattern that its subject did not already settle.
func (c *collector) needsBody(h *header) bool {
	if c.opts.MaxBodyBytes == 0 || !c.isVendor(h.from) {
		return false
	}
	ack := !h.machine && len(c.ack) > 0 && !matchAny(c.ack, h.subject)
	solved := len(c.solved) > 0 && !matchAny(c.solved, h.subject)
	reopened := len(c.reopened) > 0 && !matchAny(c.reopened, h.subject)
	return ack || solved || reopened
}

func (c *collector) isVendor(addr string) bool {
	return slices.ContainsFunc(c.vendors, func(v vendorAddress) bool { return v.matches(addr) })
}

func matchAny(res []*regexp.Regexp, s string) bool {
	if s == "" {
		return false
	}
	return slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(s) })
}

// plausible applies the door to a message's time: a time in the future
// holds the folder's position before the message until it is plausible
// (a time in the past never becomes plausible: the message is skipped).
func (c *collector) plausible(at time.Time) (ok, hold bool) {
	r := c.env.Bounds.Check(at)
	if r == "" {
		return true, false
	}
	c.env.Rejected(r)
	return false, r == door.ReasonFuture
}
