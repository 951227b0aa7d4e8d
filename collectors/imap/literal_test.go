package imap

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestLiteralGuard: a literal announced over the cap ends the reading
// before the CRLF that ends its announcement (go-imap allocates the literal
// on reading it); one within passes whole, an announcement inside
// a literal's content is not taken for one, and reads of a byte at a time
// see the same.
func TestLiteralGuard(t *testing.T) {
	const small = "* 1 FETCH (UID 7 BODY[HEADER]<0> {16}\r\nX: {99999999}\r\n)\r\n"
	const huge = "* 2 FETCH (UID 8 BODY[HEADER]<0> {67108864}\r\n"
	for _, oneByte := range []bool{false, true} {
		read := func(s string) (string, error) {
			var r io.Reader = strings.NewReader(s)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			b, err := io.ReadAll(&literalGuard{r: r, max: 1 << 20})
			return string(b), err
		}
		if got, err := read(small + "A1 OK done\r\n"); err != nil || got != small+"A1 OK done\r\n" {
			t.Errorf("one byte %v: a literal within the cap: %q, %v", oneByte, got, err)
		}
		got, err := read(small + huge + strings.Repeat("X", 4096))
		var tooLarge *literalTooLarge
		if !errors.As(err, &tooLarge) || tooLarge.size != 64<<20 {
			t.Errorf("one byte %v: a literal of 64 MiB: %v, want *literalTooLarge", oneByte, err)
		}
		if want := strings.TrimSuffix(small+huge, "\r\n"); got != want {
			t.Errorf("one byte %v: read %q past the announcement", oneByte, got)
		}
	}
}
