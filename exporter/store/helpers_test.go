package store

import "testing"

// openTemp opens a store in a fresh directory, closed when the test ends.
func openTemp(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// errOf drops the changed flag of a Put.
func errOf(_ bool, err error) error { return err }
