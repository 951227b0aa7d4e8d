package store

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"

	bolt "go.etcd.io/bbolt"
)

// KindChangedError is Identify refusing a source whose configured kind is
// not the one its stored items came from: they would be read as another
// API's, and counted again under the new one.
type KindChangedError struct {
	Key        SourceKey
	Stored     string
	Configured string
}

func (e *KindChangedError) Error() string {
	return fmt.Sprintf("source %q of vendor %q was stored as kind %s, is configured as kind %s: a changed kind needs a new source name",
		e.Key.Source, e.Key.Vendor, e.Stored, e.Configured)
}

// URLChange is a source's URL as stored before and as configured now,
// both without credentials, query or fragment, so they can be logged.
type URLChange struct{ From, To string }

// Identify records the source's kind and URL, and checks them against what
// was recorded: config apply calls it for every configured source before
// the source syncs. A changed kind is refused (*KindChangedError) once the
// source holds anything else; a changed URL is recorded and returned
// (vanity domains move), nil when nothing changed. A store written before
// sources had a kind adopts the first kind given.
//
// Older builds read a store written by this one: they look keys up by
// name, and never see a source's kind and url.
func (s *Store) Identify(k SourceKey, kind, rawURL string) (*URLChange, error) {
	current, u, change, err := s.checkIdentity(k, kind, rawURL)
	if err != nil || (current.kind == kind && current.url == u) {
		return change, err // nothing to write: no commit, no disk sync
	}
	err = s.run(true, func(tx *bolt.Tx, _ *guard) error {
		b, err := createSourceBucket(tx, k)
		if err != nil {
			return err
		}
		// Read again in this transaction: what the view saw may be stale.
		if change, err = readIdentity(b).apply(k, kind, u); err != nil {
			return err
		}
		if err := b.Put(keyKind, []byte(kind)); err != nil {
			return err
		}
		return b.Put(keyURL, []byte(u))
	})
	var kindErr *KindChangedError
	if errors.As(err, &kindErr) {
		return nil, err
	}
	return change, wrap(err, "store: identify %s", describe(k))
}

// CheckIdentity is Identify without recording anything: a configuration
// is checked with it before it is applied, and recorded with Identify once
// it runs, so that a reload that fails leaves no trace of URLs that never
// ran.
//
// known says whether the store knew the source before: a kind recorded,
// or anything stored for it (a store written before kinds were recorded).
func (s *Store) CheckIdentity(k SourceKey, kind, rawURL string) (change *URLChange, known bool, err error) {
	current, _, change, err := s.checkIdentity(k, kind, rawURL)
	return change, current.kind != "" || current.hasData, err
}

func (s *Store) checkIdentity(k SourceKey, kind, rawURL string) (current identity, u string, change *URLChange, err error) {
	if k.Vendor == "" || k.Source == "" || kind == "" {
		return current, "", nil, fmt.Errorf("store: identify %s: a vendor, a source name and a kind are required", describe(k))
	}
	if u, err = logSafe(rawURL); err != nil {
		return current, "", nil, fmt.Errorf("store: identify %s: %w", describe(k), err)
	}
	if err := s.view(func(tx *bolt.Tx) error { current = readIdentity(sourceBucket(tx, k)); return nil }); err != nil {
		return current, u, nil, wrap(err, "store: identify %s", describe(k))
	}
	change, err = current.apply(k, kind, u)
	return current, u, change, err
}

// identity is what a source bucket says about the source.
type identity struct {
	kind, url string
	hasData   bool // anything besides kind and url
}

func readIdentity(b *bolt.Bucket) identity {
	var id identity
	if b == nil {
		return id
	}
	id.kind, id.url = string(b.Get(keyKind)), string(b.Get(keyURL))
	c := b.Cursor()
	for key, _ := c.First(); key != nil && !id.hasData; key, _ = c.Next() {
		id.hasData = !bytes.Equal(key, keyKind) && !bytes.Equal(key, keyURL)
	}
	return id
}

// apply checks the configured kind and URL against the stored identity,
// and says how the URL moved. A kind recorded for a source that stored
// nothing else may change: a kind mistyped in a configuration that failed
// to apply must not stick.
func (id identity) apply(k SourceKey, kind, u string) (*URLChange, error) {
	if id.kind != "" && id.kind != kind && id.hasData {
		return nil, &KindChangedError{Key: k, Stored: id.kind, Configured: kind}
	}
	if id.kind == "" || id.url == u {
		return nil, nil // first seen (or a store from before kinds): nothing moved
	}
	return &URLChange{From: id.url, To: u}, nil
}

// logSafe is the URL without credentials, query or fragment: it is stored,
// returned and logged, and a token may hide in any of them. A URL that
// does not parse is refused without being quoted, for the same reason.
func logSafe(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("the URL does not parse")
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String(), nil
}
