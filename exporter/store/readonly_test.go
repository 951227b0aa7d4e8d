package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOpenReadOnlyWritesNothing: a read-only open reads what is stored and
// leaves the file's bytes and mtime as they were (Open commits a write
// transaction: a new meta page), and writes fail.
func TestOpenReadOnlyWritesNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutDrill("acme", Drill{ID: "d1", Reason: "quarterly"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName)
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	ro, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	drills, err := ro.Drills("acme")
	if err != nil || len(drills) != 1 || drills[0].Reason != "quarterly" {
		t.Errorf("Drills through the read-only store = %+v, %v", drills, err)
	}
	if err := ro.PutDrill("acme", Drill{ID: "d2"}); err == nil {
		t.Error("PutDrill on a read-only store succeeded")
	}
	// Two readers share the lock.
	ro2, err := OpenReadOnly(dir)
	if err != nil {
		t.Errorf("second read-only open: %v", err)
	} else {
		_ = ro2.Close()
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}

	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the read-only open changed the file's bytes")
	}
	if info, err := os.Stat(path); err != nil || !info.ModTime().Equal(old) {
		t.Errorf("mtime after the read-only open = %v (%v), want %v", info.ModTime(), err, old)
	}
}

func TestOpenReadOnlyRefuses(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "data")
	if _, err := OpenReadOnly(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly of a missing store = %v, want not found", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly created %s", missing)
	}

	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, FileName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(empty); !errors.Is(err, ErrDamaged) {
		t.Errorf("OpenReadOnly of an empty file = %v, want ErrDamaged", err)
	}

	saved := lockTimeout
	lockTimeout = 50 * time.Millisecond
	t.Cleanup(func() { lockTimeout = saved })
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := OpenReadOnly(dir); !errors.Is(err, ErrLocked) {
		t.Errorf("OpenReadOnly of a store in use = %v, want ErrLocked", err)
	}
}

// TestOpenReadOnlyOfAReadOnlyFile: a file and directory the process may
// only read (a backup, a read-only mount) open. As root, permissions do not
// bite: the test then only shows that no write mode is asked.
func TestOpenReadOnlyOfAReadOnlyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ro")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, FileName), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	ro, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatalf("OpenReadOnly of a read-only copy: %v", err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
}
