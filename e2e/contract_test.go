package e2e

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// TestContractMonth: a contract month with two outages and their credit
// (docs/configuration.md, "Agreements"), read from a scripted Statuspage
// through the exporter and a real Prometheus, and held up under faults: an
// outage edited and backdated after its resolution moves nothing, and a
// restart keeps every value.
//
// The exporter judges periods as of its own clock, the wall clock, so the
// contract month is the calendar month before the current one in
// Europe/Berlin, whichever it is; every outage falls on days every month
// has. The agreement: components API and Regions / US East, the 10/25/100 ladder
// below 99.9/99/95%, claims by the end of the second period after, and a
// termination right after one period below 99%.
//
// The outages of that month, in Berlin time:
//
//	A  day 10, 09:00-12:00, critical, API:             3 h      = 10,800 s
//	B  day 20, 23:00 - day 21, 03:26, major, US East
//	   and Dashboard:                                   4 h 26 m = 15,960 s
//	C  day 10, 11:00-11:30, critical, API: inside A, counted once:     0 s
//	D  day 12, 10:00-12:00, minor, API: weight 0 (the default):         0 s
//	E  day 14, 10:00-12:00, critical, Webhooks: not the agreement's:    0 s
//
// Weighted downtime: 10,800 + 15,960 = 26,760 s (the counter). Its credit
// depends on the month's real length L: 26,760 s is below 99% when it is
// more than L/100:
//
//	28 days   2,419,200 s  1% = 24,192 s  availability 0.988938  25%, termination
//	29 days   2,505,600 s  1% = 25,056 s  availability 0.989320  25%, termination
//	30 days   2,592,000 s  1% = 25,920 s  availability 0.989676  25%, termination
//	31 days, spring DST (743 h)
//	          2,674,800 s  1% = 26,748 s  availability 0.989996  25%, termination
//	31 days   2,678,400 s  1% = 26,784 s  availability 0.990009  10%, none
//	31 days, autumn DST (745 h)
//	          2,682,000 s  1% = 26,820 s  availability 0.990022  10%, none
//
// The claim deadline is the end of the month after the current one; the
// month before the contract month (previous_2) is still claimable until the
// end of the current month, with availability 1 and no credit; the current
// month has no outage: availability 1.
func TestContractMonth(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	y, m, _ := now.In(berlin).Date()
	current := time.Date(y, m, 1, 0, 0, 0, 0, berlin)
	month := time.Date(y, m-1, 1, 0, 0, 0, 0, berlin) // the contract month
	before := time.Date(y, m-2, 1, 0, 0, 0, 0, berlin)
	next := time.Date(y, m+1, 1, 0, 0, 0, 0, berlin)
	afterNext := time.Date(y, m+2, 1, 0, 0, 0, 0, berlin)
	at := func(day, hour, minute int) time.Time {
		return time.Date(month.Year(), month.Month(), day, hour, minute, 0, 0, berlin)
	}
	if now.Sub(current) < 10*time.Minute || next.Sub(now) < 5*time.Minute {
		t.Skip("a month begins within minutes of the run: the exporter's periods may move under the test")
	}
	length := current.Sub(month).Seconds()
	const downtime = 10800 + 15960.0
	wantAvailability := 1 - downtime/length
	wantCredit, wantTermination := 0.10, 0.0
	if downtime > length/100 {
		wantCredit, wantTermination = 0.25, 1
	}
	t.Logf("contract month %s: %.0f s, availability %.6f, credit %.2f, termination %v",
		month.Format("2006-01"), length, wantAvailability, wantCredit, wantTermination)

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
	var clock atomic.Int64
	clock.Store(now.Unix())
	simNow := func() time.Time { return time.Unix(clock.Load(), 0) }
	const vendor = "contoso"
	sim := startedSim(t, simulator.Options{Seed: 5, Start: now, Clock: simNow, Vendors: []simulator.Vendor{{
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
        period: month
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
%s`, vendor, sourceYAML(t, sim, vendor, simulator.KindStatuspage, false))
	args := []string{"--config.file=" + configFile(t, dir, cfg), "--storage.path=" + filepath.Join(dir, "data")}
	addr := freeAddr(t)
	p := startAt(t, addr, args...)

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
		close("period start previous", v(s, "support_contract_period_start_timestamp_seconds", "period", "previous"), float64(month.Unix()))
		close("period end previous", v(s, "support_contract_period_end_timestamp_seconds", "period", "previous"), float64(current.Unix()))
		close("termination right", v(s, "support_contract_termination_right"), wantTermination)
		close("availability current", v(s, "support_contract_availability_ratio", "period", "current"), 1)
		close("credit current", v(s, "support_contract_credit_ratio", "period", "current"), 0)
		close("claim deadline current", v(s, "support_contract_claim_deadline_timestamp_seconds", "period", "current"), float64(time.Date(y, m+3, 1, 0, 0, 0, 0, berlin).Unix()))
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

	prom := startPrometheus(t, lookPath(t, "prometheus", "prometheus"), dir, filepath.Join(dir, "prometheus"), addr)
	waitFor(t, 30*time.Second, "prometheus scraped the contract", func() bool {
		r, err := promInstant(prom.url, `support_contract_downtime_seconds_total{agreement="edge"}`, time.Now())
		return err == nil && len(r) == 1
	})

	// Faults: the vendor backdates A by two days and lowers it to minor,
	// moves B's first post, all after their resolution; a sync started
	// after the edits moves nothing.
	tr := sim.Truth(vendor, simNow())
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
	edited := time.Now()
	backdated := 0
	for _, in := range sim.Truth(vendor, simNow()).Incidents {
		if in.Started.Equal(at(8, 9, 0)) && in.Impact == "minor" || in.Started.Equal(at(19, 0, 0)) && in.Impact == "critical" {
			backdated++
		}
	}
	if backdated != 2 {
		t.Fatalf("the simulator shows %d of the 2 edits", backdated)
	}
	waitFor(t, 30*time.Second, "a sync started after the edits", func() bool {
		s, _ = p.scrape()
		last, _ := s.get("support_source_last_success_timestamp_seconds", "vendor", vendor, "source", "status", "kind", simulator.KindStatuspage)
		return last > float64(edited.Add(3*time.Second).Unix())
	})
	check("after the edits", s)

	// A restart on the same address rebuilds the same values from the store.
	p.term()
	p = startAt(t, addr, args...)
	waitFor(t, 30*time.Second, "the restarted exporter judged the month", func() bool {
		s, _ = p.scrape()
		_, ok := s.get("support_contract_availability_ratio", "vendor", vendor, "agreement", "edge", "period", "previous")
		return ok
	})
	check("after a restart", s)

	// Prometheus saw the counter steady across the edits and the restart
	// (no reset), and the dashboard's "Credits to claim" query finds the
	// contract month with its time left.
	time.Sleep(3 * time.Second) // a few scrapes of the restarted exporter
	r, err := promInstant(prom.url, `resets(support_contract_downtime_seconds_total{agreement="edge"}[10m]) + max_over_time(support_contract_downtime_seconds_total{agreement="edge"}[10m])`, time.Now())
	if err != nil || len(r) != 1 || len(r[0].Samples) != 1 || r[0].Samples[0].Value != downtime {
		t.Errorf("resets + max over the run = %+v (%v), want %v: no reset, never above the month's downtime", r, err, downtime)
	}
	claim := `max by (vendor, agreement, period) ((support_contract_claim_deadline_timestamp_seconds{job="support_exporter"} - time()) > 0 ` +
		`and on (vendor, agreement, period) support_contract_credit_ratio{job="support_exporter"} > 0)`
	r, err = promInstant(prom.url, claim, time.Now())
	if err != nil || len(r) != 1 || len(r[0].Samples) != 1 || r[0].Labels["period"] != "previous" {
		t.Fatalf("credits to claim: %+v (%v), want the contract month alone", r, err)
	}
	if left := r[0].Samples[0].Value; left <= 0 || left > afterNext.Sub(now).Seconds() {
		t.Errorf("time left to claim %v s, want up to the end of the month after this one (%v s)", left, afterNext.Sub(now).Seconds())
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
