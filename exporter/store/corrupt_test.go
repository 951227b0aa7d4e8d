package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// The corruption fixture: several sources with thousands of items and
// alerts, written through the store's API in many batches (replacing
// items too, so the file has free pages), then closed and reopened once so
// both meta pages describe the same content.
var (
	fixtureHelpdesk = SourceKey{"acme", "helpdesk"}
	fixtureStatus   = SourceKey{"acme", "status"}
	fixturePortal   = SourceKey{"globex", "portal/eu"}
	fixtureSources  = []SourceKey{fixtureHelpdesk, fixtureStatus, fixturePortal}
	fixtureVendors  = []string{"acme", "globex"}
	fixtureBase     = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
)

// garbleID is a small ticket whose record the table garbles in place.
const garbleID = "garble-me"

// fixture is what the fixture store holds, to compare a load against.
type fixture struct {
	file    []byte
	items   map[SourceKey]map[string][]byte // encoded items, by source and "kind/id"
	cursors map[SourceKey]string
	synced  map[SourceKey]time.Time
	alerts  map[string]int
}

func fixtureTicket(k SourceKey, n, version int) *item.Ticket {
	t := benchTicket(n)
	t.ID = fmt.Sprintf("%s-%d", k.Source, n)
	t.Tags = append(t.Tags, "v"+strconv.Itoa(version))
	return t
}

func fixtureIncident(n int) *item.Incident {
	at := fixtureBase.Add(time.Duration(n) * time.Hour)
	return &item.Incident{ID: "inc-" + strconv.Itoa(n), Impact: item.ImpactMinor, CreatedAt: at, StartedAt: at,
		ResolvedAt: at.Add(time.Hour), UpdatedAt: at.Add(time.Hour), Updates: []time.Time{at, at.Add(30 * time.Minute)},
		Components: []string{"API"}}
}

