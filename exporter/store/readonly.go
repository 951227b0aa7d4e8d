package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// OpenReadOnly opens the existing store in dir for reading only (the report
// command on a stopped exporter's store, a backup or a read-only mount): it
// never creates, writes or chmods anything, so the file's bytes and mtime
// stay as they were, and a file the process may only read will do. It
// shares the lock with other readers; a running exporter holds it
// exclusively (ErrLocked). It checks the file's pages and schema as Open
// does. Methods that write fail (bbolt's database-read-only error); Remap
// must not be called.
func OpenReadOnly(dir string) (*Store, error) {
	path := filepath.Join(dir, FileName)
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: no store at %s: %w", dir, err)
		}
		return nil, fmt.Errorf("store: %w", err)
	}
	db, err := openReadOnly(path, info)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	problems, _ := walkPages(f, info.Size(), 1)
	_ = f.Close()
	if len(problems) > 0 {
		_ = db.Close()
		return nil, damaged(path, problems[0])
	}
	if err := guardedView(db, path, checkSchema); err != nil {
		_ = db.Close()
		return nil, err
	}
	return &Store{db: db, path: path}, nil
}
