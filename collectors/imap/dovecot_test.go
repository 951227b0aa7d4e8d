package imap_test

// The imap kind against a real Dovecot (internal/dovecot): the real-world
// message shapes of testdata/mail classified, an incremental poll, a
// caught-up poll's commands, a UIDVALIDITY change, a refused login. The
// source is built as the exporter builds it: YAML through config.Parse
// with the declared kinds, then the kind's factory. (An external test
// package: package collectors imports this one.)

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/internal/dovecot"
)

// The mailbox's login. The password is a test's own, never a real one.
const (
	mailUser = "support-inbox"
	mailPass = "imap-pw-9f2c71d04e"
)

// Thread roots of testdata/mail: the ticket ids.
const (
	threadA = "CAH7s0dqZ3yJ8v1Lk2-Yx9QmRt4pWnE5bFcUoAa1sGd6TzKq0Vw@mail.gmail.com"
	threadB = "20250304011500.3F2A1C0042@mx1.buyer.example"
	threadC = "5E3B2C1D.8F7A6B5C@buyer.example"
	threadD = "0100019564a1b2c3-4d5e6f70-8192-4a3b-9c8d-7e6f5a4b3c2d-000000@email.vendor.example"
	threadE = "1741266000.4242.e1@buyer.example"
)

// e1At is the INTERNALDATE of e1, which has no Date header: its time.
var e1At = time.Date(2025, 3, 6, 13, 0, 0, 0, time.UTC)

// deliveryDelay is how long after its Date each message reaches the
// server (its INTERNALDATE): a message's time is its Date, so nothing
// expected below is off by it.
const deliveryDelay = 47 * time.Second

// sourceYAML is the source as a user writes it: the buyer's mailbox, where
// the buyer's people write from (Sent) and the vendor's mail arrives
// (INBOX), with a folder a mail filter copies the helpdesk's mail into.
const sourceYAML = `vendors:
  - name: acme
    tickets:
      - name: mailbox
        kind: imap
        url: %s
        folders: [Sent, INBOX, Zendesk]
        vendor_addresses: ["@vendor.example"]
        tag_patterns:
          p1: '\[P1\]'
          p2: '\[P2\]'
          urgent: '(?i)urgent|紧急'
          login: 'ログイン'
          billing: 'Rechnung für März'
        solved_patterns: ['(?i)has been solved']
        reopened_patterns: ['(?i)has been reopened']
        http_client:
          basic_auth: {username: %s, password: %s}
          tls_config: {ca: %q}
`

// mailbox is a Dovecot with the buyer's mailbox, and the source reading
// it with what the exporter would have stored.
type mailbox struct {
	srv    *dovecot.Server
	src    source.Source
	cursor []byte
	stored map[string]item.Ticket
	counts map[string]int // commands by tagged answer (CountRequest)
}

func newMailbox(t *testing.T, srv *dovecot.Server, password string) *mailbox {
	t.Helper()
	return newMailboxAt(t, srv, srv.URL(), password)
}

// newMailboxAt reads srv's mailbox at url (its STARTTLS listener, say).
func newMailboxAt(t *testing.T, srv *dovecot.Server, url, password string) *mailbox {
	t.Helper()
	yaml := fmt.Sprintf(sourceYAML, url, mailUser, password, srv.CAPEM())
	cfg, err := config.Parse([]byte(yaml), "<dovecot_test>", collectors.Kinds.Config())
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	m := &mailbox{srv: srv, stored: map[string]item.Ticket{}, counts: map[string]int{}}
	sc := cfg.Vendors[0].Tickets[0]
	env := collectortest.Env("imap", sc.URL, http.DefaultClient)
	env.Config, env.Vendor = sc, cfg.Vendors[0]
	env.CountRequest = func(code string) { m.counts[code]++ }
	env.Stored = func(id string) (*item.Ticket, error) {
		if tk, ok := m.stored[id]; ok {
			return &tk, nil
		}
		return nil, nil
	}
	m.src = collectortest.NewSource(t, collectors.New, env)
	return m
}

