package exposition

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/support-exporter/support_exporter/exporter/quality"
)

// Options are how a Collector exposes what it serves.
type Options struct {
	// NativeHistograms serves every histogram as a native histogram
	// (schema quality.NativeSchema) besides its classic buckets, as
	// client_golang does for a histogram with NativeHistogramBucketFactor
	// and classic buckets (--metrics.native-histograms; docs/metrics.md).
	// Only the protobuf exposition carries native buckets; the text
	// formats show the classic ones alone, as without it.
	NativeHistograms bool
}

// NewWith returns a Collector serving state as o says.
func NewWith(state State, o Options) *Collector {
	c := New(state)
	c.native = o.NativeHistograms
	return c
}

// nativeZeroThreshold is the width of the zero bucket: client_golang's
// default (2^-128), so that it holds the observations of exactly 0 alone
// (every other is at least a thousandth).
const nativeZeroThreshold = 2.938735877055719e-39

// bothHistogram is a histogram with its classic buckets and its native
// ones, one dto.Histogram as client_golang writes for a histogram with
// both.
type bothHistogram struct {
	desc   *prometheus.Desc
	h      dto.Histogram
	labels []*dto.LabelPair
}

func (m *bothHistogram) Desc() *prometheus.Desc { return m.desc }

func (m *bothHistogram) Write(out *dto.Metric) error {
	out.Histogram = &m.h
	out.Label = m.labels
	return nil
}

// nativeHistogram is h with its classic buckets and, when the snapshot
// kept them, its native ones (quality.Native).
func nativeHistogram(d *prometheus.Desc, h *quality.Histogram, labels ...string) prometheus.Metric {
	if h.Native == nil {
		return histogram(d, h, labels...)
	}
	count, sum := h.Count, h.Sum
	m := &bothHistogram{desc: d, labels: prometheus.MakeLabelPairs(d, labels)}
	m.h.SampleCount, m.h.SampleSum = &count, &sum
	var cum uint64
	for i, b := range h.Bounds {
		if i < len(h.Counts) {
			cum += h.Counts[i]
		}
		m.h.Bucket = append(m.h.Bucket, &dto.Bucket{CumulativeCount: proto(cum), UpperBound: proto(b)})
	}
	schema, zero, threshold := int32(quality.NativeSchema), h.Native.Zero, float64(nativeZeroThreshold)
	m.h.Schema, m.h.ZeroCount, m.h.ZeroThreshold = &schema, &zero, &threshold
	m.h.PositiveSpan, m.h.PositiveDelta = spans(h.Native.Positive)
	m.h.NegativeSpan, m.h.NegativeDelta = spans(h.Native.Negative)
	if len(m.h.PositiveSpan) == 0 && len(m.h.NegativeSpan) == 0 && zero == 0 {
		// An empty native histogram still says it is one, as
		// client_golang writes it: a span of no buckets.
		m.h.PositiveSpan = []*dto.BucketSpan{{Offset: proto(int32(0)), Length: proto(uint32(0))}}
	}
	return m
}

// spans encodes buckets (count by index) as the protobuf exposition does:
// spans of consecutive indexes, each offset from the end of the previous
// one (from 0 for the first), and each count as the delta from the
// previous bucket's.
func spans(buckets map[int32]uint64) ([]*dto.BucketSpan, []int64) {
	if len(buckets) == 0 {
		return nil, nil
	}
	idx := make([]int32, 0, len(buckets))
	for i := range buckets {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	var out []*dto.BucketSpan
	deltas := make([]int64, 0, len(idx))
	var prevCount int64
	next := int32(0) // the index after the previous span's last
	for k, i := range idx {
		if k == 0 || i != next {
			out = append(out, &dto.BucketSpan{Offset: proto(i - next), Length: proto(uint32(0))})
		}
		*out[len(out)-1].Length++
		c := int64(buckets[i])
		deltas = append(deltas, c-prevCount)
		prevCount, next = c, i+1
	}
	return out, deltas
}

func proto[T any](v T) *T { return &v }
