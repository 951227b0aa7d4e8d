package cachet

import (
	"reflect"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func on(b bool) *flag { f := flag(b); return &f }

func TestComponentStatus(t *testing.T) {
	tests := []struct {
		id   int
		name string
		want string
	}{
		{1, "Operational", "operational"},
		{2, "Performance Issues", "degraded_performance"},
		{3, "Partial Outage", "partial_outage"},
		{4, "Major Outage", "major_outage"},
		{0, "Unknown", "unknown"},
		{0, "Statut  inconnu", "statut_inconnu"}, // a page in French
		{7, "", "status_7"},
	}
	for _, tt := range tests {
		if got := componentStatus(tt.id, tt.name); got != tt.want {
			t.Errorf("componentStatus(%d, %q) = %q, want %q", tt.id, tt.name, got, tt.want)
		}
	}
}

func TestComponentStates(t *testing.T) {
	tests := []struct {
		name      string
		list      []component
		want      []item.Component
		wantNames map[int64]string
	}{
		{
			name:      "empty page replaces the stored list",
			want:      []item.Component{},
			wantNames: map[int64]string{},
		},
		{
			name: "disabled left out, enabled or unsaid kept",
			list: []component{
				{ID: 1, Name: "API", Status: 1, Enabled: on(true)},
				{ID: 2, Name: "Legacy", Status: 4, Enabled: on(false)},
				{ID: 3, Name: "Web", Status: 2},
			},
			want: []item.Component{
				{Name: "API", Status: "operational"},
				{Name: "Web", Status: "degraded_performance"},
			},
			wantNames: map[int64]string{1: "API", 3: "Web"},
		},
		{
			name: "same name in two groups stays unique through the id",
			list: []component{
				{ID: 1, Name: "API", Status: 1},
				{ID: 2, Name: "API", Status: 3},
				{ID: 1, Name: "API", Status: 1}, // listed twice as pages shifted
			},
			want: []item.Component{
				{Name: "API", Status: "operational"},
				{Name: "API (2)", Status: "partial_outage"},
			},
			wantNames: map[int64]string{1: "API", 2: "API (2)"},
		},
		{
			name: "a name still clashing after the id suffix is left out",
			list: []component{
				{ID: 1, Name: "API", Status: 1},
				{ID: 3, Name: "API (2)", Status: 1},
				{ID: 2, Name: "API", Status: 4},
			},
			want: []item.Component{
				{Name: "API", Status: "operational"},
				{Name: "API (2)", Status: "operational"},
			},
			wantNames: map[int64]string{1: "API", 3: "API (2)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, names := componentStates(tt.list)
			if got == nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("components = %#v, want %#v", got, tt.want)
			}
			if !reflect.DeepEqual(names, tt.wantNames) {
				t.Errorf("names = %v, want %v", names, tt.wantNames)
			}
		})
	}
}

