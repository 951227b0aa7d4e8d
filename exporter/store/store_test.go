package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/item"
)

var helpdesk = SourceKey{"acme", "helpdesk"}

func update(t *testing.T, s *Store, k SourceKey, fn func(*Tx) error) {
	t.Helper()
	if err := s.Update(k, fn); err != nil {
		t.Fatal(err)
	}
}

func cursorOf(t *testing.T, s *Store, k SourceKey) []byte {
	t.Helper()
	c, err := s.Cursor(k)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOpenCreatesDirectoryAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if want := filepath.Join(dir, FileName); s.Path() != want {
		t.Errorf("Path() = %q, want %q", s.Path(), want)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&^0o750 != 0 {
		t.Errorf("directory mode %v, want at most 0750", perm)
	}
}

func TestRoundTripEveryItemType(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"12345", "a/b", "ünïcödé 工单", strings.Repeat("x", 1000)}
	update(t, s, helpdesk, func(tx *Tx) error {
		for _, id := range ids {
			if _, err := tx.PutTicket(fullTicket(t, id)); err != nil {
				return err
			}
			if _, err := tx.PutIncident(fullIncident(t, id)); err != nil {
				return err
			}
			if _, err := tx.PutMaintenance(fullMaintenance(t, id)); err != nil {
				return err
			}
		}
		if err := tx.SetPages(fullPages(t)); err != nil {
			return err
		}
		return tx.SetComponents(fullComponents())
	})
	// Read back after a reopen, so the values come from the file.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	update(t, s, helpdesk, func(tx *Tx) error {
		for _, id := range ids {
			ticket, err := tx.Ticket(id)
			if err != nil {
				return err
			}
			assertSame(t, "ticket "+id, ticket, fullTicket(t, id))
			incident, err := tx.Incident(id)
			if err != nil {
				return err
			}
			assertSame(t, "incident "+id, incident, fullIncident(t, id))
			maintenance, err := tx.Maintenance(id)
			if err != nil {
				return err
			}
			assertSame(t, "maintenance "+id, maintenance, fullMaintenance(t, id))
		}
		return nil
	})
	var components []item.Component
	err = s.Load(helpdesk, Handlers{Components: func(c []item.Component) error { components = c; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, "components", components, fullComponents())
	var pages []item.Page
	err = s.Load(helpdesk, Handlers{Pages: func(p []item.Page) error { pages = p; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, "pages", pages, fullPages(t))
}

func TestAbsentItemsAreNil(t *testing.T) {
	s := openTemp(t)
	other := SourceKey{"acme", "other"}
	update(t, s, other, func(tx *Tx) error { return errOf(tx.PutTicket(fullTicket(t, "1"))) })
	for _, k := range []SourceKey{helpdesk, other} { // no source bucket, no item
		update(t, s, k, func(tx *Tx) error {
			ticket, err := tx.Ticket("2")
			if ticket != nil || err != nil {
				t.Errorf("%v: Ticket = %v, %v; want nil, nil", k, ticket, err)
			}
			incident, err := tx.Incident("2")
			if incident != nil || err != nil {
				t.Errorf("%v: Incident = %v, %v; want nil, nil", k, incident, err)
			}
			maintenance, err := tx.Maintenance("2")
			if maintenance != nil || err != nil {
				t.Errorf("%v: Maintenance = %v, %v; want nil, nil", k, maintenance, err)
			}
			return nil
		})
	}
}

func TestUpdateRollsBackOnError(t *testing.T) {
	s := openTemp(t)
	update(t, s, helpdesk, func(tx *Tx) error {
		if _, err := tx.PutTicket(&item.Ticket{ID: "1", Priority: "low"}); err != nil {
			return err
		}
		return tx.SetCursor([]byte("c1"))
	})
	fresh := SourceKey{"acme", "fresh"}
	boom := errors.New("boom")
	for _, k := range []SourceKey{helpdesk, fresh} {
		err := s.Update(k, func(tx *Tx) error {
			for _, put := range []error{
				errOf(tx.PutTicket(&item.Ticket{ID: "1", Priority: "urgent"})),
				errOf(tx.PutTicket(&item.Ticket{ID: "2"})),
				errOf(tx.PutIncident(&item.Incident{ID: "1"})),
				errOf(tx.PutMaintenance(&item.Maintenance{ID: "1"})),
				tx.SetComponents(fullComponents()),
				tx.SetCursor([]byte("c2")),
			} {
				if put != nil {
					return put
				}
			}
			return boom
		})
		if err != boom {
			t.Fatalf("%v: Update returned %v, want fn's error unchanged", k, err)
		}
	}

	if c := cursorOf(t, s, helpdesk); string(c) != "c1" {
		t.Errorf("helpdesk cursor %q, want the committed c1", c)
	}
	if c := cursorOf(t, s, fresh); c != nil {
		t.Errorf("fresh cursor %q, want nil", c)
	}
	assertCounts(t, s, helpdesk, 1, 0, 0)
	assertCounts(t, s, fresh, 0, 0, 0)
	update(t, s, helpdesk, func(tx *Tx) error {
		ticket, err := tx.Ticket("1")
		if err != nil {
			return err
		}
		if ticket.Priority != "low" {
			t.Errorf("ticket 1 priority %q, want the committed low", ticket.Priority)
		}
		return nil
	})
	sources, err := s.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sources, []SourceKey{helpdesk}) {
		t.Errorf("Sources() = %v, want only %v", sources, helpdesk)
	}
	componentsSeen := false
	err = s.Load(helpdesk, Handlers{Components: func([]item.Component) error { componentsSeen = true; return nil }})
	if err != nil || componentsSeen {
		t.Errorf("Load: components seen %v, err %v; want rolled back", componentsSeen, err)
	}
}

// Keys that collide if vendor and source names were joined with "/" or
// concatenated must stay apart.
var collidingKeys = []SourceKey{
	{"a/b", "c"},
	{"a", "b/c"},
	{"ab", "c"},
	{"a", "bc"},
	{"acme", "helpdesk"},
	{"other", "helpdesk"},
}

func TestCursorPerSource(t *testing.T) {
	s := openTemp(t)
	for _, k := range collidingKeys {
		if c := cursorOf(t, s, k); c != nil {
			t.Errorf("%v: cursor %q before any sync, want nil", k, c)
		}
	}
	for i, k := range collidingKeys {
		update(t, s, k, func(tx *Tx) error { return tx.SetCursor(fmt.Appendf(nil, "cursor-%d", i)) })
	}
	for i, k := range collidingKeys {
		if c, want := cursorOf(t, s, k), fmt.Sprintf("cursor-%d", i); string(c) != want {
			t.Errorf("%v: cursor %q, want %q", k, c, want)
		}
	}
}

func TestSetCursor(t *testing.T) {
	s := openTemp(t)
	mine := []byte("page=2")
	update(t, s, helpdesk, func(tx *Tx) error { return tx.SetCursor(mine) })
	mine[0] = 'X' // the caller reusing its buffer must not change what is stored
	if c := cursorOf(t, s, helpdesk); string(c) != "page=2" {
		t.Errorf("cursor %q, want page=2", c)
	}
	update(t, s, helpdesk, func(tx *Tx) error { return tx.SetCursor([]byte{}) })
	if c := cursorOf(t, s, helpdesk); c != nil {
		t.Errorf("cursor %q after clearing, want nil", c)
	}
}

func TestSameIDInTwoSourcesKeptApart(t *testing.T) {
	s := openTemp(t)
	for i, k := range collidingKeys {
		update(t, s, k, func(tx *Tx) error {
			if _, err := tx.PutTicket(&item.Ticket{ID: "42", Priority: k.Vendor + "|" + k.Source}); err != nil {
				return err
			}
			return errOf(tx.PutIncident(&item.Incident{ID: "42", Components: []string{fmt.Sprint(i)}}))
		})
	}
	for i, k := range collidingKeys {
		update(t, s, k, func(tx *Tx) error {
			ticket, err := tx.Ticket("42")
			if err != nil {
				return err
			}
			if want := k.Vendor + "|" + k.Source; ticket.Priority != want {
				t.Errorf("%v: ticket 42 priority %q, want %q", k, ticket.Priority, want)
			}
			incident, err := tx.Incident("42")
			if err != nil {
				return err
			}
			if want := fmt.Sprint(i); incident.Components[0] != want {
				t.Errorf("%v: incident 42 components %q, want [%q]", k, incident.Components, want)
			}
			return nil
		})
		assertCounts(t, s, k, 1, 1, 0)
	}
}

func TestLoadStreamsEverything(t *testing.T) {
	s := openTemp(t)
	wantTickets := []string{"1", "10", "2", "a/b", "é"}
	update(t, s, helpdesk, func(tx *Tx) error {
		for _, id := range wantTickets {
			if _, err := tx.PutTicket(fullTicket(t, id)); err != nil {
				return err
			}
		}
		for _, id := range []string{"inc-1", "inc-2"} {
			if _, err := tx.PutIncident(fullIncident(t, id)); err != nil {
				return err
			}
		}
		if _, err := tx.PutMaintenance(fullMaintenance(t, "m-1")); err != nil {
			return err
		}
		if err := tx.SetPages(fullPages(t)); err != nil {
			return err
		}
		return tx.SetComponents(fullComponents())
	})
	// Another source's items must not leak into this one's stream.
	update(t, s, SourceKey{"acme", "helpdesk2"}, func(tx *Tx) error { return errOf(tx.PutTicket(fullTicket(t, "x"))) })

	var got []string
	err := s.Load(helpdesk, Handlers{
		Ticket: func(ticket *item.Ticket) error {
			assertSame(t, "ticket", ticket, fullTicket(t, ticket.ID))
			got = append(got, "ticket "+ticket.ID)
			return nil
		},
		Incident:    func(i *item.Incident) error { got = append(got, "incident "+i.ID); return nil },
		Maintenance: func(m *item.Maintenance) error { got = append(got, "maintenance "+m.ID); return nil },
		Components:  func(c []item.Component) error { got = append(got, fmt.Sprintf("%d components", len(c))); return nil },
		Pages:       func(p []item.Page) error { got = append(got, fmt.Sprintf("%d pages", len(p))); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ticket 1", "ticket 10", "ticket 2", "ticket a/b", "ticket é",
		"incident inc-1", "incident inc-2", "maintenance m-1", "2 components", "2 pages",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Load streamed %q, want %q", got, want)
	}
}

func TestLoadHandlers(t *testing.T) {
	s := openTemp(t)
	update(t, s, helpdesk, func(tx *Tx) error {
		if _, err := tx.PutTicket(fullTicket(t, "1")); err != nil {
			return err
		}
		if _, err := tx.PutTicket(fullTicket(t, "2")); err != nil {
			return err
		}
		return errOf(tx.PutIncident(fullIncident(t, "1")))
	})
	stop := errors.New("stop")
	cases := []struct {
		name      string
		key       SourceKey
		failAfter int // the ticket handler fails on this call; 0: never
		wantCalls int
		wantErr   error
	}{
		{"unknown source streams nothing", SourceKey{"acme", "none"}, 0, 0, nil},
		{"handler error stops the stream", helpdesk, 1, 1, stop},
		{"nil handlers are skipped", helpdesk, 0, 2, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := s.Load(tc.key, Handlers{Ticket: func(*item.Ticket) error {
				calls++
				if calls == tc.failAfter {
					return stop
				}
				return nil
			}})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("Load error %v, want %v", err, tc.wantErr)
			}
			if calls != tc.wantCalls {
				t.Errorf("ticket handler called %d times, want %d", calls, tc.wantCalls)
			}
		})
	}
}

func TestSourcesAndCounts(t *testing.T) {
	s := openTemp(t)
	if sources, err := s.Sources(); err != nil || len(sources) != 0 {
		t.Fatalf("Sources() on a new store = %v, %v; want none", sources, err)
	}
	update(t, s, SourceKey{"zeta", "status"}, func(tx *Tx) error {
		for _, id := range []string{"1", "2", "3"} {
			if _, err := tx.PutIncident(&item.Incident{ID: id}); err != nil {
				return err
			}
		}
		return errOf(tx.PutMaintenance(&item.Maintenance{ID: "1"}))
	})
	update(t, s, helpdesk, func(tx *Tx) error {
		for _, id := range []string{"1", "2", "1"} { // a replaced ticket counts once
			if _, err := tx.PutTicket(&item.Ticket{ID: id}); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, s, helpdesk, func(tx *Tx) error { return errOf(tx.PutTicket(&item.Ticket{ID: "2", Priority: "high"})) })
	update(t, s, SourceKey{"acme", "cursor-only"}, func(tx *Tx) error { return tx.SetCursor([]byte("c")) })
	update(t, s, SourceKey{"acme", "nothing"}, func(*Tx) error { return nil })

	sources, err := s.Sources()
	if err != nil {
		t.Fatal(err)
	}
	want := []SourceKey{{"acme", "cursor-only"}, helpdesk, {"zeta", "status"}}
	if !slices.Equal(sources, want) {
		t.Errorf("Sources() = %v, want %v", sources, want)
	}
	assertCounts(t, s, helpdesk, 2, 0, 0)
	assertCounts(t, s, SourceKey{"zeta", "status"}, 0, 3, 1)
	assertCounts(t, s, SourceKey{"acme", "none"}, 0, 0, 0)
}

func assertCounts(t *testing.T, s *Store, k SourceKey, tickets, incidents, maintenances int) {
	t.Helper()
	gotT, gotI, gotM, err := s.Counts(k)
	if err != nil {
		t.Fatal(err)
	}
	if gotT != tickets || gotI != incidents || gotM != maintenances {
		t.Errorf("%v: Counts() = %d, %d, %d; want %d, %d, %d", k, gotT, gotI, gotM, tickets, incidents, maintenances)
	}
}

func TestBadInputRefused(t *testing.T) {
	s := openTemp(t)
	cases := []struct {
		name    string
		key     SourceKey
		fn      func(*Tx) error
		wantErr string
	}{
		{"no vendor", SourceKey{"", "helpdesk"}, func(*Tx) error { return nil }, "needs both a vendor and a name"},
		{"no source", SourceKey{"acme", ""}, func(*Tx) error { return nil }, "needs both a vendor and a name"},
		{"empty ticket id", helpdesk, func(tx *Tx) error { return errOf(tx.PutTicket(&item.Ticket{})) }, "empty id"},
		{"empty incident id", helpdesk, func(tx *Tx) error { return errOf(tx.PutIncident(&item.Incident{})) }, "empty id"},
		{"empty maintenance id", helpdesk, func(tx *Tx) error { return errOf(tx.PutMaintenance(&item.Maintenance{})) }, "empty id"},
		{"nil ticket", helpdesk, func(tx *Tx) error { return errOf(tx.PutTicket(nil)) }, "nil ticket"},
		{"nil incident", helpdesk, func(tx *Tx) error { return errOf(tx.PutIncident(nil)) }, "nil incident"},
		{"nil maintenance", helpdesk, func(tx *Tx) error { return errOf(tx.PutMaintenance(nil)) }, "nil maintenance"},
		{"id too long for a key", helpdesk, func(tx *Tx) error {
			return errOf(tx.PutTicket(&item.Ticket{ID: strings.Repeat("x", bolt.MaxKeySize+1)}))
		}, "key too large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertErrorContains(t, s.Update(tc.key, tc.fn), tc.wantErr)
		})
	}
	assertCounts(t, s, helpdesk, 0, 0, 0)
}

func TestOpenRefusesOtherSchemas(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(*bolt.Tx) error
		wantErr string
	}{
		{"newer version", writeSchemaVersion("2"), `schema version "2" found, this build reads version 1 only`},
		{"unknown version", writeSchemaVersion("v1beta"), `schema version "v1beta" found`},
		{"version missing", func(tx *bolt.Tx) error { _, err := tx.CreateBucket(bucketMeta); return err },
			`schema version "" found`},
		{"not our file", func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err },
			"no schema version found (expected 1): not a support_exporter store"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(tc.prepare); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir)
			if err == nil {
				s.Close()
			}
			assertErrorContains(t, err, tc.wantErr)
		})
	}
}