var buildFixture = sync.OnceValues(func() (*fixture, error) {
	dir, err := os.MkdirTemp("", "store-fixture")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	f := &fixture{items: map[SourceKey]map[string][]byte{}, cursors: map[SourceKey]string{},
		synced: map[SourceKey]time.Time{}, alerts: map[string]int{}}
	s, err := Open(dir)
	if err != nil {
		return nil, err
	}
	for _, k := range fixtureSources {
		f.items[k] = map[string][]byte{}
	}
	put := func(k SourceKey, batch int, fn func(*Tx) error) error {
		f.cursors[k] = fmt.Sprintf("cursor-%d", batch)
		f.synced[k] = fixtureBase.Add(time.Duration(batch) * time.Minute)
		return s.Update(k, func(tx *Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			if err := tx.SetCursor([]byte(f.cursors[k])); err != nil {
				return err
			}
			return tx.SetSyncedAt(f.synced[k])
		})
	}
	putTicket := func(tx *Tx, k SourceKey, t *item.Ticket) error {
		f.items[k]["ticket/"+t.ID] = ticketRecord.marshal(t)
		_, err := tx.PutTicket(t)
		return err
	}
	for batch := range 12 {
		for _, k := range []SourceKey{fixtureHelpdesk, fixturePortal} {
			err := put(k, batch, func(tx *Tx) error {
				for n := batch * 300; n < (batch+1)*300; n++ {
					if err := putTicket(tx, k, fixtureTicket(k, n, 1)); err != nil {
						return err
					}
				}
				for n := 0; n < batch*300; n += 7 { // the vendor edited older tickets
					if err := putTicket(tx, k, fixtureTicket(k, n, batch)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		err := put(fixtureStatus, batch, func(tx *Tx) error {
			for n := batch * 150; n < (batch+1)*150; n++ {
				i := fixtureIncident(n)
				f.items[fixtureStatus]["incident/"+i.ID] = incidentRecord.marshal(i)
				if _, err := tx.PutIncident(i); err != nil {
					return err
				}
			}
			m := &item.Maintenance{ID: "m-" + strconv.Itoa(batch), ScheduledFor: fixtureBase.Add(time.Duration(batch) * 24 * time.Hour)}
			f.items[fixtureStatus]["maintenance/"+m.ID] = maintenanceRecord.marshal(m)
			if _, err := tx.PutMaintenance(m); err != nil {
				return err
			}
			if err := tx.SetComponents([]item.Component{{Name: "API", Status: "operational"}}); err != nil {
				return err
			}
			return tx.SetPages([]item.Page{{URL: "https://docs.acme.example/a", Updated: fixtureBase}, {URL: "https://docs.acme.example/b"}})
		})
		if err != nil {
			return nil, err
		}
		var signals []AlertSignal
		for n := range 100 {
			vendor := fixtureVendors[n%2]
			signals = append(signals, AlertSignal{vendor, fmt.Sprintf("fp-%d-%d", batch, n), fixtureBase.Add(time.Duration(n) * time.Minute)})
			f.alerts[vendor]++
		}
		if _, err := s.PutAlertSignals(signals); err != nil {
			return nil, err
		}
	}
	err = put(fixturePortal, 12, func(tx *Tx) error { return putTicket(tx, fixturePortal, &item.Ticket{ID: garbleID}) })
	if err != nil {
		return nil, err
	}
	if err := s.Close(); err != nil {
		return nil, err
	}
	if s, err = Open(dir); err != nil { // an empty commit: both metas now agree
		return nil, err
	}
	if err := s.Close(); err != nil {
		return nil, err
	}
	f.file, err = os.ReadFile(filepath.Join(dir, FileName))
	return f, err
})

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	f, err := buildFixture()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// readAll reads everything back the way the exporter does (Open, a full
// Load of every source, the cursors and sync times, a stored ticket, the
// alerts), and compares it with the fixture.
func (f *fixture) readAll(dir string) error {
	s, err := Open(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, k := range fixtureSources {
		got := map[string][]byte{}
		err := s.Load(k, Handlers{
			Ticket:      func(t *item.Ticket) error { got["ticket/"+t.ID] = ticketRecord.marshal(t); return nil },
			Incident:    func(i *item.Incident) error { got["incident/"+i.ID] = incidentRecord.marshal(i); return nil },
			Maintenance: func(m *item.Maintenance) error { got["maintenance/"+m.ID] = maintenanceRecord.marshal(m); return nil },
			Components:  func([]item.Component) error { return nil },
			Pages:       func([]item.Page) error { return nil },
		})
		if err != nil {
			return err
		}
		if len(got) != len(f.items[k]) {
			return fmt.Errorf("%v: loaded %d items, want %d", k, len(got), len(f.items[k]))
		}
		for key, want := range f.items[k] {
			if !bytes.Equal(got[key], want) {
				return fmt.Errorf("%v: %s differs", k, key)
			}
		}
		cursor, err := s.Cursor(k)
		if err != nil {
			return err
		}
		synced, err := s.SyncedAt(k)
		if err != nil {
			return err
		}
		if string(cursor) != f.cursors[k] || !synced.Equal(f.synced[k]) {
			return fmt.Errorf("%v: cursor %q synced %v, want %q %v", k, cursor, synced, f.cursors[k], f.synced[k])
		}
	}
	if tk, err := s.Ticket(fixturePortal, garbleID); err != nil || tk == nil {
		return fmt.Errorf("ticket %s: %v, %v", garbleID, tk, err)
	}
	for _, vendor := range fixtureVendors {
		n := 0
		if err := s.LoadAlertSignals(vendor, func(time.Time) error { n++; return nil }); err != nil {
			return err
		}
		if n != f.alerts[vendor] {
			return fmt.Errorf("vendor %s: %d alerts, want %d", vendor, n, f.alerts[vendor])
		}
	}
	return nil
}

// livePages lists the fixture's pages in use, by type, as bbolt sees them.
func livePages(t *testing.T, file []byte) map[string][]int {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pages := map[string][]int{}
	err = db.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			p, err := tx.Page(id)
			if p == nil || err != nil {
				return err
			}
			pages[p.Type] = append(pages[p.Type], id)
			if p.Type != "free" {
				id += p.OverflowCount
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages["leaf"]) < 100 || len(pages["branch"]) < 2 || len(pages["freelist"]) != 1 || len(pages["free"]) == 0 {
		t.Fatalf("the fixture is too small to damage meaningfully: %v pages", len(file)/4096)
	}
	return pages
}

// damage is one way a store file goes bad.
type damage struct {
	name string
	// apply damages a copy of the fixture's file (rnd is seeded per case)
	// and returns the bytes to write; nil writes a directory instead.
	apply func(file []byte, pages map[string][]int, rnd *rand.Rand) []byte
	// wantOpen: "" when everything reads back as stored, else a part of
	// the error (ErrDamaged unless notDamage); wantLoad likewise, for
	// damage that only a load finds (a consistent page holding a bad
	// record).
	wantOpen, wantLoad string
	notDamage          bool
	// wantCheck is part of Check's first problem ("" when sound), or of
	// its error when checkErr.
	wantCheck string
	checkErr  bool
}

const testPageSize = 4096

func page(file []byte, id int) []byte { return file[id*testPageSize : (id+1)*testPageSize] }

func randomize(b []byte, rnd *rand.Rand) {
	for i := range b {
		b[i] = byte(rnd.UintN(256))
	}
}

// replaceAll overwrites every copy of old in file (a free page may hold an
// older copy of a live page) with new.
func replaceAll(t *testing.T, file, old, new []byte) []byte {
	if bytes.Count(file, old) == 0 {
		t.Fatalf("%x is not in the file", old)
	}
	return bytes.ReplaceAll(file, old, new)
}

// otherBbolt is a valid bbolt file that some other program wrote.
func otherBbolt(t *testing.T, prepare func(*bolt.Tx) error) []byte {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(prepare); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func corruptions(t *testing.T) []damage {
	garble := &item.Ticket{ID: garbleID}
	garbleRecord := ticketRecord.marshal(garble)
	notGarbleRecord := ticketRecord.marshal(&item.Ticket{ID: garbleID[:len(garbleID)-1] + "X"})
	mid := func(ids []int) int { return ids[len(ids)/2] }
	return []damage{
		{name: "intact", apply: func(f []byte, _ map[string][]int, _ *rand.Rand) []byte { return f }},
		{name: "random bytes in a leaf page's elements", apply: func(f []byte, p map[string][]int, rnd *rand.Rand) []byte {
			randomize(page(f, mid(p["leaf"]))[pageHeaderSize:], rnd)
			return f
		}, wantOpen: "outside", wantCheck: "outside"},
		{name: "random bytes over a whole leaf page", apply: func(f []byte, p map[string][]int, rnd *rand.Rand) []byte {
			randomize(page(f, p["leaf"][len(p["leaf"])/3]), rnd)
			return f
		}, wantOpen: "identifies itself as page", wantCheck: "identifies itself as page"},
		{name: "random bytes in a branch page's elements", apply: func(f []byte, p map[string][]int, rnd *rand.Rand) []byte {
			randomize(page(f, p["branch"][0])[pageHeaderSize:], rnd)
			return f
		}, wantOpen: "page", wantCheck: "page"},
		{name: "zeroed leaf page", apply: func(f []byte, p map[string][]int, _ *rand.Rand) []byte {
			clear(page(f, mid(p["leaf"])))
			return f
		}, wantOpen: "identifies itself as page 0", wantCheck: "identifies itself as page 0"},
		{name: "zeroed branch page", apply: func(f []byte, p map[string][]int, _ *rand.Rand) []byte {
			clear(page(f, p["branch"][0]))
			return f
		}, wantOpen: "identifies itself as page 0", wantCheck: "identifies itself as page 0"},
		{name: "every fifth page zeroed", apply: func(f []byte, _ map[string][]int, _ *rand.Rand) []byte {
			for id := 2; (id+1)*testPageSize <= len(f); id += 5 {
				clear(page(f, id))
			}
			return f
		}, wantOpen: "identifies itself as page 0", wantCheck: "identifies itself as page 0"},
		{name: "random bytes in 20 random pages", apply: func(f []byte, _ map[string][]int, rnd *rand.Rand) []byte {
			for range 20 {
				randomize(page(f, 2+rnd.IntN(len(f)/testPageSize-2)), rnd)
			}
			return f
		}, wantOpen: "page", wantCheck: "page"},
		{name: "random bytes in the free page list", apply: func(f []byte, p map[string][]int, rnd *rand.Rand) []byte {
			randomize(page(f, p["freelist"][0])[pageHeaderSize:], rnd)
			return f
		}, wantOpen: "free page list", wantCheck: "free page list"},
		{name: "a live page listed as free", apply: func(f []byte, p map[string][]int, _ *rand.Rand) []byte {
			fl := page(f, p["freelist"][0])
			n := native.Uint16(fl[10:])
			native.PutUint64(fl[pageHeaderSize+8*int(n):], uint64(mid(p["leaf"])))
			native.PutUint16(fl[10:], n+1)
			return f
		}, wantOpen: "is both in use and free", wantCheck: "is both in use and free"},
		{name: "a page referenced twice", apply: func(f []byte, p map[string][]int, _ *rand.Rand) []byte {
			b := page(f, p["branch"][0])
			copy(b[pageHeaderSize+elementSize+8:][:8], b[pageHeaderSize+8:][:8]) // element 1 points where element 0 does
			return f
		}, wantOpen: "is used twice", wantCheck: "is used twice"},
		{name: "keys out of order in a leaf page", apply: func(f []byte, p map[string][]int, _ *rand.Rand) []byte {
			b := page(f, mid(p["leaf"]))
			b[pageHeaderSize+int(native.Uint32(b[pageHeaderSize+4:]))] = 0xff // the first key's first byte
			return f
		}, wantOpen: "keys out of order", wantCheck: "keys out of order"},
		{name: "meta page 0 zeroed", apply: func(f []byte, _ map[string][]int, _ *rand.Rand) []byte {
			clear(page(f, 0))
			return f
		}},
		{name: "meta page 1 garbled", apply: func(f []byte, _ map[string][]int, rnd *rand.Rand) []byte {
			randomize(page(f, 1), rnd)
			return f
		}},
		{name: "both meta pages zeroed", apply: func(f []byte, _ map[string][]int, _ *rand.Rand) []byte {
			clear(f[:2*testPageSize])
			return f
		}, wantOpen: "no valid meta page", wantCheck: "no valid meta page"},
		{name: "truncated to half", apply: func(f []byte, _ map[string][]int, _ *rand.Rand) []byte {
			return f[:len(f)/2/testPageSize*testPageSize]
		}, wantOpen: "truncated", wantCheck: "truncated"},
		{name: "truncated to half, mid-page", apply: func(f []byte, _ map[string][]int, _ *rand.Rand) []byte {
			return f[:len(f)/2+123]
		}, wantOpen: "truncated", wantCheck: "truncated"},
		{name: "truncated to one page", apply: func(f []byte, _ map[string][]int, _ *rand.Rand) []byte {
			return f[:testPageSize]
		}, wantOpen: "truncated", wantCheck: "truncated"},
		{name: "zero-length file", apply: func([]byte, map[string][]int, *rand.Rand) []byte { return []byte{} },
			wantOpen: "the file is empty", wantCheck: "the file is empty"},
		{name: "a directory in place of the file", apply: func([]byte, map[string][]int, *rand.Rand) []byte { return nil },
			wantOpen: "a directory is in place of the file", wantCheck: "a directory is in place of the file"},
		{name: "a text file", apply: func([]byte, map[string][]int, *rand.Rand) []byte {
			return []byte(strings.Repeat("not a database\n", 1000))
		}, wantOpen: "no valid meta page", wantCheck: "no valid meta page"},
		{name: "another program's bbolt file", apply: func([]byte, map[string][]int, *rand.Rand) []byte {
			return otherBbolt(t, func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err })
		}, wantOpen: "not a support_exporter store", wantCheck: "not a support_exporter store"},
		{name: "a newer schema version", apply: func([]byte, map[string][]int, *rand.Rand) []byte {
			return otherBbolt(t, writeSchemaVersion("2"))
		}, wantOpen: "a newer build wrote it", notDamage: true, wantCheck: "a newer build wrote it", checkErr: true},
		{name: "a garbled schema version", apply: func([]byte, map[string][]int, *rand.Rand) []byte {
			return otherBbolt(t, writeSchemaVersion("1\x00"))
		}, wantOpen: `schema version "1\x00" found`, wantCheck: `schema version "1\x00" found`},
		{name: "a record's id garbled in a sound page", apply: func(f []byte, _ map[string][]int, _ *rand.Rand) []byte {
			return replaceAll(t, f, garbleRecord, notGarbleRecord)
		}, wantLoad: `holds ticket "garble-mX"`, wantCheck: `holds ticket "garble-mX"`},
		{name: "a record's length garbled in a sound page", apply: func(f []byte, _ map[string][]int, _ *rand.Rand) []byte {
			bad := slices.Clone(garbleRecord)
			bad[1] = 0x7f // the id's length: more than the record holds
			return replaceAll(t, f, garbleRecord, bad)
		}, wantLoad: "corrupt value", wantCheck: "corrupt value"},
		{name: "a record from a newer build", apply: func(f []byte, _ map[string][]int, _ *rand.Rand) []byte {
			newer := slices.Clone(garbleRecord)
			newer[0] = recordFormat + 1
			return replaceAll(t, f, garbleRecord, newer)
		}, wantLoad: fmt.Sprintf("record format %d", recordFormat+1), notDamage: true,
			wantCheck: fmt.Sprintf("record format %d", recordFormat+1)},
	}
}

// TestCorruptionIsAnErrorNeverAPanic damages copies of a store with real
// content in every way the table knows. Opening and reading each back in
// full must give the stored data or a clear error (ErrDamaged, one line,
// naming the file and the remedy), never a panic or a hang; a failed Open
// must not write to the file; Check must agree.
func TestCorruptionIsAnErrorNeverAPanic(t *testing.T) {
	f := loadFixture(t)
	pages := livePages(t, f.file)
	for i, tc := range corruptions(t) {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			damaged := tc.apply(slices.Clone(f.file), pages, rand.New(rand.NewPCG(uint64(i), 7)))
			if damaged == nil {
				if err := os.Mkdir(path, 0o750); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(path, damaged, 0o600); err != nil {
				t.Fatal(err)
			}

			err := withinTime(t, func() error { return f.readAll(dir) })
			want := tc.wantOpen + tc.wantLoad
			switch {
			case want == "" && err != nil:
				t.Fatalf("read back: %v; want everything as stored", err)
			case want == "":
			case err == nil:
				t.Fatalf("read back everything; want an error containing %q", want)
			default:
				assertErrorContains(t, err, want)
				if errors.Is(err, ErrDamaged) == tc.notDamage {
					t.Errorf("errors.Is(err, ErrDamaged) = %v, want %v", !tc.notDamage, !tc.notDamage)
				}
				if !tc.notDamage {
					assertDamageMessage(t, err, path)
				}
			}
			if tc.wantOpen != "" && damaged != nil {
				if now, _ := os.ReadFile(path); !bytes.Equal(now, damaged) {
					t.Error("a failed Open changed the file")
				}
			}

			var r *Report
			err = withinTime(t, func() error {
				var err error
				r, err = Check(dir)
				return err
			})
			switch {
			case tc.checkErr:
				assertErrorContains(t, err, tc.wantCheck)
			case err != nil:
				t.Fatalf("Check: %v", err)
			case tc.wantCheck == "" && !r.Sound():
				t.Errorf("Check found %d problems in a sound store: %q", r.Found, r.Problems)
			case tc.wantCheck == "" && !r.BboltChecked:
				t.Error("bbolt's check did not run on a sound store")
			case tc.wantCheck != "" && (r.Sound() || !strings.Contains(r.Problems[0], tc.wantCheck)):
				t.Errorf("Check problems %q, want a first one containing %q", r.Problems, tc.wantCheck)
			}
		})
	}
}

// withinTime runs fn, failing the test when it does not return within a
// minute (a hang), or panics.
func withinTime(t *testing.T, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("PANIC: %v", r)
			}
		}()
		done <- fn()
	}()
	select {
	case err := <-done:
		if err != nil && strings.HasPrefix(err.Error(), "PANIC") {
			t.Fatal(err)
		}
		return err
	case <-time.After(time.Minute):
		t.Fatal("still running after a minute")
		return nil
	}
}

// assertDamageMessage checks the one-line message: the file, the remedy.
func assertDamageMessage(t *testing.T, err error, path string) {
	t.Helper()
	msg := err.Error()
	quoted := shellQuote(path)
	for _, want := range []string{
		"store " + path + " is damaged (",
		"): stop the exporter, move the file aside (mv " + quoted + " " + shellQuote(path+".damaged") + ") and start again",
		"every source resyncs from history_start",
		"lost for good: customer alerts received on the webhook, and what was pinned when items were first seen",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("damage message %q lacks %q", msg, want)
		}
	}
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("damage message %q is not one line", msg)
	}
}
