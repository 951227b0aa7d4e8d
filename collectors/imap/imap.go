// Package imap reads a buyer's support mailbox over IMAP as tickets: a
// thread (Message-ID, In-Reply-To, References; Gmail's X-GM-THRID) is a
// ticket, the vendor's human messages its replies, configured patterns
// its solves and reopens (docs/sources.md, `imap`).
package imap

import (
	"bytes"
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
	"strings"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/source"
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
	tlsConfig, timeout, creds, err := mailboxLogin(env, opts)
	if err != nil {
		return nil, err
	}
	c := &collector{
		env: env, target: t, tls: tlsFor(tlsConfig, t.addr), timeout: timeout, creds: creds, opts: opts,
		ack: compile(opts.AcknowledgementPatterns), solved: compile(opts.SolvedPatterns),
		reopened: compile(opts.ReopenedPatterns), tags: map[string]*regexp.Regexp{},
		logger: env.Log(), stored: env.StoredOrNone(),
	}
	for tag, p := range opts.TagPatterns {
		c.tags[tag] = regexp.MustCompile(p) // Check compiled it
	}
	for _, a := range opts.VendorAddresses {
		v, _ := parseVendorAddress(a) // Check parsed it
		c.vendors = append(c.vendors, v)
	}
	return c, nil
}

// mailboxLogin is what the collector and the drill's creator both need to log
// in to the mailbox: the source's TLS settings (without a server name:
// tlsFor adds the host's), the request timeout and the credentials.
func mailboxLogin(env source.Env, opts *Options) (*tls.Config, time.Duration, *credentials, error) {
	name := env.Config.Name
	tlsConfig, err := commoncfg.NewTLSConfig(&env.Config.HTTPClient.TLSConfig)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("imap: source %q: tls_config: %w", name, err)
	}
	timeout := defaultTimeout
	if env.HTTP != nil && env.HTTP.Timeout() > 0 {
		timeout = env.HTTP.Timeout()
	}
	creds, err := newCredentials(&env.Config.HTTPClient, opts.Username, timeout)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("imap: source %q: %w", name, err)
	}
	return tlsConfig, timeout, creds, nil
}

// tlsFor is base for the server at addr (host:port): its host is the
// name the certificate must carry, unless tls_config names one.
func tlsFor(base *tls.Config, addr string) *tls.Config {
	c := base.Clone()
	if c.ServerName == "" {
		c.ServerName, _, _ = net.SplitHostPort(addr)
	}
	return c
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

// Sync logs in, reads the new messages of every folder, then threads them
// all together by date and stores the tickets they touch, and logs out.
// The result does not depend on the order of the folders: a thread whose
// customer messages are in Sent and the vendor's in INBOX is judged on
// all of them at once (docs/sources.md, `imap`).
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
	s, err := dial(ctx, c.target, c.tls, c.timeout, c.env.Counted, b, maxLiteral(c.opts))
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
	w := &walk{c: c, s: s, cur: cur, st: newState(&cur, c.opts.TicketsOpenedBy == openedByAnyone, c.env.HistoryStart)}
	readErr := w.read(ctx)
	if readErr != nil && ctx.Err() != nil {
		return fmt.Errorf("imap: %w", readErr)
	}
	// A read cut short (the budget, a fault) still stores what it can
	// judge (see settle): the next sync resumes after it.
	tickets, next, err := w.settle()
	if err != nil {
		return fmt.Errorf("imap: storing: %w", err)
	}
	if err := w.store(raw, tickets, next, emit); err != nil {
		return fmt.Errorf("imap: storing: %w", err)
	}
	if readErr != nil {
		return fmt.Errorf("imap: %w", readErr)
	}
	if err := s.logout(ctx); err != nil {
		// Everything is stored: a failed goodbye fails no sync.
		c.logger.Debug("imap: LOGOUT failed", "err", err)
	}
	return nil
}

