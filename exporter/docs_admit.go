package exporter

import (
	"slices"

	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// admitPages is the door of a page list, which replaces the stored one
// whole: a page dated in the future, or before the earliest instant, is
// held, page by page, as a refused item is: its stored version stays in
// the list (stored, looked up by URL; nil when none is stored), a new page
// is left out, and the rest of the list replaces the stored one, so that
// one page ahead freezes nothing else, and a vendor's clock running years
// back for a while takes no stored page for gone (docs/sources.md,
// "Documentation sites"). refuse counts a refusal. It returns the list to
// store (pages itself when nothing is refused, no copy) and the number of
// pages held: those dated ahead, and those dated before the earliest
// instant that keep a stored version (a new page so dated is left out for
// good, as it never becomes plausible: the batch's cursor may be stored).
func admitPages(pages []item.Page, bounds door.Bounds, stored func(urls map[string]bool) map[string]item.Page,
	refuse func(reason, id string) bool) ([]item.Page, int) {
	var out []item.Page // nil until a page is refused
	var ahead map[string]bool
	var aheadAt []int // where held pages are in out
	var future []bool // whether each of aheadAt is dated ahead
	for i := range pages {
		r := bounds.Page(&pages[i])
		if r == "" {
			if out != nil {
				out = append(out, pages[i])
			}
			continue
		}
		if out == nil {
			out = make([]item.Page, i, len(pages))
			copy(out, pages[:i])
		}
		refuse(r, pages[i].URL)
		if ahead == nil {
			ahead = map[string]bool{}
		}
		ahead[pages[i].URL] = true
		aheadAt = append(aheadAt, len(out))
		future = append(future, r == door.ReasonFuture)
		out = append(out, pages[i]) // replaced below
	}
	if out == nil {
		return pages, 0
	}
	var kept map[string]item.Page
	if ahead != nil && stored != nil {
		kept = stored(ahead)
	}
	held := 0
	for j, i := range aheadAt {
		p, ok := kept[out[i].URL]
		if ok || future[j] {
			held++
		}
		out[i] = p // the zero page, URL "", when none is stored
	}
	out = slices.DeleteFunc(out, func(p item.Page) bool { return p.URL == "" })
	return out, held
}
