package store

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// openFixture opens a copy of the corruption fixture; Open finds it sound.
func openFixture(t *testing.T) (*Store, *fixture, string) {
	t.Helper()
	f := loadFixture(t)
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, f.file, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, f, path
}

// zeroLeaves zeroes every leaf page of the file behind an open store: bbolt
// maps the file shared, so its next read sees them.
func zeroLeaves(t *testing.T, path string, pages map[string][]int) {
	t.Helper()
	file, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	zero := make([]byte, testPageSize)
	for _, id := range pages["leaf"] {
		if _, err := file.WriteAt(zero, int64(id)*testPageSize); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDamageFoundWhileOpen damages the file under an open store, where
// only the transaction boundary stands between bbolt and a crash: a zeroed
// page makes bbolt panic, a truncated file makes it read past the file's
// end (a memory fault). The first read returns ErrDamaged; every later
// call returns the very same message without touching the file.
func TestDamageFoundWhileOpen(t *testing.T) {
	f := loadFixture(t)
	pages := livePages(t, f.file)
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"pages zeroed", func(t *testing.T, path string) { zeroLeaves(t, path, pages) }},
		{"file truncated", func(t *testing.T, path string) {
			if err := os.Truncate(path, 2*testPageSize); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _, path := openFixture(t)
			tc.damage(t, path)
			first := withinTime(t, func() error {
				return s.Load(fixtureHelpdesk, Handlers{Ticket: func(*item.Ticket) error { return nil }})
			})
			if !errors.Is(first, ErrDamaged) {
				t.Fatalf("Load = %v, want ErrDamaged", first)
			}
			assertErrorContains(t, first, "reading a page failed")
			assertDamageMessage(t, first, path)

			later := map[string]error{
				"Load":             s.Load(fixtureStatus, Handlers{}),
				"Cursor":           errOf2(s.Cursor(fixtureHelpdesk)),
				"SyncedAt":         errOf2(s.SyncedAt(fixtureHelpdesk)),
				"Ticket":           errOf2(s.Ticket(fixturePortal, garbleID)),
				"LoadAlertSignals": s.LoadAlertSignals("acme", func(time.Time) error { return nil }),
				"PutAlertSignals":  errOf2(s.PutAlertSignals([]AlertSignal{{"acme", "new", time.Unix(0, 0)}})),
				"Update":           s.Update(fixtureHelpdesk, func(tx *Tx) error { return tx.SetCursor([]byte("x")) }),
				"Identify":         errOf2(s.Identify(fixtureHelpdesk, "zendesk", "https://acme.example")),
				"Remap":            s.Remap(),
			}
			for call, err := range later {
				if err == nil || err.Error() != first.Error() {
					t.Errorf("%s after the damage = %v, want the first damage error", call, err)
				}
			}
			if err := s.Close(); err != nil {
				t.Errorf("Close = %v, want the file released", err)
			}
		})
	}
}

func errOf2[T any](_ T, err error) error { return err }

// TestUpdateNeverCommitsOverDamage: a Tx method that meets a damaged page
// returns ErrDamaged instead of panicking through fn, and the update does
// not commit even when fn ignores that error.
func TestUpdateNeverCommitsOverDamage(t *testing.T) {
	f := loadFixture(t)
	pages := livePages(t, f.file)
	s, _, path := openFixture(t)
	before, err := os.ReadFile(path) // Open committed the schema check
	if err != nil {
		t.Fatal(err)
	}
	var cursorErr, ticketErr error
	err = s.Update(fixturePortal, func(tx *Tx) error {
		zeroLeaves(t, path, pages)
		cursorErr = tx.SetCursor([]byte("moved"))
		_, ticketErr = tx.Ticket("portal/eu-1")
		return nil // as a careless caller would
	})
	for _, err := range []error{cursorErr, ticketErr, err} {
		if !errors.Is(err, ErrDamaged) || err.Error() != cursorErr.Error() {
			t.Fatalf("SetCursor = %v, Ticket = %v, Update = %v; want the same damage from each", cursorErr, ticketErr, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(after[:2*testPageSize], before[:2*testPageSize]) {
		t.Error("the meta pages changed: the damaged update committed")
	}
}

// TestDamagedRecordThroughTx: a garbled record is damage wherever it is
// read; a record from a newer build is not, and the store goes on.
func TestDamagedRecordThroughTx(t *testing.T) {
	cases := []struct {
		name       string
		record     func([]byte) []byte
		wantDamage bool
		wantErr    string
	}{
		{"garbled", func(r []byte) []byte { r[1] = 0x7f; return r }, true, "corrupt value"},
		{"newer format", func(r []byte) []byte { r[0] = recordFormat + 1; return r }, false, "record format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			k := SourceKey{"acme", "helpdesk"}
			update(t, s, k, func(tx *Tx) error {
				_, err := tx.putEncoded(bucketTickets, []byte("1"), tc.record(ticketRecord.marshal(&item.Ticket{ID: "1"})))
				return err
			})
			err := s.Update(k, func(tx *Tx) error { _, err := tx.Ticket("1"); return err })
			assertErrorContains(t, err, tc.wantErr)
			if errors.Is(err, ErrDamaged) != tc.wantDamage {
				t.Errorf("ErrDamaged: %v, want %v", errors.Is(err, ErrDamaged), tc.wantDamage)
			}
			_, err = s.Cursor(k)
			if (err != nil) != tc.wantDamage {
				t.Errorf("a later Cursor = %v; want an error only after damage", err)
			}
		})
	}
}

// TestCallerPanicIsNotDamage: a panic in the caller's own code (a Load
// handler, an Update function) is a bug there: it is raised again, the
// transaction is released, and the store goes on.
func TestCallerPanicIsNotDamage(t *testing.T) {
	cases := map[string]func(s *Store) error{
		"Load handler": func(s *Store) error {
			return s.Load(helpdesk, Handlers{Ticket: func(*item.Ticket) error { panic("boom") }})
		},
		"alert handler": func(s *Store) error {
			return s.LoadAlertSignals("acme", func(time.Time) error { panic("boom") })
		},
		"Update function": func(s *Store) error {
			return s.Update(helpdesk, func(tx *Tx) error {
				if err := tx.SetCursor([]byte("never")); err != nil {
					return err
				}
				panic("boom")
			})
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			s := openTemp(t)
			update(t, s, helpdesk, func(tx *Tx) error { return errOf(tx.PutTicket(&item.Ticket{ID: "1"})) })
			if _, err := s.PutAlertSignals([]AlertSignal{{"acme", "fp", time.Unix(0, 0)}}); err != nil {
				t.Fatal(err)
			}
			var raised any
			func() {
				defer func() { raised = recover() }()
				_ = call(s)
			}()
			if raised != "boom" {
				t.Fatalf("recovered %v, want the caller's own panic", raised)
			}
			// A lock left held would make the next update wait forever.
			err := withinTime(t, func() error {
				return s.Update(helpdesk, func(tx *Tx) error { return errOf(tx.PutTicket(&item.Ticket{ID: "2"})) })
			})
			if err != nil {
				t.Fatalf("Update after the panic: %v", err)
			}
			if c := cursorOf(t, s, helpdesk); c != nil {
				t.Errorf("cursor %q: the panicking update committed", c)
			}
			assertCounts(t, s, helpdesk, 2, 0, 0)
		})
	}
}

// TestCloseLeavesAStuckStore: when bbolt panicked again while a damaged
// transaction was rolled back, its locks may be held: Close must return
// rather than wait for them.
func TestCloseLeavesAStuckStore(t *testing.T) {
	if release(func() error { panic("again") }) {
		t.Fatal("release reported a panicking rollback as done")
	}
	if !release(func() error { return nil }) {
		t.Fatal("release reported a clean rollback as failed")
	}
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.db.Close() })
	damage := s.markDamaged("test")
	s.stuck.Store(true)
	if err := withinTime(t, s.Close); err != damage {
		t.Errorf("Close = %v, want the damage error", err)
	}
}

