package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The drills bucket holds each vendor's off-hours drills (exporter/drill),
// created with the first plan (a file written before it existed has none,
// and older builds never read it):
//
//	drills/<vendor>/<drill id>   drill record
//
// A drill is written before every step that writes to the vendor, so that
// a crash at any point leaves a record saying what may have been sent.
var bucketDrills = []byte("drills")

// Drill is one drill's record.
type Drill struct {
	ID     string // the key; sorts by plan time
	Source string // the ticket source it files through
	Marker string // in the subject and body; what Find looks for
	// Moment is the planned off-hours moment.
	Moment time.Time
	State  string // exporter/drill's states and results
	// Attempts counts the creates sent (or about to be: the record is
	// written before the call); AttemptAt is the last one's start.
	Attempts  int
	AttemptAt time.Time
	// TicketID and FiledAt: the ticket the vendor holds and its creation
	// time, once known; Hours is "business" or "off" at FiledAt in the
	// vendor's calendar.
	TicketID string
	FiledAt  time.Time
	Hours    string
	// RepliedAt is the first human vendor reply; zero until then.
	RepliedAt time.Time
	// Closing is "" (not yet), "posting" (written before the call: never
	// sent twice) or "posted".
	Closing string
	// EndedAt is when the result was decided; zero while running.
	EndedAt time.Time
	// Reason says why a drill was skipped or failed, for the log and the
	// report; never a label.
	Reason string
	// Target is where the drill files and looks (source.Creator's
	// Target: base URL, repository or service desk); a drill never
	// searches or creates elsewhere. Empty in records written before it.
	Target string
	// NotBefore: no create is sent before it (the vendor's Retry-After
	// after a create it refused unsent: a rate limit). Zero: none.
	NotBefore time.Time
}

var drillRecord = record[Drill]{"drill", encodeDrill, decodeDrill}

// drillFields versions the fields added to the drill record after its
// first release (ID to Reason): after Reason a record holds this version,
// then the fields of every version up to it, so that a later version can
// add more. A record that ends at Reason (version 0) has none: its Target
// is empty (exporter/drill takes it for the current target, once).
//
//	1: Target, NotBefore
const drillFields = 1

func encodeDrill(e *encoder, d *Drill) {
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
	e.uint(drillFields)
	e.string(d.Target)
	e.time(d.NotBefore)
}

func decodeDrill(dec *decoder, d *Drill) {
	d.ID = dec.string()
	d.Source = dec.string()
	d.Marker = dec.string()
	d.Moment = dec.time()
	d.State = dec.string()
	d.Attempts = int(dec.uint())
	d.AttemptAt = dec.time()
	d.TicketID = dec.string()
	d.FiledAt = dec.time()
	d.Hours = dec.string()
	d.RepliedAt = dec.time()
	d.Closing = dec.string()
	d.EndedAt = dec.time()
	d.Reason = dec.string()
	if len(dec.buf) == 0 {
		return // version 0: written before the added fields
	}
	switch v := dec.uint(); {
	case v < 1 || v > drillFields:
		dec.fail() // not a version this build knows
	default:
		d.Target = dec.string()
		d.NotBefore = dec.time()
	}
}

// PutDrill stores a vendor's drill, replacing its earlier record, and
// returns once it is durable.
func (s *Store) PutDrill(vendor string, d Drill) error {
	if d.ID == "" {
		return fmt.Errorf("store: drill of vendor %q without an id", vendor)
	}
	err := s.run(true, func(tx *bolt.Tx, _ *guard) error {
		drills, err := tx.CreateBucketIfNotExists(bucketDrills)
		if err != nil {
			return err
		}
		b, err := drills.CreateBucketIfNotExists([]byte(vendor))
		if err != nil {
			return err
		}
		return b.Put([]byte(d.ID), drillRecord.marshal(&d))
	})
	return wrap(err, "store: put drill %q of vendor %q", d.ID, vendor)
}

// Drills reads every drill of the vendor, oldest id first.
func (s *Store) Drills(vendor string) ([]Drill, error) {
	var out []Drill
	err := s.view(func(tx *bolt.Tx) error {
		b := drillBucket(tx, vendor)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			d, err := decodeDrillAt(k, v)
			if err != nil {
				what := fmt.Sprintf("drill %q of vendor %q", k, vendor)
				return wrap(s.decodeFailed(what, err), "decode %s", what)
			}
			out = append(out, d)
			return nil
		})
	})
	return out, wrap(err, "store: read drills of vendor %q", vendor)
}

// decodeDrillAt decodes the record stored under key k: a record holding
// another id is as corrupt as one that does not decode.
func decodeDrillAt(k, v []byte) (Drill, error) {
	var d Drill
	if v == nil {
		return d, fmt.Errorf("a bucket where a drill record belongs: %w", errCorrupt)
	}
	if err := drillRecord.unmarshal(v, &d); err != nil {
		return Drill{}, err
	}
	if d.ID != string(k) {
		return Drill{}, fmt.Errorf("record of drill %q under key %q: %w", d.ID, k, errCorrupt)
	}
	return d, nil
}

func drillBucket(tx *bolt.Tx, vendor string) *bolt.Bucket {
	drills := tx.Bucket(bucketDrills)
	if drills == nil {
		return nil
	}
	return drills.Bucket([]byte(vendor))
}

// drills checks every drill record (check.go).
func (r *Report) drills(drills *bolt.Bucket) {
	_ = drills.ForEach(func(vendor, v []byte) error {
		path := []string{string(bucketDrills), string(vendor)}
		b := drills.Bucket(vendor)
		if v != nil || b == nil {
			r.problem("%s: a value where a vendor's bucket belongs", bucketPath(path))
			return nil
		}
		_ = b.ForEach(func(k, v []byte) error {
			r.Drills++
			if _, err := decodeDrillAt(k, v); err != nil {
				r.problem("%s: drill %q: %v", bucketPath(path), k, err)
			}
			return nil
		})
		return nil
	})
}
