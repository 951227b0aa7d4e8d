package imap

// The off-hours drill by mail (docs/sources.md, `imap`, "The drill by
// mail"): the buyer's mail to the vendor's support address, through the
// buyer's submission server (smtp.go), found again in the buyer's own
// mailbox over IMAP.
//
// A ticket of this kind is a thread, named by its first message's
// Message-ID (Gmail: X-GM-THRID). The drill's mail carries a Message-ID
// made of its marker (<support-drill-…@the sender's domain>), the same at
// every attempt and in both exporters of an HA pair, so Create knows the
// ticket's id before it sends, a vendor that dedupes by Message-ID sees
// one message, and the collector threads the vendor's reply under it.
//
// Safe by construction, as the other kinds (source.Creator):
//   - before the mail is sent, its copy is APPENDed to smtp.staging_folder
//     (which the collector never reads: no sync takes a mail not sent
//     for a ticket), \Draft. The \Draft is taken off just before the
//     data's end, and the copy moved to sent_folder once the server took
//     the mail. A mail the server refused, or never got, is known not
//     sent whatever becomes of its copy: removed under a context of its
//     own (a reload that ended the send must not leave it), else left a
//     \Draft (or remembered in notSent), which Find never takes for sent.
//     A retry, or a restart after a crash at any point, first Finds the
//     marker: a copy that is no \Draft (the data's end got no answer:
//     the outcome unknown) is taken for sent, never sent twice. If the
//     server did not take it after all, the drill ends timed_out.
//   - smtp.server_saves_sent, or Gmail (X-GM-EXT-1, learnt at the login
//     before the send): nothing is APPENDed; the server's copy is looked
//     for after the send, and a send whose copy never shows ends the
//     drill (known sent: never sent again).
//   - Find reads sent_folder (which the collector reads too) and the
//     staging folder (a copy found there is moved to sent_folder) with SEARCH
//     on the subject and X-Support-Drill, and keeps the buyer's own first
//     messages (To smtp.to, no In-Reply-To or References) that hold the
//     marker. Its From is not compared: Sent holds only the account's own
//     mail, and Gmail rewrites a From that is none of the account's
//     addresses (a copy never found would be sent again).
//   - Comment answers the vendor's latest mail in the thread (References
//     the first message too), with a Message-ID of its own made of the
//     first's.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	goimap "github.com/emersion/go-imap"
	"github.com/emersion/go-imap/commands"
	"github.com/emersion/go-imap/responses"
	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-sasl"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
)

// NewCreator builds the drill's creator of an imap source (a
// source.CreatorFactory): its options' smtp says where the mail goes.
func NewCreator(env source.Env) (source.Creator, error) {
	name := env.Config.Name
	opts := optionsOf(env.Config)
	if why := opts.DrillRefusal(nil); why != "" {
		return nil, fmt.Errorf("imap: source %q: %s", name, why)
	}
	t, err := parseTarget(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("imap: source %q: %w", name, err)
	}
	st, err := parseSMTPURL(opts.SMTP.URL)
	if err != nil {
		return nil, fmt.Errorf("imap: source %q: smtp.url: %w", name, err)
	}
	tlsConfig, timeout, creds, err := mailboxLogin(env, opts)
	if err != nil {
		return nil, err
	}
	imapTLS, smtpTLS := tlsFor(tlsConfig, t.addr), tlsFor(tlsConfig, st.addr)
	smtpCreds := creds
	if ba := opts.SMTP.BasicAuth; ba != nil {
		smtpCreds = &credentials{user: ba.Username, password: secret(ba.Password, ba.PasswordFile), timeout: timeout}
	}
	from := strings.ToLower(opts.SMTP.From)
	c := &creator{
		target: t, tls: imapTLS, timeout: timeout, creds: creds, opts: opts,
		from: from, to: strings.ToLower(opts.SMTP.To), sent: opts.SMTP.SentFolder, staging: opts.SMTP.staging(), saves: opts.SMTP.ServerSavesSent,
		notSent: map[string]bool{},
		count:   env.Counted, bounds: env.Bounds, now: env.Clock(), logger: env.Log(),
	}
	c.sub = &submitter{target: st, tls: smtpTLS, timeout: timeout, helo: addrDomain(from), auth: smtpCreds.sasl,
		// A token the server refused (535) is not reused, as at the IMAP login.
		refused: func() { smtpCreds.tokens = nil }}
	return c, nil
}

