// Package door checks the timestamps of what a vendor sends before they are
// stored. An instant far in the future (a vendor clock gone wrong, a forged
// value) or before any vendor could have recorded it bends every duration
// computed from it, and, once it drives an incremental cursor, stops
// ingestion for good: the next sync asks for what changed after it. Items
// with such a time are refused whole and counted in
// support_items_rejected_total (docs/metrics.md); their stored version, if
// any, stays as it was. Collectors use the same Bounds so that a refused
// item never moves a cursor (docs/sources.md).
package door

import (
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// Reasons of support_items_rejected_total.
const (
	ReasonFuture = "future_timestamp" // later than our clock plus the allowed skew
	ReasonPast   = "past_timestamp"   // before global.earliest_timestamp
	// ReasonTooLarge is an item larger than its collector reads (an IMAP
	// message whose header fields exceed the cap), or one it cannot take
	// whole (an IMAP message whose header fields do not parse): skipped,
	// so that one hostile item does not stall its source.
	ReasonTooLarge = "too_large"
)

// Bounds are the instants an item's timestamps may take: from NotBefore to
// MaxSkew past Now. The zero Bounds accept every instant (collectors built
// in tests without them).
type Bounds struct {
	NotBefore time.Time
	MaxSkew   time.Duration
	Now       func() time.Time
}

// Check returns the reason why t is implausible, or "" when it is
// plausible. The zero time means "not given" and is always plausible.
func (b Bounds) Check(t time.Time) string {
	switch {
	case t.IsZero() || b.Now == nil:
		return ""
	case t.After(b.Latest()):
		return ReasonFuture
	case t.Before(b.NotBefore):
		return ReasonPast
	}
	return ""
}

// Latest is the latest plausible instant now; the zero time for the zero
// Bounds.
func (b Bounds) Latest() time.Time {
	if b.Now == nil {
		return time.Time{}
	}
	return b.Now().Add(b.MaxSkew)
}

// checkAll is the reason of the first implausible instant of ts.
func (b Bounds) checkAll(ts ...time.Time) string {
	for _, t := range ts {
		if r := b.Check(t); r != "" {
			return r
		}
	}
	return ""
}

// Ticket checks every instant of a ticket: its creation and update, its
// timeline, and the vendor's own figures and SLA clocks.
func (b Bounds) Ticket(t *item.Ticket) string {
	if r := b.checkAll(t.CreatedAt, t.UpdatedAt); r != "" {
		return r
	}
	for _, e := range t.Events {
		if r := b.Check(e.At); r != "" {
			return r
		}
	}
	if f := t.Figures; f != nil {
		if r := b.checkAll(f.FirstReplyAt, f.FirstSolvedAt); r != "" {
			return r
		}
		for _, c := range []*item.SLAClock{f.FirstResponseSLA, f.ResolutionSLA} {
			if c == nil {
				continue
			}
			if r := b.Check(c.Stopped); r != "" {
				return r
			}
			// A running clock's deadline lies ahead by design.
			if r := b.ahead(c.Deadline); r != "" {
				return r
			}
		}
	}
	return ""
}

// Incident checks every instant of an incident.
func (b Bounds) Incident(i *item.Incident) string {
	if r := b.checkAll(i.CreatedAt, i.StartedAt, i.ResolvedAt, i.UpdatedAt, i.PostmortemPublishedAt); r != "" {
		return r
	}
	return b.checkAll(i.Updates...)
}

// Maintenance checks every instant of a maintenance. Its schedule may lie
// in the future, but not further than a vendor announces: the skew applies
// to when it was announced, updated and completed, the schedule is held to
// MaxAhead.
func (b Bounds) Maintenance(m *item.Maintenance) string {
	if r := b.checkAll(m.CreatedAt, m.UpdatedAt, m.CompletedAt); r != "" {
		return r
	}
	return b.checkAhead(m.ScheduledFor, m.ScheduledUntil)
}

// MaxAhead is how far ahead an instant that lies in the future by design
// may be: a maintenance's schedule (vendors announce weeks, at most a few
// months, ahead), an SLA clock's deadline (days, weeks for a low
// priority on a business calendar).
const MaxAhead = 366 * 24 * time.Hour

// ahead checks an instant that may lie in the future by design, up to
// MaxAhead past the latest plausible instant.
func (b Bounds) ahead(t time.Time) string {
	switch {
	case t.IsZero() || b.Now == nil:
		return ""
	case t.Before(b.NotBefore):
		return ReasonPast
	case t.After(b.Latest().Add(MaxAhead)):
		return ReasonFuture
	}
	return ""
}

func (b Bounds) checkAhead(ts ...time.Time) string {
	for _, t := range ts {
		if r := b.ahead(t); r != "" {
			return r
		}
	}
	return ""
}
