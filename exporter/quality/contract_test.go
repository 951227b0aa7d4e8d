package quality

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/contract"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// cdnAgreement is AWS-like: calendar months in UTC, the 10/25/100 ladder,
// claims by the end of the second period after, and termination after two
// periods in a row below 99.9%.
func cdnAgreement() *config.Agreement {
	return &config.Agreement{
		Name: "cdn", Measure: config.MeasureAvailability, Components: []string{"CDN"},
		Months:   contract.Months{StartDay: 1, Location: time.UTC},
		WeightOf: map[string]contract.Weight{"none": 0, "minor": 0, "major": 1000, "critical": 1000},
		Credit: &contract.Credit{Tiers: []contract.Tier{{Below: 0.999, Credit: 0.10}, {Below: 0.99, Credit: 0.25}, {Below: 0.95, Credit: 1}},
			Cap: 1},
		ClaimWindow: &contract.Claim{BillingCycles: 2},
		Termination: []*config.Termination{{Below: 0.999, Periods: 2}},
	}
}

func resolvedIncident(id string, impact item.Impact, components []string, start, end string) item.Incident {
	return item.Incident{ID: id, Impact: impact, CreatedAt: ts(start), StartedAt: ts(start), ResolvedAt: ts(end),
		UpdatedAt: ts(end), Components: components}
}

func TestAvailabilityAgreement(t *testing.T) {
	v := testVendor()
	v.Agreements = []*config.Agreement{cdnAgreement()}
	s := newStoreOf(mustRules(t, v, time.Time{}), v)
	cdn, both := []string{"CDN"}, []string{"CDN", "API"}
	// February (2,419,200 s): 6 hours down. March (2,678,400 s): A and B
	// overlap 10:30-11:00, their union is 10:00-12:00 (7,200 s); C is
	// another component's, D minor (weight 0); E is open since Mar 20
	// 00:00.
	s.incident("status", resolvedIncident("feb", item.ImpactCritical, cdn, "2026-02-10T00:00:00Z", "2026-02-10T06:00:00Z"))
	s.incident("status", resolvedIncident("A", item.ImpactCritical, cdn, "2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z"))
	s.incident("status", resolvedIncident("B", item.ImpactMajor, both, "2026-03-03T10:30:00Z", "2026-03-03T12:00:00Z"))
	s.incident("status", resolvedIncident("C", item.ImpactCritical, []string{"API"}, "2026-03-05T00:00:00Z", "2026-03-05T05:00:00Z"))
	s.incident("status", resolvedIncident("D", item.ImpactMinor, cdn, "2026-03-06T00:00:00Z", "2026-03-06T05:00:00Z"))
	open := item.Incident{ID: "E", Impact: item.ImpactMajor, CreatedAt: ts("2026-03-20T00:00:00Z"), UpdatedAt: ts("2026-03-20T00:00:00Z"), Components: cdn}
	s.incident("status", open)

	asOf := ts("2026-03-20T01:00:00Z")
	check := func(t *testing.T, snap *VendorSnapshot) {
		t.Helper()
		if len(snap.Contracts) != 1 {
			t.Fatalf("contracts %+v, want one", snap.Contracts)
		}
		c := snap.Contracts[0]
		// The counter: the resolved incidents only, 21,600 + 7,200 s.
		if got := c.Downtime.Seconds(); got != 28800 {
			t.Errorf("downtime counter %v s, want 28800", got)
		}
		want := []struct {
			name         string
			start        string
			availability float64
			credit       float64
			deadline     string
		}{
			// March: 7,200 s resolved + 3,600 s of E so far.
			{"current", "2026-03-01T00:00:00Z", 1 - 10800.0/2678400, 0.10, "2026-06-01T00:00:00Z"},
			{"previous", "2026-02-01T00:00:00Z", 1 - 21600.0/2419200, 0.10, "2026-05-01T00:00:00Z"},
			// January can still be claimed until April 1st; December's
			// window closed on March 1st.
			{"previous_2", "2026-01-01T00:00:00Z", 1, 0, "2026-04-01T00:00:00Z"},
		}
		if len(c.Periods) != len(want) {
			t.Fatalf("periods %+v, want %d", c.Periods, len(want))
		}
		for i, w := range want {
			p := c.Periods[i]
			if p.Name != w.name || !p.Start.Equal(ts(w.start)) || math.Abs(p.Availability-w.availability) > 1e-12 ||
				math.Abs(p.Credit-w.credit) > 1e-12 || !p.ClaimDeadline.Equal(ts(w.deadline)) {
				t.Errorf("period %d = %+v, want %+v", i, p, w)
			}
		}
		if !c.Termination {
			t.Error("February and March both below 99.9%: want the termination right")
		}
	}
	check(t, s.agg.Snapshot(at(asOf)))

	// Edits after the resolution move nothing: A backdated to March 1st
	// and moved to another component, B's impact lowered.
	a := resolvedIncident("A", item.ImpactMinor, []string{"API"}, "2026-03-01T00:00:00Z", "2026-03-03T11:00:00Z")
	s.incident("status", a)
	b := resolvedIncident("B", item.ImpactNone, both, "2026-03-03T10:30:00Z", "2026-03-03T12:00:00Z")
	s.incident("status", b)
	check(t, s.agg.Snapshot(at(asOf)))
	// A restart rebuilds the same.
	check(t, s.reload().Snapshot(at(asOf)))

	// E resolves at 02:00: the counter takes its hour, the period keeps it.
	open.ResolvedAt = ts("2026-03-20T02:00:00Z")
	s.incident("status", open)
	c := s.agg.Snapshot(at(ts("2026-03-20T03:00:00Z"))).Contracts[0]
	if got := c.Downtime.Seconds(); got != 28800+7200 {
		t.Errorf("downtime counter after E resolved %v s, want 36000", got)
	}
	if got, want := c.Periods[0].Availability, 1-(7200.0+7200)/2678400; math.Abs(got-want) > 1e-12 {
		t.Errorf("March availability %v, want %v", got, want)
	}
}

