package statusio

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func TestDecodePayloads(t *testing.T) {
	tests := []struct {
		file         string
		components   []item.Component // the first few, in order
		count        int              // all components
		incidents    []item.Incident
		maintenances []item.Maintenance
	}{
		{
			file:       "docs_public_status_api_example.json",
			components: []item.Component{{Name: "Website", Status: "operational"}},
			count:      1,
		},
		{
			file: "gitlab-status-2023-06-29-1-upcoming-maintenance.json",
			components: []item.Component{
				{Name: "Website", Status: "operational"},
				{Name: "API", Status: "operational"},
				{Name: "Git Operations", Status: "operational"},
			},
			count: 17,
			maintenances: []item.Maintenance{{
				ID:             "649d8d7a6c2f36053b37055d",
				Title:          "CI Cluster PostgreSQL 14 Upgrade",
				CreatedAt:      collectortest.UTC("2023-06-29T13:56:10.250Z"),
				UpdatedAt:      collectortest.UTC("2023-06-29T13:56:10.282Z"),
				ScheduledFor:   collectortest.UTC("2023-07-08T14:00:00Z"),
				ScheduledUntil: collectortest.UTC("2023-07-08T19:00:00Z"),
			}},
		},
		{
			file: "constructed-status-incident-and-active-maintenance.json",
			components: []item.Component{
				{Name: "Website", Status: "operational"},
				{Name: "API", Status: "major_outage"},
				{Name: "Dashboard", Status: "degraded_performance"},
				{Name: "Webhooks", Status: "partial_outage"},
				{Name: "Database", Status: "under_maintenance"},
				{Name: "Login", Status: "security_event"},
			},
			count: 6,
			incidents: []item.Incident{
				{
					ID:    "65f0b7d1e3d4b5a697000301",
					Title: "Elevated API error rates",
					// The latest post (09:41, listed second) set 500.
					Impact:    item.ImpactCritical,
					CreatedAt: collectortest.UTC("2024-03-12T08:47:19.377Z"),
					UpdatedAt: collectortest.UTC("2024-03-12T09:41:07.512Z"),
					Updates: []time.Time{
						collectortest.UTC("2024-03-12T08:47:19.401Z"), collectortest.UTC("2024-03-12T09:41:07.512Z"), collectortest.UTC("2024-03-12T09:12:40.001Z"),
					},
					Components: []string{"API", "Dashboard", "Webhooks"},
				},
				{
					ID:         "65f0b7d1e3d4b5a697000302",
					Title:      "Suspicious login attempts",
					Impact:     item.ImpactCritical, // a security event
					CreatedAt:  collectortest.UTC("2024-03-11T22:30:00Z"),
					UpdatedAt:  collectortest.UTC("2024-03-11T22:30:00Z"),
					Updates:    []time.Time{collectortest.UTC("2024-03-11T22:30:00Z")},
					Components: []string{"Login"},
				},
			},
			maintenances: []item.Maintenance{{
				ID:             "65e9c0a0e3d4b5a697000401",
				Title:          "Database failover test",
				CreatedAt:      collectortest.UTC("2024-03-08T15:04:33.870Z"),
				UpdatedAt:      collectortest.UTC("2024-03-12T06:00:00Z"),
				ScheduledFor:   collectortest.UTC("2024-03-12T06:00:00Z"),
				ScheduledUntil: collectortest.UTC("2024-03-12T10:00:00Z"),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res, err := decodeStatus(collectortest.Testdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			b := buildBatch(res, time.Time{})
			if len(b.Components) != tt.count {
				t.Errorf("components = %d, want %d", len(b.Components), tt.count)
			}
			if got := b.Components[:len(tt.components)]; !reflect.DeepEqual(got, tt.components) {
				t.Errorf("components = %+v, want %+v", got, tt.components)
			}
			if !reflect.DeepEqual(b.Incidents, tt.incidents) {
				t.Errorf("incidents:\n got  %+v\n want %+v", b.Incidents, tt.incidents)
			}
			if !reflect.DeepEqual(b.Maintenances, tt.maintenances) {
				t.Errorf("maintenances:\n got  %+v\n want %+v", b.Maintenances, tt.maintenances)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr string
	}{
		{"not JSON", `<html>Bad gateway</html>`, "invalid character"},
		{"truncated", `{"result": {"status": [`, "unexpected end"},
		{"no result", `{"status": {"error": "yes", "message": "Page not found"}}`, `no "result" object`},
		{"result null", `{"result": null}`, `no "result" object`},
		{"no component list", `{"result": {"incidents": []}}`, `no "result.status" array`},
		{"component list of the wrong type", `{"result": {"status": {"id": "a"}}}`, "cannot unmarshal"},
		{"incident without id", `{"result": {"status": [], "incidents": [{"datetime_open": "2024-03-12T08:47:19.377Z"}]}}`, "incidents: item 0 has no _id"},
		{"incident without datetime_open", `{"result": {"status": [], "incidents": [{"_id": "i1"}]}}`, "incidents: item i1 has no datetime_open"},
		{"maintenance without start", `{"result": {"status": [], "maintenance": {"upcoming": [{"_id": "m1", "datetime_open": "2024-03-12T08:47:19.377Z"}]}}}`, "upcoming maintenance: item m1 has no datetime_planned_start"},
		{"active maintenance without id", `{"result": {"status": [], "maintenance": {"active": [{"datetime_open": "2024-03-12T08:47:19.377Z"}]}}}`, "active maintenance: item 0 has no _id"},
		{"bad timestamp", `{"result": {"status": [], "incidents": [{"_id": "i1", "datetime_open": "12/03/2024"}]}}`, `timestamp "12/03/2024"`},
		{"numeric timestamp", `{"result": {"status": [], "incidents": [{"_id": "i1", "datetime_open": 1710233239}]}}`, "timestamp"},
		{"status code as text", `{"result": {"status": [{"id": "c1", "name": "API", "status_code": "100"}]}}`, "cannot unmarshal string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeStatus([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
