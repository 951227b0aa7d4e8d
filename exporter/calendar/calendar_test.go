package calendar

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zoneinfo
)

var (
	weekdaysOnly = []string{"mon", "tue", "wed", "thu", "fri"}
	everyDay     = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
)

// observerZones are the zones an instant is re-expressed in to show that only
// the instant, never the zone it happens to carry, decides an answer.
var observerZones = []string{"UTC", "Asia/Tokyo", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12"}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func mustNew(t *testing.T, tz string, days []string, hours string, holidays ...time.Time) *Calendar {
	t.Helper()
	c, err := New(tz, days, hours, holidays)
	if err != nil {
		t.Fatalf("New(%q, %v, %q): %v", tz, days, hours, err)
	}
	return c
}

// on builds a wall-clock instant in 2026, the year every fixture lives in.
func on(loc *time.Location, month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, loc)
}

// holiday is how configuration hands over a date: midnight UTC.
func holiday(month time.Month, day int) time.Time { return on(time.UTC, month, day, 0, 0) }

// berlinOffice is mon-fri 09:00-18:00 in Berlin with Wednesday 2026-06-03 off;
// the week of Monday 2026-06-01 is the fixture week.
func berlinOffice(t *testing.T) *Calendar {
	return mustNew(t, "Europe/Berlin", weekdaysOnly, "09:00-18:00", holiday(time.June, 3))
}

func TestNewRejectsInvalidCalendars(t *testing.T) {
	tests := []struct {
		name    string
		tz      string
		days    []string
		hours   string
		wantErr string
	}{
		{"empty time zone", "", weekdaysOnly, "09:00-18:00", "timezone is required"},
		{"unknown time zone", "Mars/Olympus_Mons", weekdaysOnly, "09:00-18:00", `unknown time zone "Mars/Olympus_Mons"`},
		{"no days", "UTC", nil, "09:00-18:00", "at least one working day"},
		{"unknown day", "UTC", []string{"mon", "funday"}, "09:00-18:00", `unknown day "funday"`},
		{"duplicated day in another case", "UTC", []string{"mon", "tue", "Mon"}, "09:00-18:00", `day "Mon" listed twice`},
		{"hours without minutes", "UTC", weekdaysOnly, "9-18", "want HH:MM-HH:MM"},
		{"a single clock", "UTC", weekdaysOnly, "09:00", "want HH:MM-HH:MM"},
		{"empty hours", "UTC", weekdaysOnly, "", "want HH:MM-HH:MM"},
		{"missing end", "UTC", weekdaysOnly, "09:00-", "want HH:MM-HH:MM"},
		{"one-digit hour", "UTC", weekdaysOnly, "9:00-18:00", "want HH:MM-HH:MM"},
		{"signed start hour", "UTC", weekdaysOnly, "+9:00-18:00", "want HH:MM-HH:MM"},
		{"signed end hour", "UTC", weekdaysOnly, "00:00--0:30", "want HH:MM-HH:MM"},
		{"signed minute", "UTC", weekdaysOnly, "09:+5-18:00", "want HH:MM-HH:MM"},
		{"minute 60", "UTC", weekdaysOnly, "09:60-18:00", "want HH:MM-HH:MM"},
		{"past midnight", "UTC", weekdaysOnly, "24:30-25:00", "want HH:MM-HH:MM"},
		{"end after 24:00", "UTC", weekdaysOnly, "09:00-24:01", "want HH:MM-HH:MM"},
		{"three clocks", "UTC", weekdaysOnly, "09:00-12:00-18:00", "want HH:MM-HH:MM"},
		{"overnight span", "UTC", weekdaysOnly, "18:00-09:00", "start must be before end"},
		{"empty span", "UTC", weekdaysOnly, "09:00-09:00", "start must be before end"},
		{"empty span at 24:00", "UTC", weekdaysOnly, "24:00-24:00", "start must be before end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.tz, tc.days, tc.hours, nil)
			if err == nil {
				t.Fatalf("New(%q, %v, %q) = %+v, want error containing %q", tc.tz, tc.days, tc.hours, c, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("New(%q, %v, %q) error = %q, want it to contain %q", tc.tz, tc.days, tc.hours, err, tc.wantErr)
			}
		})
	}
}

