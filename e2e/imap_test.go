package e2e

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/internal/dovecot"
)

// The imap kind end to end: a scripted mail history in a real Dovecot,
// the built exporter polling it, every metric worked out by hand.

const (
	imapUser = "support-inbox"
	imapPass = "imap-e2e-pw-3c81f6a9d2"
)

// mar24 is an instant of the vendor's office (CET, UTC+1) in March 2024,
// which keeps CET throughout: the script ends before the switch to summer
// time on 2024-03-31. 2024-03-04 is a Monday. The history lies long
// before any run of the test: every solve has settled and every SLA clock
// has ended whenever the exporter judges it.
func mar24(day, hour, minute int) time.Time {
	return time.Date(2024, time.March, day, hour, minute, 0, 0, berlin)
}

// mailStep is one message of the scripted history.
type mailStep struct {
	at      time.Time
	folder  string // Sent: the buyer wrote it from this mailbox; INBOX: it arrived
	from    string
	subject string
	headers string // extra header lines, each ending in CRLF
	body    string
}

const (
	buyer   = "Alex Moreau <alex.moreau@buyer.example>"
	agent   = "Dana Whitfield <dana@vendor.example>"
	desk    = "Vendor Support <support@vendor.example>"
	notices = "Vendor Status <noreply@vendor.example>"
)

// imapThread is one thread: its messages in order, each replying to the
// one before.
type imapThread struct {
	id    string // the first message's Message-ID, the ticket id
	steps []mailStep
}

// imapHistory mirrors knownHistory (ticketkinds_test.go) in mail: five
// tickets, the helpdesk's acknowledgements and an agent's vacation reply
// (no responses), and a vendor notice answered by the buyer (no ticket).
func imapHistory() []imapThread {
	return []imapThread{
		// 1. [P1] urgent, acknowledged at once by the helpdesk (no
		// response), solved by its only reply after 20 minutes.
		{id: "t1@buyer.example", steps: []mailStep{
			{at: mar24(4, 10, 0), folder: "Sent", from: buyer, subject: "[P1] Orders API down", body: "Every call fails with 502."},
			{at: mar24(4, 10, 0).Add(20 * time.Second), folder: "INBOX", from: desk, subject: "Re: [P1] Orders API down",
				headers: "Auto-Submitted: auto-replied\r\n", body: "Your request (101) has been received and is being reviewed."},
			{at: mar24(4, 10, 20), folder: "INBOX", from: agent, subject: "Re: [P1] Orders API down",
				body: "A bad deploy, rolled back. Your request (101) has been solved."},
		}},
		// 2. [P2] high, answered after 5 h (past its 4 h target); an
		// agent's vacation reply before that is no response; solved at
		// 17:30 after the buyer's answer.
		{id: "t2@buyer.example", steps: []mailStep{
			{at: mar24(4, 11, 0), folder: "Sent", from: buyer, subject: "[P2] Exports are empty", body: "The CSV export has no rows."},
			{at: mar24(4, 11, 1), folder: "INBOX", from: agent, subject: "Out of office: [P2] Exports are empty",
				headers: "X-Autoreply: yes\r\nPrecedence: auto_reply\r\n", body: "I am away until Wednesday."},
			{at: mar24(4, 16, 0), folder: "INBOX", from: agent, subject: "Re: [P2] Exports are empty", body: "Which date range do you export?"},
			{at: mar24(4, 17, 0), folder: "Sent", from: buyer, subject: "Re: [P2] Exports are empty", body: "The last 30 days."},
			{at: mar24(4, 17, 30), folder: "INBOX", from: agent, subject: "Re: [P2] Exports are empty", body: "Fixed for that range. This request has been solved."},
		}},
		// 3. [P3] normal, the buyer chases once before the first reply (a
		// follow-up); solved after 4 h.
		{id: "t3@buyer.example", steps: []mailStep{
			{at: mar24(5, 9, 30), folder: "Sent", from: buyer, subject: "[P3] Invoice address", body: "Please change our invoice address."},
			{at: mar24(5, 10, 30), folder: "Sent", from: buyer, subject: "Re: [P3] Invoice address", body: "Any news?"},
			{at: mar24(5, 11, 30), folder: "INBOX", from: agent, subject: "Re: [P3] Invoice address", body: "To which address?"},
			{at: mar24(5, 12, 30), folder: "Sent", from: buyer, subject: "Re: [P3] Invoice address", body: "1 Example Street."},
			{at: mar24(5, 13, 30), folder: "INBOX", from: agent, subject: "Re: [P3] Invoice address", body: "Done. This request has been solved."},
		}},
		// 4. [P4] low, solved by its first reply, then the buyer writes
		// again (a reopen), solved again.
		{id: "t4@buyer.example", steps: []mailStep{
			{at: mar24(5, 14, 0), folder: "Sent", from: buyer, subject: "[P4] Typo in the docs", body: "'recieve' on the API page."},
			{at: mar24(5, 15, 0), folder: "INBOX", from: agent, subject: "Re: [P4] Typo in the docs", body: "Fixed. This request has been solved."},
			{at: mar24(5, 16, 0), folder: "Sent", from: buyer, subject: "Re: [P4] Typo in the docs", body: "It is still there."},
			{at: mar24(5, 17, 0), folder: "INBOX", from: agent, subject: "Re: [P4] Typo in the docs", body: "Now fixed everywhere. This request has been solved."},
		}},
		// 5. The vendor's notice and the buyer's question about it: a
		// thread the vendor opened is no ticket.
		{id: "n5@vendor.example", steps: []mailStep{
			{at: mar24(6, 12, 0), folder: "INBOX", from: notices, subject: "Maintenance on 12 March",
				headers: "Precedence: bulk\r\n", body: "EU databases will be read-only for 5 minutes."},
			{at: mar24(6, 14, 0), folder: "INBOX", from: buyer, subject: "Re: Maintenance on 12 March", body: "Does this affect exports?"},
		}},
		// 6. [P2] high, opened Friday 23:59 (hours=off), answered Monday
		// 09:30, solved Monday 10:30.
		{id: "t6@buyer.example", steps: []mailStep{
			{at: mar24(8, 23, 59), folder: "Sent", from: buyer, subject: "[P2] Login fails", body: "SSO login fails for everyone."},
			{at: mar24(11, 9, 30), folder: "INBOX", from: agent, subject: "Re: [P2] Login fails", body: "The IdP certificate expired; renewing."},
			{at: mar24(11, 10, 30), folder: "INBOX", from: agent, subject: "Re: [P2] Login fails", body: "Renewed. This request has been solved."},
		}},
	}
}

