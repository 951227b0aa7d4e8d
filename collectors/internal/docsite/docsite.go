// Package docsite holds what the kinds that read a documentation site
// (sitemap, zendesk_help_center) share: the URL filter of their include and
// exclude keys, the check of their freshness windows, and the page list
// they hand over, one page per URL (docs/sources.md).
package docsite

import (
	"cmp"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// Keys are the keys every docs kind has; each kind's Options repeat them
// as fields of their own (config.Kind.Keys lists a struct's own fields)
// and check them with Check.
type Keys struct {
	Include, Exclude          []string
	StaleAfter, UpdatedWithin model.Duration
}

// Default windows, as the options write them.
var (
	DefaultStaleAfter    = model.Duration(config.DefaultStaleAfter)
	DefaultUpdatedWithin = model.Duration(config.DefaultUpdatedWithin)
)

// Check reports every mistake in k.
func (k Keys) Check(report config.Report) {
	for key, patterns := range map[string][]string{"include": k.Include, "exclude": k.Exclude} {
		for i, p := range patterns {
			if _, err := regexp.Compile(p); err != nil {
				report(key+"["+strconv.Itoa(i)+"]", "not a regular expression: %v", err)
			}
		}
	}
	if k.StaleAfter <= 0 {
		report("stale_after", "must be positive")
	}
	if k.UpdatedWithin <= 0 {
		report("updated_within", "must be positive")
	}
	if k.StaleAfter > 0 && k.UpdatedWithin >= k.StaleAfter {
		// A page both stale and updated would count twice: stale,
		// updated and undated pages add up to at most the pages.
		report("updated_within", "must be shorter than stale_after (%s)", k.StaleAfter)
	}
}

// Windows are the keys' freshness windows.
func (k Keys) Windows() config.DocsWindows {
	return config.DocsWindows{StaleAfter: time.Duration(k.StaleAfter), UpdatedWithin: time.Duration(k.UpdatedWithin)}
}

// Filter keeps the pages whose URL path matches an include pattern (any
// path when there is none) and no exclude pattern.
type Filter struct {
	include, exclude []*regexp.Regexp
}

// NewFilter compiles k's patterns; the config has checked them.
func NewFilter(k Keys) (*Filter, error) {
	f := &Filter{}
	for _, p := range k.Include {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, err
		}
		f.include = append(f.include, re)
	}
	for _, p := range k.Exclude {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, err
		}
		f.exclude = append(f.exclude, re)
	}
	return f, nil
}

// Keep reports whether the page at rawURL is measured. The patterns match
// the URL's path ("/docs/start"), unescaped; a URL that does not parse is
// never measured.
func (f *Filter) Keep(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	path := cmp.Or(u.Path, "/")
	match := func(res []*regexp.Regexp) bool {
		return slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(path) })
	}
	return (len(f.include) == 0 || match(f.include)) && !match(f.exclude)
}

// List is a site's pages as read, before they are handed over.
type List struct {
	Pages []item.Page
	// Duplicates are the URLs listed more than once: each counts once.
	Duplicates int
	// Ahead are the pages dated in the future (beyond the clock skew),
	// left in the list: the exporter's door keeps their stored versions,
	// or leaves them out when new, and counts them (exporter admit), and
	// the rest of the list replaces the stored one. Their collector reads
	// the site whole at its next sync.
	Ahead int
	// Past are the pages dated before global.earliest_timestamp, left in
	// the list too, for the door to hold as it holds those Ahead: a
	// vendor's clock running years back for a while must not take a
	// stored page for gone (docs/sources.md, "Documentation sites").
	Past int
	// Filtered are the pages include and exclude left out, and those
	// whose URL does not parse.
	Filtered int
}

// Report warns when the filter left out every page of a site that lists
// some: a pattern that matches nothing (it matches the URL's path, not the
// URL) would otherwise measure an empty site in silence. The pages dated
// implausibly are counted and logged by the exporter's door.
func (l List) Report(kind string, logger *slog.Logger) {
	if l.Filtered > 0 && len(l.Pages) == 0 {
		logger.Warn(kind+": include and exclude leave out every page the site lists (they match the URL's path, e.g. ^/docs/)",
			"pages_listed", l.Filtered)
	}
}

// Finish returns the page list to store: the pages f keeps, one per URL
// (the latest update and the most outdated translations of its entries),
// sorted by URL, never nil; the pages dated implausibly (door,
// docs/configuration.md "Timestamps a vendor sends") stay, for the
// exporter's door to hold, and are counted in Ahead (in the future) or
// Past (before the earliest instant).
func Finish(pages []item.Page, f *Filter, bounds door.Bounds) List {
	l := List{Pages: make([]item.Page, 0, len(pages))}
	for _, p := range pages {
		if _, err := url.Parse(p.URL); err != nil || (f != nil && !f.Keep(p.URL)) {
			l.Filtered++
			continue
		}
		l.Pages = append(l.Pages, p)
	}
	slices.SortStableFunc(l.Pages, func(a, b item.Page) int { return cmp.Compare(a.URL, b.URL) })
	out := l.Pages[:0]
	for _, p := range l.Pages {
		if n := len(out); n > 0 && out[n-1].URL == p.URL {
			l.Duplicates++
			if p.Updated.After(out[n-1].Updated) {
				out[n-1].Updated = p.Updated
			}
			out[n-1].OutdatedTranslations = max(out[n-1].OutdatedTranslations, p.OutdatedTranslations)
			continue
		}
		out = append(out, p)
	}
	for i := range out {
		switch r := bounds.Page(&out[i]); r {
		case "":
		case door.ReasonFuture:
			l.Ahead++
		default:
			l.Past++
		}
	}
	l.Pages = out
	return l
}
