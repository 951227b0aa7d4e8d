// Package contract holds the arithmetic of a vendor contract's compensation
// clause (docs/configuration.md, "Agreements"): its periods (calendar months
// or service months in the contract's time zone), the weighted downtime of a
// set of outages, the availability and the credit it earns under each credit
// model, the claim deadline and the termination right. It knows nothing of
// vendors, stores or metrics: every function is pure and exact, so that a
// number built on it is the one a careful person computes by hand.
package contract

import (
	"cmp"
	"slices"
	"time"
)

// Period is one contract period: [Start, End).
type Period struct{ Start, End time.Time }

// Length is the period's real length: a month with a DST change is an hour
// shorter or longer than its days times 24 hours.
func (p Period) Length() time.Duration { return p.End.Sub(p.Start) }

// Contains reports whether t lies in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.Start) && t.Before(p.End) }

// Months are a contract's periods: months that begin on StartDay at
// midnight in Location. StartDay 1 is the calendar month; a service month
// starting on day 29 to 31 begins on the last day of a month shorter than
// that (February's 28th or 29th, April's 30th).
type Months struct {
	StartDay int // 1..31
	Location *time.Location
}

// start is when the period that begins in year y, month m starts.
func (ms Months) start(y int, m time.Month) time.Time {
	d := min(max(ms.StartDay, 1), daysIn(y, m))
	return time.Date(y, m, d, 0, 0, 0, 0, ms.loc())
}

func (ms Months) loc() *time.Location {
	if ms.Location == nil {
		return time.UTC
	}
	return ms.Location
}

// daysIn is the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// At is the period containing t.
func (ms Months) At(t time.Time) Period {
	local := t.In(ms.loc())
	y, m := local.Year(), local.Month()
	s := ms.start(y, m)
	if t.Before(s) {
		y, m = prevMonth(y, m)
		s = ms.start(y, m)
	}
	ny, nm := nextMonth(y, m)
	return Period{Start: s, End: ms.start(ny, nm)}
}

// Shift is the period n periods after p (before it when n is negative).
func (ms Months) Shift(p Period, n int) Period {
	local := p.Start.In(ms.loc())
	y, m := local.Year(), local.Month()
	// A period starts in the month it is named by (start clamps the day
	// into that month), so months count periods exactly.
	t := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	y, m = t.Year(), t.Month()
	ny, nm := nextMonth(y, m)
	return Period{Start: ms.start(y, m), End: ms.start(ny, nm)}
}

func nextMonth(y int, m time.Month) (int, time.Month) {
	if m == time.December {
		return y + 1, time.January
	}
	return y, m + 1
}

func prevMonth(y int, m time.Month) (int, time.Month) {
	if m == time.January {
		return y - 1, time.December
	}
	return y, m - 1
}

// Weight is a share of downtime in thousandths: 1000 counts an instant of
// outage in full, 500 as half, 0 not at all. Thousandths keep the weighted
// downtime an exact integer.
type Weight int64

// FullWeight counts an outage in full.
const FullWeight Weight = 1000

// Span is one outage: [Start, End) weighted.
type Span struct {
	Start, End time.Time
	Weight     Weight
}

// Downtime is weighted downtime in millisecond-thousandths: a full-weight
// outage of one millisecond is 1000. It is exact (an integer) whatever the
// weights.
type Downtime int64

// Seconds is the downtime in (weighted) seconds.
func (d Downtime) Seconds() float64 { return float64(d) / 1e6 }

// DowntimeOf is the weighted downtime of spans within [from, to): their
// union over time, each instant counted once at the highest weight of the
// spans covering it, so that overlapping outages are not counted twice.
// A zero from or to leaves that side open.
func DowntimeOf(spans []Span, from, to time.Time) Downtime {
	var total Downtime
	segments(spans, from, to, func(s, e time.Time, w Weight) {
		total += Downtime(e.Sub(s).Milliseconds()) * Downtime(w)
	})
	return total
}

