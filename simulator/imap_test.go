package simulator

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"
	_ "github.com/emersion/go-message/charset" // ISO-8859-1 bodies
	"github.com/emersion/go-message/mail"
)

// imapDial logs in to the vendor's mailbox as a client trusting the
// simulation's certificate.
func imapDial(t *testing.T, s *Sim, vendor string) *client.Client {
	t.Helper()
	c, err := imapConnect(s, vendor)
	if err != nil {
		t.Fatal(err)
	}
	user, pass := s.IMAPCredentials(vendor)
	if err := c.Login(user, pass); err != nil {
		t.Fatalf("login: %v", err)
	}
	t.Cleanup(func() { _ = c.Terminate() })
	return c
}

func imapConnect(s *Sim, vendor string) (*client.Client, error) {
	u, err := url.Parse(s.URL(vendor, KindIMAP))
	if err != nil {
		return nil, err
	}
	if u.Scheme != "imaps" {
		return nil, errors.New("URL " + u.String() + ": want imaps")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(s.IMAPCertificate(vendor))) {
		return nil, errors.New("no certificate")
	}
	c, err := client.DialTLS(u.Host, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		return nil, err
	}
	c.Timeout = 10 * time.Second
	c.ErrorLog = log.New(io.Discard, "", 0) // a connection a fault closes is expected
	return c, nil
}

// fetched is a message as a client reads it.
type fetched struct {
	uid      uint32
	internal time.Time
	h        mail.Header
	body     string
}

// fetchAll reads every message of folder: UID, INTERNALDATE, the whole
// message; and the folder's UIDVALIDITY.
func fetchAll(t *testing.T, c *client.Client, folder string) ([]fetched, uint32) {
	t.Helper()
	st, err := c.Select(folder, true)
	if err != nil {
		t.Fatalf("select %s: %v", folder, err)
	}
	if st.Messages == 0 {
		return nil, st.UidValidity
	}
	section := &imap.BodySectionName{Peek: true}
	items := []imap.FetchItem{imap.FetchUid, imap.FetchInternalDate, section.FetchItem()}
	set, _ := imap.ParseSeqSet("1:*")
	ch := make(chan *imap.Message, 16)
	done := make(chan error, 1)
	go func() { done <- c.UidFetch(set, items, ch) }()
	type rawMsg struct {
		uid      uint32
		internal time.Time
		raw      []byte
		err      error
	}
	var raws []rawMsg
	for m := range ch { // drained whole, so that the client never waits
		raw, err := io.ReadAll(m.GetBody(section))
		raws = append(raws, rawMsg{m.Uid, m.InternalDate, raw, err})
	}
	var out []fetched
	for _, m := range raws {
		if m.err != nil {
			t.Fatal(m.err)
		}
		r, err := mail.CreateReader(bytes.NewReader(m.raw))
		if err != nil {
			t.Fatalf("UID %d: %v\n%s", m.uid, err, m.raw)
		}
		p, err := r.NextPart()
		if err != nil {
			t.Fatalf("UID %d: body: %v\n%s", m.uid, err, m.raw)
		}
		body, _ := io.ReadAll(p.Body)
		out = append(out, fetched{uid: m.uid, internal: m.internal, h: r.Header, body: string(body)})
	}
	if err := <-done; err != nil {
		t.Fatalf("fetch %s: %v", folder, err)
	}
	if uint32(len(out)) != st.Messages {
		t.Errorf("%s: fetched %d messages, SELECT said %d", folder, len(out), st.Messages)
	}
	return out, st.UidValidity
}

// rootOf is a message's thread as the collector's contract tells it: the
// first id of References, else In-Reply-To, else its own.
func rootOf(h mail.Header) string {
	if refs, _ := h.MsgIDList("References"); len(refs) > 0 {
		return refs[0]
	}
	if irt, _ := h.MsgIDList("In-Reply-To"); len(irt) > 0 {
		return irt[0]
	}
	id, _ := h.MessageID()
	return id
}

