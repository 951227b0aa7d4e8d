package e2e

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/simulator"
)

// benchMillion is the store size BenchmarkMillionTickets works at.
const benchMillion = 1_000_000

// BenchmarkMillionTickets runs the built binary against a simulated vendor
// with a million tickets and a status page:
//
//   - the initial sync: its duration (the runner's own measure, and from
//     process start until the store holds every ticket) and its rate;
//   - the process's memory once synced: VmRSS, VmHWM, RssAnon, RssFile, the
//     part of RssFile that is the store's mmap'd file, and the Go heap;
//   - the latency of /metrics (median and 90th percentile of 50 scrapes);
//   - a SIGTERM and a restart on the same store: the time until /-/ready
//     and the memory once the first snapshot is built from the store.
//
// It takes a few minutes: run it alone with -benchtime=1x.
func BenchmarkMillionTickets(b *testing.B) {
	sim, cfgPath := benchMillionWorld(b)
	defer sim.Close()
	for range b.N {
		dataDir := b.TempDir()
		benchFirstRun(b, cfgPath, dataDir)
		benchRestart(b, cfgPath, dataDir)
	}
}

// benchFirstRun syncs a million tickets into an empty store, then measures
// memory and scrapes, and stops the exporter with SIGTERM.
func benchFirstRun(b *testing.B, cfgPath, dataDir string) {
	started := time.Now()
	p := benchStart(b, cfgPath, dataDir)
	defer p.stop(b)
	helpdesk := map[string]string{"vendor": "acme", "source": "helpdesk", "kind": "zendesk"}
	var fams map[string]*dto.MetricFamily
	// Polled twice a second: each scrape takes CPU from the sync it waits for.
	p.await(b, 10*time.Minute, 500*time.Millisecond, "every ticket stored", func() bool {
		code, _ := httpGet("http://" + p.addr + "/-/ready")
		if code != http.StatusOK {
			return false
		}
		fams = p.metrics(b)
		return benchValue(fams, "support_store_items", map[string]string{"vendor": "acme", "kind": "zendesk"}) == benchMillion &&
			benchValue(fams, "support_source_last_success_timestamp_seconds", helpdesk) > 0
	})
	toStored := time.Since(started)
	sync := benchValue(fams, "support_source_sync_duration_seconds", helpdesk)
	if sync <= 0 {
		b.Fatal("no duration of the helpdesk's sync is exposed")
	}
	b.ReportMetric(sync, "sync-s")
	b.ReportMetric(benchMillion/sync, "tickets/s")
	b.ReportMetric(toStored.Seconds(), "start-to-stored-s")
	mem := p.memory(b, fams)
	b.Logf("synced %d tickets: sync %.1f s (%.0f tickets/s); process start to all stored %.1f s", benchMillion, sync, benchMillion/sync, toStored.Seconds())
	b.Logf("memory after the sync: %s", mem)
	b.ReportMetric(mem.rss, "rss-MB")
	b.ReportMetric(mem.hwm, "hwm-MB")
	b.ReportMetric(mem.anon, "rss-anon-MB")
	b.ReportMetric(mem.file, "rss-file-MB")

	var took []time.Duration
	for range 50 {
		t0 := time.Now()
		code, body := httpGet("http://" + p.addr + "/metrics")
		took = append(took, time.Since(t0))
		if code != http.StatusOK {
			b.Fatalf("GET /metrics: %d %.200s", code, body)
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1e3, "scrape-p50-ms")
	b.Logf("/metrics latency over %d scrapes: median %s, p90 %s, max %s", len(took),
		took[len(took)/2], took[len(took)*9/10], took[len(took)-1])

	stopped := p.stop(b)
	b.Logf("SIGTERM to exit: %s", stopped.Round(time.Millisecond))
}

// benchRestart starts the exporter again on the synced store: it must
// rebuild every aggregate from the store before /-/ready answers.
func benchRestart(b *testing.B, cfgPath, dataDir string) {
	started := time.Now()
	p := benchStart(b, cfgPath, dataDir)
	defer p.stop(b)
	p.await(b, 5*time.Minute, 10*time.Millisecond, "/-/ready", func() bool {
		code, _ := httpGet("http://" + p.addr + "/-/ready")
		return code == http.StatusOK
	})
	ready := time.Since(started)
	fams := p.metrics(b)
	mem := p.memory(b, fams)
	created := benchSum(fams, "support_tickets_created_total")
	if created != benchMillion {
		b.Fatalf("after the restart %v tickets are counted, want %d", created, benchMillion)
	}
	b.Logf("restart on the synced store: ready after %s; memory then: %s", ready.Round(time.Millisecond), mem)
	b.ReportMetric(ready.Seconds(), "restart-ready-s")
	b.ReportMetric(mem.rss, "restart-rss-MB")
	b.ReportMetric(mem.hwm, "restart-hwm-MB")
	b.ReportMetric(mem.storeMapped, "restart-store-mmap-MB")
}

// benchMillionWorld starts a simulated vendor with a million tickets over a
// year, frozen 40 days ago like the e2e world, and writes the exporter's
// config for it. The poll interval of 5 minutes keeps a second sync out of
// the measurements.
func benchMillionWorld(b *testing.B) (*simulator.Sim, string) {
	b.Helper()
	now := frozenNow
	sim, err := simulator.New(simulator.Options{
		Seed: 7, Start: now, Clock: func() time.Time { return now },
		Vendors: []simulator.Vendor{{
			Name: "acme", Persona: simulator.SlowThorough, Timezone: "Europe/Berlin",
			History: 365 * 24 * time.Hour, Tickets: benchMillion, IncidentsPerWeek: 3, MaintenancesPerWeek: 1,
		}},
		ExportRequestsPerMinute: -1,
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	user, token := sim.ZendeskCredentials("acme")
	tokenFile := filepath.Join(dir, "zendesk-token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg := fmt.Sprintf(`global:
  poll_interval: 5m
  request_timeout: 30s
calendars:
  office:
    timezone: Europe/Berlin
    hours: "09:00-18:00"
vendors:
  - name: acme
    calendar: office
    sla:
      first_response: {urgent: 1h, high: 4h, normal: 8h, low: 24h}
      resolution: {urgent: 24h, high: 72h}
      maintenance_notice: 72h
    escalation:
      tags: [escalated]
    tickets:
      - name: helpdesk
        kind: zendesk
        url: %s
        export_requests_per_minute: 1000000
        http_client:
          basic_auth:
            username: %s
            password_file: %s
    status_pages:
      - name: status
        kind: statuspage
        url: %s
`, sim.URL("acme", simulator.KindZendesk), user, tokenFile, sim.URL("acme", simulator.KindStatuspage))
	cfgPath := filepath.Join(dir, "support_exporter.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	return sim, cfgPath
}

// benchProc is one running exporter (proc needs a *testing.T).
type benchProc struct {
	cmd     *exec.Cmd
	addr    string
	dataDir string
	logs    *syncBuffer
	done    chan struct{}
}

func benchStart(b *testing.B, cfgPath, dataDir string) *benchProc {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p := &benchProc{addr: addr, dataDir: dataDir, logs: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(binary, "--web.listen-address="+addr, "--config.file="+cfgPath, "--storage.path="+dataDir)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	return p
}

// stop sends SIGTERM, waits for the exit and returns how long it took; a
// process that already exited is left alone.
func (p *benchProc) stop(b *testing.B) time.Duration {
	select {
	case <-p.done:
		return 0
	default:
	}
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		b.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		b.Fatalf("exporter did not exit within 30 s of SIGTERM; log:\n%s", tail(p.logs.String(), 40))
	}
	return time.Since(start)
}

// await polls cond every interval until it holds; it fails when the
// process exits or timeout passes.
func (p *benchProc) await(b *testing.B, timeout, interval time.Duration, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		select {
		case <-p.done:
			b.Fatalf("exporter exited while waiting for %s; log:\n%s", what, tail(p.logs.String(), 40))
		default:
		}
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %s waiting for %s; log:\n%s", timeout, what, tail(p.logs.String(), 40))
		}
		time.Sleep(interval)
	}
}

func (p *benchProc) metrics(b *testing.B) map[string]*dto.MetricFamily {
	b.Helper()
	code, body := httpGet("http://" + p.addr + "/metrics")
	if code != http.StatusOK {
		b.Fatalf("GET /metrics: %d %.200s", code, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		b.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// benchMemory is a process's memory in MB: the kernel's view of resident
// pages, and the Go runtime's of its heap.
type benchMemory struct {
	rss, hwm, anon, file float64 // VmRSS, VmHWM, RssAnon, RssFile
	storeMapped          float64 // resident pages of the mmap'd store file (part of file)
	storeFile            float64 // the store file's size
	heapInuse, goSys     float64 // go_memstats_heap_inuse_bytes, go_memstats_sys_bytes
}

func (m benchMemory) String() string {
	return fmt.Sprintf("VmRSS %.0f MB (RssAnon %.0f + RssFile %.0f, of which the store's mmap %.0f; store file %.0f MB), VmHWM %.0f MB; Go heap in use %.0f MB, Go runtime total %.0f MB",
		m.rss, m.anon, m.file, m.storeMapped, m.storeFile, m.hwm, m.heapInuse, m.goSys)
}

func (p *benchProc) memory(b *testing.B, fams map[string]*dto.MetricFamily) benchMemory {
	b.Helper()
	pid := p.cmd.Process.Pid
	status := benchProcKB(b, fmt.Sprintf("/proc/%d/status", pid), func(string) bool { return true })
	dbPath := filepath.Join(p.dataDir, store.FileName)
	mapped := benchProcKB(b, fmt.Sprintf("/proc/%d/smaps", pid), benchInMapping(dbPath))
	fi, err := os.Stat(dbPath)
	if err != nil {
		b.Fatal(err)
	}
	return benchMemory{
		rss: status["VmRSS"] / 1024, hwm: status["VmHWM"] / 1024, anon: status["RssAnon"] / 1024, file: status["RssFile"] / 1024,
		storeMapped: mapped["Rss"] / 1024, storeFile: float64(fi.Size()) / (1 << 20),
		heapInuse: benchValue(fams, "go_memstats_heap_inuse_bytes", nil) / (1 << 20),
		goSys:     benchValue(fams, "go_memstats_sys_bytes", nil) / (1 << 20),
	}
}

// benchProcKB sums the "Key: N kB" lines of a /proc file, keeping the lines
// for which keep (called on every line, headers included) holds.
func benchProcKB(b *testing.B, path string, keep func(line string) bool) map[string]float64 {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !keep(line) {
			continue
		}
		key, rest, ok := strings.Cut(line, ":")
		fields := strings.Fields(rest)
		if !ok || len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		if n, err := strconv.ParseFloat(fields[0], 64); err == nil {
			out[key] += n
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

// benchInMapping keeps the smaps lines of the mappings of path: a mapping's
// header line names its file, and its "Key: N kB" lines follow.
func benchInMapping(path string) func(string) bool {
	inside := false
	return func(line string) bool {
		if fields := strings.Fields(line); len(fields) >= 5 && strings.Contains(fields[0], "-") {
			inside = fields[len(fields)-1] == path
			return false
		}
		return inside
	}
}

// benchValue is the value of the gauge, counter or untyped series of a
// family whose labels include want; 0 when there is none.
func benchValue(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	for _, m := range f.GetMetric() {
		if benchLabelsMatch(m, want) {
			return benchSampleValue(m)
		}
	}
	return 0
}

// benchSum adds every series of a family.
func benchSum(fams map[string]*dto.MetricFamily, name string) float64 {
	var total float64
	if f := fams[name]; f != nil {
		for _, m := range f.GetMetric() {
			total += benchSampleValue(m)
		}
	}
	return total
}

func benchSampleValue(m *dto.Metric) float64 {
	switch {
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	}
	return m.GetUntyped().GetValue()
}

func benchLabelsMatch(m *dto.Metric, want map[string]string) bool {
	found := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
			found++
		}
	}
	return found == len(want)
}