func TestDamageMessage(t *testing.T) {
	cases := []struct{ path, mv string }{
		{"/var/lib/support_exporter/support_exporter.db",
			"mv /var/lib/support_exporter/support_exporter.db /var/lib/support_exporter/support_exporter.db.damaged"},
		{"/srv/it's here/support_exporter.db",
			`mv '/srv/it'\''s here/support_exporter.db' '/srv/it'\''s here/support_exporter.db.damaged'`},
	}
	for _, tc := range cases {
		err := damaged(tc.path, "a cause\nover two lines, "+strings.Repeat("long ", 100))
		if !errors.Is(err, ErrDamaged) {
			t.Errorf("%v is not ErrDamaged", err)
		}
		assertDamageMessage(t, err, tc.path)
		assertErrorContains(t, err, "(a cause over two lines, long long")
		assertErrorContains(t, err, tc.mv)
		if cause := err.cause; len(cause) > 210 {
			t.Errorf("cause of %d bytes, want it cut short", len(cause))
		}
	}
	if cause := damaged("/x", strings.Repeat("é", 150)).cause; !utf8.ValidString(cause) || len(cause) > 210 {
		t.Errorf("cause %q: want it cut short between characters", cause)
	}
	// The first damage found is the one every later call reports, and the
	// one OnDamaged hears of, once.
	s := openTemp(t)
	var heard []error
	s.OnDamaged(func(err error) { heard = append(heard, err) })
	first := s.markDamaged("first")
	if again := s.markDamaged("second"); again != first {
		t.Errorf("second damage = %v, want the first one kept", again)
	}
	if len(heard) != 1 || heard[0] != first {
		t.Errorf("OnDamaged heard %v, want the first damage once", heard)
	}
}

// TestRandomPagesNeverPanic garbles random stretches of random pages of
// the fixture, each round with its own seed: Open, a full read and Check
// return, never panic or hang. What they return varies: bbolt pages carry
// no checksum, so a garbled byte inside a value that still decodes (a
// priority "high" become "hqgh") is read as stored; that is logged.
func TestRandomPagesNeverPanic(t *testing.T) {
	f := loadFixture(t)
	rounds := 24
	if testing.Short() {
		rounds = 5
	}
	found := 0
	for round := range rounds {
		rnd := rand.New(rand.NewPCG(uint64(round), 99))
		file := slices.Clone(f.file)
		for range 1 + rnd.IntN(5) {
			id := rnd.IntN(len(file) / testPageSize)
			p := page(file, id)
			start := rnd.IntN(testPageSize)
			randomize(p[start:start+rnd.IntN(testPageSize-start+1)], rnd)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), file, 0o600); err != nil {
			t.Fatal(err)
		}
		err := withinTime(t, func() error { return f.readAll(dir) })
		switch {
		case errors.Is(err, ErrDamaged):
			found++
		case err != nil:
			t.Logf("round %d: not found to be damage: %v", round, err)
		}
		if err := withinTime(t, func() error { _, err := Check(dir); return err }); err != nil {
			t.Errorf("round %d: Check could not run: %v", round, err)
		}
	}
	if found == 0 {
		t.Error("no round found damage: the garbling misses the file")
	}
}
