package feed

import (
	"maps"
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
// Abbreviations are ambiguous (CST, IST, BST) and a page prints its own zone,
// so beyond the zero-offset names every offset is learnt from the feed itself
// (learnZone); an abbreviation the feed does not prove stays unknown.
type zones struct {
	offsets  map[string]time.Duration
	conflict map[string]bool // abbreviations seen with two offsets
}

// zeroOffsetZones are the abbreviations whose offset needs no learning.
var zeroOffsetZones = map[string]time.Duration{"UTC": 0, "GMT": 0, "UT": 0}

func newZones() *zones {
	return &zones{offsets: maps.Clone(zeroOffsetZones), conflict: map[string]bool{}}
}

// offset returns the offset of abbreviation name, if known.
func (z *zones) offset(name string) (time.Duration, bool) {
	d, ok := z.offsets[name]
	return d, ok
}

// Bounds on a real zone offset: within ±14 h, in quarter hours.
const (
	maxOffset     = 14 * time.Hour
	offsetQuantum = 15 * time.Minute
)

// learnZone learns the offset of w's zone from published, the instant the
// feed gives for the same post. Statuspage publishes an incident at the time
// of its newest update, whose minute the body prints in the page's zone, so
// the two differ by exactly the zone's offset. A difference that is no
// plausible offset teaches nothing; an abbreviation seen with two offsets is
// forgotten for good.
func (z *zones) learnZone(w wall, published time.Time) {
	if w.zone == "" || w.day == 0 || z.conflict[w.zone] {
		return
	}
	if _, fixed := zeroOffsetZones[w.zone]; fixed {
		return
	}
	minute := published.Truncate(time.Minute)
	for year := minute.Year() - 1; year <= minute.Year()+1; year++ {
		local, ok := w.at(year, 0)
		d := local.Sub(minute)
		if !ok || absDuration(d) > maxOffset || d%offsetQuantum != 0 {
			continue
		}
		if known, seen := z.offsets[w.zone]; seen && known != d {
			delete(z.offsets, w.zone)
			z.conflict[w.zone] = true
			return
		}
		z.offsets[w.zone] = d
		return
	}
}
