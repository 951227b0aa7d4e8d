package instatus

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

const (
	docsSummaryFile     = "summary-docs-example-1-incident-1-maint.json"
	wistiaSummaryFile   = "summary-wistia-up.json"
	wistiaComponents    = "components-wistia-1-operational.json"
	docsIncidentID      = "cl4a8n3070721qtmzvts760c4"
	docsMaintenanceID   = "cl4a8nlv50918qtmzdlw60ivu"
	wistiaComponentID   = "cm86c68hh003drlefrrklqlw1"
	wistiaComponentName = "Group Record"
)

func TestDecodeSummaryDocsExample(t *testing.T) {
	sum, err := decodeSummary(collectortest.Testdata(t, docsSummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Incidents) != 1 || len(sum.Maintenances) != 1 {
		t.Fatalf("got %d incidents, %d maintenances; want 1 and 1", len(sum.Incidents), len(sum.Maintenances))
	}
	inc := sum.Incidents[0]
	if inc.ID != docsIncidentID || inc.Status != "INVESTIGATING" || inc.Impact != "MAJOROUTAGE" {
		t.Errorf("incident = %s %s %s, want %s INVESTIGATING MAJOROUTAGE (id from the url)", inc.ID, inc.Status, inc.Impact, docsIncidentID)
	}
	if !inc.Started.Equal(collectortest.UTC("2022-06-11T18:55:50Z")) || !inc.UpdatedAt.IsZero() {
		t.Errorf("incident started/updated = %v/%v, want 2022-06-11T18:55:50Z and none", inc.Started, inc.UpdatedAt)
	}
	m := sum.Maintenances[0]
	if m.ID != docsMaintenanceID || m.Status != "NOTSTARTEDYET" || m.Duration.Duration != time.Hour {
		t.Errorf("maintenance = %s %s %v, want %s NOTSTARTEDYET 1h", m.ID, m.Status, m.Duration, docsMaintenanceID)
	}
	if !m.Start.Equal(collectortest.UTC("2022-06-11T18:55:54Z")) {
		t.Errorf("maintenance start = %v, want 2022-06-11T18:55:54Z", m.Start)
	}
}

func TestDecodeSummaryWistiaHealthy(t *testing.T) {
	sum, err := decodeSummary(collectortest.Testdata(t, wistiaSummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Incidents != nil || sum.Maintenances != nil {
		t.Errorf("summary = %+v, want nothing active: the arrays are left out", sum)
	}
}

func TestDecodeComponentsWistia(t *testing.T) {
	comps, err := decodeComponents(collectortest.Testdata(t, wistiaComponents))
	if err != nil {
		t.Fatal(err)
	}
	if len(comps) != 1 || comps[0].ID != wistiaComponentID || comps[0].Name != wistiaComponentName ||
		comps[0].Status != "OPERATIONAL" || comps[0].Group != nil {
		t.Errorf("components = %+v, want one top-level %s OPERATIONAL", comps, wistiaComponentName)
	}
}

func TestDecodeComponentGroups(t *testing.T) {
	body := `{"components": [
		{"id": "a", "name": "API", "status": "MAJOROUTAGE", "group": {"id": "g", "name": "Core"}},
		{"id": "b", "name": "Web", "status": "OPERATIONAL", "group": "g2"},
		{"id": "c", "name": "Chat", "status": "OPERATIONAL", "activeIncidents": [{"id": "i1", "name": "Chat down"}]}
	]}`
	comps, err := decodeComponents([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if g := comps[0].Group; g == nil || *g != (wireGroup{ID: "g", Name: "Core"}) {
		t.Errorf("object group = %+v, want g Core", g)
	}
	if g := comps[1].Group; g == nil || *g != (wireGroup{ID: "g2"}) {
		t.Errorf("string group = %+v, want id g2", g)
	}
	if ai := comps[2].ActiveIncidents; len(ai) != 1 || ai[0].ID != "i1" {
		t.Errorf("active incidents = %+v, want i1", ai)
	}
}

func TestInstant(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{`"2020-09-12T19:05:17.398Z"`, collectortest.UTC("2020-09-12T19:05:17.398Z"), false},
		{`"2026-03-20T12:00:00+02:00"`, collectortest.UTC("2026-03-20T10:00:00Z"), false},
		{`"Sat Jun 11 2022 18:55:50 GMT+0000 (Coordinated Universal Time)"`, collectortest.UTC("2022-06-11T18:55:50Z"), false},
		{`"Sat Jun 11 2022 20:55:50 GMT+0200 (Central European Summer Time)"`, collectortest.UTC("2022-06-11T18:55:50Z"), false},
		{`"Sat Jun 11 2022 18:55:50 GMT+0000"`, collectortest.UTC("2022-06-11T18:55:50Z"), false},
		{`null`, time.Time{}, false},
		{`""`, time.Time{}, false},
		{`"11/06/2022"`, time.Time{}, true},
		{`1654973750`, time.Time{}, true},
	}
	for _, tt := range tests {
		var got instant
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("%s: got %v, %v; want %v (error %v)", tt.in, got.Time, err, tt.want, tt.wantErr)
		}
	}
}

func TestMinutes(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{`"60"`, time.Hour, false},
		{`90`, 90 * time.Minute, false},
		{`"1.5"`, 90 * time.Second, false},
		{`null`, 0, false},
		{`""`, 0, false},
		{`"-5"`, 0, true},
		{`"NaN"`, 0, true},
		{`1e300`, 0, true},
		{`"an hour"`, 0, true},
	}
	for _, tt := range tests {
		var got minutes
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr || got.Duration != tt.want {
			t.Errorf("%s: got %v, %v; want %v (error %v)", tt.in, got.Duration, err, tt.want, tt.wantErr)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		decode  func([]byte) error
		body    string
		wantErr string
	}{
		{"summary not JSON", summaryErr, `<!DOCTYPE html>`, "invalid character"},
		{"summary without page", summaryErr, `{"activeIncidents": []}`, `no "page" object`},
		{"summary page not an object", summaryErr, `{"page": "x"}`, `no "page" object`},
		{"incident without id or url", summaryErr, `{"page": {}, "activeIncidents": [{"name": "x"}]}`, "incident 0 has no id"},
		{"incident url without id", summaryErr, `{"page": {}, "activeIncidents": [{"url": "https://x.instatus.com/"}]}`, "incident 0 has no id"},
		{"maintenance without start", summaryErr, `{"page": {}, "activeMaintenances": [{"id": "m"}]}`, "maintenance m has no start"},
		{"bad duration", summaryErr, `{"page": {}, "activeMaintenances": [{"id": "m", "start": "2026-01-01T00:00:00Z", "duration": "soon"}]}`, "want a number of minutes"},
		{"bad time", summaryErr, `{"page": {}, "activeIncidents": [{"id": "i", "started": "yesterday"}]}`, "neither RFC 3339 nor a JavaScript date"},
		{"components bare array", componentsErr, `[{"id": "a"}]`, "cannot unmarshal array"},
		{"components missing", componentsErr, `{"page": {}}`, `no "components" array`},
		{"component without id", componentsErr, `{"components": [{"name": "API"}]}`, "component 0 has no id"},
		{"group a number", componentsErr, `{"components": [{"id": "a", "group": 5}]}`, "cannot unmarshal number"},
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

func summaryErr(b []byte) error    { _, err := decodeSummary(b); return err }
func componentsErr(b []byte) error { _, err := decodeComponents(b); return err }
