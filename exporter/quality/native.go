package quality

import (
	"maps"
	"math"
	"sort"
)

// NativeSchema is the schema of the native (exponential) histograms the
// exporter can serve (--metrics.native-histograms): bucket i holds the
// observations v with 2^((i-1)/8) < v <= 2^(i/8), a growth factor of
// 1.09 per bucket, what client_golang picks for NativeHistogramBucketFactor
// 1.1. An observation of 0 is in the zero bucket; a negative one in the
// negative buckets, by its absolute value.
const NativeSchema = 3

// Native is a histogram's native buckets: by bucket index, the number of
// observations in it (never zero: an empty bucket is absent).
type Native struct {
	Zero               uint64
	Positive, Negative map[int32]uint64
}

// nativeBounds are the bucket boundaries of one octave at NativeSchema, as
// fractions of math.Frexp: 2^(j/8)/2 for j in 0..7.
var nativeBounds = func() []float64 {
	n := 1 << NativeSchema
	b := make([]float64, n)
	for j := range n {
		b[j] = math.Exp2(float64(j)/float64(n)) / 2
	}
	return b
}()

// NativeIndex is the index of the native bucket of x > 0 at NativeSchema:
// the i with 2^((i-1)/8) < x <= 2^(i/8), as Prometheus' client libraries
// compute it.
func NativeIndex(x float64) int32 {
	frac, exp := math.Frexp(x) // x = frac * 2^exp, 0.5 <= frac < 1
	return int32(sort.SearchFloat64s(nativeBounds, frac) + (exp-1)*len(nativeBounds))
}

// NativeUpperBound is the upper bound of native bucket i, 2^(i/8).
func NativeUpperBound(i int32) float64 {
	return math.Exp2(float64(i) / float64(int32(1)<<NativeSchema))
}

// observeNative adds (or takes back) one observation of v thousandths
// exactly as hist.observe does: integer counts modulo 2^64, and a bucket
// whose count comes back to zero is removed, so that an incremental
// aggregate equals a full recomputation.
func (n *Native) observe(v int64, s sign) {
	switch {
	case v == 0:
		n.Zero += uint64(s)
	case v > 0:
		bump(&n.Positive, NativeIndex(float64(v)/1000), s)
	default:
		bump(&n.Negative, NativeIndex(float64(-v)/1000), s)
	}
}

func bump(m *map[int32]uint64, i int32, s sign) {
	if *m == nil {
		*m = map[int32]uint64{}
	}
	if c := (*m)[i] + uint64(s); c != 0 {
		(*m)[i] = c
	} else {
		delete(*m, i)
	}
}

// clone copies n for a snapshot; empty maps are nil.
func (n *Native) clone() *Native {
	c := &Native{Zero: n.Zero}
	if len(n.Positive) > 0 {
		c.Positive = maps.Clone(n.Positive)
	}
	if len(n.Negative) > 0 {
		c.Negative = maps.Clone(n.Negative)
	}
	return c
}
