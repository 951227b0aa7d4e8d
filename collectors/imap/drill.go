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
//   - before the mail is sent, its copy is APPENDed to smtp.sent_folder
//     (unless smtp.server_saves_sent: the server then saves what it
//     took, as Gmail and Microsoft 365 do); a mail the server refused, or
//     never got, has its copy removed again. A retry, or a restart after a
//     crash at any point, first Finds the marker there: a mail whose
//     submission's end got no answer (its outcome unknown) is taken for
//     sent, never sent twice. If the server did not take it after all, the
//     drill ends timed_out.
//   - Find reads sent_folder (which the collector reads too) with SEARCH
//     on the subject and X-Support-Drill, and keeps the buyer's own first
//     messages (To smtp.to, no In-Reply-To or References) that hold the
//     marker. Its From is not compared: Sent holds only the account's own
//     mail, and Gmail rewrites a From that is none of the account's
//     addresses (a copy never found would be sent again).
//   - Comment answers the thread's first message (In-Reply-To and
//     References), with a Message-ID of its own made of the first's.

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
	"net"
	netmail "net/mail"
	"slices"
	"strings"
	"time"

	goimap "github.com/emersion/go-imap"
	"github.com/emersion/go-imap/commands"
	"github.com/emersion/go-imap/responses"
	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-sasl"
	commoncfg "github.com/prometheus/common/config"

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
	tlsConfig, err := commoncfg.NewTLSConfig(&env.Config.HTTPClient.TLSConfig)
	if err != nil {
		return nil, fmt.Errorf("imap: source %q: tls_config: %w", name, err)
	}
	imapTLS, smtpTLS := tlsConfig.Clone(), tlsConfig.Clone()
	if tlsConfig.ServerName == "" {
		imapTLS.ServerName, _, _ = net.SplitHostPort(t.addr)
		smtpTLS.ServerName, _, _ = net.SplitHostPort(st.addr)
	}
	timeout := defaultTimeout
	if env.HTTP != nil && env.HTTP.Timeout() > 0 {
		timeout = env.HTTP.Timeout()
	}
	creds, err := newCredentials(&env.Config.HTTPClient, opts.Username, timeout)
	if err != nil {
		return nil, fmt.Errorf("imap: source %q: %w", name, err)
	}
	smtpCreds := creds
	if ba := opts.SMTP.BasicAuth; ba != nil {
		smtpCreds = &credentials{user: ba.Username, password: secret(ba.Password, ba.PasswordFile), timeout: timeout}
	}
	from := strings.ToLower(opts.SMTP.From)
	c := &creator{
		target: t, tls: imapTLS, timeout: timeout, creds: creds, opts: opts,
		from: from, to: strings.ToLower(opts.SMTP.To), sent: opts.SMTP.SentFolder, saves: opts.SMTP.ServerSavesSent,
		count: env.Counted, bounds: env.Bounds, now: env.Clock(), logger: env.Log(),
	}
	c.sub = &submitter{target: st, tls: smtpTLS, timeout: timeout, helo: addrDomain(from), auth: smtpCreds.sasl}
	return c, nil
}

