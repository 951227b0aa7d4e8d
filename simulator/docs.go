package simulator

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Documentation-site kinds, each vendor's site as the kind reads it.
const (
	KindSitemap           = "sitemap"
	KindZendeskHelpCenter = "zendesk_help_center"
)

// DocsSite shapes a vendor's documentation site, which the sitemap and
// zendesk_help_center APIs serve alike: each page a sitemap <url> and a
// help center article. The zero DocsSite is a generated site
// (docsGenerated pages written over the three years before Options.Start,
// each edited up to three times since, and a page edited every two hours
// after Options.Start).
type DocsSite struct {
	// Pages, when set, are the site's every page, as they stand at any
	// instant, in place of generated ones: a small known site whose
	// metrics a test computes by hand.
	Pages []DocPage
	// BuildDate, when set, is the date the sitemap writes as every page's
	// lastmod (YYYY-MM-DD, as MkDocs does) instead of the page's own; the
	// help center still shows each article's edited_at.
	BuildDate time.Time
}

// DocPage is one page of a documentation site.
type DocPage struct {
	Path    string    // "/docs/start": the page's URL path on the site
	Updated time.Time // its last edit: the sitemap's lastmod, the article's edited_at
	// NoLastmod: the sitemap gives the page no lastmod (the help center
	// still gives its edited_at).
	NoLastmod bool
	// OutdatedLocales is how many of the article's translations the help
	// center marks outdated (its outdated_locales).
	OutdatedLocales int
}

// PageTruth is one documentation page as of an instant (Truth.Pages).
type PageTruth struct {
	Path            string
	Updated         time.Time
	NoLastmod       bool
	OutdatedLocales int
}

// Generated sites.
const (
	docsGenerated = 230               // pages of a generated site: the sitemap's files and the help center's pages span three
	docsPerFile   = 100               // pages per sitemap file, as the help center's pages hold 100 articles
	docsLiveEvery = 2 * time.Hour     // a generated site's page edited this often after Options.Start
	docsPath      = "/sitemap.xml"    // the sitemap's root, an index
	docsFilesPath = "/sitemaps/docs-" // the index's sitemaps: docs-1.xml ..., the last gzip-compressed
	hcLocale      = "en-us"
)

var docsLocales = []string{"de", "fr", "ja"}

// streamDocs is the random stream of a generated site's pages.
const streamDocs stream = 64

// docPages are the site's pages as of now (Unix seconds), in path order.
func (w *world) docPages(now int64) []PageTruth {
	if ps := w.v.Docs.Pages; ps != nil {
		out := make([]PageTruth, len(ps))
		for i, p := range ps {
			out[i] = PageTruth{Path: p.Path, Updated: p.Updated.UTC(), NoLastmod: p.NoLastmod, OutdatedLocales: p.OutdatedLocales}
		}
		slices.SortFunc(out, func(a, b PageTruth) int { return cmp.Compare(a.Path, b.Path) })
		return out
	}
	var out []PageTruth
	for i := range docsGenerated {
		r := itemRand(w.seed, streamDocs, uint64(i))
		created := w.start - 86400 - r.Int64N(3*365*86400) // written up to 3 years before Options.Start
		if created > now {
			continue
		}
		updated := created
		for range r.IntN(4) { // edits since, up to Options.Start
			if at := created + r.Int64N(w.start-created+1); at > updated && at <= now {
				updated = at
			}
		}
		p := PageTruth{Path: fmt.Sprintf("/docs/%s/page-%03d", []string{"guides", "api", "faq"}[i%3], i), NoLastmod: r.IntN(8) == 0}
		if r.IntN(10) == 0 {
			p.OutdatedLocales = 1 + r.IntN(len(docsLocales))
		}
		// Live edits: page (k*37)%n at Start + k*docsLiveEvery.
		for k := int64(1); w.start+k*int64(docsLiveEvery/time.Second) <= now; k++ {
			if int((k*37)%docsGenerated) == i {
				updated = max(updated, w.start+k*int64(docsLiveEvery/time.Second))
			}
		}
		p.Updated = time.Unix(updated, 0).UTC()
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b PageTruth) int { return cmp.Compare(a.Path, b.Path) })
	return out
}

