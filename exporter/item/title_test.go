package item

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanTitle(t *testing.T) {
	long := strings.Repeat("é", 200) // 400 bytes, 2 each
	cases := []struct{ in, want string }{
		{"Elevated error rates on API", "Elevated error rates on API"},
		{"", ""},
		{"  Degraded\tperformance\r\n of  Git operations \n", "Degraded performance of Git operations"},
		{"bell\a and nul\x00 and del\x7f and c1\u0085x", "bell and nul and del and c1 x"},
		{"esc\x1b[31mred\x1b[0m", "esc[31mred[0m"},
		{"a\u202Egnp.exe\u202C b\u2066c\u2069\u200F", "agnp.exe bc"},
		// Invisible format characters (Cf) dropped: zero-width space, word
		// joiner, BOM, soft hyphen, interlinear annotation, tag characters
		// (a hidden "hi"); ZWNJ and ZWJ kept, which scripts need.
		{"zero\u200Bwidth \u2060join\uFEFFbom soft\u00ADhyphen \uFFF9a\uFFFAb\uFFFB", "zerowidth joinbom softhyphen ab"},
		{"flag\U000E0001\U000E0068\U000E0069\U000E007F", "flag"},
		{"a \u200B b\u200B", "a b"},
		{"\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645 \U0001F469\u200D\U0001F4BB", "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645 \U0001F469\u200D\U0001F4BB"},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
		{"<script>alert(1)</script> | [x](y) `z`", "<script>alert(1)</script> | [x](y) `z`"},
		{strings.Repeat("a", MaxTitleBytes), strings.Repeat("a", MaxTitleBytes)},
		{strings.Repeat("a", MaxTitleBytes+1), strings.Repeat("a", MaxTitleBytes-3) + "…"},
		{long, strings.Repeat("é", (MaxTitleBytes-3)/2) + "…"},
		{strings.Repeat("ab ", 200), strings.TrimSpace(strings.Repeat("ab ", 99)) + "…"},
	}
	for _, tc := range cases {
		got := CleanTitle(tc.in)
		if got != tc.want {
			t.Errorf("CleanTitle(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(got) > MaxTitleBytes || !utf8.ValidString(got) {
			t.Errorf("CleanTitle(%q) = %q: %d bytes, valid %v", tc.in, got, len(got), utf8.ValidString(got))
		}
		if again := CleanTitle(got); again != got {
			t.Errorf("CleanTitle not idempotent on %q: %q", got, again)
		}
	}
}

func FuzzCleanTitle(f *testing.F) {
	for _, s := range []string{"Elevated errors", "a\nb\tc", "\xff\xfe", strings.Repeat("日本", 80), "\u202Ex", "a\u200B \u200Cb\U000E0041", strings.Repeat("\U0001F469\u200D", 80)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := CleanTitle(s)
		if len(got) > MaxTitleBytes || !utf8.ValidString(got) {
			t.Fatalf("CleanTitle(%q) = %q: %d bytes", s, got, len(got))
		}
		for _, r := range got {
			if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || (unicode.Is(unicode.Cf, r) && r != '\u200C' && r != '\u200D') {
				t.Fatalf("CleanTitle(%q) = %q keeps %U", s, got, r)
			}
		}
		if strings.TrimSpace(got) != got {
			t.Fatalf("CleanTitle(%q) = %q: untrimmed", s, got)
		}
		if again := CleanTitle(got); again != got {
			t.Fatalf("not idempotent: %q then %q", got, again)
		}
	})
}