func TestNewAcceptsValidCalendars(t *testing.T) {
	tests := []struct {
		name                string
		tz                  string
		days                []string
		hours               string
		wantOpen, wantClose int
		wantDays            []time.Weekday
	}{
		{"office hours", "Europe/Berlin", weekdaysOnly, "09:00-18:00", 9 * 60, 18 * 60,
			[]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}},
		{"whole day ending at 24:00", "UTC", everyDay, "00:00-24:00", 0, 24 * 60,
			[]time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}},
		{"day names in any case", "Asia/Shanghai", []string{"MON", "Tue"}, "08:30-17:45", 8*60 + 30, 17*60 + 45,
			[]time.Weekday{time.Monday, time.Tuesday}},
		{"spaces around the dash", "America/Los_Angeles", []string{"sat"}, "10:00 - 14:00", 10 * 60, 14 * 60,
			[]time.Weekday{time.Saturday}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, tc.tz, tc.days, tc.hours)
			if got := c.Location().String(); got != tc.tz {
				t.Errorf("Location() = %q, want %q", got, tc.tz)
			}
			if c.open != tc.wantOpen || c.close != tc.wantClose {
				t.Errorf("hours parsed as %d-%d minutes, want %d-%d", c.open, c.close, tc.wantOpen, tc.wantClose)
			}
			var want [7]bool
			for _, wd := range tc.wantDays {
				want[wd] = true
			}
			if c.days != want {
				t.Errorf("working days = %v, want %v", c.days, want)
			}
		})
	}
}

func TestContains(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	office := berlinOffice(t)
	wholeDays := mustNew(t, "Europe/Berlin", weekdaysOnly, "00:00-24:00")
	tests := []struct {
		name string
		cal  *Calendar
		at   time.Time
		want bool
	}{
		{"opening instant is inside", office, on(berlin, time.June, 1, 9, 0), true},
		{"just before opening", office, on(berlin, time.June, 1, 9, 0).Add(-time.Nanosecond), false},
		{"midday", office, on(berlin, time.June, 1, 12, 0), true},
		{"just before closing", office, on(berlin, time.June, 1, 18, 0).Add(-time.Nanosecond), true},
		{"closing instant is outside", office, on(berlin, time.June, 1, 18, 0), false},
		{"saturday", office, on(berlin, time.June, 6, 12, 0), false},
		{"sunday", office, on(berlin, time.June, 7, 12, 0), false},
		{"day before the holiday", office, on(berlin, time.June, 2, 12, 0), true},
		{"holiday", office, on(berlin, time.June, 3, 12, 0), false},
		{"day after the holiday", office, on(berlin, time.June, 4, 12, 0), true},
		{"24:00 calendar at midnight", wholeDays, on(berlin, time.June, 1, 0, 0), true},
		{"24:00 calendar in the last nanosecond", wholeDays, on(berlin, time.June, 2, 0, 0).Add(-time.Nanosecond), true},
		{"24:00 calendar on friday night", wholeDays, on(berlin, time.June, 6, 0, 0).Add(-time.Nanosecond), true},
		{"24:00 calendar on saturday midnight", wholeDays, on(berlin, time.June, 6, 0, 0), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, zone := range observerZones {
				at := tc.at.In(mustLoad(t, zone))
				if got := tc.cal.Contains(at); got != tc.want {
					t.Errorf("Contains(%v) = %v, want %v", at, got, tc.want)
				}
			}
		})
	}
}