// TestAvailabilityAgreementBeforeSync: before the status page's first
// complete sync only the counter is there, and incidents before the
// history start or without an end feed nothing.
func TestAvailabilityAgreementBeforeSync(t *testing.T) {
	v := testVendor()
	v.Agreements = []*config.Agreement{cdnAgreement()}
	s := newStoreOf(mustRules(t, v, ts("2026-03-01T00:00:00Z")), v)
	s.incident("status", resolvedIncident("old", item.ImpactCritical, []string{"CDN"}, "2026-02-10T00:00:00Z", "2026-02-10T06:00:00Z"))
	rss := resolvedIncident("rss", item.ImpactCritical, []string{"CDN"}, "2026-03-10T00:00:00Z", "2026-03-10T06:00:00Z")
	rss.ResolutionUnknown = true
	s.incident("status", rss)
	c := s.agg.Snapshot(at(time.Time{})).Contracts[0]
	if c.Downtime != 0 || len(c.Periods) != 0 {
		t.Errorf("contract %+v, want no downtime and no period", c)
	}
	c = s.agg.Snapshot(at(ts("2026-03-20T00:00:00Z"))).Contracts[0]
	if c.Downtime != 0 || c.Periods[0].Availability != 1 || c.Termination {
		t.Errorf("contract %+v, want nothing counted", c)
	}
}

func supportAgreement() *config.Agreement {
	return &config.Agreement{
		Name: "support", Measure: config.MeasureResponse, Priorities: []string{"urgent"}, Objective: 0.95,
		Months:      contract.Months{StartDay: 1, Location: time.UTC},
		Credit:      &contract.Credit{Tiers: []contract.Tier{{Below: 0.9, Credit: 0.05}}, Cap: 1},
		ClaimWindow: &contract.Claim{Within: 30 * 24 * time.Hour},
		Termination: []*config.Termination{{Missed: 2, WithinPeriods: 1}},
	}
}

func answered(id, priority, created, reply string) item.Ticket {
	return item.Ticket{ID: id, Priority: priority, Status: item.StatusOpen, CreatedAt: ts(created), UpdatedAt: ts(reply),
		Events: []item.Event{ev(item.EventVendorReply, ts(reply))}}
}

