package collectortest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Testdata is the content of testdata/name in the package under test.
func Testdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Seeds are the contents of the testdata files matching the patterns, for
// a fuzz test's corpus; no file at all fails the test, as a fuzz test
// without its captures would explore nothing real.
func Seeds(tb testing.TB, patterns ...string) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, pattern := range patterns {
		names, err := filepath.Glob(filepath.Join("testdata", pattern))
		if err != nil {
			tb.Fatal(err)
		}
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		tb.Fatalf("no seeds in testdata matching %q", patterns)
	}
	return out
}

// Marshal is v as JSON, for bodies a fake serves.
func Marshal(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Time parses an RFC 3339 instant, keeping its offset.
func Time(tb testing.TB, rfc3339 string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// UTC parses an RFC 3339 instant (fractional seconds allowed) into UTC, for
// the expected values of test tables, which have no testing.TB at hand. A
// literal that does not parse is a mistake in the test: it panics.
func UTC(rfc3339 string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, rfc3339)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}
