package config_test

import (
	"github.com/support-exporter/support_exporter/exporter/config"
	"strings"
	"testing"
)

const fingerprintBase = `global:
  history_start: 2025-01-01
calendars:
  office: {timezone: Europe/Berlin, hours: "09:00-17:00"}
vendors:
  - name: acme
    calendar: office
    priorities: {urgent: [p1, blocker]}
    sla: {first_response: {urgent: 1h}}
    escalation: {tags: [escalated]}
    notice_window: 30m
    tickets:
      - {name: helpdesk, kind: zendesk, url: https://acme.zendesk.com, poll_interval: 5m, http_client: {basic_auth: {username: u, password: p}}}
    status_pages:
      - {name: status, kind: statuspage, url: https://status.acme.example}
`

func TestFingerprint(t *testing.T) {
	base := fingerprintOf(t, fingerprintBase)
	cases := []struct {
		name, old, new string
		changes        bool
	}{
		{"url", "https://acme.zendesk.com", "https://acme2.zendesk.com", false},
		{"poll_interval", "poll_interval: 5m", "poll_interval: 1m", false},
		{"http_client", "username: u, password: p", "username: a, password: b", false},
		{"calendar name", "office", "bureau", false},
		{"alert_grace", "history_start: 2025-01-01\n", "history_start: 2025-01-01\n  alert_grace: 1m\n", false},
		{"order of priority values", "[p1, blocker]", "[blocker, p1]", false},
		{"order of sources", "    tickets:\n      - {name: helpdesk, kind: zendesk, url: https://acme.zendesk.com, poll_interval: 5m, http_client: {basic_auth: {username: u, password: p}}}\n    status_pages:\n      - {name: status, kind: statuspage, url: https://status.acme.example}\n",
			"    status_pages:\n      - {name: status, kind: statuspage, url: https://status.acme.example}\n    tickets:\n      - {name: helpdesk, kind: zendesk, url: https://acme.zendesk.com, poll_interval: 5m, http_client: {basic_auth: {username: u, password: p}}}\n", false},
		{"history_start", "2025-01-01", "2025-06-01", true},
		{"calendar hours", "09:00-17:00", "08:00-17:00", true},
		{"calendar time zone", "Europe/Berlin", "Europe/Paris", true},
		{"priorities", "[p1, blocker]", "[p1]", true},
		{"sla target", "urgent: 1h}", "urgent: 2h}", true},
		{"sla objective", "sla: {", "sla: {objective: 0.9, ", true},
		{"escalation tags", "[escalated]", "[escalated, vip]", true},
		{"notice_window", "notice_window: 30m", "notice_window: 45m", true},
		{"source name", "name: helpdesk", "name: support", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(fingerprintBase, c.old) {
				t.Fatalf("base config lacks %q", c.old)
			}
			got := fingerprintOf(t, strings.ReplaceAll(fingerprintBase, c.old, c.new))
			if changed := got != base; changed != c.changes {
				t.Errorf("fingerprint changed = %v, want %v", changed, c.changes)
			}
		})
	}
}

// A vendor without feature_requests keeps the fingerprint it had before
// they existed: upgrading must not rebuild every vendor's aggregates. The
// expected hash is fingerprintBase's as the build at commit 3270c86 (before
// feature_requests) computes it: obtained by checking that commit out and
// logging fingerprintOf(t, fingerprintBase) in a throwaway test.
func TestFingerprintWithoutFeatureRequestsUnchanged(t *testing.T) {
	const at3270c86 = "dde20d11c39c3e69b92bd26c9b8bde40fb33ff801367c7358e0886645b9181c3"
	if got := fingerprintOf(t, fingerprintBase); got != at3270c86 {
		t.Errorf("fingerprint %s, want %s (the build before feature_requests): every vendor would be rebuilt on upgrade", got, at3270c86)
	}
}

func fingerprintOf(t *testing.T, data string) string {
	t.Helper()
	cfg, err := config.Parse([]byte(data), "fingerprint.yml", kinds)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Fingerprint(cfg.Vendors[0])
}
