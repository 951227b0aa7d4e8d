package imap

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap"
	"github.com/emersion/go-imap/backend/backendutil"
	"github.com/emersion/go-message/textproto"

	"github.com/support-exporter/support_exporter/exporter/item"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParseHeaderThreading(t *testing.T) {
	for _, tc := range []struct {
		name, block    string
		id, thread     string
		reply, machine bool
	}{
		{"a root", "Message-ID: <a@x.example>\n", "a@x.example", "a@x.example", false, false},
		{"In-Reply-To only", "Message-ID: <b@x.example>\nIn-Reply-To: <a@x.example>\n", "b@x.example", "a@x.example", true, false},
		{"References first, folded", "Message-ID: <c@x.example>\nIn-Reply-To: <b@x.example>\nReferences: <a@x.example>\n <b@x.example>\n",
			"c@x.example", "a@x.example", true, false},
		{"In-Reply-To with a comment", "Message-ID: <b@x.example>\nIn-Reply-To: <a@x.example> (Ann's message of Monday)\n", "b@x.example", "a@x.example", true, false},
		{"ids without brackets", "Message-ID: b@x.example\nReferences: a@x.example\n", "b@x.example", "a@x.example", true, false},
		{"RFC 3834 auto-replied", "Message-ID: <d@x.example>\nAuto-Submitted: auto-replied\n", "d@x.example", "d@x.example", false, true},
		{"Auto-Submitted no", "Message-ID: <d@x.example>\nAuto-Submitted: no\n", "d@x.example", "d@x.example", false, false},
		{"Auto-Submitted with a parameter", "Message-ID: <d@x.example>\nAuto-Submitted: auto-generated; owner-email=\"a@b.example\"\n", "d@x.example", "d@x.example", false, true},
		{"Exchange X-Autoreply", "Message-ID: <d@x.example>\nX-Autoreply: yes\n", "d@x.example", "d@x.example", false, true},
		{"Precedence bulk", "Message-ID: <d@x.example>\nPrecedence: bulk\n", "d@x.example", "d@x.example", false, true},
		{"Precedence list is a person's", "Message-ID: <d@x.example>\nPrecedence: list\n", "d@x.example", "d@x.example", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := parseHeader(crlf(tc.block))
			if err != nil {
				t.Fatal(err)
			}
			if h.id != tc.id || h.thread != tc.thread || h.reply != tc.reply || h.machine != tc.machine {
				t.Errorf("id %q thread %q reply %v machine %v, want %q %q %v %v", h.id, h.thread, h.reply, h.machine, tc.id, tc.thread, tc.reply, tc.machine)
			}
		})
	}
}