// sasl is the SMTP login of the credentials: AUTH PLAIN with a
// password (AUTH LOGIN where the server offers no PLAIN, as Microsoft
// 365's), XOAUTH2 with a token.
func (c *credentials) sasl(ctx context.Context, plain bool) (sasl.Client, error) {
	if c.password != nil && c.oauth == nil {
		pw, err := c.password.Fetch(ctx)
		if err != nil {
			return nil, errors.New("the password file cannot be read")
		}
		if !plain {
			return sasl.NewLoginClient(c.user, pw), nil //nolint:staticcheck // LOGIN is what Microsoft 365 offers
		}
		return plainAuth(c.user, pw), nil
	}
	token, _, err := c.token(ctx)
	if err != nil {
		return nil, err
	}
	return &xoauth2{user: c.user, token: token}, nil
}

type creator struct {
	target   target
	tls      *tls.Config
	timeout  time.Duration
	creds    *credentials
	opts     *Options
	sub      *submitter
	from, to string // lower case
	sent     string // smtp.sent_folder
	staging  string // smtp.staging_folder
	saves    bool   // smtp.server_saves_sent
	// notSent holds the attempts known not sent whose copy could not be
	// removed: Find skips them.
	mu      sync.Mutex
	notSent map[string]bool
	// gmail: the mailbox's last login offered X-GM-EXT-1.
	gmail  bool
	count  func(string)
	bounds door.Bounds
	now    func() time.Time
	logger *slog.Logger
}

// Target names the submission server, the sender and the vendor's
// address, and the mailbox and folder the mail is found in.
func (c *creator) Target() string {
	return fmt.Sprintf("%s from %s to %s; %s %s", c.sub.target.where, c.from, c.to, c.target.where, c.sent)
}

// Create sends the drill's mail: its copy APPENDed to the staging
// folder first (unless the server saves it), marked \Draft until just
// before the data's end, then moved to sent_folder once the server took
// the mail.
func (c *creator) Create(ctx context.Context, d source.Draft) (source.Filed, error) {
	at := c.now().UTC().Truncate(time.Second)
	id := d.Marker + "@" + addrDomain(c.from)
	// The attempt's own mark tells its copy from another's of the same
	// Message-ID (an earlier attempt, the other exporter of an HA pair):
	// only its own is ever removed.
	attempt := rand.Text()
	raw := compose(draftHeader{from: c.from, to: c.to, subject: d.Subject, date: at, id: id, marker: d.Marker, attempt: attempt}, d.Body)
	// The mailbox first: whether it is Gmail's (which saves what it
	// sends, and names threads by X-GM-THRID) is known before the send.
	s, err := c.session(ctx)
	if err != nil {
		return source.Filed{}, &sendError{step: "login to the mailbox", where: c.target.where, retry: true, err: err}
	}
	defer func() { _ = s.logout(ctx) }()
	gmail := s.caps["X-GM-EXT-1"]
	saves := c.saves || gmail
	var beforeEnd func() error
	undrafted := false
	if !saves {
		if err := c.stage(ctx, s, raw, at, d.Marker); err != nil {
			// Nothing was sent. A copy an APPEND stored without its
			// answer is a \Draft, which Find never takes for sent.
			c.cleanup(ctx, attempt)
			return source.Filed{}, &sendError{step: "APPEND to " + c.staging, where: c.target.where, retry: true, err: err}
		}
		beforeEnd = func() error { undrafted = true; return c.draftFlag(ctx, s, attempt, goimap.RemoveFlags) }
	}
	err = c.sub.send(ctx, outgoing{from: c.from, to: []string{c.to}, raw: raw, beforeEnd: beforeEnd})
	var se *sendError
	switch {
	case err == nil:
	case errors.As(err, &se) && !se.unknown:
		// Refused, or never sent: known, whatever becomes of its copy.
		if !saves {
			if undrafted {
				// A draft again first, on the session still open: a
				// restart before its removal never takes it for sent.
				_ = c.draftFlag(ctx, s, attempt, goimap.AddFlags)
			}
			c.cleanup(ctx, attempt)
		}
		return source.Filed{}, fmt.Errorf("imap: drill mail: %w", se)
	default:
		return source.Filed{}, fmt.Errorf("imap: drill mail: %w", err)
	}
	if !saves {
		// Taken: its copy goes where the collector reads it.
		cctx, cancel := c.cleanupContext(ctx)
		defer cancel()
		if err := c.toSent(cctx, attempt); err != nil {
			// Sent; the next step's look finds the copy in the staging
			// folder and moves it.
			return source.Filed{}, &sendError{step: "moving the copy to " + c.sent, where: c.target.where, unknown: true,
				err: fmt.Errorf("sent; %w", err)}
		}
		return source.Filed{ID: id, CreatedAt: at}, nil
	}
	// The server saves its copy: confirmed in sent_folder (a server
	// that saves elsewhere would leave the thread's first message unread
	// by the collector), its id read from it (Gmail's X-GM-THRID).
	var all []source.Filed
	for i := range confirmTries {
		if i > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(confirmWait):
			}
		}
		if all, err = c.Find(ctx, d.Marker, at.Add(-time.Hour)); err == nil && len(all) > 0 {
			return all[0], nil
		}
	}
	if err != nil {
		return source.Filed{}, &sendError{step: "the copy the server saved", where: c.target.where, unknown: true,
			err: fmt.Errorf("sent; %w", err)}
	}
	// Known sent: never sent again, and no thread the collector reads.
	return source.Filed{}, &sendError{step: "the copy the server saved", where: c.target.where, err: fmt.Errorf(
		"sent, but no copy of it in %q after %v: the server does not save what it sends there (set smtp.server_saves_sent: false, or fix smtp.sent_folder); not sent again",
		c.sent, time.Duration(confirmTries-1)*confirmWait)}
}