// sitemapAPI serves a vendor's documentation site as its sitemap: an
// index at /sitemap.xml listing one sitemap per 100 pages
// (/sitemaps/docs-N.xml, the last one gzip-compressed, .xml.gz), each page
// with its lastmod in RFC 3339 UTC (the build date alone, YYYY-MM-DD, for
// a DocsSite.BuildDate), every file with an ETag of its bytes and a
// Last-Modified of its newest page, answering 304 to a matching
// If-None-Match (else to an If-Modified-Since not before it), as a static
// web server does (RFC 9110). Under FaultEndlessSame the index lists
// itself too; under FaultEndlessGrowing every file is an index listing a
// file never named before.
type sitemapAPI struct {
	w     *world
	clock func() time.Time
	base  func() string
}

func (a *sitemapAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if !getOnly(rw, r) {
		return
	}
	pages := a.w.docPages(a.clock().Unix())
	body, modified, ok := a.file(r, pages)
	if !ok {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.WriteHeader(http.StatusNotFound)
		_, _ = rw.Write([]byte("<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n"))
		return
	}
	gz := strings.HasSuffix(r.URL.Path, ".gz")
	if gz {
		body = gzipped(body)
	}
	h := fnv.New64a()
	h.Write(body)
	etag := fmt.Sprintf(`"%016x"`, h.Sum64())
	rw.Header().Set("ETag", etag)
	rw.Header().Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	if notModified(r, etag, modified) {
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	if gz {
		rw.Header().Set("Content-Type", "application/gzip")
	} else {
		rw.Header().Set("Content-Type", "application/xml")
	}
	rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = rw.Write(body)
}

// notModified applies RFC 9110's conditional GET: If-None-Match (weak
// comparison) first; If-Modified-Since only without it.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			if t := strings.TrimPrefix(strings.TrimSpace(tag), "W/"); t == strings.TrimPrefix(etag, "W/") || t == "*" {
				return true
			}
		}
		return false
	}
	ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !modified.Truncate(time.Second).After(ims)
}

// file is the sitemap file r asks for, uncompressed, and its newest page.
func (a *sitemapAPI) file(r *http.Request, pages []PageTruth) ([]byte, time.Time, bool) {
	base := a.base()
	files := (len(pages) + docsPerFile - 1) / docsPerFile
	name := func(n int) string {
		if n == files {
			return fmt.Sprintf("%s%d.xml.gz", docsFilesPath, n)
		}
		return fmt.Sprintf("%s%d.xml", docsFilesPath, n)
	}
	newest := func(ps []PageTruth) time.Time {
		t := time.Unix(a.w.t0, 0)
		for _, p := range ps {
			if p.Updated.After(t) {
				t = p.Updated
			}
		}
		return t
	}
	if endlessOf(r) == endlessGrowing {
		var n int
		_, _ = fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/sitemaps/endless-"), "%d", &n)
		return sitemapIndex(base, []string{fmt.Sprintf("/sitemaps/endless-%d.xml", n+1)}), newest(pages), true
	}
	if r.URL.Path == docsPath {
		var children []string
		for n := 1; n <= files; n++ {
			children = append(children, name(n))
		}
		if endlessOf(r) == endlessSame {
			children = append(children, docsPath)
		}
		return sitemapIndex(base, children), newest(pages), true
	}
	for n := 1; n <= files; n++ {
		if r.URL.Path == name(n) {
			part := pages[(n-1)*docsPerFile : min(n*docsPerFile, len(pages))]
			return a.urlset(base, part), newest(part), true
		}
	}
	return nil, time.Time{}, false
}

func sitemapIndex(base string, children []string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, c := range children {
		fmt.Fprintf(&b, "  <sitemap>\n    <loc>%s%s</loc>\n  </sitemap>\n", base, c)
	}
	b.WriteString("</sitemapindex>\n")
	return b.Bytes()
}

