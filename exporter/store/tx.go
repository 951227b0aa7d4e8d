package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// Tx is one source's view of a read-write transaction. It is valid only
// inside the function given to Update.
type Tx struct {
	tx  *bolt.Tx
	key SourceKey
	s   *Store
}

// kind is one of a source's item buckets and how its items are encoded.
type kind[T any] struct {
	bucket []byte
	record[T]
	// id is the item's id, its key: a key that differs from it is damage
	// a page's structure does not show.
	id func(*T) string
}

var (
	tickets      = kind[item.Ticket]{bucketTickets, ticketRecord, func(t *item.Ticket) string { return t.ID }}
	incidents    = kind[item.Incident]{bucketIncidents, incidentRecord, func(i *item.Incident) string { return i.ID }}
	maintenances = kind[item.Maintenance]{bucketMaintenances, maintenanceRecord, func(m *item.Maintenance) string { return m.ID }}
)

// Update runs fn in one read-write transaction for the source: the items it
// puts and the cursor it sets are committed together, durably, or not at
// all. When fn fails, everything is rolled back and fn's error is returned
// unchanged. When a method of Tx finds the file damaged, nothing commits,
// whatever fn returns. Updates run one at a time; keep fn free of network
// I/O.
func (s *Store) Update(k SourceKey, fn func(*Tx) error) error {
	if k.Vendor == "" || k.Source == "" {
		return fmt.Errorf("store: update %s: a source needs both a vendor and a name", describe(k))
	}
	var fnErr error
	err := s.run(true, func(btx *bolt.Tx, g *guard) error {
		fnErr = g.call(func() error { return fn(&Tx{tx: btx, key: k, s: s}) })
		if fnErr != nil {
			return fnErr
		}
		return s.damaged()
	})
	if fnErr != nil {
		return fnErr
	}
	return wrap(err, "store: commit %s", describe(k))
}

// Ticket is the stored ticket with this id, nil when absent.
func (tx *Tx) Ticket(id string) (_ *item.Ticket, err error) {
	defer tx.recoverDamage(&err)
	return getItem[item.Ticket](tx, tickets, id)
}

// PutTicket stores the ticket, replacing any stored under its id. It
// reports whether anything changed: writing back an identical ticket is a
// no-op, so re-fetching unchanged items costs no disk writes.
func (tx *Tx) PutTicket(t *item.Ticket) (changed bool, err error) {
	defer tx.recoverDamage(&err)
	if t == nil {
		return false, fmt.Errorf("store: put nil ticket for %s", describe(tx.key))
	}
	return putItem(tx, tickets, t.ID, t)
}

// Incident is the stored incident with this id, nil when absent.
func (tx *Tx) Incident(id string) (_ *item.Incident, err error) {
	defer tx.recoverDamage(&err)
	return getItem[item.Incident](tx, incidents, id)
}

// PutIncident stores the incident like PutTicket.
func (tx *Tx) PutIncident(i *item.Incident) (changed bool, err error) {
	defer tx.recoverDamage(&err)
	if i == nil {
		return false, fmt.Errorf("store: put nil incident for %s", describe(tx.key))
	}
	return putItem(tx, incidents, i.ID, i)
}

// Maintenance is the stored maintenance with this id, nil when absent.
func (tx *Tx) Maintenance(id string) (_ *item.Maintenance, err error) {
	defer tx.recoverDamage(&err)
	return getItem[item.Maintenance](tx, maintenances, id)
}

// PutMaintenance stores the maintenance like PutTicket.
func (tx *Tx) PutMaintenance(m *item.Maintenance) (changed bool, err error) {
	defer tx.recoverDamage(&err)
	if m == nil {
		return false, fmt.Errorf("store: put nil maintenance for %s", describe(tx.key))
	}
	return putItem(tx, maintenances, m.ID, m)
}

// SetComponents replaces the source's component list.
func (tx *Tx) SetComponents(c []item.Component) (err error) {
	defer tx.recoverDamage(&err)
	if c == nil {
		// Stored as an empty list, so that Load reports "no components"
		// rather than "never set".
		c = []item.Component{}
	}
	return tx.putSourceValue(keyComponents, componentsRecord.marshal(&c))
}

// SetPages replaces the source's page list (a documentation site read
// whole).
func (tx *Tx) SetPages(p []item.Page) (err error) {
	defer tx.recoverDamage(&err)
	if p == nil {
		// Stored as an empty list, so that Load reports "no pages" rather
		// than "never set".
		p = []item.Page{}
	}
	return tx.putSourceValue(keyPages, pagesRecord.marshal(&p))
}