// walk is one sync's reading of the folders.
type walk struct {
	c        *collector
	s        *session
	cur      cursor // as stored
	st       *state
	folders  []*reader
	msgs     []message // every message read, classified
	selected string    // the folder EXAMINE opened last
}

// store emits the tickets in batches of at most chunkSize, the last one
// with the cursor of every folder: a sync that dies between two batches
// stored tickets but no position, and the next one reads the same
// messages again, which count nothing twice (Event.Ref).
func (w *walk) store(raw []byte, tickets []item.Ticket, next cursor, emit func(item.Batch) error) error {
	cur, err := json.Marshal(next)
	if err != nil {
		return err
	}
	if len(tickets) == 0 && bytes.Equal(cur, raw) {
		return nil // a caught-up poll stores nothing
	}
	for len(tickets) > chunkSize {
		if err := emit(item.Batch{Tickets: tickets[:chunkSize]}); err != nil {
			return err
		}
		tickets = tickets[chunkSize:]
	}
	return emit(item.Batch{Tickets: tickets, Cursor: cur})
}

// classify reads a message's role from its header (and body, when given).
// A vendor message's subject patterns are kept apart (subjectAck, …):
// whether they count depends on its thread's first customer subject
// (state.judge).
func (c *collector) classify(m *message, h *header, body string) {
	m.vendor = c.isVendor(h.from)
	for tag, re := range c.tags {
		if re.MatchString(h.subject) {
			m.tags = append(m.tags, tag)
		}
	}
	subject := baseSubject(h.subject)
	m.subject = subjectKey(subject)
	m.drill = item.DrillMarked(h.subject)
	if !m.vendor {
		// A bounce, an out-of-office or a newsletter is not the
		// customer writing.
		m.machine = h.machine
		return
	}
	m.machine = h.machine || matchAny(c.ack, body)
	m.solved = matchAny(c.solved, body)
	m.reopened = matchAny(c.reopened, body)
	m.subjectAck = matchAny(c.ack, subject)
	m.subjectSolved = matchAny(c.solved, subject)
	m.subjectReopened = matchAny(c.reopened, subject)
}

// needsBody reports whether a vendor message's body could change its
// classification: a pattern that its subject did not already settle. A
// reply's subject ("Re: …") may be the customer's, which settles nothing.
func (c *collector) needsBody(h *header) bool {
	if c.opts.MaxBodyBytes == 0 || !c.isVendor(h.from) {
		return false
	}
	subject := baseSubject(h.subject)
	settles := func(res []*regexp.Regexp) bool {
		return subject == strings.TrimSpace(h.subject) && matchAny(res, subject)
	}
	ack := !h.machine && len(c.ack) > 0 && !settles(c.ack)
	solved := len(c.solved) > 0 && !settles(c.solved)
	reopened := len(c.reopened) > 0 && !settles(c.reopened)
	return ack || solved || reopened
}

// subjectPrefix is one reply or forward prefix of a subject (Re:, Fwd:,
// Fw:, AW:, WG:, SV:, VS:, Antw:, TR:, RIF:, Odp:, R:, 回复:, 回覆:, 答复:,
// 转发:, 轉寄:, Re[2]:), or a leading [tag] a helpdesk or list adds.
var subjectPrefix = regexp.MustCompile(`(?i)^\s*(((re|fwd?|aw|wg|sv|vs|antw|tr|rif|odp|r)\s*(\[\d+\]|\(\d+\))?|回复|回覆|答复|转发|轉寄)\s*[:：]|\[[^\]]{0,40}\])\s*`)

// baseSubject is a subject without its reply and forward prefixes.
func baseSubject(s string) string {
	s = strings.TrimSpace(s)
	for {
		loc := subjectPrefix.FindStringIndex(s)
		if loc == nil || loc[1] == 0 {
			return s
		}
		s = s[loc[1]:]
	}
}

// subjectKey is what compares two base subjects: a digest of the
// subject in lower case, its spaces collapsed.
func subjectKey(base string) string {
	return digest(strings.ToLower(strings.Join(strings.Fields(base), " ")))
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
