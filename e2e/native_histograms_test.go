package e2e

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// protobufAccept is the Accept header of a Prometheus that scrapes native
// histograms (2.42 with the native-histograms feature; 3.x).
const protobufAccept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,text/plain;version=0.0.4;q=0.1"

// scrapeProtobuf scrapes url as such a Prometheus does and returns the
// families by name.
func scrapeProtobuf(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", protobufAccept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.google.protobuf") {
		t.Fatalf("Content-Type %q, want protobuf", ct)
	}
	out := map[string]*dto.MetricFamily{}
	dec := expfmt.NewDecoder(resp.Body, expfmt.ResponseFormat(resp.Header))
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out[mf.GetName()] = &mf
	}
}

// TestNativeHistograms: an exporter started with
// --metrics.native-histograms serves, to a protobuf scrape, each histogram
// with its native buckets (schema 3) and its classic ones, agreeing; a real
// Prometheus 2.42 with native histograms on stores the native form, with
// the count and sum the exporter serves (2.42 cannot keep the classic
// series as well: scrape_classic_histograms came in 2.45).
func TestNativeHistograms(t *testing.T) {
	promBin := lookPath(t, "prometheus", "prometheus")
	w := newWorld(t, worldOptions{tickets: 60})
	dir := t.TempDir()
	p := start(t, nil, append(w.args(filepath.Join(dir, "data")), "--metrics.native-histograms")...)
	waitFor(t, time.Minute, "the world synced", func() bool {
		s, _ := p.scrape()
		return w.synced(s)
	})

	mfs := scrapeProtobuf(t, "http://"+p.addr+"/metrics")
	histograms, observed := 0, 0
	for name, mf := range mfs {
		if mf.GetType() != dto.MetricType_HISTOGRAM || !strings.HasPrefix(name, "support_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			h := m.GetHistogram()
			histograms++
			if h.GetSchema() != 3 || h.ZeroThreshold == nil || len(h.GetBucket()) == 0 {
				t.Fatalf("%s: schema %d, zero threshold %v, %d classic buckets; want schema 3 with classic buckets", name, h.GetSchema(), h.ZeroThreshold, len(h.GetBucket()))
			}
			if h.GetSampleCount() > 0 {
				observed++
			}
			checkBothViews(t, name, h)
		}
	}
	if histograms == 0 || observed == 0 {
		t.Fatalf("%d histograms served, %d with observations; want some of each", histograms, observed)
	}
	// The text exposition keeps its classic form (promtool lints it).
	if _, body := p.scrape(); promtoolLint(t, body) != "" || !strings.Contains(body, "support_ticket_resolution_seconds_bucket{") {
		t.Errorf("the text exposition lost its classic buckets or fails the lint")
	}

	// Prometheus 2.x ingests native histograms behind a feature flag;
	// 3.x dropped the flag for the scrape setting scrape_native_histograms
	// (docs/metrics.md, "Native histograms").
	v2 := binaryMajor(t, promBin) < 3
	setting, flags := "\n    scrape_native_histograms: true", []string(nil)
	if v2 {
		setting, flags = "", []string{"--enable-feature=native-histograms"}
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	writeFile(t, cfg, fmt.Sprintf(`global:
  scrape_interval: 1s
scrape_configs:
  - job_name: support_exporter%s
    static_configs:
      - targets: ['%s']
`, setting, p.addr))
	addr := freeAddr(t)
	prom := &promServer{t: t, dataDir: filepath.Join(dir, "prometheus"), bin: promBin, url: "http://" + addr, args: append([]string{
		"--config.file=" + cfg, "--storage.tsdb.path=" + filepath.Join(dir, "prometheus"),
		"--web.listen-address=" + addr,
	}, flags...)}
	prom.start()
	t.Cleanup(func() {
		prom.stop()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", tail(prom.logs.String(), 30))
		}
	})
	const name = "support_ticket_resolution_seconds"
	waitFor(t, time.Minute, "Prometheus stored the native histograms", func() bool {
		got, err := promInstant(prom.url, "count(histogram_count("+name+"))", time.Now())
		return err == nil && len(got) == 1 && got[0].Samples[0].Value > 0
	})
	// Every series of the family, as the exporter serves it (its world is
	// frozen: the values do not move).
	served := map[string][2]float64{}
	for _, m := range mfs[name].GetMetric() {
		labels := map[string]string{"instance": p.addr, "job": "support_exporter"}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		served[promSeries{Labels: labels}.key()] = [2]float64{float64(m.GetHistogram().GetSampleCount()), m.GetHistogram().GetSampleSum()}
	}
	now := time.Now()
	for j, expr := range []string{"histogram_count(" + name + ")", "histogram_sum(" + name + ")"} {
		got, err := promInstant(prom.url, expr, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(served) {
			t.Fatalf("%s: %d series, the exporter serves %d", expr, len(got), len(served))
		}
		for _, s := range got {
			want, ok := served[s.key()]
			if !ok || math.Abs(want[j]-s.Samples[0].Value) > 1e-9*math.Max(1, want[j]) {
				t.Errorf("%s%s = %v, the exporter serves %v", expr, s.key(), s.Samples[0].Value, want[j])
			}
		}
	}
}

// checkBothViews checks that a histogram's native buckets hold its count
// and agree with its classic buckets at every bound.
func checkBothViews(t *testing.T, name string, h *dto.Histogram) {
	t.Helper()
	native := map[int32]uint64{}
	i, k, count := int32(0), 0, int64(0)
	for _, s := range h.GetPositiveSpan() {
		i += s.GetOffset()
		for range s.GetLength() {
			count += h.GetPositiveDelta()[k]
			if count != 0 {
				native[i] = uint64(count)
			}
			i, k = i+1, k+1
		}
	}
	total := h.GetZeroCount()
	for _, c := range native {
		total += c
	}
	// Negative observations (a customer lead may be): every one is below
	// each positive bound.
	neg := uint64(0)
	count = 0
	for _, d := range h.GetNegativeDelta() {
		count += d
		neg += uint64(count)
	}
	total += neg
	if total != h.GetSampleCount() {
		t.Fatalf("%s: native buckets hold %d, count %d", name, total, h.GetSampleCount())
	}
	for _, b := range h.GetBucket() {
		le := b.GetUpperBound()
		below, reaching := h.GetZeroCount()+neg, h.GetZeroCount()+neg
		for i, c := range native {
			if math.Exp2(float64(i)/8) <= le {
				below += c
			}
			if math.Exp2(float64(i-1)/8) < le {
				reaching += c
			}
		}
		if cum := b.GetCumulativeCount(); cum < below || cum > reaching {
			t.Errorf("%s le=%v: classic %d, native %d below and %d reaching it", name, le, cum, below, reaching)
		}
	}
}
