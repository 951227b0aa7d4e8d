package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
)

const drillConfig = `
calendars:
  berlin: {timezone: Europe/Berlin, hours: "09:00-17:00"}
vendors:
  - name: acme
    calendar: berlin
    tickets:
      - name: helpdesk
        kind: zendesk_requests
        url: https://acme.zendesk.com
        http_client:
          basic_auth: {username: buyer@example.com/token, password: secret}
    drill:
      enabled: true
      source: helpdesk
      priority: urgent
      subject: "[drill {{.Marker}}] API errors since {{.Moment.Format \"15:04\"}}"
      body: "Test ticket {{.Marker}} for {{.Vendor}}"
      closing: "Thank you: this was a drill."
  - name: globex
    tickets:
      - name: helpdesk
        kind: zendesk_requests
        url: https://globex.zendesk.com
        http_client:
          basic_auth: {username: buyer@example.com/token, password: secret}
`

func TestDrillDefaultsAndTemplates(t *testing.T) {
	cfg, err := config.Parse([]byte(drillConfig), "drill.yml", kinds)
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Vendors[0].Drill
	if !d.On() || time.Duration(d.Interval) != 30*24*time.Hour || time.Duration(d.Timeout) != 72*time.Hour {
		t.Fatalf("drill %+v: want on, interval 30d, timeout 72h", d)
	}
	var b strings.Builder
	moment := time.Date(2026, 3, 3, 3, 40, 0, 0, time.UTC)
	if err := d.SubjectTemplate.Execute(&b, config.DrillFields{Vendor: "acme", Marker: "support-drill-1", Moment: moment}); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "[drill support-drill-1] API errors since 03:40"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	if cfg.Vendors[1].Drill.On() {
		t.Error("a vendor without drill: has one on")
	}
}

func TestDrillKindsAreTheCreators(t *testing.T) {
	var drills []string
	for _, k := range kinds {
		if k.Drills {
			drills = append(drills, k.Name)
		}
	}
	if got := strings.Join(drills, ","); !strings.Contains(got, "zendesk_requests") || strings.Contains(got, "freshdesk") {
		t.Errorf("kinds that drill: %s", got)
	}
}
