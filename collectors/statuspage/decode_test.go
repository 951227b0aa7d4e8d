package statuspage

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func TestDecodeSummary(t *testing.T) {
	tests := []struct {
		file            string
		components      int               // group containers excluded
		notOperational  int               // components whose status is not operational
		statuses        map[string]string // a few components by their exported name
		incidents       []string
		maintenances    []string
		uniqueNamesOnly bool
	}{
		{
			file:           "githubstatus_summary_major_outage_2020-04-02.json",
			components:     9,
			notOperational: 6,
			statuses: map[string]string{
				"Git Operations": "major_outage",
				"GitHub Actions": "partial_outage",
				"GitHub Pages":   "operational",
			},
			incidents: []string{"80d0cs6kpsps"},
		},
		{
			file:           "atlassian-statuspage-summary-2023-10-28-44of50-nonop.json",
			components:     41, // 50 minus 9 groups
			notOperational: 36,
			statuses: map[string]string{
				"Hosted Pages / HTTP Pages": "degraded_performance",
				"Support Sites / Ticketing": "operational",
				"Signup":                    "degraded_performance", // the one component outside any group
			},
			incidents: []string{"cjk3z1vlfv55"},
		},
		{
			file:           "digitalocean-summary-2024-11-29-36of202-nonop.json",
			components:     187, // 202 minus 15 groups
			notOperational: 29,
			statuses: map[string]string{
				// "NYC3" is a component of a dozen groups.
				"Droplets / NYC3":           "operational",
				"Container Registry / NYC3": "degraded_performance",
				"API":                       "operational",
			},
			incidents:       []string{"jm44h02t22ck"},
			uniqueNamesOnly: true,
		},
		{
			file:           "githubstatus-summary-2022-03-25-maintenance-4-scheduled.json",
			components:     10,
			notOperational: 1,
			statuses:       map[string]string{"GitHub Actions": "under_maintenance"},
			maintenances:   []string{"n2vqnsg14tw2", "d689nf6g005c", "qt1dj8v3whg9", "cz2k50kvfwsw"},
		},
		{
			file:           "jira-software-summary-2025-03-19-major-3-incidents-1-maint.json",
			components:     11,
			notOperational: 11,
			statuses:       map[string]string{"Viewing content": "partial_outage"},
			incidents:      []string{"kmm6nrlmqst9", "gzl6g8sy321g", "yy18rh6bl4v5"},
			maintenances:   []string{"13yfkv7c6xd5"},
		},
		{
			// incident.io's Statuspage-compatible API: no groups, no
			// scheduled_maintenances key.
			file:           "openai-incidentio-summary-2026-09-29-22-degraded-2-incidents.json",
			components:     25,
			notOperational: 22,
			statuses:       map[string]string{"Realtime": "degraded_performance", "Ads API": "operational"},
			incidents:      []string{"01M3Q4RK1SM4EMK445GGPG7C0N", "01M3Q4HMNP8SZ27DTZKW6F5BJ4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			sum, err := decodeSummary(collectortest.Testdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			b := buildBatch(sum, nil, nil, time.Time{})
			if len(b.Components) != tt.components {
				t.Errorf("components = %d, want %d", len(b.Components), tt.components)
			}
			got := map[string]string{}
			notOperational := 0
			for _, c := range b.Components {
				if _, dup := got[c.Name]; dup {
					t.Errorf("component name %q appears twice", c.Name)
				}
				got[c.Name] = c.Status
				if c.Status != "operational" {
					notOperational++
				}
			}
			if notOperational != tt.notOperational {
				t.Errorf("non-operational components = %d, want %d", notOperational, tt.notOperational)
			}
			for name, status := range tt.statuses {
				if got[name] != status {
					t.Errorf("component %q status = %q, want %q", name, got[name], status)
				}
			}
			if g := collectortest.IncidentIDs(b.Incidents); !reflect.DeepEqual(g, tt.incidents) {
				t.Errorf("incidents = %v, want %v", g, tt.incidents)
			}
			if g := collectortest.MaintenanceIDs(b.Maintenances); !reflect.DeepEqual(g, tt.maintenances) {
				t.Errorf("maintenances = %v, want %v", g, tt.maintenances)
			}
			if b.Cursor != nil {
				t.Errorf("cursor = %q, want nil", b.Cursor)
			}
		})
	}
}