// TestContainsHolidayIsALocalDate checks that a holiday covers its date in the
// calendar's zone, whatever zone or clock time the holiday value carries.
func TestContainsHolidayIsALocalDate(t *testing.T) {
	la := mustLoad(t, "America/Los_Angeles")
	shanghai := mustLoad(t, "Asia/Shanghai")
	christmasUTC := holiday(time.December, 25)
	laChristmas := mustNew(t, "America/Los_Angeles", everyDay, "00:00-24:00", christmasUTC)
	// 23:00 on the 25th in Los Angeles is already the 26th in Shanghai; only
	// the date 25 December must count.
	lateChristmasLA := time.Date(2026, time.December, 25, 23, 0, 0, 0, la)
	shanghaiChristmas := mustNew(t, "Asia/Shanghai", everyDay, "00:00-24:00", lateChristmasLA)
	tests := []struct {
		name string
		cal  *Calendar
		at   time.Time
		want bool
	}{
		{"holiday's own instant is the 24th locally", laChristmas, christmasUTC, true},
		{"local start of the holiday", laChristmas, on(la, time.December, 25, 0, 0), false},
		{"local end of the holiday", laChristmas, on(la, time.December, 26, 0, 0).Add(-time.Nanosecond), false},
		{"day after the holiday", laChristmas, on(la, time.December, 26, 0, 0), true},
		{"holiday date in a zone behind", shanghaiChristmas, on(shanghai, time.December, 25, 12, 0), false},
		{"holiday's own instant is the 26th locally", shanghaiChristmas, lateChristmasLA, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cal.Contains(tc.at); got != tc.want {
				t.Errorf("Contains(%v) = %v, want %v", tc.at, got, tc.want)
			}
		})
	}
}

// TestContainsAwayFromUTC pins instants in UTC whose weekday differs from the
// calendar's local weekday, in zones ahead of and behind UTC.
func TestContainsAwayFromUTC(t *testing.T) {
	laWeek := mustNew(t, "America/Los_Angeles", weekdaysOnly, "00:00-24:00")
	shanghaiWeek := mustNew(t, "Asia/Shanghai", weekdaysOnly, "00:00-24:00")
	aucklandOffice := mustNew(t, "Pacific/Auckland", weekdaysOnly, "09:00-18:00")
	tests := []struct {
		name string
		cal  *Calendar
		at   time.Time // UTC
		want bool
	}{
		{"LA friday 23:59 is saturday UTC", laWeek, on(time.UTC, time.June, 6, 6, 59), true},
		{"LA saturday 00:00", laWeek, on(time.UTC, time.June, 6, 7, 0), false},
		{"LA sunday 23:59 is monday UTC", laWeek, on(time.UTC, time.June, 8, 6, 59), false},
		{"LA monday 00:00", laWeek, on(time.UTC, time.June, 8, 7, 0), true},
		{"Shanghai monday 00:00 is sunday UTC", shanghaiWeek, on(time.UTC, time.June, 7, 16, 0), true},
		{"Shanghai sunday 23:59", shanghaiWeek, on(time.UTC, time.June, 7, 15, 59), false},
		{"Shanghai friday 23:59", shanghaiWeek, on(time.UTC, time.June, 5, 15, 59), true},
		{"Shanghai saturday 00:00 is friday UTC", shanghaiWeek, on(time.UTC, time.June, 5, 16, 0), false},
		{"Auckland winter monday 09:00 is sunday UTC", aucklandOffice, on(time.UTC, time.June, 7, 21, 0), true},
		{"Auckland winter monday 08:59", aucklandOffice, on(time.UTC, time.June, 7, 20, 59), false},
		{"Auckland summer monday 09:00 is sunday UTC", aucklandOffice, on(time.UTC, time.December, 6, 20, 0), true},
		{"Auckland summer friday 17:59", aucklandOffice, on(time.UTC, time.December, 11, 4, 59), true},
		{"Auckland summer friday 18:00", aucklandOffice, on(time.UTC, time.December, 11, 5, 0), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cal.Contains(tc.at); got != tc.want {
				t.Errorf("Contains(%v = %v local) = %v, want %v", tc.at, tc.at.In(tc.cal.Location()), got, tc.want)
			}
		})
	}
}

