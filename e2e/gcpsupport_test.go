package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// TestGCPSupportKeyFile runs gcp_support through the exporter with a
// service account's key file (docs/sources.md, `gcp_support`): one vendor
// with its own key, whose tickets are all read, and one with another
// account's key for the same endpoint, which Google refuses
// (invalid_grant, reason auth). Neither private key, nor an issued access
// token, appears in the debug log, /metrics, the landing page or any other
// page.
func TestGCPSupportKeyFile(t *testing.T) {
	vendors := []simulator.Vendor{
		{Name: "gcp-keyed", Timezone: "Europe/Berlin", History: 3 * day, Tickets: 20},
		{Name: "gcp-forged", Timezone: "Europe/Berlin", History: 3 * day, Tickets: 5},
	}
	sim := startedSim(t, simulator.Options{Seed: 11, Start: scriptNow, Clock: func() time.Time { return scriptNow }, Vendors: vendors})
	dir := t.TempDir()
	keys := map[string][]byte{}
	var privateKeys []string
	for _, v := range vendors {
		keys[v.Name] = sim.GCPSupportKey(v.Name)
		var k struct {
			PrivateKey string `json:"private_key"`
		}
		if err := json.Unmarshal(keys[v.Name], &k); err != nil || !strings.Contains(k.PrivateKey, "PRIVATE KEY") {
			t.Fatalf("%s's key: %v", v.Name, err)
		}
		// Every line of the key's base64 body: any one of them in a page
		// is a leak.
		for _, line := range strings.Split(k.PrivateKey, "\n") {
			if len(line) >= 32 && !strings.Contains(line, "PRIVATE KEY") {
				privateKeys = append(privateKeys, line)
			}
		}
	}
	// The forged vendor's file: the other vendor's key under this
	// vendor's account and token endpoint.
	var forged, own map[string]any
	if json.Unmarshal(keys["gcp-keyed"], &forged) != nil || json.Unmarshal(keys["gcp-forged"], &own) != nil {
		t.Fatal("keys are no JSON")
	}
	forged["token_uri"], forged["client_email"] = own["token_uri"], own["client_email"]
	keys["gcp-forged"], _ = json.Marshal(forged)

	var cfg strings.Builder
	cfg.WriteString(officeConfigHeader)
	for _, v := range vendors {
		path := filepath.Join(dir, v.Name+".json")
		if err := os.WriteFile(path, keys[v.Name], 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&cfg, "  - name: %s\n    calendar: office\n    tickets:\n      - name: cases\n        kind: gcp_support\n        url: %q\n        parent: %q\n        credentials_file: %q\n",
			v.Name, sim.URL(v.Name, simulator.KindGCPSupport), sim.GCPSupportParent(v.Name), path)
	}
	logs := &syncBuffer{}
	p := start(t, logs, "--config.file="+configFile(t, dir, cfg.String()), "--storage.path="+filepath.Join(dir, "data"), "--log.level=debug")
	labels := func(vendor string, more ...string) []string {
		return append([]string{"vendor", vendor, "source", "cases", "kind", "gcp_support"}, more...)
	}
	truth := sim.Truth("gcp-keyed", scriptNow)
	var metrics string
	waitFor(t, 60*time.Second, "the keyed vendor's cases stored, the forged one refused", func() bool {
		var s series
		s, metrics = p.scrape()
		auth, _ := s.get("support_source_errors_total", labels("gcp-forged", "reason", "auth")...)
		return int(s.sum("support_tickets_created_total", "vendor", "gcp-keyed")) == len(truth.Tickets) && auth > 0
	})
	_, landing := p.get("/")
	if !strings.Contains(landing, "invalid_grant") {
		t.Errorf("the landing page does not show Google's invalid_grant:\n%s", landing)
	}
	pages := map[string]string{"/metrics": metrics, "landing page": landing}
	for _, path := range []string{"/-/ready", "/-/healthy", "/config", "/api/v1/status/config", "/debug/vars"} {
		_, pages[path] = p.get(path)
	}
	p.term()
	pages["log"] = logs.String()
	if !strings.Contains(pages["log"], "invalid_grant") || !strings.Contains(pages["log"], "level=DEBUG") {
		t.Errorf("the log has no debug lines or no refused key; the check below proves little:\n%s", tail(pages["log"], 20))
	}
	for what, text := range pages {
		for _, secret := range append(privateKeys, "ya29.") {
			if strings.Contains(text, secret) {
				t.Errorf("the %s holds %q, of a private key or an access token", what, secret)
			}
		}
	}
}

// TestGCPSupportScriptedHistory reads chatHistory, a week of support
// worked out by hand in chatExpected, as Google Cloud cases through the
// gcp_support kind, at the three instants of chatPhases (ticket 6 solved,
// reopened by the buyer's comment, solved again), under both SLA clocks.
// A case shows what the channel shows, told differently: the solve is
// the state SOLUTION_PROVIDED, dated at the case's updateTime, which is
// the solving comment's; the reopen, the state back in progress, dated at
// the buyer's comment; the priority Google's own P1..P4 (the fake's
// urgent is P1, critical impact), mapped by the vendor's priorities as
// docs/sources.md recommends (urgent: [P0, P1]) and the built-in names
// (P2 high, P3 normal, P4 low): the script's own priorities, recomputed
// by hand, so that none is unknown; the escalation Google's escalated
// flag. Every value is chatExpected's: no exception.
func TestGCPSupportScriptedHistory(t *testing.T) {
	runScripted(t, scriptedKind{
		kind: simulator.KindGCPSupport, prefix: "gcp", source: "cases", clocks: []string{"calendar", "business"},
		history: chatHistory, phases: chatPhases, expected: chatExpected,
		vendorYAML: "    priorities:\n      urgent: [P0, P1]\n",
		none: map[string]string{
			"support_tickets_unknown_priority_total":    "Google's P0..P4 all map",
			"support_ticket_satisfaction_ratings_total": "Google's cases show no satisfaction",
		},
	})
}
