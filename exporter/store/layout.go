package store

import (
	"errors"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// The file's layout. Every name is its own bucket level, never a joined
// string, so any vendor, source or item id (with "/", non-ASCII...) is safe:
//
//	meta/schema_version                          "1"
//	sources/<vendor>/<source>/cursor             the collector's bytes
//	sources/<vendor>/<source>/synced_at          Unix nanoseconds, 8 bytes big-endian
//	sources/<vendor>/<source>/kind               the source's kind, "zendesk" (identity.go)
//	sources/<vendor>/<source>/url                its URL, without credentials or query
//	sources/<vendor>/<source>/components         component list record
//	sources/<vendor>/<source>/pages              page list record (a documentation site)
//	sources/<vendor>/<source>/tickets/<id>       ticket record
//	sources/<vendor>/<source>/incidents/<id>     incident record
//	sources/<vendor>/<source>/maintenances/<id>  maintenance record
//	alerts/<vendor>/<fingerprint, startsAt>      alert signal record (alerts.go)
//	vendors/<vendor>/fingerprint                 the settings last applied (vendors.go)
//	vendors/<vendor>/rebuilt_at                  Unix nanoseconds, 8 bytes big-endian
//	drills/<vendor>/<drill id>                   off-hours drill record (drills.go)
//
// Records are encoded as records.go describes; an item's key is its id,
// and a record stored under another id is damage (damage.go). The alerts
// bucket is created with the first alert signal, the vendors bucket with
// the first settings kept, a source's kind and url when Identify first
// sees it: a file written before they existed simply has none, so they
// need no new schema version.
//
// An item bucket's sequence number counts its keys (items are never
// deleted); Check verifies it.
//
// Check (check.go) knows every name above and reports any other: a name
// added here must be added there.
var (
	bucketMeta         = []byte("meta")
	keySchemaVersion   = []byte("schema_version")
	bucketSources      = []byte("sources")
	keyCursor          = []byte("cursor")
	keyComponents      = []byte("components")
	keyPages           = []byte("pages")
	keySyncedAt        = []byte("synced_at")
	keyKind            = []byte("kind")
	keyURL             = []byte("url")
	bucketTickets      = []byte("tickets")
	bucketIncidents    = []byte("incidents")
	bucketMaintenances = []byte("maintenances")
	bucketAlerts       = []byte("alerts")
)

// schemaVersion is the layout and encoding this build reads and writes.
// Bump it on any incompatible change; there are no migrations yet, so any
// other version is refused rather than misread. Keys added to a bucket
// without one (the alerts bucket, a source's kind and url) need no bump:
// older builds read what they know by name and never see the rest.
const schemaVersion = 1

// schemaProblem is a file whose schema this build cannot use: damage, or
// a version from a newer build (not damage: that build reads it).
type schemaProblem struct {
	msg    string
	damage bool
}

func (p *schemaProblem) Error() string { return p.msg }

// ensureSchema records the schema version in a new file and checks it in an
// existing one.
func ensureSchema(tx *bolt.Tx) error {
	if tx.Bucket(bucketMeta) == nil && isEmpty(tx) {
		return create(tx)
	}
	return checkSchema(tx)
}

// checkSchema checks the schema version of an existing file.
func checkSchema(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return &schemaProblem{fmt.Sprintf("no schema version found (expected %d): not a support_exporter store", schemaVersion), true}
	}
	found := meta.Get(keySchemaVersion)
	v, err := strconv.Atoi(string(found))
	switch {
	case err == nil && v > schemaVersion:
		return &schemaProblem{fmt.Sprintf("schema version %q found, this build reads version %d only: "+
			"a newer build wrote it, run that one", found, schemaVersion), false}
	case err != nil || v != schemaVersion:
		return &schemaProblem{fmt.Sprintf("schema version %q found, this build reads version %d only", found, schemaVersion), true}
	case tx.Bucket(bucketSources) == nil:
		return &schemaProblem{fmt.Sprintf("schema version %d but no %q bucket", schemaVersion, bucketSources), true}
	}
	return nil
}

// schemaError names the file in a schema problem, as damage when it is.
func schemaError(path string, err error) error {
	var p *schemaProblem
	switch {
	case errors.As(err, &p) && p.damage:
		return damaged(path, p.msg)
	case errors.As(err, &p):
		return fmt.Errorf("store %s: %s", path, p.msg)
	case err == nil || errors.Is(err, ErrDamaged):
		return err
	}
	return fmt.Errorf("store %s: %w", path, err)
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
