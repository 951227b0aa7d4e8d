package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/simulator"
)

// The off-hours drill through the exporter, against the simulated
// vendor's Requests API (docs/configuration.md, "The off-hours drill").
//
// The vendor's times are scripted while the exporter runs on the wall
// clock, so each test scripts the drill's plan itself: it stores the plan
// (id, marker, a moment two seconds ahead) before the exporter starts, as
// the drill would have, and the drill fires at that moment whenever the
// test runs. The vendor's calendar (business hours 00:00-00:01 in Berlin
// on the one weekday three days after the test starts) keeps the wall
// clock outside business hours for the test's minutes, so the moment is
// never moved; the ticket's own creation, Tuesday 02:05 in Berlin, is off
// hours under it (and under any office calendar).

const drillVendor = "drillco"

// drillCreated is the drill ticket's creation as the vendor answers the
// create: Tuesday 10 March 2026, 02:05 in Berlin (CET, UTC+1), 01:05 UTC.
var drillCreated = time.Date(2026, 3, 10, 1, 5, 0, 0, time.UTC)

// drillSimNow is the simulated vendor's clock: 04:00 in Berlin, after the
// scripted reply.
var drillSimNow = time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)

const drillClosing = "Thank you! This was a scheduled support drill; the ticket can be closed."

// drillCase is one drill run through the exporter.
type drillCase struct {
	steps       []simulator.ScriptStep       // the drill ticket's
	state       string                       // the stored record's state at start
	fileFirst   bool                         // the vendor already holds the ticket (a create sent before a crash)
	createDelay time.Duration                // the vendor answers the create this late (request_timeout is 2s)
	incident    bool                         // the vendor's status page shows an incident under way
	incidents   []simulator.ScriptedIncident // the vendor's status page's scripted incidents
	args        []string
}

type drillRun struct {
	sim  *simulator.Sim
	p    *proc
	logs *syncBuffer
	dir  string
	id   string
}

func runDrill(t *testing.T, c drillCase) *drillRun {
	t.Helper()
	vendor := simulator.Vendor{Name: drillVendor, Timezone: "Europe/Berlin", History: 30 * day,
		Script: []simulator.ScriptedTicket{{Created: drillCreated, Priority: "urgent", Drill: true, Steps: c.steps}}}
	if c.incident {
		vendor.IncidentsPerWeek, vendor.OpenAtStart = 1, true
	}
	vendor.Incidents = c.incidents
	clock := func() time.Time { return drillSimNow }
	sim := startedSim(t, simulator.Options{Seed: 11, Start: drillSimNow, Clock: clock, Vendors: []simulator.Vendor{vendor}})
	sim.SetDrillCreateDelay(drillVendor, c.createDelay)
	r := &drillRun{sim: sim, logs: &syncBuffer{}, dir: t.TempDir(), id: "20260310T010500Z-e2e1"}
	marker := "support-drill-" + r.id
	if c.fileFirst {
		fileDrillRequest(t, sim, "[drill "+marker+"] API answers 503", "Test ticket "+marker)
	}
	// The drill's plan, stored as the exporter stores it before any call.
	st, err := store.Open(filepath.Join(r.dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	base, err := fetch.BaseURL(sim.URL(drillVendor, simulator.KindZendeskRequests))
	if err != nil {
		t.Fatal(err)
	}
	plan := store.Drill{ID: r.id, Source: "helpdesk", Marker: marker, Moment: now.Add(2 * time.Second), State: c.state,
		Target: base.String()}
	if c.state == "creating" {
		plan.Attempts, plan.AttemptAt = 1, now.Add(-time.Second)
	}
	if err := st.PutDrill(drillVendor, plan); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := `global:
  poll_interval: 1s
  request_timeout: 2s
calendars:
  night:
    timezone: Europe/Berlin
    days: [` + strings.ToLower(now.In(berlin).AddDate(0, 0, 3).Weekday().String()[:3]) + `]
    hours: "00:00-00:01"
vendors:
  - name: drillco
    calendar: night
    tickets:
      - name: helpdesk
` + sourceYAML(t, sim, drillVendor, simulator.KindZendeskRequests, false)
	if c.incident || len(c.incidents) > 0 {
		cfg += "    status_pages:\n      - name: status\n" + sourceYAML(t, sim, drillVendor, simulator.KindStatuspage, false)
	}
	cfg += `    drill:
      enabled: true
      source: helpdesk
      priority: urgent
      subject: "[drill {{.Marker}}] API answers 503"
      body: "Test ticket {{.Marker}}"
      closing: "` + drillClosing + `"
`
	args := append([]string{"--config.file=" + configFile(t, r.dir, cfg), "--storage.path=" + filepath.Join(r.dir, "data"),
		"--drill.tick=200ms", "--drill.enabled"}, c.args...)
	r.p = start(t, r.logs, args...)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("exporter log:\n%s", tail(r.logs.String(), 40))
		}
	})
	return r
}

