package store

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRecords feeds arbitrary bytes to every record decoder: a value read
// from disk may be damaged, and must be refused with an error, never
// panic or allocate beyond its length. A value that decodes is written
// again (in today's format) and must decode; from then on it is stable:
// written and read again, it reads the same. (The first trip may complete
// it: a ticket read from a record before format 5 has no pinned vendor
// replies, and is written with those its timeline shows, records.go.) The
// seeds are the format fixtures of testdata (every format still read) and
// today's encoding of the full fixtures, so `go test` runs them without
// -fuzz.
func FuzzRecords(f *testing.F) {
	files, err := filepath.Glob("testdata/*.hex")
	if err != nil || len(files) == 0 {
		f.Fatalf("format fixtures: %v, %d files", err, len(files))
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		data, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		f.Add(data)
	}
	f.Add(ticketRecord.marshal(fullTicket(f, "1")))
	f.Add(incidentRecord.marshal(fullIncident(f, "i")))
	f.Add(maintenanceRecord.marshal(fullMaintenance(f, "m")))
	f.Add(componentsRecord.marshal(ptr(fullComponents())))
	f.Add(pagesRecord.marshal(ptr(fullPages(f))))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, ticketRecord, data)
		roundTrip(t, incidentRecord, data)
		roundTrip(t, maintenanceRecord, data)
		roundTrip(t, componentsRecord, data)
		roundTrip(t, pagesRecord, data)
	})
}

// roundTrip decodes data with r; if it decodes, what it writes back
// decodes, and reads the same after one more trip.
func roundTrip[T any](t *testing.T, r record[T], data []byte) {
	t.Helper()
	var first T
	if r.unmarshal(data, &first) != nil {
		return
	}
	var second, third T
	if err := r.unmarshal(r.marshal(&first), &second); err != nil {
		t.Fatalf("%s: a decoded value written again does not decode: %v", r.name, err)
	}
	if err := r.unmarshal(r.marshal(&second), &third); err != nil {
		t.Fatalf("%s: a value written twice does not decode: %v", r.name, err)
	}
	assertSame(t, r.name+" written again", third, second)
	if t.Failed() {
		t.FailNow()
	}
}
