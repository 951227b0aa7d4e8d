package e2e

import (
	"strings"
	"testing"
	"time"
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
