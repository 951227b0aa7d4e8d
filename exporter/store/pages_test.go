package store

import (
	"errors"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestPagesReplaceWhole checks that a page list replaces the stored one
// whole, that an empty list is stored as "no pages" (not "never set"), and
// that a garbled list marks the store damaged when Load reads it.
func TestPagesReplaceWhole(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	k := SourceKey{"acme", "docs"}
	load := func() (pages []item.Page, set bool, err error) {
		err = s.Load(k, Handlers{Pages: func(p []item.Page) error { pages, set = p, true; return nil }})
		return pages, set, err
	}
	update(t, s, k, func(tx *Tx) error { return tx.SetPages(fullPages(t)) })
	update(t, s, k, func(tx *Tx) error { return tx.SetPages(fullPages(t)[1:]) })
	if got, _, err := load(); err != nil || len(got) != 1 || got[0].URL != fullPages(t)[1].URL {
		t.Errorf("after a shorter list: %+v, %v; want the second page alone", got, err)
	}
	update(t, s, k, func(tx *Tx) error { return tx.SetPages(nil) })
	if got, set, err := load(); err != nil || !set || len(got) != 0 {
		t.Errorf("after nil: %+v (set %v), %v; want an empty list, set", got, set, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, dir, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSources).Bucket([]byte("acme")).Bucket([]byte("docs")).Put(keyPages, []byte{recordFormat, 5})
	})
	if s, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := load(); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "pages of") {
		t.Errorf("Load of garbled pages: %v, want the store damaged at the pages", err)
	}
}
