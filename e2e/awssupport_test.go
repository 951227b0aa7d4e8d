package e2e

import (
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

// awsExpected are chatHistory's values read as AWS Support cases, worked
// out by hand in chatExpected: the same communications at the same
// instants (each step a communication: AWS's replies and its resolving
// answer signed "Amazon Web Services", the buyer's replies, chases and
// reopening reply), the case's first communication the description, and
// the solves and the reopen of case 6 dated by the communications that
// came with them, as the three reads of chatPhases see them. What differs:
// the API shows no tags, so case 3's escalation is not seen
// (docs/sources.md, `aws_support`: does not feed escalations); its
// severity stays high.
func awsExpected(clock string) metricValues {
	want := chatExpected(clock)
	want["support_escalations_total priority=high"] = 0
	return want
}

// TestAWSSupportScriptedHistory reads chatHistory through the aws_support
// kind, signed with the simulated account's key pair, under both SLA
// clocks, at the three instants of chatPhases.
func TestAWSSupportScriptedHistory(t *testing.T) {
	clocks := []string{"calendar", "business"}
	var now atomic.Int64
	now.Store(chatPhases[0].at.Unix())
	clock := func() time.Time { return time.Unix(now.Load(), 0).UTC() }
	var vendors []simulator.Vendor
	for _, c := range clocks {
		vendors = append(vendors, simulator.Vendor{Name: "aws-" + c, Timezone: "Europe/Berlin", History: 30 * day, Script: chatHistory})
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
		fmt.Fprintf(&cfg, `  - name: aws-%s
    calendar: office
    sla:
      clock: %s
      first_response: {urgent: 1h, high: 4h, normal: 8h, low: 24h}
      resolution: {urgent: 24h, high: 72h}
    tickets:
      - name: cases
`, c, c)
		cfg.WriteString(sourceYAML(t, sim, "aws-"+c, simulator.KindAWSSupport, false))
	}
	cfgPath := filepath.Join(dir, "support_exporter.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	p := start(t, logs, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"), "--log.level=debug")

	var s series
	var body string
	for _, ph := range chatPhases {
		now.Store(ph.at.Unix())
		waitFor(t, 30*time.Second, ph.what, func() bool {
			s, body = p.scrape()
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
			want := awsExpected(c)
			name := "aws-" + c
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
			if up, _ := s.get("support_source_up", "vendor", name, "source", "cases", "kind", "aws_support"); up != 1 {
				t.Errorf("support_source_up = %v", up)
			}
		})
	}
	// The secret access key and every signature sent stay out of the
	// logs (at debug level) and /metrics.
	_, landing := p.get("/")
	p.term()
	for _, v := range vendors {
		_, secret := sim.AWSSupportCredentials(v.Name)
		for what, text := range map[string]string{"log": logs.String(), "/metrics": body, "landing page": landing} {
			if strings.Contains(text, secret) || strings.Contains(text, "Signature=") || strings.Contains(text, "AWS4-HMAC-SHA256") {
				t.Errorf("the %s shows the secret access key or a signature", what)
			}
		}
	}
}
