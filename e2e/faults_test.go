package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/simulator"
	"github.com/support-exporter/support_exporter/simulator/simtest"
)

// faultSource is one vendor of TestVendorFaults, polled through one ticket
// kind under one account.
type faultSource struct {
	vendor, kind string
	customer     bool // jira_service_management only: a portal customer, who lists requests instead of searching
}

// faultSources are every ticket kind of collectors.Kinds, each a vendor
// named after it, and both accounts of jira_service_management (agent and
// portal customer).
var faultSources = ticketSources()

func ticketSources() []faultSource {
	var out []faultSource
	for _, kind := range collectors.Kinds.Config().Feeding(config.FeedsTickets) {
		if kind == simulator.KindJSM {
			out = append(out, faultSource{vendor: "jsm-agent", kind: kind}, faultSource{vendor: "jsm-customer", kind: kind, customer: true})
			continue
		}
		out = append(out, faultSource{vendor: strings.ReplaceAll(kind, "_", "-"), kind: kind})
	}
	return out
}

// labels are the source's labels on the support_source_* families.
func (f faultSource) labels() []string {
	return []string{"vendor", f.vendor, "source", "helpdesk", "kind", f.kind}
}

// TestVendorFaults injects each fault the simulator knows into every
// ticket source of a synced exporter at once: the exporter stays up, keeps
// serving each vendor's last good values, reports each source down with the
// right reason, and catches up with nothing lost once the vendors recover.
func TestVendorFaults(t *testing.T) {
	var now atomic.Int64
	now.Store(frozenNow.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	sim := startFaultSim(t, clock)
	dir := t.TempDir()
	p := start(t, nil, "--config.file="+writeFaultConfig(t, sim, dir), "--storage.path="+filepath.Join(dir, "data"))
	// caughtUp: every source up and holding every ticket its vendor has as
	// of the simulated clock, none twice.
	caughtUp := func(s series) bool {
		for _, f := range faultSources {
			up, _ := s.get("support_source_up", f.labels()...)
			truth := sim.Truth(f.vendor, clock())
			if up != 1 || int(s.sum("support_tickets_created_total", "vendor", f.vendor)) != len(truth.Tickets) {
				return false
			}
		}
		return true
	}
	var synced series
	waitFor(t, 90*time.Second, "every source's initial sync", func() bool {
		synced, _ = p.scrape()
		return caughtUp(synced)
	})

	faults := []struct {
		fault  simulator.Fault
		reason string
	}{
		{simulator.FaultRateLimit, "rate_limited"},
		{simulator.FaultServerError, "http"},
		{simulator.FaultTimeout, "timeout"},
		{simulator.FaultMalformed, "decode"},
		{simulator.FaultTruncated, "decode"},
		{simulator.FaultUnauthorized, "auth"},
	}
	for _, ft := range faults {
		t.Run(ft.reason+"/"+faultName(ft.fault), func(t *testing.T) {
			before := afterNextPolls(t, p, synced)
			for _, f := range faultSources {
				if len(before.quality().ofVendor(f.vendor)) == 0 {
					t.Fatalf("%s: no values to keep serving", f.vendor)
				}
			}
			// Each source meets its faults on its own schedule, and may
			// recover before another fails: each is checked in the first
			// scrape that shows it down.
			failing := map[string]faultSource{}
			reasons := map[string][]string{}
			for _, f := range faultSources {
				rs, why := faultReasons(t, f.kind, ft.fault, ft.reason)
				if why != "" {
					t.Logf("%s: not expected down: %s", f.vendor, why)
					continue
				}
				// Enough failures to span several polls, then recovery.
				if err := sim.InjectSpec(f.vendor, f.kind, simulator.Spec{Fault: ft.fault, Requests: 3}); err != nil {
					t.Fatal(err)
				}
				failing[f.vendor], reasons[f.vendor] = f, rs
			}
			errsOf := func(s series, f faultSource) float64 {
				n := 0.0
				for _, r := range reasons[f.vendor] {
					v, _ := s.get("support_source_errors_total", append(f.labels(), "reason", r)...)
					n += v
				}
				return n
			}
			waitFor(t, 30*time.Second, "every source down with the fault counted", func() bool {
				s, _ := p.scrape()
				for _, f := range failing {
					if up, _ := s.get("support_source_up", f.labels()...); errsOf(s, f) <= errsOf(before, f) || up != 0 {
						continue
					}
					if d := diff(before.quality().ofVendor(f.vendor), s.quality().ofVendor(f.vendor)); len(d) > 0 {
						t.Fatalf("%s: values changed while the vendor failed (must serve the last good ones): %v", f.vendor, d[:min(len(d), 10)])
					}
					delete(failing, f.vendor)
				}
				return len(failing) == 0
			})
			// The vendors' clock moves on: new tickets and updates appear.
			now.Add(int64(6 * time.Hour))
			waitFor(t, 60*time.Second, "every source recovered and caught up", func() bool {
				synced, _ = p.scrape()
				return caughtUp(synced)
			})
		})
	}
	if code, _ := p.get("/-/healthy"); code != 200 {
		t.Fatalf("exporter not healthy after the faults: %d", code)
	}
}

// faultReasons are the reasons a caught-up sync of kind may fail with
// under fault, whose reason over HTTP is httpReason, or why the kind is not
// expected down under it (then no reason): the simulator does not play the
// fault on the kind (Fault.AppliesTo), or a session kind's sync caught up
// with a world that did not move meets no answer the fault damages. A
// session kind's reasons are simtest.SessionFaults', the conformance
// suite's table; every HTTP kind fails with httpReason alone.
func faultReasons(t testing.TB, kind string, fault simulator.Fault, httpReason string) ([]string, string) {
	t.Helper()
	if !fault.AppliesTo(kind) {
		why := fmt.Sprintf("the simulator does not play %v on %s", fault, kind)
		if reason := simtest.NotForSession[kind][fault]; reason != "" {
			why += " (" + reason + ")"
		}
		return nil, why
	}
	if !simtest.IsSession(kind) {
		return []string{httpReason}, ""
	}
	sf, ok := simtest.SessionFaults[kind][fault]
	if !ok {
		t.Fatalf("simtest.SessionFaults has no %v for %s, which the simulator plays", fault, kind)
	}
	rs := sf.Reasons
	if sf.Idle != nil {
		rs = sf.Idle
	}
	rs = slices.DeleteFunc(slices.Clone(rs), func(r string) bool { return r == "" })
	if len(rs) == 0 {
		return nil, fmt.Sprintf("%v meets no %s answer of a caught-up sync (%s): the sync succeeds", fault, kind, sf.Why)
	}
	return rs, ""
}

// afterNextPolls is the first scrape after every source has completed a
// poll since last: a source's catch-up may leave changes of the clock's
// last moments to its next poll (its safety margins), which must not be
// mistaken for values changing under a fault.
func afterNextPolls(t *testing.T, p *proc, last series) series {
	t.Helper()
	var s series
	waitFor(t, 30*time.Second, "one more poll of every source", func() bool {
		s, _ = p.scrape()
		for _, f := range faultSources {
			was, _ := last.get("support_source_last_success_timestamp_seconds", f.labels()...)
			if is, _ := s.get("support_source_last_success_timestamp_seconds", f.labels()...); is <= was {
				return false
			}
		}
		return true
	})
	return s
}

// ofVendor keeps the series of one vendor.
func (s series) ofVendor(vendor string) series {
	out := series{}
	label := fmt.Sprintf("vendor=%q", vendor)
	for k, v := range s {
		if strings.Contains(k, label) {
			out[k] = v
		}
	}
	return out
}

// startFaultSim serves the vendors of faultSources as of clock, with
// tickets arriving as it advances.
func startFaultSim(t *testing.T, clock func() time.Time) *simulator.Sim {
	t.Helper()
	var vendors []simulator.Vendor
	for _, f := range faultSources {
		vendors = append(vendors, simulator.Vendor{
			Name: f.vendor, Persona: simulator.SlowThorough, Timezone: "Europe/Berlin",
			// Every kind but Zendesk's export costs a request per changed
			// ticket: a few hundred keep the syncs short.
			History: 30 * day, Tickets: 300, LiveTicketsPerHour: 10,
		})
	}
	sim, err := simulator.New(simulator.Options{Seed: 7, Start: clock(), Clock: clock, Vendors: vendors, ExportRequestsPerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

// ticketVendorYAML is the config of one vendor of the office calendar
// with one ticket source, helpdesk, of f's kind and account, as the
// simulator writes it (GitHub with a token, as the collector's docs advise:
// its 401 fault is a revoked token, since anonymous calls to a public
// repository are never refused 401, and its primary limit is per user).
func ticketVendorYAML(t *testing.T, sim *simulator.Sim, f faultSource) string {
	t.Helper()
	return fmt.Sprintf(`  - name: %s
    calendar: office
    sla:
      first_response: {urgent: 1h, high: 4h, normal: 8h, low: 24h}
      resolution: {urgent: 24h, high: 72h}
    escalation:
      tags: [escalated]
    tickets:
      - name: helpdesk
`, f.vendor) + sourceYAML(t, sim, f.vendor, f.kind, f.customer)
}

// writeFaultConfig writes the exporter's config for faultSources into dir
// and returns its path.
func writeFaultConfig(t *testing.T, sim *simulator.Sim, dir string) string {
	t.Helper()
	var cfg strings.Builder
	cfg.WriteString(officeConfigHeader)
	for _, f := range faultSources {
		cfg.WriteString(ticketVendorYAML(t, sim, f))
	}
	path := filepath.Join(dir, "support_exporter.yml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func faultName(f simulator.Fault) string {
	return map[simulator.Fault]string{
		simulator.FaultRateLimit: "429", simulator.FaultServerError: "500", simulator.FaultTimeout: "timeout",
		simulator.FaultMalformed: "malformed", simulator.FaultTruncated: "truncated", simulator.FaultUnauthorized: "401",
	}[f]
}
