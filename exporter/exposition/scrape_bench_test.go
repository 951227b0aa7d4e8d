package exposition

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promcollectors "github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/scrapecache"
)

// The scrape benchmarks of issue 16 ("the scrape at the floor"): /metrics
// served as cmd/support_exporter serves it (exporter/scrapecache: the
// snapshot's families encoded once per snapshot, the Go runtime's, the
// process' and the sources' gathered at every scrape), against promhttp
// over one registry (what /metrics was before), in process and over a real
// loopback listener. Worlds:
//   - tickets+status: benchBuildState, a helpdesk with 1k tickets and a
//     status page of 25 components;
//   - status-500: a vendor whose status page has 500 components (a large
//     Atlassian Statuspage), about 2,300 series;
//   - tickets=1M: benchBuildState with a million settled tickets, for the
//     100 concurrent scrapers.
//
// go test ./exporter/exposition -run '^$' -bench 'Served|HTTP|Concurrent' -benchtime 2000x

// benchStatusConfig is one vendor with a status page only.
const benchStatusConfig = `
vendors:
  - name: bigcloud
    sla:
      maintenance_notice: 72h
    status_pages:
      - name: status
        kind: statuspage
        url: https://status.bigcloud.example
`

// benchStatusState is a status page's year (benchStatusPage) with n
// components.
func benchStatusState(b testing.TB, n int) *benchState {
	b.Helper()
	cfg, err := config.Parse([]byte(benchStatusConfig), "bench.yml", collectors.Kinds.Config())
	if err != nil {
		b.Fatal(err)
	}
	v := cfg.Vendors[0]
	rules, err := quality.NewRules(v, config.Global{})
	if err != nil {
		b.Fatal(err)
	}
	sources, ticketSources := quality.VendorSources(v)
	agg := quality.NewAggregator(rules, sources, ticketSources)
	rng := rand.New(rand.NewPCG(5, 6))
	benchStatusPage(agg, rng)
	components := make([]item.Component, n)
	for i := range components {
		components[i] = item.Component{Name: fmt.Sprintf("Region %02d / Service %03d", i/25, i), Status: quality.ComponentStatuses[rng.IntN(len(quality.ComponentStatuses))]}
	}
	agg.SetComponents("status", components)
	synced := benchNow.Add(-time.Minute)
	return &benchState{
		snap: &quality.Snapshot{At: benchNow, Vendors: []*quality.VendorSnapshot{agg.Snapshot(func(string) time.Time { return benchNow })}},
		sources: []SourceStatus{{Vendor: "bigcloud", Source: "status", Kind: "statuspage", Up: true, LastSync: synced, LastSuccess: synced,
			LastDuration: 120 * time.Millisecond, Requests: map[string]uint64{"200": 2410}}},
		contracts: []Contract{{Vendor: "bigcloud", MaintenanceNotice: 72 * time.Hour}},
	}
}

// benchServed is /metrics as cmd/support_exporter mounts it, over state.
func benchServed(state State) http.Handler { return benchServedWith(state, true) }

// benchServedWith: runtime false is --web.disable-exporter-metrics (no go_*,
// process_*).
func benchServedWith(state State, runtime bool) http.Handler {
	c := New(state)
	live := prometheus.NewRegistry()
	live.MustRegister(c.Live())
	if runtime {
		live.MustRegister(promcollectors.NewGoCollector(), promcollectors.NewProcessCollector(promcollectors.ProcessCollectorOpts{}))
	}
	return scrapecache.New(live, func() (any, prometheus.Gatherer) {
		snap := state.Snapshot()
		return snap, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
			reg := prometheus.NewRegistry()
			if err := reg.Register(c.Snapshot(snap)); err != nil {
				return nil, err
			}
			return reg.Gather()
		})
	}, scrapecache.Options{CoalesceLive: true})
}

