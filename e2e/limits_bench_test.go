package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// exportTickets is the helpdesk BenchmarkZendeskExportLimit syncs.
const exportTickets = 20_000

// BenchmarkZendeskExportLimit syncs 20,000 Zendesk tickets through the
// incremental export from a simulator that enforces Zendesk's export limit
// as strictly as it can be read (10 requests in any 60 s, a sliding
// window; docs/sources.md), in pages of 1000: 20 pages and more. It reports
// the first sync's wall time, the floor the limit allows, their ratio (the
// goal: within 5%) and the 429s the vendor answered (the goal: none).
//
// The floor: 10 requests may go at once; request k+10 no sooner than a
// minute after request k. A sync of N requests therefore spans at least
// floor((N-1)/10) minutes from its first request to its last, whatever
// the client, plus the time to serve and store the pages, which the floor
// leaves out. N is counted on the way to the simulator (vendorProxy) once
// the sync is done.
//
// It takes over two minutes: run it alone with -benchtime=1x.
func BenchmarkZendeskExportLimit(b *testing.B) {
	for range b.N {
		benchExportLimit(b)
	}
}

func benchExportLimit(b *testing.B) {
	const vendor = "acme"
	clock := func() time.Time { return frozenNow }
	sim, err := simulator.New(simulator.Options{
		Seed: 7, Start: frozenNow, Clock: clock, ExportRequestsPerMinute: 10, TicketsPerPage: 1000,
		Vendors: []simulator.Vendor{{Name: vendor, Persona: simulator.SlowThorough, Timezone: "Europe/Berlin",
			History: 30 * day, Tickets: exportTickets}},
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sim.Close)
	proxy := newVendorProxy(b)
	dir := b.TempDir()
	user, token := sim.ZendeskCredentials(vendor)
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		b.Fatal(err)
	}
	// A poll interval of an hour keeps a second sync out of the measure.
	cfg := fmt.Sprintf(`global:
  poll_interval: 1h
vendors:
  - name: %s
    tickets:
      - name: helpdesk
        kind: zendesk
        url: %s
        export_requests_per_minute: 10
        http_client:
          basic_auth: {username: %q, password_file: %s}
%s`, vendor, sim.URL(vendor, simulator.KindZendesk), user, tokenFile, proxy.yaml())
	cfgPath := filepath.Join(dir, "support_exporter.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	started := time.Now()
	p := startNoWait(b, nil, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"))
	labels := []string{"vendor", vendor, "source", "helpdesk", "kind", "zendesk"}
	var s series
	waitEvery(b, 10*time.Minute, time.Second, "the first sync", func() bool {
		if code, _ := p.get("/-/ready"); code != http.StatusOK {
			return false
		}
		s, _ = p.scrape()
		done, _ := s.get("support_source_last_success_timestamp_seconds", labels...)
		return done > 0
	})
	toDone := time.Since(started)
	if got := s.sum("support_tickets_created_total"); got != exportTickets {
		b.Fatalf("%v tickets counted after the first sync, want %d", got, exportTickets)
	}
	sync, _ := s.get("support_source_sync_duration_seconds", labels...)
	refused, _ := s.get("support_source_requests_total", append(labels, "code", "429")...)
	answered, _ := s.get("support_source_requests_total", append(labels, "code", "200")...)
	n := proxy.requests(proxy.host(b, sim.URL(vendor, simulator.KindZendesk)))
	floor := time.Duration((n-1)/10) * time.Minute
	b.ReportMetric(sync, "sync-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(sync/floor.Seconds(), "sync/floor")
	b.ReportMetric(refused, "429s")
	b.ReportMetric(float64(n), "requests")
	b.Logf("%d tickets in %d export requests (%v answered 200, %v refused 429): the sync took %.1f s (process start to synced %.1f s); the limit's floor is %s: %.1f%% above it",
		exportTickets, n, answered, refused, sync, toDone.Seconds(), floor, 100*(sync/floor.Seconds()-1))
	if refused > 0 {
		b.Errorf("%v export requests refused 429: the exporter exceeded the export limit", refused)
	}
	if sync > 1.05*floor.Seconds() {
		b.Errorf("the sync took %.1f s, more than 5%% above the floor of %s", sync, floor)
	}
}

// BenchmarkHugeBodyPeakRSS: a synced exporter whose vendor answers every
// request of its Zendesk export (capped at 32 MiB, the largest cap of any
// kind) and of its status page (8 MiB) with a 64 MiB body for 30 s. It
// reports the process's peak resident memory (VmHWM) before and after, and
// how many huge answers it refused.
func BenchmarkHugeBodyPeakRSS(b *testing.B) {
	for range b.N {
		w := newWorld(b, worldOptions{tickets: 2000})
		p := start(b, nil, w.args(b.TempDir())...)
		waitFor(b, time.Minute, "the first sync", func() bool {
			s, _ := p.scrape()
			return w.synced(s)
		})
		before := procStatusKB(b, p, "VmHWM")
		// The exporter's own count of its requests, enough for a report.
		s0, _ := p.scrape()
		sent := s0.sum("support_source_requests_total", "vendor", w.vendor)
		for _, kind := range []string{simulator.KindZendesk, simulator.KindStatuspage} {
			if err := w.sim.InjectSpec(w.vendor, kind, simulator.Spec{Fault: simulator.FaultHugeBody, For: 30 * time.Second}); err != nil {
				b.Fatal(err)
			}
		}
		var maxRSS float64
		for end := time.Now().Add(32 * time.Second); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
			s, _ := p.scrape()
			rss, _ := s.get("process_resident_memory_bytes")
			maxRSS = max(maxRSS, rss)
		}
		s, _ := p.scrape()
		huge := s.sum("support_source_requests_total", "vendor", w.vendor) - sent
		tooLarge := s.sum("support_source_errors_total", "reason", "too_large")
		after := procStatusKB(b, p, "VmHWM")
		b.ReportMetric(before/1024, "hwm-before-MB")
		b.ReportMetric(after/1024, "hwm-MB")
		b.ReportMetric(maxRSS/(1<<20), "max-scraped-rss-MB")
		b.ReportMetric(tooLarge, "too-large")
		b.Logf("VmHWM %.1f MiB synced, %.1f MiB after 30 s of 64 MiB answers (%v requests made, %v refused too_large); largest RSS scraped %.1f MiB",
			before/1024, after/1024, huge, tooLarge, maxRSS/(1<<20))
	}
}
