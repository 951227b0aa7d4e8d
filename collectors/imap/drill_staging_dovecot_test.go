package imap_test

// The drill's copy in its staging folder (docs/sources.md, "The drill by
// mail"): never a ticket before the server took the mail, never taken for
// sent when the mail is known not sent, whatever becomes of its removal.

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/internal/dovecot"
	"github.com/support-exporter/support_exporter/internal/smtptest"
)

// holdingServer accepts connections and says nothing until released
// (then hangs up): a submission server that never greets.
type holdingServer struct {
	addr     string
	accepted chan struct{}
	once     sync.Once
	release  chan struct{}
}

func startHolding(t *testing.T) *holdingServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &holdingServer{addr: l.Addr().String(), accepted: make(chan struct{}, 16), release: make(chan struct{})}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			h.accepted <- struct{}{}
			go func() { <-h.release; _ = c.Close() }()
		}
	}()
	t.Cleanup(func() { h.Release(); _ = l.Close() })
	return h
}

// Release hangs up every connection, now and later.
func (h *holdingServer) Release() { h.once.Do(func() { close(h.release) }) }

func (w *drillWorld) staged(t *testing.T) uint32 {
	t.Helper()
	return w.srv.Status(t, mailUser, "support-drill").Messages
}

// TestDovecotDrillMailSyncDuringSubmission: a sync that runs while the
// mail is being submitted stores no ticket (the copy waits in the staging
// folder, which the collector does not read); the mail known not sent
// leaves nothing; the retry half an hour later is the ticket, created at
// the retry.
func TestDovecotDrillMailSyncDuringSubmission(t *testing.T) {
	srv := startDrillMailbox(t)
	sub := startSubmission(t, mailUser, mailPass, true, false)
	hold := startHolding(t)
	w := newDrillWorld(t, srv, sub, "smtp://"+hold.addr, "")
	done := make(chan error, 1)
	go func() { _, err := w.creator.Create(context.Background(), drillDraft); done <- err }()
	<-hold.accepted // the copy is APPENDed before the submission's connection
	if got := w.box.sync(t); len(got) != 0 {
		t.Errorf("a sync during the submission stored %d tickets, want none", len(got))
	}
	hold.Release()
	err := <-done
	if err == nil || source.Unknown(err) {
		t.Fatalf("Create = %v; want a known failure", err)
	}
	if _, retry := source.NotSent(err); !retry {
		t.Errorf("a server that hung up before the greeting: not retried (%v)", err)
	}
	if n, m := w.sent(t), w.staged(t); n != 0 || m != 0 {
		t.Errorf("Sent holds %d, the staging folder %d after a mail not sent; want none", n, m)
	}
	w.box.sync(t)
	if len(w.box.stored) != 0 {
		t.Errorf("%d tickets stored for a mail never sent", len(w.box.stored))
	}

	w2 := newDrillWorld(t, srv, sub, "smtps://"+sub.Addr, "")
	w2.box = w.box
	w2.now = w.now.Add(30 * time.Minute)
	filed, err := w2.creator.Create(context.Background(), drillDraft)
	if err != nil || !filed.CreatedAt.Equal(w2.now) {
		t.Fatalf("retry Create = %+v, %v; want filed at %s", filed, err, w2.now)
	}
	if n, m := w.sent(t), w.staged(t); n != 1 || m != 0 {
		t.Errorf("after the send Sent holds %d and the staging folder %d; want 1 and 0", n, m)
	}
	replyAt := w2.now.Add(30 * time.Minute)
	srv.AppendAll(t, mailUser, "INBOX", dovecot.Message{Raw: vendorMail("r@acme.example", filed.ID, "on it", replyAt), Date: replyAt})
	w.box.sync(t)
	tk, ok := w.box.stored[filed.ID]
	if !ok || len(w.box.stored) != 1 || !tk.CreatedAt.Equal(w2.now) {
		t.Fatalf("stored %d tickets; %s: %+v; want one, created at the retry %s", len(w.box.stored), filed.ID, tk, w2.now)
	}
}

