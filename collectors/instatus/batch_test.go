package instatus

import (
	"reflect"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func at(s string) instant { return instant{collectortest.UTC(s)} }

func TestBuildBatchDocsExample(t *testing.T) {
	sum, err := decodeSummary(collectortest.Testdata(t, docsSummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	comps, err := decodeComponents(collectortest.Testdata(t, wistiaComponents))
	if err != nil {
		t.Fatal(err)
	}
	now := collectortest.UTC("2022-06-11T19:00:00Z")
	b, next := buildBatch(sum, comps, cursor{}, now, time.Time{})

	wantIncident := item.Incident{ID: docsIncidentID, Title: "We're facing an issue with our API", Impact: item.ImpactCritical, StartedAt: collectortest.UTC("2022-06-11T18:55:50Z")}
	if len(b.Incidents) != 1 || !reflect.DeepEqual(b.Incidents[0], wantIncident) {
		t.Errorf("incidents = %+v, want [%+v]: no creation time, no updates", b.Incidents, wantIncident)
	}
	wantMaintenance := item.Maintenance{ID: docsMaintenanceID, Title: "Database maintenance",
		ScheduledFor: collectortest.UTC("2022-06-11T18:55:54Z"), ScheduledUntil: collectortest.UTC("2022-06-11T19:55:54Z")}
	if len(b.Maintenances) != 1 || b.Maintenances[0] != wantMaintenance {
		t.Errorf("maintenances = %+v, want [%+v]", b.Maintenances, wantMaintenance)
	}
	if want := []item.Component{{Name: wistiaComponentName, Status: "operational"}}; !reflect.DeepEqual(b.Components, want) {
		t.Errorf("components = %+v, want %+v", b.Components, want)
	}
	if !reflect.DeepEqual(next.Open, b.Incidents) {
		t.Errorf("cursor keeps %+v, want the open incident", next.Open)
	}
}

func TestIncidentResolution(t *testing.T) {
	now := collectortest.UTC("2026-03-20T12:00:00Z")
	open := item.Incident{ID: "gone", Impact: item.ImpactMajor, StartedAt: collectortest.UTC("2026-03-20T10:00:00Z")}
	tests := []struct {
		name         string
		listed       []wireIncident
		prev         []item.Incident
		wantResolved map[string]time.Time // by id; zero: open
		wantOpen     []string
	}{
		{
			name:         "left the list since the last sync: resolved now",
			prev:         []item.Incident{open},
			wantResolved: map[string]time.Time{"gone": now},
		},
		{
			name:         "still listed: open, kept in the cursor",
			listed:       []wireIncident{{ID: "gone", Status: "MONITORING", Impact: "PARTIALOUTAGE"}},
			prev:         []item.Incident{open},
			wantResolved: map[string]time.Time{"gone": {}},
			wantOpen:     []string{"gone"},
		},
		{
			name: "listed RESOLVED: at its updatedAt, or now without one",
			listed: []wireIncident{
				{ID: "r1", Status: "RESOLVED", UpdatedAt: at("2026-03-20T11:40:00Z")},
				{ID: "r2", Status: "resolved"},
			},
			wantResolved: map[string]time.Time{"r1": collectortest.UTC("2026-03-20T11:40:00Z"), "r2": now},
		},
		{
			name:         "listed twice: once",
			listed:       []wireIncident{{ID: "a", Status: "INVESTIGATING"}, {ID: "a", Status: "RESOLVED"}},
			wantResolved: map[string]time.Time{"a": {}},
			wantOpen:     []string{"a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, next := buildBatch(summary{Incidents: tt.listed}, nil, cursor{Open: tt.prev}, now, time.Time{})
			got := map[string]time.Time{}
			for _, inc := range b.Incidents {
				if _, dup := got[inc.ID]; dup {
					t.Errorf("incident %s emitted twice", inc.ID)
				}
				got[inc.ID] = inc.ResolvedAt
			}
			if !reflect.DeepEqual(got, tt.wantResolved) {
				t.Errorf("resolved = %v, want %v", got, tt.wantResolved)
			}
			var open []string
			for _, inc := range next.Open {
				open = append(open, inc.ID)
			}
			if !reflect.DeepEqual(open, tt.wantOpen) {
				t.Errorf("cursor open = %v, want %v", open, tt.wantOpen)
			}
		})
	}
}

func TestResolvedIncidentKeepsWhatWasKnown(t *testing.T) {
	prev := item.Incident{ID: "i", Impact: item.ImpactMinor, StartedAt: collectortest.UTC("2026-03-20T10:00:00Z"),
		UpdatedAt: collectortest.UTC("2026-03-20T10:30:00Z"), Components: []string{"API"}}
	b, _ := buildBatch(summary{}, nil, cursor{Open: []item.Incident{prev}}, collectortest.UTC("2026-03-20T12:00:00Z"), time.Time{})
	want := prev
	want.ResolvedAt = collectortest.UTC("2026-03-20T12:00:00Z")
	if len(b.Incidents) != 1 || !reflect.DeepEqual(b.Incidents[0], want) {
		t.Errorf("incidents = %+v, want [%+v]", b.Incidents, want)
	}
}

func TestMaintenances(t *testing.T) {
	sum := summary{Maintenances: []wireMaintenance{
		{ID: "done", Status: "COMPLETED", Start: at("2026-03-20T02:00:00Z"), Duration: minutes{time.Hour}, UpdatedAt: at("2026-03-20T02:50:00Z")},
		{ID: "open-ended", Status: "INPROGRESS", Start: at("2026-03-20T03:00:00Z")},
		{ID: "old", Status: "NOTSTARTEDYET", Start: at("2024-12-31T00:00:00Z")},
		{ID: "done", Status: "INPROGRESS", Start: at("2026-03-20T02:00:00Z")},
	}}
	b, _ := buildBatch(sum, nil, cursor{}, collectortest.UTC("2026-03-20T04:00:00Z"), collectortest.UTC("2025-01-01T00:00:00Z"))
	want := []item.Maintenance{
		{ID: "done", UpdatedAt: collectortest.UTC("2026-03-20T02:50:00Z"), ScheduledFor: collectortest.UTC("2026-03-20T02:00:00Z"),
			ScheduledUntil: collectortest.UTC("2026-03-20T03:00:00Z"), CompletedAt: collectortest.UTC("2026-03-20T02:50:00Z")},
		{ID: "open-ended", ScheduledFor: collectortest.UTC("2026-03-20T03:00:00Z")},
	}
	if !reflect.DeepEqual(b.Maintenances, want) {
		t.Errorf("maintenances = %+v\nwant %+v", b.Maintenances, want)
	}
}

func TestComponentStates(t *testing.T) {
	tests := []struct {
		name         string
		wire         []wireComponent
		want         []item.Component
		wantAffected map[string][]string
	}{
		{name: "empty page replaces the stored list", want: []item.Component{}, wantAffected: map[string][]string{}},
		{
			name: "groups: containers left out, members named after them",
			wire: []wireComponent{
				{ID: "g1", Name: "Europe", Status: "PARTIALOUTAGE"},
				{ID: "c1", Name: "API", Status: "MAJOROUTAGE", Group: &wireGroup{ID: "g1"}},
				{ID: "c2", Name: "API", Status: "OPERATIONAL", Group: &wireGroup{ID: "g2", Name: "America"}},
				{ID: "c3", Name: "Docs", Status: "MINOROUTAGE", Group: &wireGroup{ID: "unlisted"}},
				{ID: "c4", Name: "Chat", Status: "UNDERMAINTENANCE"},
			},
			want: []item.Component{
				{Name: "Europe / API", Status: "major_outage"},
				{Name: "America / API", Status: "operational"},
				{Name: "Docs", Status: "minoroutage"},
				{Name: "Chat", Status: "under_maintenance"},
			},
			wantAffected: map[string][]string{},
		},
		{
			name: "duplicate names take the id; affected incidents by id",
			wire: []wireComponent{
				{ID: "a", Name: "Web", Status: "DEGRADEDPERFORMANCE", ActiveIncidents: []wireRef{{ID: "i1"}, {ID: "i1"}}},
				{ID: "b", Name: "Web", Status: "PARTIALOUTAGE", ActiveIncidents: []wireRef{{ID: "i1"}, {ID: ""}}},
				{ID: "b", Name: "Web", Status: "PARTIALOUTAGE"},
			},
			want: []item.Component{
				{Name: "Web", Status: "degraded_performance"},
				{Name: "Web (b)", Status: "partial_outage"},
			},
			wantAffected: map[string][]string{"i1": {"Web", "Web (b)"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, affected := componentStates(tt.wire)
			if got == nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("components = %#v, want %#v", got, tt.want)
			}
			if !reflect.DeepEqual(affected, tt.wantAffected) {
				t.Errorf("affected = %v, want %v", affected, tt.wantAffected)
			}
		})
	}
}

func TestImpact(t *testing.T) {
	tests := map[string]item.Impact{
		"OPERATIONAL": item.ImpactNone, "DEGRADEDPERFORMANCE": item.ImpactMinor, "MINOROUTAGE": item.ImpactMinor,
		"PARTIALOUTAGE": item.ImpactMajor, "MAJOROUTAGE": item.ImpactCritical, "majoroutage": item.ImpactCritical,
		"UNDERMAINTENANCE": item.ImpactNone, "": item.ImpactNone,
	}
	for in, want := range tests {
		if got := impact(in); got != want {
			t.Errorf("impact(%q) = %q, want %q", in, got, want)
		}
	}
}
