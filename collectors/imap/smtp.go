package imap

// The drill's mail submission (docs/sources.md, `imap`, "The drill by
// mail"): the buyer's own submission server (RFC 6409), with TLS from the
// first byte (smtps://, port 465) or after STARTTLS (smtp://, port 587),
// never in clear text, and AUTH PLAIN (LOGIN where the server offers no
// PLAIN: Microsoft 365) or XOAUTH2.
//
// The client is github.com/emersion/go-smtp, not the standard library's
// net/smtp: net/smtp is frozen (its own doc says so) and has no timeouts
// of its own nor a typed reply (its errors are textproto's), while
// go-smtp is kept by the author of the go-imap, go-message and go-sasl
// this package already uses, takes their sasl.Client (the xoauth2 of
// auth.go), bounds each reply's wait, and returns a reply as *SMTPError
// with its code, which is what tells a refused message from one whose
// fate is unknown. Its server side is the tests' submission server.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// smtpTarget is where the drill submits its mail.
type smtpTarget struct {
	addr        string // host:port
	where       string // scheme://host:port, for errors and Target
	implicitTLS bool
}

func parseSMTPURL(raw string) (smtpTarget, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return smtpTarget{}, errors.New("want smtps://host[:465] (TLS) or smtp://host[:587] (STARTTLS)")
	}
	if u.User != nil {
		return smtpTarget{}, errors.New("credentials belong in smtp.basic_auth (or the source's http_client), not in the URL")
	}
	var port string
	switch u.Scheme {
	case "smtps":
		port = "465"
	case "smtp":
		port = "587"
	default:
		return smtpTarget{}, fmt.Errorf("scheme %q: want smtps:// (TLS) or smtp:// (STARTTLS)", u.Scheme)
	}
	if u.Port() != "" {
		port = u.Port()
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	return smtpTarget{addr: addr, where: u.Scheme + "://" + addr, implicitTLS: u.Scheme == "smtps"}, nil
}

// sendError is a submission that failed, and what is known of the
// message's fate (source.WriteOutcome): refused or never sent (known), or
// unknown (the data was sent and no reply came). Its text names the step
// and the server's reply, never a credential.
type sendError struct {
	step    string
	where   string
	unknown bool
	// retry: not sent, and may be sent again (a 4xx reply, a connection
	// lost before the data's end).
	retry bool
	err   error
}

func (e *sendError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.where, e.step, e.err)
}

func (e *sendError) Unwrap() error { return e.err }

// OutcomeUnknown implements source.WriteOutcome.
func (e *sendError) OutcomeUnknown() bool { return e.unknown }

// NotSentRetryAfter implements source.WriteOutcome: SMTP names no delay;
// the drill waits its own minimum.
func (e *sendError) NotSentRetryAfter() (time.Duration, bool) { return 0, e.retry && !e.unknown }

// classify says what a failure before the data's end means: a 5xx reply
// refuses (known, never retried), a 4xx asks to come back later, no reply
// at all (a connection refused or lost) sent nothing the server could
// keep: not sent.
func classify(where, step string, err error) *sendError {
	var se *gosmtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return &sendError{step: step, where: where, err: err}
	}
	// A certificate the client does not trust will not be trusted a
	// minute later: refused, not retried (tls_config fixes it).
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) {
		return &sendError{step: step, where: where, err: err}
	}
	return &sendError{step: step, where: where, retry: true, err: err}
}

// outgoing is one message to submit.
type outgoing struct {
	from string   // MAIL FROM
	to   []string // RCPT TO
	raw  []byte   // the message, CRLF line ends
	// beforeEnd, when set, runs after the data was written and before
	// its end (the final dot) is: an error sends nothing (the
	// transaction is cut before its end; known not sent).
	beforeEnd func() error
}

// submitter sends mail through the buyer's submission server.
type submitter struct {
	target  smtpTarget
	tls     *tls.Config
	timeout time.Duration
	// helo is the name the client greets with (the sender's domain).
	helo string
	// auth returns the SASL client of one login (PLAIN, LOGIN or
	// XOAUTH2), given whether the server offers AUTH PLAIN.
	auth func(ctx context.Context, plain bool) (sasl.Client, error)
	// refused, when set, is told of a login the server refused (an
	// oauth2 token is then not reused).
	refused func()
}

