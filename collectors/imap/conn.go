package imap

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	goimap "github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"
	"github.com/emersion/go-imap/commands"
	"github.com/emersion/go-imap/responses"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// maxLineBytes caps a line read before go-imap takes over (the greeting,
// CAPABILITY, STARTTLS's answer): a few hundred bytes in practice.
const maxLineBytes = 64 << 10

// session is one connection, logged in or about to be. Every command goes
// through run, which counts it (support_source_requests_total, by its
// tagged answer) against the sync's budget.
type session struct {
	c      *client.Client
	conn   net.Conn // under go-imap; closed to cancel
	where  string   // imaps://host:port, for errors
	caps   map[string]bool
	count  func(code string)
	budget *budget
	stop   func() bool   // stops the cancellation watch
	closed chan struct{} // closed once the watch has closed the connection
	done   bool          // close ran
}

// budget is max_requests_per_sync counted in commands (docs/sources.md).
type budget struct {
	max, sent int
}

// commandError is a failed command: its reason is the wrapped
// *fetch.Error's, so that fetch.Reason classifies it like an HTTP
// failure; its text names the command, never its arguments (a LOGIN
// carries the password).
type commandError struct {
	command string
	err     *fetch.Error
}

func (e *commandError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.err.URL, e.command, e.err.Err)
}

func (e *commandError) Unwrap() error { return e.err }

func (s *session) fail(command, reason string, err error) error {
	return &commandError{command: command, err: &fetch.Error{Reason: reason, URL: s.where, Err: err}}
}

// transportFail classifies an error without an answer: the context's own
// error when it ended the command (the connection was closed for it),
// else timeout or network.
func transportFail(ctx context.Context, where, command string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %s: %w", where, command, context.Cause(ctx))
	}
	reason := fetch.ReasonNetwork
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		reason = fetch.ReasonTimeout
	}
	return &commandError{command: command, err: &fetch.Error{Reason: reason, URL: where, Err: err}}
}

// spend counts one command against the budget, or refuses it as fetch
// does an HTTP request (fetch.ReasonBudget).
func (s *session) spend(command string) error {
	if s.budget.max > 0 && s.budget.sent >= s.budget.max {
		return s.fail(command, fetch.ReasonBudget, fmt.Errorf(
			"this sync sent its %d commands (max_requests_per_sync): the next sync resumes from the stored cursor; "+
				"if a sync of this source needs more, raise max_requests_per_sync (docs/configuration.md)", s.budget.max))
	}
	s.budget.sent++
	return nil
}

// run executes one command and counts its tagged answer. A NO or BAD is
// an error of reason refused (auth for a login, a folder the account
// cannot open); rate_limited when the server says it throttles.
func (s *session) run(ctx context.Context, name string, cmd goimap.Commander, h responses.Handler, refused string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %s: %w", s.where, name, context.Cause(ctx))
	}
	if err := s.spend(name); err != nil {
		return err
	}
	status, err := s.c.Execute(cmd, h)
	if err != nil || status == nil {
		s.count("error")
		var tooLarge *literalTooLarge
		if rerr := s.readErr(); errors.As(rerr, &tooLarge) {
			return s.fail(name, fetch.ReasonTooLarge, rerr)
		} else if rerr != nil {
			// go-imap reports a read that failed (a deadline passed) as
			// a closed connection: the read's own error says which.
			err = rerr
		} else if err == nil {
			err = errors.New("connection closed before the answer")
		}
		return transportFail(ctx, s.where, name, err)
	}
	s.count(string(status.Type))
	// go-imap sets a deadline at each command and leaves it: cleared, so
	// that storing a batch between commands never times the idle
	// connection out.
	_ = s.conn.SetDeadline(time.Time{})
	if status.Code == goimap.CodeCapability {
		s.setCaps(status.Arguments)
	}
	if status.Type == goimap.StatusRespOk {
		return nil
	}
	reason := refused
	switch strings.ToUpper(string(status.Code)) {
	case "THROTTLED", "LIMIT", "UNAVAILABLE", "INUSE":
		// Gmail's [THROTTLED], RFC 5530's [LIMIT], [UNAVAILABLE] and [INUSE]:
		// the server asks to come back later.
		reason = fetch.ReasonRateLimited
	}
	text := string(status.Type)
	if status.Code != "" {
		text += " [" + string(status.Code) + "]"
	}
	return s.fail(name, reason, errors.New(text+" "+status.Info))
}

func (s *session) setCaps(args []any) {
	s.caps = map[string]bool{}
	for _, a := range args {
		if c, ok := a.(string); ok {
			s.caps[strings.ToUpper(c)] = true
		}
	}
}