// TestIMAPThreads: the mailbox, read as the collector's contract reads
// it, holds every ticket as a thread: one per ticket, opened by the
// customer, the vendor's human replies and solves as Truth counts them,
// the helpdesk's acknowledgements and reopen notices marked as machine
// mail, and nothing dated after the clock.
func TestIMAPThreads(t *testing.T) {
	c := newClock(testStart)
	p := FastShallow
	p.AutoAcknowledges = true
	s := startSim(t, c, Options{Seed: 3, Vendors: []Vendor{vendor("acme", p, 120)}})
	cl := imapDial(t, s, "acme")
	inbox, _ := fetchAll(t, cl, "INBOX")
	sent, _ := fetchAll(t, cl, "Sent")
	type thread struct {
		first                             *fetched
		replies, solves, reopens, notices int
		acks                              int
		subjects                          []string
	}
	threads := map[string]*thread{}
	seen := map[string]bool{}
	shapes := map[string]int{}
	for _, m := range append(inbox, sent...) {
		id, err := m.h.MessageID()
		if err != nil || id == "" {
			t.Fatalf("UID %d: no Message-ID: %v", m.uid, err)
		}
		if seen[id] {
			shapes["in both folders"]++
			continue
		}
		seen[id] = true
		date, err := m.h.Date()
		switch {
		case err != nil:
			t.Fatalf("%s: Date: %v", id, err)
		case date.After(testStart):
			t.Errorf("%s dated %v, after the clock %v", id, date, testStart)
		case !date.Equal(m.internal):
			t.Errorf("%s: Date %v, INTERNALDATE %v", id, date, m.internal)
		}
		subject, err := m.h.Subject()
		if err != nil {
			t.Fatalf("%s: subject: %v", id, err)
		}
		if raw := m.h.Get("Subject"); strings.HasPrefix(raw, "=?") {
			shapes["encoded subject"]++
		}
		if m.h.Has("In-Reply-To") && !m.h.Has("References") {
			shapes["no References"]++
		}
		if ct := m.h.Get("Content-Type"); strings.Contains(ct, "iso-8859-1") {
			shapes["iso-8859-1"]++
		}
		from, err := m.h.AddressList("From")
		if err != nil || len(from) != 1 {
			t.Fatalf("%s: From %q: %v", id, m.h.Get("From"), err)
		}
		root := rootOf(m.h)
		th := threads[root]
		if th == nil {
			th = &thread{}
			threads[root] = th
		}
		th.subjects = append(th.subjects, subject)
		vendorMsg := strings.HasSuffix(from[0].Address, "@acme.example")
		machine := m.h.Get("Auto-Submitted") != "" && m.h.Get("Auto-Submitted") != "no"
		switch {
		case root == id:
			if vendorMsg {
				t.Errorf("thread %s opened by the vendor (%s)", id, from[0].Address)
			}
			mm := m
			th.first = &mm
		case vendorMsg && machine && strings.Contains(subject, "has been reopened"):
			th.notices++
		case vendorMsg && machine:
			th.acks++
		case vendorMsg:
			th.replies++
			if strings.Contains(m.body, "has been solved") {
				th.solves++
			}
		case !vendorMsg && strings.Contains(m.body, "has been solved"):
			t.Errorf("%s: a customer message says solved", id)
		}
	}
	truth := s.Truth("acme", testStart)
	if len(threads) != len(truth.Tickets) {
		t.Fatalf("%d threads, %d tickets", len(threads), len(truth.Tickets))
	}
	for _, tk := range truth.Tickets {
		var th *thread
		for _, cand := range threads {
			if cand.first != nil && strings.Contains(cand.first.body, "Ticket "+strconv.FormatInt(tk.ID, 10)+" of") {
				th = cand
			}
		}
		if th == nil {
			t.Errorf("ticket %d: no thread opened by the customer", tk.ID)
			continue
		}
		if d, _ := th.first.h.Date(); !d.Equal(tk.Created) {
			t.Errorf("ticket %d: first message at %v, created %v", tk.ID, d, tk.Created)
		}
		if th.replies != tk.Replies || th.reopens != 0 || th.notices != tk.Reopens || th.acks != 1 {
			t.Errorf("ticket %d: %d replies, %d reopen notices, %d acknowledgements; truth: %d replies, %d reopens",
				tk.ID, th.replies, th.notices, th.acks, tk.Replies, tk.Reopens)
		}
		if solved := !tk.FirstSolve.IsZero(); solved != (th.solves > 0) {
			t.Errorf("ticket %d: %d solving replies, first solve %v", tk.ID, th.solves, tk.FirstSolve)
		}
		token := map[string]string{"urgent": "", "high": "[P2]", "normal": "[P3]", "low": "[P4]"}[tk.FirstPriority]
		if subj := th.subjects[0]; tk.FirstPriority == "urgent" && !strings.Contains(subj, "[P1]") && !strings.Contains(subj, "URGENT") ||
			token != "" && !strings.Contains(subj, token) || tk.FirstPriority == "" && strings.Contains(subj, "[P") {
			t.Errorf("ticket %d, priority %q: subject %q", tk.ID, tk.FirstPriority, subj)
		}
	}
	for _, shape := range []string{"in both folders", "encoded subject", "no References", "iso-8859-1"} {
		if shapes[shape] == 0 {
			t.Errorf("no message shows the shape %q: %v", shape, shapes)
		}
	}
	t.Logf("%d INBOX, %d Sent, %d threads; shapes %v", len(inbox), len(sent), len(threads), shapes)
}

