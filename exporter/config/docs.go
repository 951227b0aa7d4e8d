package config

import "time"

// Freshness windows of a documentation source when its kind's options
// leave them out (docs/sources.md, docs/metrics.md "Documentation
// freshness").
const (
	// DefaultStaleAfter: a page not updated for a year is stale.
	DefaultStaleAfter = 365 * 24 * time.Hour
	// DefaultUpdatedWithin: a page updated in the last 30 days counts as
	// updated.
	DefaultUpdatedWithin = 30 * 24 * time.Hour
)

// DocsWindows are how a documentation source's pages are judged: stale
// when not updated for StaleAfter, updated when updated within
// UpdatedWithin, both as of the source's last complete sync.
type DocsWindows struct {
	StaleAfter    time.Duration
	UpdatedWithin time.Duration
}

// DocsOptions are the Options of a kind that feeds docs: they say the
// source's windows.
type DocsOptions interface {
	Options
	Windows() DocsWindows
}

// Windows returns the freshness windows of a documentation source: its
// options', or the defaults for a source built in code without any.
func (s *Source) Windows() DocsWindows {
	w := DocsWindows{StaleAfter: DefaultStaleAfter, UpdatedWithin: DefaultUpdatedWithin}
	if o, ok := s.Options.(DocsOptions); ok {
		ow := o.Windows()
		if ow.StaleAfter > 0 {
			w.StaleAfter = ow.StaleAfter
		}
		if ow.UpdatedWithin > 0 {
			w.UpdatedWithin = ow.UpdatedWithin
		}
	}
	return w
}
