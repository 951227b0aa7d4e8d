package exposition

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

type fakeState struct {
	snap      *quality.Snapshot
	sources   []SourceStatus
	contracts []Contract
	rebuilds  []Rebuild
	reloadOK  bool
}

func (f *fakeState) Snapshot() *quality.Snapshot    { return f.snap }
func (f *fakeState) SourceStatuses() []SourceStatus { return f.sources }
func (f *fakeState) Contracts() []Contract          { return f.contracts }
func (f *fakeState) ReloadSuccessful() bool         { return f.reloadOK }
func (f *fakeState) RebuiltAt() []Rebuild           { return f.rebuilds }

func hist(bounds []float64, counts ...uint64) quality.Histogram {
	h := quality.Histogram{Bounds: bounds, Counts: make([]uint64, len(bounds)+1)}
	copy(h.Counts, counts)
	for _, c := range counts {
		h.Count += c
	}
	return h
}

func sampleState() *fakeState {
	v := &quality.VendorSnapshot{Vendor: "acme", Tickets: true, Status: true, Replies: true, StoreItems: map[string]uint64{"zendesk": 3, "statuspage": 2}}
	v.TicketsCreated[quality.Urgent] = 3
	v.VendorReplies[time.Sunday][3] = 2
	for p := range quality.NumPriorities {
		for h := range quality.NumHours {
			v.FirstResponse[p][h] = hist(quality.DefaultBuckets)
		}
		v.Resolution[p] = hist(quality.DefaultBuckets)
		v.Rounds[p] = hist(quality.RoundBuckets)
	}
	for i := range quality.NumImpacts {
		v.NoticeDelay[i] = hist(quality.DefaultBuckets)
		v.Duration[i] = hist(quality.DefaultBuckets)
	}
	v.FirstResponse[quality.Urgent][quality.Off] = hist([]float64{60, 3600}, 1, 2, 1)
	v.FirstResponse[quality.Urgent][quality.Off].Sum = 9000
	v.UpdateGap = hist(quality.DefaultBuckets)
	v.Postmortem = hist(quality.DefaultBuckets)
	v.MaintenanceNotice = hist(quality.DefaultBuckets)
	v.CustomerLead = hist(quality.DefaultBuckets)
	v.OldestUnanswered[quality.High] = time.Unix(1700000000, 500e6)
	v.IncidentOldestLastUpdate[quality.ImpactMajor] = time.Unix(1700003600, 0)
	v.Components = []quality.ComponentStatus{{Component: "API", Status: "partial_outage"}, {Component: "Media / Edge", Status: "brand_new_status"}}
	return &fakeState{
		snap: &quality.Snapshot{Vendors: []*quality.VendorSnapshot{v}},
		sources: []SourceStatus{{Vendor: "acme", Source: "helpdesk", Kind: "zendesk", Up: true, LastSuccess: time.Unix(1700000000, 0),
			Requests: map[string]uint64{"200": 5, "429": 1}, Errors: map[string]uint64{"rate_limited": 1}}},
		contracts: []Contract{{Vendor: "acme", Objective: 0.95, MaintenanceNotice: 72 * time.Hour,
			Targets: [quality.NumPriorities][quality.NumTargets]time.Duration{quality.Urgent: {time.Hour, 24 * time.Hour}}}},
		reloadOK: true,
	}
}

// TestVendorRepliesOnlyWithATimeline: the 168 series of
// support_vendor_replies_total are served for a vendor with a ticket source
// that gives a reply timeline, and not at all for one whose sources give
// counts only: every hour at 0 would read as nobody replying.
func TestVendorRepliesOnlyWithATimeline(t *testing.T) {
	for _, replies := range []bool{true, false} {
		state := sampleState()
		state.snap.Vendors[0].Replies = replies
		c := New(state)
		want := 0
		if replies {
			want = quality.DaysPerWeek * quality.HoursPerDay
		}
		if n := testutil.CollectAndCount(c, "support_vendor_replies_total"); n != want {
			t.Errorf("with a reply timeline %v: %d series, want %d", replies, n, want)
		}
		if !replies {
			continue
		}
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(c)
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var sum, sunday3 float64
		for _, mf := range mfs {
			if mf.GetName() != "support_vendor_replies_total" {
				continue
			}
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				if labels["weekday"] == "0" && labels["hour"] == "3" {
					sunday3 = m.GetCounter().GetValue()
				}
			}
		}
		if sunday3 != 2 || sum != 2 {
			t.Errorf("Sunday 03:00 = %v and %v replies in all, want 2 and 2", sunday3, sum)
		}
	}
}

func TestCollectAndLint(t *testing.T) {
	c := New(sampleState())
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}

