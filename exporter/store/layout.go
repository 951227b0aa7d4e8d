package store

import (
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// The file's layout. Every name is its own bucket level, never a joined
// string, so any vendor, source or item id (with "/", non-ASCII...) is safe:
//
//	meta/schema_version
//	sources/<vendor>/<source>/cursor
//	sources/<vendor>/<source>/components         component list record
//	sources/<vendor>/<source>/tickets/<id>       ticket record
//	sources/<vendor>/<source>/incidents/<id>     incident record
//	sources/<vendor>/<source>/maintenances/<id>  maintenance record
//	alerts/<vendor>/<fingerprint, startsAt>      alert signal record (alerts.go)
//
// Records are encoded as records.go describes. The alerts bucket is created
// with the first alert signal: a file written before it existed simply has
// none, so it needs no new schema version.
//
// An item bucket's sequence number counts its keys (items are never
// deleted), which keeps Counts cheap on a large store.
var (
	bucketMeta         = []byte("meta")
	keySchemaVersion   = []byte("schema_version")
	bucketSources      = []byte("sources")
	keyCursor          = []byte("cursor")
	keyComponents      = []byte("components")
	keySyncedAt        = []byte("synced_at")
	bucketTickets      = []byte("tickets")
	bucketIncidents    = []byte("incidents")
	bucketMaintenances = []byte("maintenances")
	bucketAlerts       = []byte("alerts")
)

// schemaVersion is the layout and encoding this build reads and writes.
// Bump it on any incompatible change; there are no migrations yet, so any
// other version is refused rather than misread.
const schemaVersion = 1

// ensureSchema records the schema version in a new file and checks it in an
// existing one.
func ensureSchema(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		if !isEmpty(tx) {
			return fmt.Errorf("no schema version found (expected %d): not a support_exporter store", schemaVersion)
		}
		return create(tx)
	}
	found := meta.Get(keySchemaVersion)
	if v, err := strconv.Atoi(string(found)); err != nil || v != schemaVersion {
		return fmt.Errorf("schema version %q found, this build reads version %d only", found, schemaVersion)
	}
	if tx.Bucket(bucketSources) == nil {
		return fmt.Errorf("schema version %d but no %q bucket: the file is damaged", schemaVersion, bucketSources)
	}
	return nil
}

func isEmpty(tx *bolt.Tx) bool {
	k, _ := tx.Cursor().First()
	return k == nil
}

func create(tx *bolt.Tx) error {
	meta, err := tx.CreateBucket(bucketMeta)
	if err != nil {
		return fmt.Errorf("create meta bucket: %w", err)
	}
	if err := meta.Put(keySchemaVersion, []byte(strconv.Itoa(schemaVersion))); err != nil {
		return fmt.Errorf("record schema version: %w", err)
	}
	if _, err := tx.CreateBucket(bucketSources); err != nil {
		return fmt.Errorf("create sources bucket: %w", err)
	}
	return nil
}

// sourceBucket is the source's bucket, nil when nothing was stored for it.
func sourceBucket(tx *bolt.Tx, k SourceKey) *bolt.Bucket {
	vendor := tx.Bucket(bucketSources).Bucket([]byte(k.Vendor))
	if vendor == nil {
		return nil
	}
	return vendor.Bucket([]byte(k.Source))
}

// createSourceBucket is the source's bucket, created when missing.
func createSourceBucket(tx *bolt.Tx, k SourceKey) (*bolt.Bucket, error) {
	vendor, err := tx.Bucket(bucketSources).CreateBucketIfNotExists([]byte(k.Vendor))
	if err != nil {
		return nil, fmt.Errorf("create vendor bucket: %w", err)
	}
	source, err := vendor.CreateBucketIfNotExists([]byte(k.Source))
	if err != nil {
		return nil, fmt.Errorf("create source bucket: %w", err)
	}
	return source, nil
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
