package store

import (
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged is matched (errors.Is) by every error saying that the store's
// file cannot be trusted: damaged pages or records, a truncated file, or no
// support_exporter store at all. Its message names the file and the remedy;
// main exits with a code of its own on it.
var ErrDamaged = errors.New("store damaged")

// damagedError is the one-line message of a damaged store.
type damagedError struct{ path, cause string }

func (e *damagedError) Error() string {
	return fmt.Sprintf("store %s is damaged (%s): %s", e.path, e.cause, remedy(e.path))
}

func (e *damagedError) Is(target error) bool { return target == ErrDamaged }

// remedy says what to do about a damaged file, and what that costs: the
// sources' items come back from the vendors, alerts and pinned facts do not.
func remedy(path string) string {
	return fmt.Sprintf("stop the exporter, move the file aside (mv %s %s) and start again: "+
		"every source resyncs from history_start; lost for good: customer alerts received on the webhook, "+
		"and what was pinned when items were first seen (priorities, impacts and times the vendor changed since)",
		shellQuote(path), shellQuote(path+".damaged"))
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// shellQuote makes the path safe to paste into a shell.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func damaged(path, cause string) *damagedError {
	// The message is one line, and a cause taken from a panic stays short.
	cause = strings.Join(strings.Fields(cause), " ")
	if len(cause) > 200 {
		cut := 200
		for !utf8.RuneStart(cause[cut]) {
			cut--
		}
		cause = cause[:cut] + "…"
	}
	return &damagedError{path: path, cause: cause}
}

// markDamaged records that the store is damaged: from now on every call
// fails at once with the first cause found, and no transaction commits.
func (s *Store) markDamaged(cause string) error {
	if d := damaged(s.path, cause); s.damage.CompareAndSwap(nil, d) {
		if fn := s.onDamaged.Load(); fn != nil {
			(*fn)(d)
		}
	}
	return s.damage.Load()
}

// OnDamaged has fn called once, with the damage error, when a call first
// finds the store damaged: the exporter stops then, rather than fail every
// sync on its own while its counters stand still. fn runs inside the call
// that found the damage: it must neither block nor use the store.
func (s *Store) OnDamaged(fn func(error)) { s.onDamaged.Store(&fn) }

// damaged is the store's damage error, nil while none was found.
func (s *Store) damaged() error {
	if d := s.damage.Load(); d != nil {
		return d
	}
	return nil
}

// guard tells code the store's caller supplied (Update's fn, Load's
// handlers) from the store's own: a panic in the caller's code is a bug
// there, not damage, and is raised again.
type guard struct{ inCaller bool }

func (g *guard) call(fn func() error) error {
	g.inCaller = true
	err := fn()
	g.inCaller = false
	return err
}

// run runs fn in one bbolt transaction, committed when writable and fn
// succeeds. It is the boundary where a damaged file stops being a crash.
//
// bbolt reads pages straight from its memory map and trusts them: a damaged
// page makes it panic (a failed assertion, an index out of range) or touch
// memory past the mapped file, which the runtime turns into a panic only
// for goroutines that asked (SetPanicOnFault), so run asks for the duration
// of the transaction. Recovering is safe: the panic interrupts a reader
// before bbolt changed anything but the transaction's private state, which
// rolling back discards (a read transaction holds only a lock; a write
// transaction's pages are written at commit, and the meta page that makes
// them current goes last). The store is then marked damaged, so nothing
// touches the file again: no later write can build on what bbolt's
// in-memory state (its free page list) may hold after the panic.
func (s *Store) run(writable bool, fn func(*bolt.Tx, *guard) error) (err error) {
	if err := s.damaged(); err != nil {
		return err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	var tx *bolt.Tx
	g := &guard{}
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if tx != nil && !release(tx.Rollback) {
			s.stuck.Store(true)
		}
		if g.inCaller {
			panic(r)
		}
		err = s.markDamaged(panicCause(r))
	}()
	tx, err = s.db.Begin(writable)
	if err != nil {
		return err
	}
	if err := fn(tx, g); err != nil {
		_ = tx.Rollback()
		return err
	}
	if writable {
		return tx.Commit() // rolls back by itself on error
	}
	return tx.Rollback()
}

// view runs fn in a guarded read transaction.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return s.run(false, func(tx *bolt.Tx, _ *guard) error { return fn(tx) })
}

// release ends a transaction interrupted by a panic with its rollback. It
// reports false when bbolt panicked again on the way: its locks may then
// be held for good.
func release(rollback func() error) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_ = rollback() // ErrTxClosed when a failed commit rolled back already
	return true
}

// recoverDamage turns a panic inside bbolt during one of Tx's methods into
// the store's damage error (see run), so that it does not unwind through
// the caller's function; Update then refuses to commit.
func (tx *Tx) recoverDamage(err *error) {
	if r := recover(); r != nil {
		*err = tx.s.markDamaged(panicCause(r))
	}
}

func panicCause(r any) string {
	return fmt.Sprintf("reading a page failed: %v", r)
}

// decodeFailed reports a record that does not decode. A garbled record is
// damage; a record format this build does not know (a newer build wrote
// it) is not, and its error, returned as is, says which formats this build
// reads.
func (s *Store) decodeFailed(what string, err error) error {
	if errors.Is(err, errCorrupt) {
		return s.markDamaged(what + ": " + err.Error())
	}
	return err
}

// wrap adds context to an error; the damage message is left as it is, so
// that every call reports the same line.
func wrap(err error, format string, args ...any) error {
	if err == nil || errors.Is(err, ErrDamaged) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
