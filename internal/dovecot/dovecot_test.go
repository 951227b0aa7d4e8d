package dovecot

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"
)

// day is a fixed instant: the tests never read the wall clock for what
// they check.
var day = time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)

func msg(id, subject string) []byte {
	return fmt.Appendf(nil, "From: Ann <ann@example.com>\r\nTo: support@example.net\r\n"+
		"Subject: %s\r\nMessage-ID: <%s>\r\nDate: Tue, 04 Mar 2025 09:30:00 +0000\r\n\r\nbody of %s\r\n", subject, id, id)
}

// fetched is one message as the server returns it.
type fetched struct {
	uid       uint32
	messageID string
	date      time.Time
	flags     []string
	body      string
}

func fetchAll(t *testing.T, s *Server, user, folder string) (uint32, []fetched) {
	t.Helper()
	c := s.Dial(t, user)
	defer c.Logout()
	mbox, err := c.Select(folder, true)
	if err != nil {
		t.Fatal(err)
	}
	if mbox.Messages == 0 {
		return mbox.UidValidity, nil
	}
	seq := new(imap.SeqSet)
	seq.AddRange(1, 0)
	section := &imap.BodySectionName{Peek: true}
	ch := make(chan *imap.Message, 16)
	errc := make(chan error, 1)
	go func() {
		errc <- c.UidFetch(seq, []imap.FetchItem{imap.FetchUid, imap.FetchInternalDate, imap.FetchFlags, section.FetchItem()}, ch)
	}()
	var out []fetched
	for m := range ch {
		raw, err := io.ReadAll(m.GetBody(section))
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := mail.ReadMessage(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(parsed.Body)
		out = append(out, fetched{m.Uid, parsed.Header.Get("Message-Id"), m.InternalDate, m.Flags, string(body)})
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b fetched) int { return int(a.uid) - int(b.uid) })
	return mbox.UidValidity, out
}

func TestAppendReadBackAndUIDValidity(t *testing.T) {
	s := Start(t, User{"alice", "s3cret"})
	if !strings.HasPrefix(s.URL(), "imaps://127.0.0.1:") || !strings.HasSuffix(s.URL(), s.Addr()) {
		t.Fatalf("URL %q, Addr %q", s.URL(), s.Addr())
	}
	s.Append(t, "alice", "INBOX", msg("one@example.com", "first"), []string{imap.SeenFlag}, day)
	s.CreateFolder(t, "alice", "Sent")
	s.AppendAll(t, "alice", "Sent",
		Message{Raw: msg("two@example.com", "second"), Date: day.Add(time.Hour)},
		Message{Raw: msg("three@example.com", "third"), Flags: []string{imap.AnsweredFlag}, Date: day.Add(2 * time.Hour)})

	v1, inbox := fetchAll(t, s, "alice", "INBOX")
	if len(inbox) != 1 || inbox[0].messageID != "<one@example.com>" || !inbox[0].date.Equal(day) ||
		!slices.Contains(inbox[0].flags, imap.SeenFlag) || inbox[0].body != "body of one@example.com\r\n" {
		t.Fatalf("INBOX: %+v", inbox)
	}
	sv1, sent := fetchAll(t, s, "alice", "Sent")
	if len(sent) != 2 || sent[0].messageID != "<two@example.com>" || sent[1].messageID != "<three@example.com>" ||
		!sent[1].date.Equal(day.Add(2*time.Hour)) || !slices.Contains(sent[1].flags, imap.AnsweredFlag) {
		t.Fatalf("Sent: %+v", sent)
	}

	// A new UIDVALIDITY keeps the messages, renumbered.
	sv2 := s.ChangeUIDValidity(t, "alice", "Sent")
	gotV, again := fetchAll(t, s, "alice", "Sent")
	if gotV != sv2 || sv2 == sv1 {
		t.Fatalf("Sent UIDVALIDITY %d -> %d, SELECT says %d", sv1, sv2, gotV)
	}
	if len(again) != 2 || again[0].messageID != "<two@example.com>" || again[1].messageID != "<three@example.com>" {
		t.Fatalf("Sent after the change: %+v", again)
	}
	// Other folders keep theirs.
	if v, _ := fetchAll(t, s, "alice", "INBOX"); v != v1 {
		t.Fatalf("INBOX UIDVALIDITY %d -> %d", v1, v)
	}
	if v2 := s.ChangeUIDValidity(t, "alice", "INBOX"); v2 == v1 {
		t.Fatal("INBOX kept its UIDVALIDITY")
	}
	if _, again := fetchAll(t, s, "alice", "INBOX"); len(again) != 1 || again[0].messageID != "<one@example.com>" {
		t.Fatalf("INBOX after the change: %+v", again)
	}
}

