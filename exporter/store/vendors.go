package store

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The vendors bucket holds what the exporter keeps of each vendor's
// settings between runs, created with the first write (a file written
// before it existed simply has none, and older builds never read it):
//
//	vendors/<vendor>/fingerprint   config.Config.Fingerprint of the settings last applied
//	vendors/<vendor>/rebuilt_at    when a change of settings last moved its counters (Unix ns)
var (
	bucketVendors  = []byte("vendors")
	keyFingerprint = []byte("fingerprint")
	keyRebuiltAt   = []byte("rebuilt_at")
)

// VendorSettings is what the store keeps of a vendor's settings.
type VendorSettings struct {
	// Fingerprint of the settings last applied; empty when none was kept.
	Fingerprint string
	// RebuiltAt is when a change of settings last recomputed the vendor's
	// counters to other values (support_aggregates_rebuilt_timestamp_seconds);
	// zero when never.
	RebuiltAt time.Time
}

// VendorSettings reads what is kept of a vendor's settings.
func (s *Store) VendorSettings(vendor string) (VendorSettings, error) {
	var v VendorSettings
	err := s.view(func(tx *bolt.Tx) error {
		vendors := tx.Bucket(bucketVendors)
		if vendors == nil {
			return nil
		}
		b := vendors.Bucket([]byte(vendor))
		if b == nil {
			return nil
		}
		v.Fingerprint = string(b.Get(keyFingerprint))
		if at := b.Get(keyRebuiltAt); len(at) == 8 {
			v.RebuiltAt = time.Unix(0, int64(binary.BigEndian.Uint64(at))).UTC()
		}
		return nil
	})
	if err != nil {
		return VendorSettings{}, fmt.Errorf("store: read settings of vendor %q: %w", vendor, err)
	}
	return v, nil
}

// SetVendorSettings keeps the settings of each vendor of m, in one
// transaction: all of them or none.
func (s *Store) SetVendorSettings(m map[string]VendorSettings) error {
	err := s.run(true, func(tx *bolt.Tx, _ *guard) error {
		vendors, err := tx.CreateBucketIfNotExists(bucketVendors)
		if err != nil {
			return err
		}
		for vendor, v := range m {
			b, err := vendors.CreateBucketIfNotExists([]byte(vendor))
			if err != nil {
				return err
			}
			if err := b.Put(keyFingerprint, []byte(v.Fingerprint)); err != nil {
				return err
			}
			if v.RebuiltAt.IsZero() {
				err = b.Delete(keyRebuiltAt)
			} else {
				err = b.Put(keyRebuiltAt, binary.BigEndian.AppendUint64(nil, uint64(v.RebuiltAt.UnixNano())))
			}
			if err != nil {
				return fmt.Errorf("vendor %q: %w", vendor, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: keep vendor settings: %w", err)
	}
	return nil
}
