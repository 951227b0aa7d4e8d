package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// TestDocsFreshness is issue 14's acceptance row "a docs site with fresh,
// stale and build-date pages": three documentation sites read through the
// exporter and scraped by a real Prometheus, every gauge equal to the
// value worked out by hand below, then the sites misbehaving (a huge file,
// an endless index, a gzip bomb) while the last good values stay served,
// and an unchanged site costing one 304 per file.
//
// Page dates are whole days before the test's start (t0), and the
// exporter judges them as of each sync's start, seconds after t0: no page
// lies within a minute of a window's edge.
func TestDocsFreshness(t *testing.T) {
	promBin := lookPath(t, "prometheus", "prometheus")
	t0 := time.Now().UTC().Truncate(time.Second)
	ago := func(days int) time.Time { return t0.Add(-time.Duration(days) * day) }
	build := time.Date(t0.Year(), t0.Month(), t0.Day(), 0, 0, 0, 0, time.UTC) // today's build, a date alone

	// docsco: a docs site read through its sitemap, /docs/ only, without
	// /internal/, and through its help center, every article.
	docsco := []simulator.DocPage{
		{Path: "/docs/fresh-1", Updated: ago(3)},
		{Path: "/docs/fresh-2", Updated: ago(10)},
		{Path: "/docs/middle", Updated: ago(100), OutdatedLocales: 2},
		{Path: "/docs/old-1", Updated: ago(400)},
		{Path: "/docs/old-2", Updated: ago(800), OutdatedLocales: 1},
		{Path: "/docs/undated", Updated: ago(50), NoLastmod: true},
		{Path: "/blog/news", Updated: ago(1)},
		{Path: "/docs/internal/runbook", Updated: ago(2)},
	}
	// mixco: 8 of its 12 pages carry one build instant, 4 their own dates.
	var mixco []simulator.DocPage
	for i := range 8 {
		mixco = append(mixco, simulator.DocPage{Path: fmt.Sprintf("/docs/generated-%d", i), Updated: build})
	}
	for i, d := range []int{5, 60, 100, 500} {
		mixco = append(mixco, simulator.DocPage{Path: fmt.Sprintf("/docs/own-%d", i), Updated: ago(d)})
	}
	// buildco: MkDocs' sitemap, every lastmod the build date.
	var buildco []simulator.DocPage
	for i := range 15 {
		buildco = append(buildco, simulator.DocPage{Path: fmt.Sprintf("/page-%02d/", i), Updated: ago(20 * i)})
	}
	sim := startedSim(t, simulator.Options{Seed: 5, Start: t0, Clock: func() time.Time { return t0 }, Vendors: []simulator.Vendor{
		{Name: "docsco", Timezone: "UTC", Docs: simulator.DocsSite{Pages: docsco}},
		{Name: "mixco", Timezone: "UTC", Docs: simulator.DocsSite{Pages: mixco}},
		{Name: "buildco", Timezone: "UTC", Docs: simulator.DocsSite{Pages: buildco, BuildDate: build}},
	}})
	bomb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(gzipBomb(t))
	}))
	defer bomb.Close()

	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString(officeConfigHeader)
	cfg.WriteString("  - name: docsco\n    docs:\n      - name: docs\n")
	cfg.WriteString(sourceYAML(t, sim, "docsco", simulator.KindSitemap, false))
	cfg.WriteString("        include: ['^/docs/']\n        exclude: ['/internal/']\n      - name: help\n")
	cfg.WriteString(sourceYAML(t, sim, "docsco", simulator.KindZendeskHelpCenter, false))
	for _, v := range []string{"mixco", "buildco"} {
		fmt.Fprintf(&cfg, "  - name: %s\n    docs:\n      - name: docs\n", v)
		cfg.WriteString(sourceYAML(t, sim, v, simulator.KindSitemap, false))
	}
	fmt.Fprintf(&cfg, "  - name: bombco\n    docs:\n      - name: docs\n        kind: sitemap\n        url: %q\n", bomb.URL+"/sitemap.xml.gz")
	logs := &syncBuffer{}
	p := start(t, logs, "--config.file="+configFile(t, dir, cfg.String()), "--storage.path="+filepath.Join(dir, "data"))

	// The values worked out by hand, as of a sync started seconds after t0
	// (stale_after 365d, updated_within 30d):
	type site struct{ vendor, source string }
	want := map[site]map[string]float64{
		// Sitemap, /docs/ without /internal/: fresh-1, fresh-2, middle,
		// old-1, old-2, undated = 6 pages. Updated within 30 days: 3d and
		// 10d = 2. Stale (365 days or more): 400d and 800d = 2. Undated:
		// the page without lastmod = 1. Dated 5 < 10: not suspect. Newest:
		// 3 days ago. A sitemap says nothing of translations: 0.
		{"docsco", "docs"}: {"pages": 6, "last_update": float64(ago(3).Unix()), "stale": 2, "updated": 2, "undated": 0 + 1, "outdated": 0, "suspect": 0},
		// Help center, every article: 8 pages, each with its edited_at
		// (the undated page's is 50 days ago). Updated: 1, 2, 3 and 10
		// days = 4. Stale: 400 and 800 = 2. Undated 0. Newest: 1 day ago
		// (/blog/news). Outdated translations: 2 + 1 = 3.
		{"docsco", "help"}: {"pages": 8, "last_update": float64(ago(1).Unix()), "stale": 2, "updated": 4, "undated": 0, "outdated": 3, "suspect": 0},
		// 12 dated pages, 8 sharing today's midnight: 8 > 12/2, suspect.
		// Those 8 count as undated; of the other 4 (5, 60, 100, 500 days)
		// one is updated (5) and one stale (500); newest 5 days ago.
		{"mixco", "docs"}: {"pages": 12, "last_update": float64(ago(5).Unix()), "stale": 1, "updated": 1, "undated": 8, "outdated": 0, "suspect": 1},
		// 15 pages, every lastmod today's date: all suspect, all undated,
		// nothing fresh nor stale, no last update (0).
		{"buildco", "docs"}: {"pages": 15, "last_update": 0, "stale": 0, "updated": 0, "undated": 15, "outdated": 0, "suspect": 1},
	}
	metric := map[string]string{
		"pages": "support_docs_pages", "last_update": "support_docs_last_update_timestamp_seconds", "stale": "support_docs_pages_stale",
		"updated": "support_docs_pages_updated", "undated": "support_docs_pages_undated", "outdated": "support_docs_translations_outdated",
		"suspect": "support_docs_lastmod_suspect",
	}
	sitemapLabels := []string{"vendor", "docsco", "source", "docs", "kind", "sitemap"}
	var s series
	var body string
	waitFor(t, time.Minute, "every docs site judged, the bomb refused", func() bool {
		s, body = p.scrape()
		for k := range want {
			if _, ok := s.get("support_docs_pages", "vendor", k.vendor, "source", k.source); !ok {
				return false
			}
		}
		n, _ := s.get("support_source_errors_total", "vendor", "bombco", "source", "docs", "kind", "sitemap", "reason", "too_large")
		return n > 0
	})
	if out := promtoolLint(t, body); out != "" {
		t.Errorf("promtool check metrics:\n%s", out)
	}
	if s.has("support_docs_pages") && s.sum("support_docs_pages", "vendor", "bombco") != 0 {
		t.Errorf("bombco, whose only file is a gzip bomb, is judged")
	}

	// A real Prometheus reads the same values.
	prom := startPrometheus(t, promBin, dir, filepath.Join(dir, "prometheus"), p.addr)
	check := func(when string) {
		t.Helper()
		for k, values := range want {
			for name, v := range values {
				expr := fmt.Sprintf(`%s{vendor=%q,source=%q}`, metric[name], k.vendor, k.source)
				got, err := promInstant(prom.url, expr, time.Now())
				if err != nil || len(got) != 1 {
					t.Errorf("%s: %s: %v %v", when, expr, got, err)
					continue
				}
				if got[0].Samples[0].Value != v {
					t.Errorf("%s: %s = %v, want %v", when, expr, got[0].Samples[0].Value, v)
				}
			}
		}
	}
	waitFor(t, time.Minute, "Prometheus scraped the docs gauges", func() bool {
		got, err := promInstant(prom.url, `count(support_docs_pages)`, time.Now())
		return err == nil && len(got) == 1 && got[0].Samples[0].Value == 4
	})
	check("first syncs")

	// An unchanged site costs one 304 per file: the index and its one
	// sitemap.
	count304 := func() float64 {
		s, _ := p.scrape()
		n, _ := s.get("support_source_requests_total", append(sitemapLabels, "code", "304")...)
		return n
	}
	before := count304()
	waitFor(t, 30*time.Second, "two more syncs of docsco's sitemap, answered 304", func() bool { return count304() >= before+4 })
	s, _ = p.scrape()
	if n, _ := s.get("support_source_requests_total", append(sitemapLabels, "code", "200")...); n != 2 {
		t.Errorf("docsco's sitemap answered 200 to %v requests, want 2: the index and its sitemap once, then 304s", n)
	}

	// Faults: a file over 50 MB, an index that nests without end. Each
	// sync fails with its reason, the values stay; once the site
	// recovers, the source is up again with the same values.
	for _, fc := range []struct {
		spec   simulator.Spec
		reason string
	}{
		{simulator.Spec{Fault: simulator.FaultHugeBody, Size: 51 << 20, For: 4 * time.Second}, "too_large"},
		{simulator.Spec{Fault: simulator.FaultEndlessGrowing, For: 4 * time.Second}, "loop"},
	} {
		errorsOf := func() float64 {
			s, _ := p.scrape()
			n, _ := s.get("support_source_errors_total", append(sitemapLabels, "reason", fc.reason)...)
			return n
		}
		before := errorsOf()
		if err := sim.InjectSpec("docsco", simulator.KindSitemap, fc.spec); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, fc.spec.Fault.String()+" counted", func() bool { return errorsOf() > before })
		waitFor(t, 30*time.Second, "docsco's sitemap up again after "+fc.spec.Fault.String(), func() bool {
			s, _ := p.scrape()
			up, _ := s.get("support_source_up", sitemapLabels...)
			return up == 1
		})
	}
	// The help center's clock runs ten years ahead: every article is
	// refused at the door, counted, and the stored list stays served.
	helpLabels := []string{"vendor", "docsco", "source", "help"}
	rejected := func() float64 {
		s, _ := p.scrape()
		n, _ := s.get("support_items_rejected_total", append(helpLabels, "reason", "future_timestamp")...)
		return n
	}
	beforeRejected := rejected()
	if err := sim.InjectSpec("docsco", simulator.KindZendeskHelpCenter, simulator.Spec{Fault: simulator.FaultFutureTimes, For: 4 * time.Second}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the help center's articles refused as future", func() bool { return rejected() >= beforeRejected+8 })
	s, _ = p.scrape()
	if n, _ := s.get("support_docs_pages", helpLabels...); n != 8 {
		t.Errorf("under the clock burst, support_docs_pages{source=help} = %v, want the stored 8", n)
	}
	time.Sleep(5 * time.Second) // the burst over, and Prometheus scraping every second
	check("after the faults")
}

// gzipBomb is a small gzip file that inflates to 60 MB of spaces, past
// the protocol's 50 MB.
func gzipBomb(t *testing.T) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 60 {
		if _, err := zw.Write(chunk); err != nil {
			t.Error(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Error(err)
	}
	return b.Bytes()
}