// fileDrillRequest files a request at the simulated vendor as the buyer's
// end user, as the exporter does.
func fileDrillRequest(t *testing.T, sim *simulator.Sim, subject, body string) {
	t.Helper()
	in, _ := json.Marshal(map[string]any{"request": map[string]any{"subject": subject, "comment": map[string]string{"body": body}}})
	req, err := http.NewRequest(http.MethodPost, sim.URL(drillVendor, simulator.KindZendeskRequests)+"/api/v2/requests", bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(sim.ZendeskRequestsCredentials(drillVendor))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("filing the drill request first: %d", resp.StatusCode)
	}
}

// waitResult waits for the drill's result in the exporter's metrics.
func (r *drillRun) waitResult(t *testing.T, result string) series {
	t.Helper()
	var s series
	waitFor(t, 30*time.Second, "drill result "+result, func() bool {
		s, _ = r.p.scrape()
		n, _ := s.get("support_drill_runs_total", "vendor", drillVendor, "result", result)
		return n == 1
	})
	return s
}

// TestDrillAnsweredAt0340 is the acceptance row "a drill answered at
// 03:40 local", read back through a real Prometheus.
func TestDrillAnsweredAt0340(t *testing.T) {
	promBin := lookPath(t, "prometheus", "prometheus")
	// The vendor's human reply comes 1h35m after the creation: 02:05 +
	// 1h35m = 03:40 in Berlin.
	r := runDrill(t, drillCase{state: "planned", steps: []simulator.ScriptStep{{At: 95 * time.Minute, Kind: simulator.VendorReply}}})
	prom := startPrometheus(t, promBin, r.dir, filepath.Join(r.dir, "prometheus"), r.p.addr)
	s := r.waitResult(t, "responded")

	// Worked by hand:
	//   first response = 03:40:00 - 02:05:00 = 1h35m = 5700 s, hours="off"
	//   (Tuesday 02:05 is outside the calendar);
	//   buckets 300 ... 3600 hold 0, 7200 and above hold 1 (3600 < 5700 <= 7200);
	//   runs: responded 1, the others 0;
	//   last run = the ticket's creation, 2026-03-10T01:05:00Z = 1773104700.
	//   The drill ticket is also an ordinary ticket: one urgent ticket
	//   created, its first response 5700 s off hours.
	want := map[string]float64{
		`support_drill_runs_total result=responded`:                           1,
		`support_drill_runs_total result=timed_out`:                           0,
		`support_drill_runs_total result=create_failed`:                       0,
		`support_drill_runs_total result=skipped`:                             0,
		`support_drill_first_response_seconds_count hours=off`:                1,
		`support_drill_first_response_seconds_sum hours=off`:                  5700,
		`support_drill_first_response_seconds_bucket hours=off le=3600`:       0,
		`support_drill_first_response_seconds_bucket hours=off le=7200`:       1,
		`support_drill_first_response_seconds_count hours=business`:           0,
		`support_drill_last_run_timestamp_seconds`:                            1773104700,
		`support_tickets_created_total priority=urgent`:                       1,
		`support_ticket_first_response_seconds_sum priority=urgent hours=off`: 5700,
	}
	metricValues(want).check(t, s, drillVendor)

	creates, comments := r.sim.DrillRequests(drillVendor)
	if creates != 1 || len(comments) != 1 || comments[0] != "1: "+drillClosing {
		t.Errorf("the vendor received %d creates and comments %q; want 1 create and the closing once", creates, comments)
	}
	if !strings.Contains(r.logs.String(), "ticket_id=1") {
		t.Error("the drill's ticket id is not in the log")
	}

	// The same values through Prometheus. Prometheus 3 stores le as a
	// float ("7200.0"), 2.x as scraped ("7200"): docs/prometheus.md.
	for expr, v := range map[string]float64{
		`support_drill_runs_total{vendor="drillco",result="responded"}`:                               1,
		`support_drill_first_response_seconds_sum{vendor="drillco",hours="off"}`:                      5700,
		`support_drill_first_response_seconds_bucket{vendor="drillco",hours="off",le=~"7200(\\.0)?"}`: 1,
		`support_drill_first_response_seconds_bucket{vendor="drillco",hours="off",le=~"3600(\\.0)?"}`: 0,
		`support_drill_last_run_timestamp_seconds{vendor="drillco"}`:                                  1773104700,
	} {
		waitFor(t, 30*time.Second, expr+" in Prometheus", func() bool {
			got, err := promInstant(prom.url, expr, time.Now())
			return err == nil && len(got) == 1 && got[0].Samples[0].Value == v
		})
	}
	// A few more steps change nothing: no second create, no second closing.
	time.Sleep(time.Second)
	if creates, comments := r.sim.DrillRequests(drillVendor); creates != 1 || len(comments) != 1 {
		t.Errorf("later: %d creates, %d comments; want 1 and 1", creates, len(comments))
	}
}

