package imap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/support-exporter/support_exporter/collectors/source"
)

// TestComposeDrillMail: the header a helpdesk threads and files by, one
// line each whatever the template wrote, and a body that decodes back.
func TestComposeDrillMail(t *testing.T) {
	at := time.Date(2026, 3, 8, 2, 40, 0, 0, time.UTC)
	subject := "[drill] Straße kaputt\r\nBcc: attacker@evil.example"
	body := "Hello,\n\nline two " + strings.Repeat("long ", 30) + "end\r\nsupport-drill-x ✓"
	raw := compose(draftHeader{from: "sre@buyer.example", to: "support@acme.example", subject: subject, date: at,
		id: "support-drill-x@buyer.example", marker: "support-drill-x", attempt: "A1"}, body)
	for line := range strings.SplitSeq(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("a line of %d bytes", len(line))
		}
	}
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("a bare LF in the message")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	if len(h["Bcc"]) != 0 {
		t.Errorf("the subject's line break made a header: Bcc %v", h["Bcc"])
	}
	got, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || got != "[drill] Straße kaputt Bcc: attacker@evil.example" {
		t.Errorf("Subject %q (%v)", got, err)
	}
	if d, err := h.Date(); err != nil || !d.Equal(at) {
		t.Errorf("Date %v (%v), want %s", d, err, at)
	}
	want := map[string]string{"From": "sre@buyer.example", "To": "support@acme.example", "Message-ID": "<support-drill-x@buyer.example>",
		"X-Support-Drill": "support-drill-x", "X-Support-Drill-Attempt": "A1", "In-Reply-To": "", "References": "",
		"Content-Type": "text/plain; charset=utf-8", "Content-Transfer-Encoding": "quoted-printable", "Auto-Submitted": ""}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, h.Get(k), v)
		}
	}
	text, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n") + "\r\n"; string(text) != w {
		t.Errorf("body %q, want %q", text, w)
	}

	reply := compose(draftHeader{from: "sre@buyer.example", to: "support@acme.example", subject: replySubject("[drill] x"), date: at,
		id: "closing.support-drill-x@buyer.example", parent: "support-drill-x@buyer.example"}, "Thanks.")
	rm, err := mail.ReadMessage(bytes.NewReader(reply))
	if err != nil {
		t.Fatal(err)
	}
	if rm.Header.Get("In-Reply-To") != "<support-drill-x@buyer.example>" || rm.Header.Get("References") != "<support-drill-x@buyer.example>" ||
		rm.Header.Get("Subject") != "Re: [drill] x" || rm.Header.Get("X-Support-Drill") != "" {
		t.Errorf("reply header %v", rm.Header)
	}
	// The collector reads the drill's mail as the thread's first message,
	// named by its Message-ID: the id Create returns.
	hb, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	ph, err := parseHeader(hb)
	if err != nil || ph.thread != "support-drill-x@buyer.example" || ph.reply || ph.machine || !ph.date.Equal(at) {
		t.Errorf("the collector reads %+v (%v)", ph, err)
	}
}

func TestReplySubject(t *testing.T) {
	for in, want := range map[string]string{
		"[drill] API down": "Re: [drill] API down",
		"Re: API down":     "Re: API down",
		"RE:API down":      "RE:API down",
		"Fwd: API down":    "Re: Fwd: API down",
	} {
		if got := replySubject(in); got != want {
			t.Errorf("replySubject(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		in, addr string
		tls      bool
		bad      bool
	}{
		{in: "smtps://smtp.gmail.com", addr: "smtp.gmail.com:465", tls: true},
		{in: "smtp://smtp.office365.com", addr: "smtp.office365.com:587"},
		{in: "smtp://mail.buyer.example:2525/", addr: "mail.buyer.example:2525"},
		{in: "https://smtp.gmail.com", bad: true},
		{in: "smtps://user:secret@smtp.gmail.com", bad: true},
		{in: "smtps://smtp.gmail.com/path", bad: true},
		{in: "smtp.gmail.com:587", bad: true},
	} {
		got, err := parseSMTPURL(tc.in)
		switch {
		case tc.bad && err == nil:
			t.Errorf("%s: accepted as %+v", tc.in, got)
		case tc.bad && strings.Contains(err.Error(), "secret"):
			t.Errorf("%s: the error names the password: %v", tc.in, err)
		case !tc.bad && (err != nil || got.addr != tc.addr || got.implicitTLS != tc.tls):
			t.Errorf("%s: %+v, %v", tc.in, got, err)
		}
	}
}

// TestSendOutcomes: what the drill makes of each failure (source.Unknown
// and source.NotSent over source.WriteOutcome).
func TestSendOutcomes(t *testing.T) {
	reply := func(code int) error { return &gosmtp.SMTPError{Code: code, Message: "x"} }
	for _, tc := range []struct {
		name           string
		err            error
		unknown, retry bool
	}{
		{"535 at AUTH", classify("smtps://h:465", "AUTH", reply(535)), false, false},
		{"550 at RCPT", classify("smtps://h:465", "RCPT TO", reply(550)), false, false},
		{"451 after the data", classify("smtps://h:465", "end of DATA", reply(451)), false, true},
		{"421 at connect", classify("smtps://h:465", "EHLO", reply(421)), false, true},
		{"connection refused", classify("smtps://h:465", "connect", errors.New("connection refused")), false, true},
		{"no reply after the data", &sendError{step: "end of DATA", where: "smtps://h:465", unknown: true, err: io.EOF}, true, false},
	} {
		wrapped := fmt.Errorf("imap: drill mail: %w", tc.err)
		_, retry := source.NotSent(wrapped)
		if source.Unknown(wrapped) != tc.unknown || retry != tc.retry {
			t.Errorf("%s: Unknown %v, NotSent %v; want %v, %v", tc.name, source.Unknown(wrapped), retry, tc.unknown, tc.retry)
		}
	}
}

// TestComposeLongSubject: a long subject (a template's) is folded, no
// line of the mail is longer than RFC 5322's 998 characters, and the
// subject reads back whole; a word too long for a line is cut.
func TestComposeLongSubject(t *testing.T) {
	at := time.Date(2026, 3, 8, 2, 40, 0, 0, time.UTC)
	for _, tc := range []struct{ subject, want string }{
		{"[drill] " + strings.Repeat("API 502s from eu-west ", 80) + "(support-drill-x)", ""},
		{"[drill] " + strings.Repeat("Zürich 502s ", 200) + "(support-drill-x)", ""},
		{"[drill] " + strings.Repeat("x", 1500), "[drill] " + strings.Repeat("x", 996)},
	} {
		subject, want := tc.subject, tc.want
		if want == "" {
			want = subject
		}
		raw := compose(draftHeader{from: "a@b.example", to: "c@d.example", subject: subject, date: at, id: "m@b.example"}, "body")
		for i, line := range strings.Split(string(raw), "\r\n") {
			if len(line) > 998 {
				t.Fatalf("line %d is %d characters long", i, len(line))
			}
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		got, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("subject read back:\n%q\nwant\n%q", got, want)
		}
	}
}
