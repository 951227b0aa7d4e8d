package backfill

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// BenchmarkTwoYearsTenVendors is the target: two years of ten
// vendors (each with a Zendesk desk of 10 tickets a day and a status page
// of 2 incidents and 1 maintenance a week) at a 1h step, written to disk.
// It reports samples per second and the peak resident memory of the run
// (the store's build excluded: the peak is reset before the run). The
// output is about 11 GB: run it where there is room.
//
//	go test ./exporter/backfill -run '^$' -bench TwoYearsTenVendors -benchtime 1x
func BenchmarkTwoYearsTenVendors(b *testing.B) {
	const (
		vendors       = 10
		days          = 730
		ticketsPerDay = 10
	)
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	from := end.Add(-days * 24 * time.Hour)
	var yaml strings.Builder
	fmt.Fprintf(&yaml, "global:\n  history_start: %s\nvendors:\n", from.Format(time.DateOnly))
	for v := range vendors {
		fmt.Fprintf(&yaml, `  - name: vendor-%02d
    sla:
      first_response: {urgent: 1h, high: 4h, normal: 8h}
      resolution: {urgent: 24h, high: 72h}
    tickets:
      - {name: support, kind: zendesk, url: "https://v%d.zendesk.com", http_client: {basic_auth: {username: agent, password: token}}}
    status_pages:
      - {name: status, kind: statuspage, url: "https://status.v%d.com"}
`, v, v, v)
	}
	cfg, err := config.Parse([]byte(yaml.String()), "bench.yml", collectors.Kinds.Config())
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, v := range cfg.Vendors {
		rules, err := quality.NewRules(v, config.Global{HistoryStart: config.Date{Time: from}})
		if err != nil {
			b.Fatal(err)
		}
		for batch := range days * ticketsPerDay / 1000 {
			benchPut(b, st, v.Name, "support", func(tx *store.Tx) error {
				for i := range 1000 {
					merged := rules.MergeTicket(nil, randomTicket(rnd, batch*1000+i, from, end), quality.Judged{})
					if _, err := tx.PutTicket(&merged); err != nil {
						return err
					}
				}
				return tx.SetSyncedAt(end)
			})
		}
		benchPut(b, st, v.Name, "status", func(tx *store.Tx) error {
			for i := range days * 2 / 7 {
				merged := rules.MergeIncident(nil, randomIncident(rnd, i, from, end), quality.Judged{})
				if _, err := tx.PutIncident(&merged); err != nil {
					return err
				}
			}
			for i := range days / 7 {
				at := from.Add(time.Duration(i) * 7 * 24 * time.Hour)
				m := item.Maintenance{ID: fmt.Sprint("m", i), CreatedAt: at, UpdatedAt: at.Add(50 * time.Hour),
					ScheduledFor: at.Add(48 * time.Hour), CompletedAt: at.Add(50 * time.Hour)}
				if _, err := tx.PutMaintenance(&m); err != nil {
					return err
				}
			}
			return tx.SetSyncedAt(end)
		})
	}
	if err := st.Remap(); err != nil { // drop the build's pages from the resident set
		b.Fatal(err)
	}
	for b.Loop() {
		runtime.GC()
		resetPeakRSS(b)
		start := time.Now()
		res, err := Run(b.Context(), Options{
			Store: st, Config: cfg, ConfigDigest: "bench", Now: end.Add(time.Hour), Step: time.Hour,
			Dir: filepath.Join(b.TempDir(), "out"), Labels: map[string]string{"job": "support_exporter", "instance": "host:10043"},
		})
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		var bytes int64
		for _, f := range res.Files {
			if fi, err := os.Stat(f); err == nil {
				bytes += fi.Size()
			}
		}
		b.ReportMetric(float64(res.Samples)/took.Seconds(), "samples/s")
		b.ReportMetric(float64(res.Samples), "samples")
		b.ReportMetric(float64(res.Series), "series")
		b.ReportMetric(float64(bytes)/1e9, "GB")
		b.ReportMetric(peakRSS(b)/1e6, "peak-RSS-MB")
		b.ReportMetric(took.Seconds(), "s/run")
	}
}

func benchPut(b *testing.B, st *store.Store, vendor, source string, fn func(*store.Tx) error) {
	b.Helper()
	if err := st.Update(store.SourceKey{Vendor: vendor, Source: source}, fn); err != nil {
		b.Fatal(err)
	}
}

// resetPeakRSS resets the kernel's high-water mark of this process's
// resident memory (Linux: clear_refs 5).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("resetting the peak RSS: %v", err)
	}
}

// peakRSS is VmHWM, in bytes.
func peakRSS(b *testing.B) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 3 && fields[0] == "VmHWM:" {
			kb, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb * 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