// TestDrillHoldsUp runs the drill through what goes wrong.
func TestDrillHoldsUp(t *testing.T) {
	reply := []simulator.ScriptStep{{At: 95 * time.Minute, Kind: simulator.VendorReply}}
	t.Run("crash between the create and storing its answer", func(t *testing.T) {
		// The record says a create went out; the vendor holds the ticket
		// (filed by the test, as the exporter did before it died). The
		// restarted exporter finds it by its marker and never creates again.
		r := runDrill(t, drillCase{state: "creating", fileFirst: true, steps: reply})
		s := r.waitResult(t, "responded")
		if creates, _ := r.sim.DrillRequests(drillVendor); creates != 1 {
			t.Errorf("%d creates at the vendor, want only the one before the crash", creates)
		}
		if n, _ := s.get("support_drill_first_response_seconds_sum", "vendor", drillVendor, "hours", "off"); n != 5700 {
			t.Errorf("first response %v s, want 5700", n)
		}
	})
	t.Run("a create that timed out but was filed", func(t *testing.T) {
		// The vendor files the ticket and answers after 5s; the request
		// times out at 2s: the search finds the ticket, no second create.
		r := runDrill(t, drillCase{state: "planned", createDelay: 5 * time.Second, steps: reply})
		r.waitResult(t, "responded")
		if creates, _ := r.sim.DrillRequests(drillVendor); creates != 1 {
			t.Errorf("%d creates at the vendor, want 1", creates)
		}
		if !strings.Contains(r.logs.String(), "looking for the marker before any new create") {
			t.Error("the unknown outcome is not logged")
		}
	})
	t.Run("an open incident skips", func(t *testing.T) {
		r := runDrill(t, drillCase{state: "planned", incident: true, steps: reply})
		s := r.waitResult(t, "skipped")
		if open := s.sum("support_status_incidents_open", "vendor", drillVendor); open == 0 {
			t.Fatal("the simulated status page shows no open incident")
		}
		if creates, _ := r.sim.DrillRequests(drillVendor); creates != 0 {
			t.Errorf("%d creates during an incident, want none", creates)
		}
	})
	t.Run("dry run sends nothing", func(t *testing.T) {
		r := runDrill(t, drillCase{state: "planned", steps: reply, args: []string{"--drill.dry-run"}})
		r.waitResult(t, "skipped")
		if creates, comments := r.sim.DrillRequests(drillVendor); creates != 0 || len(comments) != 0 {
			t.Errorf("dry run: %d creates, %d comments at the vendor; want none", creates, len(comments))
		}
		if !strings.Contains(r.logs.String(), "would file this ticket") {
			t.Error("the dry run does not log what it would send")
		}
	})
	t.Run("no reply times out", func(t *testing.T) {
		// The vendor never answers; the exporter's syncs (on the wall
		// clock, long after 02:05 + 72h) reach the timeout at once.
		r := runDrill(t, drillCase{state: "planned"})
		s := r.waitResult(t, "timed_out")
		if n := s.sum("support_drill_first_response_seconds_count", "vendor", drillVendor); n != 0 {
			t.Errorf("%v first responses observed, want none", n)
		}
		creates, comments := r.sim.DrillRequests(drillVendor)
		if creates != 1 || len(comments) != 1 {
			t.Errorf("%d creates and comments %q, want 1 and the closing", creates, comments)
		}
	})
}

// TestDrillTicketIsNoCustomerSignal: the vendor dates an incident's
// impact from 00:55 UTC, 10 minutes before the drill ticket's creation at
// 01:05, and posts it at 01:25 UTC; the drill ticket is urgent (a customer
// signal by default) and stored before who noticed first is decided (the
// vendor already held it: a create sent before a crash). Worked by hand:
// the window is [00:55 - 30m, 01:25] = [00:25, 01:25] UTC, which holds
// the ticket's creation at 01:05, but a drill's test ticket is no customer
// signal: the incident is vendor-first, and no customer lead is observed
// (without the drill mark: customer-first with a lead of 20 minutes).
// The drill itself ends responded as usual.
func TestDrillTicketIsNoCustomerSignal(t *testing.T) {
	r := runDrill(t, drillCase{state: "creating", fileFirst: true,
		steps: []simulator.ScriptStep{{At: 95 * time.Minute, Kind: simulator.VendorReply}},
		incidents: []simulator.ScriptedIncident{{Impact: "major", Components: []string{"API"},
			Started: drillCreated.Add(-10 * time.Minute), Posted: drillCreated.Add(20 * time.Minute), Resolved: drillCreated.Add(time.Hour)}}})
	var s series
	waitFor(t, 30*time.Second, "the incident decided", func() bool {
		s, _ = r.p.scrape()
		v, _ := s.get("support_incidents_detected_total", "vendor", drillVendor, "first", "vendor")
		c, _ := s.get("support_incidents_detected_total", "vendor", drillVendor, "first", "customer")
		return v+c == 1
	})
	metricValues(map[string]float64{
		`support_incidents_detected_total first=vendor`:   1,
		`support_incidents_detected_total first=customer`: 0,
		`support_incident_customer_lead_seconds_count`:    0,
		`support_tickets_created_total priority=urgent`:   1,
	}).check(t, s, drillVendor)
	r.waitResult(t, "responded")
}
