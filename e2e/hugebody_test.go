package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
	"github.com/support-exporter/support_exporter/simulator/simtest"
)

// hugeRSSLimit is the resident memory the exporter must stay under while
// every source answers 64 MiB bodies: what a small VM or a container limit
// gives an exporter, and about twice what it needs for the zoo's stores.
const hugeRSSLimit = 150 << 20

// TestHugeBodies: every source kind of one exporter, synced, answers its
// next requests with 64 MiB bodies, streamed without a Content-Length
// (docs/sources.md: each kind's size cap). Each source fails with
// too_large, never a timeout; the exporter's resident memory stays under
// hugeRSSLimit at every scrape, and at its peak (VmHWM); once the vendors answer normally again,
// every source catches up with what they did meanwhile.
func TestHugeBodies(t *testing.T) {
	t.Parallel()
	z := startZoo(t, zooOptions{})
	w := newWatcher(t, z.p, 250*time.Millisecond)
	lags := func(s series) string { return strings.Join(z.lags(s, nil), "; ") }
	w.until(60*time.Second, "every source synced", func(s series) bool { return lags(s) == "" }, lags)

	const huge = 3 // requests answered with a huge body, in a row
	// A session kind's huge answer is a FETCH's literal (simtest's
	// SessionFaults, FetchOnly): its other commands are answered as usual,
	// and a caught-up sync of a world standing still fetches nothing. The
	// fault lasts a while for it instead of some commands, the vendors'
	// world moves once every fault is in place, so that there is mail to
	// fetch, and its huge answers are received once a sync failed with
	// too_large.
	const fetchOnlyFor = 5 * time.Second
	fetchOnly := func(src zooSource) bool { return simtest.SessionFaults[src.kind][simulator.FaultHugeBody].FetchOnly }
	was := w.scrape()
	sent := map[string]int{}
	for _, src := range z.sources {
		sent[src.vendor] = src.requests()
		if fetchOnly(src) {
			t.Logf("%s: huge FETCH answers for %v, after new mail", src.vendor, fetchOnlyFor)
			src.inject(t, simulator.Spec{Fault: simulator.FaultHugeBody, For: fetchOnlyFor})
			continue
		}
		src.inject(t, simulator.Spec{Fault: simulator.FaultHugeBody, Requests: huge})
	}
	z.ticketClock.advance(10 * time.Minute)
	errs := func(s series, src zooSource, reason string) float64 {
		v, _ := s.get("support_source_errors_total", append(src.labels(), "reason", reason)...)
		return v
	}
	w.until(30*time.Second, "every source's huge answers received", func(s series) bool {
		for _, src := range z.sources {
			if fetchOnly(src) {
				if errs(s, src, "too_large") <= errs(was, src, "too_large") {
					return false
				}
				continue
			}
			if src.requests() < sent[src.vendor]+huge {
				return false
			}
		}
		return true
	}, func(s series) string {
		var missing []string
		for _, src := range z.sources {
			if fetchOnly(src) && errs(s, src, "too_large") <= errs(was, src, "too_large") || !fetchOnly(src) && src.requests() < sent[src.vendor]+huge {
				missing = append(missing, src.vendor)
			}
		}
		return "waiting for " + strings.Join(missing, ", ")
	})
	// The vendors work on meanwhile: the catch-up must bring it.
	z.ticketClock.advance(30 * time.Minute)
	over := time.Now()
	after := w.until(30*time.Second, "every source caught up after the huge bodies", func(s series) bool {
		return z.syncedAfter(s, over) && lags(s) == ""
	}, lags)
	for _, src := range z.sources {
		tooLarge := errs(after, src, "too_large") - errs(was, src, "too_large")
		timeouts := errs(after, src, "timeout") - errs(was, src, "timeout")
		t.Logf("%s: %v syncs failed too_large, %v timeout", src.vendor, tooLarge, timeouts)
		if tooLarge < 1 {
			t.Errorf("%s: no sync failed with reason too_large after %d huge answers", src.vendor, huge)
		}
		if timeouts > 0 {
			t.Errorf("%s: %v syncs failed with reason timeout reading a huge answer", src.vendor, timeouts)
		}
	}
	hwm := procStatusKB(t, z.p, "VmHWM")
	t.Logf("resident memory: at most %.1f MiB in %d scrapes; VmHWM %.1f MiB", w.maxRSS/(1<<20), w.scrapes, hwm/1024)
	if w.maxRSS >= hugeRSSLimit {
		t.Errorf("the exporter reported %.1f MiB resident, want under %d MiB", w.maxRSS/(1<<20), hugeRSSLimit>>20)
	}
	// The peak between scrapes too: the kernel's high-water mark.
	if hwm*1024 >= hugeRSSLimit {
		t.Errorf("the exporter's resident memory peaked at %.1f MiB (VmHWM), want under %d MiB", hwm/1024, hugeRSSLimit>>20)
	}
	if code, _ := z.p.get("/-/healthy"); code != 200 {
		t.Fatalf("exporter not healthy after the huge bodies: %d", code)
	}
}

// procStatusKB reads one "Key: N kB" line of the exporter's
// /proc/<pid>/status.
func procStatusKB(t testing.TB, p *proc, key string) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, rest, ok := strings.Cut(line, ":")
		if !ok || k != key {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 2 && fields[1] == "kB" {
			if n, err := strconv.ParseFloat(fields[0], 64); err == nil {
				return n
			}
		}
	}
	t.Fatalf("no %s in /proc/%d/status", key, p.cmd.Process.Pid)
	return 0
}
