package contract

import (
	"math"
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestMonthsAt(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	newYork := mustLoad(t, "America/New_York")
	utc := func(s string) time.Time {
		x, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	tests := []struct {
		name       string
		ms         Months
		at         string
		start, end string
		hours      float64 // the period's real length
	}{
		{"calendar month UTC", Months{1, time.UTC}, "2026-01-15T10:00:00Z", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", 744},
		{"first instant belongs to the period", Months{1, time.UTC}, "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", 672},
		{"leap February", Months{1, time.UTC}, "2028-02-29T23:59:59Z", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z", 696},
		// Berlin's March loses an hour (CET -> CEST on the 29th in 2026):
		// 31 days minus one hour.
		{"DST spring forward", Months{1, berlin}, "2026-03-10T12:00:00Z", "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z", 743},
		// October gains it back (CEST -> CET on the 25th).
		{"DST fall back", Months{1, berlin}, "2026-10-31T22:30:00Z", "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z", 745},
		// 23:30 UTC on Oct 31 is already November in Berlin.
		{"local month begins before UTC's", Months{1, berlin}, "2026-10-31T23:30:00Z", "2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z", 720},
		{"New York November", Months{1, newYork}, "2026-11-15T00:00:00Z", "2026-11-01T04:00:00Z", "2026-12-01T05:00:00Z", 721},
		{"service month from the 15th", Months{15, time.UTC}, "2026-03-14T23:59:59Z", "2026-02-15T00:00:00Z", "2026-03-15T00:00:00Z", 672},
		{"service month from the 15th, on the day", Months{15, time.UTC}, "2026-03-15T00:00:00Z", "2026-03-15T00:00:00Z", "2026-04-15T00:00:00Z", 744},
		// Day 31: February's period starts on its last day, the 28th, and
		// runs to March 31st; January's runs Jan 31 -> Feb 28.
		{"day 31 in February", Months{31, time.UTC}, "2026-03-01T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z", 744},
		{"day 31 in January", Months{31, time.UTC}, "2026-02-27T00:00:00Z", "2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z", 672},
		{"day 30 in a leap February", Months{30, time.UTC}, "2028-02-29T10:00:00Z", "2028-02-29T00:00:00Z", "2028-03-30T00:00:00Z", 720},
		{"day 29 in a common February", Months{29, time.UTC}, "2026-02-28T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-29T00:00:00Z", 696},
		{"day 29 before it", Months{29, time.UTC}, "2026-02-27T23:00:00Z", "2026-01-29T00:00:00Z", "2026-02-28T00:00:00Z", 720},
		{"day 31 across the year", Months{31, time.UTC}, "2027-01-05T00:00:00Z", "2026-12-31T00:00:00Z", "2027-01-31T00:00:00Z", 744},
		// A service month in Berlin spanning the spring change.
		{"service month across DST", Months{15, berlin}, "2026-04-01T00:00:00Z", "2026-03-14T23:00:00Z", "2026-04-14T22:00:00Z", 743},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.ms.At(utc(tc.at))
			if !p.Start.Equal(utc(tc.start)) || !p.End.Equal(utc(tc.end)) {
				t.Fatalf("At(%s) = [%s, %s), want [%s, %s)", tc.at, p.Start.UTC(), p.End.UTC(), tc.start, tc.end)
			}
			if got := p.Length().Hours(); got != tc.hours {
				t.Errorf("length %vh, want %vh", got, tc.hours)
			}
			if !p.Contains(utc(tc.at)) {
				t.Errorf("period does not contain %s", tc.at)
			}
			// Shifting back and forth lands on the neighbours, which tile
			// time without a gap.
			prev, next := tc.ms.Shift(p, -1), tc.ms.Shift(p, 1)
			if !prev.End.Equal(p.Start) || !next.Start.Equal(p.End) {
				t.Errorf("neighbours [%s,%s) and [%s,%s) do not touch [%s,%s)", prev.Start, prev.End, next.Start, next.End, p.Start, p.End)
			}
			if got := tc.ms.At(prev.Start); got != prev {
				t.Errorf("At(previous start) = %v, want %v", got, prev)
			}
			if got := tc.ms.Shift(tc.ms.Shift(p, -13), 13); !got.Start.Equal(p.Start) || !got.End.Equal(p.End) {
				t.Errorf("Shift(-13) then Shift(13) = %v, want %v", got, p)
			}
		})
	}
}

func at(h, m int) time.Time { return time.Date(2026, 1, 10, h, m, 0, 0, time.UTC) }

func TestDowntimeOf(t *testing.T) {
	tests := []struct {
		name     string
		spans    []Span
		from, to time.Time
		want     float64 // weighted seconds
	}{
		{"none", nil, time.Time{}, time.Time{}, 0},
		{"one full outage", []Span{{at(1, 0), at(2, 0), 1000}}, time.Time{}, time.Time{}, 3600},
		{"overlap counted once", []Span{{at(1, 0), at(2, 0), 1000}, {at(1, 30), at(2, 30), 1000}}, time.Time{}, time.Time{}, 5400},
		{"nested counted once", []Span{{at(1, 0), at(3, 0), 1000}, {at(1, 30), at(2, 0), 1000}}, time.Time{}, time.Time{}, 7200},
		// 1:00-1:30 at half, 1:30-2:00 both: full wins, 2:00-2:30 half.
		{"highest weight wins", []Span{{at(1, 0), at(2, 30), 500}, {at(1, 30), at(2, 0), 1000}}, time.Time{}, time.Time{}, 1800*0.5 + 1800 + 1800*0.5},
		{"zero weight feeds nothing", []Span{{at(1, 0), at(2, 0), 0}}, time.Time{}, time.Time{}, 0},
		{"clipped to the window", []Span{{at(1, 0), at(3, 0), 1000}}, at(2, 0), at(2, 45), 2700},
		{"outside the window", []Span{{at(1, 0), at(2, 0), 1000}}, at(2, 0), at(3, 0), 0},
		{"touching spans", []Span{{at(1, 0), at(2, 0), 1000}, {at(2, 0), at(3, 0), 250}}, time.Time{}, time.Time{}, 3600 + 900},
		{"end before start ignored", []Span{{at(2, 0), at(1, 0), 1000}}, time.Time{}, time.Time{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DowntimeOf(tc.spans, tc.from, tc.to).Seconds(); got != tc.want {
				t.Errorf("DowntimeOf = %v s, want %v s", got, tc.want)
			}
		})
	}
}

func TestAvailabilityAndCredit(t *testing.T) {
	jan := Months{1, time.UTC}.At(at(0, 0)) // 31 days = 2,678,400 s
	aws := Credit{Tiers: []Tier{{0.999, 0.10}, {0.99, 0.25}, {0.95, 1}}}
	cloudflare := Credit{Multiplier: 10}
	akamai := Credit{PerDay: 1.0 / 30}
	capped := Credit{Multiplier: 25, Cap: 0.5}
	tests := []struct {
		name     string
		downtime float64 // full-weight seconds
		days     int
		credit   *Credit
		avail    float64
		want     float64
	}{
		// 2,678.4 s is exactly 0.1% of January: not below 99.9%.
		{"AWS at the threshold", 2678.4, 1, &aws, 0.999, 0},
		{"AWS just below", 2679, 1, &aws, 1 - 2679.0/2678400, 0.10},
		{"AWS second tier", 26784 + 1, 1, &aws, 1 - 26785.0/2678400, 0.25},
		{"AWS everything", 2678400 * 0.06, 3, &aws, 0.94, 1},
		// 3 hours = 10,800 s of 2,678,400: 0.4032% down, x10 = 4.032%.
		{"Cloudflare x10", 10800, 1, &cloudflare, 1 - 10800.0/2678400, 10 * 10800.0 / 2678400},
		{"Akamai two days", 60, 2, &akamai, 1 - 60.0/2678400, 2.0 / 30},
		{"Akamai capped at the month", 2678400, 31, &akamai, 0, 1},
		{"cap", 2678400 * 0.05, 5, &capped, 0.95, 0.5},
		{"no downtime no credit", 0, 0, &cloudflare, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Downtime(math.Round(tc.downtime * 1e6))
			a := Availability(d, jan)
			if math.Abs(a-tc.avail) > 1e-12 {
				t.Fatalf("availability %v, want %v", a, tc.avail)
			}
			if got := tc.credit.Of(a, tc.days); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("credit %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDaysDown(t *testing.T) {
	la := mustLoad(t, "America/Los_Angeles")
	ms := Months{1, la}
	p := ms.At(time.Date(2026, 3, 15, 12, 0, 0, 0, la)) // March 2026, DST on the 8th
	local := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, la) }
	spans := []Span{
		{local(8, 1, 0), local(8, 4, 0), 1000},    // across the spring change: one day
		{local(10, 23, 0), local(11, 0, 30), 500}, // two local days
		{local(20, 10, 0), local(20, 11, 0), 0},   // weight 0: no day
		{local(31, 23, 0), local(31, 23, 30), 1000},
		{time.Date(2026, 2, 28, 12, 0, 0, 0, la), p.Start.Add(time.Minute), 1000}, // its first minute in March
	}
	if got := DaysDown(spans, p, la); got != 5 {
		t.Errorf("DaysDown = %d, want 5 (Mar 1, 8, 10, 11, 31)", got)
	}
	// In UTC the same outages fall on other days: Mar 11 07:00-08:30Z, and
	// Apr 1 06:00Z is outside March.
	if got := DaysDown(spans, Months{1, time.UTC}.At(local(15, 0, 0)), time.UTC); got != 3 {
		t.Errorf("DaysDown in UTC = %d, want 3 (Mar 1, 8, 11)", got)
	}
}

func TestClaimDeadline(t *testing.T) {
	ms := Months{1, time.UTC}
	jan := ms.At(at(0, 0))
	if got, want := (Claim{BillingCycles: 2}).Deadline(ms, jan), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("AWS deadline %v, want the end of March %v", got, want)
	}
	if got, want := (Claim{Within: 30 * 24 * time.Hour}).Deadline(ms, jan), time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("30-day deadline %v, want %v", got, want)
	}
}

func TestTermination(t *testing.T) {
	if !BelowInARow([]float64{1, 0.998, 0.9985, 0.995}, 0.999, 3) {
		t.Error("three contiguous months below 99.9%: want the right")
	}
	if BelowInARow([]float64{0.998, 0.999, 0.995, 0.995}, 0.999, 3) {
		t.Error("a month at exactly 99.9% breaks the run")
	}
	if BelowInARow([]float64{0.5, 0.5}, 0.999, 3) {
		t.Error("fewer periods than the run")
	}
	if !BelowInARow([]float64{0.98}, 0.99, 1) {
		t.Error("one month below 99%: want the right")
	}
	if !MissedWithin([]uint64{5, 1, 0, 2}, 3, 3) || MissedWithin([]uint64{5, 1, 0, 1}, 3, 3) {
		t.Error("MissedWithin counts only the last m periods")
	}
	if !MissedWithin([]uint64{3}, 3, 3) {
		t.Error("fewer periods than m still count")
	}
}