// sasl is the SMTP login of the credentials: AUTH PLAIN with a
// password, XOAUTH2 with a token.
func (c *credentials) sasl(ctx context.Context) (sasl.Client, error) {
	if c.password != nil && c.oauth == nil {
		pw, err := c.password.Fetch(ctx)
		if err != nil {
			return nil, errors.New("the password file cannot be read")
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
	saves    bool   // smtp.server_saves_sent
	count    func(string)
	bounds   door.Bounds
	now      func() time.Time
	logger   *slog.Logger
}

// Target names the submission server, the sender and the vendor's
// address, and the mailbox and folder the mail is found in.
func (c *creator) Target() string {
	return fmt.Sprintf("%s from %s to %s; %s %s", c.sub.target.where, c.from, c.to, c.target.where, c.sent)
}

// Create sends the drill's mail: its copy APPENDed to the Sent folder
// first (unless the server saves it), then the submission.
func (c *creator) Create(ctx context.Context, d source.Draft) (source.Filed, error) {
	at := c.now().UTC().Truncate(time.Second)
	id := d.Marker + "@" + addrDomain(c.from)
	// The attempt's own mark tells its copy from another's of the same
	// Message-ID (an earlier attempt, the other exporter of an HA pair):
	// only its own is ever removed.
	attempt := rand.Text()
	raw := compose(draftHeader{from: c.from, to: c.to, subject: d.Subject, date: at, id: id, marker: d.Marker, attempt: attempt}, d.Body)
	if !c.saves {
		if err := c.appendSent(ctx, raw, at); err != nil {
			// Nothing was sent. An APPEND whose answer was lost may have
			// stored the copy: removed, or the outcome is unknown.
			if rerr := c.removeSent(ctx, attempt); rerr != nil {
				return source.Filed{}, &sendError{step: "APPEND to " + c.sent, where: c.target.where, unknown: true,
					err: fmt.Errorf("%w; and its copy could not be removed: %w", err, rerr)}
			}
			return source.Filed{}, &sendError{step: "APPEND to " + c.sent, where: c.target.where, retry: true, err: err}
		}
	}
	err := c.sub.send(ctx, outgoing{from: c.from, to: []string{c.to}, raw: raw})
	var se *sendError
	switch {
	case err == nil:
	case errors.As(err, &se) && !se.unknown && !c.saves:
		// Refused, or never sent: its copy must not look sent.
		if rerr := c.removeSent(ctx, attempt); rerr != nil {
			se.unknown, se.err = true, fmt.Errorf("%w; and its copy in %s could not be removed (taken for sent): %w", se.err, c.sent, rerr)
		}
		return source.Filed{}, fmt.Errorf("imap: drill mail: %w", se)
	default:
		return source.Filed{}, fmt.Errorf("imap: drill mail: %w", err)
	}
	filed := source.Filed{ID: id, CreatedAt: at}
	gmail, err := c.gmail(ctx)
	if err != nil {
		// Sent, but which id the thread has is not known: the next
		// step's look settles it.
		return source.Filed{}, &sendError{step: "the mailbox's capabilities after the send", where: c.target.where, unknown: true,
			err: fmt.Errorf("sent; %w", err)}
	}
	if gmail {
		// Gmail names a thread by X-GM-THRID, read from the copy.
		all, err := c.Find(ctx, d.Marker, at.Add(-time.Hour))
		if err != nil || len(all) == 0 {
			return source.Filed{}, &sendError{step: "the thread id of the sent mail", where: c.target.where, unknown: true,
				err: errors.Join(errors.New("sent; its copy is not found yet"), err)}
		}
		filed = all[0]
	}
	return filed, nil
}

// gmail reports whether the mailbox is Gmail's (X-GM-EXT-1), whose
// threads are named by X-GM-THRID.
func (c *creator) gmail(ctx context.Context) (bool, error) {
	s, err := c.session(ctx)
	if err != nil {
		return false, err
	}
	defer func() { _ = s.logout(ctx) }()
	return s.caps["X-GM-EXT-1"], nil
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
		id: "closing." + root.id, parent: root.id}
	raw := compose(h, body)
	if err := c.sub.send(ctx, outgoing{from: c.from, to: []string{c.to}, raw: raw}); err != nil {
		return fmt.Errorf("imap: drill closing mail: %w", err)
	}
	if !c.saves {
		if err := c.appendSent(ctx, raw, at); err != nil {
			// Sent: the copy is a courtesy to the buyer's mailbox.
			c.logger.Warn("imap: the drill's closing mail was sent; its copy could not be APPENDed", "folder", c.sent, "err", err)
		}
	}
	return nil
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
	at      time.Time
}

// Find reads sent_folder for the buyer's first messages to the vendor
// that hold marker, on or after the day before since (SEARCH SINCE is by
// day).
func (c *creator) Find(ctx context.Context, marker string, since time.Time) ([]source.Filed, error) {
	// The subject, or the mail's X-Support-Drill (a server that matches
	// the subject's encoded words undecoded still finds it).
	crit := &goimap.SearchCriteria{WithoutFlags: []string{goimap.DeletedFlag}, Or: [][2]*goimap.SearchCriteria{{
		{Header: map[string][]string{"Subject": {marker}}},
		{Header: map[string][]string{markerField: {marker}}},
	}}}
	if !since.IsZero() {
		crit.Since = since.UTC().AddDate(0, 0, -1)
	}
	msgs, err := c.search(ctx, crit)
	if err != nil {
		return nil, fmt.Errorf("imap: find drill mail: %w", err)
	}
	var all []source.Filed
	for _, m := range msgs {
		if strings.Contains(m.subject, marker) || strings.Contains(m.marker, marker) {
			all = source.AddFiled(all, source.Filed{ID: m.thread, CreatedAt: m.at})
		}
	}
	return all, nil
}

// root finds the first message of thread id: the one whose Message-ID
// it is or, on Gmail, whose X-GM-THRID it is among the drill mails (an
// empty HEADER search matches every message with the field, RFC 3501).
func (c *creator) root(ctx context.Context, id string) (found, error) {
	crit := &goimap.SearchCriteria{Or: [][2]*goimap.SearchCriteria{{
		{Header: map[string][]string{"Message-ID": {id}}},
		{Header: map[string][]string{markerField: {""}}},
	}}}
	msgs, err := c.search(ctx, crit)
	if err != nil {
		return found{}, err
	}
	for _, m := range msgs {
		if m.thread == id {
			return m, nil
		}
	}
	return found{}, fmt.Errorf("no first message of thread %q from %s in %s", id, c.from, strings.Join(c.folders(), ", "))
}

// folders are where the drill looks for its mail: sent_folder alone,
// where its copy always is (APPENDed, or saved by the server). Never
// INBOX: anyone can deliver a mail there, its From forged.
func (c *creator) folders() []string { return []string{c.sent} }

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
	return s, nil
}

