package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// maxProblems is how many problems a Report lists; it counts them all.
const maxProblems = 20

// Report is what Check found in a store.
type Report struct {
	Path    string
	Sources []SourceReport
	Alerts  []VendorAlerts
	Drills  int // off-hours drill records (drills.go)
	// Problems lists the first problems found, each with the bucket it is
	// in; Found counts them (the page walk stops at the first ones: past a
	// damaged page, more are mostly echoes). A store is sound when Found
	// is zero.
	Problems []string
	Found    int
	// Unknown lists what this build does not know: buckets and keys a newer
	// build may have added (layout.go: additions need no new schema
	// version, and older builds ignore them). Noted, not damage: moving the
	// file aside for it would lose what only the store holds.
	Unknown []string
	// BboltChecked: bbolt's own consistency check ran. It runs only over
	// pages the page walk found sound: on a damaged page it would crash.
	BboltChecked bool
}

// SourceReport is one stored source.
type SourceReport struct {
	SourceKey
	Kind, URL                        string // as Identify recorded them
	Tickets, Incidents, Maintenances int
	Components                       int // -1: never set
	Pages                            int // -1: never set
	Cursor                           bool
	SyncedAt                         time.Time // zero: never completely synced
}

// VendorAlerts is how many customer alerts a vendor's bucket holds.
type VendorAlerts struct {
	Vendor string
	Alerts int
}

// Sound says whether Check found nothing wrong.
func (r *Report) Sound() bool { return r.Found == 0 }

// Check verifies the store in dir without changing it, for an
// administrator (support_exporter --storage.check): it walks every page
// (pages.go), decodes every record, checks that item counters and keys
// match the items, and runs bbolt's own consistency check. The Report
// says what is stored and what is wrong; an error means that Check could
// not run: no store there, a store this build cannot read (a newer
// schema), or one an exporter holds. bbolt's lock is exclusive while an
// exporter runs, and Check waits for it as briefly as Open does: stop the
// exporter first. Check never creates the file or its directory.
func Check(dir string) (*Report, error) {
	path := filepath.Join(dir, FileName)
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	r := &Report{Path: path}
	db, err := openReadOnly(path, info)
	if errors.Is(err, ErrLocked) {
		return nil, fmt.Errorf("%w: an exporter holds its store while it runs; stop it first", err)
	}
	if err != nil {
		return r.verdict(err)
	}
	defer db.Close()

	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	if r.Problems, r.Found = walkPages(f, info.Size(), maxProblems); r.Found > 0 {
		// bbolt would read the same pages: it could crash, or loop.
		return r, nil
	}
	if err := guardedView(db, path, checkSchema); err != nil {
		return r.verdict(err)
	}
	s := &Store{db: db, path: path}
	if err := s.view(r.records); err != nil {
		return r.verdict(err)
	}
	if r.Found > 0 {
		return r, nil
	}
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			r.problem("bbolt: %v", err)
		}
		return nil
	})
	r.BboltChecked = err == nil
	return r, err
}

// verdict ends a Check that met an error: damage is a finding, any other
// error means that Check could not run.
func (r *Report) verdict(err error) (*Report, error) {
	var d *damagedError
	if !errors.As(err, &d) {
		return nil, err
	}
	r.problem("%s", d.cause)
	return r, nil
}

func (r *Report) problem(format string, args ...any) {
	r.Found++
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// records decodes everything stored, counting it.
func (r *Report) records(tx *bolt.Tx) error {
	return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		switch string(name) {
		case string(bucketMeta):
			r.unknownKeys(b, []string{string(name)}, keySchemaVersion)
		case string(bucketSources):
			r.vendors(b)
		case string(bucketAlerts):
			r.alerts(b)
		case string(bucketVendors):
			r.vendorSettings(b)
		case string(bucketDrills):
			r.drills(b)
		default:
			r.unknown("%s: a bucket this build does not know", bucketPath([]string{string(name)}))
		}
		return nil
	})
}

// vendorSettings checks what is kept of each vendor's settings
// (vendors.go): a fingerprint and, when set, an 8-byte rebuild time.
func (r *Report) vendorSettings(vendors *bolt.Bucket) {
	_ = vendors.ForEach(func(vendor, v []byte) error {
		path := []string{string(bucketVendors), string(vendor)}
		b := vendors.Bucket(vendor)
		if b == nil {
			r.problem("%s: a value where a vendor's bucket belongs", bucketPath(path))
			return nil
		}
		r.unknownKeys(b, path, keyFingerprint, keyRebuiltAt)
		if at := b.Get(keyRebuiltAt); at != nil && len(at) != 8 {
			r.problem("%s: rebuilt_at of %d bytes, want 8", bucketPath(path), len(at))
		}
		return nil
	})
}

func (r *Report) unknown(format string, args ...any) {
	if len(r.Unknown) < maxProblems {
		r.Unknown = append(r.Unknown, fmt.Sprintf(format, args...))
	}
}

// unknownKeys reports what the bucket holds besides the known keys: a newer
// build wrote it, or it is damage; either way this build cannot vouch for it.
func (r *Report) unknownKeys(b *bolt.Bucket, path []string, known ...[]byte) {
	_ = b.ForEach(func(k, _ []byte) error {
		for _, want := range known {
			if string(k) == string(want) {
				return nil
			}
		}
		r.unknown("%s: key %q, which this build does not know", bucketPath(path), k)
		return nil
	})
}