func TestValues(t *testing.T) {
	c := New(sampleState())
	const want = `
# HELP support_ticket_first_response_seconds Time from ticket creation to the vendor's first public reply, in the vendor's SLA clock (business seconds when sla.clock is business); hours=off for tickets opened outside the vendor's business calendar. Refreshed by background sync, not at scrape time.
# TYPE support_ticket_first_response_seconds histogram
support_ticket_first_response_seconds_bucket{hours="off",priority="urgent",vendor="acme",le="60"} 1
support_ticket_first_response_seconds_bucket{hours="off",priority="urgent",vendor="acme",le="3600"} 3
support_ticket_first_response_seconds_bucket{hours="off",priority="urgent",vendor="acme",le="+Inf"} 4
support_ticket_first_response_seconds_sum{hours="off",priority="urgent",vendor="acme"} 9000
support_ticket_first_response_seconds_count{hours="off",priority="urgent",vendor="acme"} 4
# HELP support_ticket_oldest_unanswered_created_timestamp_seconds Creation time (Unix seconds) of the oldest open ticket still without a first vendor reply; 0 when none. Refreshed by background sync, not at scrape time.
# TYPE support_ticket_oldest_unanswered_created_timestamp_seconds gauge
support_ticket_oldest_unanswered_created_timestamp_seconds{priority="high",vendor="acme"} 1.7000000005e+09
support_ticket_oldest_unanswered_created_timestamp_seconds{priority="low",vendor="acme"} 0
support_ticket_oldest_unanswered_created_timestamp_seconds{priority="normal",vendor="acme"} 0
support_ticket_oldest_unanswered_created_timestamp_seconds{priority="urgent",vendor="acme"} 0
# HELP support_status_incident_oldest_last_update_timestamp_seconds Of the unresolved incidents of each current impact, the one silent longest: the time (Unix seconds) of its latest public update, the first post counting as one; 0 when none is open. Refreshed by background sync, not at scrape time.
# TYPE support_status_incident_oldest_last_update_timestamp_seconds gauge
support_status_incident_oldest_last_update_timestamp_seconds{impact="critical",vendor="acme"} 0
support_status_incident_oldest_last_update_timestamp_seconds{impact="major",vendor="acme"} 1.7000036e+09
support_status_incident_oldest_last_update_timestamp_seconds{impact="minor",vendor="acme"} 0
support_status_incident_oldest_last_update_timestamp_seconds{impact="none",vendor="acme"} 0
# HELP support_sla_target_seconds Configured SLA target per priority and target.
# TYPE support_sla_target_seconds gauge
support_sla_target_seconds{priority="urgent",target="first_response",vendor="acme"} 3600
support_sla_target_seconds{priority="urgent",target="resolution",vendor="acme"} 86400
`
	// Only the urgent/off series of the histogram carries data; compare the
	// whole family through a filtered gather.
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	got, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		if f.GetName() == "support_ticket_first_response_seconds" {
			ms := f.Metric[:0]
			for _, m := range f.Metric {
				if m.GetHistogram().GetSampleCount() > 0 {
					ms = append(ms, m)
				}
			}
			f.Metric = ms
		}
	}
	if err := testutil.GatherAndCompare(prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return got, nil }),
		strings.NewReader(want), "support_ticket_first_response_seconds", "support_ticket_oldest_unanswered_created_timestamp_seconds",
		"support_status_incident_oldest_last_update_timestamp_seconds", "support_sla_target_seconds"); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownPriority(t *testing.T) {
	s := sampleState()
	s.snap.Vendors[0].UnknownPriority = 4
	const want = `
# HELP support_tickets_unknown_priority_total Tickets first stored with a priority value that neither the vendor's priorities config nor the built-in names map: counted as normal. A ticket without a priority is normal, not unknown. Refreshed by background sync, not at scrape time.
# TYPE support_tickets_unknown_priority_total counter
support_tickets_unknown_priority_total{vendor="acme"} 4
`
	if err := testutil.CollectAndCompare(New(s), strings.NewReader(want), "support_tickets_unknown_priority_total"); err != nil {
		t.Fatal(err)
	}
	s.snap.Vendors[0].Tickets = false
	if n := testutil.CollectAndCount(New(s), "support_tickets_unknown_priority_total"); n != 0 {
		t.Fatalf("unknown priorities exposed for a vendor without ticket sources: %d series", n)
	}
}