// search runs crit in every folder and returns the buyer's first
// messages to the vendor it matched.
func (c *creator) search(ctx context.Context, crit *goimap.SearchCriteria) ([]found, error) {
	s, err := c.session(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = s.logout(ctx) }()
	var all []found
	for _, folder := range c.folders() {
		if err := s.run(ctx, "EXAMINE", &commands.Select{Mailbox: folder, ReadOnly: true},
			&responses.Select{Mailbox: goimap.NewMailboxStatus(folder, nil)}, fetch.ReasonAuth); err != nil {
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
var drillHeaderSection = "BODY.PEEK[HEADER.FIELDS (Message-ID In-Reply-To References From To Date Subject X-Support-Drill)]<0." +
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
		to, marker, ok := c.drillFields(block)
		if !ok || !to {
			continue
		}
		f := found{id: h.id, thread: h.id, subject: h.subject, marker: marker, at: messageTime(h.date, im.InternalDate.UTC(), c.bounds)}
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
// its To names smtp.to, and its X-Support-Drill.
func (c *creator) drillFields(block []byte) (toVendor bool, marker string, ok bool) {
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(append(slices.Clone(block), "\r\n"...))))
	if err != nil {
		return false, "", false
	}
	marker = th.Get(markerField)
	list, err := netmail.ParseAddressList(th.Get("To"))
	if err != nil {
		return strings.Contains(strings.ToLower(th.Get("To")), c.to), marker, true
	}
	return slices.ContainsFunc(list, func(a *netmail.Address) bool { return strings.EqualFold(a.Address, c.to) }), marker, true
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

// removeSent removes the copy of one attempt from the Sent folder (its
// X-Support-Drill-Attempt; STORE \Deleted, then UID EXPUNGE where
// UIDPLUS allows, else EXPUNGE, which also removes what the buyer marked
// deleted there).
func (c *creator) removeSent(ctx context.Context, attempt string) error {
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = s.logout(ctx) }()
	if err := s.run(ctx, "SELECT", &commands.Select{Mailbox: c.sent},
		&responses.Select{Mailbox: goimap.NewMailboxStatus(c.sent, nil)}, fetch.ReasonAuth); err != nil {
		return err
	}
	res := &responses.Search{}
	crit := &goimap.SearchCriteria{Header: map[string][]string{attemptField: {attempt}}}
	if err := s.run(ctx, "UID SEARCH", &commands.Uid{Cmd: &commands.Search{Criteria: crit}}, res, fetch.ReasonHTTP); err != nil {
		return err
	}
	if len(res.Ids) == 0 {
		return nil
	}
	set := new(goimap.SeqSet)
	set.AddNum(res.Ids...)
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
	field("Subject", mime.QEncoding.Encode("utf-8", oneLine(h.subject)))
	field("Message-ID", "<"+h.id+">")
	if h.parent != "" {
		field("In-Reply-To", "<"+h.parent+">")
		field("References", "<"+h.parent+">")
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

// oneLine makes a header value's line breaks and other controls spaces.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' || r == '\t' }), " ")
}
