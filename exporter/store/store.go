// Package store keeps the normalized items of every source in one embedded
// bbolt file, so that aggregates survive restarts and a sync resumes where it
// stopped. Items and a source's resume cursor are committed in one
// transaction: a crash at any moment neither loses nor double-counts anything.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// FileName is the store's file inside its directory.
const FileName = "support_exporter.db"

// lockTimeout bounds the wait for another process's lock on the file, so a
// second exporter on the same directory fails fast instead of hanging.
// Tests shorten it.
var lockTimeout = 2 * time.Second

// Store is the durable store. Its methods are safe for concurrent use;
// read-write transactions (Update) run one at a time. Once a call finds
// the file damaged, every later call returns the same ErrDamaged error.
type Store struct {
	db     *bolt.DB
	path   string
	damage atomic.Pointer[damagedError]
	// stuck: bbolt panicked while a damaged transaction was released, and
	// may hold its locks; Close then leaves the file to the process's exit
	// rather than wait for them forever.
	stuck     atomic.Bool
	onDamaged atomic.Pointer[func(error)]
	// read estimates the bytes of the map read since its pages were last
	// released (noteRead).
	read atomic.Int64
}

// releaseEvery is how many bytes of the map the store reads between two
// releases of its pages: small against the 300 MB a report over a million
// tickets may use (docs/report.md), large enough that the releases and
// the pages mapped back again cost 0-15% of a report's build.
const releaseEvery = 32 << 20

// faultAround is how much of a file Linux maps in on a page fault: the
// page and those around it already in the page cache (fault_around_bytes,
// 64 KiB by default; bbolt's MADV_RANDOM stops read-ahead, not this).
const faultAround = 64 << 10

// noteRead counts n bytes read in tx, and releases the map's pages
// (releaseMapped) once releaseEvery bytes were read. A full Load, the
// start-up's or a report's, and a report's item-by-item replay read the
// whole file: without it the resident set would grow by the file's size
// (550 MB at a million tickets), pages the kernel reclaims only under
// pressure.
func (s *Store) noteRead(tx *bolt.Tx, n int) {
	// Swap: of two readers crossing the bound together, one releases.
	if s.read.Add(int64(n)) >= releaseEvery && s.read.Swap(0) >= releaseEvery {
		releaseMapped(tx)
	}
}

// SourceKey identifies a source: the vendor it belongs to and its name.
type SourceKey struct{ Vendor, Source string }

// ErrLocked is returned by Open when another process (a running exporter)
// holds the store.
var ErrLocked = errors.New("locked by another process")

// Open opens the store in dir, creating the directory (0750) and the file
// when missing. It refuses a file written with another schema version, and
// checks every page of an existing file before bbolt reads one (pages.go):
// a damaged file is an ErrDamaged error naming the file and the remedy.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: create directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	switch info, err := os.Stat(path); {
	case errors.Is(err, fs.ErrNotExist):
		// A new store: nothing to check.
	case err != nil:
		return nil, fmt.Errorf("store: %w", err)
	default:
		if err := checkFile(path, info); err != nil {
			return nil, err
		}
	}
	db, err := openDB(path)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, path: db.Path()}, nil
}

// checkFile checks an existing file's pages and schema under a shared
// lock, so that no exporter writes meanwhile.
func checkFile(path string, info fs.FileInfo) error {
	db, err := openReadOnly(path, info)
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	if problems, _ := walkPages(f, info.Size(), 1); len(problems) > 0 {
		return damaged(path, problems[0])
	}
	return guardedView(db, path, checkSchema)
}