func writeSchemaVersion(v string) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put(keySchemaVersion, []byte(v))
	}
}

func TestOpenRefusesLockedFile(t *testing.T) {
	saved := lockTimeout
	lockTimeout = 50 * time.Millisecond
	t.Cleanup(func() { lockTimeout = saved })

	dir := t.TempDir()
	first, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := Open(dir)
	if err == nil {
		second.Close()
	}
	want := fmt.Sprintf("store %s is locked by another process", filepath.Join(dir, FileName))
	if err == nil || err.Error() != want {
		t.Errorf("second Open error %v, want %q", err, want)
	}
}

// TestPutReportsChanges: writing back an identical item (the same instant in
// another zone included) changes nothing; any real difference does.
func TestPutReportsChanges(t *testing.T) {
	s := openTemp(t)
	k := SourceKey{"acme", "helpdesk"}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	put := func(tk *item.Ticket) bool {
		var changed bool
		update(t, s, k, func(tx *Tx) error {
			var err error
			changed, err = tx.PutTicket(tk)
			return err
		})
		return changed
	}
	if !put(&item.Ticket{ID: "1", CreatedAt: at, Status: item.StatusOpen}) {
		t.Fatal("a new ticket reported unchanged")
	}
	if put(&item.Ticket{ID: "1", CreatedAt: at.In(time.FixedZone("UTC+8", 8*3600)), Status: item.StatusOpen}) {
		t.Fatal("the same ticket in another zone reported changed")
	}
	if !put(&item.Ticket{ID: "1", CreatedAt: at, Status: item.StatusSolved}) {
		t.Fatal("a status change reported unchanged")
	}
	if tk, _, _, _ := s.Counts(k); tk != 1 {
		t.Fatalf("Counts = %d tickets, want 1", tk)
	}
}