// How long Create looks for the copy a server saves (server_saves_sent,
// Gmail) after the send.
var (
	confirmTries = 4
	confirmWait  = 2 * time.Second
)

// cleanupContext is the context of a step after the send: its own
// timeout, never the send's context (a reload or a shutdown that ended
// the send must not leave a copy behind).
func (c *creator) cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 4*c.timeout)
}

// cleanup removes the copy of an attempt known not sent, under its own
// context. When it cannot, the attempt is remembered as not sent, and
// Find never takes its copy for sent (a \Draft copy it never does).
func (c *creator) cleanup(ctx context.Context, attempt string) {
	cctx, cancel := c.cleanupContext(ctx)
	defer cancel()
	if err := c.removeAttempt(cctx, attempt); err != nil {
		c.mu.Lock()
		c.notSent[attempt] = true
		c.mu.Unlock()
		c.logger.Warn("imap: the copy of a drill mail not sent could not be removed; it is never taken for sent",
			"folder", c.staging, "err", err)
	}
}

// Comment answers the thread id as the buyer: a reply to its first
// message, which Find's rules identify.
func (c *creator) Comment(ctx context.Context, id, body string) error {
	root, err := c.root(ctx, id)
	if err != nil {
		// Nothing sent: known, never tried again by the drill.
		return fmt.Errorf("imap: drill closing mail: %w", &sendError{step: "finding the drill's mail", where: c.target.where, err: err})
	}
	at := c.now().UTC().Truncate(time.Second)
	h := draftHeader{from: c.from, to: c.to, subject: replySubject(root.subject), date: at,
		id: "closing." + root.id, parent: root.id, references: []string{root.id}}
	// The vendor's latest reply is answered too: a helpdesk that threads
	// by its own Message-IDs finds its ticket (none found: the root alone).
	if reply := c.lastReply(ctx, root.id); reply != "" {
		h.parent, h.references = reply, append(h.references, reply)
	}
	raw := compose(h, body)
	if err := c.sub.send(ctx, outgoing{from: c.from, to: []string{c.to}, raw: raw}); err != nil {
		return fmt.Errorf("imap: drill closing mail: %w", err)
	}
	c.mu.Lock()
	saves := c.saves || c.gmail // Gmail saves what it sends
	c.mu.Unlock()
	if !saves {
		if err := c.appendSent(ctx, raw, at); err != nil {
			// Sent: the copy is a courtesy to the buyer's mailbox.
			c.logger.Warn("imap: the drill's closing mail was sent; its copy could not be APPENDed", "folder", c.sent, "err", err)
		}
	}
	return nil
}