func (r *Report) vendors(sources *bolt.Bucket) {
	_ = sources.ForEach(func(vendor, v []byte) error {
		path := []string{string(bucketSources), string(vendor)}
		vb := sources.Bucket(vendor)
		if v != nil || vb == nil {
			r.problem("%s: a value where a vendor's bucket belongs", bucketPath(path))
			return nil
		}
		_ = vb.ForEach(func(source, v []byte) error {
			if b := vb.Bucket(source); v == nil && b != nil {
				r.source(SourceKey{Vendor: string(vendor), Source: string(source)}, b)
			} else {
				r.problem("%s: a value where a source's bucket belongs", bucketPath(append(path, string(source))))
			}
			return nil
		})
		return nil
	})
}

func (r *Report) source(k SourceKey, b *bolt.Bucket) {
	path := []string{string(bucketSources), k.Vendor, k.Source}
	sr := SourceReport{SourceKey: k, Kind: string(b.Get(keyKind)), URL: string(b.Get(keyURL)), Components: -1, Pages: -1}
	sr.Cursor = b.Get(keyCursor) != nil
	if v := b.Get(keySyncedAt); v != nil {
		if len(v) != 8 {
			r.problem("%s: sync time of %d bytes, want 8", bucketPath(path), len(v))
		} else {
			sr.SyncedAt = time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
		}
	}
	if v := b.Get(keyComponents); v != nil {
		var c []item.Component
		if err := componentsRecord.unmarshal(v, &c); err != nil {
			r.problem("%s: components: %v", bucketPath(path), err)
		}
		sr.Components = len(c)
	}
	if v := b.Get(keyPages); v != nil {
		var p []item.Page
		if err := pagesRecord.unmarshal(v, &p); err != nil {
			r.problem("%s: pages: %v", bucketPath(path), err)
		}
		sr.Pages = len(p)
	}
	sr.Tickets = countItems(r, b, path, tickets)
	sr.Incidents = countItems(r, b, path, incidents)
	sr.Maintenances = countItems(r, b, path, maintenances)
	r.unknownKeys(b, path, keyCursor, keySyncedAt, keyComponents, keyPages, keyKind, keyURL,
		bucketTickets, bucketIncidents, bucketMaintenances)
	r.Sources = append(r.Sources, sr)
}

// countItems decodes a source's items of one kind, and checks that the
// bucket's counter (its sequence number, layout.go) matches them.
func countItems[T any](r *Report, source *bolt.Bucket, path []string, k kind[T]) int {
	path = append(path[:len(path):len(path)], string(k.bucket))
	if v := source.Get(k.bucket); v != nil {
		r.problem("%s: a value where the %ss bucket belongs", bucketPath(path), k.name)
		return 0
	}
	b := source.Bucket(k.bucket)
	if b == nil {
		return 0
	}
	n := 0
	_ = b.ForEach(func(key, v []byte) error {
		n++
		if v == nil {
			r.problem("%s: a bucket where %s %q belongs", bucketPath(path), k.name, key)
		} else if _, err := decodeItem(k, key, v); err != nil {
			r.problem("%s: %s %q: %v", bucketPath(path), k.name, key, err)
		}
		return nil
	})
	if seq := b.Sequence(); seq != uint64(n) {
		r.problem("%s: holds %d %ss, its counter says %d", bucketPath(path), n, k.name, seq)
	}
	return n
}

func (r *Report) alerts(alerts *bolt.Bucket) {
	_ = alerts.ForEach(func(vendor, v []byte) error {
		path := []string{string(bucketAlerts), string(vendor)}
		b := alerts.Bucket(vendor)
		if v != nil || b == nil {
			r.problem("%s: a value where a vendor's bucket belongs", bucketPath(path))
			return nil
		}
		va := VendorAlerts{Vendor: string(vendor)}
		_ = b.ForEach(func(k, v []byte) error {
			va.Alerts++
			if _, err := decodeAlertSignal(k, v); err != nil {
				r.problem("%s: alert signal %x: %v", bucketPath(path), k, err)
			}
			return nil
		})
		r.Alerts = append(r.Alerts, va)
		return nil
	})
}

// Write prints the report for an administrator: the verdict, what is
// stored, the problems, and for a damaged store what to do.
func (r *Report) Write(w io.Writer) error {
	var b strings.Builder
	if r.Sound() {
		fmt.Fprintf(&b, "store %s is sound\n", r.Path)
	} else {
		fmt.Fprintf(&b, "store %s is damaged: %d problems\n", r.Path, r.Found)
	}
	for _, s := range r.Sources {
		fmt.Fprintf(&b, "  vendor %q source %q", s.Vendor, s.Source)
		if s.Kind != "" {
			fmt.Fprintf(&b, " (%s %s)", s.Kind, s.URL)
		}
		fmt.Fprintf(&b, ": %d tickets, %d incidents, %d maintenances", s.Tickets, s.Incidents, s.Maintenances)
		if s.Components >= 0 {
			fmt.Fprintf(&b, ", %d components", s.Components)
		}
		if s.Pages >= 0 {
			fmt.Fprintf(&b, ", %d pages", s.Pages)
		}
		if !s.SyncedAt.IsZero() {
			fmt.Fprintf(&b, ", last complete sync started %s", s.SyncedAt.Format(time.RFC3339))
		}
		if !s.Cursor {
			b.WriteString(", no cursor")
		}
		b.WriteString("\n")
	}
	for _, a := range r.Alerts {
		fmt.Fprintf(&b, "  vendor %q: %d customer alerts\n", a.Vendor, a.Alerts)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  problem: %s\n", p)
	}
	for _, u := range r.Unknown {
		fmt.Fprintf(&b, "  note: %s (a newer build's, which this one ignores)\n", u)
	}
	if r.Found > len(r.Problems) {
		fmt.Fprintf(&b, "  ... and %d more problems\n", r.Found-len(r.Problems))
	}
	if !r.Sound() {
		fmt.Fprintf(&b, "%s\n", capitalize(remedy(r.Path)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