func (a *sitemapAPI) urlset(base string, pages []PageTruth) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, p := range pages {
		fmt.Fprintf(&b, "  <url>\n    <loc>%s%s</loc>\n", base, p.Path)
		switch {
		case !a.w.v.Docs.BuildDate.IsZero():
			fmt.Fprintf(&b, "    <lastmod>%s</lastmod>\n", a.w.v.Docs.BuildDate.UTC().Format(time.DateOnly))
		case !p.NoLastmod:
			fmt.Fprintf(&b, "    <lastmod>%s</lastmod>\n", p.Updated.UTC().Format(time.RFC3339))
		}
		b.WriteString("    <changefreq>daily</changefreq>\n  </url>\n")
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

func gzipped(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return out.Bytes()
}

// helpCenterAPI serves a vendor's documentation site as Zendesk's Help
// Center article list, anonymously: GET
// /api/v2/help_center/{locale}/articles (en-us only; another locale is
// Zendesk's 404 envelope), with cursor pagination (page[size] up to 100,
// page[after]; meta.has_more, meta.after_cursor, which the last page
// still carries, links.next only when more follow; a page[size] over 100
// or a cursor it never gave is a 400 envelope). Without page[size] it
// pages by offset (30 a page, next_page), as Zendesk does. Each page is
// an article shaped like the recorded one (collectors/zendeskhelpcenter's
// testdata). Under FaultEndlessSame a page names itself (the first names a
// cursor before every article); under FaultEndlessGrowing the pages past
// the last article are empty, each naming a new cursor.
type helpCenterAPI struct {
	w     *world
	clock func() time.Time
	base  func() string
}

const hcArticlesPrefix = "/api/v2/help_center/"

func (a *helpCenterAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if !getOnly(rw, r) {
		return
	}
	locale, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, hcArticlesPrefix), "/")
	if !strings.HasPrefix(r.URL.Path, hcArticlesPrefix) || strings.TrimSuffix(rest, ".json") != "articles" || locale != hcLocale {
		writeZendeskError(rw, http.StatusNotFound, "RecordNotFound", "Not found")
		return
	}
	pages := a.w.docPages(a.clock().Unix())
	q := r.URL.Query()
	if q.Get("page[size]") == "" {
		a.offsetPage(rw, r, pages)
		return
	}
	size, err := strconv.Atoi(q.Get("page[size]"))
	if err != nil || size < 1 || size > 100 {
		writeZendeskError(rw, http.StatusBadRequest, "InvalidPaginationParameter", "page[size] must be between 1 and 100")
		return
	}
	from := 0
	if after := q.Get("page[after]"); after != "" {
		if from, err = hcCursor(after); err != nil {
			writeZendeskError(rw, http.StatusBadRequest, "InvalidPaginationParameter", "Invalid page[after] cursor")
			return
		}
	}
	from = min(from, len(pages))
	end := min(from+size, len(pages))
	list := pages[from:end]
	hasMore, next := end < len(pages), end
	switch endlessOf(r) {
	case endlessSame:
		hasMore, next = true, from
		if q.Get("page[after]") == "" {
			next = -1 // before every article
		}
	case endlessGrowing:
		hasMore = true
		if from >= len(pages) {
			next = from + 1
		}
	}
	self := func(after string) string {
		u := url.Values{"page[size]": {strconv.Itoa(size)}}
		if after != "" {
			u.Set("page[after]", after)
		}
		return a.base() + r.URL.Path + "?" + u.Encode()
	}
	links := map[string]string{"first": self(""), "last": a.base() + r.URL.Path + "?page%5Bbefore%5D=bGFzdF9wYWdl&page%5Bsize%5D=" + strconv.Itoa(size)}
	after, before := hcCursorOf(max(end, from)), hcCursorOf(from)
	if hasMore {
		after = hcCursorOf(next)
		links["next"] = self(after)
	}
	if from > 0 {
		links["prev"] = a.base() + r.URL.Path + "?page%5Bbefore%5D=" + url.QueryEscape(before) + "&page%5Bsize%5D=" + strconv.Itoa(size)
	}
	writeJSON(rw, http.StatusOK, map[string]any{
		"articles": a.articles(list, from),
		"meta":     map[string]any{"has_more": hasMore, "after_cursor": after, "before_cursor": before},
		"links":    links,
	})
}

// offsetPage answers a request without page[size] as Zendesk's offset
// pagination does: 30 articles a page, page=N.
func (a *helpCenterAPI) offsetPage(rw http.ResponseWriter, r *http.Request, pages []PageTruth) {
	const per = 30
	n, err := strconv.Atoi(cmp.Or(r.URL.Query().Get("page"), "1"))
	if err != nil || n < 1 {
		n = 1
	}
	from := min((n-1)*per, len(pages))
	end := min(from+per, len(pages))
	var next any
	if end < len(pages) {
		next = fmt.Sprintf("%s%s?page=%d&per_page=%d", a.base(), r.URL.Path, n+1, per)
	}
	writeJSON(rw, http.StatusOK, map[string]any{
		"articles": a.articles(pages[from:end], from), "page": n, "per_page": per,
		"page_count": (len(pages) + per - 1) / per, "count": len(pages), "next_page": next, "previous_page": nil,
		"sort_by": "position", "sort_order": "asc",
	})
}