func TestTLSAndAuth(t *testing.T) {
	s := Start(t, User{"alice", "s3cret"}, User{"bob", "other"})
	// The certificate verifies against CAPEM and nothing else.
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CAPEM()) {
		t.Fatal("CAPEM holds no certificate")
	}
	conn, err := tls.Dial("tcp", s.Addr(), &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatalf("TLS with CAPEM: %v", err)
	}
	conn.Close()
	if conn, err := tls.Dial("tcp", s.Addr(), &tls.Config{}); err == nil {
		conn.Close()
		t.Fatal("the system roots trust the test certificate")
	}

	// Logged in, the server offers CONDSTORE (the collector's
	// HIGHESTMODSEQ).
	c := s.Dial(t, "bob")
	if ok, _ := c.Support("CONDSTORE"); !ok {
		t.Error("no CONDSTORE after login")
	}
	c.Logout()
	// Last: after a refused login Dovecot delays the next one (see Start).
	c, err = client.DialTLS(s.Addr(), s.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout()
	err = c.Login("alice", "wrong")
	if err == nil || !strings.Contains(err.Error(), "AUTHENTICATIONFAILED") && !strings.Contains(err.Error(), "Authentication failed") {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestWriteMaildir(t *testing.T) {
	s := Start(t, User{"alice", "s3cret"})
	var msgs []Message
	for i := range 5 {
		msgs = append(msgs, Message{Raw: msg(fmt.Sprintf("m%d@example.com", i), "bulk"), Flags: []string{imap.SeenFlag}, Date: day.Add(time.Duration(i) * time.Minute)})
	}
	s.WriteMaildir(t, "alice", "INBOX", msgs[:2])
	s.WriteMaildir(t, "alice", "Archive", msgs[2:])
	_, inbox := fetchAll(t, s, "alice", "INBOX")
	_, archive := fetchAll(t, s, "alice", "Archive")
	got := append(inbox, archive...)
	if len(got) != 5 {
		t.Fatalf("read %d messages, want 5: %+v", len(got), got)
	}
	for i, m := range got {
		if want := fmt.Sprintf("<m%d@example.com>", i); m.messageID != want || !m.date.Equal(msgs[i].Date) || !slices.Contains(m.flags, imap.SeenFlag) {
			t.Errorf("message %d: %+v, want %s at %s, seen", i, m, want, msgs[i].Date)
		}
	}
	// Appending over IMAP after writing files gives the next UID.
	s.Append(t, "alice", "Archive", msg("m5@example.com", "later"), nil, day)
	if _, archive := fetchAll(t, s, "alice", "Archive"); len(archive) != 4 || archive[3].uid != 4 || archive[3].messageID != "<m5@example.com>" {
		t.Fatalf("Archive: %+v", archive)
	}
}

func TestMaildirFlags(t *testing.T) {
	if got := maildirFlags([]string{imap.SeenFlag, imap.DraftFlag, imap.AnsweredFlag, "$Custom"}); got != "DRS" {
		t.Fatalf("got %q", got)
	}
}

func TestCommands(t *testing.T) {
	s := Start(t, User{"alice", "s3cret"})
	s.Append(t, "alice", "INBOX", msg("one@example.com", "first"), nil, day)
	c := s.Dial(t, "alice")
	if _, err := c.Status("INBOX", []imap.StatusItem{imap.StatusUidNext}); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(); err != nil {
		t.Fatal(err)
	}
	want := []string{"APPEND", "LOGOUT", "STATUS", "LOGOUT"}
	if got := s.Commands(t, "alice"); !slices.Equal(got, want) {
		t.Fatalf("commands %q, want %q", got, want)
	}
	s.ResetCommands(t, "alice")
	s.Status(t, "alice", "INBOX")
	if got, want := s.Commands(t, "alice"), []string{"STATUS", "LOGOUT"}; !slices.Equal(got, want) {
		t.Fatalf("after the reset: %q, want %q", got, want)
	}
}

func TestWriteMaildirOrder(t *testing.T) {
	s := Start(t, User{"alice", "s3cret"})
	// Several calls, more than ten files each: UIDs follow the order of
	// writing, across calls and across the width of the sequence.
	for call := range 3 {
		var msgs []Message
		for i := range 12 {
			msgs = append(msgs, Message{Raw: msg(fmt.Sprintf("m%02d@example.com", call*12+i), "bulk"), Date: day})
		}
		s.WriteMaildir(t, "alice", "INBOX", msgs)
	}
	_, got := fetchAll(t, s, "alice", "INBOX")
	if len(got) != 36 {
		t.Fatalf("read %d messages, want 36", len(got))
	}
	for i, m := range got {
		if want := fmt.Sprintf("<m%02d@example.com>", i); m.uid != uint32(i+1) || m.messageID != want {
			t.Fatalf("UID %d is %s, want UID %d %s", m.uid, m.messageID, i+1, want)
		}
	}
}

func TestSTARTTLSAndNoTLS(t *testing.T) {
	s := StartWith(t, Options{STARTTLS: true}, User{"alice", "s3cret"})
	if !strings.HasPrefix(s.STARTTLSURL(), "imap://127.0.0.1:") {
		t.Fatalf("STARTTLSURL %q", s.STARTTLSURL())
	}
	c, err := client.Dial(strings.TrimPrefix(s.STARTTLSURL(), "imap://"))
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.SupportStartTLS(); !ok {
		t.Fatal("no STARTTLS offered")
	}
	if err := c.StartTLS(s.TLSConfig()); err != nil {
		t.Fatal(err)
	}
	if err := c.Login("alice", "s3cret"); err != nil {
		t.Fatal(err)
	}
	c.Logout()

	plain := StartWith(t, Options{NoTLS: true}, User{"alice", "s3cret"})
	if !strings.HasPrefix(plain.URL(), "imap://") {
		t.Fatalf("URL %q", plain.URL())
	}
	c, err = client.Dial(plain.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout()
	if ok, _ := c.SupportStartTLS(); ok {
		t.Error("a server without TLS offers STARTTLS")
	}
	if err := c.Login("alice", "s3cret"); err != nil {
		t.Fatalf("the server without TLS refuses a clear-text login: %v", err)
	}
}