// lastReply is the Message-ID of the vendor's latest mail in the thread
// of root (a Message-ID) in the folders the collector reads; empty when
// none is found (never an error: the closing mail answers the root then).
func (c *creator) lastReply(ctx context.Context, root string) string {
	s, err := c.session(ctx)
	if err != nil {
		return ""
	}
	defer func() { _ = s.logout(ctx) }()
	var vendors []vendorAddress
	for _, v := range c.opts.VendorAddresses {
		if va, err := parseVendorAddress(v); err == nil {
			vendors = append(vendors, va)
		}
	}
	crit := &goimap.SearchCriteria{Or: [][2]*goimap.SearchCriteria{{
		{Header: map[string][]string{"References": {root}}},
		{Header: map[string][]string{"In-Reply-To": {root}}},
	}}}
	var last string
	var lastAt time.Time
	for _, folder := range c.opts.Folders {
		if err := s.run(ctx, "EXAMINE", &commands.Select{Mailbox: folder, ReadOnly: true},
			&responses.Select{Mailbox: goimap.NewMailboxStatus(folder, nil)}, fetch.ReasonAuth); err != nil {
			continue
		}
		uids, err := c.searchUIDs(ctx, s, crit)
		if err != nil || len(uids) == 0 || len(uids) > chunkSize {
			continue
		}
		set := new(goimap.SeqSet)
		set.AddNum(uids...)
		msgs, err := (&walk{s: s}).fetch(ctx, set, []goimap.FetchItem{goimap.FetchUid, goimap.FetchInternalDate, goimap.FetchItem(drillHeaderSection)})
		if err != nil {
			continue
		}
		for _, im := range msgs {
			h, err := parseHeader(section(im))
			if err != nil || h.id == "" || !slices.ContainsFunc(vendors, func(v vendorAddress) bool { return v.matches(h.from) }) {
				continue
			}
			if at := messageTime(h.date, im.InternalDate.UTC(), c.bounds); last == "" || at.After(lastAt) {
				last, lastAt = h.id, at
			}
		}
	}
	return last
}

// replySubject is "Re: " and the subject, unless it starts with one.
func replySubject(s string) string {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "re:") {
		return s
	}
	return "Re: " + s
}

// found is a buyer's first message the drill looks for.
type found struct {
	id      string // Message-ID
	thread  string // the ticket's id: Message-ID, or Gmail's X-GM-THRID
	subject string
	marker  string // X-Support-Drill
	attempt string // X-Support-Drill-Attempt
	at      time.Time
	folder  string
	uid     uint32
}

// Find reads sent_folder and the staging folder for the buyer's first
// messages to the vendor that hold marker, on or after the day before
// since (SEARCH SINCE is by day). A copy in the staging folder that is
// no \Draft (its outcome unknown, or sent and not moved yet) is taken for
// sent, and moved to sent_folder.
func (c *creator) Find(ctx context.Context, marker string, since time.Time) ([]source.Filed, error) {
	// The subject, or the mail's X-Support-Drill (a server that matches
	// the subject's encoded words undecoded still finds it).
	crit := &goimap.SearchCriteria{WithoutFlags: []string{goimap.DeletedFlag, goimap.DraftFlag}, Or: [][2]*goimap.SearchCriteria{{
		{Header: map[string][]string{"Subject": {marker}}},
		{Header: map[string][]string{markerField: {marker}}},
	}}}
	if !since.IsZero() {
		crit.Since = since.UTC().AddDate(0, 0, -1)
	}
	msgs, err := c.search(ctx, func(bool) *goimap.SearchCriteria { return crit })
	if err != nil {
		return nil, fmt.Errorf("imap: find drill mail: %w", err)
	}
	var all []source.Filed
	var staged []uint32
	for _, m := range msgs {
		if !strings.Contains(m.subject, marker) && !strings.Contains(m.marker, marker) {
			continue
		}
		c.mu.Lock()
		notSent := m.attempt != "" && c.notSent[m.attempt]
		c.mu.Unlock()
		if notSent {
			continue
		}
		if m.folder == c.staging {
			staged = append(staged, m.uid)
		}
		all = source.AddFiled(all, source.Filed{ID: m.thread, CreatedAt: m.at})
	}
	if len(staged) > 0 {
		if err := c.moveStaged(ctx, staged); err != nil {
			return nil, fmt.Errorf("imap: find drill mail: moving its copy to %q: %w", c.sent, err)
		}
	}
	return all, nil
}