// TestIMAPAsOfClock: as the clock moves, messages appear after those
// already shown, whose UIDs and UIDVALIDITY never change; a reset gives
// the folder a new UIDVALIDITY and new UIDs, the same messages.
func TestIMAPAsOfClock(t *testing.T) {
	c := newClock(testStart)
	v := vendor("acme", Persona{}, 60)
	v.LiveTicketsPerHour = 6
	s := startSim(t, c, Options{Seed: 5, Vendors: []Vendor{v}})
	cl := imapDial(t, s, "acme")
	before, validity := fetchAll(t, cl, "INBOX")
	c.Set(testStart.Add(6 * time.Hour))
	after, validity2 := fetchAll(t, cl, "INBOX")
	if validity != validity2 {
		t.Errorf("UIDVALIDITY moved from %d to %d with the clock", validity, validity2)
	}
	if len(after) <= len(before) {
		t.Fatalf("%d messages at start, %d six hours later", len(before), len(after))
	}
	for k, m := range before {
		id, _ := m.h.MessageID()
		id2, _ := after[k].h.MessageID()
		if m.uid != uint32(k+1) || after[k].uid != m.uid || id != id2 {
			t.Fatalf("message %d: UID %d %s, then UID %d %s", k, m.uid, id, after[k].uid, id2)
		}
	}
	if err := s.ResetMailbox("acme", "INBOX"); err != nil {
		t.Fatal(err)
	}
	reset, validity3 := fetchAll(t, cl, "INBOX")
	if validity3 == validity2 || len(reset) != len(after) {
		t.Fatalf("after the reset: UIDVALIDITY %d (was %d), %d messages (were %d)", validity3, validity2, len(reset), len(after))
	}
	ids := map[string]uint32{}
	for _, m := range after {
		id, _ := m.h.MessageID()
		ids[id] = m.uid
	}
	moved := 0
	for _, m := range reset {
		id, _ := m.h.MessageID()
		old, ok := ids[id]
		if !ok {
			t.Fatalf("after the reset, %s is new", id)
		}
		if old != m.uid {
			moved++
		}
	}
	if moved == 0 {
		t.Error("the reset renumbered no message")
	}
	// Later mail arrives after the renumbered messages.
	c.Set(testStart.Add(12 * time.Hour))
	later, validity4 := fetchAll(t, cl, "INBOX")
	if validity4 != validity3 || len(later) <= len(reset) {
		t.Fatalf("later: UIDVALIDITY %d (want %d), %d messages (were %d)", validity4, validity3, len(later), len(reset))
	}
	for k, m := range reset {
		id, _ := m.h.MessageID()
		if id2, _ := later[k].h.MessageID(); id != id2 {
			t.Fatalf("UID %d was %s, later %s", m.uid, id, id2)
		}
	}
	// A clock set back shows the folder as it was.
	c.Set(testStart)
	if _, v := fetchAll(t, cl, "INBOX"); v != validity {
		t.Errorf("clock set back: UIDVALIDITY %d, want %d", v, validity)
	}
}

// TestIMAPReadOnly: the mailbox refuses every change.
func TestIMAPReadOnly(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 5, Vendors: []Vendor{vendor("acme", Persona{}, 10)}})
	cl := imapDial(t, s, "acme")
	if err := cl.Append("INBOX", nil, testStart, bytes.NewBufferString("Subject: x\r\n\r\nx\r\n")); err == nil {
		t.Error("APPEND succeeded")
	}
	if err := cl.Create("Archive"); err == nil {
		t.Error("CREATE succeeded")
	}
	if _, err := cl.Select("INBOX", false); err != nil {
		t.Fatal(err)
	}
	set, _ := imap.ParseSeqSet("1")
	if err := cl.Store(set, imap.FormatFlagsOp(imap.AddFlags, true), []any{imap.DeletedFlag}, nil); err == nil {
		t.Error("STORE succeeded")
	}
}

