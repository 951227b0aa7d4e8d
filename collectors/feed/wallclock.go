package feed

import (
	"strings"
	"time"
)

// wall is a time as a Statuspage feed body prints it: "Oct 21, 17:39 UTC".
// It has no year and a zone given only by its abbreviation, in the page's
// own time zone; resolving it takes a year guess and the zone's offset.
type wall struct {
	month        time.Month
	day          int // 0 when only a time of day was printed ("16:00")
	hour, minute int
	zone         string // "" when none was printed
}

// parseWall reads "[Mon D,] HH:MM [ZONE]", whitespace collapsed (the day is
// padded: "Jun  8"). ok is false for anything else.
func parseWall(text string) (w wall, ok bool) {
	fields := strings.Fields(text)
	if n := len(fields); n > 0 && !strings.Contains(fields[n-1], ":") {
		w.zone, fields = fields[n-1], fields[:n-1]
	}
	clock := strings.Join(fields, " ")
	t, err := time.Parse("Jan 2, 15:04", clock)
	if err == nil {
		w.month, w.day = t.Month(), t.Day()
	} else if t, err = time.Parse("15:04", clock); err != nil {
		return wall{}, false
	}
	w.hour, w.minute = t.Hour(), t.Minute()
	return w, true
}

// at is the instant w shows in year, in a zone offset east of UTC; ok is
// false when the date does not exist that year (Feb 29).
func (w wall) at(year int, offset time.Duration) (time.Time, bool) {
	t := time.Date(year, w.month, w.day, w.hour, w.minute, 0, 0, time.UTC)
	if t.Month() != w.month || t.Day() != w.day {
		return time.Time{}, false
	}
	return t.Add(-offset), true
}

// nearest places w in the year that brings it closest to ref: right for a
// time known to lie within months of ref.
func (w wall) nearest(ref time.Time, offset time.Duration) (time.Time, bool) {
	var best time.Time
	for year := ref.Year() - 1; year <= ref.Year()+1; year++ {
		t, ok := w.at(year, offset)
		if ok && (best.IsZero() || absDuration(t.Sub(ref)) < absDuration(best.Sub(ref))) {
			best = t
		}
	}
	return best, !best.IsZero()
}

// latestUpTo places w in the latest year that keeps it at or before limit:
// right for an older update listed after a newer one, however long before.
// Four years back always find a Feb 29.
func (w wall) latestUpTo(limit time.Time, offset time.Duration) (time.Time, bool) {
	for year := limit.Year() + 1; year >= limit.Year()-4; year-- {
		if t, ok := w.at(year, offset); ok && !t.After(limit) {
			return t, true
		}
	}
	return time.Time{}, false
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// zones maps the zone abbreviations of one feed's bodies to their offsets.
// UTC, GMT and UT are zero; the abbreviations of fixedZones have the offset
// they name, and a numeric label ("+08", "-0330", as tzdata now names many
// zones) its own. Others are ambiguous (CST, IST, BST) or rare: a page
// prints its own zone, so their offset is learnt from the feed itself
// (learnZone); one the feed does not prove stays unknown.
type zones struct {
	learned  map[string]time.Duration
	conflict map[string]bool // abbreviations seen with two offsets
}

// zeroOffsetZones are the names of UTC, which no entry can contradict.
var zeroOffsetZones = map[string]bool{"UTC": true, "GMT": true, "UT": true}

// fixedZones are abbreviations with one meaning in the zones status pages
// are kept in (tzdata's, which Statuspage prints): North America but
// Central (CST is also China's and Cuba's), Europe, Moscow, East Asia,
// Australia and New Zealand.
var fixedZones = map[string]time.Duration{
	"HST": -10 * time.Hour, "AKST": -9 * time.Hour, "AKDT": -8 * time.Hour,
	"PST": -8 * time.Hour, "PDT": -7 * time.Hour, "MST": -7 * time.Hour, "MDT": -6 * time.Hour,
	"EST": -5 * time.Hour, "EDT": -4 * time.Hour,
	"WET": 0, "WEST": time.Hour, "CET": time.Hour, "CEST": 2 * time.Hour,
	"EET": 2 * time.Hour, "EEST": 3 * time.Hour, "MSK": 3 * time.Hour,
	"HKT": 8 * time.Hour, "AWST": 8 * time.Hour, "JST": 9 * time.Hour, "KST": 9 * time.Hour,
	"ACST": 9*time.Hour + 30*time.Minute, "ACDT": 10*time.Hour + 30*time.Minute,
	"AEST": 10 * time.Hour, "AEDT": 11 * time.Hour, "NZST": 12 * time.Hour, "NZDT": 13 * time.Hour,
}

func newZones() *zones {
	return &zones{learned: map[string]time.Duration{}, conflict: map[string]bool{}}
}

// offset returns the offset of the zone printed as name, if known.
func (z *zones) offset(name string) (time.Duration, bool) {
	if d, ok := namedOffset(name); ok {
		return d, true
	}
	d, ok := z.learned[name]
	return d, ok
}

// namedOffset is the offset a zone label names by itself: UTC's, a fixed
// abbreviation's, or a numeric one's.
func namedOffset(name string) (time.Duration, bool) {
	if zeroOffsetZones[name] {
		return 0, true
	}
	if d, ok := fixedZones[name]; ok {
		return d, true
	}
	return numericOffset(name)
}

// numericOffset reads "+08", "-03" or "+0530".
func numericOffset(name string) (time.Duration, bool) {
	if len(name) < 3 || (name[0] != '+' && name[0] != '-') {
		return 0, false
	}
	digits := name[1:]
	if len(digits) != 2 && len(digits) != 4 {
		return 0, false
	}
	t, err := time.Parse("1504", (digits + "00")[:4])
	if err != nil {
		return 0, false
	}
	d := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	if d > maxOffset || d%offsetQuantum != 0 {
		return 0, false
	}
	if name[0] == '-' {
		d = -d
	}
	return d, true
}

// Bounds on a real zone offset: within ±14 h, in quarter hours.
const (
	maxOffset     = 14 * time.Hour
	offsetQuantum = 15 * time.Minute
)

// provenOffset is the offset that published proves for w, the newest
// update of the same entry: Statuspage publishes an incident at the instant
// of its newest update, whose minute the body prints in the page's zone, so
// the two differ by exactly the zone's offset. ok is false when they differ
// by no plausible offset (published is then not that update's instant).
func provenOffset(w wall, published time.Time) (d time.Duration, ok bool) {
	if w.day == 0 || published.IsZero() {
		return 0, false
	}
	minute := published.Truncate(time.Minute)
	for year := minute.Year() - 1; year <= minute.Year()+1; year++ {
		local, ok := w.at(year, 0)
		d := local.Sub(minute)
		if ok && absDuration(d) <= maxOffset && d%offsetQuantum == 0 {
			return d, true
		}
	}
	return 0, false
}

// learnZone learns the offset of w's zone from published, the instant the
// feed gives for the same post (provenOffset), for the zones whose name
// does not say it. A difference that is no plausible offset teaches
// nothing; an abbreviation seen with two offsets is forgotten for good.
func (z *zones) learnZone(w wall, published time.Time) {
	if _, named := namedOffset(w.zone); named || w.zone == "" || z.conflict[w.zone] {
		return
	}
	d, ok := provenOffset(w, published)
	if !ok {
		return
	}
	if known, seen := z.learned[w.zone]; seen && known != d {
		delete(z.learned, w.zone)
		z.conflict[w.zone] = true
		return
	}
	z.learned[w.zone] = d
}
