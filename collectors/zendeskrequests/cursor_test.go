package zendeskrequests

import (
	"slices"
	"testing"
	"time"
)

func TestCursorChanged(t *testing.T) {
	mark := created.Add(hour)
	c := cursor{Since: mark, SinceIDs: []int64{7, 9}}
	cases := []struct {
		name    string
		id      int64
		updated time.Time
		want    bool
	}{
		{name: "newer", id: 7, updated: mark.Add(time.Second), want: true},
		{name: "stored at the mark", id: 7, updated: mark},
		{name: "another request at the mark", id: 8, updated: mark, want: true},
		{name: "older", id: 8, updated: mark.Add(-time.Second)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.changed(tc.id, tc.updated); got != tc.want {
				t.Errorf("changed = %v, want %v", got, tc.want)
			}
		})
	}
	if !(cursor{}).changed(1, created) {
		t.Error("the first sync must take every request")
	}
}

func TestWalkProgress(t *testing.T) {
	limit := created.Add(10 * hour)
	type seen struct {
		id      int64
		updated time.Time
	}
	cases := []struct {
		name         string
		seen         []seen
		wantTop      time.Time
		wantIDs      []int64
		wantUnsorted bool
	}{
		{
			name:    "newest first",
			seen:    []seen{{3, created.Add(3 * hour)}, {2, created.Add(3 * hour)}, {1, created.Add(hour)}},
			wantTop: created.Add(3 * hour), wantIDs: []int64{3, 2},
		},
		{
			name:    "updated after the cap: the mark stays at the cap",
			seen:    []seen{{4, limit.Add(time.Second)}, {3, limit}, {2, created}},
			wantTop: limit, wantIDs: []int64{3},
		},
		{
			name:    "out of order",
			seen:    []seen{{1, created.Add(hour)}, {2, created.Add(2 * hour)}, {3, created}},
			wantTop: created.Add(2 * hour), wantIDs: []int64{2}, wantUnsorted: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := &walk{Cap: limit}
			for _, s := range tc.seen {
				w.see(s.id, s.updated)
			}
			if !w.Top.Equal(tc.wantTop) || !slices.Equal(w.TopIDs, tc.wantIDs) || w.Unsorted != tc.wantUnsorted {
				t.Errorf("walk %+v, want top %s at %v, unsorted %v", w, tc.wantTop, tc.wantIDs, tc.wantUnsorted)
			}
		})
	}
}

func TestCursorFinish(t *testing.T) {
	mark := created.Add(hour)
	stored := cursor{Since: mark, SinceIDs: []int64{5}}
	cases := []struct {
		name string
		walk walk
		want cursor
	}{
		{
			name: "a newer mark",
			walk: walk{Top: mark.Add(hour), TopIDs: []int64{9, 3, 9}},
			want: cursor{Since: mark.Add(hour), SinceIDs: []int64{3, 9}},
		},
		{
			name: "the same mark, seen again",
			walk: walk{Top: mark, TopIDs: []int64{6, 5}},
			want: cursor{Since: mark, SinceIDs: []int64{5, 6}},
		},
		{
			name: "every newer request vanished",
			walk: walk{Top: mark.Add(-hour), TopIDs: []int64{1}},
			want: stored,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := stored.finish(&tc.walk)
			if !got.Since.Equal(tc.want.Since) || !slices.Equal(got.SinceIDs, tc.want.SinceIDs) || got.Walk != nil {
				t.Errorf("finish = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := cursor{Since: created, SinceIDs: []int64{1, 2},
		Walk: &walk{After: "eyJvIjoiLXVwZGF0ZWRfYXQifQ==", Cap: created.Add(hour), Top: created, TopIDs: []int64{2}, Last: created, Unsorted: true}}
	raw, err := c.encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseCursor(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Since.Equal(c.Since) || !slices.Equal(got.SinceIDs, c.SinceIDs) || got.Walk == nil ||
		got.Walk.After != c.Walk.After || !got.Walk.Cap.Equal(c.Walk.Cap) || !got.Walk.Unsorted {
		t.Errorf("round trip %s gave %+v, want %+v", raw, got, c)
	}
	if _, err := (cursor{Since: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}).encode(); err == nil {
		t.Error("a year before 0 encoded without error")
	}
}
