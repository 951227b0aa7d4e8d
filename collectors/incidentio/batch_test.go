package incidentio

import (
	"reflect"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func at(s string) statusitems.Instant { return statusitems.Instant{Time: collectortest.UTC(s)} }

func TestBuildBatchRealPayloads(t *testing.T) {
	w, err := decodeWidget(collectortest.Testdata(t, widgetPreviewFile))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := decodeSummary(collectortest.Testdata(t, openaiSummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	b := buildBatch(w, sum, nil, time.Time{})

	if len(b.Components) != 25 || b.Components[2] != (item.Component{Name: "Ads API", Status: "operational"}) {
		t.Errorf("components = %d, third %+v; want 25, third Ads API operational", len(b.Components), b.Components[2])
	}
	wantIncidents := []item.Incident{
		{
			ID: "01M3Q4RK1SM4EMK445GGPG7C0N", Title: "Elevated errors across ChatGPT, Codex, and the API including the Agents API",
			Impact:    item.ImpactMinor,
			CreatedAt: collectortest.UTC("2026-09-29T17:52:52Z"), UpdatedAt: collectortest.UTC("2026-09-29T18:24:17Z"),
			Updates: []time.Time{collectortest.UTC("2026-09-29T18:24:17Z"), collectortest.UTC("2026-09-29T17:52:52Z")},
		},
		{
			ID: "01M3Q4HMNP8SZ27DTZKW6F5BJ4", Title: "Support chat unavailable", Impact: item.ImpactNone,
			CreatedAt: collectortest.UTC("2026-09-29T17:49:05Z"), UpdatedAt: collectortest.UTC("2026-09-29T17:55:17Z"),
			Updates: []time.Time{collectortest.UTC("2026-09-29T17:55:17Z"), collectortest.UTC("2026-09-29T17:49:05Z")},
		},
	}
	if !reflect.DeepEqual(b.Incidents, wantIncidents) {
		t.Errorf("incidents = %+v\nwant %+v", b.Incidents, wantIncidents)
	}
	// Widget maintenances: title, window and last update, nothing else.
	preview := collectortest.UTC("2026-01-26T02:11:43Z")
	wantMaintenances := []item.Maintenance{
		{ID: "01FDAG4SAP5TYPT98WGR2N7W91", Title: "Database upgrade", UpdatedAt: preview, ScheduledFor: preview, ScheduledUntil: preview},
		{ID: "01FCNDV6P870EA6S7TK1DSYD5H", Title: "Essential maintenance", UpdatedAt: preview, ScheduledFor: preview, ScheduledUntil: preview},
	}
	if !reflect.DeepEqual(b.Maintenances, wantMaintenances) {
		t.Errorf("maintenances = %+v\nwant %+v", b.Maintenances, wantMaintenances)
	}
	if b.Cursor != nil {
		t.Errorf("cursor = %q, want nil", b.Cursor)
	}
}

func TestComponentStates(t *testing.T) {
	tests := []struct {
		name string
		wire []wireComponent
		want []item.Component
	}{
		{"empty page replaces the stored list", nil, []item.Component{}},
		{
			name: "statuses normalized",
			wire: []wireComponent{
				{ID: "a", Name: "API", Status: "full_outage"},
				{ID: "b", Name: "Web", Status: "Partial_Outage"},
				{ID: "c", Name: "Chat", Status: "under_maintenance"},
			},
			want: []item.Component{
				{Name: "API", Status: "major_outage"},
				{Name: "Web", Status: "partial_outage"},
				{Name: "Chat", Status: "under_maintenance"},
			},
		},
		{
			name: "same name twice stays unique through the id",
			wire: []wireComponent{
				{ID: "a", Name: "Web", Status: "operational"},
				{ID: "b", Name: "Web", Status: "degraded_performance"},
				{ID: "b", Name: "Web", Status: "degraded_performance"},
			},
			want: []item.Component{
				{Name: "Web", Status: "operational"},
				{Name: "Web (b)", Status: "degraded_performance"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := componentStates(tt.wire)
			if got == nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestIncidentComponentsFromWidget(t *testing.T) {
	sum := summary{
		Components: []wireComponent{
			{ID: "c1", Name: "Login", Status: "partial_outage"},
			{ID: "c2", Name: "Login", Status: "operational"},
		},
		Incidents: []wireItem{{ID: "i1", Status: "identified", CreatedAt: at("2026-01-26T02:00:00Z")}},
	}
	w := widgetSummary{Ongoing: []widgetEvent{
		{ID: "i1", AffectedComponents: []widgetComponent{
			{ID: "c2", Name: "Login", GroupName: "Authentication"}, // named as in the list: "Login (c2)"
			{ID: "c9", Name: "Search"},                             // unknown to the list: the widget's name
			{ID: "c2", Name: "Login"},                              // listed twice: once
		}},
		{ID: "i-not-in-v2", AffectedComponents: []widgetComponent{{ID: "c1"}}},
	}}
	b := buildBatch(w, sum, nil, time.Time{})
	if len(b.Incidents) != 1 {
		t.Fatalf("incidents = %+v, want only i1: the widget alone gives no creation time", b.Incidents)
	}
	if want := []string{"Login (c2)", "Search"}; !reflect.DeepEqual(b.Incidents[0].Components, want) {
		t.Errorf("components = %v, want %v", b.Incidents[0].Components, want)
	}
}

func TestBuildBatchMerge(t *testing.T) {
	open := wireItem{ID: "i1", Status: "investigating", Impact: "minor",
		CreatedAt: at("2026-09-29T17:00:00Z"), UpdatedAt: at("2026-09-29T17:10:00Z")}
	resolved := wireItem{ID: "i1", Status: "resolved", Impact: "major",
		CreatedAt: at("2026-09-29T17:00:00Z"), UpdatedAt: at("2026-09-29T18:05:00Z"),
		Updates: []wireUpdate{
			{Status: "resolved", DisplayAt: at("2026-09-29T18:00:00Z")},
			{Status: "investigating", DisplayAt: at("2026-09-29T17:00:00Z")},
		}}
	tests := []struct {
		name         string
		sum          []wireItem
		list         []wireItem
		wantImpact   item.Impact
		wantResolved time.Time
	}{
		{"resolved in the list, open in the summary: the list's is newer", []wireItem{open}, []wireItem{resolved}, item.ImpactMajor, collectortest.UTC("2026-09-29T18:00:00Z")},
		{"an older version in the list loses", []wireItem{resolved}, []wireItem{open}, item.ImpactMajor, collectortest.UTC("2026-09-29T18:00:00Z")},
		{"only open", []wireItem{open}, nil, item.ImpactMinor, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := buildBatch(widgetSummary{}, summary{Incidents: tt.sum}, tt.list, time.Time{})
			if len(b.Incidents) != 1 {
				t.Fatalf("incidents = %+v, want one", b.Incidents)
			}
			if got := b.Incidents[0]; got.Impact != tt.wantImpact || !got.ResolvedAt.Equal(tt.wantResolved) {
				t.Errorf("impact/resolved = %s/%v, want %s/%v", got.Impact, got.ResolvedAt, tt.wantImpact, tt.wantResolved)
			}
		})
	}
}

func TestFinishedAt(t *testing.T) {
	tests := []struct {
		name string
		item wireItem
		want time.Time
	}{
		{"resolved_at when given", wireItem{Status: "resolved", ResolvedAt: at("2026-09-29T19:00:00Z")}, collectortest.UTC("2026-09-29T19:00:00Z")},
		{"last resolving update, created_at without display_at", wireItem{Status: "resolved", Updates: []wireUpdate{
			{Status: "resolved", CreatedAt: at("2026-09-29T18:30:00Z")},
			{Status: "resolved", DisplayAt: at("2026-09-29T18:10:00Z")},
			{Status: "monitoring", DisplayAt: at("2026-09-29T18:45:00Z")},
		}}, collectortest.UTC("2026-09-29T18:30:00Z")},
		{"nothing else: updated_at", wireItem{Status: "resolved", UpdatedAt: at("2026-09-29T20:00:00Z")}, collectortest.UTC("2026-09-29T20:00:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.item.FinishedAt("resolved"); !got.Equal(tt.want) {
				t.Errorf("finishedAt = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMaintenances(t *testing.T) {
	w := widgetSummary{
		InProgress: []widgetEvent{{ID: "m-now", LastUpdateAt: at("2026-09-30T01:05:00Z"),
			StartedAt: at("2026-09-30T01:00:00Z"), ScheduledEndAt: at("2026-09-30T03:00:00Z")}},
		Scheduled: []widgetEvent{
			{ID: "m-next", LastUpdateAt: at("2026-09-29T09:00:00Z"), StartsAt: at("2026-10-02T01:00:00Z"), EndsAt: at("2026-10-02T02:00:00Z")},
			{ID: "m-old", StartsAt: at("2024-12-31T23:00:00Z")},
			{ID: "m-v2", StartsAt: at("2026-10-05T01:00:00Z")},
			{ID: "m-v2-early", StartsAt: at("2026-10-06T01:00:00Z")},
		},
	}
	// The v2 list knows m-v2's announcement; m-v2-early was announced
	// before the history start, so its widget version goes too.
	v2 := []wireItem{
		{ID: "m-v2", Status: "scheduled", CreatedAt: at("2026-09-20T00:00:00Z"), UpdatedAt: at("2026-09-20T00:00:00Z"),
			ScheduledFor: at("2026-10-05T01:00:00Z"), ScheduledUntil: at("2026-10-05T04:00:00Z")},
		{ID: "m-v2-early", Status: "scheduled", CreatedAt: at("2024-12-01T00:00:00Z"), ScheduledFor: at("2026-10-06T01:00:00Z")},
		{ID: "m-done", Status: "completed", CreatedAt: at("2026-09-01T00:00:00Z"), ScheduledFor: at("2026-09-10T00:00:00Z"),
			Updates: []wireUpdate{{Status: "completed", DisplayAt: at("2026-09-10T01:30:00Z")}}},
	}
	b := buildBatch(w, summary{}, v2, collectortest.UTC("2025-01-01T00:00:00Z"))
	want := []item.Maintenance{
		{ID: "m-now", UpdatedAt: collectortest.UTC("2026-09-30T01:05:00Z"), ScheduledFor: collectortest.UTC("2026-09-30T01:00:00Z"), ScheduledUntil: collectortest.UTC("2026-09-30T03:00:00Z")},
		{ID: "m-next", UpdatedAt: collectortest.UTC("2026-09-29T09:00:00Z"), ScheduledFor: collectortest.UTC("2026-10-02T01:00:00Z"), ScheduledUntil: collectortest.UTC("2026-10-02T02:00:00Z")},
		{ID: "m-v2", CreatedAt: collectortest.UTC("2026-09-20T00:00:00Z"), UpdatedAt: collectortest.UTC("2026-09-20T00:00:00Z"),
			ScheduledFor: collectortest.UTC("2026-10-05T01:00:00Z"), ScheduledUntil: collectortest.UTC("2026-10-05T04:00:00Z")},
		{ID: "m-done", CreatedAt: collectortest.UTC("2026-09-01T00:00:00Z"), ScheduledFor: collectortest.UTC("2026-09-10T00:00:00Z"), CompletedAt: collectortest.UTC("2026-09-10T01:30:00Z")},
	}
	if !reflect.DeepEqual(b.Maintenances, want) {
		t.Errorf("maintenances = %+v\nwant %+v", b.Maintenances, want)
	}
	if len(b.Incidents) != 0 {
		t.Errorf("incidents = %+v, want none: items with scheduled_for are maintenances", b.Incidents)
	}
}

func TestIncidentsBeforeHistoryStart(t *testing.T) {
	list := []wireItem{
		{ID: "early", CreatedAt: at("2024-12-31T23:59:59Z")},
		{ID: "on-time", CreatedAt: at("2025-01-01T00:00:00Z")},
	}
	b := buildBatch(widgetSummary{}, summary{}, list, collectortest.UTC("2025-01-01T00:00:00Z"))
	if len(b.Incidents) != 1 || b.Incidents[0].ID != "on-time" {
		t.Errorf("incidents = %+v, want only on-time", b.Incidents)
	}
}

func TestImpact(t *testing.T) {
	tests := map[string]item.Impact{
		"none": item.ImpactNone, "minor": item.ImpactMinor, "major": item.ImpactMajor,
		"critical": item.ImpactCritical, "maintenance": item.ImpactNone, "": item.ImpactNone,
	}
	for in, want := range tests {
		if got := statusitems.StatuspageImpact(in); got != want {
			t.Errorf("impact(%q) = %q, want %q", in, got, want)
		}
	}
}
