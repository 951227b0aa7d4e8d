// Package smtptest runs a loopback SMTP submission server for tests:
// go-smtp's server side, behaving as a real submission server does (TLS
// from the first byte, or STARTTLS; AUTH PLAIN only under TLS, 535 for a
// wrong password, 530 for MAIL before AUTH; 250/354), with the reply
// after the data a test chooses. It records what it took.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// Mode is what the server does with a transaction's data.
type Mode int

const (
	// Take records the message and answers 250.
	Take Mode = iota
	// Drop records the message, as taken, and drops the connection
	// before the reply: the client cannot know.
	Drop
	// Defer answers 451 without taking it.
	Defer
	// Refuse answers 554 without taking it.
	Refuse
)

// Options say how the server listens and whom it lets in.
type Options struct {
	User, Password string
	// ImplicitTLS: TLS from the first byte (smtps); else clear text,
	// offering STARTTLS when STARTTLS is set.
	ImplicitTLS, STARTTLS bool
	// LoginOnly: AUTH LOGIN is the only mechanism offered (Microsoft
	// 365's smtp.office365.com offers LOGIN and XOAUTH2, no PLAIN).
	LoginOnly bool
	// OnTake, when set, is called with each message taken (Take), before
	// the reply: what a server that saves what it sends (Gmail) does.
	OnTake func(Message)
}

// Message is one message the server took: its envelope and data.
type Message struct {
	From string
	To   []string
	Raw  []byte
}

// Server is a running submission server.
type Server struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// CertPEM is its self-signed certificate for 127.0.0.1, what a client
	// trusts (tls_config.ca).
	CertPEM []byte
	opts    Options
	mu      sync.Mutex
	got     []Message
	auths   int
	mode    Mode
}

// Start serves until the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	certPEM, cert, err := selfSigned()
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{CertPEM: certPEM, opts: opts}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "smtp.buyer.example"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	var l net.Listener
	if opts.ImplicitTLS {
		l, err = tls.Listen("tcp", "127.0.0.1:0", tlsConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
		if opts.STARTTLS {
			srv.TLSConfig = tlsConfig
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	s.Addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	tb.Cleanup(func() { _ = srv.Close() })
	return s
}

// SetMode sets what the next transactions' data meets.
func (s *Server) SetMode(m Mode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode = m
}

// Received are the messages taken so far, in order.
func (s *Server) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.got...)
}

// AuthAttempts counts the AUTH exchanges that reached a password check.
func (s *Server) AuthAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auths
}

type session struct {
	s      *Server
	conn   *gosmtp.Conn
	authed bool
	from   string
	to     []string
}

func (x *session) AuthMechanisms() []string {
	if x.s.opts.LoginOnly {
		return []string{sasl.Login}
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	if x.s.opts.LoginOnly != (mech == sasl.Login) {
		return nil, &gosmtp.SMTPError{Code: 504, EnhancedCode: gosmtp.EnhancedCode{5, 7, 4}, Message: "Unrecognized authentication type"}
	}
	check := func(_, username, password string) error {
		x.s.mu.Lock()
		x.s.auths++
		x.s.mu.Unlock()
		if username != x.s.opts.User || password != x.s.opts.Password {
			return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		x.authed = true
		return nil
	}
	if mech == sasl.Login {
		return &loginServer{check: check}, nil
	}
	return sasl.NewPlainServer(check), nil
}

// loginServer is the server side of AUTH LOGIN: the username, then the
// password, each asked for.
type loginServer struct {
	check    func(identity, username, password string) error
	step     int
	username string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch {
	case l.step == 1 && response == nil:
		return []byte("Username:"), false, nil
	case l.step == 1:
		l.step++ // the username came with the command
		fallthrough
	case l.step == 2:
		l.username = string(response)
		return []byte("Password:"), false, nil
	}
	return nil, true, l.check("", l.username, string(response))
}

func (x *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if !x.authed {
		return &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{From: x.from, To: x.to, Raw: raw}
	x.s.mu.Lock()
	mode := x.s.mode
	if mode == Take || mode == Drop {
		x.s.got = append(x.s.got, m)
	}
	x.s.mu.Unlock()
	if mode == Take && x.s.opts.OnTake != nil {
		x.s.opts.OnTake(m)
	}
	switch mode {
	case Drop:
		_ = x.conn.Conn().Close()
		return errors.New("connection lost")
	case Defer:
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	case Refuse:
		return &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1}, Message: "Message refused"}
	}
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// selfSigned makes the server's certificate for 127.0.0.1.
func selfSigned() ([]byte, tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "smtp.buyer.example"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	return certPEM, cert, err
}
