package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// officeConfigHeader starts a config of vendors polled every second, each
// with the calendar "office" (Berlin, 09:00-18:00).
const officeConfigHeader = `global:
  poll_interval: 1s
  request_timeout: 2s
calendars:
  office:
    timezone: Europe/Berlin
    hours: "09:00-18:00"
vendors:
`

// world is a simulated vendor with a config pointing the exporter at it.
type world struct {
	sim     *simulator.Sim
	vendor  string
	cfgPath string
	dataDir string
	// webhookTokenFile holds the token the Alertmanager webhook requires
	// (webhookToken).
	webhookTokenFile string
}

// webhookToken is the token of every world's alertmanager_webhook.
const webhookToken = "am-webhook-token"

type worldOptions struct {
	tickets      int
	history      time.Duration // default 30 days
	perPage      int
	pollInterval string
	// clock, when set, is the instant the simulated APIs answer as of;
	// default a frozen instant 40 days ago, so that every SLA deadline of the
	// simulated tickets lies in the exporter's past and results do not
	// depend on when the test runs.
	clock func() time.Time
	token string // the token written to the password_file; default the simulator's
	extra string // appended to the vendor's YAML
}

// frozenNow is the default simulated "now".
var frozenNow = time.Now().Add(-40 * 24 * time.Hour).Truncate(time.Second)

func newWorld(t testing.TB, o worldOptions) *world {
	t.Helper()
	if o.clock == nil {
		o.clock = func() time.Time { return frozenNow }
	}
	if o.perPage == 0 {
		o.perPage = 1000
	}
	if o.pollInterval == "" {
		o.pollInterval = "1s"
	}
	if o.history == 0 {
		o.history = 30 * 24 * time.Hour
	}
	const vendor = "acme"
	sim := startedSim(t, simulator.Options{
		Seed:  7,
		Start: o.clock(),
		Clock: o.clock,
		Vendors: []simulator.Vendor{{
			Name: vendor, Persona: simulator.SlowThorough, Timezone: "Europe/Berlin",
			History: o.history, Tickets: o.tickets,
			IncidentsPerWeek: 3, MaintenancesPerWeek: 1,
		}},
		ExportRequestsPerMinute: -1,
		TicketsPerPage:          o.perPage,
	})
	dir := t.TempDir()
	user, token := sim.ZendeskCredentials(vendor)
	if o.token != "" {
		token = o.token
	}
	tokenFile := filepath.Join(dir, "zendesk-token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	webhookTokenFile := filepath.Join(dir, "webhook-token")
	if err := os.WriteFile(webhookTokenFile, []byte(webhookToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`global:
  poll_interval: %[1]s
  request_timeout: 2s
alertmanager_webhook:
  bearer_token_file: %[8]s
calendars:
  office:
    timezone: Europe/Berlin
    hours: "09:00-18:00"
vendors:
  - name: %[2]s
    calendar: office
    sla:
      first_response: {urgent: 1h, high: 4h, normal: 8h, low: 24h}
      resolution: {urgent: 24h, high: 72h}
      maintenance_notice: 72h
    escalation:
      tags: [escalated]
    tickets:
      - name: helpdesk
        kind: zendesk
        url: %[3]s
        export_requests_per_minute: 100000
        http_client:
          basic_auth:
            username: %[4]s
            password_file: %[5]s
    status_pages:
      - name: status
        kind: statuspage
        url: %[6]s
%[7]s`, o.pollInterval, vendor, sim.URL(vendor, "zendesk"), user, tokenFile, sim.URL(vendor, "statuspage"), o.extra, webhookTokenFile)
	cfgPath := configFile(t, dir, cfg)
	return &world{sim: sim, vendor: vendor, cfgPath: cfgPath, dataDir: filepath.Join(dir, "data"), webhookTokenFile: webhookTokenFile}
}

// args are the exporter flags for this world, with its own store.
func (w *world) args(dataDir string) []string {
	return []string{"--config.file=" + w.cfgPath, "--storage.path=" + dataDir, "--log.level=debug"}
}

// synced reports whether both sources succeeded and the store holds every
// ticket the simulator shows.
func (w *world) synced(s series) bool {
	truth := w.sim.Truth(w.vendor, frozenNow)
	for _, src := range []string{"helpdesk", "status"} {
		if v, _ := s.get("support_source_last_success_timestamp_seconds", "vendor", w.vendor, "source", src, "kind", kindOf(src)); v == 0 {
			return false
		}
	}
	created := s.sum("support_tickets_created_total", "vendor", w.vendor)
	return int(created) == len(truth.Tickets)
}

func kindOf(source string) string {
	if source == "helpdesk" {
		return "zendesk"
	}
	return "statuspage"
}
