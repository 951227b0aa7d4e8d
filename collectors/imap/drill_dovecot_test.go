package imap_test

// The drill by mail against a real Dovecot (the buyer's mailbox) and a
// loopback submission server (internal/smtptest: go-smtp's server side,
// as a real one behaves). The server records what it took; the vendor's
// answer is APPENDed to INBOX as its mail would arrive.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
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
	"github.com/support-exporter/support_exporter/internal/smtptest"
)

// The submission server's own password when it differs from the
// mailbox's (smtp.basic_auth); a test's own, never a real one.
const smtpPass = "smtp-pw-51c0de77a2"

func startSubmission(t *testing.T, user, pass string, implicitTLS, starttls bool) *smtptest.Server {
	t.Helper()
	return smtptest.Start(t, smtptest.Options{User: user, Password: pass, ImplicitTLS: implicitTLS, STARTTLS: starttls})
}

// drillYAML is the buyer's mailbox with the drill's mail option; %[5]s is
// the smtp option's extra keys.
const drillYAML = `vendors:
  - name: acme
    tickets:
      - name: mailbox
        kind: imap
        url: %[1]s
        folders: [INBOX, Sent]
        vendor_addresses: ["@acme.example"]
        smtp:
          url: %[2]s
          from: sre@buyer.example
          to: support@acme.example
          sent_folder: Sent
%[5]s
        http_client:
          basic_auth: {username: %[3]s, password: %[4]s}
          tls_config: {ca: %[6]q}
`

// drillWorld is a mailbox, a submission server, and the creator and the
// collector built from one configuration, on a clock the test moves.
type drillWorld struct {
	srv     *dovecot.Server
	sub     *smtptest.Server
	creator source.Creator
	box     *mailbox
	now     time.Time
}

func newDrillWorld(t *testing.T, srv *dovecot.Server, sub *smtptest.Server, smtpURL, extra string) *drillWorld {
	t.Helper()
	return newDrillWorldTimeout(t, srv, sub, smtpURL, extra, 0)
}

// newDrillWorldTimeout is newDrillWorld with the request timeout given
// (zero: collectortest's).
func newDrillWorldTimeout(t *testing.T, srv *dovecot.Server, sub *smtptest.Server, smtpURL, extra string, timeout time.Duration) *drillWorld {
	t.Helper()
	ca := string(srv.CAPEM()) + string(sub.CertPEM)
	yaml := fmt.Sprintf(drillYAML, srv.URL(), smtpURL, mailUser, mailPass, extra, ca)
	cfg, err := config.Parse([]byte(yaml), "<drill_dovecot_test>", collectors.Kinds.Config())
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	w := &drillWorld{srv: srv, sub: sub, now: time.Date(2026, 3, 8, 2, 40, 0, 0, time.UTC)}
	sc := cfg.Vendors[0].Tickets[0]
	env := collectortest.Env("imap", sc.URL, http.DefaultClient)
	env.Config, env.Vendor = sc, cfg.Vendors[0]
	env.Now = func() time.Time { return w.now }
	if timeout > 0 {
		env.HTTP = fetch.New(http.DefaultClient, env.Limits, fetch.Options{Timeout: timeout})
	}
	if w.creator, err = collectors.NewCreator(env); err != nil {
		t.Fatal(err)
	}
	w.box = &mailbox{srv: srv, stored: map[string]item.Ticket{}, counts: map[string]int{}}
	env.CountRequest = func(code string) { w.box.counts[code]++ }
	env.Stored = func(id string) (*item.Ticket, error) {
		if tk, ok := w.box.stored[id]; ok {
			return &tk, nil
		}
		return nil, nil
	}
	w.box.src = collectortest.NewSource(t, collectors.New, env)
	return w
}

func (w *drillWorld) sent(t *testing.T) uint32 {
	t.Helper()
	return w.srv.Status(t, mailUser, "Sent").Messages
}

const drillMarker = "support-drill-20260308T024000Z-1a2b"

var drillDraft = source.Draft{
	Subject: "[drill] API 502s from eu-west, Zürich (" + drillMarker + ")",
	Body:    "Hello,\n\nThis is a scheduled support drill (" + drillMarker + "): please answer as you would a real ticket.\n\nThanks, the SRE team – Zürich",
	Marker:  drillMarker,
}

