package imap

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	netmail "net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	gomessage "github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // registers the non-UTF-8 charsets of subjects and bodies
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// headerFields are the header fields read of every message: threading,
// sender, date, subject and the machine markers (docs/sources.md, `imap`).
var headerFields = []string{
	"Message-ID", "In-Reply-To", "References", "From", "Date", "Subject",
	"Auto-Submitted", "X-Autoreply", "X-Autorespond", "Precedence",
}

// header is what the collector reads of a message's header.
type header struct {
	id       string   // Message-ID without angle brackets; empty when none
	thread   string   // the root's Message-ID (References, else In-Reply-To, else id)
	links    []string // the ids it names, References then In-Reply-To (resolved in settle)
	reply    bool     // In-Reply-To or References name another message
	from     string   // the From address, lower case
	date     time.Time
	subject  string // decoded (RFC 2047, any registered charset)
	machine  bool   // RFC 3834 and the usual auto-reply headers
	fallback string // the key of a message without Message-ID: its Date, From and Subject
}

// parseHeader reads a header block (BODY[HEADER.FIELDS (...)]). A field
// that cannot be parsed is left empty: a broken Date falls back to
// INTERNALDATE, a broken From is the customer's.
func parseHeader(block []byte) (header, error) {
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(append(block, "\r\n"...))))
	if err != nil {
		return header{}, err
	}
	h := mail.Header{Header: gomessage.Header{Header: th}}
	var m header
	m.id = messageID(h.Get("Message-ID"))
	refs := messageIDs(h.Get("References"))
	parents := messageIDs(h.Get("In-Reply-To"))
	switch {
	case len(refs) > 0:
		m.thread = refs[0]
	case len(parents) > 0:
		m.thread = parents[0]
	default:
		m.thread = m.id
	}
	m.reply = m.thread != "" && m.thread != m.id
	m.links = linkIDs(refs, parents)
	if from, err := h.AddressList("From"); err == nil && len(from) > 0 {
		m.from = strings.ToLower(from[0].Address)
	} else {
		m.from = strings.ToLower(lenientAddress(h.Get("From")))
	}
	if d, err := netmail.ParseDate(obsoleteZone(h.Get("Date"))); err == nil && !d.IsZero() {
		m.date = d.UTC()
	}
	if s, err := h.Subject(); err == nil {
		m.subject = s
	} else {
		m.subject = h.Get("Subject")
	}
	m.machine = machineHeader(h)
	if m.id == "" {
		m.fallback = "no-id:" + h.Get("Date") + "\x00" + h.Get("From") + "\x00" + h.Get("Subject")
	}
	return m, nil
}

// machineHeader: RFC 3834's Auto-Submitted other than "no", and the
// headers auto-responders set without it (Exchange's X-Autoreply and
// X-Autorespond, Precedence auto_reply, bulk or junk).
func machineHeader(h mail.Header) bool {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" {
		v, _, _ = strings.Cut(v, ";")
		if strings.TrimSpace(v) != "no" {
			return true
		}
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "auto_reply", "bulk", "junk":
		return true
	}
	return false
}

// maxLinks bounds the ids of References and In-Reply-To a message keeps
// for threading: References' first (the root) and its last ones (the
// closest ancestors), then In-Reply-To's.
const maxLinks = 12

// linkIDs are the ids a message names, cloned (the header is not kept):
// References' root and latest ancestors, then In-Reply-To.
func linkIDs(refs, parents []string) []string {
	var ids []string
	if len(refs) > maxLinks-2 {
		refs = append(refs[:1:1], refs[len(refs)-(maxLinks-3):]...)
	}
	for _, id := range slices.Concat(refs, parents[:min(len(parents), 2)]) {
		if !slices.Contains(ids, id) {
			ids = append(ids, strings.Clone(id))
		}
	}
	return ids
}

// obsoleteZones are RFC 5322's obsolete zone names (section 4.3), which
// net/mail reads as UTC; a military letter is "-0000" (RFC 822 defined
// their signs backwards: they tell nothing).
var obsoleteZones = map[string]string{
	"UT": "+0000", "GMT": "+0000", "EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500",
	"MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700",
}

var obsoleteZonePattern = regexp.MustCompile(`(?i)\s(UT|GMT|[ECMP][SD]T|[A-IK-Z])\s*(\([^()]*\)\s*)?$`)

// obsoleteZone rewrites a Date's obsolete zone name as its offset.
func obsoleteZone(v string) string {
	m := obsoleteZonePattern.FindStringSubmatchIndex(v)
	if m == nil {
		return v
	}
	off, ok := obsoleteZones[strings.ToUpper(v[m[2]:m[3]])]
	if !ok {
		off = "-0000"
	}
	return v[:m[2]] + off
}

var msgIDPattern = regexp.MustCompile(`<([^<>\s]+)>`)

// messageIDs reads a list of message ids; ids written without angle
// brackets (broken mailers) are taken word by word.
func messageIDs(v string) []string {
	var ids []string
	for _, m := range msgIDPattern.FindAllStringSubmatch(v, -1) {
		ids = append(ids, m[1])
	}
	if len(ids) == 0 {
		for w := range strings.FieldsSeq(v) {
			if strings.Contains(w, "@") {
				ids = append(ids, strings.Trim(w, "<>,;"))
			}
		}
	}
	return ids
}

func messageID(v string) string {
	if ids := messageIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

var addrPattern = regexp.MustCompile(`[^\s<>"(),;:]+@[^\s<>"(),;:]+`)

// lenientAddress finds an address in a From header that net/mail refuses
// (unquoted specials in the display name are common).
func lenientAddress(v string) string { return addrPattern.FindString(v) }

// ref is what names a message in Event.Ref: a digest of its Message-ID,
// the same in every folder and after a UIDVALIDITY change.
func (m *header) ref() string {
	key := m.id
	if key == "" {
		key = m.fallback
	}
	d := sha256.Sum256([]byte(key))
	return base64.RawURLEncoding.EncodeToString(d[:12])
}
