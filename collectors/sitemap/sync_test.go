package sitemap

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// site serves sitemap files by path, each with an ETag derived from its
// content, answering 304 to a matching If-None-Match; it records every
// request as "path" or "path 304".
type site struct {
	mu    sync.Mutex
	files map[string][]byte
	log   []string
	// vanish are files deleted right after they answer 304.
	vanish map[string]bool
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, ok := s.files[r.URL.Path]
	if !ok {
		s.log = append(s.log, r.URL.Path+" 404")
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, len(body)*31+int(body[len(body)/2]))
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		s.log = append(s.log, r.URL.Path+" 304")
		if s.vanish[r.URL.Path] {
			delete(s.files, r.URL.Path)
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.log = append(s.log, r.URL.Path)
	_, _ = w.Write(body)
}

func (s *site) set(path string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = body
}

func (s *site) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.log
	s.log = nil
	return out
}

func urlset(base string, entries ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, e := range entries {
		loc, lastmod, _ := strings.Cut(e, "@")
		b.WriteString("<url><loc>" + base + loc + "</loc>")
		if lastmod != "" {
			b.WriteString("<lastmod>" + lastmod + "</lastmod>")
		}
		b.WriteString("</url>")
	}
	b.WriteString("</urlset>")
	return []byte(b.String())
}

