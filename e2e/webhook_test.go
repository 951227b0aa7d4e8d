package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/support-exporter/support_exporter/simulator"
)

// customerLead is how long before the vendor's first post the customer's
// alert starts in the customer-first case (and after it in the other).
const customerLead = 20 * time.Minute

// TestWebhookWhoNoticedFirst: a real Alertmanager (Debian's
// `prometheus-alertmanager`) delivers the customer's alerts to the
// exporter's webhook, then the simulated vendor posts its incidents. An
// alert that started 20 minutes before an incident's first post makes it
// customer-first with a lead of 20 minutes; an alert 20 minutes after the
// post leaves the next incident vendor-first.
func TestWebhookWhoNoticedFirst(t *testing.T) {
	amBin := lookPath(t, "prometheus-alertmanager", "prometheus-alertmanager")
	var now atomic.Int64
	now.Store(frozenNow.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	// No tickets: the alerts are the only customer signals.
	w := newWorld(t, worldOptions{clock: clock})
	noticed, ignored := nextIncidents(t, w)

	p := start(t, nil, w.args(t.TempDir())...)
	waitFor(t, 30*time.Second, "both sources synced", func() bool {
		s, _ := p.scrape()
		for _, src := range []string{"helpdesk", "status"} {
			if v, _ := s.get("support_source_last_success_timestamp_seconds", "vendor", w.vendor, "source", src, "kind", kindOf(src)); v == 0 {
				return false
			}
		}
		return true
	})

	// A delivery without the webhook's token is refused and stores nothing.
	if code, body := deliverRaw(t, p.addr, "", "", fmt.Sprintf(`{"version":"4","status":"firing","alerts":[{"status":"firing",
		"labels":{"vendor":%q},"startsAt":%q,"fingerprint":"forged"}]}`, w.vendor, noticed.Created.Add(-time.Minute).Format(time.RFC3339))); code != http.StatusUnauthorized {
		t.Fatalf("delivery without the token: %d %s, want 401", code, body)
	}
	am := startAlertmanager(t, amBin, "http://"+p.addr+"/api/v1/alertmanager", w.webhookTokenFile)
	postAlerts(t, am, []map[string]any{
		{"labels": map[string]string{"alertname": "CustomerProbeFailing", "vendor": w.vendor, "case": "before"},
			"startsAt": noticed.Created.Add(-customerLead).Format(time.RFC3339Nano)},
		{"labels": map[string]string{"alertname": "CustomerProbeFailing", "vendor": w.vendor, "case": "after"},
			"startsAt": ignored.Created.Add(customerLead).Format(time.RFC3339Nano)},
	})
	waitFor(t, 20*time.Second, "Alertmanager to deliver both alerts", func() bool {
		s, _ := p.scrape()
		v, _ := s.get("support_alertmanager_alerts_received_total", "result", "accepted")
		return v == 2
	})

	// The vendor posts both incidents.
	now.Store(ignored.Created.Add(time.Second).UnixNano())
	truth := w.sim.Truth(w.vendor, clock())
	var s series
	waitFor(t, 20*time.Second, "every incident, both new ones included, decided", func() bool {
		s, _ = p.scrape()
		seen := s.sum("support_status_incidents_total", "vendor", w.vendor)
		return int(seen) == len(truth.Incidents) && s.sum("support_incidents_detected_total", "vendor", w.vendor) == seen
	})
	customer, _ := s.get("support_incidents_detected_total", "vendor", w.vendor, "first", "customer")
	vendor, _ := s.get("support_incidents_detected_total", "vendor", w.vendor, "first", "vendor")
	leads, _ := s.get("support_incident_customer_lead_seconds_count", "vendor", w.vendor)
	leadSum, _ := s.get("support_incident_customer_lead_seconds_sum", "vendor", w.vendor)
	if customer != 1 || vendor != float64(len(truth.Incidents)-1) {
		t.Errorf("detected customer=%v vendor=%v, want 1 and %d", customer, vendor, len(truth.Incidents)-1)
	}
	if leads != 1 || leadSum != customerLead.Seconds() {
		t.Errorf("customer lead: %v observations summing %vs, want 1 of %vs", leads, leadSum, customerLead.Seconds())
	}
	for _, r := range []string{"duplicate", "unknown_vendor", "resolved", "implausible_time"} {
		if v, _ := s.get("support_alertmanager_alerts_received_total", "result", r); v != 0 {
			t.Errorf("alerts received with result %s: %v, want 0", r, v)
		}
	}
}

// TestWebhookBehindBasicAuth: --web.config.file protects the webhook as it
// protects /metrics; behind it, Alertmanager sends the webhook's token as
// the password of a web user (the two share the Authorization header), and
// another web user, good for scraping, cannot deliver alerts.
func TestWebhookBehindBasicAuth(t *testing.T) {
	webCfg := filepath.Join(t.TempDir(), "web.yml")
	users := "basic_auth_users:\n"
	for user, pass := range map[string]string{"alertmanager": webhookToken, "scraper": "scrape-pass"} {
		hash, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		users += "  " + user + ": " + string(hash) + "\n"
	}
	writeFile(t, webCfg, users)
	w := newWorld(t, worldOptions{})
	p := startNoWait(t, nil, append(w.args(t.TempDir()), "--web.config.file="+webCfg)...)
	payload := fmt.Sprintf(`{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"vendor":%q},
		"startsAt":"2026-03-02T08:40:00Z","fingerprint":"c582f99eb74335c0"}]}`, w.vendor)
	waitFor(t, 30*time.Second, "the exporter ready to store alerts", func() bool {
		code, _ := deliverRaw(t, p.addr, "alertmanager", webhookToken, payload)
		return code == http.StatusOK
	})
	for _, c := range []struct{ user, pass string }{{"", ""}, {"alertmanager", "wrong"}, {"scraper", "scrape-pass"}} {
		if code, body := deliverRaw(t, p.addr, c.user, c.pass, payload); code != http.StatusUnauthorized {
			t.Errorf("delivery as %q/%q: %d %s, want 401", c.user, c.pass, code, body)
		}
	}
	if code, _ := httpGetAuth(t, "http://"+p.addr+"/metrics", "scraper", "scrape-pass"); code != http.StatusOK {
		t.Errorf("scrape as scraper: %d, want 200", code)
	}
	if code, body := deliverRaw(t, p.addr, "alertmanager", webhookToken, payload); code != http.StatusOK || !strings.Contains(body, "duplicate 1") {
		t.Errorf("re-delivery with credentials: %d %q, want 200 counting a duplicate", code, body)
	}
}

// deliverRaw posts an Alertmanager payload to the exporter at addr, with
// basic auth when user is set.
func deliverRaw(t *testing.T, addr, user, pass, payload string) (int, string) {
	t.Helper()
	return doAuth(t, http.MethodPost, "http://"+addr+"/api/v1/alertmanager", user, pass, payload)
}

// httpGetAuth GETs url with basic auth.
func httpGetAuth(t *testing.T, url, user, pass string) (int, string) {
	t.Helper()
	return doAuth(t, http.MethodGet, url, user, pass, "")
}

// doAuth sends a request with basic auth when user is set.
func doAuth(t *testing.T, method, url, user, pass, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// nextIncidents are the first two incidents the vendor posts after the
// simulated now, the alert of the first one starting after now too, so that
// no alert falls in the window of an incident already posted.
func nextIncidents(t *testing.T, w *world) (first, second simulator.IncidentTruth) {
	t.Helper()
	var next []simulator.IncidentTruth
	for _, in := range w.sim.Truth(w.vendor, frozenNow.Add(30*24*time.Hour)).Incidents {
		if in.Created.Add(-customerLead).After(frozenNow) {
			next = append(next, in)
		}
	}
	if len(next) < 2 {
		t.Fatalf("the simulator posts %d incidents in the 30 days after now, want 2", len(next))
	}
	if !next[1].Started.Add(-30 * time.Minute).After(next[0].Created.Add(customerLead)) {
		t.Fatalf("incidents %s and %s overlap: each alert must fall in one window at most", next[0].ID, next[1].ID)
	}
	return next[0], next[1]
}

// startAlertmanager runs Alertmanager with one route delivering every alert
// to url at once, with the bearer token in tokenFile, and returns its base
// URL once it is ready.
func startAlertmanager(t *testing.T, bin, url, tokenFile string) string {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	writeFile(t, filepath.Join(dir, "alertmanager.yml"), fmt.Sprintf(`route:
  receiver: support_exporter
  group_by: ['...']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: support_exporter
    webhook_configs:
      - url: %s
        send_resolved: false
        http_config:
          authorization:
            credentials_file: %s
`, url, tokenFile))
	runDaemon(t, bin, "--config.file="+filepath.Join(dir, "alertmanager.yml"),
		"--storage.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--cluster.listen-address=")
	base := "http://" + addr
	waitFor(t, 20*time.Second, "Alertmanager ready", func() bool {
		code, _ := httpGet(base + "/-/ready")
		return code == http.StatusOK
	})
	return base
}

// postAlerts fires alerts through Alertmanager's API, as Prometheus does.
// Without endsAt they stay firing for resolve_timeout.
func postAlerts(t *testing.T, base string, alerts []map[string]any) {
	t.Helper()
	body, err := json.Marshal(alerts)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v2/alerts: %s", resp.Status)
	}
}