// benchPromhttp is /metrics before the cache: promhttp over one registry.
func benchPromhttp(state State) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(New(state), promcollectors.NewGoCollector(), promcollectors.NewProcessCollector(promcollectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// prometheusAccept is the Accept header of a Prometheus 2.x scrape.
const prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

func benchWorlds(b *testing.B) map[string]func() State {
	return map[string]func() State{
		"world=tickets+status": func() State { return benchBuildState(b, 1_000) },
		"world=status-500":     func() State { return benchStatusState(b, 500) },
	}
}

// seriesOf counts the sample lines of h's text exposition, not those of
// the Go runtime or the process.
func seriesOf(b testing.TB, h http.Handler) int {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	n := 0
	for l := range strings.Lines(rec.Body.String()) {
		if !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "go_") && !strings.HasPrefix(l, "process_") {
			n++
		}
	}
	return n
}

// BenchmarkServed is one scrape in process (ServeHTTP, httptest
// recorder), by world, handler (cached or promhttp), format and encoding.
func BenchmarkServed(b *testing.B) {
	for _, world := range []string{"world=tickets+status", "world=status-500"} {
		state := benchWorlds(b)[world]()
		for _, hc := range []struct {
			name string
			h    http.Handler
		}{{"handler=cached", benchServed(state)}, {"handler=cached-noruntime", benchServedWith(state, false)}, {"handler=promhttp", benchPromhttp(state)}} {
			series := seriesOf(b, hc.h)
			for _, ac := range []struct{ name, accept string }{{"format=text", ""}, {"format=openmetrics", prometheusAccept}} {
				for _, gz := range []bool{false, true} {
					b.Run(fmt.Sprintf("%s/%s/%s/gzip=%t", world, hc.name, ac.name, gz), func(b *testing.B) {
						size := benchScrapes(b, hc.h, ac.accept, gz)
						b.ReportMetric(float64(series), "series")
						b.ReportMetric(float64(size), "bytes/scrape")
					})
				}
			}
		}
	}
}

// BenchmarkHTTP is a loop of scrapes over a real loopback listener and a
// keep-alive client that asks what Prometheus asks (OpenMetrics, gzip),
// reading and decompressing each body; it reports the latency's p50 and
// p99 in milliseconds.
func BenchmarkHTTP(b *testing.B) {
	for _, world := range []string{"world=tickets+status", "world=status-500"} {
		state := benchWorlds(b)[world]()
		for _, hc := range []struct {
			name string
			h    http.Handler
		}{{"handler=cached", benchServed(state)}, {"handler=cached-noruntime", benchServedWith(state, false)}, {"handler=promhttp", benchPromhttp(state)}} {
			for _, gz := range []bool{true, false} {
				series := seriesOf(b, hc.h)
				b.Run(fmt.Sprintf("%s/%s/gzip=%t", world, hc.name, gz), func(b *testing.B) {
					srv := httptest.NewServer(hc.h)
					defer srv.Close()
					client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1}}
					var lat []time.Duration
					for b.Loop() {
						took, err := benchGet(client, srv.URL, gz)
						if err != nil {
							b.Fatal(err)
						}
						lat = append(lat, took)
					}
					reportPercentiles(b, lat)
					b.ReportMetric(float64(series), "series")
				})
			}
		}
	}
}

// BenchmarkHTTPPeer scrapes another exporter exactly as BenchmarkHTTP
// scrapes ours, for the side-by-side figures: scripts/bench-peer.sh starts
// conradoqg/statuspage-exporter on a Statuspage fake whose 500 components
// are those of world=status-500, sets SUPPORT_EXPORTER_PEER_URL and runs
// both. It reports the series the peer serves (go_* and process_* left
// out, as seriesOf does).
func BenchmarkHTTPPeer(b *testing.B) {
	url := os.Getenv("SUPPORT_EXPORTER_PEER_URL")
	if url == "" {
		b.Skip("SUPPORT_EXPORTER_PEER_URL is not set: scripts/bench-peer.sh sets it")
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1}}
	resp, err := client.Get(url + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("the peer answers %s", resp.Status)
	}
	series := 0
	for l := range strings.Lines(string(body)) {
		if !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "go_") && !strings.HasPrefix(l, "process_") && !strings.HasPrefix(l, "promhttp_") {
			series++
		}
	}
	for _, gz := range []bool{true, false} {
		b.Run(fmt.Sprintf("world=status-500/handler=peer/gzip=%t", gz), func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				took, err := benchGet(client, url, gz)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, took)
			}
			reportPercentiles(b, lat)
			b.ReportMetric(float64(series), "series")
		})
	}
}

