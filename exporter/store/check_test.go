package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/item"
)

func TestCheckReportsWhatIsStored(t *testing.T) {
	s, f, path := openFixture(t)
	if _, err := s.Identify(fixtureHelpdesk, "zendesk", "https://acme.zendesk.com"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Check(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Sound() || !r.BboltChecked {
		t.Fatalf("Check: sound %v, bbolt checked %v, problems %q; want a sound store, checked", r.Sound(), r.BboltChecked, r.Problems)
	}
	want := []SourceReport{
		{SourceKey: fixtureHelpdesk, Kind: "zendesk", URL: "https://acme.zendesk.com", Tickets: 3600, Components: -1, Pages: -1,
			Cursor: true, SyncedAt: f.synced[fixtureHelpdesk]},
		{SourceKey: fixtureStatus, Incidents: 1800, Maintenances: 12, Components: 1, Pages: 2, Cursor: true, SyncedAt: f.synced[fixtureStatus]},
		{SourceKey: fixturePortal, Tickets: 3601, Components: -1, Pages: -1, Cursor: true, SyncedAt: f.synced[fixturePortal]},
	}
	assertSame(t, "sources", r.Sources, want)
	assertSame(t, "alerts", r.Alerts, []VendorAlerts{{"acme", 600}, {"globex", 600}})
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("Check changed the file")
	}

	var out strings.Builder
	if err := r.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"store " + path + " is sound\n",
		`  vendor "acme" source "helpdesk" (zendesk https://acme.zendesk.com): 3600 tickets, 0 incidents, 0 maintenances, last complete sync started 2026-01-05T09:11:00Z` + "\n",
		`  vendor "acme" source "status": 0 tickets, 1800 incidents, 12 maintenances, 1 components, 2 pages, last complete sync started 2026-01-05T09:11:00Z` + "\n",
		`  vendor "globex": 600 customer alerts` + "\n",
	} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("report lacks %q:\n%s", line, out.String())
		}
	}
	if strings.Contains(out.String(), "problem") || strings.Contains(out.String(), "mv ") {
		t.Errorf("a sound report names problems or a remedy:\n%s", out.String())
	}
}

// TestCheckFindsRecordProblems: what bbolt's structure cannot show (a
// counter that disagrees with its items, a key this build does not know, a
// value where a bucket belongs) is a problem, named with its bucket.
func TestCheckFindsRecordProblems(t *testing.T) {
	k := SourceKey{"acme", "help/desk"}
	sourceOf := func(tx *bolt.Tx) *bolt.Bucket { return sourceBucket(tx, k) }
	cases := []struct {
		name    string
		damage  func(tx *bolt.Tx) error
		problem string
	}{
		{"counter disagrees", func(tx *bolt.Tx) error { return sourceOf(tx).Bucket(bucketTickets).SetSequence(5) },
			`sources/acme/"help/desk"/tickets: holds 2 tickets, its counter says 5`},
		{"item under another key", func(tx *bolt.Tx) error {
			b := sourceOf(tx).Bucket(bucketTickets)
			if err := b.Put([]byte("3"), ticketRecord.marshal(&item.Ticket{ID: "4"})); err != nil {
				return err
			}
			return b.SetSequence(3)
		}, `sources/acme/"help/desk"/tickets: ticket "3": holds ticket "4": corrupt value`},
		{"value where a vendor belongs", func(tx *bolt.Tx) error { return tx.Bucket(bucketSources).Put([]byte("zeta"), []byte("x")) },
			`sources/zeta: a value where a vendor's bucket belongs`},
		{"value where a source belongs", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketSources).Bucket([]byte("acme")).Put([]byte("s"), []byte("x"))
		},
			`sources/acme/s: a value where a source's bucket belongs`},
		{"value where the items belong", func(tx *bolt.Tx) error {
			if err := sourceOf(tx).DeleteBucket(bucketIncidents); err != nil {
				return err
			}
			return sourceOf(tx).Put(bucketIncidents, []byte("x"))
		}, `sources/acme/"help/desk"/incidents: a value where the incidents bucket belongs`},
		{"sync time of the wrong size", func(tx *bolt.Tx) error { return sourceOf(tx).Put(keySyncedAt, []byte("x")) },
			`sources/acme/"help/desk": sync time of 1 bytes, want 8`},
		{"components garbled", func(tx *bolt.Tx) error { return sourceOf(tx).Put(keyComponents, []byte{recordFormat, 5}) },
			`sources/acme/"help/desk": components: corrupt value`},
		{"pages garbled", func(tx *bolt.Tx) error { return sourceOf(tx).Put(keyPages, []byte{recordFormat, 5}) },
			`sources/acme/"help/desk": pages: corrupt value`},
		{"alert under another start", func(tx *bolt.Tx) error {
			later := time.Unix(60, 0)
			return tx.Bucket(bucketAlerts).Bucket([]byte("acme")).Put(alertSignalKey(AlertSignal{"acme", "other", time.Unix(0, 0)}),
				alertSignalRecord.marshal(&later))
		}, `alerts/acme: alert signal `},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			update(t, s, k, func(tx *Tx) error {
				for _, id := range []string{"1", "2"} {
					if _, err := tx.PutTicket(&item.Ticket{ID: id}); err != nil {
						return err
					}
				}
				if _, err := tx.PutIncident(&item.Incident{ID: "1"}); err != nil {
					return err
				}
				return tx.SetSyncedAt(time.Unix(0, 0))
			})
			if _, err := s.PutAlertSignals([]AlertSignal{{"acme", "fp", time.Unix(0, 0)}}); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			rawUpdate(t, dir, tc.damage)
			r, err := Check(dir)
			if err != nil {
				t.Fatal(err)
			}
			if r.Found != 1 || !strings.HasPrefix(r.Problems[0], tc.problem) {
				t.Errorf("problems %q, want one starting with %q", r.Problems, tc.problem)
			}
			if r.BboltChecked {
				t.Error("bbolt's check ran on a store already found damaged")
			}
		})
	}
}