// root finds the first message of thread id: the one whose Message-ID
// it is or, on Gmail, whose X-GM-THRID it is among the drill mails (an
// empty HEADER search matches every message with the field, RFC 3501).
func (c *creator) root(ctx context.Context, id string) (found, error) {
	msgs, err := c.search(ctx, func(gmail bool) *goimap.SearchCriteria {
		byID := &goimap.SearchCriteria{Header: map[string][]string{"Message-ID": {id}}}
		if !gmail {
			return byID
		}
		return &goimap.SearchCriteria{Or: [][2]*goimap.SearchCriteria{{byID, {Header: map[string][]string{markerField: {""}}}}}}
	})
	if err != nil {
		return found{}, err
	}
	for _, m := range msgs {
		if m.thread == id && m.folder == c.sent {
			return m, nil
		}
	}
	return found{}, fmt.Errorf("no first message of thread %q from %s in %s", id, c.from, c.sent)
}

// folders are where the drill looks for its mail: sent_folder, where
// its copy is once sent (moved there, or saved by the server), and the
// staging folder. Never INBOX: anyone can deliver a mail there, its
// From forged.
func (c *creator) folders() []string {
	if c.saves {
		return []string{c.sent}
	}
	return []string{c.sent, c.staging}
}

// session logs in to the mailbox.
func (c *creator) session(ctx context.Context) (*session, error) {
	s, err := dial(ctx, c.target, c.tls, c.timeout, c.count, &budget{}, maxLiteral(c.opts))
	if err != nil {
		return nil, err
	}
	if err := s.login(ctx, c.creds); err != nil {
		s.close()
		return nil, err
	}
	if err := s.capabilities(ctx); err != nil {
		s.close()
		return nil, err
	}
	c.mu.Lock()
	c.gmail = s.caps["X-GM-EXT-1"]
	c.mu.Unlock()
	return s, nil
}

// refused reports whether err is the server's NO (a folder that does
// not exist).
func refused(err error) bool {
	var fe *fetch.Error
	return errors.As(err, &fe) && fe.Reason == fetch.ReasonAuth
}

// search runs the criteria in every folder and returns the buyer's first
// messages to the vendor they matched. A staging folder that does not
// exist holds none.
func (c *creator) search(ctx context.Context, critOf func(gmail bool) *goimap.SearchCriteria) ([]found, error) {
	s, err := c.session(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = s.logout(ctx) }()
	crit := critOf(s.caps["X-GM-EXT-1"])
	var all []found
	for _, folder := range c.folders() {
		if err := s.run(ctx, "EXAMINE", &commands.Select{Mailbox: folder, ReadOnly: true},
			&responses.Select{Mailbox: goimap.NewMailboxStatus(folder, nil)}, fetch.ReasonAuth); err != nil {
			if folder == c.staging && refused(err) {
				continue
			}
			return nil, fmt.Errorf("folder %q: %w", folder, err)
		}
		res := &responses.Search{}
		if err := s.run(ctx, "UID SEARCH", &commands.Uid{Cmd: &commands.Search{Criteria: crit}}, res, fetch.ReasonHTTP); err != nil {
			return nil, fmt.Errorf("folder %q: %w", folder, err)
		}
		got, err := c.read(ctx, s, res.Ids)
		if err != nil {
			return nil, fmt.Errorf("folder %q: %w", folder, err)
		}
		for i := range got {
			got[i].folder = folder
		}
		all = append(all, got...)
	}
	return all, nil
}

// rawCommand is a command go-imap does not spell.
type rawCommand struct {
	name string
	args []any
}

func (r rawCommand) Command() *goimap.Command {
	return &goimap.Command{Name: r.name, Arguments: r.args}
}

// drillHeaderSection is what Find reads of a message.
var drillHeaderSection = "BODY.PEEK[HEADER.FIELDS (Message-ID In-Reply-To References From To Date Subject X-Support-Drill X-Support-Drill-Attempt)]<0." +
	fmt.Sprint(maxHeaderBytes) + ">"

