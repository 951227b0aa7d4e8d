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
// invisible format characters (invisibleFormat) dropped; leading and
// trailing space trimmed; then cut to at most
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
		case unicode.IsControl(r), invisibleFormat(r):
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

// invisibleFormat reports the Unicode format characters (category Cf)
// that a title drops: invisible, they could show a reader other text than
// the title holds, or make two titles that look the same differ. They are
// the bidirectional formatting characters (embeddings, overrides,
// isolates, marks), which reorder the text around them; the zero-width
// space, word joiner and byte order mark (U+200B, U+2060, U+FEFF); the
// soft hyphen (U+00AD); the interlinear annotation characters (U+FFF9 to
// U+FFFB); and the tag characters (U+E0000 to U+E007F), which can carry a
// whole hidden ASCII string. The zero-width non-joiner and joiner
// (U+200C, U+200D) are kept: Persian, the Indic scripts and emoji
// sequences need them.
func invisibleFormat(r rune) bool {
	return unicode.Is(unicode.Cf, r) && r != '\u200C' && r != '\u200D'
}
