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
// share one update instant. Dates without a time are midnight UTC, so the
// pages of a date-only sitemap built one day share one instant.
const SuspectMinDated = 10

// Freshness judges a site's pages as of asOf with windows w. A page whose
// date the build-date rule suspects counts as undated: neither stale nor
// updated, nor its newest update, so that a site whose generator stamps
// every page with the build date is never reported fresh.
func Freshness(source string, pages []item.Page, w config.DocsWindows, asOf time.Time) DocsSite {
	d := DocsSite{Source: source, Pages: uint64(len(pages))}
	suspect, shared := buildDate(pages)
	d.LastmodSuspect = suspect
	staleBefore, updatedAfter := asOf.Add(-w.StaleAfter), asOf.Add(-w.UpdatedWithin)
	for _, p := range pages {
		d.OutdatedTranslations += uint64(max(p.OutdatedTranslations, 0))
		if p.Updated.IsZero() || (suspect && p.Updated.Equal(shared)) {
			d.Undated++
			continue
		}
		if p.Updated.After(d.LastUpdate) {
			d.LastUpdate = p.Updated.UTC()
		}
		if !p.Updated.After(staleBefore) {
			d.Stale++
		}
		if p.Updated.After(updatedAfter) {
			d.Updated++
		}
	}
	return d
}

// buildDate applies the build-date rule: whether the site is suspect, and
// the instant most of its dated pages share.
func buildDate(pages []item.Page) (bool, time.Time) {
	counts := map[int64]int{}
	dated := 0
	var top int64
	for _, p := range pages {
		if p.Updated.IsZero() {
			continue
		}
		dated++
		k := p.Updated.UnixNano()
		counts[k]++
		if counts[k] > counts[top] || (counts[k] == counts[top] && k > top) {
			top = k
		}
	}
	if dated < SuspectMinDated || 2*counts[top] <= dated {
		return false, time.Time{}
	}
	return true, time.Unix(0, top)
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
// Pages, a batch's Pages when non-nil).
func (a *Aggregator) SetPages(source string, pages []item.Page) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pages[source] = slices.Clone(pages)
	a.items[source] = uint64(len(pages))
}

// docsSites judges every documentation source whose page list is stored
// and that completed a sync, sorted by source: a site never synced whole
// is not judged (as of the zero time every page would look fresh).
func (a *Aggregator) docsSites() []DocsSite {
	var sites []DocsSite
	for source, pages := range a.pages {
		w, ok := a.rules.docs[source]
		if !ok || a.judged[source].IsZero() {
			continue
		}
		sites = append(sites, Freshness(source, pages, w, a.judged[source]))
	}
	slices.SortFunc(sites, func(x, y DocsSite) int { return cmp.Compare(x.Source, y.Source) })
	return sites
}