// decoder reads a testdata file into what buildBatch takes.
type decoder func([]byte) (summary, []wireItem, error)

func fromSummary(b []byte) (summary, []wireItem, error) {
	sum, err := decodeSummary(b)
	return sum, nil, err
}

func fromList(decode func([]byte) ([]wireItem, error)) decoder {
	return func(b []byte) (summary, []wireItem, error) {
		items, err := decode(b)
		return summary{}, items, err
	}
}

// decodeSingle reads /api/v2/incidents/<code>.json, whose incident has the
// schema of an incidents.json element; the collector never calls it, but
// its captures are the richest incidents we hold.
func decodeSingle(body []byte) ([]wireItem, error) {
	var doc struct {
		Incident wireItem `json:"incident"`
	}
	err := json.Unmarshal(body, &doc)
	return []wireItem{doc.Incident}, err
}

func TestDecodeIncident(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		decode decoder
		want   item.Incident
	}{
		{
			name:   "documented unresolved, -06:00 offsets, no started_at",
			file:   "docs_meta_incidents_unresolved_style.json",
			decode: fromList(decodeIncidents),
			want: item.Incident{
				ID: "cp306tmzcl0y", Title: "Unplanned Database Outage", Impact: item.ImpactCritical,
				CreatedAt: collectortest.UTC("2014-05-14T20:22:39.441Z"),
				UpdatedAt: collectortest.UTC("2014-05-14T20:35:21.711Z"),
				Updates:   []time.Time{collectortest.UTC("2014-05-14T20:22:40.301Z")},
			},
		},
		{
			name:   "documented resolved",
			file:   "docs_meta_incidents_unresolved_style.json",
			decode: fromList(decodeIncidents),
			want: item.Incident{
				ID: "2z5g29qrrxvl", Title: "Unplanned Database Outage", Impact: item.ImpactMinor,
				CreatedAt:  collectortest.UTC("2014-05-12T20:22:39.441Z"),
				ResolvedAt: collectortest.UTC("2014-05-12T20:22:40.301Z"),
				UpdatedAt:  collectortest.UTC("2014-05-12T20:22:40.301Z"),
				Updates:    []time.Time{collectortest.UTC("2014-05-12T20:22:40.301Z")},
			},
		},
		{
			name:   "incidents.json resolved with components",
			file:   "stactus_githubstatus_incidents_trimmed.json",
			decode: fromList(decodeIncidents),
			want: item.Incident{
				ID: "69sb0f8lydp4", Title: "Incident with Pages and Actions", Impact: item.ImpactMajor,
				CreatedAt:  collectortest.UTC("2024-09-16T21:31:02.719Z"),
				StartedAt:  collectortest.UTC("2024-09-16T21:31:02.713Z"),
				ResolvedAt: collectortest.UTC("2024-09-16T22:08:39.333Z"),
				UpdatedAt:  collectortest.UTC("2024-09-16T22:08:39.349Z"),
				Updates: []time.Time{
					collectortest.UTC("2024-09-16T22:08:39.333Z"), collectortest.UTC("2024-09-16T21:55:28.472Z"),
					collectortest.UTC("2024-09-16T21:53:48.129Z"), collectortest.UTC("2024-09-16T21:52:44.092Z"),
					collectortest.UTC("2024-09-16T21:37:26.995Z"), collectortest.UTC("2024-09-16T21:31:02.798Z"),
				},
				Components: []string{"Actions", "Pages"},
			},
		},
		{
			name:   "display_at preferred to created_at",
			file:   "githubstatus-incident-gqx5l06jjxhp.json",
			decode: fromList(decodeSingle),
			want: item.Incident{
				ID: "gqx5l06jjxhp", Title: "Incident On 2023-06-29", Impact: item.ImpactCritical,
				CreatedAt:  collectortest.UTC("2023-06-29T17:52:11.477Z"),
				StartedAt:  collectortest.UTC("2023-06-29T17:52:11.466Z"),
				ResolvedAt: collectortest.UTC("2023-06-29T18:36:19Z"),
				UpdatedAt:  collectortest.UTC("2023-06-30T09:50:00.389Z"),
				Updates: []time.Time{
					collectortest.UTC("2023-06-29T18:36:19Z"), // created_at is 18:36:19.484
					collectortest.UTC("2023-06-29T18:35:47.915Z"), collectortest.UTC("2023-06-29T18:33:01.047Z"),
					collectortest.UTC("2023-06-29T18:22:22.171Z"), collectortest.UTC("2023-06-29T18:20:34.691Z"),
					collectortest.UTC("2023-06-29T18:12:28.452Z"), collectortest.UTC("2023-06-29T18:02:16.596Z"),
					collectortest.UTC("2023-06-29T17:52:11.671Z"),
				},
				Components: []string{"Git Operations", "API Requests", "Webhooks", "Issues", "Pull Requests",
					"Actions", "Packages", "Pages", "Codespaces", "Copilot"},
			},
		},
		{
			name:   "critical, empty components",
			file:   "githubstatus-incident-rgy28jwprr1c.json",
			decode: fromList(decodeSingle),
			want: item.Incident{
				ID: "rgy28jwprr1c", Title: "Notifications degredation", Impact: item.ImpactCritical,
				CreatedAt:  collectortest.UTC("2019-09-23T16:12:01.654Z"),
				StartedAt:  collectortest.UTC("2019-09-23T16:12:01.644Z"),
				ResolvedAt: collectortest.UTC("2019-09-23T16:37:46.707Z"),
				UpdatedAt:  collectortest.UTC("2019-09-23T16:37:47.378Z"),
				Updates: []time.Time{
					collectortest.UTC("2019-09-23T16:37:46.707Z"), collectortest.UTC("2019-09-23T16:28:27.036Z"),
					collectortest.UTC("2019-09-23T16:22:14.769Z"), collectortest.UTC("2019-09-23T16:12:01.706Z"),
				},
			},
		},
		{
			name:   "impact none",
			file:   "githubstatus-incident-1cdsggtd2q5k.json",
			decode: fromList(decodeSingle),
			want: item.Incident{
				ID: "1cdsggtd2q5k", Title: "Investigating reports of degraded performance.", Impact: item.ImpactNone,
				CreatedAt:  collectortest.UTC("2023-02-02T11:29:38.497Z"),
				StartedAt:  collectortest.UTC("2023-02-02T11:29:38.489Z"),
				ResolvedAt: collectortest.UTC("2023-02-02T11:55:38.490Z"),
				UpdatedAt:  collectortest.UTC("2023-02-02T11:55:38.507Z"),
				Updates: []time.Time{
					collectortest.UTC("2023-02-02T11:55:38.490Z"), collectortest.UTC("2023-02-02T11:29:47.040Z"),
					collectortest.UTC("2023-02-02T11:29:38.544Z"),
				},
			},
		},
		{
			name:   "summary incident, components named with their group",
			file:   "atlassian-statuspage-summary-2023-10-28-44of50-nonop.json",
			decode: fromSummary,
			want: item.Incident{
				ID: "cjk3z1vlfv55", Title: "Intermittent errors while accessing public Statuspages", Impact: item.ImpactMinor,
				CreatedAt: collectortest.UTC("2023-10-28T07:36:24.422Z"),
				StartedAt: collectortest.UTC("2023-10-28T07:36:24.412Z"),
				UpdatedAt: collectortest.UTC("2023-10-28T07:36:24.463Z"),
				Updates:   []time.Time{collectortest.UTC("2023-10-28T07:36:24.461Z")},
				Components: []string{"Hosted Pages / HTTP Pages", "Hosted Pages / HTTPS Pages",
					"Hosted Pages / Public API"},
			},
		},
		{
			name:   "incident.io: no started_at, resolved_at nor components",
			file:   "openai-incidentio-summary-2026-09-29-22-degraded-2-incidents.json",
			decode: fromSummary,
			want: item.Incident{
				ID: "01M3Q4RK1SM4EMK445GGPG7C0N", Title: "Elevated errors across ChatGPT, Codex, and the API including the Agents API", Impact: item.ImpactMinor,
				CreatedAt: collectortest.UTC("2026-09-29T17:52:52Z"),
				UpdatedAt: collectortest.UTC("2026-09-29T18:24:17Z"),
				Updates:   []time.Time{collectortest.UTC("2026-09-29T18:24:17Z"), collectortest.UTC("2026-09-29T17:52:52Z")},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, items, err := tt.decode(collectortest.Testdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			b := buildBatch(sum, items, nil, time.Time{})
			for _, got := range b.Incidents {
				if got.ID == tt.want.ID {
					if !reflect.DeepEqual(got, tt.want) {
						t.Errorf("got  %+v\nwant %+v", got, tt.want)
					}
					return
				}
			}
			t.Fatalf("incident %s not in %v", tt.want.ID, collectortest.IncidentIDs(b.Incidents))
		})
	}
}