// imapExpected are imapHistory's metrics worked out by hand (calendar
// clock; targets first_response {urgent 1h, high 4h, normal 8h, low 24h},
// resolution {urgent 24h, high 72h}), keyed as expectedMetrics's.
func imapExpected() metricValues {
	return metricValues{
		// 1 urgent, 2 and 6 high, 3 normal, 4 low; the notice is none.
		"support_tickets_created_total priority=urgent": 1,
		"support_tickets_created_total priority=high":   2,
		"support_tickets_created_total priority=normal": 1,
		"support_tickets_created_total priority=low":    1,

		// First responses (the acknowledgement and the vacation reply are
		// none): 1: 20 min; 2: 5 h; 3: 2 h; 4: 1 h; 6: Friday 23:59 to
		// Monday 09:30, 57h31m (207060 s).
		"support_ticket_first_response_seconds_count priority=urgent hours=business": 1,
		"support_ticket_first_response_seconds_sum priority=urgent hours=business":   1200,
		"support_ticket_first_response_seconds_count priority=high hours=business":   1,
		"support_ticket_first_response_seconds_sum priority=high hours=business":     18000,
		"support_ticket_first_response_seconds_count priority=high hours=off":        1,
		"support_ticket_first_response_seconds_sum priority=high hours=off":          207060,
		"support_ticket_first_response_seconds_count priority=normal hours=business": 1,
		"support_ticket_first_response_seconds_sum priority=normal hours=business":   7200,
		"support_ticket_first_response_seconds_count priority=low hours=business":    1,
		"support_ticket_first_response_seconds_sum priority=low hours=business":      3600,

		// Creation to the first solve: 1: 20 min; 2: 6h30 (23400 s) and
		// 6: 58h31m (210660 s); 3: 4 h; 4: 1 h.
		"support_ticket_resolution_seconds_count priority=urgent": 1,
		"support_ticket_resolution_seconds_sum priority=urgent":   1200,
		"support_ticket_resolution_seconds_count priority=high":   2,
		"support_ticket_resolution_seconds_sum priority=high":     23400 + 210660,
		"support_ticket_resolution_seconds_count priority=normal": 1,
		"support_ticket_resolution_seconds_sum priority=normal":   14400,
		"support_ticket_resolution_seconds_count priority=low":    1,
		"support_ticket_resolution_seconds_sum priority=low":      3600,

		// Only 1 was solved by one reply and never reopened (4 was
		// reopened); it has long stood solved for solved_settle.
		"support_tickets_resolved_first_contact_total priority=urgent": 1,
		"support_tickets_resolved_first_contact_total priority=high":   0,
		"support_tickets_resolved_first_contact_total priority=normal": 0,
		"support_tickets_resolved_first_contact_total priority=low":    0,

		// Vendor replies up to the first solve, the solving reply
		// included: 1 and 4 one each; 2, 3 and 6 two each.
		"support_ticket_vendor_replies_to_resolve_count priority=urgent": 1,
		"support_ticket_vendor_replies_to_resolve_sum priority=urgent":   1,
		"support_ticket_vendor_replies_to_resolve_count priority=high":   2,
		"support_ticket_vendor_replies_to_resolve_sum priority=high":     4,
		"support_ticket_vendor_replies_to_resolve_count priority=normal": 1,
		"support_ticket_vendor_replies_to_resolve_sum priority=normal":   2,
		"support_ticket_vendor_replies_to_resolve_count priority=low":    1,
		"support_ticket_vendor_replies_to_resolve_sum priority=low":      1,

		// 4's buyer message after the solve reopens it; 3's chase before
		// any reply is a follow-up (every other buyer message answers).
		"support_tickets_reopened_total priority=low":             1,
		"support_ticket_customer_followups_total priority=normal": 1,

		// First-response targets: 2 (5 h > 4 h) and 6 (57h31m > 4 h) are
		// breached. Resolution: none (20 min < 24 h; 6h30 and 58h31m < 72 h).
		"support_ticket_sla_checks_total priority=urgent target=first_response":   1,
		"support_ticket_sla_checks_total priority=high target=first_response":     2,
		"support_ticket_sla_checks_total priority=normal target=first_response":   1,
		"support_ticket_sla_checks_total priority=low target=first_response":      1,
		"support_ticket_sla_breaches_total priority=urgent target=first_response": 0,
		"support_ticket_sla_breaches_total priority=high target=first_response":   2,
		"support_ticket_sla_breaches_total priority=normal target=first_response": 0,
		"support_ticket_sla_breaches_total priority=low target=first_response":    0,
		"support_ticket_sla_checks_total priority=urgent target=resolution":       1,
		"support_ticket_sla_checks_total priority=high target=resolution":         2,
		"support_ticket_sla_breaches_total priority=urgent target=resolution":     0,
		"support_ticket_sla_breaches_total priority=high target=resolution":       0,
	}
}