func TestBetween(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	office := berlinOffice(t)
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"inside one day", on(berlin, time.June, 1, 10, 0), on(berlin, time.June, 1, 12, 30), 150 * time.Minute},
		{"a whole day from night to night", on(berlin, time.June, 1, 7, 0), on(berlin, time.June, 1, 20, 0), 9 * time.Hour},
		{"before opening only", on(berlin, time.June, 1, 7, 0), on(berlin, time.June, 1, 9, 0), 0},
		{"after closing only", on(berlin, time.June, 1, 18, 0), on(berlin, time.June, 1, 23, 0), 0},
		{"closing to next opening", on(berlin, time.June, 1, 18, 0), on(berlin, time.June, 2, 9, 0), 0},
		{"across a weekend", on(berlin, time.June, 5, 17, 0), on(berlin, time.June, 8, 10, 0), 2 * time.Hour},
		{"a weekend alone", on(berlin, time.June, 6, 0, 0), on(berlin, time.June, 8, 0, 0), 0},
		{"across a holiday", on(berlin, time.June, 2, 17, 0), on(berlin, time.June, 4, 10, 0), 2 * time.Hour},
		{"a week with a holiday", on(berlin, time.June, 1, 0, 0), on(berlin, time.June, 8, 0, 0), 36 * time.Hour},
		{"equal bounds", on(berlin, time.June, 1, 10, 0), on(berlin, time.June, 1, 10, 0), 0},
		{"reversed within a day", on(berlin, time.June, 1, 12, 0), on(berlin, time.June, 1, 10, 0), 0},
		{"reversed across days", on(berlin, time.June, 4, 12, 0), on(berlin, time.June, 1, 10, 0), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, fromZone := range observerZones {
				for _, toZone := range observerZones {
					from, to := tc.from.In(mustLoad(t, fromZone)), tc.to.In(mustLoad(t, toZone))
					if got := office.Between(from, to); got != tc.want {
						t.Errorf("Between(%v, %v) = %v, want %v", from, to, got, tc.want)
					}
				}
			}
		})
	}
}

// TestBetweenManyWeeks checks the closed form: N full weeks of mon-fri
// 09:00-18:00 hold N*45h, in every zone and across every DST change.
func TestBetweenManyWeeks(t *testing.T) {
	zones := []string{"Europe/Berlin", "Asia/Shanghai", "Pacific/Auckland", "America/Los_Angeles"}
	for _, zone := range zones {
		c := mustNew(t, zone, weekdaysOnly, "09:00-18:00")
		for _, weeks := range []int{1, 4, 13, 52, 100, 520} {
			from := on(c.Location(), time.January, 5, 0, 0) // a Monday
			to := on(c.Location(), time.January, 5+7*weeks, 0, 0)
			want := time.Duration(weeks) * 45 * time.Hour
			if got := c.Between(from, to); got != want {
				t.Errorf("%s: Between over %d weeks = %v, want %v", zone, weeks, got, want)
			}
		}
	}
}

// TestBetweenAcrossDSTChanges measures one local day (midnight to midnight)
// on the days clocks change: hours spanning the change gain or lose the hour,
// hours clear of it do not.
func TestBetweenAcrossDSTChanges(t *testing.T) {
	tests := []struct {
		name  string
		tz    string
		hours string
		month time.Month
		day   int
		want  time.Duration
	}{
		{"Berlin spring-forward whole day", "Europe/Berlin", "00:00-24:00", time.March, 29, 23 * time.Hour},
		{"Berlin fall-back whole day", "Europe/Berlin", "00:00-24:00", time.October, 25, 25 * time.Hour},
		{"Berlin ordinary whole day", "Europe/Berlin", "00:00-24:00", time.June, 7, 24 * time.Hour},
		{"Berlin spring-forward office hours", "Europe/Berlin", "09:00-18:00", time.March, 29, 9 * time.Hour},
		{"Berlin fall-back office hours", "Europe/Berlin", "09:00-18:00", time.October, 25, 9 * time.Hour},
		{"Berlin spring-forward night shift", "Europe/Berlin", "01:00-04:00", time.March, 29, 2 * time.Hour},
		{"Berlin fall-back night shift", "Europe/Berlin", "01:00-04:00", time.October, 25, 4 * time.Hour},
		{"Los Angeles spring-forward whole day", "America/Los_Angeles", "00:00-24:00", time.March, 8, 23 * time.Hour},
		{"Los Angeles fall-back whole day", "America/Los_Angeles", "00:00-24:00", time.November, 1, 25 * time.Hour},
		{"Auckland fall-back whole day", "Pacific/Auckland", "00:00-24:00", time.April, 5, 25 * time.Hour},
		{"Auckland spring-forward whole day", "Pacific/Auckland", "00:00-24:00", time.September, 27, 23 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, tc.tz, everyDay, tc.hours)
			from := on(c.Location(), tc.month, tc.day, 0, 0)
			to := on(c.Location(), tc.month, tc.day+1, 0, 0)
			if got := c.Between(from, to); got != tc.want {
				t.Errorf("Between(%v, %v) = %v, want %v", from, to, got, tc.want)
			}
		})
	}
}

