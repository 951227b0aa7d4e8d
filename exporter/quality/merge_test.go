package quality

import (
	"reflect"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

func TestMergeTicketPins(t *testing.T) {
	r := mustRules(t, testVendor(), time.Time{})
	h := time.Hour
	open := model.Ticket{ID: "1", Priority: "normal", Status: model.StatusOpen, CreatedAt: t0}
	solvedAfterTwo := model.Ticket{ID: "1", Priority: "urgent", Status: model.StatusSolved, CreatedAt: t0, Events: []model.Event{
		ev(model.EventVendorReply, after(h)), ev(model.EventVendorReply, after(2*h)), ev(model.EventSolved, after(2*h)),
		ev(model.EventReopened, after(3*h)), ev(model.EventVendorReply, after(4*h)),
	}}
	tests := []struct {
		name        string
		versions    []model.Ticket // fetched in turn, each merged into the previous result
		wantHistory model.TicketHistory
		wantReopens int // Figures.Reopens of the result; -1: no figures
	}{
		{
			name:        "first store pins the priority; not solved yet",
			versions:    []model.Ticket{open},
			wantHistory: model.TicketHistory{FirstPriority: "normal", RepliesAtFirstSolve: -1},
			wantReopens: -1,
		},
		{
			name:        "a later priority does not move the pin",
			versions:    []model.Ticket{open, func() model.Ticket { t := open; t.Priority = "urgent"; return t }()},
			wantHistory: model.TicketHistory{FirstPriority: "normal", RepliesAtFirstSolve: -1},
			wantReopens: -1,
		},
		{
			name:        "replies up to the first solve, from the timeline, even when first seen later",
			versions:    []model.Ticket{solvedAfterTwo},
			wantHistory: model.TicketHistory{FirstPriority: "urgent", RepliesAtFirstSolve: 2},
			wantReopens: -1,
		},
		{
			name: "figures: the replies when the first solve is first seen, then pinned",
			versions: []model.Ticket{
				{ID: "1", Status: model.StatusOpen, CreatedAt: t0, Figures: &model.Figures{Replies: 1}},
				{ID: "1", Status: model.StatusSolved, CreatedAt: t0, Figures: &model.Figures{Replies: 3, FirstSolvedAt: after(h)}},
				{ID: "1", Status: model.StatusOpen, CreatedAt: t0, Figures: &model.Figures{Replies: 5, FirstSolvedAt: after(h), Reopens: 2}},
				{ID: "1", Status: model.StatusOpen, CreatedAt: t0, Figures: &model.Figures{Replies: 5, FirstSolvedAt: after(h), Reopens: 1}},
			},
			wantHistory: model.TicketHistory{RepliesAtFirstSolve: 3},
			wantReopens: 2,
		},
		{
			name: "escalation is sticky, whatever signalled it",
			versions: []model.Ticket{
				func() model.Ticket { t := open; t.Tags = []string{"escalated"}; return t }(),
				open,
			},
			wantHistory: model.TicketHistory{FirstPriority: "normal", RepliesAtFirstSolve: -1, EverEscalated: true},
			wantReopens: -1,
		},
		{
			name: "ratings: appended when they change, ignoring none and unknown values",
			versions: func() []model.Ticket {
				var vs []model.Ticket
				for _, s := range []model.Rating{"good", "", "good", "bad", "offered", "bad", "good"} {
					t := open
					t.Satisfaction = s
					vs = append(vs, t)
				}
				return vs
			}(),
			wantHistory: model.TicketHistory{FirstPriority: "normal", RepliesAtFirstSolve: -1,
				Ratings: []model.Rating{"good", "bad", "good"}},
			wantReopens: -1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stored *model.Ticket
			for _, v := range tc.versions {
				merged := r.MergeTicket(stored, v)
				stored = &merged
			}
			if !reflect.DeepEqual(*stored.History, tc.wantHistory) {
				t.Errorf("history = %+v, want %+v", *stored.History, tc.wantHistory)
			}
			gotReopens := -1
			if stored.Figures != nil {
				gotReopens = stored.Figures.Reopens
			}
			if gotReopens != tc.wantReopens {
				t.Errorf("figures reopens = %d, want %d", gotReopens, tc.wantReopens)
			}
		})
	}
}

