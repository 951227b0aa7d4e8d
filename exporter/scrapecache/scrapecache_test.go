package scrapecache

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
)

// world is a live registry and a frozen one whose family names interleave
// (a_, m_, z_ live; b_, n_, y_ frozen), with every metric type, a native
// histogram, a summary and a name that needs escaping.
type world struct {
	live    *prometheus.Registry
	frozen  *prometheus.Registry
	gathers atomic.Int64 // of the frozen registry
	key     any
}

func newWorld(t testing.TB, gen float64) *world {
	w := &world{live: prometheus.NewRegistry(), frozen: prometheus.NewRegistry(), key: gen}
	lc := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "a_live_requests_total", Help: "Live counter."}, []string{"code"})
	lc.WithLabelValues("200").Add(3)
	lc.WithLabelValues("500").Add(1)
	lg := prometheus.NewGauge(prometheus.GaugeOpts{Name: "m_live_level", Help: "Live gauge with \"quotes\" and \\ in help."})
	lg.Set(1.5)
	lz := prometheus.NewGauge(prometheus.GaugeOpts{Name: "z_live_last", Help: "Sorts last."})
	lz.Set(7)
	w.live.MustRegister(lc, lg, lz)

	fc := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "b_frozen_tickets_total", Help: "Frozen counter."}, []string{"vendor", "priority"})
	for i := range 50 {
		fc.WithLabelValues(fmt.Sprintf("vendor%02d", i), "urgent").Add(float64(i) + gen)
	}
	fh := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "n_frozen_seconds", Help: "Classic histogram.",
		Buckets: []float64{300, 900, 3600, 14400}}, []string{"vendor"})
	for i := range 20 {
		fh.WithLabelValues(fmt.Sprintf("vendor%02d", i%5)).Observe(float64(i*i*37) + gen)
	}
	fn := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "n_native_seconds", Help: "Native and classic.",
		Buckets: []float64{1, 10}, NativeHistogramBucketFactor: 1.1})
	for i := range 30 {
		fn.Observe(float64(i) / 3)
	}
	fs := prometheus.NewSummary(prometheus.SummaryOpts{Name: "y_frozen_latency_seconds", Help: "Summary.",
		Objectives: map[float64]float64{0.5: 0.05, 0.9: 0.01}})
	fs.Observe(gen)
	fd := prometheus.NewGauge(prometheus.GaugeOpts{Name: "b_frozen.dotted", Help: "A UTF-8 name."})
	fd.Set(gen)
	w.frozen.MustRegister(fc, fh, fn, fs, fd)
	return w
}

func (w *world) frozenFunc() (any, prometheus.Gatherer) {
	return w.key, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		w.gathers.Add(1)
		return w.frozen.Gather()
	})
}

func (w *world) handler() http.Handler { return New(w.live, w.frozenFunc, Options{}) }

// reference is promhttp over the same families: what the handler must
// equal.
func (w *world) reference() http.Handler {
	return promhttp.HandlerFor(prometheus.Gatherers{w.live, w.frozen}, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

var accepts = []string{
	"",
	"*/*",
	"text/plain;version=0.0.4",
	"text/plain",
	// Prometheus 2.42's scrape Accept.
	"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
	"application/openmetrics-text;version=0.0.1",
	"application/openmetrics-text; version=1.0.0; escaping=underscores",
	"application/openmetrics-text;version=1.0.0;escaping=allow-utf-8",
	"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3",
	"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;escaping=allow-utf-8",
	"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text",
	"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=compact-text",
	"text/plain;version=0.0.4;escaping=dots",
	"text/plain;version=0.0.4;escaping=values",
	"application/json",
}

var acceptEncodings = []string{"", "gzip", "gzip, deflate, br", "identity", "gzip;q=0", "*", "br",
	"identity;q=0.9, gzip;q=0.8", "gzip;q=0.5, identity;q=0.5", "deflate, gzip;q=1.0, *;q=0.5", "GZIP", "gzip;q=bad"}

type response struct {
	status                      int
	contentType, encoding, vary string
	body                        []byte
	contentLength               string
}

func scrape(t testing.TB, h http.Handler, target, accept, acceptEncoding string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := response{status: rec.Code, contentType: rec.Header().Get("Content-Type"),
		encoding: rec.Header().Get("Content-Encoding"), vary: strings.Join(rec.Header().Values("Vary"), ","),
		contentLength: rec.Header().Get("Content-Length")}
	body := rec.Body.Bytes()
	if r.contentLength != "" && r.contentLength != fmt.Sprint(len(body)) {
		t.Errorf("Content-Length %s, body %d bytes", r.contentLength, len(body))
	}
	if r.encoding == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		zr.Multistream(false) // one member, as every client reads it
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("gzip body (Accept %q): %v", accept, err)
		}
		if rest, _ := io.ReadAll(zr); len(rest) != 0 {
			t.Errorf("more than one gzip member")
		}
	}
	r.body = body
	return r
}

