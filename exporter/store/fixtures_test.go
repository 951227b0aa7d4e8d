package store

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// at is an instant with nanoseconds in the named zone, so round trips prove
// that instants survive whatever the zone.
func at(tb testing.TB, zone string, day, hour int) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		tb.Fatal(err)
	}
	return time.Date(2026, 3, day, hour, 7, 9, 123456789, loc)
}

// fullTicket has every field set (checked by TestFixturesSetEveryField).
func fullTicket(tb testing.TB, id string) *item.Ticket {
	return &item.Ticket{
		ID:           id,
		CreatedAt:    at(tb, "Asia/Shanghai", 2, 9),
		UpdatedAt:    at(tb, "America/New_York", 3, 23),
		Priority:     "p1",
		Status:       item.StatusPending,
		Tags:         []string{"escalated", "区域/eu"},
		Escalated:    true,
		Satisfaction: item.RatingBad,
		Events: []item.Event{
			{Kind: item.EventVendorReply, At: at(tb, "UTC", 2, 10), Ref: "a1"},
			{Kind: item.EventCustomerReply, At: at(tb, "Europe/Paris", 2, 11), Ref: "b2"},
			{Kind: item.EventSolved, At: at(tb, "UTC", 2, 12), Ref: "c3"},
			{Kind: item.EventReopened, At: at(tb, "UTC", 2, 13), Ref: "d4"},
			{Kind: item.EventEscalated, At: at(tb, "UTC", 2, 14), Ref: "e5"},
			{Kind: "custom_kind", At: at(tb, "UTC", 2, 15), Ref: "f6"},
		},
		Seen:        "1773000700.000400",
		CloseReason: "not_planned",
		ClosedBy:    "stale[bot]",
		ClosedAt:    at(tb, "Europe/Paris", 3, 12),
		Type:        "Feature",
		TriagedAt:   at(tb, "Asia/Tokyo", 2, 9),
		Author:      "requester",
		Drill:       true,
		Closes: []item.Closure{
			{At: at(tb, "UTC", 3, 1), Reason: "completed", By: "requester", ByAuthor: true},
			{At: at(tb, "Europe/Paris", 3, 12), Reason: "not_planned", By: "stale[bot]", ByAuthor: true},
		},
		Figures: &item.Figures{
			FirstReplyAt:  at(tb, "Asia/Kolkata", 2, 10),
			FirstSolvedAt: at(tb, "UTC", 2, 12),
			Replies:       4,
			Reopens:       1,
			FirstResponseSLA: &item.SLAClock{
				Deadline: at(tb, "UTC", 2, 9),
				Stopped:  at(tb, "Asia/Kolkata", 2, 10),
				Breached: true,
			},
			ResolutionSLA: &item.SLAClock{
				Deadline: at(tb, "Europe/Paris", 4, 9),
				Stopped:  at(tb, "UTC", 2, 12),
				Breached: true,
			},
		},
		History: &item.TicketHistory{
			FirstPriority:       "p2",
			RepliesAtFirstSolve: 2,
			EverEscalated:       true,
			Ratings:             []item.Rating{item.RatingGood, item.RatingBad},
			Created:             at(tb, "UTC", 2, 8),
			FirstReply:          at(tb, "Asia/Kolkata", 2, 10),
			FirstSolve:          at(tb, "UTC", 2, 12),
			Reopens:             2,
			Followups:           3,
			ReopensSeen:         1,
			FirstResponse: item.ClockHistory{
				Ended:          at(tb, "UTC", 2, 10),
				RunningAsOf:    at(tb, "Europe/Paris", 2, 9),
				Vendor:         &item.SLAClock{Deadline: at(tb, "UTC", 2, 9), Stopped: at(tb, "UTC", 2, 10), Breached: true},
				VendorBreached: true,
				Judge:          item.JudgeVendor,
			},
			Resolution: item.ClockHistory{
				Ended:          at(tb, "UTC", 2, 12),
				RunningAsOf:    at(tb, "UTC", 2, 11),
				Vendor:         &item.SLAClock{Deadline: at(tb, "UTC", 4, 9), Stopped: at(tb, "UTC", 2, 12), Breached: true},
				VendorBreached: true,
				Judge:          item.JudgeOurs,
			},
			OneTouch:      item.OneTouchRuledOut,
			StoredAsOf:    at(tb, "UTC", 2, 9),
			SeenTags:      []item.SeenTag{{Tag: "outage", AsOf: at(tb, "UTC", 3, 1)}, {Tag: "vip", AsOf: at(tb, "Asia/Tokyo", 3, 2)}},
			VendorReplies: []time.Time{at(tb, "UTC", 2, 10), at(tb, "Asia/Kolkata", 2, 16)},
			Closes:        []item.Closure{{At: at(tb, "UTC", 3, 12), Reason: "completed", By: "octocat", ByAuthor: true}, {At: at(tb, "Asia/Tokyo", 3, 1), Reason: "not_planned", By: "stale[bot]", ByAuthor: true}},
			Types:         []string{"bug", "feature"},
			Acknowledged:  at(tb, "UTC", 2, 9),
			DrillSeen:     at(tb, "Europe/Paris", 2, 10),
		},
	}
}

