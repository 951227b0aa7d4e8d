// Package store keeps the normalized items of every source in one embedded
// bbolt file, so that aggregates survive restarts and a sync resumes where it
// stopped. Items and a source's resume cursor are committed in one
// transaction: a crash at any moment neither loses nor double-counts anything.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// FileName is the store's file inside its directory.
const FileName = "support_exporter.db"

// lockTimeout bounds the wait for another process's lock on the file, so a
// second exporter on the same directory fails fast instead of hanging.
// Tests shorten it.
var lockTimeout = 2 * time.Second

// Store is the durable store. Its methods are safe for concurrent use;
// read-write transactions (Update) run one at a time.
type Store struct {
	db   *bolt.DB
	path string
}

// SourceKey identifies a source: the vendor it belongs to and its name.
type SourceKey struct{ Vendor, Source string }

// ErrLocked is returned by Open when another process (a running exporter)
// holds the store.
var ErrLocked = errors.New("locked by another process")

// Open opens the store in dir, creating the directory (0750) and the file
// when missing. It refuses a file written with another schema version.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: create directory: %w", err)
	}
	db, err := openDB(filepath.Join(dir, FileName))
	if err != nil {
		return nil, err
	}
	return &Store{db: db, path: db.Path()}, nil
}

func openDB(path string) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: lockTimeout,
		// The map freelist stays fast when a large store is fragmented;
		// the freelist is still synced, so opening needs no full scan.
		FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("store %s is %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := db.Update(ensureSchema); err != nil {
		// The schema error is what matters; a close error adds nothing.
		_ = db.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return db, nil
}

// Remap closes and reopens the file. bbolt reads through a memory map, and
// a full Load maps in every page of the file: they count in the process's
// resident memory until the map goes (at a million tickets, 130 MB of a
// 144 MB file). Reopening drops them; the kernel's page cache keeps them
// for whoever reads next. Call it only while no other method is running.
func (s *Store) Remap() error {
	path := s.path
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", path, err)
	}
	db, err := openDB(path)
	if err != nil {
		return err
	}
	s.db = db
	return nil
}

// Close releases the file and its lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.Path(), err)
	}
	return nil
}

// Path is the store's file (kept here: bbolt forgets it once closed).
func (s *Store) Path() string { return s.path }

// Cursor is the source's resume cursor, nil when it was never synced.
func (s *Store) Cursor(k SourceKey) ([]byte, error) {
	var cursor []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := sourceBucket(tx, k); b != nil {
			if v := b.Get(keyCursor); len(v) > 0 {
				// bbolt memory is only valid inside the transaction.
				cursor = append([]byte(nil), v...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: read cursor of %s: %w", describe(k), err)
	}
	return cursor, nil
}

// Ticket reads the stored version of one of a source's tickets, nil when
// none is stored: for collectors whose API shows only the current state
// and who infer what changed since (a solve, a reopen) from it, and for the
// backfill, which replays items one by one.
func (s *Store) Ticket(k SourceKey, id string) (*model.Ticket, error) {
	return readItem(s, k, tickets, id)
}

// Incident is Ticket for incidents.
func (s *Store) Incident(k SourceKey, id string) (*model.Incident, error) {
	return readItem(s, k, incidents, id)
}

// Maintenance is Ticket for maintenances.
func (s *Store) Maintenance(k SourceKey, id string) (*model.Maintenance, error) {
	return readItem(s, k, maintenances, id)
}

func readItem[T any](s *Store, k SourceKey, kd kind[T], id string) (*T, error) {
	var item *T
	err := s.db.View(func(btx *bolt.Tx) error {
		var err error
		item, err = getItem[T](&Tx{tx: btx, key: k}, kd, id)
		return err
	})
	return item, err
}

// SyncedAt is when the source's last complete sync started (zero when
// never): everything the vendor showed before that instant is stored.
func (s *Store) SyncedAt(k SourceKey) (time.Time, error) {
	var at time.Time
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := sourceBucket(tx, k); b != nil {
			if v := b.Get(keySyncedAt); len(v) == 8 {
				at = time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("store: read sync time of %s: %w", describe(k), err)
	}
	return at, nil
}

// Sources lists every source with data, sorted by vendor, then source.
func (s *Store) Sources() ([]SourceKey, error) {
	var keys []SourceKey
	err := s.db.View(func(tx *bolt.Tx) error {
		vendors := tx.Bucket(bucketSources)
		return vendors.ForEachBucket(func(vendor []byte) error {
			return vendors.Bucket(vendor).ForEachBucket(func(source []byte) error {
				keys = append(keys, SourceKey{Vendor: string(vendor), Source: string(source)})
				return nil
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: list sources: %w", err)
	}
	return keys, nil
}

// Counts is how many tickets, incidents and maintenances the source holds.
// It reads counters kept beside the items, so its cost does not grow with
// their number.
func (s *Store) Counts(k SourceKey) (tickets, incidents, maintenances int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b := sourceBucket(tx, k)
		tickets = itemCount(b, bucketTickets)
		incidents = itemCount(b, bucketIncidents)
		maintenances = itemCount(b, bucketMaintenances)
		return nil
	})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: count items of %s: %w", describe(k), err)
	}
	return tickets, incidents, maintenances, nil
}

// describe names a source in error messages.
func describe(k SourceKey) string {
	return fmt.Sprintf("vendor %q source %q", k.Vendor, k.Source)
}
