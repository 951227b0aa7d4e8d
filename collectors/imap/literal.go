package imap

import (
	"fmt"
	"io"
)

// maxLiteral is the largest literal the collector accepts from the server:
// the largest it asks for, a partial FETCH of the header fields
// (maxHeaderBytes+1) or of a body (max_body_bytes). go-imap reads a literal
// whole into memory, of whatever size the server announces: a larger one
// is refused before a byte of it is read, as the HTTP kinds refuse a body
// over their cap (fetch.ReasonTooLarge).
func maxLiteral(o *Options) int64 {
	return int64(max(maxHeaderBytes+1, o.MaxBodyBytes))
}

// literalTooLarge is the error reading a literal larger than maxLiteral.
type literalTooLarge struct {
	size, max int64
}

func (e *literalTooLarge) Error() string {
	return fmt.Sprintf("the server announced a literal of %d bytes, more than the %d this source accepts", e.size, e.max)
}

// literalGuard passes the server's answers through, watching for the
// literals they announce ({N} or {N+} at a line's end, RFC 9051 4.3): a
// literal over max ends the reading with *literalTooLarge before the
// announcement's CRLF, after which go-imap would allocate it whole. A literal's content is passed without being looked at, so
// that a "{N}" inside one is never taken for an announcement; a quoted
// string holds no CRLF, so none ends a line with one.
type literalGuard struct {
	r   io.Reader
	max int64
	err error

	skip  int64 // bytes of the current literal still to pass
	state int   // guardLine, guardNum, guardClose or guardCR
	num   int64 // the literal's size being read
}

const (
	guardLine  = iota // in a line, no announcement under way
	guardNum          // after '{': its digits (and '+')
	guardClose        // after the '}'
	guardCR           // after "}\r"
)

func (g *literalGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i := 0; i < n; i++ {
		if g.skip > 0 {
			k := min(g.skip, int64(n-i))
			g.skip -= k
			i += int(k) - 1
			continue
		}
		if g.state == guardClose && p[i] == '\r' && g.num > g.max {
			// go-imap allocates a literal as soon as its announcement's
			// CRLF is read: the CR is never passed on.
			g.err = &literalTooLarge{size: g.num, max: g.max}
			if i == 0 {
				return 0, g.err
			}
			return i, nil
		}
		if g.scan(p[i]) {
			g.skip = g.num
		}
	}
	return n, err
}

// scan moves the announcement's state by one byte of a line, and reports
// whether it ended an announcement ("{N}\r\n"): the literal follows.
func (g *literalGuard) scan(b byte) bool {
	switch g.state {
	case guardNum:
		switch {
		case b >= '0' && b <= '9':
			g.num = min(g.num*10+int64(b-'0'), 1<<40) // no overflow
			return false
		case b == '+' || b == '}':
			// '+' (a non-synchronizing literal) must be followed by '}':
			// accepted loosely, as go-imap does.
			if b == '}' {
				g.state = guardClose
			}
			return false
		}
	case guardClose:
		if b == '\r' {
			g.state = guardCR
			return false
		}
	case guardCR:
		if b == '\n' {
			g.state = guardLine
			return true
		}
	}
	g.state = guardLine
	if b == '{' {
		g.state, g.num = guardNum, 0
	}
	return false
}
