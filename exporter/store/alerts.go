package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AlertSignal is a customer alert received on the Alertmanager webhook: a
// customer signal for its vendor since StartsAt. Alertmanager names an alert
// by the fingerprint of its labels; the same alert firing again later is a
// new signal with a new StartsAt.
type AlertSignal struct {
	Vendor      string
	Fingerprint string
	StartsAt    time.Time
}

// alertSignalKey identifies a signal within its vendor's bucket: the
// fingerprint and the start, length-prefixed so that no two pairs share a
// key whatever the fingerprint holds.
func alertSignalKey(a AlertSignal) []byte {
	e := encoder{buf: make([]byte, 0, len(a.Fingerprint)+16)}
	e.string(a.Fingerprint)
	e.time(a.StartsAt)
	return e.buf
}

// alertSignalRecord holds the start again, so that loading needs no key
// parsing.
var alertSignalRecord = record[time.Time]{
	name:   "alert signal",
	encode: func(e *encoder, t *time.Time) { e.time(*t) },
	decode: func(d *decoder, t *time.Time) { *t = d.time() },
}

// PutAlertSignals stores signals in one transaction: all of them, durably,
// or none. added[i] reports whether signals[i] was new; one already stored
// (same vendor, fingerprint and start: a re-delivery, or Alertmanager
// resending a group) is a duplicate, as is a repeat within signals.
func (s *Store) PutAlertSignals(signals []AlertSignal) (added []bool, err error) {
	added = make([]bool, len(signals))
	err = s.run(true, func(tx *bolt.Tx, _ *guard) error {
		for i, a := range signals {
			if a.Vendor == "" || a.Fingerprint == "" {
				return fmt.Errorf("alert signal %d: vendor and fingerprint are required", i)
			}
			isNew, err := putAlertSignal(tx, a)
			if err != nil {
				return fmt.Errorf("vendor %q alert %q: %w", a.Vendor, a.Fingerprint, err)
			}
			added[i] = isNew
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, "store: put alert signals")
	}
	return added, nil
}

func putAlertSignal(tx *bolt.Tx, a AlertSignal) (bool, error) {
	alerts, err := tx.CreateBucketIfNotExists(bucketAlerts)
	if err != nil {
		return false, err
	}
	b, err := alerts.CreateBucketIfNotExists([]byte(a.Vendor))
	if err != nil {
		return false, err
	}
	key := alertSignalKey(a)
	if b.Get(key) != nil {
		return false, nil
	}
	return true, b.Put(key, alertSignalRecord.marshal(&a.StartsAt))
}

// LoadAlertSignals streams the start of every signal stored for the
// vendor, for rebuilding aggregates, in key order. Like Load, it runs in
// one read transaction: handle must not write to the store.
func (s *Store) LoadAlertSignals(vendor string, handle func(startsAt time.Time) error) error {
	err := s.run(false, func(tx *bolt.Tx, g *guard) error {
		b := alertBucket(tx, vendor)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			at, err := s.alertSignal(vendor, k, v)
			if err != nil {
				return err
			}
			if err := g.call(func() error { return handle(at) }); err != nil {
				return fmt.Errorf("alert signal at %s: %w", at.Format(time.RFC3339Nano), err)
			}
			return nil
		})
	})
	return wrap(err, "store: load alert signals of vendor %q", vendor)
}

// alertSignal decodes one stored signal's start.
func (s *Store) alertSignal(vendor string, k, v []byte) (time.Time, error) {
	at, err := decodeAlertSignal(k, v)
	if err != nil {
		what := fmt.Sprintf("alert signal %x of vendor %q", k, vendor)
		return time.Time{}, wrap(s.decodeFailed(what, err), "decode %s", what)
	}
	return at, nil
}

// decodeAlertSignal decodes a stored signal's start: a key that holds
// another start is as corrupt as a value that does not decode.
func decodeAlertSignal(k, v []byte) (time.Time, error) {
	var at time.Time
	if err := alertSignalRecord.unmarshal(v, &at); err != nil {
		return time.Time{}, err
	}
	d := decoder{buf: k}
	d.string()
	if keyAt := d.time(); d.finish() != nil || !keyAt.Equal(at) {
		return time.Time{}, fmt.Errorf("its key holds another start: %w", errCorrupt)
	}
	return at, nil
}

// alertBucket is the vendor's alert signal bucket, nil when none was stored.
func alertBucket(tx *bolt.Tx, vendor string) *bolt.Bucket {
	alerts := tx.Bucket(bucketAlerts)
	if alerts == nil {
		return nil
	}
	return alerts.Bucket([]byte(vendor))
}
