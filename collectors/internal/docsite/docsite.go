// Package docsite holds what the kinds that read a documentation site
// (sitemap, zendesk_help_center) share: the URL filter of their include and
// exclude keys, the check of their freshness windows, and the page list
// they hand over, one page per URL (docs/sources.md).
package docsite

import (
	"cmp"
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
// matched as written.
func (f *Filter) Keep(rawURL string) bool {
	path := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		path = cmp.Or(u.Path, "/")
	}
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
	// Refused are the pages left out for an implausible update time, by
	// door reason.
	Refused map[string]int
}

// Keep reports whether the list may replace the stored one: not while a
// page is refused for a time in the future. As the door keeps an item's
// stored version while its new one is implausible, the stored list stays
// whole (that page's stored version with it) until the page's time is
// plausible; a vendor clock running ahead so freezes the list instead of
// emptying it. A page dated before global.earliest_timestamp never
// becomes plausible: it is left out, as an item so dated is never stored.
func (l List) Keep() bool { return l.Refused[door.ReasonFuture] == 0 }

// Finish returns the page list to store: the pages f keeps, one per URL
// (the latest update and the most outdated translations of its entries),
// sorted by URL, never nil; the pages whose update time bounds refuse are
// left out and counted by reason (door, docs/configuration.md "Timestamps
// a vendor sends"): a page with an implausible date is refused whole, like
// any item (see Keep).
func Finish(pages []item.Page, f *Filter, bounds door.Bounds) List {
	l := List{Pages: make([]item.Page, 0, len(pages)), Refused: map[string]int{}}
	for _, p := range pages {
		if f != nil && !f.Keep(p.URL) {
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
	l.Pages = slices.DeleteFunc(out, func(p item.Page) bool {
		if r := bounds.Page(&p); r != "" {
			l.Refused[r]++
			return true
		}
		return false
	})
	return l
}