func TestSyncedAt(t *testing.T) {
	s := openTemp(t)
	k := SourceKey{"acme", "helpdesk"}
	if at, err := s.SyncedAt(k); err != nil || !at.IsZero() {
		t.Fatalf("SyncedAt before any sync = %v, %v; want zero", at, err)
	}
	at := time.Date(2026, 5, 1, 12, 30, 0, 123, time.FixedZone("x", 3600))
	update(t, s, k, func(tx *Tx) error { return tx.SetSyncedAt(at) })
	got, err := s.SyncedAt(k)
	if err != nil || !got.Equal(at) {
		t.Fatalf("SyncedAt = %v, %v; want %v", got, err, at)
	}
	if other, _ := s.SyncedAt(SourceKey{"acme", "status"}); !other.IsZero() {
		t.Fatal("sync time leaked to another source")
	}
}

// TestRemap: the store works as before after a remap, with everything kept.
func TestRemap(t *testing.T) {
	s := openTemp(t)
	k := SourceKey{"acme", "helpdesk"}
	update(t, s, k, func(tx *Tx) error {
		if err := tx.SetCursor([]byte("c1")); err != nil {
			return err
		}
		return errOf(tx.PutTicket(&item.Ticket{ID: "1", Status: item.StatusOpen}))
	})
	if err := s.Remap(); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Cursor(k); err != nil || string(c) != "c1" {
		t.Fatalf("cursor after remap = %q, %v", c, err)
	}
	update(t, s, k, func(tx *Tx) error { return errOf(tx.PutTicket(&item.Ticket{ID: "2"})) })
	if n, _, _, err := s.Counts(k); err != nil || n != 2 {
		t.Fatalf("tickets after remap = %d, %v; want 2", n, err)
	}
}

