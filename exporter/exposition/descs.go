package exposition

import "github.com/prometheus/client_golang/prometheus"

// descs are built once; their names and labels are the catalog of DESIGN.md.
type descs struct {
	ticketsCreated, firstResponse, resolution, firstContact, rounds, reopened, followups,
	slaChecks, slaBreaches, open, breaching, oldestUnanswered, escalationsOpen, escalations,
	ratings, unknownPriority *prometheus.Desc

	componentStatus, incidentsOpen, incidentOldestLastUpdate, incidents, noticeDelay, updateGap, duration,
	postmortem, maintenances, maintenanceNotice, shortNotice, nextMaintenance, detected, customerLead *prometheus.Desc

	objective, target, notice *prometheus.Desc

	sourceUp, lastSuccess, syncDuration, requests, errors, storeItems, reloadOK *prometheus.Desc
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help+refreshed, labels, nil)
}

func newDescs() descs {
	v, vp, vph, vpt := []string{"vendor"}, []string{"vendor", "priority"}, []string{"vendor", "priority", "hours"}, []string{"vendor", "priority", "target"}
	vi, src := []string{"vendor", "impact"}, []string{"vendor", "source", "kind"}
	return descs{
		ticketsCreated: desc("tickets_created_total", "Tickets opened with the vendor, by the priority they were opened with.", vp...),
		firstResponse: desc("ticket_first_response_seconds",
			"Time from ticket creation to the vendor's first public reply, in the vendor's SLA clock (business seconds when sla.clock is business); hours=off for tickets opened outside the vendor's business calendar.", vph...),
		resolution: desc("ticket_resolution_seconds", "Time from ticket creation to its first solve, in the vendor's SLA clock.", vp...),
		firstContact: desc("tickets_resolved_first_contact_total",
			"One-touch resolutions: tickets closed (final) whose first solve followed exactly one vendor public reply and that were never reopened.", vp...),
		rounds:   desc("ticket_vendor_replies_to_resolve", "Vendor public replies before the first solve (back-and-forth rounds a fix took).", vp...),
		reopened: desc("tickets_reopened_total", "Reopen events: the vendor solved a ticket that was not fixed.", vp...),
		followups: desc("ticket_customer_followups_total",
			"Customer replies posted while the ticket already awaited a vendor reply: the customer had to chase. Fed only by sources with a reply timeline.", vp...),
		slaChecks:   desc("ticket_sla_checks_total", "Tickets whose SLA clock for the target ended (met, or breached by passing the target unmet).", vpt...),
		slaBreaches: desc("ticket_sla_breaches_total", "Of the SLA checks, those that missed the target, counted the moment the target passed.", vpt...),
		open:        desc("tickets_open", "Open tickets now, by who they wait for: state is awaiting_vendor, awaiting_customer or on_hold.", "vendor", "priority", "state"),
		breaching:   desc("tickets_breaching_sla", "Open tickets whose SLA target has already passed unmet.", vpt...),
		oldestUnanswered: desc("ticket_oldest_unanswered_created_timestamp_seconds",
			"Creation time (Unix seconds) of the oldest open ticket still without a first vendor reply; 0 when none.", vp...),
		escalationsOpen: desc("escalations_open", "Open escalated tickets now (API flag or a configured escalation tag).", vp...),
		escalations:     desc("escalations_total", "Tickets ever escalated.", vp...),
		ratings:         desc("ticket_satisfaction_ratings_total", "Customer satisfaction ratings given; a changed rating counts again.", "vendor", "rating"),
		unknownPriority: desc("tickets_unknown_priority_total",
			"Tickets first stored with a priority value that neither the vendor's priorities config nor the built-in names map: counted as normal. A ticket without a priority is normal, not unknown.", v...),

		componentStatus: desc("status_component_status", "Current status of each status-page component: 1 for the current status, 0 for the others.", "vendor", "component", "status"),
		incidentsOpen:   desc("status_incidents_open", "Unresolved status-page incidents now, by current impact.", vi...),
		incidentOldestLastUpdate: desc("status_incident_oldest_last_update_timestamp_seconds",
			"Of the unresolved incidents of each current impact, the one silent longest: the time (Unix seconds) of its latest public update, the first post counting as one; 0 when none is open.", vi...),
		incidents: desc("status_incidents_total", "Status-page incidents seen, by the impact first published.", vi...),
		noticeDelay: desc("status_incident_notice_delay_seconds",
			"Time from when impact began (started_at) to the first public post (created_at): how late the vendor told its customers.", vi...),
		updateGap:    desc("status_incident_update_gap_seconds", "Gaps between consecutive public updates of an incident, up to its resolution.", v...),
		duration:     desc("status_incident_duration_seconds", "Time from when impact began to resolution.", vi...),
		postmortem:   desc("status_incident_postmortem_seconds", "Time from an incident's resolution to its published postmortem.", v...),
		maintenances: desc("status_maintenances_total", "Scheduled maintenances announced.", v...),
		maintenanceNotice: desc("status_maintenance_notice_seconds",
			"Notice given for scheduled maintenances: announcement to scheduled start (0 when announced after it started).", v...),
		shortNotice:     desc("status_maintenance_short_notice_total", "Maintenances announced with less notice than sla.maintenance_notice.", v...),
		nextMaintenance: desc("status_next_maintenance_timestamp_seconds", "Start (Unix seconds) of the next scheduled maintenance; 0 when none.", v...),
		detected: desc("incidents_detected_total",
			"Status-page incidents by who noticed first: first=customer when a customer signal (a ticket created, or a firing alert received on the Alertmanager webhook) came between the vendor's notice_window (default 30 minutes) before the impact began and the first public post, else vendor. Counted once every ticket source has synced past the first post and global.alert_grace has passed since it.", "vendor", "first"),
		customerLead: desc("incident_customer_lead_seconds",
			"Customer-first incidents: time from the first customer signal in the notice window to the vendor's first public post.", v...),

		objective: prometheus.NewDesc("support_sla_objective_ratio", "Configured sla.objective: the share of tickets that must meet each target.", v, nil),
		target:    prometheus.NewDesc("support_sla_target_seconds", "Configured SLA target per priority and target.", vpt, nil),
		notice:    prometheus.NewDesc("support_sla_maintenance_notice_seconds", "Configured minimum notice for scheduled maintenance.", v, nil),

		sourceUp:     desc("source_up", "1 when the last sync of the source succeeded, else 0.", src...),
		lastSuccess:  desc("source_last_success_timestamp_seconds", "End (Unix seconds) of the last successful sync; 0 before the first.", src...),
		syncDuration: desc("source_sync_duration_seconds", "Duration of the last sync attempt.", src...),
		requests:     desc("source_requests_total", "HTTP requests made to the vendor, by status code (code=error when no response arrived).", "vendor", "source", "kind", "code"),
		errors: desc("source_errors_total",
			"Failed syncs by reason: network, timeout, rate_limited, http, auth, decode, or store (the local store failed).", "vendor", "source", "kind", "reason"),
		storeItems: desc("store_items", "Items (tickets, incidents, maintenances) held in the store, by source kind.", "vendor", "kind"),
		reloadOK: prometheus.NewDesc("support_exporter_config_last_reload_successful",
			"1 when the running configuration is the newest one loaded; 0 after a failed reload (the previous configuration stays in force).", nil, nil),
	}
}

func (d descs) all() []*prometheus.Desc {
	return []*prometheus.Desc{
		d.ticketsCreated, d.firstResponse, d.resolution, d.firstContact, d.rounds, d.reopened, d.followups,
		d.slaChecks, d.slaBreaches, d.open, d.breaching, d.oldestUnanswered, d.escalationsOpen, d.escalations, d.ratings, d.unknownPriority,
		d.componentStatus, d.incidentsOpen, d.incidentOldestLastUpdate, d.incidents, d.noticeDelay, d.updateGap, d.duration, d.postmortem,
		d.maintenances, d.maintenanceNotice, d.shortNotice, d.nextMaintenance, d.detected, d.customerLead,
		d.objective, d.target, d.notice,
		d.sourceUp, d.lastSuccess, d.syncDuration, d.requests, d.errors, d.storeItems, d.reloadOK,
	}
}