// openReadOnly opens an existing file read-only: it never creates or writes
// the file, and shares the lock with other readers, not with an exporter.
// bbolt reads only the meta pages here, which cannot fault.
func openReadOnly(path string, info fs.FileInfo) (*bolt.DB, error) {
	switch {
	case info.IsDir():
		return nil, damaged(path, "a directory is in place of the file")
	case info.Size() == 0:
		// bbolt would make a new store of it: the history it held would
		// silently start again.
		return nil, damaged(path, "the file is empty")
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if err != nil {
		return nil, openError(path, info.Size(), err)
	}
	return db, nil
}

// openError explains why bbolt could not open the file.
func openError(path string, size int64, err error) error {
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("store %s is %w", path, ErrLocked)
	case errors.As(err, &pathErr): // permissions and the like: not the content
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	// bbolt took the lock and read the file: look at what it found.
	f, ferr := os.Open(path)
	if ferr == nil {
		defer f.Close()
		if problems, _ := walkPages(f, size, 1); len(problems) > 0 {
			return damaged(path, problems[0])
		}
	}
	return fmt.Errorf("store: open %s: %w", path, err)
}

func openDB(path string) (*bolt.DB, error) {
	db, err := boltOpen(path)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path}
	if err := s.run(true, func(tx *bolt.Tx, _ *guard) error { return ensureSchema(tx) }); err != nil {
		if !s.stuck.Load() {
			// The schema error is what matters; a close error adds nothing.
			_ = db.Close()
		}
		return nil, schemaError(path, err)
	}
	return db, nil
}

// boltOpen opens the file read-write. bbolt reads the free page list here:
// checkFile has checked it, and a panic all the same is damage (see run).
// Then bbolt never returned its DB: its file stays open, and locked, until
// the process ends.
func boltOpen(path string) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, damaged(path, panicCause(r))
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{
		Timeout: lockTimeout,
		// The map freelist stays fast when a large store is fragmented;
		// the freelist is still synced, so opening needs no full scan.
		FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		size := int64(0)
		if info, serr := os.Stat(path); serr == nil {
			size = info.Size()
		}
		return nil, openError(path, size, err)
	}
	return db, nil
}

// guardedView runs fn in a read transaction of a database no Store holds
// yet, a panic being damage as in run.
func guardedView(db *bolt.DB, path string, fn func(*bolt.Tx) error) error {
	s := &Store{db: db, path: path}
	return schemaError(path, s.view(fn))
}

// Remap closes and reopens the file. bbolt reads through a memory map, and
// the pages it maps in count in the process's resident memory until the
// map lets them go: reads give them back as they go (noteRead), up to the
// last releaseEvery bytes, and reopening drops the rest; the kernel's page
// cache keeps them for whoever reads next. Call it only while no other method is running.
// The file is not checked again: nothing wrote it since Open did.
func (s *Store) Remap() error {
	if err := s.damaged(); err != nil {
		return err
	}
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
	if s.stuck.Load() {
		return s.damaged()
	}
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
	err := s.view(func(tx *bolt.Tx) error {
		if b := sourceBucket(tx, k); b != nil {
			if v := b.Get(keyCursor); len(v) > 0 {
				// bbolt memory is only valid inside the transaction.
				cursor = append([]byte(nil), v...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, "store: read cursor of %s", describe(k))
	}
	return cursor, nil
}

// Ticket reads the stored version of one of a source's tickets, nil when
// none is stored: for collectors whose API shows only the current state
// and who infer what changed since (a solve, a reopen) from it, and for the
// backfill, which replays items one by one.
func (s *Store) Ticket(k SourceKey, id string) (*item.Ticket, error) {
	return readItem(s, k, tickets, id)
}

// Incident is Ticket for incidents.
func (s *Store) Incident(k SourceKey, id string) (*item.Incident, error) {
	return readItem(s, k, incidents, id)
}

// Maintenance is Ticket for maintenances.
func (s *Store) Maintenance(k SourceKey, id string) (*item.Maintenance, error) {
	return readItem(s, k, maintenances, id)
}

func readItem[T any](s *Store, k SourceKey, kd kind[T], id string) (*T, error) {
	var item *T
	err := s.view(func(btx *bolt.Tx) error {
		var err error
		item, err = getItem[T](&Tx{tx: btx, key: k, s: s}, kd, id)
		return err
	})
	return item, err
}

// SyncedAt is when the source's last complete sync started (zero when
// never): everything the vendor showed before that instant is stored.
func (s *Store) SyncedAt(k SourceKey) (time.Time, error) {
	var at time.Time
	err := s.view(func(tx *bolt.Tx) error {
		if b := sourceBucket(tx, k); b != nil {
			if v := b.Get(keySyncedAt); len(v) == 8 {
				at = time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, wrap(err, "store: read sync time of %s", describe(k))
	}
	return at, nil
}

// describe names a source in error messages.
func describe(k SourceKey) string {
	return fmt.Sprintf("vendor %q source %q", k.Vendor, k.Source)
}
