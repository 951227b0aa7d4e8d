package alerts

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// selectorLabels returns the label names a selector's matchers name, in
// order, once each. It accepts what PromQL accepts between braces: matchers
// name op "value" (op one of = != =~ !~, the value in double, single or back
// quotes), separated by commas. The recording rules aggregate by these
// labels so that the selector still picks their series.
func selectorLabels(sel string) ([]string, error) {
	var names []string
	rest := strings.TrimSpace(sel)
	if rest == "" {
		return nil, errors.New("empty: the rules would mix every job's series")
	}
	for rest != "" {
		name, after, err := matcher(rest)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", sel, err)
		}
		if name == "__name__" {
			return nil, fmt.Errorf("%q: a metric name matcher would override every rule's metric", sel)
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		rest = strings.TrimSpace(after)
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return nil, fmt.Errorf("%q: want a comma before %q", sel, rest)
		}
		rest = strings.TrimSpace(rest[1:])
		if rest == "" {
			// Config.Select appends matchers after a comma of its own.
			return nil, fmt.Errorf("%q: trailing comma", sel)
		}
	}
	return names, nil
}

// matcher reads one matcher from the start of s and returns its label name
// and what follows it.
func matcher(s string) (name, rest string, err error) {
	n := 0
	for n < len(s) && isNameByte(s[n], n == 0) {
		n++
	}
	if n == 0 {
		return "", "", fmt.Errorf("want a label name at %q", s)
	}
	name, rest = s[:n], strings.TrimSpace(s[n:])
	op := ""
	for _, o := range []string{"=~", "!~", "!=", "="} {
		if strings.HasPrefix(rest, o) {
			op = o
			break
		}
	}
	if op == "" {
		return "", "", fmt.Errorf("want =, !=, =~ or !~ after %s", name)
	}
	rest, err = skipQuoted(strings.TrimSpace(rest[len(op):]))
	if err != nil {
		return "", "", fmt.Errorf("value of %s: %w", name, err)
	}
	return name, rest, nil
}

// skipQuoted skips the quoted string s starts with. Backslash escapes apply
// in double and single quotes, not in back quotes.
func skipQuoted(s string) (string, error) {
	if s == "" || !strings.ContainsRune("\"'`", rune(s[0])) {
		return "", fmt.Errorf("want a quoted string at %q", s)
	}
	quote := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quote != '`':
			i++
		case s[i] == quote:
			return s[i+1:], nil
		}
	}
	return "", fmt.Errorf("unterminated string %s", s)
}

func isNameByte(b byte, first bool) bool {
	return b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || !first && '0' <= b && b <= '9'
}
