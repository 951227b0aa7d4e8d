package incidentio

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

const (
	openaiSummaryFile = "openai-incidentio-summary-2026-09-29-22-degraded-2-incidents.json"
	widgetPreviewFile = "widget-fitnudge-guide-preview-1-incident-2-maint.json"
	widgetEmptyFile   = "widget-neon-docs-empty.json"
)

func eventIDs(events []widgetEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.ID)
	}
	return out
}

func TestDecodeWidget(t *testing.T) {
	tests := []struct {
		file                          string
		ongoing, inProgress, schedule []string
	}{
		{
			file:       widgetPreviewFile,
			ongoing:    []string{"01H0QJ89CRW5BKTY9N89MSDT5S"},
			inProgress: []string{"01FDAG4SAP5TYPT98WGR2N7W91"},
			schedule:   []string{"01FCNDV6P870EA6S7TK1DSYD5H"},
		},
		{file: widgetEmptyFile},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w, err := decodeWidget(collectortest.Testdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name      string
				got, want []string
			}{
				{"ongoing", eventIDs(w.Ongoing), tt.ongoing},
				{"in progress", eventIDs(w.InProgress), tt.inProgress},
				{"scheduled", eventIDs(w.Scheduled), tt.schedule},
			} {
				if !reflect.DeepEqual(c.got, c.want) {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestDecodeWidgetPreviewFields(t *testing.T) {
	w, err := decodeWidget(collectortest.Testdata(t, widgetPreviewFile))
	if err != nil {
		t.Fatal(err)
	}
	inc := w.Ongoing[0]
	wantAffected := []widgetComponent{{ID: "01H0QJ1BXP0E76RGBYRDHKA2KQ", Name: "Login", GroupName: "Authentication"}}
	if !reflect.DeepEqual(inc.AffectedComponents, wantAffected) {
		t.Errorf("affected = %+v, want %+v", inc.AffectedComponents, wantAffected)
	}
	at := collectortest.UTC("2026-01-26T02:11:43Z")
	if got := w.InProgress[0]; !got.StartedAt.Equal(at) || !got.ScheduledEndAt.Equal(at) || !got.StartsAt.IsZero() {
		t.Errorf("in progress window = %v..%v (starts_at %v), want %v..%v", got.StartedAt, got.ScheduledEndAt, got.StartsAt, at, at)
	}
	if got := w.Scheduled[0]; !got.StartsAt.Equal(at) || !got.EndsAt.Equal(at) || got.Status != "maintenance_scheduled" {
		t.Errorf("scheduled = %+v, want starts and ends at %v", got, at)
	}
}

func TestDecodeSummaryOpenAI(t *testing.T) {
	sum, err := decodeSummary(collectortest.Testdata(t, openaiSummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Components) != 25 {
		t.Errorf("components = %d, want 25", len(sum.Components))
	}
	degraded := 0
	for _, c := range sum.Components {
		if c.Status == "degraded_performance" {
			degraded++
		}
	}
	if degraded != 22 {
		t.Errorf("degraded components = %d, want 22", degraded)
	}
	if len(sum.Incidents) != 2 {
		t.Fatalf("incidents = %d, want 2", len(sum.Incidents))
	}
	first := sum.Incidents[0]
	if first.ID != "01M3Q4RK1SM4EMK445GGPG7C0N" || first.Impact != "minor" || first.Status != "investigating" {
		t.Errorf("first incident = %s %s %s, want 01M3Q4RK1SM4EMK445GGPG7C0N minor investigating", first.ID, first.Impact, first.Status)
	}
	if !first.CreatedAt.Equal(collectortest.UTC("2026-09-29T17:52:52Z")) || !first.StartedAt.IsZero() || !first.ResolvedAt.IsZero() {
		t.Errorf("first incident created/started/resolved = %v/%v/%v, want 17:52:52 and no others", first.CreatedAt, first.StartedAt, first.ResolvedAt)
	}
	wantUpdates := []time.Time{collectortest.UTC("2026-09-29T18:24:17Z"), collectortest.UTC("2026-09-29T17:52:52Z")}
	var gotUpdates []time.Time
	for _, u := range first.Updates {
		gotUpdates = append(gotUpdates, u.DisplayAt.Time)
	}
	if !reflect.DeepEqual(gotUpdates, wantUpdates) {
		t.Errorf("updates = %v, want %v", gotUpdates, wantUpdates)
	}
	if second := sum.Incidents[1]; second.ID != "01M3Q4HMNP8SZ27DTZKW6F5BJ4" || second.Impact != "none" {
		t.Errorf("second incident = %s %s, want 01M3Q4HMNP8SZ27DTZKW6F5BJ4 none", second.ID, second.Impact)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		decode  func([]byte) error
		body    string
		wantErr string
	}{
		{"widget not JSON", widgetErr, `<html>`, "invalid character"},
		{"widget without scheduled", widgetErr, `{"ongoing_incidents": [], "in_progress_maintenances": []}`, `no "scheduled_maintenances" array`},
		{"widget null ongoing", widgetErr, `{"ongoing_incidents": null, "in_progress_maintenances": [], "scheduled_maintenances": []}`, `no "ongoing_incidents" array`},
		{"widget event without id", widgetErr, `{"ongoing_incidents": [{"name": "x"}], "in_progress_maintenances": [], "scheduled_maintenances": []}`, "ongoing_incidents: event 0 has no id"},
		{"scheduled without start", widgetErr, `{"ongoing_incidents": [], "in_progress_maintenances": [], "scheduled_maintenances": [{"id": "m", "started_at": "2026-01-26T02:11:43Z"}]}`, "maintenance m has no start"},
		{"in progress without start", widgetErr, `{"ongoing_incidents": [], "in_progress_maintenances": [{"id": "m", "starts_at": "2026-01-26T02:11:43Z"}], "scheduled_maintenances": []}`, "maintenance m has no start"},
		{"widget bad time", widgetErr, `{"ongoing_incidents": [{"id": "i", "last_update_at": "yesterday"}], "in_progress_maintenances": [], "scheduled_maintenances": []}`, `timestamp "yesterday"`},
		{"summary without components", summaryErr, `{"incidents": []}`, `no "components" array`},
		{"summary incident without created_at", summaryErr, `{"components": [], "incidents": [{"id": "i"}]}`, "item i has no created_at"},
		{"incidents without array", incidentsErr, `{"page": {}}`, `no "incidents" array`},
		{"incident without id", incidentsErr, `{"incidents": [{"created_at": "2026-09-29T17:52:52Z"}]}`, "item 0 has no id"},
		{"incident time not a string", incidentsErr, `{"incidents": [{"id": "i", "created_at": 5}]}`, "timestamp"},
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

func widgetErr(b []byte) error    { _, err := decodeWidget(b); return err }
func summaryErr(b []byte) error   { _, err := decodeSummary(b); return err }
func incidentsErr(b []byte) error { _, err := decodeIncidents(b); return err }
