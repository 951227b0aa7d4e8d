package e2e

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/alerts"
	"github.com/support-exporter/support_exporter/simulator"
)

// TestContractMonth: a contract month with two outages and their credit
// (docs/configuration.md, "Agreements"), read from a scripted Statuspage
// through the exporter and a real Prometheus, and held up under faults: an
// outage edited and backdated after its resolution moves nothing, and a
// restart keeps every value.
//
// Each case runs the simulator and the exporter as if now were a fixed
// instant (the exporter's hidden --debug.clock, advancing with real time
// from there; the simulator's Clock the same), so the test is the same at
// any date and hour. The contract month is the period before the current
// one in Europe/Berlin. The agreement: components API and Regions / US
// East, the 10/25/100 ladder below 99.9/99/95%, claims by the end of the
// second period after, and a termination right after one period below 99%.
//
// The outages, in Berlin time, on days of the month holding the contract
// period's days 10 to 21:
//
//	A  day 10, 09:00-12:00, critical, API:             3 h      = 10,800 s
//	B  day 20, 23:00 - day 21, 03:26, major, US East
//	   and Dashboard:                                   4 h 26 m = 15,960 s
//	C  day 10, 11:00-11:30, critical, API: inside A, counted once:     0 s
//	D  day 12, 10:00-12:00, minor, API: weight 0 (the default):         0 s
//	E  day 14, 10:00-12:00, critical, Webhooks: not the agreement's:    0 s
//
// Weighted downtime: 10,800 + 15,960 = 26,760 s (the counter). Its credit
// depends on the period's real length L: 26,760 s is below 99% when it is
// more than L/100 (each case's comment works it out).
//
// The claim deadline of a period is the end of the second period after it:
// the previous period's is the end of the period after the current one;
// previous_2 is still claimable until the end of the current period, with
// availability 1 and no credit; previous_3's window closed at the current
// period's start. The current period has no outage: availability 1.
func TestContractMonth(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		now    string // the instant the run acts at
		period string // the agreement's period
		// The outages' year and month (their days 10 to 21).
		year  int
		month time.Month
		// Period starts at midnight in Berlin: previous_2, previous (the
		// contract period), current, and the three after.
		starts [6]string
		length float64 // the contract period's length in seconds
		credit float64
		// termination: 1 when 26,760 s is more than 1% of the length.
		termination float64
		faults      bool // also the edits, a restart and Prometheus
	}{
		// February 2028, 29 days: 2,505,600 s; 1% = 25,056 s < 26,760:
		// availability 1 - 26,760/2,505,600 = 0.989320, 25%, termination.
		{"leap February", "2028-03-15T12:00:00+01:00", "month", 2028, time.February,
			[6]string{"2028-01-01", "2028-02-01", "2028-03-01", "2028-04-01", "2028-05-01", "2028-06-01"}, 2505600, 0.25, 1, true},
		// March 2026, spring DST on the 29th: 743 h = 2,674,800 s; 1% =
		// 26,748 s < 26,760: availability 0.989996, 25%, termination.
		{"March with the spring DST change", "2026-04-15T12:00:00+02:00", "month", 2026, time.March,
			[6]string{"2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01", "2026-07-01"}, 2674800, 0.25, 1, false},
		// October 2026, autumn DST on the 25th: 745 h = 2,682,000 s; 1% =
		// 26,820 s > 26,760: availability 0.990022, 10%, none.
		{"October with the autumn DST change", "2026-11-15T12:00:00+01:00", "month", 2026, time.October,
			[6]string{"2026-09-01", "2026-10-01", "2026-11-01", "2026-12-01", "2027-01-01", "2027-02-01"}, 2682000, 0.10, 0, false},
		// June 2026, 30 days: 2,592,000 s; 1% = 25,920 s < 26,760:
		// availability 0.989676, 25%, termination.
		{"June", "2026-07-15T12:00:00+02:00", "month", 2026, time.June,
			[6]string{"2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01"}, 2592000, 0.25, 1, false},
		// Service months from day 31 (from the last day in shorter
		// months), 2 minutes after a turn: the current period began on
		// April 30 00:00; the contract period is March 31 - April 30, 30
		// days after the DST change: 2,592,000 s, the outages on April's
		// days; 25%, termination. previous_2 is Feb 28 - Mar 31.
		{"service month from day 31, just turned", "2026-04-30T00:02:00+02:00", "{start_day: 31}", 2026, time.April,
			[6]string{"2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31"}, 2592000, 0.25, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var starts [6]time.Time
			for i, d := range c.starts {
				day, err := time.ParseInLocation(time.DateOnly, d, berlin)
				if err != nil {
					t.Fatal(err)
				}
				starts[i] = day
			}
			if got := starts[2].Sub(starts[1]).Seconds(); got != c.length {
				t.Fatalf("the contract period is %v s long, the case says %v", got, c.length)
			}
			now, err := time.Parse(time.RFC3339, c.now)
			if err != nil {
				t.Fatal(err)
			}
			contractRun(t, berlin, now, c.period, c.year, c.month, starts, c.credit, c.termination, c.faults)
		})
	}
}