// sync runs one sync and returns the tickets it emitted (last version of
// each). Each batch is stored as it is emitted, as the exporter's store
// does.
func (m *mailbox) sync(t *testing.T) map[string]item.Ticket {
	t.Helper()
	clear(m.counts)
	got := map[string]item.Ticket{}
	emit := func(b item.Batch) error {
		for _, tk := range b.Tickets {
			got[tk.ID] = tk
			m.stored[tk.ID] = tk
		}
		if b.Cursor != nil {
			m.cursor = b.Cursor
		}
		return nil
	}
	if err := m.src.Sync(context.Background(), m.cursor, emit); err != nil {
		t.Fatalf("sync: %v\ndovecot log:\n%s", err, m.srv.Log())
	}
	return got
}

// commandsCounted is the number of commands CountRequest saw.
func (m *mailbox) commandsCounted() int {
	n := 0
	for _, c := range m.counts {
		n += c
	}
	return n
}

// eml reads testdata/mail/name with CRLF line ends, as a client APPENDs.
func eml(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "mail", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

// delivered is file as the server received it: INTERNALDATE its Date plus
// deliveryDelay, or e1At when it has no Date.
func delivered(t testing.TB, name string) dovecot.Message {
	t.Helper()
	raw := eml(t, name)
	at := e1At
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if d, err := msg.Header.Date(); err == nil {
		at = d.Add(deliveryDelay)
	}
	return dovecot.Message{Raw: raw, Date: at, Flags: []string{`\Seen`}}
}

func deliver(t testing.TB, srv *dovecot.Server, folder string, names ...string) {
	t.Helper()
	var msgs []dovecot.Message
	for _, n := range names {
		msgs = append(msgs, delivered(t, n))
	}
	srv.AppendAll(t, mailUser, folder, msgs...)
}

// fill puts testdata/mail in the mailbox: the buyer's messages in Sent,
// the vendor's in INBOX, copies of the helpdesk's in Zendesk. The
// customer's answer to the vendor's notice (d2) came from a colleague's
// own mailbox with this one in CC: INBOX, after the notice (the same
// answer in Sent is TestDovecotNoticeAnsweredFromSent).
func fill(t *testing.T, srv *dovecot.Server) {
	t.Helper()
	srv.CreateFolder(t, mailUser, "Sent")
	srv.CreateFolder(t, mailUser, "Zendesk")
	deliver(t, srv, "Sent", "a1-gmail-customer-opens.eml", "b1-iso2022jp-customer.eml", "c1-gb2312-customer.eml",
		"a4-outlook-customer-reply.eml", "e1-no-date-qp-subject.eml",
		"a6-gmail-customer-reopens.eml")
	deliver(t, srv, "INBOX", "a2-zendesk-acknowledgement.eml", "b2-freshdesk-auto-replied.eml", "c2-vacation-x-autoreply.eml",
		"a3-zendesk-agent-reply.eml", "b3-html-only-vendor-reply.eml", "c3-vendor-reply-in-reply-to-only.eml",
		"a5-zendesk-agent-solves.eml", "d1-vendor-notice-bulk.eml", "d2-customer-replies-to-notice.eml")
	deliver(t, srv, "Zendesk", "a2-zendesk-acknowledgement.eml", "a3-zendesk-agent-reply.eml", "a5-zendesk-agent-solves.eml")
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// wantTicket is a ticket as a careful reader of the mailbox would write it
// down: every time below is a Date header of testdata/mail, in UTC.
type wantTicket struct {
	created time.Time
	status  item.Status
	tags    []string
	events  []item.EventKind
	at      []time.Time
}

func realWorld() map[string]wantTicket {
	return map[string]wantTicket{
		// Gmail opens, Zendesk acknowledges (body pattern, no response),
		// an agent replies, Outlook answers, the agent solves (a reply
		// that solves), Gmail writes again after the solve: a reopen.
		threadA: {
			created: utc("2025-03-03T08:02:11Z"), status: item.StatusOpen, tags: []string{"p1"},
			events: []item.EventKind{item.EventVendorReply, item.EventCustomerReply, item.EventVendorReply, item.EventSolved,
				item.EventCustomerReply, item.EventReopened},
			at: []time.Time{utc("2025-03-03T09:17:05Z"), utc("2025-03-03T11:05:42Z"), utc("2025-03-03T14:31:58Z"),
				utc("2025-03-03T14:31:58Z"), utc("2025-03-04T07:45:19Z"), utc("2025-03-04T07:45:19Z")},
		},
		// ISO-2022-JP subject decoded (p2, login); the RFC 3834
		// auto-reply is no response; the HTML-only agent reply is one.
		threadB: {
			created: utc("2025-03-04T01:15:00Z"), status: item.StatusOpen, tags: []string{"login", "p2"},
			events: []item.EventKind{item.EventVendorReply}, at: []time.Time{utc("2025-03-04T04:02:10Z")},
		},
		// GB2312 subject decoded (urgent); X-Autoreply is no response;
		// a reply with In-Reply-To and no References joins the thread.
		threadC: {
			created: utc("2025-03-05T08:20:00Z"), status: item.StatusOpen, tags: []string{"urgent"},
			events: []item.EventKind{item.EventVendorReply}, at: []time.Time{utc("2025-03-05T09:41:07Z")},
		},
		// No Date: INTERNALDATE is the time; a Q-encoded subject decoded.
		threadE: {created: e1At, status: item.StatusOpen, tags: []string{"billing"}},
	}
}

func checkTickets(t *testing.T, got map[string]item.Ticket, want map[string]wantTicket) {
	t.Helper()
	for _, id := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[id]; !ok {
			t.Errorf("unexpected ticket %s: %+v", id, got[id])
		}
	}
	for id, w := range want {
		tk, ok := got[id]
		if !ok {
			t.Errorf("no ticket %s", id)
			continue
		}
		if !tk.CreatedAt.Equal(w.created) || tk.Status != w.status || !slices.Equal(tk.Tags, w.tags) {
			t.Errorf("ticket %s: created %s, status %s, tags %q; want %s, %s, %q", id, tk.CreatedAt.UTC(), tk.Status, tk.Tags, w.created, w.status, w.tags)
		}
		var kinds []item.EventKind
		var at []time.Time
		for _, e := range tk.Events {
			kinds, at = append(kinds, e.Kind), append(at, e.At.UTC())
		}
		if !slices.Equal(kinds, w.events) || !slices.EqualFunc(at, w.at, time.Time.Equal) {
			t.Errorf("ticket %s events:\n got %v at %v\nwant %v at %v", id, kinds, at, w.events, w.at)
		}
	}
}

func TestDovecotRealWorldMail(t *testing.T) {
	srv := dovecot.Start(t, dovecot.User{Name: mailUser, Password: mailPass})
	fill(t, srv)
	m := newMailbox(t, srv, mailPass)

	// The first sync reads everything: the vendor's notice (thread D) and
	// the customer's answer to it are no ticket; the helpdesk's copies in
	// Zendesk count once.
	got := m.sync(t)
	checkTickets(t, got, realWorld())
	if _, ok := got[threadD]; ok {
		t.Errorf("the vendor's notice made a ticket")
	}
	for _, tk := range got {
		refs := map[string]bool{}
		for _, e := range tk.Events {
			key := string(e.Kind) + e.Ref
			if e.Ref == "" || refs[key] {
				t.Errorf("ticket %s: event %s at %s without a Ref or twice", tk.ID, e.Kind, e.At)
			}
			refs[key] = true
		}
	}

	// Caught up: one STATUS per folder after login, then LOGOUT, as the
	// server recorded them; CountRequest saw the login too.
	srv.ResetCommands(t, mailUser)
	if got := m.sync(t); len(got) != 0 {
		t.Errorf("a caught-up poll emitted %d tickets", len(got))
	}
	wantCmds := []string{"STATUS", "STATUS", "STATUS", "LOGOUT"}
	if cmds := srv.Commands(t, mailUser); !slices.Equal(cmds, wantCmds) {
		t.Errorf("caught-up poll: the server saw %q, want %q", cmds, wantCmds)
	}
	if n := m.commandsCounted(); n != 1+len(wantCmds) || m.counts["OK"] != n {
		t.Errorf("caught-up poll: counted %v, want %d commands, all OK (LOGIN + the server's)", m.counts, 1+len(wantCmds))
	}
	t.Logf("caught-up poll: %d commands counted (%v); after login the server saw %q", m.commandsCounted(), m.counts, srv.Commands(t, mailUser))

	// Incremental: the vendor solves thread C a day later; only INBOX is
	// read again, only the new message.
	solve := "From: Tom Becker <tom.becker@vendor.example>\r\nTo: wang.lei@buyer.example\r\n" +
		"Subject: Re: Database timeouts\r\nDate: Thu, 6 Mar 2025 10:00:00 +0100\r\n" +
		"Message-ID: <c4-solve@vendor.example>\r\nIn-Reply-To: <000001db8d2a$4f1c2e30$ed548a90$@vendor.example>\r\n" +
		"References: <" + threadC + "> <000001db8d2a$4f1c2e30$ed548a90$@vendor.example>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nNo timeouts for 24 hours. Your request has been solved.\r\n"
	srv.Append(t, mailUser, "INBOX", []byte(solve), nil, utc("2025-03-06T09:00:40Z"))
	srv.ResetCommands(t, mailUser)
	got = m.sync(t)
	want := realWorld()
	c := want[threadC]
	c.status = item.StatusSolved
	c.events = append(c.events, item.EventVendorReply, item.EventSolved)
	c.at = append(c.at, utc("2025-03-06T09:00:00Z"), utc("2025-03-06T09:00:00Z"))
	want[threadC] = c
	checkTickets(t, got, map[string]wantTicket{threadC: c})
	// Its subject settles no pattern: the body is fetched for the solve.
	wantInc := []string{"STATUS", "STATUS", "EXAMINE", "UID FETCH", "UID FETCH", "STATUS", "LOGOUT"}
	if cmds := srv.Commands(t, mailUser); !slices.Equal(cmds, wantInc) {
		t.Errorf("incremental poll: the server saw %q, want %q (INBOX: headers, then the body)", cmds, wantInc)
	}

	// A new UIDVALIDITY: INBOX is read again from its start, and every
	// message it holds was read before: nothing changes.
	old := srv.Status(t, mailUser, "INBOX").UidValidity
	if now := srv.ChangeUIDValidity(t, mailUser, "INBOX"); now == old {
		t.Fatal("UIDVALIDITY did not change")
	}
	srv.ResetCommands(t, mailUser)
	before := cloneTickets(m.stored)
	got = m.sync(t)
	for id, tk := range got {
		if !sameTicket(tk, before[id]) {
			t.Errorf("after the UIDVALIDITY change ticket %s changed:\n got %+v\nwas %+v", id, tk, before[id])
		}
	}
	checkTickets(t, m.stored, want)
	if n := countOf(srv.Commands(t, mailUser), "UID FETCH"); n < 1 {
		t.Errorf("after the UIDVALIDITY change INBOX was not read again: %q", srv.Commands(t, mailUser))
	}
	// And the poll after that is caught up again.
	srv.ResetCommands(t, mailUser)
	m.sync(t)
	if cmds := srv.Commands(t, mailUser); !slices.Equal(cmds, wantCmds) {
		t.Errorf("the poll after the resync: %q, want %q", cmds, wantCmds)
	}
}

// TestDovecotNoticeAnsweredFromSent: the vendor's notice (INBOX) opens a
// thread, the buyer answers it from this mailbox (Sent). With
// tickets_opened_by customer that thread is no ticket, whatever the order
// of the folders.
func TestDovecotNoticeAnsweredFromSent(t *testing.T) {
	srv := dovecot.Start(t, dovecot.User{Name: mailUser, Password: mailPass})
	srv.CreateFolder(t, mailUser, "Sent")
	srv.CreateFolder(t, mailUser, "Zendesk")
	deliver(t, srv, "INBOX", "d1-vendor-notice-bulk.eml")
	deliver(t, srv, "Sent", "d2-customer-replies-to-notice.eml")
	m := newMailbox(t, srv, mailPass)
	if got := m.sync(t); len(got) != 0 {
		t.Errorf("tickets %v, want none", slices.Collect(maps.Keys(got)))
	}
}

func TestDovecotWrongPassword(t *testing.T) {
	// A server of its own: Dovecot delays the next login from the same IP
	// after a refused one.
	srv := dovecot.Start(t, dovecot.User{Name: mailUser, Password: mailPass})
	m := newMailbox(t, srv, "not-"+mailPass)
	err := m.src.Sync(context.Background(), nil, (&collectortest.Recorder{}).Emit)
	if err == nil {
		t.Fatal("a wrong password synced")
	}
	if r := fetch.Reason(err); r != fetch.ReasonAuth {
		t.Errorf("reason %q, want %q (error: %v)", r, fetch.ReasonAuth, err)
	}
	if strings.Contains(err.Error(), mailPass) {
		t.Errorf("the error holds the password: %v", err)
	}
	if m.counts["NO"] != 1 {
		t.Errorf("counted %v, want the refused LOGIN as one NO", m.counts)
	}
}

// TestDovecotSTARTTLS: imap:// logs in after STARTTLS and reads the same
// tickets; a server that offers no STARTTLS never sees the password.
func TestDovecotSTARTTLS(t *testing.T) {
	srv := dovecot.StartWith(t, dovecot.Options{STARTTLS: true}, dovecot.User{Name: mailUser, Password: mailPass})
	fill(t, srv)
	m := newMailboxAt(t, srv, srv.STARTTLSURL(), mailPass)
	checkTickets(t, m.sync(t), realWorld())

	plain := dovecot.StartWith(t, dovecot.Options{NoTLS: true}, dovecot.User{Name: mailUser, Password: mailPass})
	m = newMailbox(t, plain, mailPass)
	err := m.src.Sync(context.Background(), nil, (&collectortest.Recorder{}).Emit)
	if err == nil {
		t.Fatal("synced from a server without TLS")
	}
	if r := fetch.Reason(err); r != fetch.ReasonNetwork {
		t.Errorf("reason %q, want %q (error: %v)", r, fetch.ReasonNetwork, err)
	}
	if !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("the error does not say what is missing: %v", err)
	}
	// Dovecot logs every login attempt, and each session's commands.
	if log := plain.Log(); strings.Contains(log, "Login: user=") || strings.Contains(log, "auth failed") {
		t.Errorf("the server without TLS saw a login:\n%s", log)
	}
	if cmds := plain.Commands(t, mailUser); len(cmds) != 0 {
		t.Errorf("a session ran on the server without TLS: %q", cmds)
	}
}

func countOf(cmds []string, name string) int {
	n := 0
	for _, c := range cmds {
		if c == name {
			n++
		}
	}
	return n
}

func cloneTickets(m map[string]item.Ticket) map[string]item.Ticket {
	out := make(map[string]item.Ticket, len(m))
	for k, v := range m {
		v.Events = slices.Clone(v.Events)
		v.Tags = slices.Clone(v.Tags)
		out[k] = v
	}
	return out
}

func sameTicket(a, b item.Ticket) bool {
	return a.ID == b.ID && a.CreatedAt.Equal(b.CreatedAt) && a.Status == b.Status && slices.Equal(a.Tags, b.Tags) &&
		slices.EqualFunc(a.Events, b.Events, func(x, y item.Event) bool { return x.Kind == y.Kind && x.At.Equal(y.At) && x.Ref == y.Ref })
}
