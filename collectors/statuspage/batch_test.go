package statuspage

import (
	"reflect"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func at(s string) statusitems.Instant { return statusitems.Instant{Time: collectortest.UTC(s)} }

func TestComponentStates(t *testing.T) {
	tests := []struct {
		name string
		wire []wireComponent
		want []item.Component
	}{
		{
			name: "empty page replaces the stored list",
			wire: nil,
			want: []item.Component{},
		},
		{
			name: "groups skipped, members named after them",
			wire: []wireComponent{
				{ID: "g1", Name: "Droplets", Status: "partial_outage", Group: true},
				{ID: "c1", Name: "NYC3", Status: "major_outage", GroupID: "g1"},
				{ID: "g2", Name: "Volumes", Status: "operational", Group: true},
				{ID: "c2", Name: "NYC3", Status: "operational", GroupID: "g2"},
				{ID: "c3", Name: "API", Status: "operational"},
			},
			want: []item.Component{
				{Name: "Droplets / NYC3", Status: "major_outage"},
				{Name: "Volumes / NYC3", Status: "operational"},
				{Name: "API", Status: "operational"},
			},
		},
		{
			name: "group listed after its members",
			wire: []wireComponent{
				{ID: "c1", Name: "Email", Status: "operational", GroupID: "g1"},
				{ID: "g1", Name: "Notifications", Status: "operational", Group: true},
			},
			want: []item.Component{{Name: "Notifications / Email", Status: "operational"}},
		},
		{
			name: "unknown group keeps the plain name",
			wire: []wireComponent{{ID: "c1", Name: "Email", Status: "operational", GroupID: "gone"}},
			want: []item.Component{{Name: "Email", Status: "operational"}},
		},
		{
			name: "same name twice stays unique through the id",
			wire: []wireComponent{
				{ID: "c1", Name: "Web", Status: "operational"},
				{ID: "c2", Name: "Web", Status: "major_outage"},
			},
			want: []item.Component{
				{Name: "Web", Status: "operational"},
				{Name: "Web (c2)", Status: "major_outage"},
			},
		},
		{
			name: "a name still clashing after the id suffix is left out",
			wire: []wireComponent{
				{ID: "c1", Name: "Web", Status: "operational"},
				{ID: "c3", Name: "Web (c2)", Status: "operational"},
				{ID: "c2", Name: "Web", Status: "major_outage"},
			},
			want: []item.Component{
				{Name: "Web", Status: "operational"},
				{Name: "Web (c2)", Status: "operational"},
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

func TestBuildBatchMerge(t *testing.T) {
	older := wireItem{ID: "i1", Status: "investigating", Impact: "minor",
		CreatedAt: at("2024-09-16T10:00:00Z"), UpdatedAt: at("2024-09-16T10:05:00Z")}
	newer := wireItem{ID: "i1", Status: "resolved", Impact: "major",
		CreatedAt: at("2024-09-16T10:00:00Z"), UpdatedAt: at("2024-09-16T11:00:00Z"),
		ResolvedAt: at("2024-09-16T11:00:00Z")}
	sameTimeLater := newer
	sameTimeLater.Impact = "critical"
	maint := wireItem{ID: "m1", Status: "scheduled", Impact: "maintenance",
		CreatedAt: at("2024-09-01T00:00:00Z"), UpdatedAt: at("2024-09-01T00:00:00Z"),
		ScheduledFor: at("2024-09-20T00:00:00Z")}
	other := wireItem{ID: "i2", Status: "resolved", Impact: "none",
		CreatedAt: at("2024-09-15T00:00:00Z"), UpdatedAt: at("2024-09-15T01:00:00Z"),
		ResolvedAt: at("2024-09-15T01:00:00Z")}

	tests := []struct {
		name                   string
		sum                    summary
		incidents, maints      []wireItem
		wantIncidents          []string // id:impact, in order
		wantMaintenances       []string
		wantResolved, wantOpen int
	}{
		{
			name:          "newer version in a later list wins",
			sum:           summary{Incidents: []wireItem{older}},
			incidents:     []wireItem{other, newer},
			wantIncidents: []string{"i1:major", "i2:none"},
			wantResolved:  2,
		},
		{
			name:          "older version in a later list loses",
			sum:           summary{Incidents: []wireItem{newer}},
			incidents:     []wireItem{older},
			wantIncidents: []string{"i1:major"},
			wantResolved:  1,
		},
		{
			name:          "on a tie the later fetch wins",
			incidents:     []wireItem{newer},
			maints:        []wireItem{sameTimeLater},
			wantIncidents: []string{"i1:critical"},
			wantResolved:  1,
		},
		{
			name:             "maintenance in the incidents list is a maintenance",
			sum:              summary{Incidents: []wireItem{older}},
			incidents:        []wireItem{maint, older},
			maints:           []wireItem{maint},
			wantIncidents:    []string{"i1:minor"},
			wantMaintenances: []string{"m1"},
			wantOpen:         1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := buildBatch(tt.sum, tt.incidents, tt.maints, time.Time{})
			var gotIncidents []string
			resolved, open := 0, 0
			for _, inc := range b.Incidents {
				gotIncidents = append(gotIncidents, inc.ID+":"+string(inc.Impact))
				if inc.ResolvedAt.IsZero() {
					open++
				} else {
					resolved++
				}
			}
			if !reflect.DeepEqual(gotIncidents, tt.wantIncidents) {
				t.Errorf("incidents = %v, want %v", gotIncidents, tt.wantIncidents)
			}
			if got := collectortest.MaintenanceIDs(b.Maintenances); !reflect.DeepEqual(got, tt.wantMaintenances) {
				t.Errorf("maintenances = %v, want %v", got, tt.wantMaintenances)
			}
			if resolved != tt.wantResolved || open != tt.wantOpen {
				t.Errorf("resolved/open = %d/%d, want %d/%d", resolved, open, tt.wantResolved, tt.wantOpen)
			}
		})
	}
}

func TestBuildBatchHistoryStart(t *testing.T) {
	early := wireItem{ID: "early", CreatedAt: at("2024-12-31T23:59:59Z")}
	onTime := wireItem{ID: "on-time", CreatedAt: at("2025-01-01T00:00:00Z")}
	earlyMaint := wireItem{ID: "early-m", CreatedAt: at("2024-12-01T00:00:00Z"), ScheduledFor: at("2025-01-05T00:00:00Z")}

	b := buildBatch(summary{}, []wireItem{early, onTime}, []wireItem{earlyMaint}, collectortest.UTC("2025-01-01T00:00:00Z"))
	if got := collectortest.IncidentIDs(b.Incidents); !reflect.DeepEqual(got, []string{"on-time"}) {
		t.Errorf("incidents = %v, want [on-time]", got)
	}
	if len(b.Maintenances) != 0 {
		t.Errorf("maintenances = %v, want none", collectortest.MaintenanceIDs(b.Maintenances))
	}
}

func TestIncidentResolvedAt(t *testing.T) {
	updates := []wireUpdate{
		{Status: "resolved", CreatedAt: at("2024-09-16T11:00:00Z")}, // no display_at: created_at counts
		{Status: "resolved", DisplayAt: at("2024-09-16T10:50:00Z"), CreatedAt: at("2024-09-16T11:30:00Z")},
		{Status: "investigating", DisplayAt: at("2024-09-16T10:00:00Z")},
		{Status: "resolved"}, // no time at all: ignored
	}
	tests := []struct {
		name string
		item wireItem
		want time.Time
	}{
		{"resolved: resolved_at", wireItem{Status: "resolved", ResolvedAt: at("2024-09-16T12:00:00Z"), Updates: updates}, collectortest.UTC("2024-09-16T12:00:00Z")},
		{"postmortem counts as resolved", wireItem{Status: "postmortem", ResolvedAt: at("2024-09-16T12:00:00Z")}, collectortest.UTC("2024-09-16T12:00:00Z")},
		{"no resolved_at: last resolving update", wireItem{Status: "resolved", Updates: updates}, collectortest.UTC("2024-09-16T11:00:00Z")},
		{"nothing else: updated_at", wireItem{Status: "resolved", UpdatedAt: at("2024-09-16T13:00:00Z")}, collectortest.UTC("2024-09-16T13:00:00Z")},
		{"unresolved stays open even with resolved_at", wireItem{Status: "monitoring", ResolvedAt: at("2024-09-16T12:00:00Z")}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.item.ID, tt.item.CreatedAt = "i1", at("2024-09-16T09:00:00Z")
			if got := toIncident(tt.item, nil).ResolvedAt; !got.Equal(tt.want) {
				t.Errorf("ResolvedAt = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIncidentUpdatesSkipUntimed(t *testing.T) {
	it := wireItem{ID: "i1", Updates: []wireUpdate{
		{Status: "investigating", DisplayAt: at("2024-09-16T10:00:00Z")},
		{Status: "identified", CreatedAt: at("2024-09-16T10:30:00Z")},
		{Status: "monitoring"},
	}}
	want := []time.Time{collectortest.UTC("2024-09-16T10:00:00Z"), collectortest.UTC("2024-09-16T10:30:00Z")}
	if got := toIncident(it, nil).Updates; !reflect.DeepEqual(got, want) {
		t.Errorf("Updates = %v, want %v", got, want)
	}
}

func TestMaintenanceCompletedAt(t *testing.T) {
	updates := []wireUpdate{
		{Status: "completed", DisplayAt: at("2024-12-15T01:26:00Z")},
		{Status: "in_progress", DisplayAt: at("2024-12-15T01:00:00Z")},
	}
	tests := []struct {
		name string
		item wireItem
		want time.Time
	}{
		{"completed: resolved_at", wireItem{Status: "completed", ResolvedAt: at("2024-12-15T01:27:00Z"), Updates: updates}, collectortest.UTC("2024-12-15T01:27:00Z")},
		{"no resolved_at: completed update", wireItem{Status: "completed", Updates: updates}, collectortest.UTC("2024-12-15T01:26:00Z")},
		{"nothing else: updated_at", wireItem{Status: "completed", UpdatedAt: at("2024-12-15T02:00:00Z")}, collectortest.UTC("2024-12-15T02:00:00Z")},
		{"in progress: not completed", wireItem{Status: "in_progress", Updates: updates}, time.Time{}},
		{"verifying: not completed", wireItem{Status: "verifying", ResolvedAt: at("2024-12-15T01:27:00Z")}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.item.ID, tt.item.ScheduledFor = "m1", at("2024-12-15T01:00:00Z")
			if got := tt.item.Maintenance().CompletedAt; !got.Equal(tt.want) {
				t.Errorf("CompletedAt = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestImpact(t *testing.T) {
	tests := map[string]item.Impact{
		"none":        item.ImpactNone,
		"minor":       item.ImpactMinor,
		"major":       item.ImpactMajor,
		"critical":    item.ImpactCritical,
		"maintenance": item.ImpactNone,
		"":            item.ImpactNone,
		"Critical":    item.ImpactNone,
	}
	for in, want := range tests {
		if got := statusitems.StatuspageImpact(in); got != want {
			t.Errorf("impact(%q) = %q, want %q", in, got, want)
		}
	}
}
