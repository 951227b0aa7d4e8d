package item

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTitleBytes caps a stored title (Incident.Title, Maintenance.Title):
// titles are the vendor's input, shown in a report, and a status page's
// names are a line long (docs/sources.md).
const MaxTitleBytes = 300

// CleanTitle is a vendor's name for an incident or maintenance as stored:
// invalid UTF-8 replaced by U+FFFD; line breaks, tabs and other white space
// folded into single spaces; control characters (C0, DEL, C1) and the
// bidirectional formatting characters that would reorder the text around
// it dropped; leading and trailing space trimmed; then cut to at most
// MaxTitleBytes on a rune boundary, with "…" ending a cut title within the
// cap. CleanTitle(CleanTitle(s)) == CleanTitle(s).
func CleanTitle(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r), bidiControl(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if len(out) <= MaxTitleBytes {
		return out
	}
	const ellipsis = "…"
	cut := MaxTitleBytes - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(out[cut]) {
		cut--
	}
	return strings.TrimRight(out[:cut], " ") + ellipsis
}

// bidiControl reports the Unicode bidirectional formatting characters
// (embeddings, overrides, isolates and marks), which a vendor's name could
// use to show a reader other text than it holds.
func bidiControl(r rune) bool {
	switch {
	case r == '\u061C', r == '\u200E', r == '\u200F':
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}
