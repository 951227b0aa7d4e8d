package imap

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap"
	"github.com/emersion/go-imap/backend"
	"github.com/emersion/go-imap/backend/memory"
	"github.com/emersion/go-imap/server"
	"github.com/emersion/go-sasl"
	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// mailServer is go-imap's server on 127.0.0.1 over a backend of our own
// (memory's fixes UIDVALIDITY at 1): folders whose UIDVALIDITY a test
// changes, messages appended with their raw text, and a gate that holds
// FETCH answers (cancellation).
type mailServer struct {
	mu       sync.Mutex
	password string
	token    string // XOAUTH2's
	boxes    map[string]*box
	gate     chan struct{} // when set, FETCH waits on it
	// condstore offers CONDSTORE once logged in (HIGHESTMODSEQ in STATUS);
	// noUIDNext leaves UIDNEXT out of STATUS and EXAMINE, as some servers do.
	condstore, noUIDNext bool
	// bareLogin answers LOGIN without its capabilities, as some servers do.
	bareLogin bool
	// gmail offers X-GM-EXT-1 and answers X-GM-THRID and X-GM-MSGID from
	// thrid and msgid.
	gmail        bool
	thrid, msgid map[*memory.Message]string
	// rawHeader replaces the header fields a FETCH answers of a message
	// (a header that does not parse).
	rawHeader map[*memory.Message][]byte
	srv       *server.Server
	addr      string
	caPEM     string
}

type box struct {
	s        *mailServer
	name     string
	validity uint32
	next     uint32
	modseq   uint64
	msgs     []*memory.Message
}

const (
	login    = "buyer@example.com"
	password = "s3cret pass"
)

// mode is how the server speaks TLS.
type mode int

const (
	implicitTLS mode = iota // imaps
	startTLS                // imap with STARTTLS
	plainOnly               // imap without STARTTLS
)

func newMailServer(t *testing.T, m mode) *mailServer {
	t.Helper()
	ms := &mailServer{password: password, token: "ya29.token", boxes: map[string]*box{}, thrid: map[*memory.Message]string{}, msgid: map[*memory.Message]string{},
		rawHeader: map[*memory.Message][]byte{}}
	for _, n := range []string{"INBOX", "Sent"} {
		ms.boxes[n] = &box{s: ms, name: n, validity: 1, next: 1}
	}
	cert, caPEM := selfSigned(t)
	ms.caPEM = caPEM
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
	s := server.New(ms)
	s.ErrorLog = discardLog{}
	s.Enable(condstoreExt{ms})
	s.EnableAuth("XOAUTH2", func(c server.Conn) sasl.Server { return &xoauth2Server{ms: ms, conn: c} })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch m {
	case implicitTLS:
		l = tls.NewListener(l, tlsConfig)
	case startTLS:
		s.TLSConfig = tlsConfig
	case plainOnly:
		s.AllowInsecureAuth = true
	}
	ms.srv, ms.addr = s, l.Addr().String()
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return ms
}

func selfSigned(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test imap"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// add appends a message to folder; internal is its INTERNALDATE.
func (ms *mailServer) add(folder, raw string, internal time.Time) *memory.Message {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	b := ms.boxes[folder]
	body := []byte(strings.ReplaceAll(raw, "\n", "\r\n"))
	if internal.IsZero() {
		// Delivered when its Date says.
		if msg, err := netmail.ReadMessage(bytes.NewReader(body)); err == nil {
			internal, _ = msg.Header.Date()
		}
	}
	m := &memory.Message{Uid: b.next, Date: internal, Size: uint32(len(body)), Body: body}
	b.msgs = append(b.msgs, m)
	b.next++
	b.modseq++
	return m
}

// condstoreExt lists CONDSTORE once logged in, and X-GM-EXT-1, when the
// server offers them.
type condstoreExt struct{ ms *mailServer }

func (e condstoreExt) Capabilities(c server.Conn) []string {
	e.ms.mu.Lock()
	defer e.ms.mu.Unlock()
	var caps []string
	if e.ms.condstore && c.Context().State&goimap.AuthenticatedState != 0 {
		caps = append(caps, "CONDSTORE")
	}
	if e.ms.gmail {
		caps = append(caps, "X-GM-EXT-1")
	}
	return caps
}

func (e condstoreExt) Command(name string) server.HandlerFactory {
	if name != "LOGIN" {
		return nil
	}
	return func() server.Handler { return &bareLogin{ms: e.ms} }
}

// bareLogin is go-imap's LOGIN, answered without the capabilities when
// the server's bareLogin is set.
type bareLogin struct {
	server.Login
	ms *mailServer
}

func (l *bareLogin) Handle(c server.Conn) error {
	err := l.Login.Handle(c)
	var st *goimap.ErrStatusResp
	l.ms.mu.Lock()
	bare := l.ms.bareLogin
	l.ms.mu.Unlock()
	if bare && errors.As(err, &st) && st.Resp != nil && st.Resp.Type == goimap.StatusRespOk {
		return nil
	}
	return err
}

// renumber gives folder a new UIDVALIDITY and new UIDs, as a server
// rebuilding its index does.
func (ms *mailServer) renumber(folder string) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	b := ms.boxes[folder]
	b.validity++
	for _, m := range b.msgs {
		m.Uid = b.next
		b.next++
	}
}

