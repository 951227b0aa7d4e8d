//go:build !linux

package store

import bolt "go.etcd.io/bbolt"

// releaseMapped is a no-op off Linux: the kernel there reclaims the map's
// clean pages under pressure by itself (see release_linux.go).
func releaseMapped(*bolt.Tx) {}