// TestResponseAgreement: the test vendor's urgent first-response target is
// one hour.
func TestResponseAgreement(t *testing.T) {
	v := testVendor()
	v.Agreements = []*config.Agreement{supportAgreement()}
	s := newStoreOf(mustRules(t, v, time.Time{}), v)
	s.ticket("helpdesk", answered("feb", "urgent", "2026-02-27T10:00:00Z", "2026-02-27T10:10:00Z"))  // met, February
	s.ticket("helpdesk", answered("met", "urgent", "2026-03-03T10:00:00Z", "2026-03-03T10:30:00Z"))  // met
	s.ticket("helpdesk", answered("late", "urgent", "2026-03-05T10:00:00Z", "2026-03-05T12:00:00Z")) // breached
	s.ticket("helpdesk", answered("high", "high", "2026-03-06T10:00:00Z", "2026-03-06T20:00:00Z"))   // not the agreement's priority
	running := item.Ticket{ID: "running", Priority: "urgent", Status: item.StatusNew, CreatedAt: ts("2026-03-31T23:30:00Z"),
		UpdatedAt: ts("2026-03-31T23:30:00Z")}
	s.ticket("helpdesk", running)

	// February: one met.
	c := s.agg.Snapshot(at(ts("2026-03-20T00:00:00Z"))).Contracts[0]
	if p := c.Periods[1]; p.Name != "previous" || p.Compliance[Urgent] != 1 || p.Credit != 0 {
		t.Errorf("February %+v, want compliance 1, no credit", p)
	}
	// As of April 1st 00:20 the running clock (deadline 00:30) is not late
	// yet: March has 2 checks, 1 breach.
	c = s.agg.Snapshot(at(ts("2026-04-01T00:20:00Z"))).Contracts[0]
	if c.Objective != 0.95 {
		t.Errorf("objective %v, want the agreement's 0.95", c.Objective)
	}
	if len(c.Periods) != 2 || c.Periods[0].HasCompliance[Urgent] {
		t.Fatalf("periods %+v, want April without a check and March", c.Periods)
	}
	if p := c.Periods[1]; p.Name != "previous" || p.Compliance[Urgent] != 0.5 || p.Credit != 0.05 || c.Termination {
		t.Errorf("March %+v termination %v, want compliance 1/2, credit 5%%, no termination", p, c.Termination)
	}
	// As of 01:00 it is: it counts in March, the period of its creation,
	// 1 of 3 met; two missed in one period give the termination right.
	c = s.agg.Snapshot(at(ts("2026-04-01T01:00:00Z"))).Contracts[0]
	if p := c.Periods[1]; math.Abs(p.Compliance[Urgent]-1.0/3) > 1e-15 || !c.Termination ||
		!p.ClaimDeadline.Equal(ts("2026-05-01T00:00:00Z")) {
		t.Errorf("March %+v termination %v, want compliance 1/3, the right, the claim until May 1st", p, c.Termination)
	}
	// The reply comes late: the breach stays, now static; a restart agrees.
	s.asOf = at(ts("2026-04-01T01:00:00Z"))
	s.ticket("helpdesk", answered("running", "urgent", "2026-03-31T23:30:00Z", "2026-04-01T01:30:00Z"))
	for _, a := range []*Aggregator{s.agg, s.reload()} {
		c = a.Snapshot(at(ts("2026-04-01T02:00:00Z"))).Contracts[0]
		if p := c.Periods[1]; math.Abs(p.Compliance[Urgent]-1.0/3) > 1e-15 {
			t.Errorf("March after the late reply %+v, want compliance 1/3", p)
		}
	}
}

// TestComponentsKeptAtResolution: a format that names an incident's
// components only while it is ongoing (incident.io) still feeds the
// agreement once it resolves.
func TestComponentsKeptAtResolution(t *testing.T) {
	v := testVendor()
	v.Agreements = []*config.Agreement{cdnAgreement()}
	s := newStoreOf(mustRules(t, v, time.Time{}), v)
	open := item.Incident{ID: "io", Impact: item.ImpactCritical, CreatedAt: ts("2026-03-03T10:00:00Z"),
		UpdatedAt: ts("2026-03-03T10:00:00Z"), Components: []string{"CDN"}}
	s.incident("status", open)
	resolved := open
	resolved.Components, resolved.ResolvedAt, resolved.UpdatedAt = nil, ts("2026-03-03T10:30:00Z"), ts("2026-03-03T10:30:00Z")
	s.incident("status", resolved)
	if got := s.agg.Snapshot(at(ts("2026-03-04T00:00:00Z"))).Contracts[0].Downtime.Seconds(); got != 1800 {
		t.Errorf("downtime %v s, want the 1,800 s of the incident resolved without its components", got)
	}
}

// TestAgreementAddedIsNoStep: an agreement added or removed by a reload is
// a series appearing or going, not a counter that moved (CountersDiffer,
// support_aggregates_rebuilt_timestamp_seconds); its weights changed are.
func TestAgreementAddedIsNoStep(t *testing.T) {
	snapshot := func(agreements ...*config.Agreement) *VendorSnapshot {
		v := testVendor()
		v.Agreements = agreements
		s := newStoreOf(mustRules(t, v, time.Time{}), v)
		s.incident("status", resolvedIncident("A", item.ImpactMajor, []string{"CDN"}, "2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z"))
		return s.agg.Snapshot(at(ts("2026-03-04T00:00:00Z")))
	}
	half := cdnAgreement()
	half.WeightOf["major"] = 500
	none, full, halved := snapshot(), snapshot(cdnAgreement()), snapshot(half)
	if got := CountersDiffer(none, full); got != nil {
		t.Errorf("an agreement added: %v moved", got)
	}
	if got := CountersDiffer(full, none); got != nil {
		t.Errorf("an agreement removed: %v moved", got)
	}
	if got := CountersDiffer(full, halved); !slices.Equal(got, []string{"support_contract_downtime_seconds_total"}) {
		t.Errorf("weights changed: %v moved, want the downtime counter", got)
	}
}