// TestIMAPFaults: each fault that applies to IMAP fails a client as the
// fault says, and the mailbox answers as usual once it ends.
func TestIMAPFaults(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 5, Vendors: []Vendor{vendor("acme", Persona{}, 20)}})
	user, pass := s.IMAPCredentials("acme")
	login := func() (*client.Client, error) {
		cl, err := imapConnect(s, "acme")
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { _ = cl.Terminate() })
		return cl, cl.Login(user, pass)
	}
	if cl, err := imapConnect(s, "acme"); err != nil {
		t.Fatal(err)
	} else if err := cl.Login(user, pass+"x"); err == nil || !strings.Contains(err.Error(), "Invalid credentials") {
		t.Errorf("a wrong password: %v", err)
	}
	for _, tc := range []struct {
		fault Fault
		want  string // in the error of the LOGIN
	}{
		{FaultUnauthorized, "Invalid credentials"},
		{FaultForbidden, "Application-specific password required"},
		{FaultRateLimit, "throttled"},
	} {
		if err := s.InjectSpec("acme", KindIMAP, Spec{Fault: tc.fault, Requests: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := login(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: login: %v, want %q", tc.fault, err, tc.want)
		}
	}
	for _, f := range []Fault{FaultReset, FaultServerError} {
		if err := s.InjectSpec("acme", KindIMAP, Spec{Fault: f, Requests: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := login(); err == nil {
			t.Errorf("%v: login succeeded", f)
		}
	}
	// A revoked credential ends a session already open, as Gmail does.
	if cl, err := login(); err != nil {
		t.Fatal(err)
	} else {
		if err := s.InjectSpec("acme", KindIMAP, Spec{Fault: FaultUnauthorized, Requests: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := cl.Select("INBOX", true); err == nil {
			t.Error("unauthorized in a session: SELECT succeeded")
		}
		if st := cl.State(); st != imap.LogoutState {
			t.Errorf("unauthorized in a session: the session is in state %v, want logged out", st)
		}
	}
	// A fault on a FETCH.
	for _, f := range []Fault{FaultHugeBody, FaultTruncated} {
		cl, err := login()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.Select("INBOX", true); err != nil {
			t.Fatal(err)
		}
		if err := s.InjectSpec("acme", KindIMAP, Spec{Fault: f, Requests: 1, Size: 1 << 20}); err != nil {
			t.Fatal(err)
		}
		section := &imap.BodySectionName{Peek: true, BodyPartName: imap.BodyPartName{Specifier: imap.HeaderSpecifier}}
		set, _ := imap.ParseSeqSet("1:3")
		ch := make(chan *imap.Message, 4)
		err = cl.UidFetch(set, []imap.FetchItem{imap.FetchUid, section.FetchItem()}, ch)
		var sizes []int
		for m := range ch {
			if l := m.GetBody(section); l != nil {
				sizes = append(sizes, l.Len())
			}
		}
		switch f {
		case FaultHugeBody:
			if err != nil || len(sizes) == 0 || sizes[0] != 1<<20 {
				t.Errorf("huge: %v, sizes %v", err, sizes)
			}
		case FaultTruncated:
			if err == nil {
				t.Errorf("truncated: the FETCH succeeded, sizes %v", sizes)
			}
		}
	}
	// Faults that have no IMAP meaning are refused.
	for _, f := range []Fault{FaultEmptyPage, FaultEndlessSame, FaultMalformed, FaultFutureTimes} {
		if err := s.InjectSpec("acme", KindIMAP, Spec{Fault: f, Requests: 1}); err == nil {
			t.Errorf("%v injected into imap", f)
		}
	}
	if _, err := login(); err != nil {
		t.Errorf("after the faults: %v", err)
	}
	if n := s.CommandCounts("acme")["LOGIN"]; n < 8 {
		t.Errorf("%d LOGIN commands counted", n)
	}
}

// TestIMAPTimeoutReleasedOnClose: a command held by FaultTimeout ends when
// the simulation closes.
func TestIMAPTimeoutReleasedOnClose(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 5, Vendors: []Vendor{vendor("acme", Persona{}, 5)}})
	cl, err := imapConnect(s, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InjectSpec("acme", KindIMAP, Spec{Fault: FaultTimeout, Requests: 1}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	user, pass := s.IMAPCredentials("acme")
	go func() { done <- cl.Login(user, pass) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("the held LOGIN returned %v", err)
	default:
	}
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the held LOGIN still waits after Close")
	}
}

// TestIMAPSourceYAML: the imap source's config names the mailbox, its
// login, the certificate and the options matching the mail.
func TestIMAPSourceYAML(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 5, Vendors: []Vendor{vendor("acme", Persona{}, 5)}})
	y := s.SourceYAML("acme", KindIMAP)
	user, pass := s.IMAPCredentials("acme")
	for _, want := range []string{"kind: imap\n", "url: \"imaps://127.0.0.1:", user, pass, "BEGIN CERTIFICATE",
		"vendor_addresses: [\"@acme.example\"]", "folders: [\"INBOX\", \"Sent\"]", "has been solved", "has been reopened", "urgent:"} {
		if !strings.Contains(y, want) {
			t.Errorf("SourceYAML lacks %q:\n%s", want, y)
		}
	}
}

// TestMailDeterministic: the same seed renders the same mail, byte for
// byte, and every Message-ID is unique.
func TestMailDeterministic(t *testing.T) {
	render := func() map[string][]byte {
		s, err := New(Options{Seed: 9, Start: testStart, Clock: func() time.Time { return testStart },
			Vendors: []Vendor{vendor("acme", Persona{AutoAcknowledges: true}, 80)}})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		w := s.worlds["acme"]
		for i := range w.ticketsBy(testStart.Unix()) {
			for _, m := range w.mailThread(i) {
				if _, dup := out[m.id]; dup {
					t.Fatalf("Message-ID %s twice", m.id)
				}
				out[m.id] = m.raw
			}
		}
		return out
	}
	a, b := render(), render()
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d and %d messages", len(a), len(b))
	}
	for id, raw := range a {
		if !bytes.Equal(raw, b[id]) {
			t.Fatalf("%s differs:\n%s\n---\n%s", id, raw, b[id])
		}
	}
}

// TestIMAPUIDRangePastTheEnd: "UID n:*" with n past the last UID answers
// the last message, as RFC 3501 says servers do (a client must not take
// it for a new one).
func TestIMAPUIDRangePastTheEnd(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 5, Vendors: []Vendor{vendor("acme", Persona{}, 10)}})
	cl := imapDial(t, s, "acme")
	st, err := cl.Select("INBOX", true)
	if err != nil {
		t.Fatal(err)
	}
	set := new(imap.SeqSet)
	set.AddRange(st.UidNext+5, 0)
	ch := make(chan *imap.Message, 4)
	if err := cl.UidFetch(set, []imap.FetchItem{imap.FetchUid}, ch); err != nil {
		t.Fatal(err)
	}
	var uids []uint32
	for m := range ch {
		uids = append(uids, m.Uid)
	}
	if len(uids) != 1 || uids[0] != st.UidNext-1 {
		t.Errorf("UID %d:* answered %v, want [%d]", st.UidNext+5, uids, st.UidNext-1)
	}
}

