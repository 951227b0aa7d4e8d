package store

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestFormat6StoreReadsWithoutTitles: a store whose incident and
// maintenance records a format-6 build wrote (testdata/*_format6.hex, the
// bytes main wrote at 6c3c628) opens, checks sound and reads them with
// empty titles and every other field as written; the next version its
// collector stores carries the title, in format 7.
func TestFormat6StoreReadsWithoutTitles(t *testing.T) {
	dir := t.TempDir()
	k := SourceKey{"acme", "status"}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(k, func(tx *Tx) error {
		if _, err := tx.PutIncident(fullIncident(t, "1")); err != nil {
			return err
		}
		_, err := tx.PutMaintenance(fullMaintenance(t, "1"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Replace the records by those of the format-6 build.
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		source := tx.Bucket(bucketSources).Bucket([]byte(k.Vendor)).Bucket([]byte(k.Source))
		for bucket, file := range map[string]string{"incidents": "incident_format6.hex", "maintenances": "maintenance_format6.hex"} {
			if err := source.Bucket([]byte(bucket)).Put([]byte("1"), readHex(t, file)); err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}

	report, err := Check(dir)
	if err != nil || !report.Sound() {
		t.Fatalf("Check of a format-6 store: %+v, %v", report, err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var incidents []*item.Incident
	var maintenances []*item.Maintenance
	if err := s.Load(k, Handlers{
		Incident:    func(i *item.Incident) error { incidents = append(incidents, i); return nil },
		Maintenance: func(m *item.Maintenance) error { maintenances = append(maintenances, m); return nil },
	}); err != nil {
		t.Fatal(err)
	}
	if len(incidents) != 1 || len(maintenances) != 1 {
		t.Fatalf("loaded %d incidents, %d maintenances, want 1 and 1", len(incidents), len(maintenances))
	}
	assertSame(t, "format-6 incident", incidents[0], format6Incident(t))
	assertSame(t, "format-6 maintenance", maintenances[0], format6Maintenance(t))

	// The collector's next version brings the title.
	if err := s.Update(k, func(tx *Tx) error {
		changed, err := tx.PutIncident(fullIncident(t, "1"))
		if err == nil && !changed {
			t.Error("storing the titled version changed nothing")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Incident(k, "1")
	if err != nil {
		t.Fatal(err)
	}
	if want := fullIncident(t, "1").Title; got.Title != want {
		t.Errorf("title after the next store = %q, want %q", got.Title, want)
	}
}

func readHex(t *testing.T, file string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	data, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