// read fetches the header of the messages uids of the selected folder
// (sent_folder: the buyer's own mail) and keeps the first messages to the
// vendor.
func (c *creator) read(ctx context.Context, s *session, uids []uint32) ([]found, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	if len(uids) > chunkSize {
		// A marker is in a drill's few mails: so many is no list read to
		// its end (source.Creator's Find), never "none".
		return nil, fmt.Errorf("%d messages match, more than the %d read", len(uids), chunkSize)
	}
	set := new(goimap.SeqSet)
	set.AddNum(uids...)
	items := []goimap.FetchItem{goimap.FetchUid, goimap.FetchInternalDate, goimap.FetchItem(drillHeaderSection)}
	gmail := s.caps["X-GM-EXT-1"]
	if gmail {
		items = append(items, "X-GM-THRID", "X-GM-MSGID")
	}
	msgs, err := (&walk{s: s}).fetch(ctx, set, items)
	if err != nil {
		return nil, err
	}
	var all []found
	for _, im := range msgs {
		block := section(im)
		h, err := parseHeader(block)
		if err != nil || h.reply || h.id == "" {
			continue
		}
		to, marker, attempt, ok := c.drillFields(block)
		if !ok || !to {
			continue
		}
		f := found{id: h.id, thread: h.id, subject: h.subject, marker: marker, attempt: attempt, uid: im.Uid,
			at: messageTime(h.date, im.InternalDate.UTC(), c.bounds)}
		if thread, msg := im.Items["X-GM-THRID"], im.Items["X-GM-MSGID"]; gmail && thread != nil {
			if msg != nil && fmt.Sprint(msg) != fmt.Sprint(thread) {
				continue // a reply in Gmail's threading
			}
			f.thread = fmt.Sprint(thread)
		}
		all = append(all, f)
	}
	return all, nil
}

// drillFields reads what parseHeader does not of a header block: whether
// its To names smtp.to, and its X-Support-Drill and X-Support-Drill-Attempt.
func (c *creator) drillFields(block []byte) (toVendor bool, marker, attempt string, ok bool) {
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(append(slices.Clone(block), "\r\n"...))))
	if err != nil {
		return false, "", "", false
	}
	marker, attempt = th.Get(markerField), th.Get(attemptField)
	list, err := netmail.ParseAddressList(th.Get("To"))
	if err != nil {
		return strings.Contains(strings.ToLower(th.Get("To")), c.to), marker, attempt, true
	}
	return slices.ContainsFunc(list, func(a *netmail.Address) bool { return strings.EqualFold(a.Address, c.to) }), marker, attempt, true
}

// appendSent stores the copy of a message in the Sent folder, seen.
func (c *creator) appendSent(ctx context.Context, raw []byte, at time.Time) error {
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = s.logout(ctx) }()
	cmd := &commands.Append{Mailbox: c.sent, Flags: []string{goimap.SeenFlag}, Date: at, Message: bytes.NewBuffer(raw)}
	return s.run(ctx, "APPEND", cmd, nil, fetch.ReasonHTTP)
}

// stage APPENDs the copy of a mail about to be sent to the staging
// folder (created if missing), \Draft: not sent (yet). The \Draft
// copies of earlier attempts of marker, known not sent, go first.
func (c *creator) stage(ctx context.Context, s *session, raw []byte, at time.Time, marker string) error {
	if err := c.selectFolder(ctx, s, c.staging); err == nil {
		if uids, err := c.searchUIDs(ctx, s, &goimap.SearchCriteria{WithFlags: []string{goimap.DraftFlag},
			Header: map[string][]string{markerField: {marker}}}); err == nil && len(uids) > 0 {
			_ = c.remove(ctx, s, uids)
		}
	}
	add := func() error {
		cmd := &commands.Append{Mailbox: c.staging, Flags: []string{goimap.SeenFlag, goimap.DraftFlag}, Date: at, Message: bytes.NewBuffer(raw)}
		return s.run(ctx, "APPEND", cmd, nil, fetch.ReasonHTTP)
	}
	err := add()
	if err != nil && strings.Contains(err.Error(), "TRYCREATE") {
		if err := s.run(ctx, "CREATE", &commands.Create{Mailbox: c.staging}, nil, fetch.ReasonHTTP); err != nil {
			return err
		}
		err = add()
	}
	return err
}