// Merging the same fetched item twice changes nothing: a re-fetch after a
// crash is safe. Neither does merging write into the stored version.
func TestMergeIdempotent(t *testing.T) {
	r := mustRules(t, testVendor(), time.Time{})
	h := time.Hour
	storedTicket := r.MergeTicket(nil, model.Ticket{ID: "1", Priority: "high", Status: model.StatusOpen, CreatedAt: t0,
		Satisfaction: model.RatingGood, Figures: &model.Figures{Reopens: 3}})
	storedTicket.History.Ratings = append(make([]model.Rating, 0, 8), storedTicket.History.Ratings...) // spare capacity
	tickets := []struct {
		name    string
		stored  *model.Ticket
		fetched model.Ticket
	}{
		{"new, open", nil, model.Ticket{ID: "1", Priority: "p1", Status: model.StatusOpen, CreatedAt: t0, Tags: []string{"escalated"}}},
		{"new, solved and rated", nil, model.Ticket{ID: "1", Status: model.StatusSolved, CreatedAt: t0, Satisfaction: model.RatingBad,
			Events: []model.Event{ev(model.EventVendorReply, after(h)), ev(model.EventSolved, after(h))}}},
		{"stored, rating changed, reopens lower", &storedTicket, model.Ticket{ID: "1", Priority: "low", Status: model.StatusSolved,
			CreatedAt: t0, Satisfaction: model.RatingBad, Figures: &model.Figures{Reopens: 1, FirstSolvedAt: after(h), Replies: 2}}},
		{"stored without history", &model.Ticket{ID: "1", Priority: "urgent", Status: model.StatusOpen, CreatedAt: t0},
			model.Ticket{ID: "1", Priority: "high", Status: model.StatusClosed, CreatedAt: t0, Events: []model.Event{ev(model.EventSolved, after(h))}}},
	}
	for _, tc := range tickets {
		t.Run("ticket: "+tc.name, func(t *testing.T) {
			var before model.Ticket
			if tc.stored != nil {
				before = deepCopyTicket(*tc.stored)
			}
			once := r.MergeTicket(tc.stored, tc.fetched)
			twice := r.MergeTicket(&once, tc.fetched)
			if !reflect.DeepEqual(once, twice) {
				t.Errorf("second merge changed the ticket:\nonce  %+v\ntwice %+v", once, twice)
			}
			if tc.stored != nil && !reflect.DeepEqual(before, *tc.stored) {
				t.Errorf("merge modified the stored version: %+v", *tc.stored)
			}
		})
	}

	storedIncident := MergeIncident(nil, model.Incident{ID: "i", Impact: model.ImpactMinor, CreatedAt: t0, Updates: []time.Time{after(h)}})
	incidents := []struct {
		name    string
		stored  *model.Incident
		fetched model.Incident
	}{
		{"new, duplicate updates", nil, model.Incident{ID: "i", Impact: model.ImpactMajor, CreatedAt: t0,
			Updates: []time.Time{after(2 * h), after(h), after(2 * h).In(time.FixedZone("x", 3600))}}},
		{"stored, update deleted, impact changed", &storedIncident, model.Incident{ID: "i", Impact: "unknown", CreatedAt: after(h),
			Updates: []time.Time{after(3 * h)}}},
	}
	for _, tc := range incidents {
		t.Run("incident: "+tc.name, func(t *testing.T) {
			once := MergeIncident(tc.stored, tc.fetched)
			if twice := MergeIncident(&once, tc.fetched); !reflect.DeepEqual(once, twice) {
				t.Errorf("second merge changed the incident:\nonce  %+v\ntwice %+v", once, twice)
			}
		})
	}

	storedMaintenance := model.Maintenance{ID: "m", CreatedAt: t0, ScheduledFor: after(10 * h)}
	maintenances := []struct {
		name    string
		stored  *model.Maintenance
		fetched model.Maintenance
	}{
		{"new", nil, model.Maintenance{ID: "m", CreatedAt: t0, ScheduledFor: after(h)}},
		{"stored, re-announced later and completed", &storedMaintenance,
			model.Maintenance{ID: "m", CreatedAt: after(h), ScheduledFor: after(10 * h), CompletedAt: after(11 * h)}},
	}
	for _, tc := range maintenances {
		t.Run("maintenance: "+tc.name, func(t *testing.T) {
			once := MergeMaintenance(tc.stored, tc.fetched)
			if twice := MergeMaintenance(&once, tc.fetched); !reflect.DeepEqual(once, twice) {
				t.Errorf("second merge changed the maintenance:\nonce  %+v\ntwice %+v", once, twice)
			}
		})
	}
}

