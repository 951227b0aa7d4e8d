package simulator

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestSitemapAPI: the index lists one sitemap per 100 pages, the last one
// gzip-compressed; every page of the truth is listed once with its
// lastmod; a file asked again with its ETag, or with a Last-Modified not
// before its own, answers 304; the world moving on changes a file's ETag.
func TestSitemapAPI(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 3, Vendors: []Vendor{vendor("acme", Persona{}, 10)}})
	root := s.URL("acme", KindSitemap)
	if !strings.HasSuffix(root, "/sitemap.xml") {
		t.Fatalf("URL %q, want the sitemap index", root)
	}
	index := fetch(t, root, nil)
	base := strings.TrimSuffix(root, "/sitemap.xml")
	wantFiles := []string{base + "/sitemaps/docs-1.xml", base + "/sitemaps/docs-2.xml", base + "/sitemaps/docs-3.xml.gz"}
	if index.status != http.StatusOK || strings.Count(string(index.body), "<sitemap>") != 3 {
		t.Fatalf("index: HTTP %d\n%s", index.status, index.body)
	}
	locs := map[string]bool{}
	for i, f := range wantFiles {
		if !strings.Contains(string(index.body), "<loc>"+f+"</loc>") {
			t.Errorf("index lacks %s", f)
		}
		r := fetch(t, f, nil)
		body := r.body
		if i == 2 {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range strings.Split(string(body), "<loc>")[1:] {
			locs[m[:strings.Index(m, "</loc>")]] = true
		}
		// Conditional requests.
		for _, h := range []http.Header{{"If-None-Match": {r.header.Get("ETag")}}, {"If-Modified-Since": {r.header.Get("Last-Modified")}}} {
			again := fetch(t, f, func(req *http.Request) { copyHeader(req.Header, h) })
			if again.status != http.StatusNotModified || len(again.body) != 0 {
				t.Errorf("%s with %v: HTTP %d, %d bytes; want 304", f, h, again.status, len(again.body))
			}
		}
	}
	truth := s.Truth("acme", testStart).Pages
	if len(truth) != docsGenerated || len(locs) != len(truth) {
		t.Fatalf("%d pages listed, the truth has %d (want %d)", len(locs), len(truth), docsGenerated)
	}
	for _, p := range truth {
		if !locs[base+p.Path] {
			t.Errorf("%s not listed", p.Path)
		}
	}
	// Two hours on, a page was edited: its file alone changed (the index
	// lists the same files).
	etags := map[string]string{}
	for _, f := range append(wantFiles, root) {
		etags[f] = fetch(t, f, nil).header.Get("ETag")
	}
	c.Set(testStart.Add(docsLiveEvery))
	changed := 0
	for f, etag := range etags {
		if fetch(t, f, func(r *http.Request) { r.Header.Set("If-None-Match", etag) }).status == http.StatusOK {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("after one page's edit, %d files changed, want 1", changed)
	}
	if r := fetch(t, base+"/sitemaps/docs-4.xml", nil); r.status != http.StatusNotFound {
		t.Errorf("a file that does not exist: HTTP %d", r.status)
	}
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

// TestHelpCenterAPI: the article list pages by cursor, 100 a page, the
// last page carrying an after_cursor but no links.next; another locale,
// a page[size] over 100 and a cursor never given answer Zendesk's
// envelopes.
func TestHelpCenterAPI(t *testing.T) {
	s := startSim(t, newClock(testStart), Options{Seed: 3, Vendors: []Vendor{{Name: "acme", Timezone: "UTC",
		Docs: DocsSite{Pages: []DocPage{
			{Path: "/a", Updated: testStart.Add(-time.Hour), OutdatedLocales: 2},
			{Path: "/b", Updated: testStart.Add(-48 * time.Hour)},
			{Path: "/c", Updated: testStart.Add(-72 * time.Hour)},
		}}}}})
	base := s.URL("acme", KindZendeskHelpCenter)
	type page struct {
		Articles []struct {
			HTMLURL         string   `json:"html_url"`
			EditedAt        string   `json:"edited_at"`
			OutdatedLocales []string `json:"outdated_locales"`
		} `json:"articles"`
		Meta struct {
			HasMore     bool   `json:"has_more"`
			AfterCursor string `json:"after_cursor"`
		} `json:"meta"`
		Links map[string]string `json:"links"`
	}
	get := func(q string) (page, response) {
		r := fetch(t, base+"/api/v2/help_center/en-us/articles?"+q, nil)
		var p page
		if r.status == http.StatusOK {
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatal(err)
			}
		}
		return p, r
	}
	p1, _ := get("page%5Bsize%5D=2")
	if len(p1.Articles) != 2 || !p1.Meta.HasMore || p1.Links["next"] == "" || p1.Articles[0].EditedAt != testStart.Add(-time.Hour).UTC().Format(time.RFC3339) ||
		strings.Join(p1.Articles[0].OutdatedLocales, ",") != "de,fr" {
		t.Fatalf("page 1: %+v", p1)
	}
	p2, _ := get("page%5Bsize%5D=2&page%5Bafter%5D=" + url.QueryEscape(p1.Meta.AfterCursor))
	if len(p2.Articles) != 1 || p2.Meta.HasMore || p2.Meta.AfterCursor == "" || p2.Links["next"] != "" {
		t.Errorf("last page: %+v", p2)
	}
	if want := s.DocsURL("acme", KindZendeskHelpCenter, "/c"); p2.Articles[0].HTMLURL != want {
		t.Errorf("html_url %q, DocsURL %q", p2.Articles[0].HTMLURL, want)
	}
	for _, tc := range []struct{ path, body string }{
		{"/api/v2/help_center/de/articles?page%5Bsize%5D=2", `{"error":"RecordNotFound","description":"Not found"}`},
		{"/api/v2/help_center/en-us/articles?page%5Bsize%5D=101", `"error":"InvalidPaginationParameter"`},
		{"/api/v2/help_center/en-us/articles?page%5Bsize%5D=2&page%5Bafter%5D=bm9wZQ", `"error":"InvalidPaginationParameter"`},
	} {
		r := fetch(t, base+tc.path, nil)
		if r.status < 400 || !strings.Contains(string(r.body), tc.body) {
			t.Errorf("%s: HTTP %d %s, want %s", tc.path, r.status, r.body, tc.body)
		}
	}
}