// articles are pages as the Help Center shows them; from is the first's
// position in the site.
func (a *helpCenterAPI) articles(pages []PageTruth, from int) []map[string]any {
	out := make([]map[string]any, 0, len(pages))
	host := a.base()
	for i, p := range pages {
		id := 36000000000000 + int64(from+i)*1031
		slug := strings.ReplaceAll(strings.Trim(p.Path, "/"), "/", "-")
		updated := p.Updated.Format(time.RFC3339)
		outdated := slices.Clone(docsLocales[:p.OutdatedLocales])
		out = append(out, map[string]any{
			"id": id, "url": fmt.Sprintf("%s/api/v2/help_center/%s/articles/%d-%s.json", host, hcLocale, id, slug),
			"html_url":  fmt.Sprintf("%s/hc/%s/articles/%d-%s", host, hcLocale, id, slug),
			"author_id": 26155588908179, "comments_disabled": false, "content_tag_ids": []int64{}, "label_names": []string{},
			"draft": false, "promoted": false, "position": 0, "vote_sum": 0, "vote_count": 0, "section_id": 33152317085843,
			"created_at": updated, "updated_at": updated, "edited_at": updated,
			"name": slug, "title": slug, "body": "<p>" + slug + "</p>",
			"source_locale": hcLocale, "locale": hcLocale, "outdated": false, "outdated_locales": outdated,
			"permission_group_id": 33152086795411, "user_segment_id": nil, "user_segment_ids": []int64{},
		})
	}
	return out
}

// hcCursorOf is the cursor of the page starting at article i (-1: before
// every article), opaque like Zendesk's.
func hcCursorOf(i int) string {
	return base64.StdEncoding.EncodeToString([]byte("aQ:" + strconv.Itoa(i)))
}

func hcCursor(c string) (int, error) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil || !bytes.HasPrefix(b, []byte("aQ:")) {
		return 0, fmt.Errorf("bad cursor")
	}
	i, err := strconv.Atoi(string(b[3:]))
	if err != nil || i < -1 {
		return 0, fmt.Errorf("bad cursor")
	}
	return max(i, 0), nil
}

// DocsURL is the help center's html_url of a page, as the
// zendesk_help_center kind stores it, and the sitemap's loc: the tests'
// expected page URLs.
func (s *Sim) DocsURL(vendor, kind, path string) string {
	base := strings.TrimSuffix(s.URL(vendor, kind), docsPath)
	if kind == KindSitemap {
		return base + path
	}
	w := s.worlds[vendor]
	if w == nil {
		return ""
	}
	for i, p := range w.docPages(s.opts.Clock().Unix()) {
		if p.Path == path {
			id := 36000000000000 + int64(i)*1031
			return fmt.Sprintf("%s/hc/%s/articles/%d-%s", base, hcLocale, id, strings.ReplaceAll(strings.Trim(path, "/"), "/", "-"))
		}
	}
	return ""
}

// docsFormats builds each documentation kind's API over a vendor's world;
// base is the API's own URL once listening.
var docsFormats = map[string]func(w *world, clock func() time.Time, base func() string) http.Handler{
	KindSitemap: func(w *world, clock func() time.Time, base func() string) http.Handler {
		return &sitemapAPI{w, clock, base}
	},
	KindZendeskHelpCenter: func(w *world, clock func() time.Time, base func() string) http.Handler {
		return &helpCenterAPI{w, clock, base}
	},
}

// DemoDocs maps the Demo vendors whose documentation site `--demo` polls
// to the kind it reads it with: deeproute's docs site through its sitemap,
// edgebuyer's help center through Zendesk's article list, and feedcast's
// MkDocs site, whose sitemap gives the build date as every page's lastmod
// (support_docs_lastmod_suspect; demoDocsSite). Each is the vendor's
// generated site (DocsSite).
func DemoDocs() map[string]string {
	return map[string]string{"deeproute": KindSitemap, "edgebuyer": KindZendeskHelpCenter, "feedcast": KindSitemap}
}

// demoDocsSite is the documentation site of the Demo vendor name:
// feedcast's is built with MkDocs on the day of start.
func demoDocsSite(name string, start time.Time) DocsSite {
	if name == "feedcast" {
		return DocsSite{BuildDate: start.UTC().Truncate(24 * time.Hour)}
	}
	return DocsSite{}
}
