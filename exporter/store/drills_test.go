package store

import (
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestDrillsRoundTripDurableAndChecked(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	moment := time.Date(2026, 3, 4, 2, 15, 0, 123, time.UTC)
	d := Drill{ID: "20260304T021500Z-ab12", Source: "helpdesk", Marker: "support-drill-20260304T021500Z-ab12",
		Moment: moment, State: "planned"}
	if err := s.PutDrill("acme", d); err != nil {
		t.Fatal(err)
	}
	// The next step replaces the record under the same id.
	d.State, d.Attempts, d.AttemptAt = "creating", 1, moment
	d.TicketID, d.FiledAt, d.Hours = "4711", moment.Add(time.Second), "off"
	d.RepliedAt, d.Closing, d.EndedAt, d.Reason, d.Target = moment.Add(time.Hour), "posted", moment.Add(time.Hour), "why", "https://x.example"
	d.NotBefore = moment.Add(time.Minute)
	if err := s.PutDrill("acme", d); err != nil {
		t.Fatal(err)
	}
	other := Drill{ID: "x", State: "planned"}
	if err := s.PutDrill("globex", other); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDrill("acme", Drill{}); err == nil {
		t.Error("a drill without an id was stored")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Drills("acme")
	if err != nil {
		t.Fatal(err)
	}
	if want := []Drill{d}; !reflect.DeepEqual(got, want) {
		t.Errorf("after reopening: %+v, want %+v", got, want)
	}
	if none, err := s.Drills("initech"); err != nil || len(none) != 0 {
		t.Errorf("a vendor without drills: %v, %v", none, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Sound() || r.Drills != 2 || len(r.Unknown) != 0 {
		t.Errorf("check: sound %v, drills %d, unknown %q; want sound, 2, none", r.Sound(), r.Drills, r.Unknown)
	}
}

func TestDrillUnderAnotherKeyIsDamage(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutDrill("acme", Drill{ID: "a", State: "planned"}); err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := drillBucket(tx, "acme")
		return b.Put([]byte("b"), b.Get([]byte("a")))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Sound() || !strings.Contains(strings.Join(r.Problems, "\n"), `drill "b"`) {
		t.Errorf("check of a record under another key: %q, want a problem with drill \"b\"", r.Problems)
	}
}

// TestDrillRecordVersions: a record that ends at Reason (written before
// the added fields) reads with an empty Target; one of a version this
// build does not know is damage; the current one round-trips.
func TestDrillRecordVersions(t *testing.T) {
	d := Drill{ID: "a", Source: "helpdesk", Marker: "support-drill-a", State: "creating", Attempts: 1, Reason: "r"}
	e := encoder{}
	e.uint(recordFormat)
	e.string(d.ID)
	e.string(d.Source)
	e.string(d.Marker)
	e.time(d.Moment)
	e.string(d.State)
	e.uint(uint64(d.Attempts))
	e.time(d.AttemptAt)
	e.string(d.TicketID)
	e.time(d.FiledAt)
	e.string(d.Hours)
	e.time(d.RepliedAt)
	e.string(d.Closing)
	e.time(d.EndedAt)
	e.string(d.Reason)
	v0 := append([]byte(nil), e.buf...)
	var got Drill
	if err := drillRecord.unmarshal(v0, &got); err != nil || !reflect.DeepEqual(got, d) {
		t.Fatalf("version 0: %+v, %v; want %+v", got, err, d)
	}
	e.uint(drillFields + 1)
	e.string("https://x.example")
	e.time(time.Time{})
	if err := drillRecord.unmarshal(e.buf, &got); err == nil {
		t.Errorf("a record of version %d read as %+v, want an error", drillFields+1, got)
	}
	d.Target, d.NotBefore = "https://x.example", time.Date(2026, 3, 4, 2, 15, 0, 0, time.UTC)
	got = Drill{}
	if err := drillRecord.unmarshal(drillRecord.marshal(&d), &got); err != nil || !reflect.DeepEqual(got, d) {
		t.Fatalf("current version: %+v, %v; want %+v", got, err, d)
	}
}
