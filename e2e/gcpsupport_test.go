package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
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
	sim, err := simulator.New(simulator.Options{Seed: 11, Start: scriptNow, Clock: func() time.Time { return scriptNow }, Vendors: vendors})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
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
	cfgPath := filepath.Join(dir, "support_exporter.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	p := start(t, logs, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"), "--log.level=debug")
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
	clocks := []string{"calendar", "business"}
	var now atomic.Int64
	now.Store(chatPhases[0].at.Unix())
	clock := func() time.Time { return time.Unix(now.Load(), 0).UTC() }
	var vendors []simulator.Vendor
	for _, c := range clocks {
		vendors = append(vendors, simulator.Vendor{Name: "gcp-" + c, Timezone: "Europe/Berlin", History: 30 * day, Script: chatHistory})
	}
	sim, err := simulator.New(simulator.Options{Seed: 11, Start: chatPhases[0].at, Clock: clock, Vendors: vendors})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)

	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString(officeConfigHeader)
	for _, c := range clocks {
		fmt.Fprintf(&cfg, `  - name: gcp-%s
    calendar: office
    priorities:
      urgent: [P0, P1]
    sla:
      clock: %s
      first_response: {urgent: 1h, high: 4h, normal: 8h, low: 24h}
      resolution: {urgent: 24h, high: 72h}
    tickets:
      - name: cases
`, c, c)
		cfg.WriteString(sourceYAML(t, sim, "gcp-"+c, simulator.KindGCPSupport, false))
	}
	cfgPath := filepath.Join(dir, "support_exporter.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, nil, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"))

	var s series
	for _, ph := range chatPhases {
		now.Store(ph.at.Unix())
		waitFor(t, 30*time.Second, ph.what, func() bool {
			s, _ = p.scrape()
			for _, v := range vendors {
				if !ph.done(s, v.Name) {
					return false
				}
			}
			return true
		})
	}
	for _, c := range clocks {
		t.Run(c, func(t *testing.T) {
			want := chatExpected(c)
			name := "gcp-" + c
			for _, key := range slices.Sorted(maps.Keys(want)) {
				fields := strings.Fields(key)
				labels := []string{"vendor", name}
				for _, f := range fields[1:] {
					l, v, _ := strings.Cut(f, "=")
					labels = append(labels, l, v)
				}
				got, _ := s.get(fields[0], labels...) // an absent series is 0, as counters start
				if got != want[key] {
					t.Errorf("%s = %v, want %v", key, got, want[key])
				}
			}
			if n := s.sum("support_tickets_unknown_priority_total", "vendor", name); n != 0 {
				t.Errorf("%v tickets of an unknown priority: Google's P0..P4 all map", n)
			}
			if n := s.sum("support_ticket_satisfaction_ratings_total", "vendor", name); n != 0 {
				t.Errorf("%v satisfaction ratings from Google's cases, which show none", n)
			}
			if up, _ := s.get("support_source_up", "vendor", name, "source", "cases", "kind", "gcp_support"); up != 1 {
				t.Errorf("support_source_up = %v", up)
			}
		})
	}
}
