package quality

import (
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	commonmodel "github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestCountersDifferNamesEachFamily changes one series of each family in a
// copy of a snapshot: exactly that family is named, under the name and type
// docs/metrics.md documents.
func TestCountersDifferNamesEachFamily(t *testing.T) {
	doc, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	bump := func(h *Histogram) { h.Counts[0]++; h.Count++ }
	tests := []struct {
		family string
		change func(v *VendorSnapshot)
	}{
		{"support_tickets_created_total", func(v *VendorSnapshot) { v.TicketsCreated[Low]++ }},
		{"support_ticket_first_response_seconds", func(v *VendorSnapshot) { bump(&v.FirstResponse[Low][Off]) }},
		{"support_ticket_resolution_seconds", func(v *VendorSnapshot) { bump(&v.Resolution[High]) }},
		{"support_tickets_resolved_first_contact_total", func(v *VendorSnapshot) { v.FirstContact[Normal]++ }},
		{"support_ticket_vendor_replies_to_resolve", func(v *VendorSnapshot) { bump(&v.Rounds[Urgent]) }},
		{"support_tickets_reopened_total", func(v *VendorSnapshot) { v.Reopened[Urgent]++ }},
		{"support_ticket_customer_followups_total", func(v *VendorSnapshot) { v.Followups[High]++ }},
		{"support_ticket_sla_checks_total", func(v *VendorSnapshot) { v.SLAChecks[Low][Resolution]++ }},
		{"support_ticket_sla_breaches_total", func(v *VendorSnapshot) { v.SLABreaches[Normal][FirstResponse]++ }},
		{"support_escalations_total", func(v *VendorSnapshot) { v.Escalations[Low]++ }},
		{"support_ticket_satisfaction_ratings_total", func(v *VendorSnapshot) { v.Ratings[Bad]++ }},
		{"support_tickets_unknown_priority_total", func(v *VendorSnapshot) { v.UnknownPriority++ }},
		{"support_vendor_replies_total", func(v *VendorSnapshot) { v.VendorReplies[time.Sunday][3]++ }},
		{"support_status_incidents_total", func(v *VendorSnapshot) { v.Incidents[ImpactCritical]++ }},
		{"support_status_incident_notice_delay_seconds", func(v *VendorSnapshot) { v.NoticeDelay[ImpactMinor].Sum++ }},
		{"support_status_incident_update_gap_seconds", func(v *VendorSnapshot) { bump(&v.UpdateGap) }},
		{"support_status_incident_duration_seconds", func(v *VendorSnapshot) { bump(&v.Duration[ImpactNone]) }},
		{"support_status_incident_postmortem_seconds", func(v *VendorSnapshot) { bump(&v.Postmortem) }},
		{"support_status_maintenances_total", func(v *VendorSnapshot) { v.Maintenances++ }},
		{"support_status_maintenance_notice_seconds", func(v *VendorSnapshot) {
			// The same count and sum, one observation in another bucket.
			v.MaintenanceNotice.Counts[0]--
			v.MaintenanceNotice.Counts[1]++
		}},
		{"support_status_maintenance_short_notice_total", func(v *VendorSnapshot) { v.ShortNotice++ }},
		{"support_incidents_detected_total", func(v *VendorSnapshot) { v.Detected[CustomerFirst]++ }},
		{"support_incident_customer_lead_seconds", func(v *VendorSnapshot) { bump(&v.CustomerLead) }},
		{"support_feature_requests_created_total", func(v *VendorSnapshot) { v.Features.Created++ }},
		{"support_feature_request_acknowledgement_seconds", func(v *VendorSnapshot) { bump(&v.Features.Acknowledgement) }},
		{"support_feature_request_outcomes_total", func(v *VendorSnapshot) { v.Features.Outcomes[ClosedByBot]++ }},
		{"support_feature_request_outcome_seconds", func(v *VendorSnapshot) { bump(&v.Features.OutcomeTime[Declined]) }},
		{"support_contract_downtime_seconds_total", func(v *VendorSnapshot) { v.Contracts[0].Downtime++ }},
	}
	v := testVendor()
	v.Agreements = []*config.Agreement{cdnAgreement()}
	r := mustRules(t, v, time.Time{})
	s := newStoreOf(r, v)
	s.maintenance("status", item.Maintenance{ID: "m", CreatedAt: t0, ScheduledFor: after(time.Minute), CompletedAt: after(time.Hour)})
	base := s.agg.Snapshot(at(after(time.Hour)))
	if got := CountersDiffer(base, s.agg.Snapshot(at(after(time.Hour)))); got != nil {
		t.Fatalf("equal snapshots: %v moved", got)
	}
	named := map[string]bool{}
	for _, tc := range tests {
		changed := s.agg.Snapshot(at(after(time.Hour)))
		tc.change(changed)
		if got := CountersDiffer(base, changed); !slices.Equal(got, []string{tc.family}) {
			t.Errorf("changing %s: moved %v", tc.family, got)
		}
		named[tc.family] = true
		if !regexp.MustCompile("(?m)^\\| `" + tc.family + "` \\| (counter|histogram) \\|").Match(doc) {
			t.Errorf("%s is not documented as a counter or histogram in docs/metrics.md", tc.family)
		}
	}
	for _, f := range counterFamilies {
		if !named[f.name] {
			t.Errorf("family %s is not tested", f.name)
		}
	}
}

// TestCountersDifferAfterARebuild: a reload that rebuilds a vendor's
// aggregates from the store under a changed config moves the counters only
// when the change reaches what is stored (docs/configuration.md, "Contract
// terms with dates"): a term added for the future moves nothing, even
// though its targets add histogram bounds; a past term edited does.
func TestCountersDifferAfterARebuild(t *testing.T) {
	june, july := ts("2026-06-30T23:30:00Z"), ts("2026-07-01T00:30:00Z")
	terms := func() config.SLATerms {
		return config.SLATerms{
			{FirstResponse: map[string]commonmodel.Duration{"urgent": hours(2)}, MaintenanceNotice: hours(24)},
			datedTerm(ts("2026-07-01T00:00:00Z"), config.SLA{FirstResponse: map[string]commonmodel.Duration{"urgent": hours(1)}}),
		}
	}
	base := testVendor()
	base.SLA = terms()
	now := ts("2026-07-03T00:00:00Z")
	tests := []struct {
		name   string
		change func(v *config.Vendor)
		want   []string
	}{
		{"the same config", func(*config.Vendor) {}, nil},
		{"a term added from next year", func(v *config.Vendor) {
			v.SLA = append(v.SLA, datedTerm(ts("2027-01-01T00:00:00Z"), config.SLA{
				FirstResponse:     map[string]commonmodel.Duration{"urgent": hours(0.5), "low": hours(5)},
				MaintenanceNotice: hours(100),
			}))
		}, nil},
		{"the first term's urgent target edited: the June ticket's 1h30 now misses it", func(v *config.Vendor) {
			v.SLA[0].FirstResponse["urgent"] = hours(1)
		}, []string{"support_ticket_sla_breaches_total"}},
		{"the first term's minimum notice edited: the maintenance is short now", func(v *config.Vendor) {
			v.SLA[0].MaintenanceNotice = hours(72)
		}, []string{"support_status_maintenance_short_notice_total"}},
		{"signals.priorities edited: the June ticket is no signal now", func(v *config.Vendor) {
			v.Signals.Priorities = []string{"high"}
		}, []string{"support_incidents_detected_total", "support_incident_customer_lead_seconds"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(mustRules(t, base, time.Time{}))
			s.ticket("helpdesk", item.Ticket{ID: "june", Priority: "urgent", Status: item.StatusOpen, CreatedAt: june,
				Events: []item.Event{ev(item.EventVendorReply, june.Add(90*time.Minute))}})
			s.ticket("helpdesk", item.Ticket{ID: "july", Priority: "urgent", Status: item.StatusOpen, CreatedAt: july,
				Events: []item.Event{ev(item.EventVendorReply, july.Add(30*time.Minute))}})
			s.incident("status", item.Incident{ID: "i", CreatedAt: june.Add(10 * time.Minute), ResolvedAt: june.Add(time.Hour)})
			s.maintenance("status", item.Maintenance{ID: "m", CreatedAt: june, ScheduledFor: june.Add(48 * time.Hour), CompletedAt: june.Add(50 * time.Hour)})
			old := s.agg.Snapshot(at(now))

			v := testVendor()
			v.SLA = terms()
			tc.change(v)
			rebuilt := newStore(mustRules(t, v, time.Time{}))
			rebuilt.tickets, rebuilt.incidents, rebuilt.maintenances = s.tickets, s.incidents, s.maintenances
			fresh := rebuilt.reload().Snapshot(at(now))
			if got := CountersDiffer(old, fresh); !slices.Equal(got, tc.want) {
				t.Errorf("moved %v, want %v", got, tc.want)
			}
			if got := CountersDiffer(fresh, old); !slices.Equal(got, tc.want) {
				t.Errorf("the other way round: moved %v, want %v", got, tc.want)
			}
		})
	}
}
