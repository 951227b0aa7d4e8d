package report

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// BenchmarkQuarterTenVendorsMillionTickets is the acceptance: a
// quarter of 10 vendors at 1M tickets in all (a year of history each, so
// most tickets lie before the quarter), with the previous quarter
// compared. It reports the seconds of a Build and the peak resident
// memory of the run (the store's build excluded: the peak is reset
// before). Building the store takes minutes: it runs only with -bench.
//
//	go test ./exporter/report -run '^$' -bench QuarterTenVendors -benchtime 1x
func BenchmarkQuarterTenVendorsMillionTickets(b *testing.B) {
	const (
		vendors          = 10
		ticketsPerVendor = 100_000
	)
	end := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	begin := end.AddDate(-1, 0, 0)
	var yaml strings.Builder
	fmt.Fprintf(&yaml, "global:\n  history_start: %s\nvendors:\n", begin.Format(time.DateOnly))
	var names []string
	for v := range vendors {
		names = append(names, fmt.Sprintf("vendor-%02d", v))
		fmt.Fprintf(&yaml, `  - name: vendor-%02d
    sla:
      first_response: {urgent: 1h, high: 4h, normal: 8h}
      resolution: {urgent: 24h, high: 72h}
      maintenance_notice: 72h
    tickets:
      - {name: support, kind: zendesk_requests, url: "https://v%d.zendesk.com", http_client: {basic_auth: {username: agent, password: token}}}
    status_pages:
      - {name: status, kind: statuspage, url: "https://status.v%d.com"}
`, v, v, v)
	}
	cfg := testConfig(b, yaml.String())
	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, vc := range cfg.Vendors {
		rules, err := quality.NewRules(vc, cfg.Global)
		if err != nil {
			b.Fatal(err)
		}
		for batch := range ticketsPerVendor / 5000 {
			err := st.Update(store.SourceKey{Vendor: vc.Name, Source: "support"}, func(tx *store.Tx) error {
				for i := range 5000 {
					merged := rules.MergeTicket(nil, randomTicket(rnd, batch*5000+i, begin, end), quality.Judged{})
					if _, err := tx.PutTicket(&merged); err != nil {
						return err
					}
				}
				return tx.SetSyncedAt(end)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		err = st.Update(store.SourceKey{Vendor: vc.Name, Source: "status"}, func(tx *store.Tx) error {
			for i := range 100 {
				merged := rules.MergeIncident(nil, randomIncident(rnd, i, begin, end), quality.Judged{})
				if _, err := tx.PutIncident(&merged); err != nil {
					return err
				}
			}
			for i := range 52 {
				at := begin.Add(time.Duration(i) * 7 * 24 * time.Hour)
				m := item.Maintenance{ID: fmt.Sprint("m", i), CreatedAt: at, UpdatedAt: at.Add(50 * time.Hour),
					ScheduledFor: at.Add(48 * time.Hour), CompletedAt: at.Add(50 * time.Hour)}
				merged := rules.MergeMaintenance(nil, m, quality.Judged{})
				if _, err := tx.PutMaintenance(&merged); err != nil {
					return err
				}
			}
			return tx.SetSyncedAt(end)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := st.Remap(); err != nil { // drop the build's pages from the resident set
		b.Fatal(err)
	}
	quarter := Period{From: end.AddDate(0, -3, 0), To: end, Name: "2026Q3"}
	for b.Loop() {
		runtime.GC()
		resetPeakRSS(b)
		stop := sampleAnon(b)
		cpu0 := cpuSeconds(b)
		start := time.Now()
		r, err := Build(b.Context(), Options{Store: st, Config: cfg, Vendors: names, Period: quarter,
			ComparePrevious: true, Now: end.Add(time.Hour), Kinds: collectors.Kinds.Config()})
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		cpu := cpuSeconds(b) - cpu0
		anon := stop()
		if r.Vendors[0].Volume.TicketsOpened == 0 {
			b.Fatal("no ticket opened in the quarter")
		}
		b.ReportMetric(took.Seconds(), "s/report")
		b.ReportMetric(peakRSS(b)/1e6, "peak-RSS-MB")
		b.ReportMetric(anon/1e6, "peak-anon-MB")
		b.ReportMetric(cpu, "cpu-s")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapSys)/1e6, "heap-sys-MB")
		if fi, err := os.Stat(st.Path()); err == nil {
			b.ReportMetric(float64(fi.Size())/1e6, "store-MB")
		}
	}
}

// resetPeakRSS resets the kernel's high-water mark of this process's
// resident memory (Linux: clear_refs 5).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("resetting the peak RSS: %v", err)
	}
}

// cpuSeconds is the process's user and system CPU time so far: on a
// shared machine the wall time of a run says little, its CPU time what it
// costs (over GOMAXPROCS cores, the wall time of an idle machine).
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// sampleAnon samples the process's anonymous resident memory (RssAnon:
// the heap and stacks, not the store's file pages that the kernel maps in
// as bbolt reads and may drop at will) every 20 ms until stop, which
// returns its peak in bytes.
func sampleAnon(b *testing.B) (stop func() float64) {
	done, peak := make(chan struct{}), make(chan float64)
	go func() {
		var max float64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v := statusField(b, "RssAnon:"); v > max {
				max = v
			}
			select {
			case <-done:
				peak <- max
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 { close(done); return <-peak }
}

// peakRSS is VmHWM, in bytes.
func peakRSS(b *testing.B) float64 { return statusField(b, "VmHWM:") }

// statusField is a field of /proc/self/status in kB, in bytes.
func statusField(b *testing.B, name string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 3 && fields[0] == name {
			kb, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb * 1024
		}
	}
	b.Fatalf("no %s in /proc/self/status", name)
	return 0
}