func TestComponentStateSet(t *testing.T) {
	c := New(sampleState())
	n := testutil.CollectAndCount(c, "support_status_component_status")
	// 5 known statuses for API, 5 + the unknown one for Media / Edge.
	if n != 11 {
		t.Fatalf("component series = %d, want 11", n)
	}
	const want = `
# HELP support_status_component_status Current status of each status-page component: 1 for the current status, 0 for the others. Refreshed by background sync, not at scrape time.
# TYPE support_status_component_status gauge
support_status_component_status{component="API",status="degraded_performance",vendor="acme"} 0
support_status_component_status{component="API",status="major_outage",vendor="acme"} 0
support_status_component_status{component="API",status="operational",vendor="acme"} 0
support_status_component_status{component="API",status="partial_outage",vendor="acme"} 1
support_status_component_status{component="API",status="under_maintenance",vendor="acme"} 0
support_status_component_status{component="Media / Edge",status="brand_new_status",vendor="acme"} 1
support_status_component_status{component="Media / Edge",status="degraded_performance",vendor="acme"} 0
support_status_component_status{component="Media / Edge",status="major_outage",vendor="acme"} 0
support_status_component_status{component="Media / Edge",status="operational",vendor="acme"} 0
support_status_component_status{component="Media / Edge",status="partial_outage",vendor="acme"} 0
support_status_component_status{component="Media / Edge",status="under_maintenance",vendor="acme"} 0
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "support_status_component_status"); err != nil {
		t.Fatal(err)
	}
}

func TestVendorWithoutTicketsHasNoTicketFamilies(t *testing.T) {
	s := sampleState()
	s.snap.Vendors[0].Tickets = false
	if n := testutil.CollectAndCount(New(s), "support_tickets_created_total"); n != 0 {
		t.Fatalf("ticket families exposed for a vendor without ticket sources: %d", n)
	}
	if n := testutil.CollectAndCount(New(s), "support_status_incidents_total"); n != 4 {
		t.Fatalf("status families: %d series, want 4 impacts", n)
	}
}

func TestWhoNoticedFirst(t *testing.T) {
	s := sampleState()
	v := s.snap.Vendors[0]
	v.Detected[quality.CustomerFirst] = 2
	v.CustomerLead = hist([]float64{300, 1800}, 1, 1)
	v.CustomerLead.Sum = 1500
	const want = `
# HELP support_incidents_detected_total Status-page incidents by who noticed first: first=customer when a customer signal (a ticket created, or a firing alert received on the Alertmanager webhook) came between the vendor's notice_window (default 30 minutes) before the impact began and the first public post, else vendor. Counted once every ticket source has synced past the first post and global.alert_grace has passed since it. Refreshed by background sync, not at scrape time.
# TYPE support_incidents_detected_total counter
support_incidents_detected_total{first="customer",vendor="acme"} 2
support_incidents_detected_total{first="vendor",vendor="acme"} 0
# HELP support_incident_customer_lead_seconds Customer-first incidents: time from the first customer signal in the notice window to the vendor's first public post. Refreshed by background sync, not at scrape time.
# TYPE support_incident_customer_lead_seconds histogram
support_incident_customer_lead_seconds_bucket{vendor="acme",le="300"} 1
support_incident_customer_lead_seconds_bucket{vendor="acme",le="1800"} 2
support_incident_customer_lead_seconds_bucket{vendor="acme",le="+Inf"} 2
support_incident_customer_lead_seconds_sum{vendor="acme"} 1500
support_incident_customer_lead_seconds_count{vendor="acme"} 2
`
	if err := testutil.CollectAndCompare(New(s), strings.NewReader(want),
		"support_incidents_detected_total", "support_incident_customer_lead_seconds"); err != nil {
		t.Fatal(err)
	}
	v.Status = false
	if n := testutil.CollectAndCount(New(s), "support_incidents_detected_total", "support_incident_customer_lead_seconds"); n != 0 {
		t.Fatalf("who noticed first exposed for a vendor without a status page: %d series", n)
	}
}

// TestReasonsMatchFetch keeps the exposed reasons in step with the reasons
// package fetch produces.
func TestReasonsMatchFetch(t *testing.T) {
	for _, r := range []string{fetch.ReasonNetwork, fetch.ReasonTimeout, fetch.ReasonRateLimited, fetch.ReasonHTTP, fetch.ReasonAuth, fetch.ReasonDecode} {
		found := false
		for _, x := range Reasons {
			found = found || x == r
		}
		if !found {
			t.Errorf("reason %q is not exposed", r)
		}
	}
}

// TestEveryMetricDocumented: docs/metrics.md lists every family with its
// type and labels, as the exposition defines them.
func TestEveryMetricDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan *prometheus.Desc, 100)
	New(sampleState()).Describe(ch)
	close(ch)
	re := regexp.MustCompile(`fqName: "([^"]+)".*variableLabels: \{([^}]*)\}`)
	for d := range ch {
		m := re.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("cannot read %s", d)
		}
		row := regexp.MustCompile("(?m)^\\| `" + m[1] + "` \\| (counter|gauge|histogram) \\|([^|]*)\\|").FindStringSubmatch(string(doc))
		if row == nil {
			t.Errorf("%s is not documented in docs/metrics.md", m[1])
			continue
		}
		if got, want := strings.ReplaceAll(strings.TrimSpace(row[2]), " ", ""), strings.ReplaceAll(m[2], " ", ""); got != want {
			t.Errorf("%s: documented labels %q, defined %q", m[1], got, want)
		}
	}
}
