package exposition

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// Type is a family's metric type, named as OpenMetrics names it.
type Type string

// Family types.
const (
	Counter   Type = "counter"
	Gauge     Type = "gauge"
	Histogram Type = "histogram"
)

// Family is one metric family of a vendor's aggregates, as docs/metrics.md
// names it. The backfill writes the same families as the live exposition
// from this one definition.
type Family struct {
	Name    string // full name; a counter's ends in _total
	Help    string
	Type    Type
	Labels  []string // vendor first
	desc    *prometheus.Desc
	perUnit float64 // a counter's counts per unit of its name; zero: 1
}

// CounterValue is the value a counter of the family exposes for count n: a
// counter kept in a finer unit than its name's (the weighted downtime, in
// millisecond-thousandths) is divided into it (a division, exact for every
// whole number of units, where multiplying by 1e-6 is not).
func (f *Family) CounterValue(n uint64) float64 {
	if f.perUnit == 0 {
		return float64(n)
	}
	return float64(n) / f.perUnit
}

func newFamily(t Type, name, help string, labels ...string) *Family {
	f := &Family{Name: prometheus.BuildFQName(namespace, "", name), Help: help + refreshed, Type: t, Labels: labels}
	f.desc = prometheus.NewDesc(f.Name, f.Help, labels, nil)
	return f
}

func counterFamily(name, help string, labels ...string) *Family {
	return newFamily(Counter, name, help, labels...)
}

func gaugeFamily(name, help string, labels ...string) *Family {
	return newFamily(Gauge, name, help, labels...)
}

func histogramFamily(name, help string, labels ...string) *Family {
	return newFamily(Histogram, name, help, labels...)
}

// families are the vendor families; immutable once built.
type families struct {
	ticketsCreated, firstResponse, resolution, firstContact, rounds, reopened, followups,
	slaChecks, slaBreaches, open, breaching, oldestUnanswered, escalationsOpen, escalations,
	ratings, unknownPriority, vendorReplies *Family

	componentStatus, incidentsOpen, incidentOldestLastUpdate, incidents, noticeDelay, updateGap, duration,
	postmortem, maintenances, maintenanceNotice, shortNotice, nextMaintenance, detected, customerLead *Family
}

var vendorFamilies = newFamilies()

