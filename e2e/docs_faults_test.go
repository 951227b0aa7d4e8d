package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/simulator"
)

// docsKinds are the documentation kinds of collectors.Kinds (sitemap,
// zendesk_help_center), each a vendor named after it in a zoo
// (zooOptions.docs).
var docsKinds = collectors.Kinds.Config().Feeding(config.FeedsDocs)

// docsGauges are the support_docs_* gauges of a docs source.
var docsGauges = []string{"support_docs_pages", "support_docs_last_update_timestamp_seconds", "support_docs_pages_stale",
	"support_docs_pages_updated", "support_docs_pages_undated", "support_docs_translations_outdated", "support_docs_lastmod_suspect"}

// docsVendor is the zoo's vendor of a docs kind: its name, dashed.
func docsVendor(kind string) string { return strings.ReplaceAll(kind, "_", "-") }

// docsTruth is what a docs source of the zoo must show as of its vendor's
// clock: the site's pages, and its newest update (Unix seconds) among the
// pages the kind dates (a sitemap gives no date to a page without lastmod;
// the help center dates every article).
func docsTruth(src zooSource) (pages int, newest float64) {
	tr := src.sim.Truth(src.vendor, src.clock.now())
	for _, p := range tr.Pages {
		if p.NoLastmod && src.kind == simulator.KindSitemap {
			continue
		}
		newest = max(newest, float64(p.Updated.Unix()))
	}
	return len(tr.Pages), newest
}

// docsLag is zoo.lag of a docs source: it must be up, and show every page
// of its vendor's site and its newest update.
func docsLag(s series, src zooSource) string {
	up, _ := s.get("support_source_up", src.labels()...)
	if up != 1 {
		return "not up"
	}
	pages, newest := docsTruth(src)
	gotPages, _ := s.get("support_docs_pages", "vendor", src.vendor, "source", "docs")
	gotNewest, _ := s.get("support_docs_last_update_timestamp_seconds", "vendor", src.vendor, "source", "docs")
	if int(gotPages) != pages || gotNewest != newest {
		return fmt.Sprintf("%v pages, newest %v; the site has %d, newest %v", gotPages, gotNewest, pages, newest)
	}
	return ""
}

// docsOf is a docs vendor's support_docs_* series.
func docsOf(s series, vendor string) series {
	out := series{}
	for k, v := range s.ofVendor(vendor) {
		if strings.HasPrefix(k, "support_docs_") {
			out[k] = v
		}
	}
	return out
}

// checkDocsServed fails the test when a docs source of the zoo serves no
// value of a support_docs_* gauge, or a newest update later than its
// vendor's clock (plus the exporter's default clock skew of 5 minutes,
// docs/configuration.md): a page dated ahead is held, never shown.
func checkDocsServed(t *testing.T, s series, src zooSource, when string) {
	t.Helper()
	for _, g := range docsGauges {
		if _, ok := s.get(g, "vendor", src.vendor, "source", "docs"); !ok {
			t.Errorf("%s: %s: no %s served", when, src.vendor, g)
		}
	}
	newest, _ := s.get("support_docs_last_update_timestamp_seconds", "vendor", src.vendor, "source", "docs")
	if limit := float64(src.clock.now().Add(5 * time.Minute).Unix()); newest > limit {
		t.Errorf("%s: %s: support_docs_last_update_timestamp_seconds %v is after its vendor's clock %v", when, src.vendor,
			time.Unix(int64(newest), 0).UTC(), src.clock.now().UTC())
	}
}

// docsRSSLimit is the resident memory TestVendorFaultsDocs' exporter must
// stay under: a sitemap file and a help-center page read whole up to
// their caps (50 MB and 32 MiB) at once, and the exporter's own 20-odd
// MiB, measured at 81 to 106 MiB on a quiet machine and up to 134 MiB on
// one with a load of 20 on 2 cores (the collector's garbage is reclaimed
// later there). The zoo of TestHugeBodies leaves the docs
// sites out: its hugeRSSLimit is the ticket and status kinds' (32 MiB
// caps), which the sitemap's 50 MB on top of them would pass.
const docsRSSLimit = 144 << 20