// rawUpdate changes the store's file with bbolt itself, as damage or
// another build would.
func rawUpdate(t *testing.T, dir string, fn func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckListsTheFirstProblems(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, helpdesk, func(*Tx) error { return nil })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	const bad = maxProblems + 5
	rawUpdate(t, dir, func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketSources).CreateBucketIfNotExists([]byte(helpdesk.Vendor))
		if err != nil {
			return err
		}
		if b, err = b.CreateBucketIfNotExists([]byte(helpdesk.Source)); err != nil {
			return err
		}
		if b, err = b.CreateBucket(bucketTickets); err != nil {
			return err
		}
		for i := range bad {
			if err := b.Put([]byte{byte('a' + i)}, []byte{recordFormat}); err != nil {
				return err
			}
		}
		return b.SetSequence(bad)
	})
	r, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Found != bad || len(r.Problems) != maxProblems {
		t.Fatalf("found %d, listed %d; want %d found, %d listed", r.Found, len(r.Problems), bad, maxProblems)
	}
	var out strings.Builder
	if err := r.Write(&out); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName)
	for _, want := range []string{
		"store " + path + " is damaged: 25 problems\n",
		`  problem: sources/acme/helpdesk/tickets: ticket "a": corrupt value` + "\n",
		"  ... and 5 more problems\n",
		"Stop the exporter, move the file aside (mv " + path + " " + path + ".damaged) and start again",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestCheckCannotRun: no store, or one an exporter holds, is an error (the
// administrator's tool exits 2), not a verdict.
func TestCheckCannotRun(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "data")
	if _, err := Check(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Check of a missing store = %v, want not found", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Check created %s", missing)
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
	_, err = Check(dir)
	if !errors.Is(err, ErrLocked) {
		t.Errorf("Check of a store in use = %v, want ErrLocked", err)
	}
	assertErrorContains(t, err, "stop it first")
}

// TestCheckNotesWhatANewerBuildAdded: keys and buckets this build does not
// know are what a newer build may add without a new schema version
// (layout.go): noted, and the store is still sound, so that nobody moves
// it aside after a rollback.
func TestCheckNotesWhatANewerBuildAdded(t *testing.T) {
	k := SourceKey{Vendor: "acme", Source: "help/desk"}
	sourceOf := func(tx *bolt.Tx) *bolt.Bucket {
		return tx.Bucket(bucketSources).Bucket([]byte(k.Vendor)).Bucket([]byte(k.Source))
	}
	cases := []struct {
		name  string
		add   func(*bolt.Tx) error
		noted string
	}{
		{"a key in a source", func(tx *bolt.Tx) error { return sourceOf(tx).Put([]byte("future"), []byte("x")) },
			`sources/acme/"help/desk": key "future", which this build does not know`},
		{"a bucket at the top", func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("extra")); return err },
			`extra: a bucket this build does not know`},
		{"a key in meta", func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte("migrated"), []byte("1")) },
			`meta: key "migrated", which this build does not know`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			update(t, s, k, func(tx *Tx) error { _, err := tx.PutTicket(&item.Ticket{ID: "1"}); return err })
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			rawUpdate(t, dir, tc.add)
			r, err := Check(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Sound() || len(r.Unknown) != 1 || !strings.HasPrefix(r.Unknown[0], tc.noted) {
				t.Errorf("sound %v, problems %q, notes %q; want sound with the note %q", r.Sound(), r.Problems, r.Unknown, tc.noted)
			}
			var out strings.Builder
			if err := r.Write(&out); err != nil || !strings.Contains(out.String(), "note: "+tc.noted) || strings.Contains(out.String(), "move the file aside") {
				t.Errorf("report:\n%s", out.String())
			}
		})
	}
}
