package exposition

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/support-exporter/support_exporter/exporter/quality"
)

// observed is a histogram of values (seconds) built by hand: classic
// buckets of bounds, and native ones at quality.NativeSchema.
func observed(bounds []float64, values ...float64) quality.Histogram {
	h := hist(bounds)
	h.Native = &quality.Native{}
	for _, v := range values {
		i, _ := slices.BinarySearch(bounds, v)
		h.Counts[i]++
		h.Count++
		h.Sum += v
		switch {
		case v == 0:
			h.Native.Zero++
		default:
			if h.Native.Positive == nil {
				h.Native.Positive = map[int32]uint64{}
			}
			h.Native.Positive[quality.NativeIndex(v)]++
		}
	}
	return h
}

// scrapeProtobuf scrapes c over HTTP as Prometheus does when it wants
// native histograms (the protobuf exposition) and returns the families by
// name.
func scrapeProtobuf(t *testing.T, c prometheus.Collector) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Prometheus 2.42/3.x's header when scrape_protocols prefers protobuf.
	req.Header.Set("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,text/plain;version=0.0.4;q=0.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "application/vnd.google.protobuf") {
		t.Fatalf("Content-Type %q, want protobuf", ct)
	}
	dec := expfmt.NewDecoder(resp.Body, expfmt.ResponseFormat(resp.Header))
	out := map[string]*dto.MetricFamily{}
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		out[mf.GetName()] = &mf
	}
	return out
}

// nativeBuckets decodes a protobuf histogram's positive spans and deltas.
func nativeBuckets(h *dto.Histogram) map[int32]uint64 {
	out := map[int32]uint64{}
	i, k := int32(0), 0
	var count int64
	for _, s := range h.GetPositiveSpan() {
		i += s.GetOffset()
		for range s.GetLength() {
			count += h.GetPositiveDelta()[k]
			out[i] = uint64(count)
			i, k = i+1, k+1
		}
	}
	return out
}