// capsHandler takes the untagged CAPABILITY a server sends with a
// command's answer, and leaves it to go-imap as well.
func (s *session) capsHandler() responses.Handler {
	return responses.HandlerFunc(func(resp goimap.Resp) error {
		if name, fields, ok := goimap.ParseNamedResp(resp); ok && name == "CAPABILITY" {
			s.setCaps(fields)
		}
		return responses.ErrUnhandled
	})
}

// capabilities reads CAPABILITY when no answer carried it yet.
func (s *session) capabilities(ctx context.Context) error {
	if s.caps != nil {
		return nil
	}
	err := s.run(ctx, "CAPABILITY", &commands.Capability{}, s.capsHandler(), fetch.ReasonHTTP)
	if err == nil && s.caps == nil {
		s.caps = map[string]bool{}
	}
	return err
}

// logout ends the session politely, when the budget leaves a command for
// it; the connection closes either way.
func (s *session) logout(ctx context.Context) error {
	err := s.spend("LOGOUT")
	if err == nil {
		var status *goimap.StatusResp
		status, err = s.c.Execute(&commands.Logout{}, nil)
		switch {
		case err == nil && status != nil:
			s.count(string(status.Type))
		case s.c.State() == goimap.LogoutState:
			// go-imap closes the connection on the server's BYE, which
			// comes before the tagged OK: that is the OK.
			s.count(string(goimap.StatusRespOk))
			err = nil
		default:
			s.count("error")
			err = transportFail(ctx, s.where, "LOGOUT", err)
		}
	}
	s.close()
	return err
}

// close drops the connection and waits for go-imap's reader to end: no
// goroutine outlives a sync.
func (s *session) close() {
	if s.done {
		return
	}
	s.done = true
	if !s.stop() {
		<-s.closed // the context ended: its watch is closing the connection
	}
	_ = s.conn.Close()
	if s.c != nil {
		<-s.c.LoggedOut()
	}
}

// dial connects, with TLS from the first byte (imaps) or after STARTTLS
// (imap), reads the capabilities and hands the connection to go-imap.
// Cancelling ctx closes the connection, which ends any command under way.
func dial(ctx context.Context, t target, tlsConfig *tls.Config, timeout time.Duration, count func(string), b *budget, maxLiteral int64) (*session, error) {
	d := net.Dialer{Timeout: timeout}
	raw, err := d.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, transportFail(ctx, t.where, "connect", err)
	}
	s := &session{conn: raw, where: t.where, count: count, budget: b, closed: make(chan struct{})}
	s.stop = context.AfterFunc(ctx, func() {
		_ = raw.Close()
		close(s.closed)
	})
	fail := func(err error) (*session, error) {
		s.close()
		return nil, err
	}
	_ = raw.SetDeadline(time.Now().Add(timeout))
	conn := raw
	if t.implicitTLS {
		tc := tls.Client(raw, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(transportFail(ctx, t.where, "TLS handshake", err))
		}
		conn = tc
	}
	br := bufio.NewReaderSize(conn, 4096)
	if err := s.greeting(ctx, br, conn); err != nil {
		return fail(err)
	}
	if !t.implicitTLS {
		if conn, br, err = s.startTLS(ctx, br, raw, tlsConfig); err != nil {
			return fail(err)
		}
	}
	// go-imap reads the greeting itself: it is given one carrying the
	// capabilities, so that it never asks for them behind our count.
	hello := "* OK [CAPABILITY " + strings.Join(capList(s.caps), " ") + "] ready\r\n"
	// A literal over maxLiteral ends the reading before go-imap
	// allocates it (literalGuard).
	s.conn = &prefixConn{Conn: conn, r: &literalGuard{r: io.MultiReader(strings.NewReader(hello), br), max: maxLiteral}}
	c, err := client.New(s.conn)
	if err != nil {
		return fail(transportFail(ctx, t.where, "greeting", err))
	}
	s.c = c
	c.ErrorLog = discardLog{}
	c.Timeout = timeout
	return s, nil
}

func capList(caps map[string]bool) []string {
	list := []string{"IMAP4rev1"}
	for c := range caps {
		if c != "IMAP4REV1" {
			list = append(list, c)
		}
	}
	return list
}

// greeting reads the server's greeting and, when it does not list the
// capabilities, asks for them.
func (s *session) greeting(ctx context.Context, br *bufio.Reader, w io.Writer) error {
	line, err := readLine(br)
	if err != nil {
		return transportFail(ctx, s.where, "greeting", err)
	}
	switch {
	case strings.HasPrefix(line, "* OK"):
	case strings.HasPrefix(line, "* BYE"):
		return s.fail("greeting", fetch.ReasonNetwork, errors.New("the server refused the connection: "+line))
	default:
		return s.fail("greeting", fetch.ReasonDecode, errors.New("not an IMAP greeting"))
	}
	if rest, ok := strings.CutPrefix(line, "* OK [CAPABILITY "); ok {
		if list, _, ok := strings.Cut(rest, "]"); ok {
			s.caps = parseCaps(list)
			return nil
		}
	}
	return s.rawCapability(ctx, br, w)
}