// TestVendorFaultsDocs is TestVendorFaults for the documentation kinds: a
// zoo of one generated site per docs kind (230 pages: three sitemap files,
// the last gzip-compressed, behind an index; three help-center pages of 100
// articles), synced, meets each fault of TestVendorFaults' table and huge
// bodies for three requests (a timeout for one), and a 500 on the third
// request of a sync that reads a changed site. Each source goes down with the fault's reason, and at every
// scrape until it is up again it serves exactly the support_docs_* values
// of its last complete sync: a sync that failed on the second or third
// file or page stores nothing (docs/sources.md, "Documentation sites": the
// page list is replaced only by a complete sync), so that no page is taken
// as gone. Once the site recovers and has moved on (three pages edited), every
// source shows it whole. Then a 429 with Retry-After is honoured: the next
// request comes no sooner than asked.
func TestVendorFaultsDocs(t *testing.T) {
	t.Parallel()
	z := startZoo(t, zooOptions{tickets: []faultSource{}, noStatus: true, docs: docsKinds})
	w := newWatcher(t, z.p, 250*time.Millisecond)
	lags := func(s series) string { return strings.Join(z.lags(s, nil), "; ") }
	w.until(60*time.Second, "every docs site synced", func(s series) bool { return lags(s) == "" }, lags)

	faults := []struct {
		fault  simulator.Fault
		reason string
	}{
		{simulator.FaultRateLimit, "rate_limited"},
		{simulator.FaultTimeout, "timeout"},
		{simulator.FaultMalformed, "decode"},
		{simulator.FaultTruncated, "decode"},
		{simulator.FaultUnauthorized, "auth"},
		// 64 MiB bodies, streamed: past the sitemap's 50 MB a file and the
		// help center's 32 MiB a page.
		{simulator.FaultHugeBody, "too_large"},
		// 500 at the third request: the index and the first file read,
		// the second file broken (the help center: its third page).
		{simulator.FaultServerError, "http"},
	}
	for i, ft := range faults {
		after := 0
		if i == len(faults)-1 {
			after = 2
		}
		name := fmt.Sprintf("%s/%s/after_%d", ft.reason, ft.fault, after)
		t.Run(name, func(t *testing.T) {
			settle := time.Now()
			before := w.until(30*time.Second, "one more sync of every site", func(s series) bool { return z.syncedAfter(s, settle) }, lags)
			for _, src := range z.sources {
				checkDocsServed(t, before, src, "before "+name)
				// Unchanged sites answer 304 to every file, which the
				// faults that damage a body make unconditional; a changed
				// one is read whole: the vendors edit a page first, so
				// that a fault after the first requests meets a sync that
				// reads on.
				n := 3
				if ft.fault == simulator.FaultTimeout {
					n = 1 // each costs the request timeout, 5 s
				}
				src.inject(t, simulator.Spec{Fault: ft.fault, Requests: n, After: after})
			}
			if after > 0 {
				z.statusClock.advance(2 * time.Hour) // one page edited
			}
			errs := func(s series, src zooSource) float64 {
				v, _ := s.get("support_source_errors_total", append(src.labels(), "reason", ft.reason)...)
				return v
			}
			down := map[string]bool{}
			w.until(30*time.Second, "every site down with "+ft.reason+" counted", func(s series) bool {
				for _, src := range z.sources {
					if down[src.vendor] {
						continue
					}
					if d := diff(docsOf(before, src.vendor), docsOf(s, src.vendor)); len(d) > 0 {
						t.Fatalf("%s: values changed while the site failed (a failed sync stores nothing): %v", src.vendor, d[:min(len(d), 10)])
					}
					if up, _ := s.get("support_source_up", src.labels()...); up == 0 && errs(s, src) > errs(before, src) {
						down[src.vendor] = true
					}
				}
				return len(down) == len(z.sources)
			}, func(series) string { return fmt.Sprintf("%d of %d down", len(down), len(z.sources)) })
			// The sites move on: three pages edited.
			z.statusClock.advance(6 * time.Hour)
			s := w.until(30*time.Second, "every site recovered and caught up", func(s series) bool { return lags(s) == "" }, lags)
			for _, src := range z.sources {
				checkDocsServed(t, s, src, "after "+name)
			}
		})
	}

	// A 429 with Retry-After: 4 and no reset: the next request comes 4 s
	// later, no sooner (measureWait, TestRateLimitWaits).
	const wait = 4 * time.Second
	spec := simulator.Spec{Fault: simulator.FaultRateLimitNoReset, Requests: 1, Wait: wait}
	gaps := make([]waitGap, len(z.sources))
	var wg sync.WaitGroup
	done := make(chan struct{})
	for i, src := range z.sources {
		wg.Go(func() { gaps[i] = measureWait(src, spec) })
	}
	go func() { wg.Wait(); close(done) }()
	w.until(time.Minute, "the waits measured", func(series) bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	}, nil)
	for i, src := range z.sources {
		g := gaps[i]
		if g.err != nil {
			t.Errorf("%s: %v", src.vendor, g.err)
			continue
		}
		t.Logf("%s: the next request came between %s and %s after the refused one, asked %s", src.vendor,
			g.least.Round(time.Millisecond), g.most.Round(time.Millisecond), wait)
		if g.most < wait {
			t.Errorf("%s: the next request came %s after the 429 at most, sooner than the %s asked", src.vendor, g.most.Round(time.Millisecond), wait)
		}
		if g.least > wait+rateLimitLate {
			t.Errorf("%s: the next request came %s after the 429 at least, more than %s after the %s asked", src.vendor, g.least.Round(time.Millisecond), rateLimitLate, wait)
		}
	}
	w.until(20*time.Second, "every site up again", func(s series) bool { return lags(s) == "" }, lags)
	// The huge bodies read up to the caps, 50 MB and 32 MiB, at most once
	// each at a time: docsRSSLimit, at every scrape and at the peak.
	hwm := procStatusKB(t, z.p, "VmHWM")
	t.Logf("resident memory: at most %.1f MiB in %d scrapes; VmHWM %.1f MiB", w.maxRSS/(1<<20), w.scrapes, hwm/1024)
	if w.maxRSS >= docsRSSLimit || hwm*1024 >= docsRSSLimit {
		t.Errorf("the exporter's resident memory reached %.1f MiB (VmHWM %.1f MiB), want under %d MiB", w.maxRSS/(1<<20), hwm/1024, docsRSSLimit>>20)
	}
	if code, _ := z.p.get("/-/healthy"); code != 200 {
		t.Fatalf("exporter not healthy after the faults: %d", code)
	}
}