func TestDecodeMaintenance(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		decode decoder
		want   item.Maintenance
	}{
		{
			name:   "documented scheduled, -06:00 offsets",
			file:   "docs_meta_scheduled_maintenances.json",
			decode: fromList(decodeMaintenances),
			want: item.Maintenance{
				ID:             "w1zdr745wmfy",
				Title:          "Network Maintenance (No Interruption Expected)",
				CreatedAt:      collectortest.UTC("2014-05-14T20:24:40.430Z"),
				UpdatedAt:      collectortest.UTC("2014-05-14T20:24:41.918Z"),
				ScheduledFor:   collectortest.UTC("2014-05-18T04:00:00Z"),
				ScheduledUntil: collectortest.UTC("2014-05-18T05:30:00Z"),
			},
		},
		{
			name:   "documented in progress",
			file:   "docs_meta_scheduled_maintenances.json",
			decode: fromList(decodeMaintenances),
			want: item.Maintenance{
				ID:             "k7mf5z1gz05c",
				Title:          "Web Tier Recycle",
				CreatedAt:      collectortest.UTC("2014-05-14T20:27:17.303Z"),
				UpdatedAt:      collectortest.UTC("2014-05-14T20:35:12.258Z"),
				ScheduledFor:   collectortest.UTC("2014-05-14T20:30:00Z"),
				ScheduledUntil: collectortest.UTC("2014-05-14T22:30:00Z"),
			},
		},
		{
			name:   "completed: resolved_at",
			file:   "claude-anthropic-scheduled-maintenances-2026-09-15-2-completed.json",
			decode: fromList(decodeMaintenances),
			want: item.Maintenance{
				ID:             "x017628t2rl5",
				Title:          "Upgrades to Connector Auth Storage",
				CreatedAt:      collectortest.UTC("2025-08-29T01:23:38.417Z"),
				UpdatedAt:      collectortest.UTC("2025-08-29T02:40:21.294Z"),
				ScheduledFor:   collectortest.UTC("2025-08-29T01:25:00Z"),
				ScheduledUntil: collectortest.UTC("2025-08-29T02:40:00Z"),
				CompletedAt:    collectortest.UTC("2025-08-29T02:40:21.277Z"),
			},
		},
		{
			name:   "completed early",
			file:   "claude-anthropic-scheduled-maintenances-2026-09-15-2-completed.json",
			decode: fromList(decodeMaintenances),
			want: item.Maintenance{
				ID:             "16z0qdmy3qv2",
				Title:          "Scheduled maintenance for Claude.ai and Anthropic Console",
				CreatedAt:      collectortest.UTC("2024-12-13T18:39:41.950Z"),
				UpdatedAt:      collectortest.UTC("2024-12-15T01:26:47.971Z"),
				ScheduledFor:   collectortest.UTC("2024-12-15T01:00:00Z"),
				ScheduledUntil: collectortest.UTC("2024-12-15T01:30:00Z"),
				CompletedAt:    collectortest.UTC("2024-12-15T01:26:47.953Z"),
			},
		},
		{
			name:   "summary, in progress",
			file:   "jira-software-summary-2025-03-19-major-3-incidents-1-maint.json",
			decode: fromSummary,
			want: item.Maintenance{
				ID:             "13yfkv7c6xd5",
				Title:          "Maintenance Notification for Jira and Confluence Platforms (Singapore and Northern California Only)",
				CreatedAt:      collectortest.UTC("2025-03-17T10:53:03.282Z"),
				UpdatedAt:      collectortest.UTC("2025-03-18T00:00:21.733Z"),
				ScheduledFor:   collectortest.UTC("2025-03-18T00:00:00Z"),
				ScheduledUntil: collectortest.UTC("2025-06-01T00:00:00Z"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, items, err := tt.decode(collectortest.Testdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			b := buildBatch(sum, items, nil, time.Time{})
			for _, got := range b.Maintenances {
				if got.ID == tt.want.ID {
					if !reflect.DeepEqual(got, tt.want) {
						t.Errorf("got  %+v\nwant %+v", got, tt.want)
					}
					return
				}
			}
			t.Fatalf("maintenance %s not in %v", tt.want.ID, collectortest.MaintenanceIDs(b.Maintenances))
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name    string
		decode  func([]byte) error
		body    string
		wantErr string
	}{
		{"not JSON", decodeErr(decodeSummary), `<html>maintenance</html>`, "invalid character"},
		{"truncated", decodeErr(decodeIncidents), `{"incidents": [{"id": "a", "created_at": "2024-`, "unexpected end"},
		{"summary without components", decodeErr(decodeSummary), `{"page": {}, "incidents": []}`, `no "components" array`},
		{"components null", decodeErr(decodeSummary), `{"components": null}`, `no "components" array`},
		{"incidents missing", decodeErr(decodeIncidents), `{"scheduled_maintenances": []}`, `no "incidents" array`},
		{"maintenances missing", decodeErr(decodeMaintenances), `{"incidents": []}`, `no "scheduled_maintenances" array`},
		{"array of the wrong type", decodeErr(decodeIncidents), `{"incidents": {"id": "a"}}`, "cannot unmarshal"},
		{"item without id", decodeErr(decodeIncidents), `{"incidents": [{"created_at": "2024-09-16T21:31:02Z"}]}`, "item 0 has no id"},
		{"item without created_at", decodeErr(decodeMaintenances), `{"scheduled_maintenances": [{"id": "m1"}]}`, "item m1 has no created_at"},
		{"summary item without id", decodeErr(decodeSummary), `{"components": [], "incidents": [{"status": "investigating"}]}`, "incidents: item 0 has no id"},
		{"summary maintenance without created_at", decodeErr(decodeSummary), `{"components": [], "scheduled_maintenances": [{"id": "m1"}]}`, "scheduled_maintenances: item m1 has no created_at"},
		{"maintenances not an object", decodeErr(decodeMaintenances), `[]`, "cannot unmarshal array"},
		{"bad timestamp", decodeErr(decodeIncidents), `{"incidents": [{"id": "a", "created_at": "16/09/2024"}]}`, `timestamp "16/09/2024"`},
		{"numeric timestamp", decodeErr(decodeIncidents), `{"incidents": [{"id": "a", "created_at": 1726522262}]}`, "timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.decode([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func decodeErr[T any](decode func([]byte) (T, error)) func([]byte) error {
	return func(b []byte) error {
		_, err := decode(b)
		return err
	}
}
