package store

import bolt "go.etcd.io/bbolt"

// Readers of the store that only its tests use: the exporter reads the
// store through Load and the other methods of store.go.

// Sources lists every source with data or an identity (Identify), sorted
// by vendor, then source.
func (s *Store) Sources() ([]SourceKey, error) {
	var keys []SourceKey
	err := s.view(func(tx *bolt.Tx) error {
		vendors := tx.Bucket(bucketSources)
		return vendors.ForEachBucket(func(vendor []byte) error {
			return vendors.Bucket(vendor).ForEachBucket(func(source []byte) error {
				keys = append(keys, SourceKey{Vendor: string(vendor), Source: string(source)})
				return nil
			})
		})
	})
	if err != nil {
		return nil, wrap(err, "store: list sources")
	}
	return keys, nil
}

// Counts is how many tickets, incidents and maintenances the source holds,
// read from the item buckets' counters (layout.go).
func (s *Store) Counts(k SourceKey) (tickets, incidents, maintenances int, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		b := sourceBucket(tx, k)
		tickets = itemCount(b, bucketTickets)
		incidents = itemCount(b, bucketIncidents)
		maintenances = itemCount(b, bucketMaintenances)
		return nil
	})
	if err != nil {
		return 0, 0, 0, wrap(err, "store: count items of %s", describe(k))
	}
	return tickets, incidents, maintenances, nil
}

// itemCount is the number of items in one of a source's item buckets; the
// source bucket may be nil.
func itemCount(source *bolt.Bucket, items []byte) int {
	if source == nil {
		return 0
	}
	b := source.Bucket(items)
	if b == nil {
		return 0
	}
	return int(b.Sequence())
}