func newFamilies() families {
	v, vp, vph, vpt := []string{"vendor"}, []string{"vendor", "priority"}, []string{"vendor", "priority", "hours"}, []string{"vendor", "priority", "target"}
	vi := []string{"vendor", "impact"}
	return families{
		ticketsCreated: counterFamily("tickets_created_total", "Tickets opened with the vendor, by the priority they were opened with.", vp...),
		firstResponse: histogramFamily("ticket_first_response_seconds",
			"Time from ticket creation to the vendor's first public reply, in the vendor's SLA clock (business seconds when sla.clock is business); hours=off for tickets opened outside the vendor's business calendar.", vph...),
		resolution: histogramFamily("ticket_resolution_seconds", "Time from ticket creation to its first solve, in the vendor's SLA clock.", vp...),
		firstContact: counterFamily("tickets_resolved_first_contact_total",
			"One-touch resolutions: tickets whose first solve followed exactly one vendor public reply and that were not reopened before the resolution settled (closed, or solved for global.solved_settle); counted once settled.", vp...),
		rounds:   histogramFamily("ticket_vendor_replies_to_resolve", "Vendor public replies before the first solve (back-and-forth rounds a fix took).", vp...),
		reopened: counterFamily("tickets_reopened_total", "Reopens: the vendor solved a ticket that was not fixed. The larger of the vendor's own count and the returns to an open status seen between versions.", vp...),
		followups: counterFamily("ticket_customer_followups_total",
			"Customer replies posted while the ticket already awaited a vendor reply: the customer had to chase. Fed only by sources with a reply timeline.", vp...),
		slaChecks:   counterFamily("ticket_sla_checks_total", "Tickets whose SLA clock for the target ended (met, or breached by passing the target unmet).", vpt...),
		slaBreaches: counterFamily("ticket_sla_breaches_total", "Of the SLA checks, those that missed the target, counted the moment the target passed.", vpt...),
		open:        gaugeFamily("tickets_open", "Open tickets now, by who they wait for: state is awaiting_vendor, awaiting_customer or on_hold.", "vendor", "priority", "state"),
		breaching:   gaugeFamily("tickets_breaching_sla", "Open tickets whose SLA target has already passed unmet.", vpt...),
		oldestUnanswered: gaugeFamily("ticket_oldest_unanswered_created_timestamp_seconds",
			"Creation time (Unix seconds) of the oldest open ticket still without a first vendor reply; 0 when none.", vp...),
		escalationsOpen: gaugeFamily("escalations_open", "Open escalated tickets now (API flag or a configured escalation tag).", vp...),
		escalations:     counterFamily("escalations_total", "Tickets ever escalated.", vp...),
		ratings:         counterFamily("ticket_satisfaction_ratings_total", "Customer satisfaction ratings given; a changed rating counts again.", "vendor", "rating"),
		unknownPriority: counterFamily("tickets_unknown_priority_total",
			"Tickets first stored with a priority value that neither the vendor's priorities config nor the built-in names map: counted as normal. A ticket without a priority is normal, not unknown.", v...),
		vendorReplies: counterFamily("vendor_replies_total",
			"Public vendor replies by the hour of the week they were posted in the vendor's calendar zone (UTC without a calendar): weekday 0 (Sunday) to 6 and hour 0 to 23, as PromQL's day_of_week() and hour() number them. Each reply counts once, when first seen; fed only by sources with a reply timeline.", "vendor", "weekday", "hour"),
		componentStatus: gaugeFamily("status_component_status", "Current status of each status-page component: 1 for the current status, 0 for the others.", "vendor", "component", "status"),
		incidentsOpen:   gaugeFamily("status_incidents_open", "Unresolved status-page incidents now, by current impact.", vi...),
		incidentOldestLastUpdate: gaugeFamily("status_incident_oldest_last_update_timestamp_seconds",
			"Of the unresolved incidents of each current impact, the one silent longest: the time (Unix seconds) of its latest public update, the first post counting as one; 0 when none is open.", vi...),
		incidents: counterFamily("status_incidents_total", "Status-page incidents seen, by the impact first published.", vi...),
		noticeDelay: histogramFamily("status_incident_notice_delay_seconds",
			"Time from when impact began (started_at) to the first public post (created_at): how late the vendor told its customers. Observed once, when the incident resolves, from its final started_at.", vi...),
		updateGap:    histogramFamily("status_incident_update_gap_seconds", "Gaps between consecutive public updates of an incident, up to its resolution; observed once, when it resolves.", v...),
		duration:     histogramFamily("status_incident_duration_seconds", "Time from when impact began to resolution; observed once, when it resolves.", vi...),
		postmortem:   histogramFamily("status_incident_postmortem_seconds", "Time from an incident's resolution to its published postmortem.", v...),
		maintenances: counterFamily("status_maintenances_total", "Scheduled maintenances announced.", v...),
		maintenanceNotice: histogramFamily("status_maintenance_notice_seconds",
			"Notice given for scheduled maintenances: announcement to scheduled start (0 when announced after it started); observed once, when the maintenance starts or completes, from its schedule then.", v...),
		shortNotice:     counterFamily("status_maintenance_short_notice_total", "Maintenances announced with less notice than sla.maintenance_notice (the term in force at announcement); counted when the maintenance starts or completes.", v...),
		nextMaintenance: gaugeFamily("status_next_maintenance_timestamp_seconds", "Start (Unix seconds) of the next scheduled maintenance; 0 when none.", v...),
		detected: counterFamily("incidents_detected_total",
			"Status-page incidents by who noticed first: first=customer when a customer signal (a ticket created, or a firing alert received on the Alertmanager webhook) came between the vendor's notice_window (default 30 minutes) before the impact began and the first public post, else vendor. Counted once every ticket source has synced past the first post and global.alert_grace has passed since it.", "vendor", "first"),
		customerLead: histogramFamily("incident_customer_lead_seconds",
			"Customer-first incidents: time from the first customer signal in the notice window to the vendor's first public post.", v...),
	}
}

// VendorFamilies lists every vendor family.
func VendorFamilies() []*Family {
	f := &vendorFamilies
	return append([]*Family{
		f.ticketsCreated, f.firstResponse, f.resolution, f.firstContact, f.rounds, f.reopened, f.followups,
		f.slaChecks, f.slaBreaches, f.breaching, f.open, f.oldestUnanswered, f.escalationsOpen, f.escalations, f.ratings, f.unknownPriority, f.vendorReplies,
		f.componentStatus, f.incidentsOpen, f.incidentOldestLastUpdate, f.incidents, f.noticeDelay, f.duration, f.updateGap, f.postmortem,
		f.maintenances, f.maintenanceNotice, f.shortNotice, f.nextMaintenance, f.detected, f.customerLead,
		drillFamilies.runs, drillFamilies.firstResponse, drillFamilies.lastRun,
	}, slices.Concat(docsFamilyList(), featureFamilyList(), contractFams.list())...)
}
