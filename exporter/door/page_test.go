package door

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestPageDateOnly: at 20:00 UTC a date-only lastmod of tomorrow (midnight
// UTC, 4 h ahead) has begun east of UTC and is plausible; one of the day
// after (28 h ahead), or tomorrow with a time of day, is not.
func TestPageDateOnly(t *testing.T) {
	now := time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC)
	b := Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: 5 * time.Minute, Now: func() time.Time { return now }}
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC), ""},
		{time.Date(2026, 3, 11, 0, 0, 1, 0, time.UTC), ReasonFuture},
		{time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC), ReasonFuture},
		{time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), ""},
		{time.Date(1999, 3, 10, 0, 0, 0, 0, time.UTC), ReasonPast},
	} {
		if got := b.Page(&item.Page{URL: "/p", Updated: tc.t}); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.t, got, tc.want)
		}
	}
}