// SetCursor records where the source's next sync resumes. An empty cursor
// clears the stored one: the next sync starts from the beginning.
func (tx *Tx) SetCursor(c []byte) (err error) {
	defer tx.recoverDamage(&err)
	if err := tx.s.damaged(); err != nil {
		return err
	}
	if len(c) == 0 {
		b := sourceBucket(tx.tx, tx.key)
		if b == nil {
			return nil
		}
		if err := b.Delete(keyCursor); err != nil {
			return fmt.Errorf("store: clear cursor of %s: %w", describe(tx.key), err)
		}
		return nil
	}
	// bbolt keeps the value slice until commit; the caller may reuse its own.
	return tx.putSourceValue(keyCursor, append([]byte(nil), c...))
}

// SetSyncedAt records when the source's last complete sync started.
//
// It never moves back: the aggregates judged time-driven values (a
// breach, a settled one-touch) as of the stored instant, and a restart
// judges them again from it, so a sync start earlier than the stored one
// (the host's clock stepped back) keeps the stored instant.
func (tx *Tx) SetSyncedAt(at time.Time) (err error) {
	defer tx.recoverDamage(&err)
	if b := sourceBucket(tx.tx, tx.key); b != nil {
		if v := b.Get(keySyncedAt); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) >= at.UnixNano() {
			return nil
		}
	}
	return tx.putSourceValue(keySyncedAt, binary.BigEndian.AppendUint64(nil, uint64(at.UnixNano())))
}

func (tx *Tx) putSourceValue(key, value []byte) error {
	if err := tx.s.damaged(); err != nil {
		return err
	}
	b, err := createSourceBucket(tx.tx, tx.key)
	if err == nil {
		err = b.Put(key, value)
	}
	if err != nil {
		return fmt.Errorf("store: put %s of %s: %w", key, describe(tx.key), err)
	}
	return nil
}

// getItem decodes the item stored under id, nil when absent.
func getItem[T any](tx *Tx, k kind[T], id string) (*T, error) {
	if err := tx.s.damaged(); err != nil {
		return nil, err // found earlier in this transaction, or by another
	}
	source := sourceBucket(tx.tx, tx.key)
	if source == nil {
		return nil, nil
	}
	b := source.Bucket(k.bucket)
	if b == nil {
		return nil, nil
	}
	v := b.Get([]byte(id))
	// A replay's reads by key are scattered: each one maps in the pages
	// around the record's leaf too (faultAround), whatever its size; so
	// does a miss (an ingest's new item).
	tx.s.noteRead(tx.tx, faultAround+len(v))
	if v == nil {
		return nil, nil
	}
	item, err := decodeItem(k, []byte(id), v)
	if err != nil {
		what := fmt.Sprintf("%s %q of %s", k.name, id, describe(tx.key))
		return nil, wrap(tx.s.decodeFailed(what, err), "store: decode %s", what)
	}
	return item, nil
}

// decodeItem decodes the item stored under key: one whose id is not its
// key is as corrupt as one that does not decode.
func decodeItem[T any](k kind[T], key, v []byte) (*T, error) {
	item := new(T)
	if err := k.unmarshal(v, item); err != nil {
		return nil, err
	}
	if id := k.id(item); id != string(key) {
		return nil, fmt.Errorf("holds %s %q: %w", k.name, id, errCorrupt)
	}
	return item, nil
}

// putItem stores item under id, counts it when the id is new, and reports
// whether the stored bytes changed.
func putItem[T any](tx *Tx, k kind[T], id string, item *T) (bool, error) {
	if err := tx.s.damaged(); err != nil {
		return false, err
	}
	if id == "" {
		return false, fmt.Errorf("store: put %s for %s: empty id", k.name, describe(tx.key))
	}
	changed, err := tx.putEncoded(k.bucket, []byte(id), k.marshal(item))
	if err != nil {
		return false, fmt.Errorf("store: put %s %q of %s: %w", k.name, id, describe(tx.key), err)
	}
	return changed, nil
}

// putEncoded stores one encoded item; the value must stay untouched until
// the commit, as bbolt keeps a reference to it.
func (tx *Tx) putEncoded(items, key, value []byte) (bool, error) {
	source, err := createSourceBucket(tx.tx, tx.key)
	if err != nil {
		return false, err
	}
	b, err := source.CreateBucketIfNotExists(items)
	if err != nil {
		return false, fmt.Errorf("create bucket: %w", err)
	}
	old := b.Get(key) // stored values are never empty
	tx.s.noteRead(tx.tx, faultAround+len(old))
	if bytes.Equal(old, value) {
		return false, nil
	}
	if err := b.Put(key, value); err != nil {
		return false, err
	}
	if old == nil {
		return true, b.SetSequence(b.Sequence() + 1)
	}
	return true, nil
}
