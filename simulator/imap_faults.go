package simulator

import (
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/server"
)

// Faults in IMAP terms. Each command the server receives is one request of
// the endpoint: it meets the next injected fault, played as a mail server
// fails:
//
//   - FaultRateLimit: the command answered `NO [UNAVAILABLE] Request is
//     throttled` (Microsoft 365's throttling, which names no standard code).
//   - FaultServerError: `* BYE [UNAVAILABLE] Temporary System Problem`
//     (Gmail's) and the connection closed, the command unanswered.
//   - FaultTimeout: the command held 35 s (or until the simulation closes),
//     then answered.
//   - FaultReset: the connection reset (SO_LINGER 0) before any answer.
//   - FaultTruncated: a FETCH answered up to half the first message's first
//     body section, then the connection closed; other commands as usual.
//   - FaultHugeBody: a FETCH whose first message's first body section is
//     Spec.Size bytes (its header followed by padding header fields),
//     streamed; other commands as usual.
//   - FaultUnauthorized: LOGIN and AUTHENTICATE refused with
//     `NO [AUTHENTICATIONFAILED] Invalid credentials`; FaultForbidden: refused
//     with Gmail's answer to an account password where an app password is
//     required (a credential known, but not allowed over IMAP). Any other
//     command meeting either ends the session as Gmail does once the
//     account's password changed: `* BYE Session invalidated -
//     AccountStateChange`.
//
// The others have no IMAP meaning and do not apply: IMAP answers are
// framed by tags and literals (FaultMalformed: a broken frame is
// FaultTruncated), mail has no pages (FaultEmptyPage, the endless ones,
// FaultUnsorted) nor Retry-After (FaultRetryAfterDate,
// FaultRateLimitNoReset, FaultGitHubPrimaryLimit), and a mail's Date is
// written by its sender, not by the vendor's clock (FaultFutureTimes,
// FaultPastTimes).
var imapFaults = map[Fault]bool{
	FaultRateLimit: true, FaultServerError: true, FaultTimeout: true, FaultReset: true,
	FaultTruncated: true, FaultHugeBody: true, FaultUnauthorized: true, FaultForbidden: true,
}

// imapFaultExt wraps every command of the server, so that each is counted
// and meets the endpoint's faults. builtin is a server without it, whose
// handlers do the work.
type imapFaultExt struct {
	a       *imapAPI
	builtin *server.Server
	on      bool
}

func (x *imapFaultExt) Capabilities(server.Conn) []string { return nil }

func (x *imapFaultExt) Command(name string) server.HandlerFactory {
	inner := x.builtin.Command(name)
	if !x.on || inner == nil || name == "STARTTLS" {
		return nil
	}
	return func() server.Handler { return &imapFaultCmd{x: x, name: name, inner: inner()} }
}

// imapFaultCmd is one command, wrapped.
type imapFaultCmd struct {
	x     *imapFaultExt
	name  string
	inner server.Handler
}

func (c *imapFaultCmd) Parse(fields []any) error { return c.inner.Parse(fields) }

// UidHandle runs the command under UID, which was counted as one command.
func (c *imapFaultCmd) UidHandle(conn server.Conn) error {
	u, ok := c.inner.(server.UidHandler)
	if !ok {
		return errors.New("Command unsupported with UID")
	}
	return u.UidHandle(conn)
}

