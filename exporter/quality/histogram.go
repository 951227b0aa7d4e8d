package quality

import (
	"slices"
	"time"
)

// buckets are a histogram's bounds, kept both as the float seconds exposed
// and as integer milliseconds for exact bucketing.
type buckets struct {
	seconds []float64 // shared by every snapshot, never modified
	millis  []int64
}

// newBuckets sorts and de-duplicates base plus the extra bounds.
func newBuckets(base []float64, extra ...time.Duration) *buckets {
	millis := make([]int64, 0, len(base)+len(extra))
	for _, s := range base {
		millis = append(millis, int64(s*1000))
	}
	for _, d := range extra {
		millis = append(millis, d.Milliseconds())
	}
	slices.Sort(millis)
	millis = slices.Compact(millis)
	b := &buckets{millis: millis, seconds: make([]float64, len(millis))}
	for i, m := range millis {
		b.seconds[i] = float64(m) / 1000
	}
	return b
}

// sign is +1 to add an item's contribution and -1 to take it back. Counts
// are unsigned and updated modulo 2^64, so taking back exactly what was
// added restores them, whatever happened in between.
type sign int64

const (
	plus  sign = 1
	minus sign = -1
)

// hist accumulates one histogram exactly: values and the sum are integer
// milliseconds (or thousandths of a count), because float sums would drift
// under add-then-subtract and the incremental aggregate would no longer
// equal a full recomputation.
type hist struct {
	b      *buckets
	counts []uint64 // per bucket, the last one above every bound
	count  uint64
	sum    int64
	// native holds the same observations in native buckets (native.go);
	// like counts, it is shared by the copies of a hist.
	native *Native
}

func newHist(b *buckets) hist {
	return hist{b: b, counts: make([]uint64, len(b.millis)+1), native: &Native{}}
}

// observe adds (or with minus, takes back) one observation of v
// milliseconds.
func (h *hist) observe(v int64, s sign) {
	i, _ := slices.BinarySearch(h.b.millis, v) // first bound >= v: le semantics
	h.counts[i] += uint64(s)
	h.count += uint64(s)
	h.sum += int64(s) * v
	h.native.observe(v, s)
}

// export copies the histogram for a snapshot.
func (h *hist) export() Histogram {
	return Histogram{
		Bounds: h.b.seconds,
		Counts: slices.Clone(h.counts),
		Sum:    float64(h.sum) / 1000,
		Count:  h.count,
		Native: h.native.clone(),
	}
}