func (ms *mailServer) Login(_ *goimap.ConnInfo, user, pass string) (backend.User, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if user != login || pass != ms.password {
		return nil, errors.New("[AUTHENTICATIONFAILED] Invalid credentials")
	}
	return &mailUser{ms}, nil
}

// xoauth2Server checks the client's XOAUTH2 initial response.
type xoauth2Server struct {
	ms      *mailServer
	conn    server.Conn
	refused bool // the error challenge was sent: the client's answer ends it
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if resp == nil {
		return nil, false, nil
	}
	if len(resp) == 0 || x.refused {
		// go-imap's server hands the last response again for the empty
		// line the client answers the error challenge with.
		return nil, true, errors.New("[AUTHENTICATIONFAILED] Invalid credentials")
	}
	want := "user=" + login + "\x01auth=Bearer " + x.ms.token + "\x01\x01"
	if string(resp) != want {
		// Gmail's way: a JSON error as a challenge, then NO.
		x.refused = true
		return []byte(`{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}`), false, nil
	}
	ctx := x.conn.Context()
	ctx.State, ctx.User = goimap.AuthenticatedState, &mailUser{x.ms}
	return nil, true, nil
}

type mailUser struct{ ms *mailServer }

func (u *mailUser) Username() string { return login }
func (u *mailUser) ListMailboxes(bool) ([]backend.Mailbox, error) {
	var list []backend.Mailbox
	for _, b := range u.ms.boxes {
		list = append(list, b)
	}
	return list, nil
}
func (u *mailUser) GetMailbox(name string) (backend.Mailbox, error) {
	u.ms.mu.Lock()
	defer u.ms.mu.Unlock()
	if b, ok := u.ms.boxes[name]; ok {
		return b, nil
	}
	return nil, backend.ErrNoSuchMailbox
}
func (u *mailUser) CreateMailbox(string) error         { return errors.New("read-only") }
func (u *mailUser) DeleteMailbox(string) error         { return errors.New("read-only") }
func (u *mailUser) RenameMailbox(string, string) error { return errors.New("read-only") }
func (u *mailUser) Logout() error                      { return nil }

func (b *box) Name() string { return b.name }
func (b *box) Info() (*goimap.MailboxInfo, error) {
	return &goimap.MailboxInfo{Delimiter: "/", Name: b.name}, nil
}
func (b *box) SetSubscribed(bool) error { return nil }
func (b *box) Check() error             { return nil }

func (b *box) Status(items []goimap.StatusItem) (*goimap.MailboxStatus, error) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	st := goimap.NewMailboxStatus(b.name, items)
	st.Flags = []string{goimap.SeenFlag}
	st.PermanentFlags = []string{}
	for _, it := range items {
		switch it {
		case goimap.StatusMessages:
			st.Messages = uint32(len(b.msgs))
		case goimap.StatusUidNext:
			st.UidNext = b.next
		case goimap.StatusUidValidity:
			st.UidValidity = b.validity
		case "HIGHESTMODSEQ":
			st.Items[it] = goimap.RawString(strconv.FormatUint(b.modseq, 10))
		}
	}
	if b.s.noUIDNext {
		delete(st.Items, goimap.StatusUidNext)
	}
	return st, nil
}

func (b *box) ListMessages(uid bool, set *goimap.SeqSet, items []goimap.FetchItem, ch chan<- *goimap.Message) error {
	defer close(ch)
	b.s.mu.Lock()
	gate := b.s.gate
	msgs := append([]*memory.Message(nil), b.msgs...)
	b.s.mu.Unlock()
	if gate != nil {
		<-gate
	}
	for i, m := range msgs {
		id := uint32(i + 1)
		if uid {
			id = m.Uid
		}
		if !set.Contains(id) {
			continue
		}
		fm, err := m.Fetch(uint32(i+1), items)
		if err != nil {
			continue
		}
		b.s.mu.Lock()
		raw, broken := b.s.rawHeader[m]
		b.s.mu.Unlock()
		if broken {
			for k := range fm.Body {
				if k.Specifier == goimap.HeaderSpecifier {
					fm.Body[k] = bytes.NewReader(raw)
				}
			}
		}
		if _, ok := fm.Items["X-GM-THRID"]; ok {
			b.s.mu.Lock()
			fm.Items["X-GM-THRID"] = goimap.RawString(b.s.thrid[m])
			fm.Items["X-GM-MSGID"] = goimap.RawString(b.s.msgid[m])
			b.s.mu.Unlock()
		}
		ch <- fm
	}
	return nil
}