func TestResolvedAt(t *testing.T) {
	edited := collectortest.UTC("2024-03-01T12:00:00Z")
	tests := []struct {
		name string
		inc  incident
		want time.Time
	}{
		{"open, no updates", incident{Status: 1}, time.Time{}},
		{"posted fixed, no updates: the last edit", incident{Status: 4}, edited},
		{"latest update fixed, listed first (Cachet's order)", incident{Status: 1, Updates: []update{
			{Status: 4, CreatedAt: collectortest.UTC("2024-03-01T11:00:00Z")},
			{Status: 2, CreatedAt: collectortest.UTC("2024-03-01T10:30:00Z")},
		}}, collectortest.UTC("2024-03-01T11:00:00Z")},
		{"latest update fixed, listed last", incident{Status: 1, Updates: []update{
			{Status: 2, CreatedAt: collectortest.UTC("2024-03-01T10:30:00Z")},
			{Status: 4, CreatedAt: collectortest.UTC("2024-03-01T11:00:00Z")},
		}}, collectortest.UTC("2024-03-01T11:00:00Z")},
		{"fixed, then reopened by a later update", incident{Status: 4, Updates: []update{
			{Status: 4, CreatedAt: collectortest.UTC("2024-03-01T10:30:00Z")},
			{Status: 1, CreatedAt: collectortest.UTC("2024-03-01T11:00:00Z")},
		}}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resolvedAt(tt.inc, edited); !got.Equal(tt.want) {
				t.Errorf("resolvedAt = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBuildBatch(t *testing.T) {
	components := []component{{ID: 5, Name: "API", Status: 3}}
	created := collectortest.UTC("2025-01-02T10:00:00Z")
	incidents := []incident{
		{ID: "4", Name: " API errors\r\n on\tcheckout\x00 ", ComponentID: 5, Status: 2, Visible: true, CreatedAt: created,
			OccurredAt: collectortest.UTC("2025-01-02T09:40:00Z"),
			Updates:    []update{{Status: 2, CreatedAt: collectortest.UTC("2025-01-02T10:20:00Z")}}},
		{ID: "4", Status: 1, Visible: true, CreatedAt: created}, // listed twice as pages shifted
		{ID: "3", Status: 1, Visible: false, CreatedAt: created},
		{ID: "2", Status: 0, Visible: true, CreatedAt: created},
		{ID: "1", ComponentID: 9, Status: 1, Visible: true, CreatedAt: collectortest.UTC("2024-12-31T23:59:59Z")},
	}
	schedules := []schedule{
		{ID: "8", Name: "Database upgrade", Status: 2, ScheduledAt: collectortest.UTC("2025-01-05T02:00:00Z"), CreatedAt: created,
			UpdatedAt: collectortest.UTC("2025-01-05T03:10:00Z")},
		{ID: "7", Status: 2, ScheduledAt: collectortest.UTC("2025-01-04T02:00:00Z"), CreatedAt: created,
			CompletedAt: collectortest.UTC("2025-01-04T03:00:00Z"), UpdatedAt: collectortest.UTC("2025-01-04T03:00:05Z")},
		{ID: "6", Status: 1, ScheduledAt: collectortest.UTC("2025-01-03T02:00:00Z"), CreatedAt: created,
			CompletedAt: collectortest.UTC("2025-01-03T04:00:00Z")}, // not complete: a planned end, not read
		{ID: "5", Status: 0, ScheduledAt: collectortest.UTC("2025-01-03T02:00:00Z"), CreatedAt: collectortest.UTC("2024-12-01T00:00:00Z")},
	}
	b := buildBatch(components, incidents, schedules, collectortest.UTC("2025-01-01T00:00:00Z"))

	wantIncidents := []item.Incident{{
		ID: "4", Title: "API errors on checkout", Impact: item.ImpactNone, // the name cleaned
		CreatedAt:  created,
		StartedAt:  collectortest.UTC("2025-01-02T09:40:00Z"),
		UpdatedAt:  created, // no updated_at given
		Updates:    []time.Time{collectortest.UTC("2025-01-02T10:20:00Z")},
		Components: []string{"API"},
	}}
	if !reflect.DeepEqual(b.Incidents, wantIncidents) {
		t.Errorf("incidents:\n got  %+v\n want %+v", b.Incidents, wantIncidents)
	}
	wantMaintenances := []item.Maintenance{
		{ID: "8", Title: "Database upgrade", CreatedAt: created, UpdatedAt: collectortest.UTC("2025-01-05T03:10:00Z"),
			ScheduledFor: collectortest.UTC("2025-01-05T02:00:00Z"), CompletedAt: collectortest.UTC("2025-01-05T03:10:00Z")},
		{ID: "7", CreatedAt: created, UpdatedAt: collectortest.UTC("2025-01-04T03:00:05Z"),
			ScheduledFor: collectortest.UTC("2025-01-04T02:00:00Z"), CompletedAt: collectortest.UTC("2025-01-04T03:00:00Z")},
		{ID: "6", CreatedAt: created, UpdatedAt: created, ScheduledFor: collectortest.UTC("2025-01-03T02:00:00Z")},
	}
	if !reflect.DeepEqual(b.Maintenances, wantMaintenances) {
		t.Errorf("maintenances:\n got  %+v\n want %+v", b.Maintenances, wantMaintenances)
	}
	if want := []item.Component{{Name: "API", Status: "partial_outage"}}; !reflect.DeepEqual(b.Components, want) {
		t.Errorf("components = %+v, want %+v", b.Components, want)
	}
	if b.Cursor != nil {
		t.Errorf("cursor = %q, want nil", b.Cursor)
	}
}