func parseCaps(list string) map[string]bool {
	caps := map[string]bool{}
	for c := range strings.FieldsSeq(list) {
		caps[strings.ToUpper(c)] = true
	}
	return caps
}

// rawCapability asks for CAPABILITY before go-imap runs the connection.
func (s *session) rawCapability(ctx context.Context, br *bufio.Reader, w io.Writer) error {
	lines, err := s.rawCommand(ctx, br, w, "CAPABILITY")
	if err != nil {
		return err
	}
	s.caps = map[string]bool{}
	for _, l := range lines {
		if list, ok := strings.CutPrefix(l, "* CAPABILITY "); ok {
			s.caps = parseCaps(list)
		}
	}
	return nil
}

// rawCommand sends one command on the bare connection and returns the
// untagged lines before its OK.
func (s *session) rawCommand(ctx context.Context, br *bufio.Reader, w io.Writer, name string) ([]string, error) {
	if err := s.spend(name); err != nil {
		return nil, err
	}
	const tag = "X1"
	if _, err := io.WriteString(w, tag+" "+name+"\r\n"); err != nil {
		s.count("error")
		return nil, transportFail(ctx, s.where, name, err)
	}
	var lines []string
	for {
		line, err := readLine(br)
		if err != nil {
			s.count("error")
			return nil, transportFail(ctx, s.where, name, err)
		}
		rest, ok := strings.CutPrefix(line, tag+" ")
		if !ok {
			lines = append(lines, line)
			continue
		}
		kind, _, _ := strings.Cut(rest, " ")
		kind = strings.ToUpper(kind)
		switch kind {
		case "OK", "NO", "BAD":
			s.count(kind)
		default:
			s.count("error")
		}
		if kind != "OK" {
			return nil, s.fail(name, fetch.ReasonNetwork, errors.New(rest))
		}
		return lines, nil
	}
}

// startTLS upgrades a clear-text connection (RFC 3501 6.2.1): never a
// credential in clear text, so a server without STARTTLS is refused.
func (s *session) startTLS(ctx context.Context, br *bufio.Reader, raw net.Conn, cfg *tls.Config) (net.Conn, *bufio.Reader, error) {
	if !s.caps["STARTTLS"] {
		return nil, nil, s.fail("STARTTLS", fetch.ReasonNetwork, errors.New(
			"the server does not offer STARTTLS: refusing to send credentials in clear text (use imaps:// if it listens on 993)"))
	}
	if _, err := s.rawCommand(ctx, br, raw, "STARTTLS"); err != nil {
		return nil, nil, err
	}
	if br.Buffered() > 0 {
		// Bytes sent before the handshake would be read as if they came
		// under TLS: a STARTTLS injection (CVE-2011-0411's kind).
		return nil, nil, s.fail("STARTTLS", fetch.ReasonNetwork, errors.New("the server sent data before the TLS handshake"))
	}
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, nil, transportFail(ctx, s.where, "TLS handshake", err)
	}
	// Capabilities before TLS are not to be trusted (RFC 3501 6.2.1). The
	// login needs none of them (a LOGINDISABLED server answers LOGIN with
	// NO; without SASL-IR the initial response follows a continuation),
	// and those after it are read then: no CAPABILITY here, one command
	// less per poll.
	s.caps = map[string]bool{}
	return tc, bufio.NewReaderSize(tc, 4096), nil
}

func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, err := br.ReadSlice('\n')
		b = append(b, chunk...)
		if len(b) > maxLineBytes {
			return "", errors.New("line too long")
		}
		if err == nil {
			return strings.TrimRight(string(b), "\r\n"), nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return "", err
		}
	}
}

// prefixConn reads from r (the greeting, then the connection) and keeps
// the first read error.
type prefixConn struct {
	net.Conn
	r       io.Reader
	mu      sync.Mutex
	readErr error
}

func (c *prefixConn) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil {
		c.mu.Lock()
		if c.readErr == nil {
			c.readErr = err
		}
		c.mu.Unlock()
	}
	return n, err
}

// readErr is the error that ended go-imap's reading, if any.
func (s *session) readErr() error {
	pc, ok := s.conn.(*prefixConn)
	if !ok {
		return nil
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.readErr
}

// discardLog silences go-imap's own logging: its messages repeat server
// responses, which are no business of the exporter's log.
type discardLog struct{}

func (discardLog) Printf(string, ...any) {}
func (discardLog) Println(...any)        {}