func TestStoredTicket(t *testing.T) {
	s := openTemp(t)
	k := SourceKey{"acme", "portal"}
	if tk, err := s.Ticket(k, "7"); err != nil || tk != nil {
		t.Fatalf("Ticket before any = %v, %v; want nil", tk, err)
	}
	update(t, s, k, func(tx *Tx) error { return errOf(tx.PutTicket(&item.Ticket{ID: "7", Status: item.StatusSolved})) })
	tk, err := s.Ticket(k, "7")
	if err != nil || tk == nil || tk.Status != item.StatusSolved {
		t.Fatalf("Ticket = %+v, %v; want the stored solved ticket", tk, err)
	}
	if other, _ := s.Ticket(SourceKey{"acme", "helpdesk"}, "7"); other != nil {
		t.Fatal("another source's ticket was returned")
	}
}

// TestSyncedAtNeverMovesBack: a sync that started before the stored sync
// time (the host's clock stepped back) keeps the stored one.
func TestSyncedAtNeverMovesBack(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k := SourceKey{Vendor: "acme", Source: "helpdesk"}
	later := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{later, later.Add(-time.Hour)} {
		if err := s.Update(k, func(tx *Tx) error { return tx.SetSyncedAt(at) }); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.SyncedAt(k); err != nil || !got.Equal(later) {
		t.Errorf("SyncedAt = %v, %v; want %v", got, err, later)
	}
	if err := s.Update(k, func(tx *Tx) error { return tx.SetSyncedAt(later.Add(time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SyncedAt(k); !got.Equal(later.Add(time.Minute)) {
		t.Errorf("SyncedAt = %v, want it moved forward", got)
	}
}