// draftFlag takes the \Draft off the attempt's copy (op RemoveFlags),
// just before the data's end: from here its outcome may be unknown, and
// Find takes the copy for sent (an error sends nothing); or puts it back
// (AddFlags) after a refusal of the data.
func (c *creator) draftFlag(ctx context.Context, s *session, attempt string, op goimap.FlagsOp) error {
	if err := c.selectFolder(ctx, s, c.staging); err != nil {
		return err
	}
	uids, err := c.searchUIDs(ctx, s, &goimap.SearchCriteria{Header: map[string][]string{attemptField: {attempt}}})
	if err != nil {
		return err
	}
	if len(uids) == 0 {
		return fmt.Errorf("the copy is not in %q", c.staging)
	}
	set := new(goimap.SeqSet)
	set.AddNum(uids...)
	store := &commands.Uid{Cmd: &commands.Store{SeqSet: set, Item: goimap.FormatFlagsOp(op, true), Value: []any{goimap.RawString(goimap.DraftFlag)}}}
	return s.run(ctx, "UID STORE", store, nil, fetch.ReasonHTTP)
}

// toSent moves the attempt's copy from the staging folder to
// sent_folder (a Find may have moved it already).
func (c *creator) toSent(ctx context.Context, attempt string) error {
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = s.logout(ctx) }()
	byAttempt := &goimap.SearchCriteria{Header: map[string][]string{attemptField: {attempt}}, WithoutFlags: []string{goimap.DeletedFlag}}
	if err := c.selectFolder(ctx, s, c.staging); err != nil {
		return err
	}
	uids, err := c.searchUIDs(ctx, s, byAttempt)
	if err != nil {
		return err
	}
	if len(uids) > 0 {
		return c.move(ctx, s, uids)
	}
	if err := c.selectFolder(ctx, s, c.sent); err != nil {
		return err
	}
	if uids, err = c.searchUIDs(ctx, s, byAttempt); err != nil || len(uids) > 0 {
		return err
	}
	return fmt.Errorf("its copy is in neither %q nor %q", c.staging, c.sent)
}

// moveStaged moves the messages uids of the staging folder to
// sent_folder.
func (c *creator) moveStaged(ctx context.Context, uids []uint32) error {
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = s.logout(ctx) }()
	if err := c.selectFolder(ctx, s, c.staging); err != nil {
		return err
	}
	return c.move(ctx, s, uids)
}

// removeAttempt removes the copy of one attempt from the staging folder
// and sent_folder (where a Find may have moved it).
func (c *creator) removeAttempt(ctx context.Context, attempt string) error {
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = s.logout(ctx) }()
	for _, folder := range []string{c.staging, c.sent} {
		if err := c.selectFolder(ctx, s, folder); err != nil {
			if folder == c.staging && refused(err) {
				continue
			}
			return err
		}
		uids, err := c.searchUIDs(ctx, s, &goimap.SearchCriteria{Header: map[string][]string{attemptField: {attempt}}})
		if err != nil {
			return err
		}
		if len(uids) > 0 {
			if err := c.remove(ctx, s, uids); err != nil {
				return err
			}
		}
	}
	return nil
}

// selectFolder SELECTs folder (read-write).
func (c *creator) selectFolder(ctx context.Context, s *session, folder string) error {
	return s.run(ctx, "SELECT", &commands.Select{Mailbox: folder},
		&responses.Select{Mailbox: goimap.NewMailboxStatus(folder, nil)}, fetch.ReasonAuth)
}

// searchUIDs runs UID SEARCH in the selected folder.
func (c *creator) searchUIDs(ctx context.Context, s *session, crit *goimap.SearchCriteria) ([]uint32, error) {
	res := &responses.Search{}
	if err := s.run(ctx, "UID SEARCH", &commands.Uid{Cmd: &commands.Search{Criteria: crit}}, res, fetch.ReasonHTTP); err != nil {
		return nil, err
	}
	return res.Ids, nil
}

