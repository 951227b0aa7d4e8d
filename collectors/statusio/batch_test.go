package statusio

import (
	"reflect"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func at(s string) statusitems.Instant { return statusitems.Instant{Time: collectortest.UTC(s)} }

func TestComponentStatus(t *testing.T) {
	tests := []struct {
		code int
		name string
		want string
	}{
		{100, "Operational", "operational"},
		{200, "Planned Maintenance", "under_maintenance"},
		{300, "Degraded Performance", "degraded_performance"},
		{400, "Partial Service Disruption", "partial_outage"},
		{500, "Service Disruption", "major_outage"},
		{600, "Security Event", "security_event"},
		{700, "Some  New Status", "some_new_status"},
		{0, "", "status_0"},
	}
	for _, tt := range tests {
		if got := componentStatus(tt.code, tt.name); got != tt.want {
			t.Errorf("componentStatus(%d, %q) = %q, want %q", tt.code, tt.name, got, tt.want)
		}
	}
}

func TestImpact(t *testing.T) {
	tests := []struct {
		code int
		want item.Impact
	}{
		{0, item.ImpactNone}, // no post yet
		{100, item.ImpactNone},
		{200, item.ImpactNone},
		{300, item.ImpactMinor},
		{400, item.ImpactMajor},
		{500, item.ImpactCritical},
		{600, item.ImpactCritical},
		{700, item.ImpactNone},
	}
	for _, tt := range tests {
		if got := impact(tt.code); got != tt.want {
			t.Errorf("impact(%d) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestComponentStates(t *testing.T) {
	tests := []struct {
		name      string
		wire      []wireComponent
		want      []item.Component
		wantNames map[string]string
	}{
		{
			name:      "empty page replaces the stored list",
			want:      []item.Component{},
			wantNames: map[string]string{},
		},
		{
			name: "same name twice stays unique through the id",
			wire: []wireComponent{
				{ID: "c1", Name: "API", StatusCode: 100},
				{ID: "c2", Name: "API", StatusCode: 500},
			},
			want: []item.Component{
				{Name: "API", Status: "operational"},
				{Name: "API (c2)", Status: "major_outage"},
			},
			wantNames: map[string]string{"c1": "API", "c2": "API (c2)"},
		},
		{
			name: "a name still clashing after the id suffix is left out",
			wire: []wireComponent{
				{ID: "c1", Name: "API", StatusCode: 100},
				{ID: "c3", Name: "API (c2)", StatusCode: 100},
				{ID: "c2", Name: "API", StatusCode: 500},
			},
			want: []item.Component{
				{Name: "API", Status: "operational"},
				{Name: "API (c2)", Status: "operational"},
			},
			wantNames: map[string]string{"c1": "API", "c3": "API (c2)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, names := componentStates(tt.wire)
			if got == nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("components = %#v, want %#v", got, tt.want)
			}
			if !reflect.DeepEqual(names, tt.wantNames) {
				t.Errorf("names = %v, want %v", names, tt.wantNames)
			}
		})
	}
}

func TestBuildBatch(t *testing.T) {
	res := result{
		Components: []wireComponent{
			{ID: "c1", Name: "API", StatusCode: 300},
			{ID: "c2", Name: "API", StatusCode: 100},
		},
		Incidents: []wireEvent{
			{ID: "old", DatetimeOpen: at("2024-12-31T23:59:59Z")},
			{
				ID: "new", DatetimeOpen: at("2025-01-02T10:00:00Z"),
				// The affected component is named as the component list
				// names it, through its id.
				Components: []wireRef{{ID: "c2", Name: "API"}, {ID: "gone", Name: "Legacy"}},
			},
			{ID: "new", DatetimeOpen: at("2025-01-02T10:00:00Z")}, // listed twice
		},
		Maintenance: maintenances{
			Active: []wireEvent{{
				ID: "m1", DatetimeOpen: at("2025-01-01T00:00:00Z"),
				PlannedStart: at("2025-01-03T00:00:00Z"),
			}},
			Upcoming: []wireEvent{
				{ID: "m1", DatetimeOpen: at("2025-01-01T00:00:00Z"), PlannedStart: at("2025-01-04T00:00:00Z")},
				{ID: "m0", DatetimeOpen: at("2024-12-01T00:00:00Z"), PlannedStart: at("2025-01-05T00:00:00Z")},
			},
		},
	}
	b := buildBatch(res, collectortest.UTC("2025-01-01T00:00:00Z"))
	wantIncidents := []item.Incident{{
		ID: "new", Impact: item.ImpactNone,
		CreatedAt:  collectortest.UTC("2025-01-02T10:00:00Z"),
		UpdatedAt:  collectortest.UTC("2025-01-02T10:00:00Z"),
		Components: []string{"API (c2)", "Legacy"},
	}}
	if !reflect.DeepEqual(b.Incidents, wantIncidents) {
		t.Errorf("incidents = %+v, want %+v", b.Incidents, wantIncidents)
	}
	wantMaintenances := []item.Maintenance{{
		ID:           "m1",
		CreatedAt:    collectortest.UTC("2025-01-01T00:00:00Z"),
		UpdatedAt:    collectortest.UTC("2025-01-01T00:00:00Z"),
		ScheduledFor: collectortest.UTC("2025-01-03T00:00:00Z"), // the active entry's
	}}
	if !reflect.DeepEqual(b.Maintenances, wantMaintenances) {
		t.Errorf("maintenances = %+v, want %+v", b.Maintenances, wantMaintenances)
	}
	if b.Cursor != nil {
		t.Errorf("cursor = %q, want none: Sync sets it", b.Cursor)
	}
}

func TestLatestMessage(t *testing.T) {
	open := at("2025-01-02T10:00:00Z")
	tests := []struct {
		name        string
		messages    []wireMessage
		wantStatus  int
		wantUpdated time.Time
	}{
		{"no post", nil, 0, open.Time},
		{"posts in any order", []wireMessage{
			{Status: 300, Datetime: at("2025-01-02T10:00:01Z")},
			{Status: 500, Datetime: at("2025-01-02T11:00:00Z")},
			{Status: 400, Datetime: at("2025-01-02T10:30:00Z")},
		}, 500, collectortest.UTC("2025-01-02T11:00:00Z")},
		{"equal times: the one listed last", []wireMessage{
			{Status: 300, Datetime: at("2025-01-02T10:30:00Z")},
			{Status: 400, Datetime: at("2025-01-02T10:30:00Z")},
		}, 400, collectortest.UTC("2025-01-02T10:30:00Z")},
		{"post dated before the opening", []wireMessage{
			{Status: 300, Datetime: at("2025-01-02T09:00:00Z")},
		}, 300, open.Time},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, updated := latestMessage(wireEvent{DatetimeOpen: open, Messages: tt.messages})
			if m.Status != tt.wantStatus || !updated.Equal(tt.wantUpdated) {
				t.Errorf("got status %d, updated %v; want %d, %v", m.Status, updated, tt.wantStatus, tt.wantUpdated)
			}
		})
	}
}
