package simulator

import (
	"hash/fnv"
	"math/rand/v2"
)

// stream separates the random sequences of one vendor's kinds of items, so
// that adding incidents never changes the tickets.
type stream uint64

const (
	streamTicket stream = iota + 1
	streamIncident
	streamMaintenance
	streamIdentity
)

// vendorSeed derives one vendor's seed from the simulation seed and the
// vendor's name: vendors differ, and a vendor's data does not depend on
// which other vendors are simulated.
func vendorSeed(seed int64, name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64() ^ uint64(seed)*0x9e3779b97f4a7c15
}

// itemRand is the random source of item index of one stream: each item is
// generated on its own, without generating the items before it.
func itemRand(seed uint64, s stream, index uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed^uint64(s)*0xbf58476d1ce4e5b9, index))
}

// pick returns an index drawn with the given (non-negative) weights.
func pick(r *rand.Rand, weights []float64) int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	x := r.Float64() * sum
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// statuspageID returns a Statuspage-style id: 12 characters of [0-9a-z].
func statuspageID(r *rand.Rand) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 12)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}