func TestAdd(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	la := mustLoad(t, "America/Los_Angeles")
	shanghai := mustLoad(t, "Asia/Shanghai")
	auckland := mustLoad(t, "Pacific/Auckland")
	office := berlinOffice(t)
	alwaysOpen := mustNew(t, "Europe/Berlin", everyDay, "00:00-24:00")
	dailyOffice := mustNew(t, "Europe/Berlin", everyDay, "09:00-18:00")
	nightShift := mustNew(t, "Europe/Berlin", everyDay, "01:00-04:00")
	tests := []struct {
		name string
		cal  *Calendar
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"zero target", office, on(berlin, time.June, 1, 12, 0), 0, on(berlin, time.June, 1, 12, 0)},
		{"zero target outside hours", office, on(berlin, time.June, 6, 12, 0), 0, on(berlin, time.June, 6, 12, 0)},
		{"negative target", office, on(berlin, time.June, 1, 12, 0), -time.Hour, on(berlin, time.June, 1, 12, 0)},
		{"inside hours", office, on(berlin, time.June, 1, 10, 0), 3 * time.Hour, on(berlin, time.June, 1, 13, 0)},
		{"inside hours into the next day", office, on(berlin, time.June, 1, 17, 0), 2 * time.Hour, on(berlin, time.June, 2, 10, 0)},
		{"before opening", office, on(berlin, time.June, 1, 7, 0), time.Hour, on(berlin, time.June, 1, 10, 0)},
		{"after closing", office, on(berlin, time.June, 1, 19, 0), time.Hour, on(berlin, time.June, 2, 10, 0)},
		{"at the closing instant", office, on(berlin, time.June, 1, 18, 0), time.Hour, on(berlin, time.June, 2, 10, 0)},
		{"exactly a full day runs out at closing", office, on(berlin, time.June, 1, 9, 0), 9 * time.Hour, on(berlin, time.June, 1, 18, 0)},
		{"exactly the rest of the day", office, on(berlin, time.June, 1, 15, 0), 3 * time.Hour, on(berlin, time.June, 1, 18, 0)},
		{"one nanosecond past a full day", office, on(berlin, time.June, 1, 9, 0), 9*time.Hour + time.Nanosecond,
			on(berlin, time.June, 2, 9, 0).Add(time.Nanosecond)},
		{"friday 23:59 rolls to monday", office, on(berlin, time.June, 5, 23, 59), time.Hour, on(berlin, time.June, 8, 10, 0)},
		{"friday afternoon rolls to monday", office, on(berlin, time.June, 5, 17, 30), time.Hour, on(berlin, time.June, 8, 9, 30)},
		{"across a holiday", office, on(berlin, time.June, 2, 17, 0), 2 * time.Hour, on(berlin, time.June, 4, 10, 0)},
		{"from inside a holiday", office, on(berlin, time.June, 3, 12, 0), time.Hour, on(berlin, time.June, 4, 10, 0)},
		{"a week with a holiday", office, on(berlin, time.June, 1, 9, 0), 36 * time.Hour, on(berlin, time.June, 5, 18, 0)},
		{"always open over spring-forward", alwaysOpen, on(berlin, time.March, 28, 12, 0), 24 * time.Hour, on(berlin, time.March, 29, 13, 0)},
		{"always open over fall-back", alwaysOpen, on(berlin, time.October, 24, 12, 0), 24 * time.Hour, on(berlin, time.October, 25, 11, 0)},
		{"office hours over spring-forward", dailyOffice, on(berlin, time.March, 28, 17, 0), 2 * time.Hour, on(berlin, time.March, 29, 10, 0)},
		{"office hours over fall-back", dailyOffice, on(berlin, time.October, 24, 17, 0), 2 * time.Hour, on(berlin, time.October, 25, 10, 0)},
		{"night shift on spring-forward", nightShift, on(berlin, time.March, 29, 0, 0), 2 * time.Hour, on(berlin, time.March, 29, 4, 0)},
		{"night shift on fall-back", nightShift, on(berlin, time.October, 25, 0, 0), 4 * time.Hour, on(berlin, time.October, 25, 4, 0)},
		{"LA friday 23:59 (saturday UTC) rolls to monday", mustNew(t, "America/Los_Angeles", weekdaysOnly, "09:00-18:00"),
			on(time.UTC, time.June, 6, 6, 59), time.Hour, on(la, time.June, 8, 10, 0)},
		{"Shanghai monday 07:30 (sunday UTC)", mustNew(t, "Asia/Shanghai", weekdaysOnly, "09:00-18:00"),
			on(time.UTC, time.June, 7, 23, 30), 2 * time.Hour, on(shanghai, time.June, 8, 11, 0)},
		{"Auckland summer friday 17:00 rolls to monday", mustNew(t, "Pacific/Auckland", weekdaysOnly, "09:00-18:00"),
			on(time.UTC, time.December, 11, 4, 0), 2 * time.Hour, on(auckland, time.December, 14, 10, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, zone := range observerZones {
				from := tc.from.In(mustLoad(t, zone))
				if got := tc.cal.Add(from, tc.d); !got.Equal(tc.want) {
					t.Errorf("Add(%v, %v) = %v, want %v", from, tc.d, got, tc.want)
				}
			}
		})
	}
}