// TestEqualsPromhttp: for every Accept and Accept-Encoding, the cached
// handler answers what promhttp answers (decompressed), before and after
// the frozen part changes, and gathers the frozen part once per key.
func TestEqualsPromhttp(t *testing.T) {
	w := newWorld(t, 1)
	h := w.handler()
	check := func() {
		t.Helper()
		for _, a := range accepts {
			for _, ae := range acceptEncodings {
				got, want := scrape(t, h, "/metrics", a, ae), scrape(t, w.reference(), "/metrics", a, ae)
				if got.status != want.status || got.contentType != want.contentType || got.encoding != want.encoding || got.vary != want.vary {
					t.Errorf("Accept %q, Accept-Encoding %q: got %d %q %q vary %q, promhttp %d %q %q vary %q", a, ae,
						got.status, got.contentType, got.encoding, got.vary, want.status, want.contentType, want.encoding, want.vary)
				}
				if !bytes.Equal(got.body, want.body) {
					t.Errorf("Accept %q, Accept-Encoding %q: body differs from promhttp's:\n%s\n--- promhttp:\n%s", a, ae, got.body, want.body)
				}
				if got.contentLength == "" {
					t.Errorf("Accept %q, Accept-Encoding %q: no Content-Length", a, ae)
				}
			}
		}
	}
	check()
	if n := w.gathers.Load(); n != 1 {
		t.Errorf("frozen part gathered %d times for one key, want 1", n)
	}
	// A new snapshot: new families, gathered once more.
	w2 := newWorld(t, 2)
	w.frozen, w.key = w2.frozen, w2.key
	check()
	if n := w.gathers.Load(); n != 2 {
		t.Errorf("frozen part gathered %d times for two keys, want 2", n)
	}
}

// TestLiveMovesBetweenScrapes: the live part is gathered at every scrape.
func TestLiveMovesBetweenScrapes(t *testing.T) {
	w := newWorld(t, 1)
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "c_moving", Help: "Moves."})
	w.live.MustRegister(g)
	h := w.handler()
	for i := range 3 {
		g.Set(float64(i))
		for _, ae := range []string{"", "gzip"} {
			body := scrape(t, h, "/metrics", "", ae).body
			if !bytes.Contains(body, fmt.Appendf(nil, "\nc_moving %d\n", i)) {
				t.Errorf("scrape %d (%q): c_moving is not %d:\n%s", i, ae, i, body)
			}
		}
	}
}

// TestFallbacks: a name[] filter, a family in both parts and a failing
// frozen part are served exactly as promhttp serves them.
func TestFallbacks(t *testing.T) {
	w := newWorld(t, 1)
	cases := map[string]func(){
		"name filter": func() {},
		"shared family": func() {
			c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "b_frozen_tickets_total", Help: "Frozen counter."}, []string{"vendor", "priority"})
			c.WithLabelValues("live", "low").Inc()
			w.live.MustRegister(c)
		},
		"frozen error": func() {
			w.frozen.MustRegister(prometheus.CollectorFunc(func(ch chan<- prometheus.Metric) {
				ch <- prometheus.NewInvalidMetric(prometheus.NewDesc("broken", "Broken.", nil, nil), errors.New("boom"))
			}))
			w.key = "broken"
		},
	}
	for _, name := range []string{"name filter", "shared family", "frozen error"} {
		cases[name]()
		for _, target := range []string{"/metrics", "/metrics?name[]=m_live_level&name[]=n_frozen_seconds"} {
			for _, ae := range []string{"", "gzip"} {
				got, want := scrape(t, w.handler(), target, "", ae), scrape(t, w.reference(), target, "", ae)
				if got.status != want.status || !bytes.Equal(got.body, want.body) || got.encoding != want.encoding {
					t.Errorf("%s, %s, %q: got %d %q:\n%s\n--- promhttp %d %q:\n%s", name, target, ae,
						got.status, got.encoding, got.body, want.status, want.encoding, want.body)
				}
			}
		}
	}
	if got := scrape(t, w.handler(), "/metrics", "", "").status; got != http.StatusInternalServerError {
		t.Errorf("frozen error: status %d, want 500", got)
	}
}

