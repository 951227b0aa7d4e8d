package imap

import (
	"bytes"
	"encoding/base64"
	"html"
	"io"
	"mime/quotedprintable"
	"regexp"
	"strconv"
	"strings"

	goimap "github.com/emersion/go-imap"
	"github.com/emersion/go-message/charset"
)

// textPart is the part of a message whose start the patterns read: its
// section (BODY[section]) and how to decode it.
type textPart struct {
	section  string // "TEXT" for a single-part message, else a part number
	encoding string
	charset  string
	html     bool
}

// chooseText picks the first text/plain part that is no attachment, else
// the first text/html one (stripped to text); ok is false for a message
// without text (docs/sources.md, `imap`).
func chooseText(bs *goimap.BodyStructure) (textPart, bool) {
	if bs == nil {
		return textPart{}, false
	}
	if !strings.EqualFold(bs.MIMEType, "multipart") {
		p, ok := textOf(bs, "TEXT")
		return p, ok
	}
	var plain, htm *textPart
	var walk func(parts []*goimap.BodyStructure, prefix string)
	walk = func(parts []*goimap.BodyStructure, prefix string) {
		for i, p := range parts {
			section := prefix + strconv.Itoa(i+1)
			if strings.EqualFold(p.MIMEType, "multipart") {
				walk(p.Parts, section+".")
				continue
			}
			t, ok := textOf(p, section)
			switch {
			case !ok:
			case !t.html && plain == nil:
				plain = &t
			case t.html && htm == nil:
				htm = &t
			}
		}
	}
	walk(bs.Parts, "")
	switch {
	case plain != nil:
		return *plain, true
	case htm != nil:
		return *htm, true
	}
	return textPart{}, false
}

func textOf(p *goimap.BodyStructure, section string) (textPart, bool) {
	if !strings.EqualFold(p.MIMEType, "text") || strings.EqualFold(p.Disposition, "attachment") {
		return textPart{}, false
	}
	sub := strings.ToLower(p.MIMESubType)
	if sub != "plain" && sub != "html" {
		return textPart{}, false
	}
	return textPart{section: section, encoding: strings.ToLower(p.Encoding), charset: p.Params["charset"], html: sub == "html"}, true
}

// decodeText turns the start of a part, as a partial FETCH returns it
// (cut anywhere), into the text the patterns read: transfer-decoded,
// converted to UTF-8, HTML stripped, quoted lines of earlier messages
// dropped.
func decodeText(p textPart, raw []byte) string {
	var b []byte
	switch p.encoding {
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, raw)
		clean = clean[:len(clean)/4*4] // a cut mid-quantum
		b, _ = io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(clean)))
	case "quoted-printable":
		b, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
	default:
		b = raw
	}
	text := string(b)
	if cs := strings.ToLower(p.charset); cs != "" && cs != "utf-8" && cs != "us-ascii" {
		if r, err := charset.Reader(cs, bytes.NewReader(b)); err == nil {
			if u, err := io.ReadAll(r); err == nil || len(u) > 0 {
				text = string(u)
			}
		}
	}
	if p.html {
		text = stripHTML(text)
	}
	return dropQuoted(strings.ToValidUTF8(text, "\uFFFD"))
}

var (
	htmlInvisible = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)\s*>`)
	htmlBreak     = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/tr|/li|/h[1-6])\b[^>]*>`)
	htmlTag       = regexp.MustCompile(`(?s)<[^>]*>`)
	htmlQuote     = regexp.MustCompile(`(?is)<blockquote\b.*?</blockquote\s*>`)
	// A partial FETCH cuts anywhere: a block left open runs to the end,
	// a tag left open ends it.
	htmlOpenBlock = regexp.MustCompile(`(?is)<(script|style|head|blockquote)\b.*$`)
	// Freshdesk's quoted history, to the end of the body.
	htmlFreshdesk = regexp.MustCompile(`(?is)<div\b[^>]*\bclass\s*=\s*["']?[^"'>]*\bfreshdesk_quote\b.*$`)
	htmlOpenTag   = regexp.MustCompile(`<[^>]*$`)
	spaces        = regexp.MustCompile(`[ \t\f\v\x{00a0}]+`)
)

// stripHTML turns an HTML body into its visible text, lines kept, quoted
// blocks (earlier messages of the thread) dropped.
func stripHTML(s string) string {
	s = htmlInvisible.ReplaceAllString(s, " ")
	s = htmlFreshdesk.ReplaceAllString(s, " ")
	s = htmlQuote.ReplaceAllString(s, " ")
	s = htmlOpenBlock.ReplaceAllString(s, " ")
	s = htmlOpenTag.ReplaceAllString(s, " ")
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	return spaces.ReplaceAllString(s, " ")
}

// replyHeader starts the quote of the previous message in a reply
// ("On Mon, 1 Jan 2026, Support <…> wrote:", Outlook's "-----Original
// Message-----" and "From: …" block).
var replyHeader = regexp.MustCompile(`(?im)^\s*(on\b.{0,200}\bwrote:|-{2,}\s*original message\s*-{2,}|_{10,}\s*$|from:\s.*\n\s*sent:\s)`)

// dropQuoted removes what a reply quotes of earlier messages: a solve
// notice quoted in the next reply is no second solve.
func dropQuoted(s string) string {
	s = dropHelpdeskHistory(s)
	if loc := replyHeader.FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	var out strings.Builder
	for line := range strings.Lines(s) {
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), ">") {
			continue
		}
		out.WriteString(line)
	}
	return out.String()
}

// zendeskMarker is Zendesk's line atop its mails; zendeskSeparator the
// line between the comments of its notification.
var (
	zendeskMarker    = regexp.MustCompile(`##-\s*Please type your reply above this line\s*-##`)
	zendeskSeparator = regexp.MustCompile(`(?m)^\s*-{10,}\s*$`)
)

// dropHelpdeskHistory cuts the history a helpdesk appends: in a reply,
// everything from Zendesk's marker on (what was written above it is the
// reply); in Zendesk's notification, which starts with the marker, all
// but the newest comment (up to the second separator line; the older
// comments follow it).
func dropHelpdeskHistory(s string) string {
	loc := zendeskMarker.FindStringIndex(s)
	if loc == nil {
		return s
	}
	if strings.TrimSpace(s[:loc[0]]) != "" {
		return s[:loc[0]]
	}
	s = s[loc[1]:]
	if seps := zendeskSeparator.FindAllStringIndex(s, 2); len(seps) == 2 {
		s = s[:seps[1][0]]
	}
	return s
}