// BenchmarkConcurrentScrapers: 100 scrapers at once against the snapshot
// of a million stored tickets (benchBuildState), each doing b.N/100
// scrapes over HTTP; it reports p50, p99 and the errors (must be 0).
func BenchmarkConcurrentScrapers(b *testing.B) {
	state := benchBuildState(b, 1_000_000)
	for _, hc := range []struct {
		name string
		h    http.Handler
	}{{"handler=cached", benchServed(state)}, {"handler=promhttp", benchPromhttp(state)}} {
		b.Run("tickets=1M/scrapers=100/"+hc.name, func(b *testing.B) {
			srv := httptest.NewServer(hc.h)
			defer srv.Close()
			const scrapers = 100
			client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: scrapers}, Timeout: 30 * time.Second}
			per := max(1, b.N/scrapers)
			var (
				mu     sync.Mutex
				lat    []time.Duration
				errs   int
				wg     sync.WaitGroup
				first  error
				starts = make(chan struct{})
			)
			b.ResetTimer()
			for range scrapers {
				wg.Go(func() {
					<-starts
					mine := make([]time.Duration, 0, per)
					for i := range per {
						took, err := benchGetCheck(client, srv.URL, true, i%10 == 0)
						mine = append(mine, took)
						if err != nil {
							mu.Lock()
							errs++
							first = cmp(first, err)
							mu.Unlock()
						}
					}
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				})
			}
			close(starts)
			wg.Wait()
			b.StopTimer()
			reportPercentiles(b, lat)
			b.ReportMetric(float64(errs), "errors")
			if errs > 0 {
				b.Errorf("%d of %d scrapes failed; first: %v", errs, len(lat), first)
			}
		})
	}
}

func cmp(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// benchGet scrapes url as Prometheus does and reads the whole body; the
// latency is to the body's last byte. The body is then decompressed and
// checked outside the latency: the server's cost is what is measured.
func benchGet(client *http.Client, url string, gz bool) (time.Duration, error) {
	return benchGetCheck(client, url, gz, true)
}

// benchGetCheck: without verify, only the status, the length and the
// gzip magic are checked (the concurrent scrapers decompress one body in
// ten: their client shares the CPUs with the server).
func benchGetCheck(client *http.Client, url string, gz, verify bool) (time.Duration, error) {
	req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", prometheusAccept)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	raw, err := io.ReadAll(resp.Body)
	took := time.Since(start)
	resp.Body.Close()
	if err != nil {
		return took, err
	}
	if resp.StatusCode != http.StatusOK {
		return took, fmt.Errorf("status %s", resp.Status)
	}
	if cl := resp.Header.Get("Content-Length"); cl != "" && cl != fmt.Sprint(len(raw)) {
		return took, fmt.Errorf("Content-Length %s, body %d bytes", cl, len(raw))
	}
	if !verify {
		if gz && !bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
			return took, fmt.Errorf("not gzip")
		}
		return took, nil
	}
	body := raw
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return took, err
		}
		if body, err = io.ReadAll(zr); err != nil {
			return took, err
		}
	}
	om := strings.HasPrefix(resp.Header.Get("Content-Type"), "application/openmetrics-text")
	if !bytes.HasSuffix(body, []byte("\n")) || om && !bytes.HasSuffix(body, []byte("# EOF\n")) {
		return took, fmt.Errorf("a truncated exposition (%d bytes, %s)", len(body), resp.Header.Get("Content-Type"))
	}
	return took, nil
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// benchScrapes serves h a GET of /metrics per iteration (Accept: accept
// when not empty, gzip when gz) and returns the last body's size.
func benchScrapes(b *testing.B, h http.Handler, accept string, gz bool) int {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	var size int
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
		size = rec.Body.Len()
	}
	return size
}
