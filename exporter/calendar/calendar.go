// Package calendar does business-hours arithmetic for a vendor's support
// calendar: which instants fall inside business hours, how much business time
// lies between two instants, and when a business-time target runs out. All
// wall-clock math happens in the calendar's own time zone, so weekends,
// holidays and DST changes fall where the vendor's office sees them.
package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// maxDays bounds every day-by-day walk, so that absurd inputs (a ticket open
// for centuries) cost a bounded amount of work.
const maxDays = 20 * 366

// Calendar is a validated business calendar. The zero value is not usable;
// build one with New.
type Calendar struct {
	loc         *time.Location
	days        [7]bool // by time.Weekday
	open, close int     // minutes after local midnight, open < close <= 1440
	holidays    map[date]bool
}

type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date { y, m, d := t.Date(); return date{y, m, d} }

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// New validates a calendar: an IANA time zone, working days (mon..sun),
// business hours "HH:MM-HH:MM" (end may be 24:00; overnight spans are not
// supported) and holidays (only their year, month and day are used).
func New(timezone string, days []string, hours string, holidays []time.Time) (*Calendar, error) {
	if timezone == "" {
		return nil, errors.New("timezone is required")
	}
	loc, err := time.LoadLocation(timezone)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", timezone)
	}
	c := &Calendar{loc: loc, holidays: make(map[date]bool, len(holidays))}
	if len(days) == 0 {
		return nil, errors.New("days must name at least one working day")
	}
	for _, d := range days {
		wd, ok := weekdays[strings.ToLower(d)]
		if !ok {
			return nil, fmt.Errorf("unknown day %q (want mon, tue, wed, thu, fri, sat or sun)", d)
		}
		if c.days[wd] {
			return nil, fmt.Errorf("day %q listed twice", d)
		}
		c.days[wd] = true
	}
	if c.open, c.close, err = parseHours(hours); err != nil {
		return nil, err
	}
	for _, h := range holidays {
		c.holidays[dateOf(h)] = true
	}
	return c, nil
}

func parseHours(s string) (open, close int, err error) {
	from, to, ok := strings.Cut(s, "-")
	if ok {
		open, err = parseClock(strings.TrimSpace(from))
	}
	if ok && err == nil {
		close, err = parseClock(strings.TrimSpace(to))
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("hours %q: want HH:MM-HH:MM, e.g. 09:00-18:00", s)
	}
	if open >= close {
		return 0, 0, fmt.Errorf("hours %q: start must be before end (overnight spans are not supported)", s)
	}
	return open, close, nil
}

// parseClock reads exactly two digits, a colon and two digits. It checks the
// digits by hand because fmt.Sscanf's %d would also take a sign ("+9:00",
// "-0:30") and so accept malformed hours.
func parseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, errors.New("bad clock")
	}
	for i := range len(s) {
		if i != 2 && (s[i] < '0' || s[i] > '9') {
			return 0, errors.New("bad clock")
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, errors.New("bad clock")
	}
	return h*60 + m, nil
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// window returns the business hours of the local day d, and whether d is a
// working day at all.
func (c *Calendar) window(d date) (start, end time.Time, ok bool) {
	day := time.Date(d.y, d.m, d.d, 0, 0, 0, 0, c.loc)
	if !c.days[day.Weekday()] || c.holidays[d] {
		return time.Time{}, time.Time{}, false
	}
	start = time.Date(d.y, d.m, d.d, c.open/60, c.open%60, 0, 0, c.loc)
	end = time.Date(d.y, d.m, d.d, c.close/60, c.close%60, 0, 0, c.loc) // 24:00 normalizes to next midnight
	return start, end, true
}

func nextDay(d date) date {
	return dateOf(time.Date(d.y, d.m, d.d+1, 12, 0, 0, 0, time.UTC))
}

// Contains reports whether t falls inside business hours.
func (c *Calendar) Contains(t time.Time) bool {
	start, end, ok := c.window(dateOf(t.In(c.loc)))
	return ok && !t.Before(start) && t.Before(end)
}

// Between returns the business time in [from, to); zero when to <= from.
func (c *Calendar) Between(from, to time.Time) time.Duration {
	var total time.Duration
	d := dateOf(from.In(c.loc))
	for i := 0; i < maxDays && !to.Before(time.Date(d.y, d.m, d.d, 0, 0, 0, 0, c.loc)); i++ {
		if start, end, ok := c.window(d); ok {
			if start.Before(from) {
				start = from
			}
			if end.After(to) {
				end = to
			}
			if end.After(start) {
				total += end.Sub(start)
			}
		}
		d = nextDay(d)
	}
	return total
}

// Add returns the instant at which business time d, counted from from, runs
// out. A target of zero runs out at from.
func (c *Calendar) Add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	day := dateOf(from.In(c.loc))
	for i := 0; i < maxDays; i++ {
		if start, end, ok := c.window(day); ok && end.After(from) {
			if start.Before(from) {
				start = from
			}
			left := end.Sub(start)
			if d <= left {
				return start.Add(d)
			}
			d -= left
		}
		day = nextDay(day)
	}
	return from.Add(maxDays * 24 * time.Hour)
}