func index(children ...string) []byte {
	var b strings.Builder
	b.WriteString(`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, c := range children {
		b.WriteString("<sitemap><loc>" + c + "</loc></sitemap>")
	}
	b.WriteString("</sitemapindex>")
	return []byte(b.String())
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return out.Bytes()
}

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// harness is a source of kind sitemap against a site, with its stored
// cursor and page list.
type harness struct {
	t        *testing.T
	srv      *httptest.Server
	site     *site
	src      source.Source
	cursor   []byte
	pages    []item.Page
	emits    int
	rejected map[string]int
}

func newHarness(t *testing.T, opts *Options, files map[string][]byte) *harness {
	t.Helper()
	h := &harness{t: t, site: &site{files: files}, rejected: map[string]int{}}
	h.srv = httptest.NewServer(h.site)
	t.Cleanup(h.srv.Close)
	if opts == nil {
		opts = NewOptions().(*Options)
	}
	env := source.Env{
		Config: &config.Source{Name: "docs", Kind: "sitemap", URL: h.srv.URL + "/sitemap.xml", Options: opts},
		HTTP:   fetch.New(h.srv.Client(), fetch.NewLimits(), fetch.Options{}),
		Bounds: door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: func() time.Time { return now }},
		Reject: func(reason string) { h.rejected[reason]++ },
	}
	src, err := New(env)
	if err != nil {
		t.Fatal(err)
	}
	h.src = src
	return h
}

func (h *harness) sync() error {
	h.t.Helper()
	return h.src.Sync(fetch.StartSync(context.Background(), 1000), h.cursor, func(b item.Batch) error {
		h.emits++
		if b.Pages != nil {
			h.pages = b.Pages
		}
		if b.Cursor != nil {
			h.cursor = b.Cursor
		}
		return nil
	})
}

func (h *harness) urls() string {
	var s []string
	for _, p := range h.pages {
		s = append(s, strings.TrimPrefix(p.URL, h.srv.URL))
	}
	return strings.Join(s, " ")
}

// TestSyncIndexConditional: an index with a gzip child; the second sync of
// an unchanged site costs one 304 per file and stores nothing; a changed
// child has every file read whole again.
func TestSyncIndexConditional(t *testing.T) {
	h := newHarness(t, nil, nil)
	base := ""
	h.site.files = map[string][]byte{
		"/sitemap.xml":         nil,
		"/sitemap-docs.xml":    nil,
		"/sitemap-blog.xml.gz": nil,
	}
	base = h.srv.URL
	h.site.files["/sitemap.xml"] = index(base+"/sitemap-docs.xml", base+"/sitemap-blog.xml.gz", base+"/sitemap-docs.xml")
	h.site.files["/sitemap-docs.xml"] = urlset(base, "/docs/a@2026-03-01", "/docs/b@2024-01-01T10:00:00Z", "/docs/a@2026-03-05")
	h.site.files["/sitemap-blog.xml.gz"] = gz(urlset(base, "/blog/x@2026-02"))
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.site.requests(), ", "); got != "/sitemap.xml, /sitemap-docs.xml, /sitemap-blog.xml.gz" {
		t.Errorf("first sync requests: %s", got)
	}
	if got := h.urls(); got != "/blog/x /docs/a /docs/b" {
		t.Errorf("pages %s", got)
	}
	if !h.pages[1].Updated.Equal(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("/docs/a listed twice: %v, want its latest lastmod", h.pages[1].Updated)
	}
	h.emits = 0
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.site.requests(), ", "); got != "/sitemap.xml 304, /sitemap-docs.xml 304, /sitemap-blog.xml.gz 304" || h.emits != 0 {
		t.Errorf("unchanged site: requests %s, %d batches; want one 304 per file and none", got, h.emits)
	}
	h.site.set("/sitemap-blog.xml.gz", gz(urlset(base, "/blog/x@2026-02", "/blog/y@2026-03-09T08:00:00+01:00")))
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.site.requests(), ", "); got != "/sitemap.xml 304, /sitemap-docs.xml 304, /sitemap-blog.xml.gz, /sitemap-docs.xml" {
		t.Errorf("one file changed: requests %s", got)
	}
	if got := h.urls(); got != "/blog/x /blog/y /docs/a /docs/b" || h.emits != 1 {
		t.Errorf("one file changed: pages %s, %d batches", got, h.emits)
	}
}

// TestSyncFilterChangeReadsWhole: the cursor remembers the filter; a
// source whose include changed reads every file whole.
func TestSyncFilter(t *testing.T) {
	h := newHarness(t, &Options{Include: []string{"^/docs/"}, Exclude: []string{"/internal/"}}, map[string][]byte{})
	h.site.files["/sitemap.xml"] = urlset(h.srv.URL, "/docs/a", "/docs/internal/b", "/blog/c", "/docs/d")
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := h.urls(); got != "/docs/a /docs/d" {
		t.Errorf("pages %s", got)
	}
	h.site.requests()
	other := newHarness(t, &Options{}, nil)
	other.srv, other.site = h.srv, h.site
	other.src, _ = New(source.Env{Config: &config.Source{Name: "docs", URL: h.srv.URL + "/sitemap.xml", Options: &Options{}},
		HTTP: fetch.New(h.srv.Client(), fetch.NewLimits(), fetch.Options{})})
	other.cursor = h.cursor
	if err := other.sync(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.site.requests(), ", "); got != "/sitemap.xml" || other.urls() != "/blog/c /docs/a /docs/d /docs/internal/b" {
		t.Errorf("filter changed: requests %s, pages %s; want the file read whole and every page", got, other.urls())
	}
}

// TestSyncFutureLastmod: a page dated before the earliest instant is
// handed over with the rest of the list, for the exporter's door to hold
// and count; one dated beyond the clock skew too, its validators dropped
// so that the next sync reads the site whole; once the page's time has
// come the validators are kept again. A date without a time that has
// begun east of UTC (UTC+14) is plausible.
func TestSyncFutureLastmod(t *testing.T) {
	h := newHarness(t, nil, map[string][]byte{})
	h.site.files["/sitemap.xml"] = urlset(h.srv.URL, "/a@2026-03-10T12:30:00Z", "/c@1999-12-31")
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := h.urls(); got != "/a /c" || len(h.rejected) != 0 {
		t.Errorf("pages %s, rejected %v; want /a (within the skew) and /c, for the exporter's door to hold and count", got, h.rejected)
	}
	h.site.set("/sitemap.xml", urlset(h.srv.URL, "/a@2026-03-10T12:30:00Z", "/b@2026-03-11T09:00:00Z", "/c@1999-12-31", "/m@2026-03-11"))
	h.site.requests()
	h.emits = 0
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := h.urls(); got != "/a /b /c /m" || h.rejected[door.ReasonFuture] != 0 || h.emits != 1 {
		t.Errorf("a page dated tomorrow: pages %s, rejected %v, %d batches; want every page handed over, none refused here", got, h.rejected, h.emits)
	}
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.site.requests(), ", "); got != "/sitemap.xml, /sitemap.xml" {
		t.Errorf("after a future page: requests %s; want the file read whole again", got)
	}
	now = now.Add(24 * time.Hour)
	defer func() { now = now.Add(-24 * time.Hour) }()
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.site.requests(), ", "); got != "/sitemap.xml, /sitemap.xml 304" {
		t.Errorf("a day later: requests %s; want the validators kept again", got)
	}
}

// Test304Then404: a sitemap answering 304 and then 404 when read again
// (another file changed) keeps no validators: when it comes back, it is
// read whole and its pages are stored again.
func TestSync304Then404(t *testing.T) {
	h := newHarness(t, nil, map[string][]byte{})
	b := h.srv.URL
	h.site.files["/sitemap.xml"] = index(b+"/a.xml", b+"/b.xml")
	h.site.files["/a.xml"] = urlset(b, "/a1")
	h.site.files["/b.xml"] = urlset(b, "/b1")
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	bBody := h.site.files["/b.xml"]
	h.site.set("/a.xml", urlset(b, "/a1", "/a2"))
	h.site.vanish = map[string]bool{"/b.xml": true}
	h.site.requests()
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.site.requests(), ", "); got != "/sitemap.xml 304, /a.xml, /b.xml 304, /b.xml 404" || h.urls() != "/a1 /a2" {
		t.Errorf("b vanished: requests %s, pages %s", got, h.urls())
	}
	h.site.vanish = nil
	h.site.set("/b.xml", bBody) // back, as it was
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := h.urls(); got != "/a1 /a2 /b1" {
		t.Errorf("b back: requests %s, pages %s; want b read whole and its page stored", strings.Join(h.site.requests(), ", "), got)
	}
}

// TestSyncOtherHost: an index's sitemap on another host is never asked
// for, and pages on another host are left out.
func TestSyncOtherHost(t *testing.T) {
	var asked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		_, _ = w.Write(urlset("http://"+r.Host, "/secret"))
	}))
	defer other.Close()
	h := newHarness(t, nil, map[string][]byte{})
	b := h.srv.URL
	h.site.files["/sitemap.xml"] = index(b+"/pages.xml", other.URL+"/latest/meta-data.xml")
	h.site.files["/pages.xml"] = []byte(strings.Replace(string(urlset(b, "/p")), "</urlset>",
		"<url><loc>"+other.URL+"/q</loc></url><url><loc>https://elsewhere.example/r</loc></url></urlset>", 1))
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if asked.Load() != 0 || h.urls() != "/p" {
		t.Errorf("other host asked %d times, pages %s; want nothing asked, /p alone", asked.Load(), h.urls())
	}
	// Every page elsewhere: the sync fails, naming the host.
	h.site.set("/pages.xml", urlset("https://www.elsewhere.example", "/q"))
	h.emits = 0
	if err := h.sync(); fetch.Reason(err) != fetch.ReasonDecode || !strings.Contains(err.Error(), "on another host") || h.emits != 0 {
		t.Errorf("every page elsewhere: %v, %d batches; want a decode error naming the host", err, h.emits)
	}
}

// TestSyncGzipByContent: a .gz name whose body is plain XML (a server or
// client that decompressed it already) is read as it is.
func TestSyncGzipByContent(t *testing.T) {
	h := newHarness(t, nil, map[string][]byte{})
	h.site.files["/sitemap.xml"] = index(h.srv.URL + "/pages.xml.gz")
	h.site.files["/pages.xml.gz"] = urlset(h.srv.URL, "/p")
	if err := h.sync(); err != nil || h.urls() != "/p" {
		t.Errorf("err %v, pages %s; want /p", err, h.urls())
	}
}

// TestSyncEarliestChange: the cursor remembers global.earliest_timestamp;
// a changed one reads every file whole (pages it left out may now count).
func TestSyncEarliestChange(t *testing.T) {
	h := newHarness(t, nil, map[string][]byte{})
	h.site.files["/sitemap.xml"] = urlset(h.srv.URL, "/a@2026-03-01", "/old@2005-01-01")
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	h.site.requests()
	src, err := New(source.Env{
		Config: &config.Source{Name: "docs", Kind: "sitemap", URL: h.srv.URL + "/sitemap.xml", Options: NewOptions()},
		HTTP:   fetch.New(h.srv.Client(), fetch.NewLimits(), fetch.Options{}),
		Bounds: door.Bounds{NotBefore: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: func() time.Time { return now }},
		Reject: func(string) {},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.src = src
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.site.requests(), ", "); got != "/sitemap.xml" || h.urls() != "/a /old" {
		t.Errorf("earliest changed: requests %s, pages %s; want the file read whole, /old handed over (the exporter's door holds it)", got, h.urls())
	}
}

func TestSyncFailures(t *testing.T) {
	endless := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		_, _ = fmt.Sscanf(r.URL.Path, "/level-%d.xml", &n)
		_, _ = w.Write(index(fmt.Sprintf("http://%s/level-%d.xml", r.Host, n+1)))
	})
	for _, tc := range []struct {
		name   string
		files  func(base string) map[string][]byte
		reason string
	}{
		{"root gone", func(string) map[string][]byte { return map[string][]byte{} }, fetch.ReasonHTTP},
		{"html", func(string) map[string][]byte {
			return map[string][]byte{"/sitemap.xml": []byte("<html><body>hi</body></html>")}
		}, fetch.ReasonDecode},
		{"gzip bomb", func(string) map[string][]byte {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			chunk := make([]byte, 1<<20)
			for range 51 {
				_, _ = zw.Write(chunk)
			}
			_ = zw.Close()
			return map[string][]byte{"/sitemap.xml": b.Bytes()}
		}, fetch.ReasonTooLarge},
		{"huge file", func(string) map[string][]byte {
			return map[string][]byte{"/sitemap.xml": bytes.Repeat([]byte(" "), maxFileBytes+1)}
		}, fetch.ReasonTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil, nil)
			h.site.files = tc.files(h.srv.URL)
			err := h.sync()
			if got := fetch.Reason(err); err == nil || got != tc.reason || h.emits != 0 {
				t.Errorf("err %v (reason %s), %d batches; want reason %s, nothing stored", err, got, h.emits, tc.reason)
			}
		})
	}
	t.Run("endless nesting", func(t *testing.T) {
		srv := httptest.NewServer(endless)
		defer srv.Close()
		src, err := New(source.Env{Config: &config.Source{Name: "docs", URL: srv.URL + "/level-0.xml"}, HTTP: fetch.New(srv.Client(), fetch.NewLimits(), fetch.Options{})})
		if err != nil {
			t.Fatal(err)
		}
		err = src.Sync(fetch.StartSync(context.Background(), 1000), nil, func(item.Batch) error { return errors.New("stored") })
		if fetch.Reason(err) != fetch.ReasonLoop {
			t.Errorf("%v, want reason loop", err)
		}
	})
}

// TestSyncCycleAndGoneChild: an index listing itself is read once; a
// child answering 404 lists no pages, and answering 404 again changes
// nothing.
func TestSyncCycleAndGoneChild(t *testing.T) {
	h := newHarness(t, nil, map[string][]byte{})
	b := h.srv.URL
	h.site.files["/sitemap.xml"] = index(b+"/sitemap.xml", b+"/a.xml", b+"/gone.xml")
	h.site.files["/a.xml"] = index(b+"/sitemap.xml", b+"/pages.xml")
	h.site.files["/pages.xml"] = urlset(b, "/p")
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.site.requests(), ", "); got != "/sitemap.xml, /a.xml, /pages.xml, /gone.xml 404" || h.urls() != "/p" {
		t.Errorf("requests %s, pages %s", got, h.urls())
	}
	// Gone still: nothing changed, nothing read whole or stored.
	h.emits = 0
	if err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.site.requests(), ", "); got != "/sitemap.xml 304, /a.xml 304, /pages.xml 304, /gone.xml 404" || h.emits != 0 {
		t.Errorf("repeat 404: requests %s, %d batches; want one request each and none", got, h.emits)
	}
}
