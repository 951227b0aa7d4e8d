// Package sitemap reads a documentation site's sitemap, for the source kind
// `sitemap` (docs/sources.md): the configured URL is a sitemap (<urlset>)
// or a sitemap index (<sitemapindex>) whose sitemaps are read in turn, any
// of them gzip-compressed, and each page's <loc> and <lastmod> become the
// site's page list, stored whole at the end of each sync (item.Page). No
// credentials are needed.
//
// Every file keeps to the protocol's limits (50,000 entries and 50 MB
// uncompressed): a file over either fails the sync with reason too_large,
// rather than storing part of the site as if it were whole. Indexes may
// nest (a multilingual site's root index lists one index per language) up
// to maxNesting levels; deeper nesting ends the sync with reason loop, and
// a file the walk has already read is not read again, so that an index
// listing itself or its parent costs nothing. A sitemap an index lists that
// answers 404 or 410 lists no pages (logged); any other failure fails the
// sync, and the stored list stays as it was.
//
// Each file read is asked for again conditionally (If-None-Match,
// If-Modified-Since) with the validators kept in the cursor: a site whose
// files all answer 304 costs one request per file and stores nothing new.
// When any file changed, the files that answered 304 are read again whole,
// since the site's whole list is stored at once.
//
// A page's lastmod is read in every W3C Datetime form (ParseLastmod); one
// that is none leaves the page undated. Pages listed twice count once
// (their latest lastmod). Only the configured URL's host is read: an
// index's sitemap on another host is never asked for, a page on another
// host is left out. A page whose lastmod is implausible (door.Bounds) is
// handed over with the rest, for the exporter's door to count and to hold
// that page alone (its stored version stays; docsite.List.Ahead and Past);
// for one in the future the validators are dropped, so that the next sync
// reads the site whole again and stores it once the page's time has
// come. A sitemap that answers 304 and then, read again, 404 keeps no
// validators; one gone (404, 410) is remembered, so that it answering so
// again changes nothing.
package sitemap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/docsite"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// maxNesting is how many sitemap indexes deep a walk goes: the protocol
// allows one (an index lists sitemaps); a multilingual site nests two.
const maxNesting = 4

// maxPages bounds the pages of one site, whatever the number of its
// files: four full sitemaps. A page costs about 150 bytes in each of the
// copies a sync holds at its peak (read, filtered, stored, aggregated), so
// a site at the cap peaks near 100 MB (docs/sources.md, "Cost").
const maxPages = 200_000

// accept is the Accept header of every request.
const accept = "application/xml, text/xml;q=0.9, */*;q=0.5"

// New builds the source of kind sitemap (a source.Factory).
func New(env source.Env) (source.Source, error) {
	if env.Config == nil || env.HTTP == nil {
		return nil, errors.New("sitemap: incomplete environment: config and HTTP client are required")
	}
	u, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("sitemap: source %q: %w", env.Config.Name, err)
	}
	opts := optionsOf(env.Config)
	filter, err := docsite.NewFilter(opts.keys())
	if err != nil {
		return nil, fmt.Errorf("sitemap: source %q: %w", env.Config.Name, err)
	}
	notBefore := ""
	if !env.Bounds.NotBefore.IsZero() {
		notBefore = env.Bounds.NotBefore.UTC().Format(time.RFC3339Nano)
	}
	return &collector{
		http: env.HTTP.WithMaxBodyBytes(maxFileBytes), url: u.String(), host: u.Host, filter: filter,
		filterKey: filterKey(opts.Include, opts.Exclude), notBefore: notBefore,
		logger: env.Log(), bounds: env.Bounds,
	}, nil
}

// collector reads one site.
type collector struct {
	http      *fetch.Client
	url       string
	host      string // the configured URL's: the only one read or measured
	filter    *docsite.Filter
	filterKey string
	notBefore string // global.earliest_timestamp, as the cursor records it
	logger    *slog.Logger
	bounds    door.Bounds
}

