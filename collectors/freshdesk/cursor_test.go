package freshdesk

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

func TestDecodeCursor(t *testing.T) {
	start := collectortest.Time(t, "2025-01-01T00:00:00Z")
	later := collectortest.Time(t, "2025-03-01T00:00:00Z")
	cases := []struct {
		name                     string
		stored                   string
		wantTickets, wantRatings time.Time
		wantErr                  bool
	}{
		{name: "none", wantTickets: start, wantRatings: start},
		{name: "null", stored: "null", wantTickets: start, wantRatings: start},
		{name: "stored", stored: `{"tickets":{"since":"2025-03-01T00:00:00Z"},"ratings":{"since":"2025-03-01T00:00:00Z"}}`,
			wantTickets: later, wantRatings: later},
		{name: "before the history start", stored: `{"tickets":{"since":"2024-06-01T00:00:00Z"},"ratings":{"since":"2025-03-01T00:00:00Z"}}`,
			wantTickets: start, wantRatings: later},
		{name: "not JSON", stored: "c9", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := decodeCursor([]byte(tc.stored), start)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			if err == nil && (!c.Tickets.Since.Equal(tc.wantTickets) || !c.Ratings.Since.Equal(tc.wantRatings)) {
				t.Errorf("since %s / %s, want %s / %s", c.Tickets.Since, c.Ratings.Since, tc.wantTickets, tc.wantRatings)
			}
		})
	}
}

func TestPositionAdvance(t *testing.T) {
	at := func(s string) time.Time { return collectortest.Time(t, s) }
	p := position{Since: at("2025-03-01T00:00:00Z")}
	p.remember("old", at("2025-03-01T00:00:05Z"))
	p.remember("edge", at("2025-03-01T00:00:09Z"))
	p.remember("new", at("2025-03-01T00:00:10Z"))
	if p.advance(at("2025-03-01T00:00:01Z")) {
		t.Error("advance to the second after since moved it: the overlap would be lost")
	}
	if !p.advance(at("2025-03-01T00:00:10Z")) || !p.Since.Equal(at("2025-03-01T00:00:09Z")) {
		t.Fatalf("since %s, want a second before the latest update", p.Since)
	}
	if p.taken("old", at("2025-03-01T00:00:05Z")) {
		t.Error("an item before the new since is still remembered")
	}
	if !p.taken("edge", at("2025-03-01T00:00:09Z")) || !p.taken("new", at("2025-03-01T00:00:10Z")) {
		t.Error("items in the overlap were forgotten")
	}
	if p.taken("new", at("2025-03-01T00:00:11Z")) {
		t.Error("an item updated again counts as taken")
	}
	p.forget("new")
	if p.taken("new", at("2025-03-01T00:00:10Z")) {
		t.Error("a forgotten item counts as taken")
	}
}