func TestParseHeaderDecoding(t *testing.T) {
	for _, tc := range []struct{ name, field, want string }{
		{"ISO-8859-1 Q", "=?ISO-8859-1?Q?Probl=E8me_urgent?=", "Problème urgent"},
		{"windows-1252 B", "=?windows-1252?B?Q2Fm6SCWIHBhbm5l?=", "Café – panne"},
		{"ISO-2022-JP", "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=", "こんにちは"},
		{"GB2312", "=?GB2312?B?xOO6ww==?= [P1]", "你好 [P1]"},
		{"words split over folded lines", "=?UTF-8?Q?Datenbank_?=\n =?UTF-8?Q?ausgefallen?=", "Datenbank ausgefallen"},
		{"plain", "Re: [P2] Slow API", "Re: [P2] Slow API"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := parseHeader(crlf("Message-ID: <a@x.example>\nSubject: " + tc.field + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if h.subject != tc.want {
				t.Errorf("subject %q, want %q", h.subject, tc.want)
			}
		})
	}
}

func TestParseHeaderFromAndDate(t *testing.T) {
	for _, tc := range []struct {
		block, from string
		date        time.Time
	}{
		{"From: \"Support, Vendor\" <Help@Vendor.Example>\nDate: Mon, 2 Nov 2026 10:00:00 +0100\n", "help@vendor.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		// An unquoted comma in the name: net/mail refuses it, the address is still read.
		{"From: Support, Vendor <help@vendor.example>\nDate: 2 Nov 2026 09:00 GMT\n", "help@vendor.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		// RFC 5322's obsolete zone names (4.3): net/mail reads them as UTC.
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 04:00:00 EST\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 05:00:00 edt\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 03:00:00 CST\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 04:00:00 CDT\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 02:00:00 MST\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 03:00:00 MDT\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 01:00:00 PST (Pacific)\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 02:00:00 PDT\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 09:00:00 UT\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		// A military letter tells nothing: -0000.
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 09:00:00 Z\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 09:00:00 Q\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		// A numeric zone with a comment naming it is unchanged.
		{"From: ann@buyer.example\nDate: Mon, 2 Nov 2026 10:00:00 +0100 (CET)\n", "ann@buyer.example", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		// An unreadable Date: the collector takes INTERNALDATE.
		{"From: ann@buyer.example\nDate: yesterday at noon\n", "ann@buyer.example", time.Time{}},
	} {
		h, err := parseHeader(crlf(tc.block))
		if err != nil {
			t.Fatal(err)
		}
		if h.from != tc.from || !h.date.Equal(tc.date) {
			t.Errorf("%q: from %q date %v, want %q %v", tc.block, h.from, h.date, tc.from, tc.date)
		}
	}
}

func TestRefIsTheMessageID(t *testing.T) {
	a, _ := parseHeader(crlf("Message-ID: <a@x.example>\nSubject: one\n"))
	b, _ := parseHeader(crlf("Message-ID:   <a@x.example> \nSubject: another copy\n"))
	c, _ := parseHeader(crlf("Message-ID: <c@x.example>\n"))
	if a.ref() != b.ref() || a.ref() == c.ref() || len(a.ref()) != 16 {
		t.Errorf("refs %q %q %q: the same Message-ID, the same ref; another, another", a.ref(), b.ref(), c.ref())
	}
	n1, _ := parseHeader(crlf("From: a@b.example\nDate: Mon, 2 Nov 2026 10:00:00 +0000\nSubject: s\n"))
	n2, _ := parseHeader(crlf("From: a@b.example\nDate: Mon, 2 Nov 2026 10:00:01 +0000\nSubject: s\n"))
	if n1.ref() == n2.ref() || n1.thread != "" {
		t.Errorf("messages without Message-ID: refs %q %q, thread %q", n1.ref(), n2.ref(), n1.thread)
	}
}

// structure is what a server answers to BODYSTRUCTURE for raw.
func structure(t *testing.T, raw string) *goimap.BodyStructure {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(crlf(raw)))
	hdr, err := textproto.ReadHeader(br)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := backendutil.FetchBodyStructure(hdr, br, true)
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

func TestChooseText(t *testing.T) {
	const alternative = `Content-Type: multipart/alternative; boundary=alt

--alt
Content-Type: text/plain; charset=utf-8

plain
--alt
Content-Type: text/html; charset=utf-8

<p>html</p>
--alt--
`
	for _, tc := range []struct {
		name, raw, section string
		html, ok           bool
	}{
		{"single part", "Content-Type: text/plain\n\nhello\n", "TEXT", false, true},
		{"alternative: the plain part", alternative, "1", false, true},
		{"html only", "Content-Type: text/html\n\n<p>hi</p>\n", "TEXT", true, true},
		{"nested, with an attachment", `Content-Type: multipart/mixed; boundary=mix

--mix
` + alternative + `
--mix
Content-Type: text/plain; name=log.txt
Content-Disposition: attachment; filename=log.txt

log
--mix--
`, "1.1", false, true},
		{"only an attached text", `Content-Type: multipart/mixed; boundary=mix

--mix
Content-Type: text/plain
Content-Disposition: attachment; filename=a.txt

a
--mix
Content-Type: image/png

x
--mix--
`, "", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := chooseText(structure(t, tc.raw))
			if ok != tc.ok || p.section != tc.section || p.html != tc.html {
				t.Errorf("part %+v %v, want section %q html %v ok %v", p, ok, tc.section, tc.html, tc.ok)
			}
		})
	}
}

func TestDecodeText(t *testing.T) {
	html := "PGh0bWw+PGhlYWQ+PHN0eWxlPnB7fTwvc3R5bGU+PC9oZWFkPjxib2R5PjxwPllvdXIgdGlja2V0IGhhcyBiZWVuIHNvbHZlZCAmYW1wOyBjbG9zZWQuPC9wPjxibG9ja3F1b3RlPm9sZDogaGFzIGJlZW4gcmVvcGVuZWQ8L2Jsb2NrcXVvdGU+PC9ib2R5PjwvaHRtbD4="
	for _, tc := range []struct {
		name string
		part textPart
		raw  string
		want []string // substrings
		not  []string
	}{
		{"base64 HTML, cut mid-quantum", textPart{encoding: "base64", html: true}, html[:len(html)-3] + "\r\n",
			[]string{"Your ticket has been solved & closed."}, []string{"p{}", "reopened", "<"}},
		{"quoted-printable latin-1", textPart{encoding: "quoted-printable", charset: "ISO-8859-1"}, "Le probl=E8me est r=\r\n=E9solu.\r\n",
			[]string{"Le problème est résolu."}, nil},
		{"a reply quoting a solve notice", textPart{}, "Still failing for us.\r\n\r\nOn Mon, 2 Nov 2026, Helpdesk <help@vendor.example> wrote:\r\n> Your request has been solved\r\n",
			[]string{"Still failing"}, []string{"solved"}},
		{"quoted lines", textPart{}, "> has been solved\r\nWe are on it.\r\n", []string{"We are on it."}, []string{"solved"}},
		{"Outlook's quote", textPart{}, "Done.\r\n-----Original Message-----\r\nFrom: x\r\nhas been reopened\r\n", []string{"Done."}, []string{"reopened"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeText(tc.part, []byte(tc.raw))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("%q has %q", got, n)
				}
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	ev := func(k item.EventKind, m int, ref string) item.Event { return item.Event{Kind: k, At: at(m), Ref: ref} }
	tk := normalize(&item.Ticket{ID: "a", CreatedAt: at(0), Events: []item.Event{
		ev(item.EventCustomerReply, 30, "c2"),
		ev(item.EventSolved, 20, "s1"),
		ev(item.EventVendorReply, 10, "v1"),
		ev(item.EventSolved, 25, "s2"),      // solved again: no second solve
		ev(item.EventReopened, 5, "r0"),     // a reopen of an open ticket: none
		ev(item.EventReopened, 30, "c2"),    // derived before: derived again, once
		ev(item.EventVendorReply, 10, "v1"), // read twice
	}})
	want := []item.Event{ev(item.EventVendorReply, 10, "v1"), ev(item.EventSolved, 20, "s1"), ev(item.EventCustomerReply, 30, "c2"), ev(item.EventReopened, 30, "c2")}
	if len(tk.Events) != len(want) || tk.Status != item.StatusOpen || !tk.UpdatedAt.Equal(at(30)) {
		t.Fatalf("events %+v status %s updated %v, want %+v, open", tk.Events, tk.Status, tk.UpdatedAt, want)
	}
	for i := range want {
		if tk.Events[i] != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, tk.Events[i], want[i])
		}
	}
}

func TestVendorAddress(t *testing.T) {
	d, _ := parseVendorAddress("@Vendor.example")
	a, _ := parseVendorAddress("support@vendor.example")
	for _, tc := range []struct {
		v    vendorAddress
		addr string
		want bool
	}{
		{d, "bob@vendor.example", true},
		{d, "bob@eu.vendor.example", true},
		{d, "bob@notvendor.example", false},
		{d, "vendor.example@buyer.example", false},
		{a, "support@vendor.example", true},
		{a, "bob@vendor.example", false},
	} {
		if got := tc.v.matches(tc.addr); got != tc.want {
			t.Errorf("%+v matches %q: %v, want %v", tc.v, tc.addr, got, tc.want)
		}
	}
}