func deepCopyTicket(t model.Ticket) model.Ticket {
	if t.History != nil {
		h := *t.History
		h.Ratings = append([]model.Rating(nil), h.Ratings...)
		t.History = &h
	}
	if t.Figures != nil {
		f := *t.Figures
		t.Figures = &f
	}
	return t
}

func TestMergeIncident(t *testing.T) {
	h := time.Hour
	stored := model.Incident{ID: "i", Impact: model.ImpactMinor, CreatedAt: t0, Updates: []time.Time{after(2 * h), after(h)},
		History: &model.IncidentHistory{FirstImpact: model.ImpactMinor}}
	tests := []struct {
		name        string
		stored      *model.Incident
		fetched     model.Incident
		wantCreated time.Time
		wantUpdates []time.Time
		wantFirst   model.Impact
	}{
		{
			name:        "new: updates sorted and de-duplicated, impact pinned",
			fetched:     model.Incident{ID: "i", Impact: model.ImpactMajor, CreatedAt: t0, Updates: []time.Time{after(2 * h), after(h), after(2 * h)}},
			wantCreated: t0,
			wantUpdates: []time.Time{after(h), after(2 * h)},
			wantFirst:   model.ImpactMajor,
		},
		{
			name:        "new with an unknown impact: none",
			fetched:     model.Incident{ID: "i", Impact: "scheduled", CreatedAt: t0},
			wantCreated: t0,
			wantFirst:   model.ImpactNone,
		},
		{
			name:        "stored: union of updates, earliest creation, first impact kept",
			stored:      &stored,
			fetched:     model.Incident{ID: "i", Impact: model.ImpactCritical, CreatedAt: after(h), Updates: []time.Time{after(3 * h), after(h)}},
			wantCreated: t0,
			wantUpdates: []time.Time{after(h), after(2 * h), after(3 * h)},
			wantFirst:   model.ImpactMinor,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := MergeIncident(tc.stored, tc.fetched)
			if !got.CreatedAt.Equal(tc.wantCreated) || !reflect.DeepEqual(got.Updates, tc.wantUpdates) || got.History.FirstImpact != tc.wantFirst {
				t.Errorf("got created %v, updates %v, first impact %q; want %v, %v, %q",
					got.CreatedAt, got.Updates, got.History.FirstImpact, tc.wantCreated, tc.wantUpdates, tc.wantFirst)
			}
			if got.Impact != tc.fetched.Impact {
				t.Errorf("current impact = %q, want the fetched %q", got.Impact, tc.fetched.Impact)
			}
		})
	}
}

// TestMergeMaintenanceKeepsTheSchedule: a feed prints a maintenance's
// schedule only while it is upcoming; the completed version keeps it.
func TestMergeMaintenanceKeepsTheSchedule(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	stored := model.Maintenance{ID: "m", CreatedAt: t0, ScheduledFor: t0.Add(72 * time.Hour), ScheduledUntil: t0.Add(74 * time.Hour)}
	got := MergeMaintenance(&stored, model.Maintenance{ID: "m", CreatedAt: t0, CompletedAt: t0.Add(74 * time.Hour)})
	if !got.ScheduledFor.Equal(stored.ScheduledFor) || !got.ScheduledUntil.Equal(stored.ScheduledUntil) || got.CompletedAt.IsZero() {
		t.Fatalf("merged = %+v", got)
	}
	moved := MergeMaintenance(&stored, model.Maintenance{ID: "m", CreatedAt: t0, ScheduledFor: t0.Add(96 * time.Hour)})
	if !moved.ScheduledFor.Equal(t0.Add(96*time.Hour)) || !moved.ScheduledUntil.IsZero() {
		t.Fatalf("a rescheduled maintenance must take the new schedule: %+v", moved)
	}
}
