package exporter

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// TestAdmitPages: a documentation page dated before the earliest instant
// is left out and counted; an undated page passes; one dated beyond the
// skew is counted and left out when new, and the rest of the list is kept
// (not the cursor); a batch without a page list keeps none.
func TestAdmitPages(t *testing.T) {
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	bounds := door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: func() time.Time { return now }}
	st := newSourceStatus("acme", "docs", "sitemap")
	log := slog.New(slog.DiscardHandler)
	got := admit(item.Batch{Pages: []item.Page{
		{URL: "/ok", Updated: now.Add(-24 * time.Hour)}, {URL: "/undated"}, {URL: "/epoch", Updated: time.Unix(0, 0)},
	}, Cursor: []byte("c")}, bounds, st, log)
	if len(got.Pages) != 2 || got.Pages[0].URL != "/ok" || got.Pages[1].URL != "/undated" || string(got.Cursor) != "c" {
		t.Errorf("kept %+v cursor %q, want /ok and /undated, and the cursor (a new page dated 1970 never becomes plausible)", got.Pages, got.Cursor)
	}
	if got := admit(item.Batch{Pages: []item.Page{{URL: "/ok"}, {URL: "/ahead", Updated: now.Add(2 * time.Hour)}}, Cursor: []byte("c")}, bounds, st, log); len(got.Pages) != 1 || got.Pages[0].URL != "/ok" || got.Cursor != nil {
		t.Errorf("a page ahead: %+v, want /ok alone, no cursor (the stored one stays)", got)
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
<url><loc>http://%[3]s/docs/a</loc><lastmod>%[1]s</lastmod></url>
<url><loc>http://%[3]s/docs/b</loc><lastmod>%[2]s</lastmod></url>
<url><loc>http://%[3]s/docs/c</loc></url>
<url><loc>http://%[3]s/blog/d</loc></url>
<url><loc>https://docs.elsewhere.example/docs/e</loc></url>
</urlset>`, recent, old, r.Host)
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

// TestAdmitPagesHoldsPerPage: a page dated in the future keeps its stored
// version, a new one so dated is left out, and the rest of the list
// replaces the stored one; the batch's cursor is not stored. A list
// without a refusal is handed on as is, not copied.
func TestAdmitPagesHoldsPerPage(t *testing.T) {
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	bounds := door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: func() time.Time { return now }}
	st := newSourceStatus("acme", "docs", "sitemap")
	log := slog.New(slog.DiscardHandler)
	stored := []item.Page{{URL: "/a", Updated: now.Add(-10 * 24 * time.Hour)}, {URL: "/b", Updated: now.Add(-24 * time.Hour)}}
	lookup := func(urls map[string]bool) map[string]item.Page {
		out := map[string]item.Page{}
		for _, p := range stored {
			if urls[p.URL] {
				out[p.URL] = p
			}
		}
		return out
	}
	ahead := now.Add(48 * time.Hour)
	got := admitWith(item.Batch{Pages: []item.Page{
		{URL: "/a", Updated: ahead}, {URL: "/b", Updated: now.Add(-time.Hour)}, {URL: "/c", Updated: ahead}, {URL: "/d"},
	}, Cursor: []byte("validators")}, bounds, lookup, st, log)
	want := []item.Page{stored[0], {URL: "/b", Updated: now.Add(-time.Hour)}, {URL: "/d"}}
	if !slices.Equal(got.Pages, want) || got.Cursor != nil {
		t.Errorf("pages %+v cursor %q;\nwant %+v and no cursor", got.Pages, got.Cursor, want)
	}
	if s := st.snapshot(); s.Rejected[door.ReasonFuture] != 2 {
		t.Errorf("rejected %v, want 2 future", s.Rejected)
	}
	clean := []item.Page{{URL: "/a"}, {URL: "/b", Updated: now}}
	if got := admitWith(item.Batch{Pages: clean, Cursor: []byte("c")}, bounds, lookup, st, log); &got.Pages[0] != &clean[0] || string(got.Cursor) != "c" {
		t.Errorf("nothing refused: the list was copied or the cursor dropped")
	}
}

// TestAdmitPagesHoldsPastPages: a vendor whose clock runs a century back
// dates every page before the earliest instant: each stored page keeps its
// stored version (the site is not taken as emptied), a new one so dated is
// left out, and each is counted; the batch's cursor is not stored.
func TestAdmitPagesHoldsPastPages(t *testing.T) {
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	bounds := door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: func() time.Time { return now }}
	st := newSourceStatus("acme", "docs", "zendesk_help_center")
	log := slog.New(slog.DiscardHandler)
	stored := []item.Page{{URL: "/a", Updated: now.Add(-10 * 24 * time.Hour)}, {URL: "/b", Updated: now.Add(-24 * time.Hour), OutdatedTranslations: 1}}
	lookup := func(urls map[string]bool) map[string]item.Page {
		out := map[string]item.Page{}
		for _, p := range stored {
			if urls[p.URL] {
				out[p.URL] = p
			}
		}
		return out
	}
	century := func(p item.Page) item.Page { p.Updated = p.Updated.AddDate(-100, 0, 0); return p }
	got := admitWith(item.Batch{Pages: []item.Page{
		century(stored[0]), century(stored[1]), {URL: "/c", Updated: now.AddDate(-100, 0, 0)},
	}, Cursor: []byte("c")}, bounds, lookup, st, log)
	if !slices.Equal(got.Pages, stored) || got.Cursor != nil {
		t.Errorf("pages %+v cursor %q;\nwant the stored %+v and no cursor", got.Pages, got.Cursor, stored)
	}
	if s := st.snapshot(); s.Rejected[door.ReasonPast] != 3 {
		t.Errorf("rejected %v, want 3 past", s.Rejected)
	}
}