func (b *box) SearchMessages(uid bool, c *goimap.SearchCriteria) ([]uint32, error) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	var ids []uint32
	for i, m := range b.msgs {
		if ok, err := m.Match(uint32(i+1), c); err == nil && ok {
			if uid {
				ids = append(ids, m.Uid)
			} else {
				ids = append(ids, uint32(i+1))
			}
		}
	}
	return ids, nil
}

func (b *box) CreateMessage([]string, time.Time, goimap.Literal) error {
	return errors.New("read-only")
}
func (b *box) UpdateMessagesFlags(bool, *goimap.SeqSet, goimap.FlagsOp, []string) error {
	return errors.New("read-only")
}
func (b *box) CopyMessages(bool, *goimap.SeqSet, string) error { return errors.New("read-only") }
func (b *box) Expunge() error                                  { return errors.New("read-only") }

// fakeStore is the exporter's store as far as a collector sees it: each
// emitted batch stored, Stored reading it back, the cursor kept.
type fakeStore struct {
	tickets  map[string]item.Ticket
	cursor   []byte
	batches  int
	failAt   int // the batch whose emit fails (a crash before it is stored); 0: none
	recorded []item.Batch
}

func newStore() *fakeStore { return &fakeStore{tickets: map[string]item.Ticket{}} }

var errCrash = errors.New("crash")

func (s *fakeStore) emit(b item.Batch) error {
	s.batches++
	if s.failAt != 0 && s.batches == s.failAt {
		return errCrash
	}
	for _, t := range b.Tickets {
		s.tickets[t.ID] = t
	}
	if b.Cursor != nil {
		s.cursor = b.Cursor
	}
	s.recorded = append(s.recorded, b)
	return nil
}

func (s *fakeStore) stored(id string) (*item.Ticket, error) {
	if t, ok := s.tickets[id]; ok {
		return &t, nil
	}
	return nil, nil
}

// harness is a source against a mailServer, with a store and the
// commands counted by answer.
type harness struct {
	t      *testing.T
	ms     *mailServer
	store  *fakeStore
	src    source.Source
	mu     sync.Mutex
	counts map[string]int
	env    source.Env
}

func newHarness(t *testing.T, m mode, opts *Options, configure func(*source.Env)) *harness {
	t.Helper()
	ms := newMailServer(t, m)
	h := &harness{t: t, ms: ms, store: newStore(), counts: map[string]int{}}
	scheme := "imaps"
	if m != implicitTLS {
		scheme = "imap"
	}
	if opts == nil {
		opts = testOptions()
	}
	h.env = source.Env{
		Config: &config.Source{Name: "mailbox", Kind: "imap", URL: scheme + "://" + ms.addr, Options: opts,
			HTTPClient: commoncfg.HTTPClientConfig{
				BasicAuth: &commoncfg.BasicAuth{Username: login, Password: password},
				TLSConfig: commoncfg.TLSConfig{CA: ms.caPEM},
			}},
		Vendor:       &config.Vendor{Name: "acme"},
		CountRequest: h.count,
		Now:          time.Now,
		Stored:       h.store.stored,
	}
	if configure != nil {
		configure(&h.env)
	}
	src, err := New(h.env)
	if err != nil {
		t.Fatal(err)
	}
	h.src = src
	return h
}

func testOptions() *Options {
	o := NewOptions().(*Options)
	o.VendorAddresses = []string{"@vendor.example"}
	o.Folders = []string{"INBOX", "Sent"}
	o.SolvedPatterns = []string{`(?i)has been solved`}
	o.ReopenedPatterns = []string{`(?i)has been reopened`}
	o.TagPatterns = map[string]string{"p1": `\[P1\]`, "urgent": `(?i)\burgent\b`}
	return o
}

func (h *harness) count(code string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.counts[code]++
}

// commands returns the commands counted since the last call.
func (h *harness) commands() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.counts
	h.counts = map[string]int{}
	return c
}

func (h *harness) sync() error {
	return h.src.Sync(context.Background(), h.store.cursor, h.store.emit)
}

func (h *harness) mustSync() {
	h.t.Helper()
	if err := h.sync(); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) ticket(id string) item.Ticket {
	h.t.Helper()
	t, ok := h.store.tickets[id]
	if !ok {
		var ids []string
		for k := range h.store.tickets {
			ids = append(ids, k)
		}
		h.t.Fatalf("no ticket %s among %q", id, ids)
	}
	return t
}

// rawMail writes an RFC 5322 message.
func rawMail(id, from, date, subject string, headers ...string) string {
	var b bytes.Buffer
	b.WriteString("Message-ID: <" + id + ">\nFrom: " + from + "\nTo: support-mailbox@buyer.example\nDate: " + date + "\nSubject: " + subject + "\n")
	for _, h := range headers {
		b.WriteString(h + "\n")
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\n\nHello.\n")
	return b.String()
}