// move moves the messages uids of the selected folder to sent_folder:
// UID MOVE (RFC 6851) where the server has it, else UID COPY (which
// keeps the INTERNALDATE and flags, RFC 3501) and remove.
func (c *creator) move(ctx context.Context, s *session, uids []uint32) error {
	set := new(goimap.SeqSet)
	set.AddNum(uids...)
	if s.caps["MOVE"] {
		return s.run(ctx, "UID MOVE", rawCommand{name: "UID MOVE", args: []any{set, goimap.FormatMailboxName(c.sent)}}, nil, fetch.ReasonHTTP)
	}
	if err := s.run(ctx, "UID COPY", &commands.Uid{Cmd: &commands.Copy{SeqSet: set, Mailbox: c.sent}}, nil, fetch.ReasonHTTP); err != nil {
		return err
	}
	return c.remove(ctx, s, uids)
}

// remove removes the messages uids of the selected folder (STORE
// \Deleted, then UID EXPUNGE where UIDPLUS allows, else EXPUNGE, which
// also removes what else is marked deleted there: the staging folder is
// the drill's own).
func (c *creator) remove(ctx context.Context, s *session, uids []uint32) error {
	set := new(goimap.SeqSet)
	set.AddNum(uids...)
	store := &commands.Uid{Cmd: &commands.Store{SeqSet: set, Item: goimap.FormatFlagsOp(goimap.AddFlags, true), Value: []any{goimap.RawString(goimap.DeletedFlag)}}}
	if err := s.run(ctx, "UID STORE", store, nil, fetch.ReasonHTTP); err != nil {
		return err
	}
	var expunge goimap.Commander = &commands.Expunge{}
	if s.caps["UIDPLUS"] {
		expunge = rawCommand{name: "UID EXPUNGE", args: []any{set}}
	}
	return s.run(ctx, "EXPUNGE", expunge, nil, fetch.ReasonHTTP)
}

// draftHeader is the header of a drill mail.
type draftHeader struct {
	from, to, subject string
	date              time.Time
	id                string // Message-ID, without angle brackets
	parent            string // the message answered; empty for the first
	references        []string
	marker            string
	attempt           string // the attempt's own mark (attemptField)
}

// The drill mail's own header fields: its marker, and the mark of the
// attempt whose copy it is.
const (
	markerField  = "X-Support-Drill"
	attemptField = "X-Support-Drill-Attempt"
)

// compose writes a drill mail: a plain-text UTF-8 message, quoted-printable,
// CRLF line ends; the subject encoded (RFC 2047) where it is not ASCII,
// its line breaks made spaces (never a header of its own).
func compose(h draftHeader, body string) []byte {
	var b bytes.Buffer
	field := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	field("Date", h.date.Format(time.RFC1123Z))
	field("From", h.from)
	field("To", h.to)
	field("Subject", fold(mime.QEncoding.Encode("utf-8", oneLine(h.subject)), len("Subject: ")))
	field("Message-ID", "<"+h.id+">")
	if h.parent != "" {
		field("In-Reply-To", "<"+h.parent+">")
		refs := h.references
		if len(refs) == 0 {
			refs = []string{h.parent}
		}
		field("References", fold("<"+strings.Join(refs, "> <")+">", len("References: ")))
	}
	if h.marker != "" {
		field(markerField, h.marker)
	}
	if h.attempt != "" {
		field(attemptField, h.attempt)
	}
	field("MIME-Version", "1.0")
	field("Content-Type", "text/plain; charset=utf-8")
	field("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
	qp := quotedprintable.NewWriter(&b)
	for i, line := range strings.Split(body, "\n") {
		if i > 0 {
			_, _ = qp.Write([]byte("\r\n"))
		}
		_, _ = qp.Write([]byte(line))
	}
	_ = qp.Close()
	b.WriteString("\r\n")
	return b.Bytes()
}

// fold folds a header value at its spaces (RFC 5322 2.2.3: unfolding
// gives the value back), lines of at most 78 characters where its words
// allow, never more than 998: a longer word is cut (the subject is read
// by people; the drill finds its mail by X-Support-Drill too). start is
// the length of the line's "Name: ".
func fold(v string, start int) string {
	const soft, hard = 78, 998
	var b strings.Builder
	n := start
	for i, w := range strings.Split(v, " ") {
		if len(w) > hard-2 {
			w = w[:hard-2]
		}
		switch {
		case i == 0 && n+len(w) <= hard:
		case i == 0:
			b.WriteString("\r\n ")
			n = 1
		case n+1+len(w) > soft:
			b.WriteString("\r\n ")
			n = 1
		default:
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// oneLine makes a header value's line breaks and other controls spaces.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' || r == '\t' }), " ")
}