func startDrillMailbox(t *testing.T) *dovecot.Server {
	t.Helper()
	srv := dovecot.Start(t, dovecot.User{Name: mailUser, Password: mailPass})
	srv.CreateFolder(t, mailUser, "Sent")
	return srv
}

// TestDovecotDrillMail: the mail is sent once, its copy is in Sent, Find
// finds it under the id the collector gives the thread, the vendor's
// reply is timed from it, and the closing mail answers in the thread.
func TestDovecotDrillMail(t *testing.T) {
	srv := startDrillMailbox(t)
	sub := startSubmission(t, mailUser, mailPass, true, false)
	w := newDrillWorld(t, srv, sub, "smtps://"+sub.Addr, "")
	ctx := context.Background()
	at := w.now

	// Another vendor's drill mail from the same mailbox is not this one's.
	other := strings.ReplaceAll("Date: "+at.Add(-time.Hour).Format(time.RFC1123Z)+"\nFrom: sre@buyer.example\nTo: support@globex.example\n"+
		"Subject: [drill] support-drill-20260308T010000Z-9f9f\nMessage-ID: <support-drill-20260308T010000Z-9f9f@buyer.example>\n\nDrill.\n", "\n", "\r\n")
	srv.Append(t, mailUser, "Sent", []byte(other), []string{`\Seen`}, at.Add(-time.Hour))
	// Nor is a mail delivered to INBOX that claims to be the buyer's.
	forged := strings.ReplaceAll("Date: "+at.Add(-time.Hour).Format(time.RFC1123Z)+"\nFrom: sre@buyer.example\nTo: support@acme.example\n"+
		"Subject: [drill] support-drill-20260308T010000Z-6666\nMessage-ID: <support-drill-20260308T010000Z-6666@buyer.example>\n\nDrill.\n", "\n", "\r\n")
	srv.Append(t, mailUser, "INBOX", []byte(forged), nil, at.Add(-time.Hour))
	if got, err := w.creator.Find(ctx, "support-drill-", at.Add(-15*time.Minute)); err != nil || len(got) != 0 {
		t.Fatalf("Find before the drill = %v, %v; want none", got, err)
	}
	filed, err := w.creator.Create(ctx, drillDraft)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	id := drillMarker + "@buyer.example"
	if filed.ID != id || !filed.CreatedAt.Equal(at) {
		t.Fatalf("Create = %+v, want id %s at %s", filed, id, at)
	}
	got := sub.Received()
	if len(got) != 1 {
		t.Fatalf("the submission server took %d messages, want 1", len(got))
	}
	if got[0].From != "sre@buyer.example" || len(got[0].To) != 1 || got[0].To[0] != "support@acme.example" {
		t.Errorf("envelope from %s to %v", got[0].From, got[0].To)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].Raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if subject != drillDraft.Subject || msg.Header.Get("Message-ID") != "<"+id+">" || !strings.Contains(string(body), "Zürich") ||
		!strings.Contains(string(body), drillMarker) || msg.Header.Get("In-Reply-To") != "" {
		t.Errorf("the mail: subject %q, Message-ID %q, In-Reply-To %q, body %q", subject, msg.Header.Get("Message-ID"), msg.Header.Get("In-Reply-To"), body)
	}
	if n := w.sent(t); n != 2 {
		t.Errorf("Sent holds %d messages, want the other vendor's and the mail's copy", n)
	}
	for _, marker := range []string{drillMarker, "support-drill-"} {
		all, err := w.creator.Find(ctx, marker, at.Add(-15*time.Minute))
		if err != nil || len(all) != 1 || all[0].ID != id || !all[0].CreatedAt.Equal(at) {
			t.Errorf("Find(%q) = %+v, %v; want the mail", marker, all, err)
		}
	}

	// The vendor answers 37 minutes later (its helpdesk's acknowledgement
	// first, which is no response).
	replyAt := at.Add(37 * time.Minute)
	ack := vendorMail("ack-1@acme.example", id, "Your request has been received", at.Add(time.Minute))
	reply := vendorMail("reply-1@acme.example", id, "We are looking at the 502s now.", replyAt)
	srv.AppendAll(t, mailUser, "INBOX", dovecot.Message{Raw: ack, Date: at.Add(time.Minute)}, dovecot.Message{Raw: reply, Date: replyAt.Add(20 * time.Second)})
	tickets := w.box.sync(t)
	tk, ok := tickets[filed.ID]
	if !ok {
		t.Fatalf("no ticket %s after the sync: %v", filed.ID, tickets)
	}
	if !tk.CreatedAt.Equal(filed.CreatedAt) || len(tk.Events) != 1 || tk.Events[0].Kind != item.EventVendorReply || !tk.Events[0].At.Equal(replyAt) {
		t.Errorf("ticket = created %s, events %+v; want created %s, one vendor reply at %s", tk.CreatedAt, tk.Events, filed.CreatedAt, replyAt)
	}

	// The closing mail answers the thread, and Find still sees one drill.
	w.now = at.Add(50 * time.Minute)
	if err := w.creator.Comment(ctx, filed.ID, "Thank you! This was a scheduled drill; the ticket can be closed."); err != nil {
		t.Fatalf("Comment: %v", err)
	}
	got = sub.Received()
	if len(got) != 2 {
		t.Fatalf("the submission server took %d messages, want 2", len(got))
	}
	closing, err := mail.ReadMessage(bytes.NewReader(got[1].Raw))
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := dec.DecodeHeader(closing.Header.Get("Subject"))
	// It answers the vendor's latest reply, and names the thread's first
	// message too (a helpdesk may thread by either).
	if closing.Header.Get("In-Reply-To") != "<reply-1@acme.example>" || closing.Header.Get("References") != "<"+id+"> <reply-1@acme.example>" || cs != "Re: "+drillDraft.Subject {
		t.Errorf("closing mail: In-Reply-To %q, References %q, Subject %q", closing.Header.Get("In-Reply-To"), closing.Header.Get("References"), cs)
	}
	if n := w.sent(t); n != 3 {
		t.Errorf("Sent holds %d messages, want the other vendor's, the mail's and the closing's copies", n)
	}
	if all, err := w.creator.Find(ctx, "support-drill-", at.Add(-15*time.Minute)); err != nil || len(all) != 1 || all[0].ID != id {
		t.Errorf("Find after the closing = %+v, %v; want the drill's mail alone", all, err)
	}
	tickets = w.box.sync(t)
	tk = tickets[filed.ID]
	if n := len(tk.Events); n != 2 || tk.Events[1].Kind != item.EventCustomerReply || !tk.Events[1].At.Equal(w.now) {
		t.Errorf("ticket events after the closing: %+v; want the vendor reply, then the buyer's at %s", tk.Events, w.now)
	}
}