// xoauth2Client is the client side of XOAUTH2, for the tests.
type xoauth2Client struct{ user, token string }

func (x *xoauth2Client) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}
func (x *xoauth2Client) Next([]byte) ([]byte, error) { return []byte{}, nil }

// TestIMAPXOAUTH2: the mailbox takes its access token with XOAUTH2 and
// refuses another one as Gmail does (a JSON challenge, then NO).
func TestIMAPXOAUTH2(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 5, Vendors: []Vendor{vendor("acme", Persona{}, 5)}})
	user, _ := s.IMAPCredentials("acme")
	for _, tc := range []struct {
		token string
		ok    bool
	}{{s.IMAPToken("acme"), true}, {s.IMAPToken("acme") + "x", false}, {"", false}} {
		cl, err := imapConnect(s, "acme")
		if err != nil {
			t.Fatal(err)
		}
		err = cl.Authenticate(&xoauth2Client{user, tc.token})
		if (err == nil) != tc.ok {
			t.Errorf("token %q: %v", tc.token, err)
		}
		if err == nil {
			if _, err := cl.Select("INBOX", true); err != nil {
				t.Errorf("after XOAUTH2: %v", err)
			}
		}
		_ = cl.Terminate()
	}
	y := s.IMAPBearerSourceYAML("acme")
	for _, want := range []string{"type: Bearer", s.IMAPToken("acme"), "username: \"" + user + "\"", "BEGIN CERTIFICATE"} {
		if !strings.Contains(y, want) {
			t.Errorf("IMAPBearerSourceYAML lacks %q:\n%s", want, y)
		}
	}
}
