package exposition

import "github.com/support-exporter/support_exporter/exporter/quality"

// docsFamilies are the documentation-freshness families (docs/metrics.md,
// "Documentation freshness"), one series each per documentation source.
type docsFamilies struct {
	pages, lastUpdate, stale, updated, outdated, undated, suspect *Family
}

var docs = newDocsFamilies()

func newDocsFamilies() docsFamilies {
	vs := []string{"vendor", "source"}
	return docsFamilies{
		pages: gaugeFamily("docs_pages", "Pages of the documentation site measured (after include and exclude), each URL once.", vs...),
		lastUpdate: gaugeFamily("docs_last_update_timestamp_seconds",
			"Newest last update (Unix seconds) of a dated page of the documentation site, a suspected build date left out; 0 when none.", vs...),
		stale: gaugeFamily("docs_pages_stale",
			"Dated pages last updated stale_after (default 1y) or more before the source's last complete sync; pages with a suspected build date are not dated.", vs...),
		updated: gaugeFamily("docs_pages_updated",
			"Dated pages updated less than updated_within (default 30d) before the source's last complete sync; pages with a suspected build date are not dated.", vs...),
		outdated: gaugeFamily("docs_translations_outdated", "Translations the site marks outdated, over every page (a help center article's outdated_locales); 0 where the site has no such notion.", vs...),
		undated: gaugeFamily("docs_pages_undated",
			"Pages without a usable date: no lastmod (or an unreadable one), and, when support_docs_lastmod_suspect is 1, the pages sharing the suspected build date.", vs...),
		suspect: gaugeFamily("docs_lastmod_suspect",
			"1 when the site's dates look like its build date: at least 10 dated pages, more than half of them sharing one date; those pages then count as undated.", vs...),
	}
}

// docsFamilyList lists the documentation families (VendorFamilies).
func docsFamilyList() []*Family {
	return []*Family{docs.pages, docs.lastUpdate, docs.stale, docs.updated, docs.outdated, docs.undated, docs.suspect}
}

// walkDocs walks the documentation sites judged (WalkVendor).
func walkDocs(w Walker, v *quality.VendorSnapshot) {
	for _, d := range v.Docs {
		w.Gauge(docs.pages, float64(d.Pages), v.Vendor, d.Source)
		w.Gauge(docs.lastUpdate, timestamp(d.LastUpdate), v.Vendor, d.Source)
		w.Gauge(docs.stale, float64(d.Stale), v.Vendor, d.Source)
		w.Gauge(docs.updated, float64(d.Updated), v.Vendor, d.Source)
		w.Gauge(docs.outdated, float64(d.OutdatedTranslations), v.Vendor, d.Source)
		w.Gauge(docs.undated, float64(d.Undated), v.Vendor, d.Source)
		suspect := 0.0
		if d.LastmodSuspect {
			suspect = 1
		}
		w.Gauge(docs.suspect, suspect, v.Vendor, d.Source)
	}
}
