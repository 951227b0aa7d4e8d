package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// Handlers receive what Load streams; a nil handler skips that kind. Each
// item is freshly decoded, so a handler may keep it. A handler's error stops
// Load and is returned wrapped.
type Handlers struct {
	Ticket      func(*model.Ticket) error
	Incident    func(*model.Incident) error
	Maintenance func(*model.Maintenance) error
	Components  func([]model.Component) error
}

// Load streams everything stored for one source, for rebuilding aggregates
// at start-up: tickets, incidents and maintenances in id byte order, then
// the component list when one was set. Items are decoded one at a time, so
// memory does not grow with their number. Load runs in one read
// transaction: handlers must not call Update, which could wait for it.
func (s *Store) Load(k SourceKey, h Handlers) error {
	err := s.db.View(func(btx *bolt.Tx) error {
		source := sourceBucket(btx, k)
		if source == nil {
			return nil
		}
		if err := loadItems(source, tickets, h.Ticket); err != nil {
			return err
		}
		if err := loadItems(source, incidents, h.Incident); err != nil {
			return err
		}
		if err := loadItems(source, maintenances, h.Maintenance); err != nil {
			return err
		}
		return loadComponents(source, h.Components)
	})
	if err != nil {
		return fmt.Errorf("store: load %s: %w", describe(k), err)
	}
	return nil
}

func loadItems[T any](source *bolt.Bucket, k kind[T], handle func(*T) error) error {
	if handle == nil {
		return nil
	}
	b := source.Bucket(k.bucket)
	if b == nil {
		return nil
	}
	return b.ForEach(func(id, v []byte) error {
		item := new(T)
		if err := k.unmarshal(v, item); err != nil {
			return fmt.Errorf("decode %s %q: %w", k.name, id, err)
		}
		if err := handle(item); err != nil {
			return fmt.Errorf("%s %q: %w", k.name, id, err)
		}
		return nil
	})
}

func loadComponents(source *bolt.Bucket, handle func([]model.Component) error) error {
	if handle == nil {
		return nil
	}
	v := source.Get(keyComponents)
	if v == nil {
		return nil
	}
	var c []model.Component
	if err := componentsRecord.unmarshal(v, &c); err != nil {
		return fmt.Errorf("decode components: %w", err)
	}
	if err := handle(c); err != nil {
		return fmt.Errorf("components: %w", err)
	}
	return nil
}