// deliverHistory appends the threads' messages to the mailbox, each with
// Message-ID <n.id>, In-Reply-To its predecessor and References the chain.
func deliverHistory(t *testing.T, srv *dovecot.Server, threads []imapThread) {
	t.Helper()
	byFolder := map[string][]dovecot.Message{}
	for _, th := range threads {
		var ids []string
		for n, s := range th.steps {
			id := th.id
			if n > 0 {
				id = fmt.Sprintf("r%d.%s", n, th.id)
			}
			var h strings.Builder
			fmt.Fprintf(&h, "From: %s\r\nTo: support@vendor.example\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n",
				s.from, s.subject, s.at.Format(time.RFC1123Z), id)
			if len(ids) > 0 {
				fmt.Fprintf(&h, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", ids[len(ids)-1], strings.Join(ids, "> <"))
			}
			h.WriteString(s.headers)
			h.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + s.body + "\r\n")
			ids = append(ids, id)
			byFolder[s.folder] = append(byFolder[s.folder], dovecot.Message{Raw: []byte(h.String()), Date: s.at.Add(30 * time.Second)})
		}
	}
	for _, folder := range slices.Sorted(maps.Keys(byFolder)) {
		if folder != "INBOX" {
			srv.CreateFolder(t, imapUser, folder)
		}
		srv.AppendAll(t, imapUser, folder, byFolder[folder]...)
	}
}