// With --metrics.native-histograms, a protobuf scrape carries each
// histogram with its classic buckets and its native ones, and both views
// agree: the same count and sum, the native buckets as kept, every classic
// bucket's cumulative count between the native buckets wholly below its
// bound and those reaching it, equal to them at a power of two. Without
// the flag, and in the text format, no native bucket is served.
func TestNativeHistograms(t *testing.T) {
	state := sampleState()
	v := state.snap.Vendors[0]
	// Resolutions of urgent tickets: 0 s, 1 s, just over 2 s, 2 h, 3 days.
	values := []float64{0, 1, 2.001, 7200, 3 * 86400}
	bounds := []float64{1, 2, 3600, 7200, 86400}
	v.Resolution[quality.Urgent] = observed(bounds, values...)
	v.Rounds[quality.High] = observed(quality.RoundBuckets) // empty

	mfs := scrapeProtobuf(t, NewWith(state, Options{NativeHistograms: true}))
	mf := mfs["support_ticket_resolution_seconds"]
	if mf == nil || mf.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("support_ticket_resolution_seconds: %v", mf)
	}
	var got *dto.Histogram
	for _, m := range mf.GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "priority" && l.GetValue() == "urgent" {
				got = m.GetHistogram()
			}
		}
	}
	if got == nil {
		t.Fatal("no urgent series")
	}
	if got.GetSampleCount() != 5 || got.GetSampleSum() != 0+1+2.001+7200+3*86400 {
		t.Errorf("count %d, sum %v; want 5 and the sum of the values", got.GetSampleCount(), got.GetSampleSum())
	}
	if got.GetSchema() != 3 || got.GetZeroCount() != 1 || got.GetZeroThreshold() <= 0 || got.GetZeroThreshold() > 1e-30 {
		t.Errorf("schema %d, zero count %d, zero threshold %v; want 3, 1 (the 0 s), a tiny threshold", got.GetSchema(), got.GetZeroCount(), got.GetZeroThreshold())
	}
	// By hand: 1 s in bucket 0, 2.001 s in 9 (2 = 2^(8/8) is bucket 8's
	// top), 7200 s = 2^12.81 in 103, 259200 s = 2^17.98 in 144.
	want := map[int32]uint64{0: 1, 9: 1, 103: 1, 144: 1}
	if nb := nativeBuckets(got); !reflect.DeepEqual(nb, want) {
		t.Errorf("native buckets %v, want %v", nb, want)
	}
	var total uint64 = got.GetZeroCount()
	for _, c := range nativeBuckets(got) {
		total += c
	}
	if total != got.GetSampleCount() {
		t.Errorf("native buckets hold %d, the count is %d", total, got.GetSampleCount())
	}
	classic := got.GetBucket()
	if len(classic) != len(bounds) {
		t.Fatalf("%d classic buckets, want %d", len(classic), len(bounds))
	}
	for _, b := range classic {
		var below, reaching uint64 = got.GetZeroCount(), got.GetZeroCount()
		for i, c := range nativeBuckets(got) {
			lo, hi := quality.NativeUpperBound(i-1), quality.NativeUpperBound(i)
			if hi <= b.GetUpperBound() {
				below += c
			}
			if lo < b.GetUpperBound() {
				reaching += c
			}
		}
		cum := b.GetCumulativeCount()
		if cum < below || cum > reaching {
			t.Errorf("le=%v: classic %d, native %d below, %d reaching", b.GetUpperBound(), cum, below, reaching)
		}
		if math.Log2(b.GetUpperBound()) == math.Trunc(math.Log2(b.GetUpperBound())) && cum != below {
			t.Errorf("le=%v, a power of two: classic %d, native %d", b.GetUpperBound(), cum, below)
		}
	}
	// An empty histogram is still a native one (a span of no buckets).
	for _, m := range mfs["support_ticket_vendor_replies_to_resolve"].GetMetric() {
		h := m.GetHistogram()
		if !slices.ContainsFunc(m.GetLabel(), func(l *dto.LabelPair) bool { return l.GetValue() == "high" }) {
			continue
		}
		if h.GetSampleCount() != 0 || (h.GetSchema() != 3 || len(h.GetPositiveSpan()) != 1 || len(h.GetBucket()) != len(quality.RoundBuckets)) {
			t.Errorf("empty histogram: schema %d, spans %v, %d classic buckets", h.GetSchema(), h.GetPositiveSpan(), len(h.GetBucket()))
		}
	}

	// Off (the default): classic buckets alone.
	for _, m := range scrapeProtobuf(t, New(state))["support_ticket_resolution_seconds"].GetMetric() {
		if h := m.GetHistogram(); h.Schema != nil || len(h.GetPositiveSpan()) != 0 || len(h.GetBucket()) == 0 {
			t.Errorf("without the flag: schema %v, %d spans, %d classic buckets", h.Schema, len(h.GetPositiveSpan()), len(h.GetBucket()))
		}
	}
	// The text format is the same with the flag as without.
	text := func(c prometheus.Collector) string {
		reg := prometheus.NewRegistry()
		reg.MustRegister(c)
		rec := httptest.NewRecorder()
		promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		return rec.Body.String()
	}
	if on, off := text(NewWith(state, Options{NativeHistograms: true})), text(New(state)); on != off {
		t.Errorf("the text exposition differs with native histograms on")
	}
}

// spans: consecutive indexes share a span, a gap starts another offset
// from the previous span's end; deltas are from the previous bucket.
func TestSpans(t *testing.T) {
	s, d := spans(map[int32]uint64{-3: 2, -2: 5, 4: 1, 7: 1, 8: 4})
	var got [][2]int64
	for _, x := range s {
		got = append(got, [2]int64{int64(x.GetOffset()), int64(x.GetLength())})
	}
	if want := [][2]int64{{-3, 2}, {5, 1}, {2, 2}}; !reflect.DeepEqual(got, want) {
		t.Errorf("spans %v, want %v", got, want)
	}
	if want := []int64{2, 3, -4, 0, 3}; !reflect.DeepEqual(d, want) {
		t.Errorf("deltas %v, want %v", d, want)
	}
}