func fullIncident(tb testing.TB, id string) *item.Incident {
	return &item.Incident{
		ID:                    id,
		Title:                 "Elevated error rates | <API> & `Web app` — ünïcödé",
		Impact:                item.ImpactMajor,
		CreatedAt:             at(tb, "America/Los_Angeles", 5, 8),
		StartedAt:             at(tb, "UTC", 5, 7),
		ResolvedAt:            at(tb, "Asia/Tokyo", 5, 20),
		UpdatedAt:             at(tb, "UTC", 6, 1),
		Updates:               []time.Time{at(tb, "UTC", 5, 9), at(tb, "Europe/Berlin", 5, 10)},
		Components:            []string{"API", "Web app"},
		PostmortemPublishedAt: at(tb, "UTC", 9, 12),
		ResolutionUnknown:     true,
		History: &item.IncidentHistory{
			FirstImpact: item.ImpactMinor,
			Created:     at(tb, "UTC", 5, 6),
			Final: &item.IncidentFinal{
				Started:    at(tb, "UTC", 5, 6),
				FirstPost:  at(tb, "America/Los_Angeles", 5, 8),
				Resolved:   at(tb, "Asia/Tokyo", 5, 19),
				Updates:    []time.Time{at(tb, "UTC", 5, 9), at(tb, "UTC", 5, 11)},
				Impact:     item.ImpactCritical,
				Components: []string{"CDN", "API"},
			},
			Postmortem:    at(tb, "UTC", 8, 12),
			NoticeStarted: at(tb, "UTC", 5, 5),
			NoticePost:    at(tb, "UTC", 5, 8),
		},
	}
}

func fullMaintenance(tb testing.TB, id string) *item.Maintenance {
	return &item.Maintenance{
		ID:             id,
		Title:          "Database upgrade [EU]",
		CreatedAt:      at(tb, "UTC", 10, 9),
		UpdatedAt:      at(tb, "UTC", 11, 9),
		ScheduledFor:   at(tb, "Australia/Sydney", 14, 2),
		ScheduledUntil: at(tb, "Australia/Sydney", 14, 4),
		CompletedAt:    at(tb, "UTC", 14, 5),
		History: &item.MaintenanceHistory{
			Created: at(tb, "UTC", 10, 8),
			Notice:  &item.MaintenanceNotice{Announced: at(tb, "UTC", 10, 8), Start: at(tb, "Australia/Sydney", 14, 1)},
		},
	}
}

func fullComponents() []item.Component {
	return []item.Component{{Name: "API", Status: "operational"}, {Name: "Web app", Status: "partial_outage"}}
}

func fullPages(tb testing.TB) []item.Page {
	return []item.Page{
		{URL: "https://docs.acme.example/docs/start", Updated: at(tb, "Europe/Paris", 3, 9), OutdatedTranslations: 2},
		{URL: "https://docs.acme.example/docs/ünïcödé", Updated: at(tb, "UTC", 1, 0), OutdatedTranslations: 1},
	}
}

// TestFixturesSetEveryField keeps the round-trip tests honest: a field added
// to the model is zero in the fixtures until the fixture (and the codec in
// records.go) sets it, and this test says which.
func TestFixturesSetEveryField(t *testing.T) {
	for name, v := range map[string]any{
		"ticket":      fullTicket(t, "1"),
		"incident":    fullIncident(t, "1"),
		"maintenance": fullMaintenance(t, "1"),
		"components":  fullComponents(),
		"pages":       fullPages(t),
	} {
		assertNoZeroField(t, name, reflect.ValueOf(v))
	}
}

func assertNoZeroField(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	if v.IsZero() {
		t.Errorf("%s is zero in the fixture: set it, and encode it in records.go", path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		assertNoZeroField(t, path, v.Elem())
	case reflect.Slice:
		for i := range v.Len() {
			assertNoZeroField(t, fmt.Sprintf("%s[%d]", path, i), v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			assertNoZeroField(t, path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	}
}

// assertSame compares two values field by field, instants with Equal (the
// store keeps instants, not zones).
func assertSame(t *testing.T, what string, got, want any) {
	t.Helper()
	if !sameValue(reflect.ValueOf(got), reflect.ValueOf(want)) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func sameValue(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	if a.Type() == reflect.TypeFor[time.Time]() {
		return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	default:
		return a.Interface() == b.Interface()
	}
}