// Sync walks the site from its configured file and, unless every file
// answered 304, emits its whole page list with the files' validators as
// one batch.
func (c *collector) Sync(ctx context.Context, raw []byte, emit func(item.Batch) error) error {
	old, err := parseCursor(raw)
	if err != nil {
		c.logger.Warn("sitemap: unreadable cursor, reading every file whole", "err", err)
	}
	if old.Filter != c.filterKey || old.NotBefore != c.notBefore {
		// Read with another filter or earliest instant: the stored list
		// must be read again.
		old = cursor{}
	}
	w := &walk{c: c, old: old, next: cursor{Filter: c.filterKey, NotBefore: c.notBefore, Files: map[string]fileState{}},
		seen: map[string]bool{}, depth: map[string]int{}}
	if err := w.visit(ctx, c.url, 0, true); err != nil {
		return err
	}
	if !w.changed {
		return nil // every file answered 304: the stored list is the site's
	}
	// Another file changed: those that answered 304 are read whole, the
	// list being stored whole.
	for _, u := range w.unchanged {
		delete(w.seen, u)
		// Its validators are recorded again only once its body is read:
		// a file answering 304 and then 404 keeps none, and is read
		// whole when it comes back.
		delete(w.next.Files, u)
		if err := w.visit(ctx, u, w.depth[u], false); err != nil {
			return err
		}
	}
	if len(w.pages) == 0 && w.offHostPages > 0 {
		// A configured URL that redirects to another host (example.com
		// to www.example.com) lists its pages there: say so.
		return fmt.Errorf("sitemap: %w", fetch.DecodeError(c.url,
			fmt.Errorf("every page the site lists (%d) is on another host than %s: configure the sitemap's URL on its pages' host", w.offHostPages, c.host)))
	}
	if len(w.pages) == 0 {
		// Every site lists its pages in every answer: none at all is a
		// glitch (an emptied deploy), and the stored list stays.
		return fmt.Errorf("sitemap: %w", fetch.DecodeError(c.url, errors.New("the site lists no page")))
	}
	if w.offHostChildren > 0 || w.offHostPages > 0 {
		c.logger.Warn("sitemap: entries on another host than the configured one are left out",
			"host", c.host, "sitemaps", w.offHostChildren, "pages", w.offHostPages)
	}
	list := docsite.Finish(w.pages, c.filter, c.bounds)
	list.Report("sitemap", c.logger)
	if list.Duplicates > 0 || w.badLastmod > 0 {
		c.logger.Info("sitemap: read", "pages", len(list.Pages), "listed_twice", list.Duplicates, "lastmod_unreadable", w.badLastmod)
	}
	next := w.next
	if list.Ahead > 0 {
		// The exporter keeps those pages' stored versions (or leaves them
		// out); no validators, so that the next sync reads the site whole
		// and stores them once their time has come.
		next = cursor{Filter: c.filterKey, NotBefore: c.notBefore}
	}
	encoded, err := next.encode()
	if err != nil {
		return fmt.Errorf("sitemap: %w", fetch.DecodeError(c.url, err))
	}
	return emit(item.Batch{Pages: list.Pages, Cursor: encoded})
}

// walk is one sync's reading of the site.
type walk struct {
	c    *collector
	old  cursor // the validators of the stored list
	next cursor // those of the list being read
	// seen are the files read (or being read) by this walk, and depth
	// their nesting.
	seen  map[string]bool
	depth map[string]int
	// changed: a file answered with a body; unchanged are the sitemaps
	// that answered 304, whose pages this walk has not read.
	changed    bool
	unchanged  []string
	pages      []item.Page
	badLastmod int
	// offHostChildren and offHostPages are the entries on another host
	// than the configured URL's, left out.
	offHostChildren, offHostPages int
}

