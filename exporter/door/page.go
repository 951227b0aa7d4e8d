package door

import (
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// DateOnlyLead is how far ahead of UTC a calendar date may be: a date
// written where the day starts first (UTC+14) names a day that starts
// 14 hours before it does in UTC.
const DateOnlyLead = 14 * time.Hour

// Page checks a documentation page's update time. A date without a time
// of day (read as midnight UTC: a sitemap's lastmod 2026-03-11, which
// MkDocs writes in its builder's local date) is plausible while that date
// has begun somewhere on Earth: up to DateOnlyLead past the latest
// plausible instant, so that a site built east of UTC is not judged ahead
// of time each evening. Freshness windows still read it as midnight UTC.
func (b Bounds) Page(p *item.Page) string {
	r := b.Check(p.Updated)
	if r == ReasonFuture && isMidnightUTC(p.Updated) && !p.Updated.After(b.Latest().Add(DateOnlyLead)) {
		return ""
	}
	return r
}

// isMidnightUTC reports whether t is the first instant of a UTC day, as a
// date without a time of day is read.
func isMidnightUTC(t time.Time) bool {
	u := t.UTC()
	return u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0
}