// TestAddBoundsAbsurdTargets checks that a target no calendar could meet still
// returns, after from and no further than the day-walk bound.
func TestAddBoundsAbsurdTargets(t *testing.T) {
	office := berlinOffice(t)
	from := on(office.Location(), time.June, 1, 12, 0)
	got := office.Add(from, math.MaxInt64)
	if !got.After(from) || got.Sub(from) > (maxDays+1)*24*time.Hour {
		t.Errorf("Add(%v, MaxInt64) = %v, want after from and within %d days", from, got, maxDays+1)
	}
}

// TestAddAndBetweenAgree checks, for random instants and targets, that Add is
// the inverse of Between, that the last nanosecond Add consumes is business
// time, and that Between is additive over adjacent intervals.
func TestAddAndBetweenAgree(t *testing.T) {
	calendars := map[string]*Calendar{
		"Berlin office with holidays": mustNew(t, "Europe/Berlin", weekdaysOnly, "09:00-18:00",
			holiday(time.December, 25), holiday(time.December, 26), holiday(time.May, 1), on(time.UTC, time.October, 3, 15, 0)),
		"Berlin always open":       mustNew(t, "Europe/Berlin", everyDay, "00:00-24:00"),
		"Berlin DST night shift":   mustNew(t, "Europe/Berlin", everyDay, "01:00-04:00"),
		"Auckland office":          mustNew(t, "Pacific/Auckland", weekdaysOnly, "09:00-18:00"),
		"Los Angeles weekends":     mustNew(t, "America/Los_Angeles", []string{"sat", "sun"}, "00:00-24:00"),
		"Shanghai short afternoon": mustNew(t, "Asia/Shanghai", []string{"tue", "wed", "thu"}, "13:00-17:30"),
	}
	const samples = 1000
	start := time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)
	span := int64(3 * 366 * 24 * time.Hour)
	maxTarget := int64(600 * time.Hour)
	for name, c := range calendars {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(2026, 329))
			for range samples {
				from := start.Add(time.Duration(rng.Int64N(span)))
				d := time.Duration(rng.Int64N(maxTarget))
				got := c.Add(from, d)
				if between := c.Between(from, got); between != d {
					t.Fatalf("Between(%v, Add(%v, %v) = %v) = %v, want %v", from, from, d, got, between, d)
				}
				if got.Before(from) {
					t.Fatalf("Add(%v, %v) = %v, before from", from, d, got)
				}
				if last := got.Add(-time.Nanosecond); d > 0 && !c.Contains(last) {
					t.Fatalf("Add(%v, %v) = %v, but %v is outside business hours", from, d, got, last)
				}
				mid := from.Add(time.Duration(rng.Int64N(int64(got.Sub(from)) + 1)))
				if sum := c.Between(from, mid) + c.Between(mid, got); sum != d {
					t.Fatalf("Between(%v, %v) + Between(%v, %v) = %v, want %v", from, mid, mid, got, sum, d)
				}
			}
		})
	}
}
