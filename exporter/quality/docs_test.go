package quality

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

var docsAsOf = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func page(url string, daysBefore float64) item.Page {
	return item.Page{URL: url, Updated: docsAsOf.Add(-time.Duration(daysBefore * 24 * float64(time.Hour)))}
}

func TestFreshness(t *testing.T) {
	w := config.DocsWindows{StaleAfter: 365 * 24 * time.Hour, UpdatedWithin: 30 * 24 * time.Hour}
	build := docsAsOf.Add(-50 * time.Hour)
	var built []item.Page
	for i := range 8 {
		built = append(built, item.Page{URL: fmt.Sprintf("/b%d", i), Updated: build})
	}
	cases := []struct {
		name  string
		pages []item.Page
		want  DocsSite
	}{
		{"none", nil, DocsSite{}},
		{
			// 3 days: updated. 29.9 days: updated. Exactly 30 days: not
			// updated (within means less than). 200 days: neither. Exactly
			// 365 days: stale (not updated for stale_after). 400: stale.
			// One undated; outdated translations 2+1.
			"windows",
			[]item.Page{
				page("/a", 3), page("/b", 29.9), page("/c", 30), page("/d", 200), page("/e", 365), page("/f", 400),
				{URL: "/g", OutdatedTranslations: 2}, {URL: "/h", Updated: docsAsOf.Add(time.Hour), OutdatedTranslations: 1},
			},
			DocsSite{Pages: 8, LastUpdate: docsAsOf.Add(time.Hour), Stale: 2, Updated: 3, Undated: 1, OutdatedTranslations: 3},
		},
		{
			// 8 pages share the build date and 4 have their own: 8 of 12
			// dated pages is more than half. The 8 count as undated; of
			// the 4, one (5 days) is updated, one (500 days) stale; the
			// newest update is the 5-day one, not the build date.
			"build date",
			append(append([]item.Page{}, built...), page("/x", 5), page("/y", 100), page("/z", 500), page("/v", 60)),
			DocsSite{Pages: 12, LastUpdate: docsAsOf.Add(-5 * 24 * time.Hour), Stale: 1, Updated: 1, Undated: 8, LastmodSuspect: true},
		},
		{
			// 8 of 16 share the build date: exactly half is not more than
			// half, nothing is suspect.
			"half is not most",
			append(append([]item.Page{}, built...), page("/1", 1), page("/2", 2), page("/3", 3), page("/4", 4),
				page("/5", 400), page("/6", 401), page("/7", 402), page("/8", 403)),
			DocsSite{Pages: 16, LastUpdate: docsAsOf.Add(-24 * time.Hour), Stale: 4, Updated: 12},
		},
		{
			// 8 of 9 dated share a date, but fewer than 10 pages are dated:
			// too few to tell a build date from a day of edits.
			"too few",
			append(append([]item.Page{}, built...), page("/x", 5), item.Page{URL: "/u"}),
			DocsSite{Pages: 10, LastUpdate: build, Updated: 9, Undated: 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Source = "docs"
			if got := Freshness("docs", tc.pages, w, docsAsOf); got != tc.want {
				t.Errorf("Freshness:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestAggregatorDocs: a docs source's page list is judged as of its asOf,
// with its own windows; replaced whole; not judged before its first
// complete sync; counted in the store's items.
func TestAggregatorDocs(t *testing.T) {
	v := &config.Vendor{Name: "acme", Docs: []*config.Source{{Name: "docs", Kind: "sitemap"}}}
	r := mustRules(t, v, time.Time{})
	kinds, tickets := VendorSources(v)
	a := NewAggregator(r, kinds, tickets)
	a.SetPages("docs", []item.Page{page("/a", 10), page("/b", 400)})
	if s := a.Snapshot(func(string) time.Time { return time.Time{} }); len(s.Docs) != 0 {
		t.Errorf("before a complete sync: %+v, want no site judged", s.Docs)
	}
	s := a.Snapshot(func(string) time.Time { return docsAsOf })
	want := DocsSite{Source: "docs", Pages: 2, LastUpdate: docsAsOf.Add(-10 * 24 * time.Hour), Stale: 1, Updated: 1}
	if len(s.Docs) != 1 || s.Docs[0] != want {
		t.Errorf("snapshot: %+v, want [%+v]", s.Docs, want)
	}
	if s.StoreItems["sitemap"] != 2 {
		t.Errorf("store items %v, want sitemap 2", s.StoreItems)
	}
	// A month later, as of the next sync, the page list replaced.
	a.SetPages("docs", []item.Page{page("/a", 10)})
	s = a.Snapshot(func(string) time.Time { return docsAsOf.Add(30 * 24 * time.Hour) })
	want = DocsSite{Source: "docs", Pages: 1, LastUpdate: docsAsOf.Add(-10 * 24 * time.Hour)}
	if len(s.Docs) != 1 || s.Docs[0] != want {
		t.Errorf("a month later: %+v, want [%+v]", s.Docs, want)
	}
}

// TestDocsWindowsFromOptions: a source's windows are its options', else
// the defaults.
func TestDocsWindowsFromOptions(t *testing.T) {
	got := docsWindows(&config.Vendor{Docs: []*config.Source{{Name: "a"}, {Name: "b", Options: windowsOptions{StaleAfter: model.Duration(time.Hour)}}}})
	if got["a"] != (config.DocsWindows{StaleAfter: config.DefaultStaleAfter, UpdatedWithin: config.DefaultUpdatedWithin}) ||
		got["b"] != (config.DocsWindows{StaleAfter: time.Hour, UpdatedWithin: config.DefaultUpdatedWithin}) {
		t.Errorf("windows %+v", got)
	}
}

type windowsOptions struct{ StaleAfter model.Duration }

func (windowsOptions) Check(config.Report) {}
func (o windowsOptions) Windows() config.DocsWindows {
	return config.DocsWindows{StaleAfter: time.Duration(o.StaleAfter)}
}
