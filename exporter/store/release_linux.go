package store

import (
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// releaseMapped tells the kernel that the pages of the store's memory map
// read so far are not needed (madvise MADV_DONTNEED), so that they leave
// the process's resident set. bbolt maps the file read-only and shared and
// writes through the file, so the map holds no page of its own: a page read
// again is mapped back from the page cache (or the file) with the same
// bytes, and a slice into the map stays valid. The transaction pins the
// map: bbolt remaps only under a write lock that waits for open readers.
// The advice is best effort: an error costs memory, not correctness.
func releaseMapped(tx *bolt.Tx) {
	size := tx.Size()
	if size <= 0 {
		return
	}
	// The address is the map's, not Go memory: no pointer conversion needed.
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, tx.DB().Info().Data, uintptr(size), syscall.MADV_DONTNEED)
}