// vendorMail is the vendor's answer to the drill's mail.
func vendorMail(msgID, parent, text string, at time.Time) []byte {
	return []byte(strings.ReplaceAll(fmt.Sprintf(`Date: %s
From: Acme Support <support@acme.example>
To: sre@buyer.example
Subject: Re: [drill] API 502s (%s)
Message-ID: <%s>
In-Reply-To: <%s>
References: <%s>
Content-Type: text/plain; charset=utf-8

%s
`, at.Format(time.RFC1123Z), drillMarker, msgID, parent, parent, text), "\n", "\r\n"))
}

// TestDovecotDrillMailDropped: the connection drops after the data, the
// server having taken the mail: Create's outcome is unknown, and Find
// settles it from the copy in Sent, so the drill never sends it again.
func TestDovecotDrillMailDropped(t *testing.T) {
	srv := startDrillMailbox(t)
	sub := startSubmission(t, mailUser, mailPass, true, false)
	w := newDrillWorld(t, srv, sub, "smtps://"+sub.Addr, "")
	ctx := context.Background()
	sub.SetMode(smtptest.Drop)
	_, err := w.creator.Create(ctx, drillDraft)
	if err == nil || !source.Unknown(err) {
		t.Fatalf("Create = %v; want an error of unknown outcome", err)
	}
	if _, ok := source.NotSent(err); ok {
		t.Errorf("a mail whose data was sent is taken for not sent: %v", err)
	}
	all, err := w.creator.Find(ctx, drillMarker, w.now.Add(-15*time.Minute))
	if err != nil || len(all) != 1 || all[0].ID != drillMarker+"@buyer.example" || !all[0].CreatedAt.Equal(w.now) {
		t.Fatalf("Find after the dropped connection = %+v, %v; want the mail", all, err)
	}
	if n := len(sub.Received()); n != 1 {
		t.Errorf("the submission server took %d messages, want 1", n)
	}
}

