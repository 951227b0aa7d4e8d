package exporter

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// TestAdmitPages: a documentation page dated before the earliest instant
// is left out and counted; an undated page passes; one dated beyond the
// skew is counted and keeps the stored list whole (the batch's list is
// dropped); a batch without a page list keeps none.
func TestAdmitPages(t *testing.T) {
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	bounds := door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: func() time.Time { return now }}
	st := newSourceStatus("acme", "docs", "sitemap")
	log := slog.New(slog.DiscardHandler)
	got := admit(item.Batch{Pages: []item.Page{
		{URL: "/ok", Updated: now.Add(-24 * time.Hour)}, {URL: "/undated"}, {URL: "/epoch", Updated: time.Unix(0, 0)},
	}}, bounds, st, log)
	if len(got.Pages) != 2 || got.Pages[0].URL != "/ok" || got.Pages[1].URL != "/undated" {
		t.Errorf("kept %+v, want /ok and /undated", got.Pages)
	}
	if got := admit(item.Batch{Pages: []item.Page{{URL: "/ok"}, {URL: "/ahead", Updated: now.Add(2 * time.Hour)}}, Cursor: []byte("c")}, bounds, st, log); got.Pages != nil || string(got.Cursor) != "c" {
		t.Errorf("a page ahead: %+v, want no page list (the stored one stays), the cursor kept", got)
	}
	if s := st.snapshot(); s.Rejected[door.ReasonFuture] != 1 || s.Rejected[door.ReasonPast] != 1 {
		t.Errorf("rejected %v, want one of each", s.Rejected)
	}
	if got := admit(item.Batch{Cursor: []byte("c")}, bounds, st, log); got.Pages != nil {
		t.Errorf("no page list became %+v", got.Pages)
	}
	if got := admit(item.Batch{Pages: []item.Page{{URL: "/1999", Updated: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)}}}, bounds, st, log); got.Pages == nil || len(got.Pages) != 0 {
		t.Errorf("every page dated before 2000: %#v, want an empty list", got.Pages)
	}
}

// TestDocsSiteThroughTheExporter: a sitemap source's page list is stored,
// judged once its sync completed, and loaded back from the store by a new
// exporter on the same store, with the same values, before any sync of
// its own (the site is gone).
func TestDocsSiteThroughTheExporter(t *testing.T) {
	recent := time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)
	old := time.Now().Add(-400 * 24 * time.Hour).UTC().Format(time.RFC3339)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://docs.acme.example/docs/a</loc><lastmod>%s</lastmod></url>
<url><loc>https://docs.acme.example/docs/b</loc><lastmod>%s</lastmod></url>
<url><loc>https://docs.acme.example/docs/c</loc></url>
<url><loc>https://docs.acme.example/blog/d</loc></url>
</urlset>`, recent, old)
	}))
	dir := t.TempDir()
	cfg := parseConfig(t, fmt.Sprintf(`global:
  poll_interval: 200ms
vendors:
  - name: acme
    docs:
      - name: docs
        kind: sitemap
        url: %s/sitemap.xml
        include: ['^/docs/']
`, site.URL))
	want := quality.DocsSite{Source: "docs", Pages: 3, Stale: 1, Updated: 1, Undated: 1}
	judged := func(e *Exporter) (bool, string) {
		v := vendorSnapshot(e, "acme")
		if v == nil || len(v.Docs) != 1 {
			return false, fmt.Sprintf("snapshot %+v", v)
		}
		got := v.Docs[0]
		got.LastUpdate = time.Time{}
		return got == want, fmt.Sprintf("docs %+v, want %+v", v.Docs[0], want)
	}
	for run, serving := range []bool{true, false} {
		if !serving {
			site.Close()
		}
		st, err := store.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		e := New(t.Context(), Options{Logger: slog.New(slog.DiscardHandler), Store: st, UserAgent: "support_exporter/test"})
		if err := e.Apply(cfg); err != nil {
			t.Fatal(err)
		}
		// The second run's syncs all fail: it judges the stored list as of
		// the stored sync.
		waitFor(t, fmt.Sprintf("run %d: the site judged", run), func() (bool, string) { return judged(e) })
		e.Stop()
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