// TestLiveError: a failing live part is a 500 with the error, as promhttp
// over one registry (the exporter had one) answers.
func TestLiveError(t *testing.T) {
	w := newWorld(t, 1)
	w.live.MustRegister(prometheus.CollectorFunc(func(ch chan<- prometheus.Metric) {
		ch <- prometheus.NewInvalidMetric(prometheus.NewDesc("broken_live", "Broken.", nil, nil), errors.New("boom"))
	}))
	one := promhttp.HandlerFor(w.live, promhttp.HandlerOpts{EnableOpenMetrics: true})
	got, want := scrape(t, w.handler(), "/metrics", "", "gzip"), scrape(t, one, "/metrics", "", "gzip")
	if got.status != http.StatusInternalServerError || got.status != want.status || !bytes.Equal(got.body, want.body) || got.encoding != "" {
		t.Errorf("got %d %q %q, promhttp %d %q %q", got.status, got.encoding, got.body, want.status, want.encoding, want.body)
	}
}

// TestLint: the served text passes client_golang's linter.
func TestLint(t *testing.T) {
	w := newWorld(t, 1)
	body := scrape(t, w.handler(), "/metrics", "", "gzip").body
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if p.Metric == "b_frozen.dotted" { // the test's own UTF-8 name
			continue
		}
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// TestConcurrentScrapesWhileSnapshotsChange: scrapers racing new keys
// each get one consistent exposition (run with -race).
func TestConcurrentScrapesWhileSnapshotsChange(t *testing.T) {
	worlds := []*world{newWorld(t, 1), newWorld(t, 2), newWorld(t, 3)}
	var cur atomic.Int64
	live := worlds[0].live
	h := New(live, func() (any, prometheus.Gatherer) {
		w := worlds[cur.Load()%3]
		return w.key, w.frozen
	}, Options{})
	want := map[string]bool{}
	for _, w := range worlds {
		want[string(scrape(t, promhttp.HandlerFor(prometheus.Gatherers{live, w.frozen}, promhttp.HandlerOpts{EnableOpenMetrics: true}), "/metrics", "", "").body)] = true
	}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if g == 0 && i%5 == 0 {
					cur.Add(1)
				}
				ae := []string{"", "gzip"}[i%2]
				if body := scrape(t, h, "/metrics", "", ae).body; !want[string(body)] {
					errs <- fmt.Sprintf("scraper %d, scrape %d: an exposition of no snapshot:\n%s", g, i, body)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestMerge(t *testing.T) {
	fam := func(names ...string) []*dto.MetricFamily {
		var out []*dto.MetricFamily
		for _, n := range names {
			out = append(out, &dto.MetricFamily{Name: new(n)})
		}
		return out
	}
	runs, ok := merge(fam("a", "b", "m", "z"), fam("c", "d", "n"))
	if want := []run{{true, 0, 2}, {false, 0, 2}, {true, 2, 3}, {false, 2, 3}, {true, 3, 4}}; !ok || !slices.Equal(runs, want) {
		t.Errorf("merge = %v %v, want %v", runs, ok, want)
	}
	if _, ok := merge(fam("a", "c"), fam("b", "c")); ok {
		t.Error("a name in both parts merged")
	}
	if runs, ok := merge(nil, fam("a")); !ok || !slices.Equal(runs, []run{{false, 0, 1}}) {
		t.Errorf("merge(nil, a) = %v %v", runs, ok)
	}
}

// TestCoalesceLive: with CoalesceLive, concurrent scrapes never run two
// gatherings of the live part at once, and each still gets a whole,
// correct exposition.
func TestCoalesceLive(t *testing.T) {
	w := newWorld(t, 1)
	var inFlight, most, calls atomic.Int64
	live := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		calls.Add(1)
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		return w.live.Gather()
	})
	h := New(live, w.frozenFunc, Options{CoalesceLive: true})
	want := scrape(t, w.reference(), "/metrics", "", "").body
	var wg sync.WaitGroup
	bad := make(chan []byte, 64)
	for range 32 {
		wg.Go(func() {
			for range 20 {
				if got := scrape(t, h, "/metrics", "", "gzip").body; !bytes.Equal(got, want) {
					bad <- got
					return
				}
			}
		})
	}
	wg.Wait()
	close(bad)
	for b := range bad {
		t.Errorf("a coalesced scrape differs from promhttp's:\n%s", b)
	}
	if m := most.Load(); m != 1 {
		t.Errorf("%d gatherings of the live part ran at once, want 1", m)
	}
	t.Logf("%d scrapes, %d gatherings", 32*20, calls.Load())
}
