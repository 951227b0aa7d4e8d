package e2e

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/store"
)

// benchMillion is the store size BenchmarkMillionTickets works at.
const benchMillion = 1_000_000

// BenchmarkMillionTickets runs the built binary against a simulated vendor
// with a million tickets over a year and a status page:
//
//   - the initial sync: its duration (the runner's own measure, and from
//     process start until the store holds every ticket) and its rate;
//   - the process's memory once synced: VmRSS, VmHWM, RssAnon, RssFile, the
//     part of RssFile that is the store's mmap'd file, and the Go heap;
//   - the latency of /metrics (median and 90th percentile of 50 scrapes);
//   - a SIGTERM and a restart on the same store: the time until /-/ready
//     and the memory once the first snapshot is built from the store.
//
// It takes about a minute: run it alone with -benchtime=1x. The poll
// interval of 5 minutes keeps a second sync out of the measurements.
func BenchmarkMillionTickets(b *testing.B) {
	w := newWorld(b, worldOptions{tickets: benchMillion, history: 365 * 24 * time.Hour, pollInterval: "5m"})
	for range b.N {
		dataDir := b.TempDir()
		benchFirstRun(b, w, dataDir)
		benchRestart(b, w, dataDir)
	}
}

// benchFirstRun syncs a million tickets into an empty store, then measures
// memory and scrapes, and stops the exporter with SIGTERM.
func benchFirstRun(b *testing.B, w *world, dataDir string) {
	started := time.Now()
	p := startNoWait(b, nil, w.args(dataDir)...)
	helpdesk := []string{"vendor", "acme", "source", "helpdesk", "kind", "zendesk"}
	var s series
	waitEvery(b, 10*time.Minute, 500*time.Millisecond, "every ticket stored", func() bool {
		if code, _ := p.get("/-/ready"); code != http.StatusOK {
			return false
		}
		s, _ = p.scrape()
		items, _ := s.get("support_store_items", "vendor", "acme", "kind", "zendesk")
		done, _ := s.get("support_source_last_success_timestamp_seconds", helpdesk...)
		return items == benchMillion && done > 0
	})
	toStored := time.Since(started)
	sync, _ := s.get("support_source_sync_duration_seconds", helpdesk...)
	if sync <= 0 {
		b.Fatal("no duration of the helpdesk's sync is exposed")
	}
	b.ReportMetric(sync, "sync-s")
	b.ReportMetric(benchMillion/sync, "tickets/s")
	b.ReportMetric(toStored.Seconds(), "start-to-stored-s")
	mem := benchMemoryOf(b, p, s, dataDir)
	b.Logf("synced %d tickets: sync %.1f s (%.0f tickets/s); process start to all stored %.1f s", benchMillion, sync, benchMillion/sync, toStored.Seconds())
	b.Logf("memory after the sync: %s", mem)
	b.ReportMetric(mem.rss, "rss-MB")
	b.ReportMetric(mem.hwm, "hwm-MB")
	b.ReportMetric(mem.anon, "rss-anon-MB")
	b.ReportMetric(mem.file, "rss-file-MB")

	var took []time.Duration
	for range 50 {
		t0 := time.Now()
		if code, body := p.get("/metrics"); code != http.StatusOK {
			b.Fatalf("GET /metrics: %d %.200s", code, body)
		}
		took = append(took, time.Since(t0))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1e3, "scrape-p50-ms")
	b.Logf("/metrics latency over %d scrapes: median %s, p90 %s, max %s", len(took),
		took[len(took)/2], took[len(took)*9/10], took[len(took)-1])
	b.Logf("SIGTERM to exit: %s", p.term().Round(time.Millisecond))
}

// benchRestart starts the exporter again on the synced store: it must
// rebuild every aggregate from the store before /-/ready answers.
func benchRestart(b *testing.B, w *world, dataDir string) {
	started := time.Now()
	p := startNoWait(b, nil, w.args(dataDir)...)
	waitEvery(b, 5*time.Minute, 10*time.Millisecond, "/-/ready", func() bool {
		code, _ := p.get("/-/ready")
		return code == http.StatusOK
	})
	ready := time.Since(started)
	s, _ := p.scrape()
	mem := benchMemoryOf(b, p, s, dataDir)
	if created := s.sum("support_tickets_created_total"); created != benchMillion {
		b.Fatalf("after the restart %v tickets are counted, want %d", created, benchMillion)
	}
	b.Logf("restart on the synced store: ready after %s; memory then: %s", ready.Round(time.Millisecond), mem)
	b.ReportMetric(ready.Seconds(), "restart-ready-s")
	b.ReportMetric(mem.rss, "restart-rss-MB")
	b.ReportMetric(mem.hwm, "restart-hwm-MB")
	b.ReportMetric(mem.storeMapped, "restart-store-mmap-MB")
	p.term()
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

func benchMemoryOf(b *testing.B, p *proc, s series, dataDir string) benchMemory {
	b.Helper()
	pid := p.cmd.Process.Pid
	status := benchProcKB(b, fmt.Sprintf("/proc/%d/status", pid), func(string) bool { return true })
	dbPath := filepath.Join(dataDir, store.FileName)
	mapped := benchProcKB(b, fmt.Sprintf("/proc/%d/smaps", pid), benchInMapping(dbPath))
	fi, err := os.Stat(dbPath)
	if err != nil {
		b.Fatal(err)
	}
	heap, _ := s.get("go_memstats_heap_inuse_bytes")
	sys, _ := s.get("go_memstats_sys_bytes")
	return benchMemory{
		rss: status["VmRSS"] / 1024, hwm: status["VmHWM"] / 1024, anon: status["RssAnon"] / 1024, file: status["RssFile"] / 1024,
		storeMapped: mapped["Rss"] / 1024, storeFile: float64(fi.Size()) / (1 << 20),
		heapInuse: heap / (1 << 20), goSys: sys / (1 << 20),
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
