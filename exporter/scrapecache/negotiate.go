package scrapecache

import (
	"net/http"
	"strings"
)

// wantsGzip reports whether promhttp, offering identity and gzip in that
// order, would answer req gzip-compressed: the Accept-Encoding spec of the
// highest q that names gzip or * wins, identity on a tie or when nothing
// matches (and when the best q is 0, where promhttp falls back to
// identity). It follows client_golang's NegotiateContentEncoding
// (internal/github.com/golang/gddo/httputil, BSD, The Go Authors), whose
// parser acceptSpecs copies.
func wantsGzip(req *http.Request) bool {
	best, bestQ := "identity", -1.0
	specs := acceptSpecs(req.Header["Accept-Encoding"])
	for _, offer := range [...]string{"identity", "gzip"} {
		for _, s := range specs {
			if s.q > bestQ && (s.value == "*" || s.value == offer) {
				best, bestQ = offer, s.q
			}
		}
	}
	return best == "gzip" && bestQ != 0
}

type acceptSpec struct {
	value string
	q     float64
}

// acceptSpecs parses Accept-Encoding values as gddo's header.ParseAccept
// does: a malformed element ends the parsing of its header line.
func acceptSpecs(lines []string) (specs []acceptSpec) {
loop:
	for _, s := range lines {
		for {
			var spec acceptSpec
			spec.value, s = tokenSlash(s)
			if spec.value == "" {
				continue loop
			}
			spec.q = 1
			s = skipSpace(s)
			if strings.HasPrefix(s, ";") {
				s = skipSpace(s[1:])
				if !strings.HasPrefix(s, "q=") {
					continue loop
				}
				spec.q, s = quality(s[2:])
				if spec.q < 0 {
					continue loop
				}
			}
			specs = append(specs, spec)
			s = skipSpace(s)
			if !strings.HasPrefix(s, ",") {
				continue loop
			}
			s = skipSpace(s[1:])
		}
	}
	return specs
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// isToken: an RFC 7230 token character (ASCII, not a control, not a
// separator).
func isToken(b byte) bool {
	return b > 31 && b < 127 && !strings.ContainsRune(" \t\"(),/:;<=>?@[]\\{}", rune(b))
}

func skipSpace(s string) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return s[i:]
}

func tokenSlash(s string) (token, rest string) {
	i := 0
	for i < len(s) && (isToken(s[i]) || s[i] == '/') {
		i++
	}
	return s[:i], s[i:]
}

func quality(s string) (q float64, rest string) {
	switch {
	case s == "":
		return -1, ""
	case s[0] == '0':
		q = 0
	case s[0] == '1':
		q = 1
	default:
		return -1, ""
	}
	s = s[1:]
	if !strings.HasPrefix(s, ".") {
		return q, s
	}
	s = s[1:]
	i, n, d := 0, 0, 1
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		d *= 10
	}
	return q + float64(n)/float64(d), s[i:]
}
