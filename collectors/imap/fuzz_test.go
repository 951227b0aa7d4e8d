package imap

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseHeader feeds arbitrary header blocks to the header reader: it
// must never panic, every message it reads has a ref, and a thread (the
// collector's fallback to the ref included).
func FuzzParseHeader(f *testing.F) {
	f.Add(crlf("Message-ID: <c@x.example>\nIn-Reply-To: <b@x.example>\nReferences: <a@x.example>\n <b@x.example>\n" +
		"From: \"Support, Vendor\" <help@vendor.example>\nDate: Mon, 2 Nov 2026 10:00:00 +0100\n" +
		"Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\nAuto-Submitted: auto-replied\n"))
	f.Add(crlf("From: Support, Vendor <help@vendor.example>\nSubject: =?unknown-8bit?Q?=FF?=\nDate: yesterday\n"))
	f.Add([]byte("References: <<>>\r\nMessage-ID: <>\r\n"))
	f.Fuzz(func(t *testing.T, block []byte) {
		h, err := parseHeader(block)
		if err != nil {
			return
		}
		if len(h.ref()) != 16 {
			t.Errorf("ref %q", h.ref())
		}
		if h.reply && h.thread == "" {
			t.Errorf("a reply without a thread: %+v", h)
		}
		if h.from != strings.ToLower(h.from) {
			t.Errorf("from %q not lower case", h.from)
		}
	})
}

// FuzzDecodeText feeds arbitrary part starts to the body decoder: it must
// never panic and always give valid UTF-8.
func FuzzDecodeText(f *testing.F) {
	f.Add("base64", "utf-8", true, []byte("PGh0bWw+PGJvZHk+PHA+c29sdmVkPC9wPjwvYm9keT48L2h0bWw+"))
	f.Add("quoted-printable", "iso-8859-1", false, []byte("Le probl=E8me est r=\r\n=E9solu.\r\n> quoted\r\n"))
	f.Add("8bit", "shift_jis", false, []byte{0x82, 0xa0, 0x0d, 0x0a})
	f.Add("7bit", "", true, []byte("<script>x<blockquote>y"))
	f.Fuzz(func(t *testing.T, encoding, charset string, html bool, raw []byte) {
		got := decodeText(textPart{encoding: encoding, charset: charset, html: html}, raw)
		if !utf8.ValidString(got) {
			t.Errorf("invalid UTF-8 %q", got)
		}
	})
}