// contractRun runs TestContractMonth's case acting at now.
func contractRun(t *testing.T, berlin *time.Location, now time.Time, period string, year int, month time.Month,
	starts [6]time.Time, wantCredit, wantTermination float64, faults bool) {
	before, contract, current, next, afterNext, third := starts[0], starts[1], starts[2], starts[3], starts[4], starts[5]
	at := func(day, hour, minute int) time.Time {
		return time.Date(year, month, day, hour, minute, 0, 0, berlin)
	}
	const downtime = 10800 + 15960.0
	wantAvailability := 1 - downtime/current.Sub(contract).Seconds()

	// The run's clock: now at the start, advancing with real time.
	realStart := time.Now()
	clock := func() time.Time { return now.Add(time.Since(realStart)) }

	outage := func(impact string, components []string, from, to time.Time) simulator.ScriptedIncident {
		return simulator.ScriptedIncident{Impact: impact, Components: components, Started: from, Posted: from.Add(5 * time.Minute), Resolved: to}
	}
	script := []simulator.ScriptedIncident{
		outage("critical", []string{"API"}, at(10, 9, 0), at(10, 12, 0)),                // A
		outage("major", []string{"US East", "Dashboard"}, at(20, 23, 0), at(21, 3, 26)), // B
		outage("critical", []string{"API"}, at(10, 11, 0), at(10, 11, 30)),              // C
		outage("minor", []string{"API"}, at(12, 10, 0), at(12, 12, 0)),                  // D
		outage("critical", []string{"Webhooks"}, at(14, 10, 0), at(14, 12, 0)),          // E
	}
	const vendor = "contoso"
	sim := startedSim(t, simulator.Options{Seed: 5, Start: now, Clock: clock, Vendors: []simulator.Vendor{{
		Name: vendor, Timezone: "Europe/Berlin", History: 100 * day, Incidents: script,
	}}})

	dir := t.TempDir()
	cfg := fmt.Sprintf(`global:
  poll_interval: 1s
  request_timeout: 2s
vendors:
  - name: %s
    agreements:
      - name: edge
        source: https://example.com/edge-sla
        measure: availability
        components: [API, Regions / US East]   # a component in a group is named Group / Name
        period: %s
        timezone: Europe/Berlin
        tiers:
          - {below: 0.999, credit: 0.10}
          - {below: 0.99, credit: 0.25}
          - {below: 0.95, credit: 1.00}
        claim: {billing_cycles: 2}
        termination:
          - {below: 0.99, periods: 1}
    status_pages:
      - name: status
%s`, vendor, period, sourceYAML(t, sim, vendor, simulator.KindStatuspage, false))
	args := func() []string {
		return []string{"--config.file=" + configFile(t, dir, cfg), "--storage.path=" + filepath.Join(dir, "data"),
			"--debug.clock=" + clock().Format(time.RFC3339Nano)}
	}
	addr := freeAddr(t)
	p := startAt(t, addr, args()...)

	v := func(s series, name string, labels ...string) float64 {
		t.Helper()
		x, ok := s.get(name, append([]string{"vendor", vendor, "agreement", "edge"}, labels...)...)
		if !ok {
			t.Errorf("%s %v: no series", name, labels)
		}
		return x
	}
	check := func(when string, s series) {
		t.Helper()
		close := func(name string, got, want float64) {
			t.Helper()
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("%s: %s = %v, want %v", when, name, got, want)
			}
		}
		close("downtime counter", v(s, "support_contract_downtime_seconds_total"), downtime)
		close("availability previous", v(s, "support_contract_availability_ratio", "period", "previous"), wantAvailability)
		close("credit previous", v(s, "support_contract_credit_ratio", "period", "previous"), wantCredit)
		close("claim deadline previous", v(s, "support_contract_claim_deadline_timestamp_seconds", "period", "previous"), float64(afterNext.Unix()))
		close("period start previous", v(s, "support_contract_period_start_timestamp_seconds", "period", "previous"), float64(contract.Unix()))
		close("period end previous", v(s, "support_contract_period_end_timestamp_seconds", "period", "previous"), float64(current.Unix()))
		close("termination right", v(s, "support_contract_termination_right"), wantTermination)
		close("availability current", v(s, "support_contract_availability_ratio", "period", "current"), 1)
		close("credit current", v(s, "support_contract_credit_ratio", "period", "current"), 0)
		close("claim deadline current", v(s, "support_contract_claim_deadline_timestamp_seconds", "period", "current"), float64(third.Unix()))
		close("period start current", v(s, "support_contract_period_start_timestamp_seconds", "period", "current"), float64(current.Unix()))
		close("period end current", v(s, "support_contract_period_end_timestamp_seconds", "period", "current"), float64(next.Unix()))
		close("availability previous_2", v(s, "support_contract_availability_ratio", "period", "previous_2"), 1)
		close("credit previous_2", v(s, "support_contract_credit_ratio", "period", "previous_2"), 0)
		close("claim deadline previous_2", v(s, "support_contract_claim_deadline_timestamp_seconds", "period", "previous_2"), float64(next.Unix()))
		close("period start previous_2", v(s, "support_contract_period_start_timestamp_seconds", "period", "previous_2"), float64(before.Unix()))
		close("tier 2 threshold", v(s, "support_contract_tier_below_ratio", "tier", "2"), 0.99)
		close("tier 2 credit", v(s, "support_contract_tier_credit_ratio", "tier", "2"), 0.25)
		if k := keysWith(s, `period="previous_3"`); len(k) > 0 {
			t.Errorf("%s: %v exposed, but the claim window of that period closed", when, k)
		}
	}

	var s series
	var debugLast string
	defer func() {
		if t.Failed() {
			t.Log(debugLast)
		}
	}()
	waitFor(t, 30*time.Second, "the contract month's outages counted", func() bool {
		s, _ = p.scrape()
		x, _ := s.get("support_contract_downtime_seconds_total", "vendor", vendor, "agreement", "edge")
		_, synced := s.get("support_contract_availability_ratio", "vendor", vendor, "agreement", "edge", "period", "previous")
		if x != downtime || !synced {
			debugLast = fmt.Sprint(keysWith(s, "support_contract_downtime"), x, keysWith(s, "incidents_total"), s.sum("support_status_incidents_total", "vendor", vendor))
		}
		return x == downtime && synced
	})
	check("first sync", s)
	if !faults {
		return
	}

	prom := startPrometheus(t, lookPath(t, "prometheus", "prometheus"), dir, filepath.Join(dir, "prometheus"), addr)
	waitFor(t, 30*time.Second, "prometheus scraped the contract", func() bool {
		r, err := promInstant(prom.url, `support_contract_downtime_seconds_total{agreement="edge"}`, time.Now())
		return err == nil && len(r) == 1
	})

	// Faults: the vendor backdates A by two days and lowers it to minor,
	// moves B's first post, all after their resolution; a sync started
	// after the edits moves nothing.
	tr := sim.Truth(vendor, clock())
	for _, in := range tr.Incidents {
		switch {
		case in.Started.Equal(at(10, 9, 0)):
			if err := sim.EditIncident(vendor, in.ID, simulator.IncidentEdit{Started: at(8, 9, 0), Impact: "minor"}); err != nil {
				t.Fatal(err)
			}
		case in.Started.Equal(at(20, 23, 0)):
			if err := sim.EditIncident(vendor, in.ID, simulator.IncidentEdit{Started: at(19, 0, 0), Impact: "critical"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	edited := clock()
	backdated := 0
	for _, in := range sim.Truth(vendor, clock()).Incidents {
		if in.Started.Equal(at(8, 9, 0)) && in.Impact == "minor" || in.Started.Equal(at(19, 0, 0)) && in.Impact == "critical" {
			backdated++
		}
	}
	if backdated != 2 {
		t.Fatalf("the simulator shows %d of the 2 edits", backdated)
	}
	// The exporter's clock: sync times are on it.
	waitFor(t, 30*time.Second, "a sync started after the edits", func() bool {
		s, _ = p.scrape()
		last, _ := s.get("support_source_last_success_timestamp_seconds", "vendor", vendor, "source", "status", "kind", simulator.KindStatuspage)
		return last > float64(edited.Add(3*time.Second).Unix())
	})
	check("after the edits", s)

	// A restart on the same address, its clock continuing where the run
	// is, rebuilds the same values from the store.
	p.term()
	p = startAt(t, addr, args()...)
	waitFor(t, 30*time.Second, "the restarted exporter judged the month", func() bool {
		s, _ = p.scrape()
		_, ok := s.get("support_contract_availability_ratio", "vendor", vendor, "agreement", "edge", "period", "previous")
		return ok
	})
	check("after a restart", s)

	// Prometheus saw the counter steady across the edits and the restart
	// (no reset), and the dashboard's "Credits to claim" query finds the
	// contract month (ended periods only) with its time left: Prometheus
	// evaluates time() on the wall clock, so the time left is the deadline
	// minus the evaluation instant.
	time.Sleep(3 * time.Second) // a few scrapes of the restarted exporter
	r, err := promInstant(prom.url, `resets(support_contract_downtime_seconds_total{agreement="edge"}[10m]) + max_over_time(support_contract_downtime_seconds_total{agreement="edge"}[10m])`, time.Now())
	if err != nil || len(r) != 1 || len(r[0].Samples) != 1 || r[0].Samples[0].Value != downtime {
		t.Errorf("resets + max over the run = %+v (%v), want %v: no reset, never above the month's downtime", r, err, downtime)
	}
	claim := dashboardExpr(t, alerts.Default(), "support-vendor-detail.json", "(support_contract_claim_deadline_timestamp_seconds{", nil)
	evaluated := time.Now().Truncate(time.Second)
	r, err = promInstant(prom.url, claim, evaluated)
	if err != nil || len(r) != 1 || len(r[0].Samples) != 1 || r[0].Labels["period"] != "previous" {
		t.Fatalf("credits to claim: %+v (%v), want the contract month alone", r, err)
	}
	if left, want := r[0].Samples[0].Value, afterNext.Sub(evaluated).Seconds(); math.Abs(left-want) > 1 {
		t.Errorf("time left to claim %v s, want the previous period's deadline %v less the evaluation instant: %v s", left, afterNext, want)
	}
}

// keysWith are the series keys of s holding sub.
func keysWith(s series, sub string) []string {
	var out []string
	for k := range s {
		if strings.Contains(k, sub) {
			out = append(out, k)
		}
	}
	return out
}
