package imap_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/drill"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/internal/dovecot"
	"github.com/support-exporter/support_exporter/internal/smtptest"
)

// drillerYAML is a vendor whose drill files by mail through its mailbox.
const drillerYAML = `calendars:
  berlin: {timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: "09:00-17:00"}
vendors:
  - name: acme
    calendar: berlin
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
        http_client:
          basic_auth: {username: %[3]s, password: %[4]s}
          tls_config: {ca: %[5]q}
    drill:
      enabled: true
      source: mailbox
      subject: "[drill] API returns 503 ({{.Marker}})"
      body: "This is a scheduled support drill ({{.Marker}}): please answer as you would a real ticket."
      closing: "Thank you! This was a scheduled drill; the ticket can be closed."
`

// TestDovecotDrillerByMail runs the exporter's Driller over the imap
// creator: the submission's connection drops after the data, the next
// step finds the mail in Sent and never sends it again, the vendor's
// reply (APPENDed to INBOX) is timed from the ticket the collector
// stored, and the closing mail answers the thread once.
func TestDovecotDrillerByMail(t *testing.T) {
	srv := startDrillMailbox(t)
	sub := startSubmission(t, mailUser, mailPass, true, false)
	yaml := fmt.Sprintf(drillerYAML, srv.URL(), "smtps://"+sub.Addr, mailUser, mailPass, string(srv.CAPEM())+string(sub.CertPEM))
	cfg, err := config.Parse([]byte(yaml), "<drill_driller_test>", collectors.Kinds.Config())
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	v := cfg.Vendors[0]
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // Monday 10:00 in Berlin
	clock := func() time.Time { return now }
	env := collectortest.Env("imap", v.Tickets[0].URL, http.DefaultClient)
	env.Config, env.Vendor, env.Now = v.Tickets[0], v, clock
	creator, err := collectors.NewCreator(env)
	if err != nil {
		t.Fatal(err)
	}
	box := &mailbox{srv: srv, stored: map[string]item.Ticket{}, counts: map[string]int{}}
	env.Stored = func(id string) (*item.Ticket, error) {
		if tk, ok := box.stored[id]; ok {
			return &tk, nil
		}
		return nil, nil
	}
	box.src = collectortest.NewSource(t, collectors.New, env)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var syncedAt time.Time
	dr, err := drill.New(v, drill.Deps{
		Store: st, Creator: creator, Now: clock, Rand: rand.New(rand.NewPCG(1, 2)),
		// The stored ticket as the exporter keeps it: its first human
		// vendor reply is what quality's history records.
		Ticket: func(_, id string) (*item.Ticket, error) {
			tk, ok := box.stored[id]
			if !ok {
				return nil, nil
			}
			for _, e := range tk.Events {
				if e.Kind == item.EventVendorReply {
					tk.History = &item.TicketHistory{FirstReply: e.At}
					break
				}
			}
			return &tk, nil
		},
		SyncedAt:      func() time.Time { return syncedAt },
		IncidentsOpen: func() (uint64, bool) { return 0, true },
	})
	if err != nil {
		t.Fatal(err)
	}
	step := func() store.Drill {
		t.Helper()
		if err := dr.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
		ds, err := st.Drills("acme")
		if err != nil || len(ds) == 0 {
			t.Fatalf("drills %+v, %v", ds, err)
		}
		return ds[0] // the first drill (ids sort by moment)
	}

	d := step()
	if d.State != drill.StatePlanned {
		t.Fatalf("drill %+v, want planned", d)
	}
	moment := d.Moment
	now = moment
	sub.SetMode(smtptest.Drop)
	if d = step(); d.State != drill.StateCreating || d.Attempts != 1 {
		t.Fatalf("after the dropped submission: %+v, want creating after one attempt", d)
	}
	sub.SetMode(smtptest.Take)
	now = moment.Add(time.Minute)
	id := d.Marker + "@buyer.example"
	if d = step(); d.State != drill.StateFiled || d.TicketID != id || !d.FiledAt.Equal(moment) {
		t.Fatalf("after the look: %+v, want filed as %s at %s", d, id, moment)
	}
	now = moment.Add(20 * time.Minute) // past the search's settling time
	if d = step(); d.State != drill.StateFiled || len(sub.Received()) != 1 {
		t.Fatalf("%+v with %d mails sent; want filed, the mail sent once", d, len(sub.Received()))
	}

	replyAt := moment.Add(37 * time.Minute)
	srv.AppendAll(t, mailUser, "INBOX", dovecot.Message{Raw: vendorMailTo(id, d.Marker, replyAt), Date: replyAt.Add(15 * time.Second)})
	now = moment.Add(45 * time.Minute)
	box.sync(t)
	syncedAt = now
	if d = step(); d.State != "responded" || d.RepliedAt.Sub(d.FiledAt) != 37*time.Minute || d.Closing != "posted" {
		t.Fatalf("after the vendor's reply: %+v, want responded in 37m, the closing posted", d)
	}
	got := sub.Received()
	if len(got) != 2 {
		t.Fatalf("%d mails sent, want the drill's and the closing", len(got))
	}
	closing, err := mail.ReadMessage(bytes.NewReader(got[1].Raw))
	if err != nil || !strings.HasPrefix(closing.Header.Get("References"), "<"+id+"> ") || !strings.HasPrefix(closing.Header.Get("In-Reply-To"), "<r1.") {
		t.Errorf("the closing mail does not answer the drill's (%v): %v", err, closing.Header)
	}
	now = now.Add(time.Hour)
	if d = step(); d.State != "responded" || len(sub.Received()) != 2 {
		t.Errorf("one more step: %+v with %d mails sent, want responded and 2", d, len(sub.Received()))
	}
}

// vendorMailTo is the vendor's human reply to the drill's mail id.
func vendorMailTo(id, marker string, at time.Time) []byte {
	return []byte(fmt.Sprintf("Date: %s\r\nFrom: Jana <jana@acme.example>\r\nTo: sre@buyer.example\r\n"+
		"Subject: Re: [drill] API returns 503 (%s)\r\nMessage-ID: <r1.%s>\r\nIn-Reply-To: <%s>\r\nReferences: <%s>\r\n\r\n"+
		"We are on it.\r\n", at.Format(time.RFC1123Z), marker, id, id, id))
}
