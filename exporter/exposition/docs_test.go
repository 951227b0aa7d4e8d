package exposition

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/support-exporter/support_exporter/exporter/quality"
)

// TestDocsExposition: a vendor with documentation sites only exposes one
// series per site in each docs family, and none of the ticket or status
// families; the families pass the linter.
func TestDocsExposition(t *testing.T) {
	v := &quality.VendorSnapshot{Vendor: "acme", StoreItems: map[string]uint64{"sitemap": 12}, Docs: []quality.DocsSite{
		{Source: "docs", Pages: 12, LastUpdate: time.Unix(1773100800, 0), Stale: 1, Updated: 1, Undated: 8, LastmodSuspect: true},
		{Source: "help", Pages: 3, Updated: 3, OutdatedTranslations: 2},
	}}
	c := New(&fakeState{snap: &quality.Snapshot{Vendors: []*quality.VendorSnapshot{v}}, reloadOK: true})
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", problems, err)
	}
	want := `
# HELP support_docs_last_update_timestamp_seconds Newest last update (Unix seconds) of a dated page of the documentation site, a suspected build date left out; 0 when none. Refreshed by background sync, not at scrape time.
# TYPE support_docs_last_update_timestamp_seconds gauge
support_docs_last_update_timestamp_seconds{source="docs",vendor="acme"} 1.7731008e+09
support_docs_last_update_timestamp_seconds{source="help",vendor="acme"} 0
# HELP support_docs_lastmod_suspect 1 when the site's dates look like its build date: at least 10 dated pages, more than half of them sharing one date; those pages then count as undated. Refreshed by background sync, not at scrape time.
# TYPE support_docs_lastmod_suspect gauge
support_docs_lastmod_suspect{source="docs",vendor="acme"} 1
support_docs_lastmod_suspect{source="help",vendor="acme"} 0
# HELP support_docs_pages Pages of the documentation site measured (after include and exclude), each URL once. Refreshed by background sync, not at scrape time.
# TYPE support_docs_pages gauge
support_docs_pages{source="docs",vendor="acme"} 12
support_docs_pages{source="help",vendor="acme"} 3
# HELP support_docs_pages_stale Dated pages last updated stale_after (default 1y) or more before the source's last complete sync; pages with a suspected build date are not dated. Refreshed by background sync, not at scrape time.
# TYPE support_docs_pages_stale gauge
support_docs_pages_stale{source="docs",vendor="acme"} 1
support_docs_pages_stale{source="help",vendor="acme"} 0
# HELP support_docs_pages_undated Pages without a usable date: no lastmod (or an unreadable one), and, when support_docs_lastmod_suspect is 1, the pages sharing the suspected build date. Refreshed by background sync, not at scrape time.
# TYPE support_docs_pages_undated gauge
support_docs_pages_undated{source="docs",vendor="acme"} 8
support_docs_pages_undated{source="help",vendor="acme"} 0
# HELP support_docs_pages_updated Dated pages updated less than updated_within (default 30d) before the source's last complete sync; pages with a suspected build date are not dated. Refreshed by background sync, not at scrape time.
# TYPE support_docs_pages_updated gauge
support_docs_pages_updated{source="docs",vendor="acme"} 1
support_docs_pages_updated{source="help",vendor="acme"} 3
# HELP support_docs_translations_outdated Translations the site marks outdated, over every page (a help center article's outdated_locales); 0 where the site has no such notion. Refreshed by background sync, not at scrape time.
# TYPE support_docs_translations_outdated gauge
support_docs_translations_outdated{source="docs",vendor="acme"} 0
support_docs_translations_outdated{source="help",vendor="acme"} 2
`
	names := []string{"support_docs_pages", "support_docs_last_update_timestamp_seconds", "support_docs_pages_stale", "support_docs_pages_updated",
		"support_docs_translations_outdated", "support_docs_pages_undated", "support_docs_lastmod_suspect"}
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(c, "support_tickets_created_total", "support_status_incidents_total"); n != 0 {
		t.Errorf("%d ticket and status series for a vendor with docs only", n)
	}
}
