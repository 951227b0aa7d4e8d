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

// TestSecretsNeverLeak runs the exporter with the token in a password_file,
// once right and once wrong (so that auth errors are logged and shown), and
// requires that the token appears nowhere: logs, /metrics, the landing page.
func TestSecretsNeverLeak(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token string
		up    float64
	}{
		{"right token", "", 1},
		{"wrong token", "s3cr3t-Wr0ng-t0ken-4f9a", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{tickets: 200, token: tc.token})
			_, secret := w.sim.ZendeskCredentials(w.vendor)
			if tc.token != "" {
				secret = tc.token
			}
			logs := &syncBuffer{}
			p := start(t, logs, w.args(t.TempDir())...)
			labels := []string{"vendor", w.vendor, "source", "helpdesk", "kind", "zendesk"}
			var body string
			waitFor(t, 30*time.Second, "a sync attempt", func() bool {
				var s series
				s, body = p.scrape()
				v, _ := s.get("support_source_last_success_timestamp_seconds", labels...)
				auth, _ := s.get("support_source_errors_total", append(labels, "reason", "auth")...)
				return (tc.up == 1 && v > 0) || (tc.up == 0 && auth > 0)
			})
			_, landing := p.get("/")
			if tc.up == 0 && !strings.Contains(landing, "401") {
				t.Errorf("landing page does not show the auth error:\n%s", landing)
			}
			p.term()
			for what, text := range map[string]string{"log": logs.String(), "/metrics": body, "landing page": landing} {
				if strings.Contains(text, secret) {
					t.Errorf("the token appears in the %s", what)
				}
			}
			if !strings.Contains(logs.String(), "sync") {
				t.Errorf("log has no sync lines; the check above proves nothing:\n%s", logs.String())
			}
		})
	}
}

// secretKinds are the kinds whose credentials TestSecretsNeverLeakAnyKind
// guards, each polled as its own vendor with the credentials
// Sim.SourceYAML writes. A kind with credentials is one more line;
// userIsSecret when its basic-auth user name is the secret (Freshdesk's
// API key, with a placeholder password).
var secretKinds = []struct {
	kind         string
	userIsSecret bool
}{
	{kind: simulator.KindSlack},
	{kind: simulator.KindAzureSupport},
	{kind: simulator.KindZendesk},
	{kind: simulator.KindZendeskRequests},
	{kind: simulator.KindFreshdesk, userIsSecret: true},
	{kind: simulator.KindJSM},
	{kind: simulator.KindGitHub},
	{kind: simulator.KindGCPSupport},
	{kind: simulator.KindIMAP}, // the mailbox's password (LOGIN)
	{kind: simulator.KindAWSSupport},
}

// secretKey is a YAML line of a source body holding a secret: a basic-auth
// password, an authorization's credentials, a token, a client secret or
// an AWS secret access key.
var secretKey = regexp.MustCompile(`(?m)^\s*(password|credentials|token|bearer_token|client_secret|api_key|secret|secret_access_key|username):\s*"([^"]+)"\s*$`)

// minSecret is the shortest value searched for: shorter ones are
// placeholders (Freshdesk's password "X"), which any page may well hold.
const minSecret = 8

// TestSecretsNeverLeakAnyKind polls one vendor through each of secretKinds,
// logging at debug level, then revokes every credential (each API answers
// as it does a revoked one: Slack's invalid_auth, IMAP's NO
// [AUTHENTICATIONFAILED], the others' 401), and
// requires that no secret appears in the log, /metrics, the landing page
// (which shows each source's last error) or any other page the exporter
// serves.
func TestSecretsNeverLeakAnyKind(t *testing.T) {
	var vendors []simulator.Vendor
	for _, k := range secretKinds {
		vendors = append(vendors, simulator.Vendor{
			Name: "leak-" + strings.ReplaceAll(k.kind, "_", "-"), Persona: simulator.ChatOfficeHours, Timezone: "Europe/Berlin",
			History: 3 * day, Tickets: 20,
		})
	}
	sim, err := simulator.New(simulator.Options{Seed: 9, Start: scriptNow, Clock: func() time.Time { return scriptNow }, Vendors: vendors, ExportRequestsPerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	var cfg strings.Builder
	cfg.WriteString(officeConfigHeader)
	secrets := map[string]string{} // secret -> kind
	for i, k := range secretKinds {
		body := sim.SourceYAML(vendors[i].Name, k.kind)
		n := 0
		for _, m := range secretKey.FindAllStringSubmatch(body, -1) {
			if (m[1] == "username") != k.userIsSecret || len(m[2]) < minSecret {
				continue
			}
			secrets[m[2]] = k.kind
			n++
		}
		if n == 0 {
			t.Fatalf("no secret found in the %s source Sim.SourceYAML writes; the check would prove nothing:\n%s", k.kind, body)
		}
		if k.kind == simulator.KindAzureSupport {
			// The access token Entra ID issues is a secret too: the
			// exporter only ever sends it to ARM.
			secrets[sim.AzureAccessToken(vendors[i].Name)] = k.kind
		}
		fmt.Fprintf(&cfg, "  - name: %s\n    calendar: office\n    tickets:\n      - name: helpdesk\n", vendors[i].Name)
		cfg.WriteString(sourceYAML(t, sim, vendors[i].Name, k.kind, false))
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "support_exporter.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	p := start(t, logs, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"), "--log.level=debug")
	labels := func(i int, more ...string) []string {
		return append([]string{"vendor", vendors[i].Name, "source", "helpdesk", "kind", secretKinds[i].kind}, more...)
	}
	waitFor(t, 60*time.Second, "every source synced", func() bool {
		s, _ := p.scrape()
		for i := range secretKinds {
			if v, _ := s.get("support_source_last_success_timestamp_seconds", labels(i)...); v == 0 {
				return false
			}
		}
		return true
	})
	for i, k := range secretKinds {
		sim.Inject(vendors[i].Name, k.kind, simulator.FaultUnauthorized, 100000)
	}
	var metrics, landing string
	waitFor(t, 60*time.Second, "an auth error on every source", func() bool {
		var s series
		s, metrics = p.scrape()
		for i := range secretKinds {
			if v, _ := s.get("support_source_errors_total", labels(i, "reason", "auth")...); v == 0 {
				return false
			}
		}
		return true
	})
	_, landing = p.get("/")
	if !strings.Contains(landing, "invalid_auth") || !strings.Contains(landing, "401") {
		t.Errorf("the landing page does not show the auth errors (Slack's invalid_auth, the others' 401):\n%s", landing)
	}
	pages := map[string]string{"/metrics": metrics, "landing page": landing}
	for _, path := range []string{"/-/ready", "/-/healthy", "/-/reload", "/config", "/api/v1/status/config", "/debug/vars"} {
		_, pages[path] = p.get(path)
	}
	p.term()
	pages["log"] = logs.String()
	if !strings.Contains(pages["log"], "invalid_auth") || !strings.Contains(pages["log"], "level=DEBUG") {
		t.Errorf("the log has no debug lines or no auth error; the check below proves little:\n%s", tail(pages["log"], 20))
	}
	for secret, kind := range secrets {
		for what, text := range pages {
			if strings.Contains(text, secret) {
				t.Errorf("the %s credential appears in %s", kind, what)
			}
		}
	}
}
