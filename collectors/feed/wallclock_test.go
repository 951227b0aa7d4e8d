package feed

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

func TestParseWall(t *testing.T) {
	tests := []struct {
		text string
		want wall
		ok   bool
	}{
		{"Oct 21, 17:39 UTC", wall{month: time.October, day: 21, hour: 17, minute: 39, zone: "UTC"}, true},
		{"Jun  8, 19:13 UTC", wall{month: time.June, day: 8, hour: 19, minute: 13, zone: "UTC"}, true}, // padded day, as captured
		{"Jan \n 8, 16:20 GMT", wall{month: time.January, day: 8, hour: 16, minute: 20, zone: "GMT"}, true},
		{"Feb 29, 00:05 PST", wall{month: time.February, day: 29, minute: 5, zone: "PST"}, true},
		{"16:00 GMT", wall{hour: 16, zone: "GMT"}, true},
		{"Jan 16, 12:00", wall{month: time.January, day: 16, hour: 12}, true},
		{"Feb 30, 10:00 UTC", wall{}, false},
		{"Oct 21 17:39 UTC", wall{}, false},
		{"21 Oct, 17:39 UTC", wall{}, false},
		{"Oct 21, 25:00 UTC", wall{}, false},
		{"posted by the team", wall{}, false},
		{"", wall{}, false},
	}
	for _, tt := range tests {
		got, ok := parseWall(tt.text)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseWall(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

func TestWallPlacement(t *testing.T) {
	dec31 := wall{month: time.December, day: 31, hour: 23, minute: 50}
	jan1 := wall{month: time.January, day: 1, minute: 20}
	feb29 := wall{month: time.February, day: 29, hour: 12}
	pdt := -7 * time.Hour

	tests := []struct {
		name string
		got  func() (time.Time, bool)
		want time.Time // zero: not placeable
	}{
		{"nearest: same year", func() (time.Time, bool) { return jan1.nearest(collectortest.UTC("2026-01-01T00:20:05Z"), 0) }, collectortest.UTC("2026-01-01T00:20:00Z")},
		{"nearest: last year, just before New Year", func() (time.Time, bool) { return dec31.nearest(collectortest.UTC("2026-01-01T00:20:00Z"), 0) }, collectortest.UTC("2025-12-31T23:50:00Z")},
		{"nearest: next year, just after New Year", func() (time.Time, bool) { return jan1.nearest(collectortest.UTC("2025-12-31T23:00:00Z"), 0) }, collectortest.UTC("2026-01-01T00:20:00Z")},
		{"nearest: offset applied", func() (time.Time, bool) { return dec31.nearest(collectortest.UTC("2026-01-01T06:50:00Z"), pdt) }, collectortest.UTC("2026-01-01T06:50:00Z")},
		{"nearest: Feb 29 only in a leap year", func() (time.Time, bool) { return feb29.nearest(collectortest.UTC("2024-03-01T00:00:00Z"), 0) }, collectortest.UTC("2024-02-29T12:00:00Z")},
		{"nearest: Feb 29 in no year near", func() (time.Time, bool) { return feb29.nearest(collectortest.UTC("2026-03-01T00:00:00Z"), 0) }, time.Time{}},
		{"latestUpTo: previous year across New Year", func() (time.Time, bool) { return dec31.latestUpTo(collectortest.UTC("2026-01-02T00:20:00Z"), 0) }, collectortest.UTC("2025-12-31T23:50:00Z")},
		{"latestUpTo: a year back when later would pass the limit", func() (time.Time, bool) {
			return wall{month: time.March, day: 1}.latestUpTo(collectortest.UTC("2026-02-28T00:00:00Z"), 0)
		}, collectortest.UTC("2025-03-01T00:00:00Z")},
		{"latestUpTo: limit itself is allowed", func() (time.Time, bool) { return jan1.latestUpTo(collectortest.UTC("2026-01-01T00:20:00Z"), 0) }, collectortest.UTC("2026-01-01T00:20:00Z")},
		{"latestUpTo: Feb 29 four years back", func() (time.Time, bool) { return feb29.latestUpTo(collectortest.UTC("2028-02-01T00:00:00Z"), 0) }, collectortest.UTC("2024-02-29T12:00:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.got()
			if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
				t.Errorf("got %v, %v; want %v", got, ok, tt.want)
			}
		})
	}
}

func TestLearnZone(t *testing.T) {
	at := func(s string) wall {
		w, ok := parseWall(s)
		if !ok {
			t.Fatalf("bad wall %q", s)
		}
		return w
	}
	tests := []struct {
		name      string
		walls     []wall
		published []string
		zone      string
		want      time.Duration
		known     bool
	}{
		{"IST learnt across the day line", []wall{at("Aug 21, 01:07 IST")}, []string{"2026-08-20T19:37:59Z"}, "IST", 5*time.Hour + 30*time.Minute, true},
		{"CDT learnt across New Year", []wall{at("Dec 31, 18:30 CDT")}, []string{"2026-01-01T00:30:00Z"}, "CDT", -6 * time.Hour, true},
		{"agreeing entries", []wall{at("Aug 20, 07:43 IST"), at("Aug 21, 10:00 IST")}, []string{"2026-08-20T02:13:00Z", "2026-08-21T04:30:59Z"}, "IST", 5*time.Hour + 30*time.Minute, true},
		{"conflicting entries forget it", []wall{at("Aug 20, 07:43 CST"), at("Aug 21, 10:00 CST"), at("Aug 22, 10:00 CST")},
			[]string{"2026-08-20T13:43:00Z", "2026-08-21T02:00:00Z", "2026-08-22T16:00:00Z"}, "CST", 0, false},
		{"not a quarter hour: published is not the newest update", []wall{at("Aug 20, 07:43 IST")}, []string{"2026-08-20T02:20:00Z"}, "IST", 0, false},
		{"beyond 14 h", []wall{at("Aug 20, 07:45 XYZ")}, []string{"2026-08-19T07:45:00Z"}, "XYZ", 0, false},
		{"a named zone is not relearnt", []wall{at("Aug 20, 12:56 PST")}, []string{"2013-08-20T19:56:55Z"}, "PST", -8 * time.Hour, true},
		{"nor a numeric one", []wall{at("Aug 20, 12:56 +08")}, []string{"2026-08-20T05:56:00Z"}, "+08", 8 * time.Hour, true},
		{"UTC is never relearnt", []wall{at("Aug 20, 07:45 UTC")}, []string{"2026-08-20T06:45:00Z"}, "UTC", 0, true},
		{"no zone printed", []wall{at("Aug 20, 07:45")}, []string{"2026-08-20T14:45:00Z"}, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := newZones()
			for i, w := range tt.walls {
				z.learnZone(w, collectortest.UTC(tt.published[i]))
			}
			got, known := z.offset(tt.zone)
			if known != tt.known || got != tt.want {
				t.Errorf("offset(%q) = %v, %v; want %v, %v", tt.zone, got, known, tt.want, tt.known)
			}
		})
	}
}

func TestZoneNames(t *testing.T) {
	tests := []struct {
		name  string
		want  time.Duration
		known bool
	}{
		{"UTC", 0, true},
		{"GMT", 0, true},
		{"PST", -8 * time.Hour, true},
		{"PDT", -7 * time.Hour, true},
		{"EST", -5 * time.Hour, true},
		{"CEST", 2 * time.Hour, true},
		{"ACDT", 10*time.Hour + 30*time.Minute, true},
		{"+08", 8 * time.Hour, true},
		{"-03", -3 * time.Hour, true},
		{"+0530", 5*time.Hour + 30*time.Minute, true},
		{"+0545", 5*time.Hour + 45*time.Minute, true},
		{"+1400", 14 * time.Hour, true},
		{"-1500", 0, false},
		{"+0510", 0, false},
		{"+8", 0, false},
		{"+080", 0, false},
		{"+24", 0, false},
		{"CST", 0, false}, // US Central, China or Cuba
		{"IST", 0, false}, // India, Ireland or Israel
		{"BST", 0, false}, // British Summer or Bangladesh
		{"", 0, false},
	}
	for _, tt := range tests {
		got, known := newZones().offset(tt.name)
		if known != tt.known || got != tt.want {
			t.Errorf("offset(%q) = %v, %v; want %v, %v", tt.name, got, known, tt.want, tt.known)
		}
	}
}