// visit reads the file at u, nested depth indexes deep, and the files it
// lists; conditional sends the stored validators.
func (w *walk) visit(ctx context.Context, u string, depth int, conditional bool) error {
	if w.seen[u] {
		return nil // listed twice, or an index listing itself or its parent
	}
	w.seen[u], w.depth[u] = true, depth
	prev, known := w.old.Files[u]
	h := http.Header{}
	if conditional && known {
		h = prev.validators()
		if h == nil {
			h = http.Header{}
		}
	}
	h.Set("Accept", accept)
	resp, err := w.c.http.Get(ctx, u, h)
	var fe *fetch.Error
	switch {
	case err == nil:
	case conditional && known && errors.As(err, &fe) && fe.Status == http.StatusNotModified:
		w.next.Files[u] = prev
		if !prev.Index {
			w.unchanged = append(w.unchanged, u)
			return nil
		}
		return w.children(ctx, u, prev.Children, depth, conditional)
	case depth > 0 && errors.As(err, &fe) && (fe.Status == http.StatusNotFound || fe.Status == http.StatusGone):
		w.next.Files[u] = fileState{Gone: true}
		if known && prev.Gone {
			return nil // gone already: nothing changed
		}
		w.c.logger.Warn("sitemap: a sitemap the index lists is gone: it lists no pages", "status", fe.Status)
		w.changed = true
		return nil
	default:
		return fmt.Errorf("sitemap: %w", err)
	}
	w.changed = true
	doc, err := w.read(u, resp.Body)
	if err != nil {
		return err
	}
	state := fileState{ETag: resp.Header.Get("ETag"), LastModified: w.plausibleLastModified(resp.Header.Get("Last-Modified"))}
	if doc.index {
		state.Index, state.Children = true, doc.children
		w.next.Files[u] = state
		return w.children(ctx, u, doc.children, depth, conditional)
	}
	w.next.Files[u] = state
	w.badLastmod += doc.badLastmod
	doc.pages = slices.DeleteFunc(doc.pages, func(p item.Page) bool {
		off := !w.c.onHost(p.URL)
		if off {
			w.offHostPages++
		}
		return off
	})
	if len(w.pages)+len(doc.pages) > maxPages {
		return fmt.Errorf("sitemap: %w", &fetch.Error{Reason: fetch.ReasonTooLarge, URL: stripQuery(u),
			Err: fmt.Errorf("the site lists more than %d pages", maxPages)})
	}
	w.pages = append(w.pages, doc.pages...)
	return nil
}

// children visits an index's sitemaps.
func (w *walk) children(ctx context.Context, u string, children []string, depth int, conditional bool) error {
	if len(children) > 0 && depth+1 > maxNesting {
		return fmt.Errorf("sitemap: %w", fetch.LoopError(u, fmt.Errorf("sitemap indexes nested more than %d deep", maxNesting)))
	}
	for _, child := range children {
		if !w.c.onHost(child) {
			w.offHostChildren++ // never requested: a sitemap names any URL it likes
			continue
		}
		if err := w.visit(ctx, child, depth+1, conditional); err != nil {
			return err
		}
	}
	return nil
}

// read decompresses and decodes one file's body.
func (w *walk) read(u string, body []byte) (*document, error) {
	base, err := url.Parse(u)
	if err != nil {
		return nil, fmt.Errorf("sitemap: %w", fetch.DecodeError(u, err))
	}
	if gzipped(body) {
		if body, err = gunzip(body); err != nil {
			return nil, fmt.Errorf("sitemap: %w", fileError(u, err))
		}
	}
	doc, err := decode(body, base)
	if err != nil {
		return nil, fmt.Errorf("sitemap: %w", fileError(u, err))
	}
	return doc, nil
}

// fileError classifies a file that could not be read: too_large over the
// protocol's limits, else decode.
func fileError(u string, err error) error {
	if errors.Is(err, errTooLarge) {
		return &fetch.Error{Reason: fetch.ReasonTooLarge, URL: stripQuery(u), Err: err}
	}
	return fetch.DecodeError(u, err)
}

// plausibleLastModified is the Last-Modified value to send back, or ""
// when it names an instant in the future (a server clock ahead would
// answer 304 until its clock caught up).
func (w *walk) plausibleLastModified(v string) string {
	if t, err := http.ParseTime(v); err == nil && w.c.bounds.Check(t) == door.ReasonFuture {
		return ""
	}
	return v
}

// onHost reports whether u is on the configured URL's host (any scheme,
// the same port): the only host whose sitemaps are read and whose pages
// are measured.
func (c *collector) onHost(u string) bool {
	p, err := url.Parse(u)
	return err == nil && strings.EqualFold(p.Host, c.host)
}

// stripQuery is u without its query, as errors name URLs.
func stripQuery(u string) string {
	if p, err := url.Parse(u); err == nil {
		p.RawQuery = ""
		return p.String()
	}
	return u
}
