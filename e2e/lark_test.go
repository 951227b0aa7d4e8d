package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// larkHistory is three tickets of a Lark group, each metric worked out by
// hand in TestLarkKind. 2026-03-02 is a Monday; every ticket is created
// within the office's hours (09:00-18:00 Berlin).
var larkHistory = []simulator.ScriptedTicket{
	// A. Urgent: asked back after 30 min, answered at 1 h, solved (a reply
	// saying #solved) at 2 h, reopened by the customer's reply a day later,
	// solved again; its close shows nowhere in a chat.
	{Created: local(2, 10, 0), Priority: "urgent", Steps: []simulator.ScriptStep{
		{At: 30 * minute, Kind: simulator.VendorReply},
		{At: 1 * hour, Kind: simulator.CustomerReply},
		{At: 2 * hour, Kind: simulator.Solve},
		{At: 1 * day, Kind: simulator.Reopen},
		{At: 1*day + 2*hour, Kind: simulator.Solve},
		{At: 5 * day, Kind: simulator.Close},
	}},
	// B. High: the vendor's bot escalates it at 10 min, its only reply
	// solves it at 45 min: one-touch.
	{Created: local(3, 9, 0), Priority: "high", Steps: []simulator.ScriptStep{
		{At: 10 * minute, Kind: simulator.Escalate},
		{At: 45 * minute, Kind: simulator.Solve},
	}},
	// C. Normal: the customer chases at 2 h, the vendor first answers at
	// 9 h (past the 8 h target); still open.
	{Created: local(4, 12, 0), Priority: "normal", Steps: []simulator.ScriptStep{
		{At: 2 * hour, Kind: simulator.CustomerReply},
		{At: 9 * hour, Kind: simulator.VendorReply},
	}},
}

// larkExpected are larkHistory's values by hand, on the calendar clock
// with first_response {urgent 1h, high 4h, normal 8h} and resolution
// {urgent 24h, high 72h}.
var larkExpected = metricValues{
	"support_tickets_created_total priority=urgent": 1,
	"support_tickets_created_total priority=high":   1,
	"support_tickets_created_total priority=normal": 1,

	// First vendor replies: A 30 min, B 45 min (the solving reply), C 9 h.
	"support_ticket_first_response_seconds_count priority=urgent hours=business": 1,
	"support_ticket_first_response_seconds_sum priority=urgent hours=business":   1800,
	"support_ticket_first_response_seconds_count priority=high hours=business":   1,
	"support_ticket_first_response_seconds_sum priority=high hours=business":     2700,
	"support_ticket_first_response_seconds_count priority=normal hours=business": 1,
	"support_ticket_first_response_seconds_sum priority=normal hours=business":   32400,

	// Creation to the first solve: A 2 h, B 45 min; C is open.
	"support_ticket_resolution_seconds_count priority=urgent": 1,
	"support_ticket_resolution_seconds_sum priority=urgent":   7200,
	"support_ticket_resolution_seconds_count priority=high":   1,
	"support_ticket_resolution_seconds_sum priority=high":     2700,

	// B, solved by its one reply and never reopened, settled 96 h after
	// its solve, long before the script's end; A was reopened.
	"support_tickets_resolved_first_contact_total priority=urgent": 0,
	"support_tickets_resolved_first_contact_total priority=high":   1,

	// Vendor replies up to the first solve: A 2 (30 min, 2 h), B 1.
	"support_ticket_vendor_replies_to_resolve_count priority=urgent": 1,
	"support_ticket_vendor_replies_to_resolve_sum priority=urgent":   2,
	"support_ticket_vendor_replies_to_resolve_count priority=high":   1,
	"support_ticket_vendor_replies_to_resolve_sum priority=high":     1,

	// A's customer reply after its solve; C's chase before any reply
	// (A's reply at 1 h answers the vendor's question); B's #escalated.
	"support_tickets_reopened_total priority=urgent":          1,
	"support_ticket_customer_followups_total priority=normal": 1,
	"support_escalations_total priority=high":                 1,

	// C's 9 h breaches normal's 8 h; every other clock kept its target.
	"support_ticket_sla_checks_total priority=urgent target=first_response":   1,
	"support_ticket_sla_checks_total priority=high target=first_response":     1,
	"support_ticket_sla_checks_total priority=normal target=first_response":   1,
	"support_ticket_sla_breaches_total priority=urgent target=first_response": 0,
	"support_ticket_sla_breaches_total priority=high target=first_response":   0,
	"support_ticket_sla_breaches_total priority=normal target=first_response": 1,
	"support_ticket_sla_checks_total priority=urgent target=resolution":       1,
	"support_ticket_sla_checks_total priority=high target=resolution":         1,
	"support_ticket_sla_breaches_total priority=urgent target=resolution":     0,
	"support_ticket_sla_breaches_total priority=high target=resolution":       0,
}

