package e2e

import (
	"bytes"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/internal/dovecot"
	"github.com/support-exporter/support_exporter/internal/smtptest"
)

// TestDrillByMail is the off-hours drill through an imap source, end to
// end: the built exporter sends the drill's mail through a loopback
// submission server whose connection drops after the data (the mail
// taken, the answer lost), finds the mail's copy in the real Dovecot's
// Sent and never sends it again, times the vendor's reply (APPENDed to
// INBOX as its mail would arrive) from the thread it stores, and answers
// in the thread once. The plan is stored before the start, as in
// drill_test.go, with the same calendar (off hours for the test's
// minutes).
func TestDrillByMail(t *testing.T) {
	srv := dovecot.Start(t, dovecot.User{Name: imapUser, Password: imapPass})
	srv.CreateFolder(t, imapUser, "Sent")
	sub := smtptest.Start(t, smtptest.Options{User: imapUser, Password: imapPass, ImplicitTLS: true})
	sub.SetMode(smtptest.Drop)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, append(srv.CAPEM(), sub.CertPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	id := "20260310T010500Z-mail"
	marker := "support-drill-" + id
	if err := st.PutDrill(drillVendor, store.Drill{ID: id, Source: "mailbox", Marker: marker, Moment: now.Add(2 * time.Second),
		State: "planned"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`global:
  poll_interval: 1s
  request_timeout: 2s
calendars:
  night:
    timezone: Europe/Berlin
    days: [%s]
    hours: "00:00-00:01"
vendors:
  - name: drillco
    calendar: night
    tickets:
      - name: mailbox
        kind: imap
        url: %s
        folders: [INBOX, Sent]
        vendor_addresses: ["@vendor.example"]
        smtp:
          url: smtps://%s
          from: sre@buyer.example
          to: support@vendor.example
          sent_folder: Sent
        http_client:
          basic_auth: {username: %s, password: %s}
          tls_config: {ca_file: %s}
    drill:
      enabled: true
      source: mailbox
      subject: "[drill] API answers 503 ({{.Marker}})"
      body: "This is a scheduled support drill ({{.Marker}}): please answer as you would a real ticket."
      closing: "%s"
`, strings.ToLower(now.In(berlin).AddDate(0, 0, 3).Weekday().String()[:3]), srv.URL(), sub.Addr, imapUser, imapPass, caFile, drillClosing)
	logs := &syncBuffer{}
	p := start(t, logs, "--config.file="+configFile(t, dir, cfg), "--storage.path="+filepath.Join(dir, "data"),
		"--drill.tick=200ms", "--drill.enabled")

	waitFor(t, 30*time.Second, "the drill's mail at the submission server", func() bool { return len(sub.Received()) == 1 })
	sub.SetMode(smtptest.Take)
	sent, err := mail.ReadMessage(bytes.NewReader(sub.Received()[0].Raw))
	if err != nil {
		t.Fatal(err)
	}
	sentAt, err := sent.Header.Date()
	if err != nil {
		t.Fatal(err)
	}
	msgID := sent.Header.Get("Message-ID")
	if msgID != "<"+marker+"@buyer.example>" {
		t.Fatalf("Message-ID %q", msgID)
	}
	// The vendor's human reply, 3 s after the mail's Date; appended once
	// that instant has passed, as the vendor's mail would arrive.
	replyAt := sentAt.Add(3 * time.Second)
	time.Sleep(time.Until(replyAt.Add(500 * time.Millisecond)))
	reply := strings.ReplaceAll(fmt.Sprintf(`Date: %s
From: Dana Whitfield <dana@vendor.example>
To: sre@buyer.example
Subject: Re: [drill] API answers 503 (%s)
Message-ID: <r1@vendor.example>
In-Reply-To: %s
References: %s

We are on it.
`, replyAt.Format(time.RFC1123Z), marker, msgID, msgID), "\n", "\r\n")
	srv.Append(t, imapUser, "INBOX", []byte(reply), nil, replyAt)

	var s series
	waitFor(t, 30*time.Second, "drill result responded", func() bool {
		s, _ = p.scrape()
		n, _ := s.get("support_drill_runs_total", "vendor", drillVendor, "result", "responded")
		return n == 1
	})
	// Worked by hand: first response = the reply's Date - the mail's Date
	// = 3 s, off hours; the last run is the mail's Date; the drill's
	// thread is one ticket, its first response the same 3 s.
	want := metricValues{
		`support_drill_runs_total result=responded`:                    1,
		`support_drill_runs_total result=timed_out`:                    0,
		`support_drill_runs_total result=create_failed`:                0,
		`support_drill_runs_total result=skipped`:                      0,
		`support_drill_first_response_seconds_count hours=off`:         1,
		`support_drill_first_response_seconds_sum hours=off`:           3,
		`support_drill_first_response_seconds_bucket hours=off le=300`: 1,
		`support_drill_last_run_timestamp_seconds`:                     float64(sentAt.Unix()),
	}
	want.check(t, s, drillVendor)
	if n := s.sum("support_tickets_created_total", "vendor", drillVendor); n != 1 {
		t.Errorf("support_tickets_created_total = %v, want the drill's thread", n)
	}
	if !strings.Contains(logs.String(), "looking for the marker before any new create") {
		t.Error("the unknown outcome is not logged")
	}

	waitFor(t, 30*time.Second, "the closing mail", func() bool { return len(sub.Received()) == 2 })
	closing, err := mail.ReadMessage(bytes.NewReader(sub.Received()[1].Raw))
	// It answers the vendor's reply, and names the drill's mail first.
	if err != nil || closing.Header.Get("In-Reply-To") != "<r1@vendor.example>" || !strings.HasPrefix(closing.Header.Get("References"), msgID+" ") {
		t.Fatalf("closing mail: %v, In-Reply-To %q, References %q", err, closing.Header.Get("In-Reply-To"), closing.Header.Get("References"))
	}
	// More steps send nothing more: the mail once, the closing once.
	time.Sleep(2 * time.Second)
	if n := len(sub.Received()); n != 2 {
		t.Errorf("the submission server took %d mails, want 2", n)
	}
	_, landing := p.get("/")
	_, metrics := p.get("/metrics")
	for what, text := range map[string]string{"log": logs.String(), "/metrics": metrics, "landing page": landing} {
		if strings.Contains(text, imapPass) {
			t.Errorf("the %s holds the password (of the mailbox and the submission server)", what)
		}
	}
}