// segments calls f for each maximal piece of [from, to) over which the
// highest weight of the spans covering it is constant and positive.
func segments(spans []Span, from, to time.Time, f func(start, end time.Time, w Weight)) {
	type edge struct {
		at    time.Time
		w     Weight
		opens bool
	}
	var edges []edge
	for _, s := range spans {
		st, en := s.Start, s.End
		if !from.IsZero() && st.Before(from) {
			st = from
		}
		if !to.IsZero() && en.After(to) {
			en = to
		}
		if s.Weight <= 0 || !st.Before(en) {
			continue
		}
		edges = append(edges, edge{st, s.Weight, true}, edge{en, s.Weight, false})
	}
	slices.SortFunc(edges, func(a, b edge) int { return a.at.Compare(b.at) })
	open := map[Weight]int{} // weight -> spans open with it
	var prev time.Time
	for i, e := range edges {
		if i > 0 && e.at.After(prev) {
			if w := maxOpen(open); w > 0 {
				f(prev, e.at, w)
			}
		}
		if e.opens {
			open[e.w]++
		} else if open[e.w]--; open[e.w] == 0 {
			delete(open, e.w)
		}
		prev = e.at
	}
}

func maxOpen(open map[Weight]int) Weight {
	var w Weight
	for k := range open {
		w = max(w, k)
	}
	return w
}

// Availability is 1 minus the period's weighted downtime over its length.
func Availability(d Downtime, p Period) float64 {
	length := p.Length().Milliseconds()
	if length <= 0 {
		return 1
	}
	return 1 - float64(d)/(float64(length)*float64(FullWeight))
}

// DaysDown is the number of days of period p, midnight to midnight in loc,
// with some weighted downtime.
func DaysDown(spans []Span, p Period, loc *time.Location) int {
	days := map[time.Time]bool{}
	segments(spans, p.Start, p.End, func(s, e time.Time, _ Weight) {
		for d := dayStart(s, loc); d.Before(e); d = nextDay(d, loc) {
			days[d] = true
		}
	})
	return len(days)
}

func dayStart(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

func nextDay(d time.Time, loc *time.Location) time.Time {
	y, m, dd := d.In(loc).Date()
	return time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
}

// Tier is one step of a tiered credit: availability below Below earns
// Credit (shares, 0.999 and 0.10 for "below 99.9%: 10%").
type Tier struct{ Below, Credit float64 }

// Credit is a credit model; exactly one of its parts is set
// (docs/configuration.md, "Agreements").
type Credit struct {
	// Tiers: the credit of the deepest tier the availability falls below.
	Tiers []Tier
	// Multiplier (per_downtime): credit = Multiplier × downtime share of
	// the period (Cloudflare's proportional credit).
	Multiplier float64
	// PerDay (per_day): credit = PerDay × days of the period with
	// downtime (Akamai's "a day of fees per day with a failure").
	PerDay float64
	// Cap is the most a period earns (1 when zero).
	Cap float64
}

// Of is the credit a period earns: a share of the period's fee, capped.
// availability is the period's, daysDown its days with downtime.
func (c *Credit) Of(availability float64, daysDown int) float64 {
	var x float64
	switch {
	case len(c.Tiers) > 0:
		for _, t := range c.Tiers {
			if availability < t.Below {
				x = max(x, t.Credit)
			}
		}
	case c.Multiplier > 0:
		x = c.Multiplier * (1 - availability)
	case c.PerDay > 0:
		x = c.PerDay * float64(daysDown)
	}
	return min(max(x, 0), cmp.Or(c.Cap, 1))
}

// Claim is how long a credit can be claimed: Within after the period ends,
// or by the end of the BillingCycles-th period after it (AWS: "by the end
// of the second billing cycle after which the incident occurred").
type Claim struct {
	Within        time.Duration
	BillingCycles int
}

// Deadline is the last instant a credit earned in period p can be claimed.
func (c Claim) Deadline(ms Months, p Period) time.Time {
	if c.BillingCycles > 0 {
		return ms.Shift(p, c.BillingCycles).End
	}
	return p.End.Add(c.Within)
}

// BelowInARow reports whether the last n of values (oldest first) are all
// below x: availability below x in n consecutive periods (Fastly: three
// contiguous months each with more than 43.8 minutes of degraded
// performance). False when there are fewer than n values.
func BelowInARow(values []float64, x float64, n int) bool {
	if n <= 0 || len(values) < n {
		return false
	}
	for _, v := range values[len(values)-n:] {
		if !(v < x) {
			return false
		}
	}
	return true
}

// MissedWithin reports whether the last m of missed (oldest first, one per
// period) add up to at least n: n missed response objectives within m
// periods (Fastly: three or more in any three-month period).
func MissedWithin(missed []uint64, n uint64, m int) bool {
	if n == 0 || m <= 0 {
		return false
	}
	var sum uint64
	for _, x := range missed[max(len(missed)-m, 0):] {
		sum += x
	}
	return sum >= n
}