// send submits m: nil once the server took it (250 after the data's
// end). A failure is a *sendError.
func (s *submitter) send(ctx context.Context, m outgoing) error {
	where := s.target.where
	d := net.Dialer{Timeout: s.timeout}
	conn, err := d.DialContext(ctx, "tcp", s.target.addr)
	if err != nil {
		return classify(where, "connect", err)
	}
	// Cancelling ctx closes the connection, which ends any step under way.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	defer conn.Close()
	var c *gosmtp.Client
	// Until the session is set up (TLS, the greeting, EHLO, STARTTLS and
	// EHLO again) no deadline go-smtp sets (its own 5-minute default, or
	// none) goes past the request timeout.
	bc := &boundedConn{Conn: conn, limit: time.Now().Add(s.timeout)}
	_ = bc.SetDeadline(time.Time{})
	if s.target.implicitTLS {
		tc := tls.Client(bc, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return classify(where, "TLS handshake", err)
		}
		c = gosmtp.NewClient(tc)
	} else {
		// Never a credential in clear text: go-smtp refuses a server
		// that does not offer STARTTLS, and drops what the server sent
		// before the handshake (a STARTTLS injection).
		c, err = gosmtp.NewClientStartTLS(bc, s.tls)
		if err != nil {
			if strings.Contains(err.Error(), "support STARTTLS") {
				return &sendError{step: "STARTTLS", where: where, err: errors.New(
					"the server does not offer STARTTLS: refusing to send credentials in clear text (use smtps:// if it listens on 465)")}
			}
			return classify(where, "STARTTLS", err)
		}
	}
	c.CommandTimeout = s.timeout
	// RFC 5321 4.5.3.2.6 lets the server take 10 minutes after the
	// data's end; waiting less makes an outcome unknown sooner.
	c.SubmissionTimeout = max(s.timeout, 2*time.Minute)
	if err := c.Hello(s.helo); err != nil {
		return classify(where, "EHLO", err)
	}
	bc.release() // go-smtp sets one deadline per command from here
	_, mechs := c.Extension("AUTH")
	a, err := s.auth(ctx, mechs == "" || slices.Contains(strings.Fields(strings.ToUpper(mechs)), sasl.Plain))
	if err != nil {
		// No token or password to log in with (a token endpoint down, a
		// file unreadable): nothing was sent.
		return &sendError{step: "AUTH", where: where, retry: true, err: err}
	}
	if err := c.Auth(a); err != nil {
		var se *gosmtp.SMTPError
		if errors.As(err, &se) && se.Code == 535 && s.refused != nil {
			s.refused()
		}
		return classify(where, "AUTH", err)
	}
	if err := c.Mail(m.from, nil); err != nil {
		return classify(where, "MAIL FROM", err)
	}
	for _, to := range m.to {
		if err := c.Rcpt(to, nil); err != nil {
			return classify(where, "RCPT TO", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return classify(where, "DATA", err)
	}
	// go-smtp bounds each reply's wait, not the writing of the data.
	_ = conn.SetDeadline(time.Now().Add(s.timeout))
	if _, err := w.Write(m.raw); err != nil {
		// The data's end was never written: the server keeps nothing
		// of a transaction cut before it (RFC 5321 4.1.1.4).
		return classify(where, "DATA", err)
	}
	if m.beforeEnd != nil {
		if err := m.beforeEnd(); err != nil {
			return &sendError{step: "before the end of DATA", where: where, retry: true, err: err}
		}
	}
	// From here the server may have taken the message: a reply other
	// than a 4xx or 5xx leaves its fate unknown.
	if err := w.Close(); err != nil {
		var se *gosmtp.SMTPError
		if errors.As(err, &se) {
			return classify(where, "end of DATA", err)
		}
		return &sendError{step: "end of DATA", where: where, unknown: true, err: err}
	}
	// Taken: a failed goodbye changes nothing.
	_ = c.Quit()
	return nil
}

// boundedConn is a connection whose deadlines never go past limit
// until release: go-smtp's greeting and STARTTLS set their own, or none.
type boundedConn struct {
	net.Conn
	mu    sync.Mutex
	limit time.Time
}

func (b *boundedConn) bound(t time.Time) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.limit.IsZero() && (t.IsZero() || t.After(b.limit)) {
		return b.limit
	}
	return t
}

func (b *boundedConn) release() {
	b.mu.Lock()
	b.limit = time.Time{}
	b.mu.Unlock()
}

func (b *boundedConn) SetDeadline(t time.Time) error      { return b.Conn.SetDeadline(b.bound(t)) }
func (b *boundedConn) SetReadDeadline(t time.Time) error  { return b.Conn.SetReadDeadline(b.bound(t)) }
func (b *boundedConn) SetWriteDeadline(t time.Time) error { return b.Conn.SetWriteDeadline(b.bound(t)) }

// plainAuth is AUTH PLAIN (RFC 4616) with the login and password.
func plainAuth(user, password string) sasl.Client { return sasl.NewPlainClient("", user, password) }

// addrDomain is the domain of an address (lower case), empty when none.
func addrDomain(addr string) string {
	_, d, ok := strings.Cut(addr, "@")
	if !ok {
		return ""
	}
	return strings.ToLower(d)
}
