package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/alerts"
	"github.com/support-exporter/support_exporter/simulator"
)

// TestInstancesGaugeFromFreshestReplica: an HA pair scraped live by a real
// Prometheus, one replica's ticket source failing (docs/ha.md, "Gauges: the
// freshest replica"). Both replicas sync the same simulated vendor; then
// replica A's requests go through a proxy that starts answering 503, so A
// keeps serving its last support_tickets_open (support_source_up 0, its last
// success frozen) while the vendor's clock moves on and B, healthy, sees
// tickets closed. The dashboard's "Open tickets" query reads B's count; the
// max of the two, as it read before, keeps A's frozen, higher one.
func TestInstancesGaugeFromFreshestReplica(t *testing.T) {
	promBin := lookPath(t, "prometheus", "prometheus")
	dir := t.TempDir()
	const vendor = "pairco"
	genesis := time.Now().Truncate(time.Hour)
	v := simulator.Vendor{Name: vendor, Persona: simulator.SlowThorough, Timezone: "UTC", History: 20 * day, Tickets: 400}
	// The vendor's clock starts at the instant, within its last 10 days,
	// with the most tickets open, and later moves to the one after it
	// with the fewest.
	probe, err := simulator.New(simulator.Options{Seed: 17, Start: genesis, Vendors: []simulator.Vendor{v}, ExportRequestsPerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	open := func(at time.Time) int {
		n := 0
		for _, tk := range probe.Truth(vendor, at).Tickets {
			if tk.Created.Before(at) && strings.Contains(" new open pending hold ", " "+tk.Status+" ") {
				n++
			}
		}
		return n
	}
	var t0, t1 time.Time
	for at := genesis.Add(-10 * day); !at.After(genesis.Add(-day)); at = at.Add(time.Hour) {
		if t0.IsZero() || open(at) > open(t0) {
			t0 = at
		}
	}
	for at := t0.Add(time.Hour); !at.After(genesis); at = at.Add(time.Hour) {
		if t1.IsZero() || open(at) < open(t1) {
			t1 = at
		}
	}
	if open(t1) >= open(t0) {
		t.Fatalf("the vendor's open tickets never drop after %v (%d open)", t0, open(t0))
	}
	t.Logf("open tickets at the vendor: %d at %v, %d at %v", open(t0), t0, open(t1), t1)

	clock := newSimClock(t0)
	sim, err := simulator.New(simulator.Options{Seed: 17, Start: genesis, Clock: clock.now, Vendors: []simulator.Vendor{v}, ExportRequestsPerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)

	// Replica A reaches the vendor through a proxy that fails on demand.
	target, err := url.Parse(sim.URL(vendor, simulator.KindZendesk))
	if err != nil {
		t.Fatal(err)
	}
	var failing atomic.Bool
	forward := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "down for replica A", http.StatusServiceUnavailable)
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	replica := func(name, via string) *proc {
		source := sourceYAML(t, sim, vendor, simulator.KindZendesk, false)
		if via != "" {
			source = strings.ReplaceAll(source, sim.URL(vendor, simulator.KindZendesk), via)
		}
		cfg := fmt.Sprintf("global:\n  poll_interval: 1s\n  request_timeout: 5s\n  history_start: %s\nvendors:\n  - name: %s\n    tickets:\n      - name: helpdesk\n%s",
			genesis.Add(-30*day).Format(time.DateOnly), vendor, source)
		cfgPath := filepath.Join(dir, name+".yml")
		writeFile(t, cfgPath, cfg)
		return start(t, nil, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, name))
	}
	a := replica("a", proxy.URL+strings.TrimPrefix(sim.URL(vendor, simulator.KindZendesk), target.Scheme+"://"+target.Host))
	b := replica("b", "")
	openOn := func(p *proc) (float64, bool) {
		s, _ := p.scrape()
		last, _ := s.get("support_source_last_success_timestamp_seconds", "kind", simulator.KindZendesk, "source", "helpdesk", "vendor", vendor)
		return s.sum("support_tickets_open", "vendor", vendor), last > 0
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, okA := openOn(a)
		_, okB := openOn(b)
		if okA && okB {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for both replicas to sync:\nA: %s\nB: %s", sourceLines(a), sourceLines(b))
		}
		time.Sleep(200 * time.Millisecond)
	}

	promCfg := filepath.Join(dir, "prometheus.yml")
	writeFile(t, promCfg, fmt.Sprintf("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: support_exporter\n    static_configs:\n      - targets: ['%s', '%s']\n", a.addr, b.addr))
	prom := runPrometheus(t, promBin, promCfg, filepath.Join(dir, "prometheus"))

	cfg := alerts.Default()
	query := dashboardExpr(t, cfg, "support-vendor-detail.json", "sum by (vendor) (max without (instance, pod) (((support_tickets_open{", nil)
	naive := `sum by (vendor) (max without (instance, pod) (support_tickets_open{job="support_exporter"}))`
	value := func(expr string) float64 {
		r, err := promInstant(prom.url, expr, time.Now())
		if err != nil || len(r) != 1 || len(r[0].Samples) != 1 {
			return -1
		}
		return r[0].Samples[0].Value
	}

	// Both healthy: the same count on both, read once.
	before, _ := openOn(b)
	waitFor(t, 30*time.Second, "Prometheus reads the pair's count", func() bool { return value(query) == before && value(naive) == before })

	// A's source fails; the vendor closes tickets; B syncs them.
	failing.Store(true)
	waitFor(t, 30*time.Second, "replica A's source down", func() bool {
		s, _ := a.scrape()
		up, ok := s.get("support_source_up", "kind", simulator.KindZendesk, "source", "helpdesk", "vendor", vendor)
		return ok && up == 0
	})
	clock.advance(t1.Sub(t0))
	var frozen, healthy float64
	waitFor(t, 60*time.Second, "replica B syncs the closed tickets", func() bool {
		frozen, _ = openOn(a)
		healthy, _ = openOn(b)
		return healthy < frozen
	})
	if frozen != before {
		t.Fatalf("replica A's count moved from %v to %v while its source failed", before, frozen)
	}
	t.Logf("open tickets: replica A (failing) %v, replica B %v", frozen, healthy)
	var got, max float64
	waitEvery(t, 30*time.Second, 500*time.Millisecond, "Prometheus reads replica B's count", func() bool {
		got, max = value(query), value(naive)
		return got == healthy && max == frozen
	})
	t.Logf("the dashboard reads %v, the max of the pair %v", got, max)
}

// sourceLines are p's support_source_* and support_tickets_open lines.
func sourceLines(p *proc) string {
	_, text := p.get("/metrics")
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "support_source_") || strings.HasPrefix(l, "support_tickets_open") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
