package quality

import (
	"cmp"
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// DocsSite is one documentation source's freshness, judged as of the
// source's asOf (docs/metrics.md, "Documentation freshness").
type DocsSite struct {
	Source string
	// Pages are the pages measured (after include and exclude), each URL
	// once.
	Pages uint64
	// LastUpdate is the newest update of a dated page; zero when none.
	LastUpdate time.Time
	// Stale are the dated pages last updated StaleAfter or more before
	// asOf; Updated those updated less than UpdatedWithin before it (or
	// after it).
	Stale, Updated uint64
	// Undated are the pages without a date, with those whose date is a
	// suspected build date.
	Undated uint64
	// OutdatedTranslations are the translations the site marks outdated,
	// over every page.
	OutdatedTranslations uint64
	// LastmodSuspect: most pages share one date (SuspectShare), which is
	// the site's build date rather than each page's last change.
	LastmodSuspect bool
}

// The build-date rule (docs/metrics.md, support_docs_lastmod_suspect): a
// site with at least SuspectMinDated dated pages of which more than half
// lie within SuspectWindow of the newest dated page. A build date is the
// newest lastmod a site has (every page is at least as old as the build
// that wrote it), and a generator that stamps each URL with its own clock
// reading (next-sitemap writes new Date() per URL) writes instants
// milliseconds apart: the window groups them. Dates without a time are
// midnight UTC, so the pages of a date-only sitemap built one day share
// one instant. Many pages sharing an old date (a migration's import) with
// newer pages beside them are no build date: they are judged as dated.
const (
	SuspectMinDated = 10
	SuspectWindow   = time.Minute
)

// Freshness judges a site's pages as of asOf with windows w. A page whose
// date the build-date rule suspects counts as undated: neither stale nor
// updated, nor its newest update, so that a site whose generator stamps
// every page with the build date is never reported fresh.
func Freshness(source string, pages []item.Page, w config.DocsWindows, asOf time.Time) DocsSite {
	return indexPages(pages).judge(source, w, asOf)
}

// docsIndex is a page list as its freshness is judged: what does not
// depend on asOf is computed once, when the list is set (SetPages), and a
// snapshot costs two binary searches (judge).
type docsIndex struct {
	pages []item.Page // the stored list, for the door's lookups (StoredPages)
	// dates are the update times of the dated pages the build-date rule
	// does not suspect, in Unix nanoseconds, ascending.
	dates             []int64
	undated, outdated uint64
	suspect           bool
	lastUpdate        time.Time
}

// indexPages applies the build-date rule to pages and sorts their dates.
func indexPages(pages []item.Page) docsIndex {
	x := docsIndex{pages: pages}
	dates := make([]int64, 0, len(pages))
	for _, p := range pages {
		x.outdated += uint64(max(p.OutdatedTranslations, 0))
		if p.Updated.IsZero() {
			x.undated++
			continue
		}
		dates = append(dates, p.Updated.UnixNano())
	}
	slices.Sort(dates)
	if n := len(dates); n >= SuspectMinDated {
		newest := dates[n-1]
		// The dates within the window of the newest: from the first
		// later than newest-window on.
		from, _ := slices.BinarySearch(dates, newest-int64(SuspectWindow)+1)
		if group := n - from; 2*group > n {
			x.suspect = true
			x.undated += uint64(group)
			dates = dates[:from]
		}
	}
	x.dates = slices.Clip(dates)
	if n := len(x.dates); n > 0 {
		x.lastUpdate = time.Unix(0, x.dates[n-1]).UTC()
	}
	return x
}

// judge is the site's freshness as of asOf with windows w.
func (x docsIndex) judge(source string, w config.DocsWindows, asOf time.Time) DocsSite {
	d := DocsSite{
		Source: source, Pages: uint64(len(x.pages)), LastUpdate: x.lastUpdate,
		Undated: x.undated, OutdatedTranslations: x.outdated, LastmodSuspect: x.suspect,
	}
	// Stale: updated at or before asOf-StaleAfter; updated: after
	// asOf-UpdatedWithin.
	stale, _ := slices.BinarySearch(x.dates, asOf.Add(-w.StaleAfter).UnixNano()+1)
	notUpdated, _ := slices.BinarySearch(x.dates, asOf.Add(-w.UpdatedWithin).UnixNano()+1)
	d.Stale, d.Updated = uint64(stale), uint64(len(x.dates)-notUpdated)
	return d
}

// docsWindows are the freshness windows of a vendor's documentation
// sources, by name.
func docsWindows(v *config.Vendor) map[string]config.DocsWindows {
	w := make(map[string]config.DocsWindows, len(v.Docs))
	for _, s := range v.Docs {
		w[s.Name] = s.Windows()
	}
	return w
}

// SetPages replaces a documentation source's page list (store.Handlers'
// Pages, a batch's Pages when non-nil), which it keeps: the caller does
// not change it afterwards. Its dates are sorted and the build-date rule
// applied here, outside the lock, once per list.
func (a *Aggregator) SetPages(source string, pages []item.Page) {
	x := indexPages(pages)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pages[source] = x
	a.items[source] = uint64(len(pages))
}

// StoredPages returns the stored versions of the pages of source at urls,
// by URL (the exporter's door keeps them for pages dated in the future).
func (a *Aggregator) StoredPages(source string, urls map[string]bool) map[string]item.Page {
	a.mu.Lock()
	pages := a.pages[source].pages // never changed in place: read outside the lock
	a.mu.Unlock()
	out := map[string]item.Page{}
	for _, p := range pages {
		if urls[p.URL] {
			out[p.URL] = p
		}
	}
	return out
}

// docsSites judges every documentation source that completed a sync,
// sorted by source, with no page when none is stored: a site never synced
// whole is not judged (as of the zero time every page would look fresh).
func (a *Aggregator) docsSites() []DocsSite {
	var sites []DocsSite
	for source, w := range a.rules.docs {
		if a.judged[source].IsZero() {
			continue
		}
		sites = append(sites, a.pages[source].judge(source, w, a.judged[source]))
	}
	slices.SortFunc(sites, func(x, y DocsSite) int { return cmp.Compare(x.Source, y.Source) })
	return sites
}