// imapSourceConfig is a vendor reading the mailbox at srv, its password
// and CA in files.
func imapSourceConfig(t *testing.T, dir, vendor string, srv *dovecot.Server, password, folders string) string {
	t.Helper()
	pwFile := filepath.Join(dir, vendor+".password")
	caFile := filepath.Join(dir, vendor+".ca.pem")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(caFile, srv.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`  - name: %s
    calendar: office
    priorities: {urgent: [p1], high: [p2], normal: [p3], low: [p4]}
    sla:
      clock: calendar
      first_response: {urgent: 1h, high: 4h, normal: 8h, low: 24h}
      resolution: {urgent: 24h, high: 72h}
    tickets:
      - name: mailbox
        kind: imap
        url: %s
        folders: %s
        vendor_addresses: ["@vendor.example"]
        tag_patterns: {p1: '\[P1\]', p2: '\[P2\]', p3: '\[P3\]', p4: '\[P4\]'}
        solved_patterns: ['(?i)has been solved']
        http_client:
          basic_auth: {username: %s, password_file: %s}
          tls_config: {ca_file: %s}
`, vendor, srv.URL(), folders, imapUser, pwFile, caFile)
}

// TestIMAPMailbox: the exporter reads the scripted mailbox and serves the
// metrics worked out by hand, whichever folder it reads first; a third
// vendor's mailbox refuses its password: reason auth, and no password
// appears in the log, /metrics or the landing page.
func TestIMAPMailbox(t *testing.T) {
	srv := dovecot.Start(t, dovecot.User{Name: imapUser, Password: imapPass})
	deliverHistory(t, srv, imapHistory())
	// Its own server: Dovecot slows every login from an IP that failed one.
	refusing := dovecot.Start(t, dovecot.User{Name: imapUser, Password: imapPass + "-other"})

	dir := t.TempDir()
	orders := map[string]string{"inbox-first": "[INBOX, Sent]", "sent-first": "[Sent, INBOX]"}
	cfg := officeConfigHeader
	for _, name := range slices.Sorted(maps.Keys(orders)) {
		cfg += imapSourceConfig(t, dir, name, srv, imapPass, orders[name])
	}
	cfg += imapSourceConfig(t, dir, "refused", refusing, imapPass, "[INBOX]")
	cfgPath := configFile(t, dir, cfg)
	logs := &syncBuffer{}
	p := start(t, logs, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"))

	var s series
	var body string
	source := func(vendor string) []string { return []string{"vendor", vendor, "source", "mailbox", "kind", "imap"} }
	lastSync := func(vendor string) float64 {
		v, _ := s.get("support_source_last_success_timestamp_seconds", source(vendor)...)
		return v
	}
	waitFor(t, 60*time.Second, "the mailbox synced and the refused login counted", func() bool {
		s, body = p.scrape()
		auth, _ := s.get("support_source_errors_total", append(source("refused"), "reason", "auth")...)
		return s.sum("support_tickets_created_total", "vendor", "inbox-first") == 5 &&
			s.sum("support_tickets_created_total", "vendor", "sent-first") == 5 && auth > 0
	})
	// One more complete sync of each after that: every value is final.
	synced := map[string]float64{}
	for vendor := range orders {
		synced[vendor] = lastSync(vendor)
	}
	waitFor(t, 30*time.Second, "another sync of the mailbox", func() bool {
		s, body = p.scrape()
		for vendor := range orders {
			if lastSync(vendor) <= synced[vendor] {
				return false
			}
		}
		return true
	})

	for _, vendor := range slices.Sorted(maps.Keys(orders)) {
		t.Run(vendor, func(t *testing.T) {
			imapExpected().check(t, s, vendor)
			if ok := s.sum("support_source_requests_total", "vendor", vendor, "code", "OK"); ok == 0 {
				t.Error("no IMAP command counted as OK")
			}
		})
	}
	// IMAP commands are counted by their tagged answer.
	if no := s.sum("support_source_requests_total", "vendor", "refused", "code", "NO"); no == 0 {
		t.Error("the refused LOGIN was not counted as NO")
	}

	_, landing := p.get("/")
	p.term()
	for what, text := range map[string]string{"log": logs.String(), "/metrics": body, "landing page": landing} {
		for _, secret := range []string{imapPass, imapPass + "-other"} {
			if strings.Contains(text, secret) {
				t.Errorf("a password appears in the %s", what)
			}
		}
	}
	if !strings.Contains(logs.String(), "AUTHENTICATIONFAILED") || !strings.Contains(landing, "refused") {
		t.Errorf("the log or the landing page does not tell of the refused login; the check above proves little:\n%s", tail(logs.String(), 20))
	}
}
