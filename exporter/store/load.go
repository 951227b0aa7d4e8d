package store

import (
	"fmt"
	"unsafe"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// Handlers receive what Load streams; a nil handler skips that kind. Each
// item is freshly decoded, so a handler may keep it. A handler's error stops
// Load and is returned wrapped.
type Handlers struct {
	Ticket      func(*item.Ticket) error
	Incident    func(*item.Incident) error
	Maintenance func(*item.Maintenance) error
	Components  func([]item.Component) error
	Pages       func([]item.Page) error
}

// Load streams everything stored for one source, for rebuilding aggregates
// at start-up: tickets, incidents and maintenances in id byte order, then
// the component list and the page list when they were set. Items are
// decoded one at a time, so memory does not grow with their number, and
// neither does the resident set (noteRead). Load runs in one read
// transaction: handlers must not call Update, which could wait for it.
func (s *Store) Load(k SourceKey, h Handlers) error {
	err := s.run(false, func(btx *bolt.Tx, g *guard) error {
		source := sourceBucket(btx, k)
		if source == nil {
			return nil
		}
		info := btx.DB().Info()
		l := &loader{s: s, g: g, tx: btx, key: k, source: source, base: info.Data, pageSize: uintptr(info.PageSize), leaf: ^uintptr(0)}
		if err := loadItems(l, tickets, h.Ticket); err != nil {
			return err
		}
		if err := loadItems(l, incidents, h.Incident); err != nil {
			return err
		}
		if err := loadItems(l, maintenances, h.Maintenance); err != nil {
			return err
		}
		if err := l.components(h.Components); err != nil {
			return err
		}
		return l.pages(h.Pages)
	})
	return wrap(err, "store: load %s", describe(k))
}

// loader is one source's Load.
type loader struct {
	s      *Store
	g      *guard
	tx     *bolt.Tx
	key    SourceKey
	source *bolt.Bucket
	// base and pageSize locate a value in the map (the transaction pins
	// it); leaf is the page of the last record read.
	base, pageSize, leaf uintptr
}

func loadItems[T any](l *loader, k kind[T], handle func(*T) error) error {
	if handle == nil {
		return nil
	}
	b := l.source.Bucket(k.bucket)
	if b == nil {
		return nil
	}
	return b.ForEach(func(id, v []byte) error {
		item, err := decodeItem(k, id, v)
		if err != nil {
			what := fmt.Sprintf("%s %q of %s", k.name, id, describe(l.key))
			return wrap(l.s.decodeFailed(what, err), "decode %s %q", k.name, id)
		}
		if err := l.g.call(func() error { return handle(item) }); err != nil {
			return fmt.Errorf("%s %q: %w", k.name, id, err)
		}
		l.s.noteRead(l.tx, l.mapped(v))
		return nil
	})
}

// mapped estimates the bytes of the map that reading v mapped in: the
// record, and on the first record of a leaf page the pages the fault on it
// mapped around it (faultAround). A store written over time has its leaves
// scattered through the file, so every new leaf may fault.
func (l *loader) mapped(v []byte) int {
	if len(v) == 0 {
		return 0
	}
	leaf := (uintptr(unsafe.Pointer(unsafe.SliceData(v))) - l.base) / l.pageSize
	if leaf == l.leaf {
		return len(v)
	}
	l.leaf = leaf
	return len(v) + faultAround
}

func (l *loader) components(handle func([]item.Component) error) error {
	if handle == nil {
		return nil
	}
	v := l.source.Get(keyComponents)
	if v == nil {
		return nil
	}
	var c []item.Component
	if err := componentsRecord.unmarshal(v, &c); err != nil {
		return wrap(l.s.decodeFailed("components of "+describe(l.key), err), "decode components")
	}
	if err := l.g.call(func() error { return handle(c) }); err != nil {
		return fmt.Errorf("components: %w", err)
	}
	return nil
}

func (l *loader) pages(handle func([]item.Page) error) error {
	if handle == nil {
		return nil
	}
	v := l.source.Get(keyPages)
	if v == nil {
		return nil
	}
	var p []item.Page
	if err := pagesRecord.unmarshal(v, &p); err != nil {
		return wrap(l.s.decodeFailed("pages of "+describe(l.key), err), "decode pages")
	}
	if err := l.g.call(func() error { return handle(p) }); err != nil {
		return fmt.Errorf("pages: %w", err)
	}
	return nil
}
