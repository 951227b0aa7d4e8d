package store

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"
)

// loadAlertStarts is every start stored for a vendor, sorted (Load goes in
// key order, fingerprint first).
func loadAlertStarts(t *testing.T, s *Store, vendor string) []time.Time {
	t.Helper()
	var out []time.Time
	if err := s.LoadAlertSignals(vendor, func(at time.Time) error { out = append(out, at); return nil }); err != nil {
		t.Fatal(err)
	}
	return sortedUTC(out)
}

func sortedUTC(ts []time.Time) []time.Time {
	var out []time.Time
	for _, t := range ts {
		out = append(out, t.UTC())
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

func TestAlertSignalsRoundTripAndDedupe(t *testing.T) {
	start := at(t, "Asia/Shanghai", 2, 9) // nanoseconds and a zone: both must survive
	later := start.Add(time.Hour)
	steps := []struct {
		name    string
		put     []AlertSignal
		added   []bool
		stored  map[string][]time.Time // vendor -> starts, after the step
		reopen  bool                   // close and reopen the file before checking
		wantErr bool
	}{
		{
			name:   "new signals",
			put:    []AlertSignal{{"acme", "fp1", start}, {"acme", "fp2", start}, {"globex", "fp1", start}},
			added:  []bool{true, true, true},
			stored: map[string][]time.Time{"acme": {start, start}, "globex": {start}},
		},
		{
			name:   "a re-delivery is a duplicate, a new start of the same alert is not",
			put:    []AlertSignal{{"acme", "fp1", start.In(time.UTC)}, {"acme", "fp1", later}},
			added:  []bool{false, true},
			stored: map[string][]time.Time{"acme": {start, start, later}, "globex": {start}},
		},
		{
			name:   "a repeat inside one call counts once",
			put:    []AlertSignal{{"acme", "fp3", later}, {"acme", "fp3", later}},
			added:  []bool{true, false},
			stored: map[string][]time.Time{"acme": {start, start, later, later}, "globex": {start}},
		},
		{
			name:    "a bad signal stores none of the call",
			put:     []AlertSignal{{"acme", "fp4", later}, {"acme", "", later}},
			wantErr: true,
			stored:  map[string][]time.Time{"acme": {start, start, later, later}, "globex": {start}},
		},
		{
			name:   "signals survive a reopen",
			reopen: true,
			stored: map[string][]time.Time{"acme": {start, start, later, later}, "globex": {start}, "initech": nil},
		},
	}
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	for _, step := range steps {
		if step.reopen {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if s, err = Open(dir); err != nil {
				t.Fatal(err)
			}
		}
		if step.put != nil {
			added, err := s.PutAlertSignals(step.put)
			if (err != nil) != step.wantErr {
				t.Fatalf("%s: PutAlertSignals error = %v, want error %v", step.name, err, step.wantErr)
			}
			if !reflect.DeepEqual(added, step.added) {
				t.Errorf("%s: added = %v, want %v", step.name, added, step.added)
			}
		}
		for vendor, want := range step.stored {
			if got, want := loadAlertStarts(t, s, vendor), sortedUTC(want); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: vendor %s holds %v, want %v", step.name, vendor, got, want)
			}
		}
	}
}

func TestLoadAlertSignalsStopsOnHandlerError(t *testing.T) {
	s := openTemp(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if _, err := s.PutAlertSignals([]AlertSignal{{"acme", "a", now}, {"acme", "b", now}}); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	calls := 0
	err := s.LoadAlertSignals("acme", func(time.Time) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("LoadAlertSignals = %v after %d calls, want the handler's error after 1", err, calls)
	}
}

// Alert signals live beside the sources: listing sources and rebuilding
// them must not see the alerts bucket.
func TestAlertSignalsAreNoSource(t *testing.T) {
	s := openTemp(t)
	if _, err := s.PutAlertSignals([]AlertSignal{{"acme", "a", time.Unix(0, 0)}}); err != nil {
		t.Fatal(err)
	}
	keys, err := s.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Errorf("Sources() = %v, want none", keys)
	}
}
