package quality

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// NativeIndex puts x in the bucket (2^((i-1)/8), 2^(i/8)]: a power of two
// at the upper bound of its bucket, a value just above it in the next.
func TestNativeIndex(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want int32
	}{{1, 0}, {2, 8}, {0.5, -8}, {1024, 80}, {1.001, 1}, {5, 19}, {3600, 95}, {math.Nextafter(2, 3), 9}} {
		if got := NativeIndex(tc.x); got != tc.want {
			t.Errorf("NativeIndex(%v) = %d, want %d", tc.x, got, tc.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		x := math.Exp2(r.Float64()*60 - 20)
		i := NativeIndex(x)
		// The bounds are computed as the index is: allow an ulp of slack
		// at the edges, where x and a bound are one float apart.
		if lo, hi := NativeUpperBound(i-1), NativeUpperBound(i); !(x > lo*(1-1e-15) && x <= hi*(1+1e-15)) {
			t.Fatalf("NativeIndex(%v) = %d: bucket (%v, %v]", x, i, lo, hi)
		}
	}
}

// The native buckets agree with the classic ones for any observations
// added and taken back: same count, every classic bucket's cumulative
// count between the native buckets wholly below its bound and those
// reaching it, and equal to them where the bound is a native boundary (1,
// 2, 8: powers of two). Taking back exactly what was added leaves no
// bucket behind: the incremental histogram equals one built afresh.
func TestNativeAgreesWithClassic(t *testing.T) {
	b := newBuckets(RoundBuckets) // 1 2 3 5 8 13
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		h := newHist(b)
		var kept []int64
		for range r.IntN(60) {
			v := r.Int64N(20000) - 1000 // -1 s to 19 s, in thousandths
			if r.IntN(8) == 0 {
				v = []int64{0, 1000, 2000, 8000, 13000}[r.IntN(5)]
			}
			h.observe(v, plus)
			if r.IntN(3) == 0 {
				h.observe(v, minus)
				continue
			}
			kept = append(kept, v)
		}
		fresh := newHist(b)
		for _, v := range kept {
			fresh.observe(v, plus)
		}
		got := h.export()
		if want := fresh.export(); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: incremental %+v %+v, afresh %+v %+v", round, got, *got.Native, want, *want.Native)
		}
		checkNativeAgrees(t, got)
	}
}

// checkNativeAgrees checks h's native buckets against its classic ones.
func checkNativeAgrees(t *testing.T, h Histogram) {
	t.Helper()
	n := h.Native
	total := n.Zero
	for _, c := range n.Positive {
		total += c
	}
	for _, c := range n.Negative {
		total += c
	}
	if total != h.Count {
		t.Fatalf("native buckets hold %d observations, the histogram %d", total, h.Count)
	}
	var classic uint64
	for i, bound := range h.Bounds {
		classic += h.Counts[i]
		// Every negative and zero observation is at or below each bound
		// (the bounds are positive).
		below, reaching := total-sumPositive(n, func(i int32) bool { return NativeUpperBound(i-1) >= bound }), total
		below -= sumPositive(n, func(i int32) bool { return NativeUpperBound(i-1) < bound && NativeUpperBound(i) > bound })
		reaching -= sumPositive(n, func(i int32) bool { return NativeUpperBound(i-1) >= bound })
		if classic < below || classic > reaching {
			t.Fatalf("bound %v: classic cumulative %d, native %d wholly below, %d reaching it", bound, classic, below, reaching)
		}
		if math.Log2(bound) == math.Trunc(math.Log2(bound)) && classic != below {
			t.Fatalf("bound %v, a native boundary: classic cumulative %d, native %d", bound, classic, below)
		}
	}
}

func sumPositive(n *Native, keep func(int32) bool) uint64 {
	var s uint64
	for i, c := range n.Positive {
		if keep(i) {
			s += c
		}
	}
	return s
}