// TestDovecotDrillMailRefused: a mail the server refused, deferred or
// never got leaves no copy in Sent, is known not sent (or sent again
// later only when not refused), and Find finds nothing.
func TestDovecotDrillMailRefused(t *testing.T) {
	srv := startDrillMailbox(t)
	sub := startSubmission(t, "sre@buyer.example", smtpPass, true, false)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	_ = closed.Close()
	auth := func(pw string) string {
		return fmt.Sprintf("          basic_auth: {username: sre@buyer.example, password: %s}", pw)
	}
	for _, tc := range []struct {
		name, url, extra string
		mode             smtptest.Mode
		retry            bool
	}{
		{"wrong password (535)", "smtps://" + sub.Addr, auth("wrong-" + smtpPass), smtptest.Take, false},
		{"deferred after the data (451)", "smtps://" + sub.Addr, auth(smtpPass), smtptest.Defer, true},
		{"refused after the data (554)", "smtps://" + sub.Addr, auth(smtpPass), smtptest.Refuse, false},
		{"connection refused", "smtps://" + closedAddr, auth(smtpPass), smtptest.Take, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newDrillWorld(t, srv, sub, tc.url, tc.extra)
			sub.SetMode(tc.mode)
			_, err := w.creator.Create(context.Background(), drillDraft)
			if err == nil || source.Unknown(err) {
				t.Fatalf("Create = %v; want a known failure", err)
			}
			if _, retry := source.NotSent(err); retry != tc.retry {
				t.Errorf("NotSent = %v, want %v (%v)", retry, tc.retry, err)
			}
			if strings.Contains(err.Error(), smtpPass) || strings.Contains(err.Error(), mailPass) {
				t.Errorf("the error names a password: %v", err)
			}
			if n := w.sent(t); n != 0 {
				t.Errorf("Sent holds %d messages after a mail not sent, want its copy removed", n)
			}
			if all, err := w.creator.Find(context.Background(), "support-drill-", w.now.Add(-time.Hour)); err != nil || len(all) != 0 {
				t.Errorf("Find = %+v, %v; want none", all, err)
			}
		})
	}
	if n := len(sub.Received()); n != 0 {
		t.Errorf("the submission server took %d messages, want none", n)
	}
}

// TestDovecotDrillMailSTARTTLS: smtp:// upgrades with STARTTLS before
// AUTH, with the separate smtp.basic_auth; a server without STARTTLS
// never sees the credentials.
func TestDovecotDrillMailSTARTTLS(t *testing.T) {
	srv := startDrillMailbox(t)
	extra := "          basic_auth: {username: sre@buyer.example, password: " + smtpPass + "}"
	sub := startSubmission(t, "sre@buyer.example", smtpPass, false, true)
	w := newDrillWorld(t, srv, sub, "smtp://"+sub.Addr, extra)
	if _, err := w.creator.Create(context.Background(), drillDraft); err != nil {
		t.Fatalf("Create over STARTTLS: %v", err)
	}
	if n := len(sub.Received()); n != 1 {
		t.Errorf("the submission server took %d messages, want 1", n)
	}

	plain := startSubmission(t, "sre@buyer.example", smtpPass, false, false)
	w = newDrillWorld(t, srv, plain, "smtp://"+plain.Addr, extra)
	_, err := w.creator.Create(context.Background(), drillDraft)
	if err == nil || source.Unknown(err) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("Create without STARTTLS = %v; want a known refusal naming STARTTLS", err)
	}
	if _, retry := source.NotSent(err); retry {
		t.Errorf("a server without STARTTLS is tried again later: %v", err)
	}
	if plain.AuthAttempts() != 0 || len(plain.Received()) != 0 {
		t.Errorf("the server without STARTTLS saw %d AUTH and %d messages, want none", plain.AuthAttempts(), len(plain.Received()))
	}
	if n := w.sent(t); n != 1 {
		t.Errorf("Sent holds %d messages, want only the first mail's copy", n)
	}
}
