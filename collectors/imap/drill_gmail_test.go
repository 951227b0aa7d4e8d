package imap

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/internal/smtptest"
)

// TestDrillGmailThreadID: on Gmail (X-GM-EXT-1, which saves what it sends:
// server_saves_sent) the drill's ticket is named by the saved copy's
// X-GM-THRID, the id the collector gives the thread, even when Gmail
// rewrote its From, and the closing mail answers the copy's Message-ID.
func TestDrillGmailThreadID(t *testing.T) {
	const thrid = "1784061577513526321"
	var h *harness
	sub := smtptest.Start(t, smtptest.Options{User: login, Password: password, ImplicitTLS: true, OnTake: func(m smtptest.Message) {
		raw := strings.ReplaceAll(string(m.Raw), "\r\n", "\n")
		if strings.Contains(raw, "In-Reply-To:") {
			return // the closing, saved too, but not looked at here
		}
		// Gmail rewrites a From that is none of the account's addresses.
		raw = strings.Replace(raw, "From: "+login, "From: Buyer <account@example.com>", 1)
		msg := h.ms.add("Sent", raw, t0)
		h.ms.mu.Lock()
		h.ms.thrid[msg], h.ms.msgid[msg] = thrid, thrid
		h.ms.mu.Unlock()
	}})
	opts := testOptions()
	opts.SMTP = &SMTP{URL: "smtps://" + sub.Addr, From: login, To: "support@vendor.example", SentFolder: "Sent", ServerSavesSent: true}
	h = newHarness(t, implicitTLS, opts, nil)
	h.ms.gmail = true
	h.env.Config.HTTPClient.TLSConfig.CA = h.ms.caPEM + string(sub.CertPEM)
	h.env.Now = func() time.Time { return t0 }
	c, err := NewCreator(h.env)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const marker = "support-drill-20261102T090000Z-abcd"
	filed, err := c.Create(ctx, source.Draft{Subject: "[drill] API down " + marker, Body: "Drill " + marker, Marker: marker})
	if err != nil || filed.ID != thrid || !filed.CreatedAt.Equal(t0) {
		t.Fatalf("Create = %+v, %v; want Gmail's thread %s at %s", filed, err, thrid, t0)
	}
	if n := h.ms.boxes["Sent"].next - 1; n != 1 {
		t.Errorf("Sent holds %d messages, want Gmail's copy alone (nothing APPENDed)", n)
	}
	v := h.ms.add("INBOX", rawMail("v1@vendor.example", "bob@vendor.example", rfc(20*time.Minute), "Re: [drill] API down "+marker,
		"In-Reply-To: <"+marker+"@example.com>"), delivered)
	h.ms.mu.Lock()
	h.ms.thrid[v], h.ms.msgid[v] = thrid, "1784061577513526399"
	h.ms.mu.Unlock()
	h.mustSync()
	if tk := h.ticket(thrid); !tk.CreatedAt.Equal(t0) || len(tk.Events) != 1 || !tk.Events[0].At.Equal(t0.Add(20*time.Minute)) {
		t.Errorf("ticket %+v: want created at %s, the vendor's reply 20 minutes later", tk, t0)
	}
	if err := c.Comment(ctx, thrid, "Thanks, a drill."); err != nil {
		t.Fatalf("Comment: %v", err)
	}
	got := sub.Received()
	if len(got) != 2 || !strings.Contains(string(got[1].Raw), "In-Reply-To: <v1@vendor.example>") ||
		!strings.Contains(string(got[1].Raw), "References: <"+marker+"@example.com>\r\n <v1@vendor.example>") {
		t.Errorf("%d mails; the closing: %q", len(got), got[len(got)-1].Raw)
	}
}

// TestDrillGmailDetected: on Gmail the drill never APPENDs a copy, even
// with server_saves_sent false (Gmail saves what it sends; an APPENDed
// copy would be a second message, and an EXPUNGE there archives it); a
// send whose copy Gmail never shows is known sent, and ends the drill
// rather than being sent again.
func TestDrillGmailDetected(t *testing.T) {
	confirmWait = 10 * time.Millisecond
	t.Cleanup(func() { confirmWait = 2 * time.Second })
	const thrid = "1784061577513526321"
	var h *harness
	save := true
	sub := smtptest.Start(t, smtptest.Options{User: login, Password: password, ImplicitTLS: true, OnTake: func(m smtptest.Message) {
		if !save {
			return
		}
		msg := h.ms.add("Sent", strings.ReplaceAll(string(m.Raw), "\r\n", "\n"), t0)
		h.ms.mu.Lock()
		h.ms.thrid[msg], h.ms.msgid[msg] = thrid, thrid
		h.ms.mu.Unlock()
	}})
	opts := testOptions()
	opts.SMTP = &SMTP{URL: "smtps://" + sub.Addr, From: login, To: "support@vendor.example", SentFolder: "Sent"}
	h = newHarness(t, implicitTLS, opts, nil)
	h.ms.gmail = true
	h.env.Config.HTTPClient.TLSConfig.CA = h.ms.caPEM + string(sub.CertPEM)
	h.env.Now = func() time.Time { return t0 }
	c, err := NewCreator(h.env)
	if err != nil {
		t.Fatal(err)
	}
	const marker = "support-drill-20261102T090000Z-abcd"
	draft := source.Draft{Subject: "[drill] API down " + marker, Body: "Drill " + marker, Marker: marker}
	filed, err := c.Create(context.Background(), draft)
	if err != nil || filed.ID != thrid {
		t.Fatalf("Create = %+v, %v; want Gmail's thread %s", filed, err, thrid)
	}
	if n := h.ms.boxes["Sent"].next - 1; n != 1 {
		t.Errorf("Sent holds %d messages, want Gmail's copy alone", n)
	}

	save = false
	const other = "support-drill-20261109T090000Z-ef01"
	_, err = c.Create(context.Background(), source.Draft{Subject: "[drill] " + other, Body: other, Marker: other})
	if err == nil || source.Unknown(err) {
		t.Fatalf("Create with no copy saved = %v; want a known failure", err)
	}
	if _, retry := source.NotSent(err); retry {
		t.Errorf("a mail Gmail took is to be sent again: %v", err)
	}
	if n := len(sub.Received()); n != 2 {
		t.Errorf("%d mails sent, want 2", n)
	}
}