// TestDovecotDrillMailCancelled: a reload or a shutdown that ends the
// send's context while the server has not even greeted leaves a mail
// known not sent: its copy is removed under a context of its own, and
// nothing is taken for sent.
func TestDovecotDrillMailCancelled(t *testing.T) {
	srv := startDrillMailbox(t)
	sub := startSubmission(t, mailUser, mailPass, true, false)
	hold := startHolding(t)
	w := newDrillWorld(t, srv, sub, "smtp://"+hold.addr, "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := w.creator.Create(ctx, drillDraft); done <- err }()
	<-hold.accepted
	cancel()
	err := <-done
	if err == nil || source.Unknown(err) {
		t.Fatalf("Create = %v; want a known failure", err)
	}
	if n, m := w.sent(t), w.staged(t); n != 0 || m != 0 {
		t.Errorf("Sent holds %d, the staging folder %d; want the copy removed", n, m)
	}
	if all, err := w.creator.Find(context.Background(), drillMarker, w.now.Add(-15*time.Minute)); err != nil || len(all) != 0 {
		t.Errorf("Find = %+v, %v; want none", all, err)
	}
}

// TestDovecotDrillMailCleanupFails: the mailbox goes away while the mail
// is submitted, so its copy cannot be removed: the mail is still known
// not sent, and the copy left is a \Draft (which Find never takes for
// sent: TestDovecotDrillMailStagedCopies).
func TestDovecotDrillMailCleanupFails(t *testing.T) {
	srv := startDrillMailbox(t)
	sub := startSubmission(t, mailUser, mailPass, true, false)
	hold := startHolding(t)
	w := newDrillWorldTimeout(t, srv, sub, "smtp://"+hold.addr, "", 2*time.Second)
	done := make(chan error, 1)
	go func() { _, err := w.creator.Create(context.Background(), drillDraft); done <- err }()
	<-hold.accepted
	srv.Stop()
	hold.Release()
	err := <-done
	if err == nil || source.Unknown(err) {
		t.Fatalf("Create = %v; want a known failure though its copy could not be removed", err)
	}
	var flags []string
	for _, sub := range []string{"cur", "new"} {
		files, _ := filepath.Glob(filepath.Join(srv.Maildir(mailUser, "support-drill"), sub, "*"))
		for _, f := range files {
			_, info, _ := strings.Cut(filepath.Base(f), ":2,")
			flags = append(flags, info)
		}
	}
	if len(flags) != 1 || !strings.Contains(flags[0], "D") {
		t.Errorf("the staging folder's copies have flags %q; want one, a draft (D)", flags)
	}
	if files, _ := filepath.Glob(filepath.Join(srv.Maildir(mailUser, "Sent"), "*", "*")); len(files) != 0 {
		t.Errorf("Sent holds %v", files)
	}
}

// stagedCopy is a drill mail's copy as Create APPENDs it.
func stagedCopy(marker, attempt string, at time.Time) []byte {
	return []byte(strings.ReplaceAll("Date: "+at.Format(time.RFC1123Z)+"\nFrom: sre@buyer.example\nTo: support@acme.example\n"+
		"Subject: [drill] ("+marker+")\nMessage-ID: <"+marker+"@buyer.example>\nX-Support-Drill: "+marker+
		"\nX-Support-Drill-Attempt: "+attempt+"\n\nDrill.\n", "\n", "\r\n"))
}

// TestDovecotDrillMailStagedCopies: Find never takes a \Draft copy (an
// attempt known not sent) for sent; a copy whose \Draft was taken off
// (the data's end sent, the outcome unknown) is, and it is moved to Sent,
// where the collector reads the thread's first message.
func TestDovecotDrillMailStagedCopies(t *testing.T) {
	srv := startDrillMailbox(t)
	srv.CreateFolder(t, mailUser, "support-drill")
	sub := startSubmission(t, mailUser, mailPass, true, false)
	w := newDrillWorld(t, srv, sub, "smtps://"+sub.Addr, "")
	ctx := context.Background()
	srv.Append(t, mailUser, "support-drill", stagedCopy(drillMarker, "a1", w.now), []string{`\Seen`, `\Draft`}, w.now)
	if all, err := w.creator.Find(ctx, drillMarker, w.now.Add(-15*time.Minute)); err != nil || len(all) != 0 {
		t.Fatalf("Find with a draft copy = %+v, %v; want none", all, err)
	}
	srv.Append(t, mailUser, "support-drill", stagedCopy(drillMarker, "a2", w.now), []string{`\Seen`}, w.now)
	all, err := w.creator.Find(ctx, drillMarker, w.now.Add(-15*time.Minute))
	if err != nil || len(all) != 1 || all[0].ID != drillMarker+"@buyer.example" || !all[0].CreatedAt.Equal(w.now) {
		t.Fatalf("Find with a copy of unknown outcome = %+v, %v; want it", all, err)
	}
	if n := w.sent(t); n != 1 {
		t.Errorf("Sent holds %d messages; want the copy moved there", n)
	}
	got := w.box.sync(t)
	if _, ok := got[drillMarker+"@buyer.example"]; !ok || len(got) != 1 {
		t.Errorf("the sync after Find stored %v; want the drill's thread", got)
	}
	// The next attempt's Create removes the draft of the attempt known
	// not sent, and sends nothing twice itself.
	if _, err := w.creator.Create(ctx, drillDraft); err != nil {
		t.Fatal(err)
	}
	if m := w.staged(t); m != 0 {
		t.Errorf("the staging folder holds %d messages after a send; want none", m)
	}
}

// TestDovecotDrillMailSilentSTARTTLS: on smtp:// a server that never
// greets (an implicit-TLS port, say) is given the request timeout, not
// go-smtp's 5 minutes; the mail is known not sent.
func TestDovecotDrillMailSilentSTARTTLS(t *testing.T) {
	srv := startDrillMailbox(t)
	sub := startSubmission(t, mailUser, mailPass, true, false)
	hold := startHolding(t)
	w := newDrillWorldTimeout(t, srv, sub, "smtp://"+hold.addr, "", 2*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	start := time.Now()
	_, err := w.creator.Create(ctx, drillDraft)
	if took := time.Since(start); took > 30*time.Second || ctx.Err() != nil {
		t.Errorf("Create against a silent server took %v with a 2s request timeout", took)
	}
	if err == nil || source.Unknown(err) {
		t.Fatalf("Create = %v; want a known failure", err)
	}
	if _, retry := source.NotSent(err); !retry {
		t.Errorf("a greeting timed out is not retried: %v", err)
	}
}

// TestDovecotDrillMailAuthLogin: a server that offers AUTH LOGIN and no
// PLAIN (Microsoft 365) takes the mail.
func TestDovecotDrillMailAuthLogin(t *testing.T) {
	srv := startDrillMailbox(t)
	sub := smtptest.Start(t, smtptest.Options{User: mailUser, Password: mailPass, ImplicitTLS: true, LoginOnly: true})
	w := newDrillWorld(t, srv, sub, "smtps://"+sub.Addr, "")
	if _, err := w.creator.Create(context.Background(), drillDraft); err != nil {
		t.Fatalf("Create with AUTH LOGIN: %v", err)
	}
	if n := len(sub.Received()); n != 1 {
		t.Errorf("the server took %d messages, want 1", n)
	}
}

// TestDovecotDrillMailServerSavesNothing: with server_saves_sent, a
// server that saves no copy in sent_folder ends the drill (a known
// failure, never sent again) instead of leaving a thread the collector
// never reads.
func TestDovecotDrillMailServerSavesNothing(t *testing.T) {
	srv := startDrillMailbox(t)
	sub := startSubmission(t, mailUser, mailPass, true, false)
	w := newDrillWorld(t, srv, sub, "smtps://"+sub.Addr, "          server_saves_sent: true")
	_, err := w.creator.Create(context.Background(), drillDraft)
	if err == nil || source.Unknown(err) || !strings.Contains(err.Error(), "server_saves_sent") {
		t.Fatalf("Create = %v; want a known failure naming server_saves_sent", err)
	}
	if _, retry := source.NotSent(err); retry {
		t.Errorf("a mail the server took is to be sent again: %v", err)
	}
	if n := len(sub.Received()); n != 1 {
		t.Errorf("the server took %d messages, want 1", n)
	}
}

// TestDovecotDrillClosingManyDrills: the closing mail finds its drill's
// first message among more drill mails than one read holds (years of
// drills of several vendors from one mailbox).
func TestDovecotDrillClosingManyDrills(t *testing.T) {
	srv := startDrillMailbox(t)
	var old []dovecot.Message
	for i := range 250 {
		m := "support-drill-2025" + strings.Repeat("0", 4) + "T000000Z-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		old = append(old, dovecot.Message{Raw: stagedCopy(m, "x", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)), Flags: []string{`\Seen`}})
	}
	srv.WriteMaildir(t, mailUser, "Sent", old)
	sub := startSubmission(t, mailUser, mailPass, true, false)
	w := newDrillWorld(t, srv, sub, "smtps://"+sub.Addr, "")
	filed, err := w.creator.Create(context.Background(), drillDraft)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.creator.Comment(context.Background(), filed.ID, "Thanks: a drill."); err != nil {
		t.Fatalf("Comment among 250 older drill mails: %v", err)
	}
	if n := len(sub.Received()); n != 2 {
		t.Errorf("the server took %d messages, want the drill's and its closing", n)
	}
}

// TestDovecotDrillMailUntrusted: a submission server whose certificate
// is not trusted is refused (not tried every minute for two hours), and
// leaves no copy.
func TestDovecotDrillMailUntrusted(t *testing.T) {
	srv := startDrillMailbox(t)
	trusted := startSubmission(t, mailUser, mailPass, true, false)
	other := startSubmission(t, mailUser, mailPass, true, false)
	for _, url := range []string{"smtps://" + other.Addr, "smtp://" + startSubmission(t, mailUser, mailPass, false, true).Addr} {
		w := newDrillWorld(t, srv, trusted, url, "")
		_, err := w.creator.Create(context.Background(), drillDraft)
		if err == nil || source.Unknown(err) {
			t.Fatalf("Create = %v; want a known failure", err)
		}
		if _, retry := source.NotSent(err); retry {
			t.Errorf("%s: an untrusted certificate is tried again: %v", url, err)
		}
		if n, m := w.sent(t), w.staged(t); n != 0 || m != 0 {
			t.Errorf("Sent holds %d, the staging folder %d; want none", n, m)
		}
	}
}