func (c *imapFaultCmd) Handle(conn server.Conn) error {
	name := c.name
	if u, ok := c.inner.(*server.Uid); ok {
		name = "UID " + u.Cmd.Command().Name
	}
	spec, faulty := c.x.a.countCommand(name)
	if !faulty {
		return c.inner.Handle(conn)
	}
	a := c.x.a
	switch spec.Fault {
	case FaultRateLimit:
		return &imap.ErrStatusResp{Resp: &imap.StatusResp{Type: imap.StatusRespNo, Code: "UNAVAILABLE",
			Info: "Request is throttled. Suggested Backoff Time: 1000 milliseconds"}}
	case FaultServerError:
		return a.bye(conn, &imap.StatusResp{Type: imap.StatusRespBye, Code: "UNAVAILABLE", Info: "Temporary System Problem. Try again later."})
	case FaultTimeout:
		t := time.NewTimer(timeoutHold)
		defer t.Stop()
		select {
		case <-a.e.closing:
			return &imap.ErrStatusResp{}
		case <-t.C:
		}
	case FaultReset:
		if raw := a.rawConn(conn); raw != nil {
			if tc, ok := raw.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = raw.Close()
		}
		return &imap.ErrStatusResp{}
	case FaultUnauthorized, FaultForbidden:
		if name != "LOGIN" && name != "AUTHENTICATE" {
			return a.bye(conn, &imap.StatusResp{Type: imap.StatusRespBye, Info: "Session invalidated - AccountStateChange"})
		}
		info := "Invalid credentials (Failure)"
		if spec.Fault == FaultForbidden {
			info = "Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)"
		}
		return &imap.ErrStatusResp{Resp: &imap.StatusResp{Type: imap.StatusRespNo, Code: "AUTHENTICATIONFAILED", Info: info}}
	case FaultTruncated, FaultHugeBody:
		mbox, ok := conn.Context().Mailbox.(*imapMailbox)
		if ok && (name == "FETCH" || name == "UID FETCH") {
			mbox.fault = &fetchFault{spec: spec, closeConn: func() {
				if raw := a.rawConn(conn); raw != nil {
					_ = raw.Close()
				}
			}}
			defer func() { mbox.fault = nil }()
		}
	}
	return c.inner.Handle(conn)
}

// bye ends the session with res, the command unanswered.
func (a *imapAPI) bye(conn server.Conn, res *imap.StatusResp) error {
	_ = conn.WriteResp(res)
	if raw := a.rawConn(conn); raw != nil {
		_ = raw.Close()
	}
	return &imap.ErrStatusResp{}
}

// fetchFault damages the first body section of a FETCH answer.
type fetchFault struct {
	spec      Spec
	closeConn func()
}

// damage damages msg's first body section; false when it has none.
func (f *fetchFault) damage(msg *imap.Message) bool {
	for section, l := range msg.Body {
		if l == nil {
			continue
		}
		real, err := io.ReadAll(l)
		if err != nil {
			return false
		}
		if f.spec.Fault == FaultHugeBody {
			size := cmp.Or(f.spec.Size, defaultHugeSize)
			msg.Body[section] = &hugeLiteral{head: real, size: int(max(size, int64(len(real))))}
			msg.Size = uint32(min(size, 1<<32-1))
		} else {
			msg.Body[section] = &cutLiteral{data: real, cut: len(real) / 2, closeConn: f.closeConn}
		}
		return true
	}
	return false
}

// hugeLiteral is head followed by padding header fields, size bytes in
// all, made as it is read.
type hugeLiteral struct {
	head []byte
	size int
	off  int
}

var hugePad = []byte("X-Padding: " + strings.Repeat("x", 66) + "\r\n")

func (l *hugeLiteral) Len() int { return l.size }

func (l *hugeLiteral) Read(p []byte) (int, error) {
	if l.off >= l.size {
		return 0, io.EOF
	}
	p = p[:min(len(p), l.size-l.off)]
	n := 0
	if l.off < len(l.head) {
		n = copy(p, l.head[l.off:])
	}
	for n < len(p) {
		k := (l.off + n - len(l.head)) % len(hugePad)
		n += copy(p[n:], hugePad[k:])
	}
	l.off += n
	return n, nil
}

// cutLiteral declares data's whole length but ends at cut, closing the
// connection: the client reads a literal that stops short.
type cutLiteral struct {
	data      []byte
	cut, off  int
	closeConn func()
}

func (l *cutLiteral) Len() int { return len(l.data) }

func (l *cutLiteral) Read(p []byte) (int, error) {
	if l.off >= l.cut {
		l.closeConn()
		return 0, io.ErrUnexpectedEOF
	}
	n := copy(p, l.data[l.off:l.cut])
	l.off += n
	return n, nil
}

// selfSignedCert makes a certificate for 127.0.0.1, valid from an hour ago
// for ten years of wall time (TLS checks it against the host's clock, not
// the simulated one), and its PEM.
func selfSignedCert() (tls.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return tls.Certificate{}, "", err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "support simulator IMAP"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, string(certPEM), nil
}

func tlsListener(ln net.Listener, cert tls.Certificate) net.Listener {
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
}