// TestLarkKind runs the exporter against the simulator's Lark group of
// larkHistory, and a second source of the same group whose app secret is
// wrong: the values are the hand-worked ones, the wrong secret fails with
// auth, and neither secret appears in the logs, /metrics or the landing
// page.
func TestLarkKind(t *testing.T) {
	const vendor, wrongVendor, wrongSecret = "lark-calendar", "lark-wrong", "s3cr3t-Wr0ng-lark-9c1e"
	now := func() time.Time { return scriptNow }
	sim := startedSim(t, simulator.Options{Seed: 5, Start: scriptNow, Clock: now, ExportRequestsPerMinute: -1,
		Vendors: []simulator.Vendor{
			{Name: vendor, Timezone: "Europe/Berlin", History: 30 * day, Script: larkHistory},
			{Name: wrongVendor, Timezone: "Europe/Berlin", History: 30 * day, Script: larkHistory},
		}})
	_, secret := sim.LarkApp(vendor)
	_, otherSecret := sim.LarkApp(wrongVendor)
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "lark-secret")
	if err := os.WriteFile(secretFile, []byte(wrongSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var cfg strings.Builder
	cfg.WriteString(officeConfigHeader)
	for _, name := range []string{vendor, wrongVendor} {
		fmt.Fprintf(&cfg, `  - name: %s
    calendar: office
    sla:
      clock: calendar
      first_response: {urgent: 1h, high: 4h, normal: 8h}
      resolution: {urgent: 24h, high: 72h}
    escalation:
      tags: [escalated]
    tickets:
      - name: group
`, name)
		body := sourceYAML(t, sim, name, simulator.KindLark, false)
		if name == wrongVendor {
			// The secret from a file, and wrong.
			body = strings.Replace(body, "password: "+fmt.Sprintf("%q", otherSecret), "password_file: "+fmt.Sprintf("%q", secretFile), 1)
			if !strings.Contains(body, "password_file") {
				t.Fatalf("no password to replace in\n%s", body)
			}
		}
		cfg.WriteString(body)
	}
	cfgPath := configFile(t, dir, cfg.String())
	logs := &syncBuffer{}
	p := start(t, logs, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"))
	wrong := []string{"vendor", wrongVendor, "source", "group", "kind", "lark", "reason", "auth"}
	var s series
	var body string
	waitFor(t, 30*time.Second, "the lark source synced and the wrong one failed", func() bool {
		s, body = p.scrape()
		auth, _ := s.get("support_source_errors_total", wrong...)
		return int(s.sum("support_tickets_created_total", "vendor", vendor)) == len(larkHistory) && auth > 0
	})
	larkExpected.check(t, s, vendor)
	_, landing := p.get("/")
	if !strings.Contains(landing, "10014") {
		t.Errorf("the landing page does not show the refused secret's code:\n%s", tail(landing, 2000))
	}
	p.term()
	for what, text := range map[string]string{"log": logs.String(), "/metrics": body, "landing page": landing} {
		for _, sec := range []string{secret, otherSecret, wrongSecret} {
			if strings.Contains(text, sec) {
				t.Errorf("an app secret appears in the %s", what)
			}
		}
		if strings.Contains(text, "Bearer") || larkTokenPattern.MatchString(text) {
			t.Errorf("a tenant_access_token appears in the %s", what)
		}
	}
	if !strings.Contains(logs.String(), "sync") {
		t.Errorf("log has no sync lines; the check above proves nothing:\n%s", tail(logs.String(), 2000))
	}
}

// larkTokenPattern matches a tenant_access_token the simulator hands out
// (t-g, its window, x, 28 letters and digits), quoted or not, wherever it
// stands in a text.
var larkTokenPattern = regexp.MustCompile(`t-g[0-9]+x[A-Za-z0-9]{28}`)

// TestLarkTokenPattern: the check of TestLarkKind finds a token in a log
// line however it is written there.
func TestLarkTokenPattern(t *testing.T) {
	token := "t-g123x" + strings.Repeat("aB3", 9) + "z"
	for _, line := range []string{
		`level=INFO msg=sync token=` + token,
		`{"token":"` + token + `"}`,
		`Authorization: ` + token + `.`,
	} {
		if !larkTokenPattern.MatchString(line) {
			t.Errorf("no token found in %q", line)
		}
	}
	if larkTokenPattern.MatchString(`ticket t-g1 opened; chat oc_5ad11d72b830411d72b836c20`) {
		t.Error("a token found where there is none")
	}
}
