package door

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

var (
	now    = time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)
	bounds = Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: func() time.Time { return now }}
)

func TestCheck(t *testing.T) {
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Time{}, ""}, // not given
		{now, ""},
		{now.Add(time.Hour), ""}, // the skew itself is allowed
		{now.Add(time.Hour + time.Millisecond), ReasonFuture},
		{now.AddDate(10, 0, 0), ReasonFuture},
		{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC), ReasonPast},
		{time.Unix(0, 0), ReasonPast},
	}
	for _, tt := range tests {
		if got := bounds.Check(tt.at); got != tt.want {
			t.Errorf("Check(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
	if got := (Bounds{}).Check(now.AddDate(100, 0, 0)); got != "" {
		t.Errorf("the zero Bounds refused %v: %q", now.AddDate(100, 0, 0), got)
	}
	if got := bounds.Latest(); !got.Equal(now.Add(time.Hour)) {
		t.Errorf("Latest() = %v, want %v", got, now.Add(time.Hour))
	}
}

// TestItems: every instant of an item is checked, nested ones included.
func TestItems(t *testing.T) {
	ok, future, past := now.Add(-time.Hour), now.AddDate(1, 0, 0), time.Unix(0, 0)
	base := func() item.Ticket { return item.Ticket{ID: "1", CreatedAt: ok, UpdatedAt: ok} }
	tickets := []struct {
		name string
		edit func(*item.Ticket)
		want string
	}{
		{"plausible", func(*item.Ticket) {}, ""},
		{"created", func(t *item.Ticket) { t.CreatedAt = past }, ReasonPast},
		{"updated", func(t *item.Ticket) { t.UpdatedAt = future }, ReasonFuture},
		{"event", func(t *item.Ticket) { t.Events = []item.Event{{Kind: item.EventSolved, At: future}} }, ReasonFuture},
		{"figure", func(t *item.Ticket) { t.Figures = &item.Figures{FirstSolvedAt: past} }, ReasonPast},
		{"a running clock's deadline ahead", func(t *item.Ticket) {
			t.Figures = &item.Figures{ResolutionSLA: &item.SLAClock{Deadline: now.AddDate(0, 0, 30)}}
		}, ""},
		{"a deadline years ahead", func(t *item.Ticket) {
			t.Figures = &item.Figures{ResolutionSLA: &item.SLAClock{Deadline: now.AddDate(5, 0, 0)}}
		}, ReasonFuture},
		{"a clock stopped ahead", func(t *item.Ticket) {
			t.Figures = &item.Figures{FirstResponseSLA: &item.SLAClock{Stopped: future}}
		}, ReasonFuture},
	}
	for _, tt := range tickets {
		tk := base()
		tt.edit(&tk)
		if got := bounds.Ticket(&tk); got != tt.want {
			t.Errorf("ticket %s: %q, want %q", tt.name, got, tt.want)
		}
	}
	incidents := []struct {
		name string
		i    item.Incident
		want string
	}{
		{"plausible", item.Incident{CreatedAt: ok, StartedAt: ok.Add(-time.Hour), Updates: []time.Time{ok}}, ""},
		{"started", item.Incident{CreatedAt: ok, StartedAt: past}, ReasonPast},
		{"resolved", item.Incident{CreatedAt: ok, ResolvedAt: future}, ReasonFuture},
		{"postmortem", item.Incident{CreatedAt: ok, PostmortemPublishedAt: future}, ReasonFuture},
		{"update", item.Incident{CreatedAt: ok, Updates: []time.Time{ok, future}}, ReasonFuture},
	}
	for _, tt := range incidents {
		if got := bounds.Incident(&tt.i); got != tt.want {
			t.Errorf("incident %s: %q, want %q", tt.name, got, tt.want)
		}
	}
	maintenances := []struct {
		name string
		m    item.Maintenance
		want string
	}{
		{"next week", item.Maintenance{CreatedAt: ok, ScheduledFor: now.AddDate(0, 0, 7)}, ""},
		{"within a year and the skew", item.Maintenance{CreatedAt: ok, ScheduledFor: now.Add(time.Hour + MaxAhead)}, ""},
		{"beyond a year", item.Maintenance{CreatedAt: ok, ScheduledFor: now.Add(2*time.Hour + MaxAhead)}, ReasonFuture},
		{"announced ahead", item.Maintenance{CreatedAt: future, ScheduledFor: future}, ReasonFuture},
		{"announced in 1900", item.Maintenance{CreatedAt: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), ScheduledFor: ok}, ReasonPast},
		{"ends before 2000", item.Maintenance{CreatedAt: ok, ScheduledFor: ok, ScheduledUntil: past}, ReasonPast},
	}
	for _, tt := range maintenances {
		if got := bounds.Maintenance(&tt.m); got != tt.want {
			t.Errorf("maintenance %s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
