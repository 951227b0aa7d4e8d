package alerts

import (
	"fmt"
	"maps"
	"strings"
	"time"
)

// alert is one alerting rule before rendering.
type alert struct {
	name        string
	severity    string
	expr        string
	pending     time.Duration // the rule's for:, zero for none
	labels      map[string]string
	summary     string // a fixed sentence
	description string // templated with $labels and $value
}

func alertGroups(q promql) []group {
	interval := promDuration(q.cfg.Interval)
	return []group{
		{Name: "support-exporter-sla", Interval: interval, Rules: q.rules(append(burnRateAlerts(q),
			urgentUnanswered(q), escalationOpen(q), breachingBacklogGrowing(q)))},
		{Name: "support-exporter-status", Interval: interval, Rules: q.rules([]alert{
			maintenanceShortNotice(q), incidentVendorSilent(q), vendorFirstShareLow(q)})},
		{Name: "support-exporter-health", Interval: interval, Rules: q.rules([]alert{
			sourceDown(q), sourceStale(q), itemsRejected(q), configReloadFailed(q), exporterDown(q), exporterAbsent(q)})},
		{Name: "support-exporter-contract", Interval: interval, Rules: q.rules(contractAlerts(q))},
		{Name: "support-exporter-drill", Interval: interval, Rules: q.rules(drillAlerts(q))},
	}
}

func (q promql) rules(alerts []alert) []rule {
	rules := make([]rule, 0, len(alerts))
	for _, a := range alerts {
		labels := map[string]string{"severity": a.severity}
		maps.Copy(labels, a.labels)
		r := rule{
			Alert:  a.name,
			Expr:   a.expr,
			Labels: labels,
			Annotations: map[string]string{
				"summary":     a.summary,
				"description": a.description,
				"runbook_url": q.cfg.RunbookURL + "#" + strings.ToLower(a.name),
			},
		}
		if a.pending > 0 {
			r.For = promDuration(a.pending)
		}
		rules = append(rules, r)
	}
	return rules
}

// burnRateAlerts: the breach ratio over both windows, divided by the error
// budget, above the factor; the long window holding enough checks. The
// value is the long window's burn rate. A vendor whose objective is 1 has
// no budget: any breach is an infinite burn rate.
func burnRateAlerts(q promql) []alert {
	budget := fmt.Sprintf("(1 - max by (%s) (%s))", q.by("vendor"), q.sel("support_sla_objective_ratio"))
	burn := func(w string) string {
		return fmt.Sprintf("(\n  %s\n  / on (%s) group_left ()\n  %s\n)", q.sel(SLABreachRatio.Over(w)), q.by("vendor"), budget)
	}
	alerts := make([]alert, 0, len(q.cfg.BurnRates))
	for _, b := range q.cfg.BurnRates {
		long, short := promDuration(b.Long), promDuration(b.Short)
		// A reload that recomputed the vendor's counters under new settings
		// (an edited past SLA term...) steps them; increase() reads a step
		// down as a reset. Windows spanning the step are skipped.
		rebuilt := fmt.Sprintf("time() - max by (%s) (%s > 0) < %d",
			q.by("vendor"), q.sel("support_aggregates_rebuilt_timestamp_seconds"), int64(b.Long/time.Second))
		alerts = append(alerts, alert{
			name:     "SupportSLAErrorBudgetBurn",
			severity: b.Severity,
			expr: fmt.Sprintf("(\n%s > %s\nand\n%s > %s\nand\n%s >= %d\n)\nunless on (%s)\n(%s)",
				burn(long), number(b.Factor), burn(short), number(b.Factor), q.sel(SLAChecks.Over(long)), q.cfg.MinSLAChecks,
				q.by("vendor"), rebuilt),
			pending: b.For,
			labels:  map[string]string{"long": long, "short": short},
			summary: "A vendor breaches its support SLA faster than its objective allows.",
			// Rule labels are not in $labels: the windows are written in.
			description: `{{ $labels.vendor }} breached its {{ $labels.target }} target at {{ printf "%.1f" $value }}x` +
				` the rate its SLA objective allows over the last ` + long + `, and still does over the last ` + short + `.`,
		})
	}
	return alerts
}

// urgentUnanswered: the exporter's own SLA-clock judgement (breaching, which
// knows business hours) says an urgent ticket is past its first-response
// target; the value is how long the oldest unanswered one has waited.
func urgentUnanswered(q promql) alert {
	priority := fmt.Sprintf("priority=~%q", q.cfg.UrgentPriorities)
	return alert{
		name:     "SupportUrgentTicketUnanswered",
		severity: "critical",
		expr: fmt.Sprintf("(\n  time() - %s\n)\nand ignoring (target)\n%s",
			q.dedupeGauge(q.sel("support_ticket_oldest_unanswered_created_timestamp_seconds", priority)+" > 0"),
			q.dedupeGauge(q.sel("support_tickets_breaching_sla", priority, `target="first_response"`)+" > 0")),
		pending: q.cfg.ConfirmFor,
		summary: "An urgent ticket has waited past its first-response target.",
		description: `The oldest unanswered {{ $labels.priority }} ticket at {{ $labels.vendor }} was opened` +
			` {{ $value | humanizeDuration }} ago and is past its first-response target.`,
	}
}

func escalationOpen(q promql) alert {
	return alert{
		name:     "SupportEscalationOpenTooLong",
		severity: "warning",
		expr:     q.dedupeGauge(q.sel("support_escalations_open")) + " > 0",
		pending:  q.cfg.EscalationOpenFor,
		summary:  "Escalated tickets have stayed open too long.",
		description: `{{ $labels.vendor }} has had escalated {{ $labels.priority }} tickets open for more than ` +
			promDuration(q.cfg.EscalationOpenFor) + `; {{ $value }} open now.`,
	}
}

func breachingBacklogGrowing(q promql) alert {
	w := promDuration(q.cfg.BacklogGrowthWindow)
	return alert{
		name:     "SupportSLABreachingBacklogGrowing",
		severity: "warning",
		expr: fmt.Sprintf("sum by (%s) (%s) >= %d",
			q.by("vendor", "target"), q.dedupeGauge(fmt.Sprintf("delta(%s[%s])", q.sel("support_tickets_breaching_sla"), w)), q.cfg.BacklogGrowthMin),
		pending: q.cfg.ConfirmFor,
		summary: "The backlog of open tickets past their SLA target is growing.",
		description: `{{ $labels.vendor }} has {{ printf "%.0f" $value }} more open tickets past their` +
			` {{ $labels.target }} target than ` + w + ` ago.`,
	}
}

// maintenanceShortNotice fires once per short-notice maintenance, for the
// window, and not on the counter's first appearance (increase needs two
// samples).
func maintenanceShortNotice(q promql) alert {
	w := promDuration(q.cfg.ShortNoticeWindow)
	return alert{
		name:     "SupportMaintenanceShortNotice",
		severity: "warning",
		expr:     q.dedupe(fmt.Sprintf("increase(%s[%s])", q.sel("support_status_maintenance_short_notice_total"), w)) + " > 0",
		summary:  "A vendor announced a maintenance with less notice than its contract requires.",
		description: `{{ $labels.vendor }} announced {{ printf "%.0f" $value }} maintenance(s) in the last ` + w +
			` with less notice than its contract requires.`,
	}
}

// incidentVendorSilent: an open incident whose latest public update (its
// first post counting as one) is older than the silence allowed, per
// vendor and impact. The gauge keeps the incident silent longest, so an
// update on another incident cannot hide it, and it carries the vendor's
// own times, so a freshly scraped exporter reports a silence at once. The
// for: rides out the poll lag: an update posted just before the threshold
// is fetched up to a poll interval later.
func incidentVendorSilent(q promql) alert {
	return alert{
		name:     "SupportIncidentVendorSilent",
		severity: "warning",
		expr: fmt.Sprintf("time() - %s > %d",
			q.dedupeGauge(q.sel("support_status_incident_oldest_last_update_timestamp_seconds")+" > 0"), int64(q.cfg.IncidentSilence/time.Second)),
		pending: q.cfg.ConfirmFor,
		summary: "A vendor has posted no update on an open incident for too long.",
		description: `{{ $labels.vendor }} has posted no public update on an open {{ $labels.impact }} incident for` +
			` {{ $value | humanizeDuration }}.`,
	}
}

func vendorFirstShareLow(q promql) alert {
	return alert{
		name:     "SupportVendorFirstShareLow",
		severity: "info",
		expr: fmt.Sprintf("%s < %s\nand on (%s)\n%s >= %d",
			q.sel(VendorFirstRatio.Over(Window30d)), number(q.cfg.VendorFirstMin),
			q.by("vendor"), q.increase(q.sel("support_incidents_detected_total"), Window30d, "vendor"), q.cfg.MinIncidents),
		pending: q.cfg.ConfirmFor,
		summary: "Customers notice most of a vendor's incidents before the vendor announces them.",
		description: `Only {{ $value | humanizePercentage }} of {{ $labels.vendor }}'s incidents over the last ` +
			Window30d + ` were announced before a customer reported them.`,
	}
}

func sourceDown(q promql) alert {
	return alert{
		name:     "SupportSourceDown",
		severity: "warning",
		expr:     q.sel("support_source_up") + " == 0",
		pending:  q.cfg.SourceDownFor,
		summary:  "A support source fails to sync.",
		description: `Source {{ $labels.source }} ({{ $labels.kind }}) of {{ $labels.vendor }} has failed every sync for ` +
			promDuration(q.cfg.SourceDownFor) + `; its metrics stay at the last good sync.`,
	}
}

// sourceStale: the last success is older than max(StaleAfter, StalePolls
// x the source's poll interval); a source whose exporter serves no
// support_source_poll_interval_seconds (older than it) is held to
// StaleAfter. 0 means no sync succeeded yet, which SupportSourceDown
// reports; the age is its own duration, so no for:. Per replica, like the
// other health alerts: each replica polls for itself (docs/ha.md).
func sourceStale(q promql) alert {
	last := q.sel("support_source_last_success_timestamp_seconds")
	staleAfter := int64(q.cfg.StaleAfter / time.Second)
	return alert{
		name:     "SupportSourceStale",
		severity: "warning",
		expr: fmt.Sprintf("time() - (%s > 0)\n> ignoring (kind) group_left ()\n(\n  clamp_min(%d * %s, %d)\n  or ignoring (kind)\n  0 * %s + %d\n)",
			last, q.cfg.StalePolls, q.sel("support_source_poll_interval_seconds"), staleAfter, last, staleAfter),
		summary: "A support source's data is too old to trust.",
		description: `Source {{ $labels.source }} ({{ $labels.kind }}) of {{ $labels.vendor }} last synced successfully` +
			` {{ $value | humanizeDuration }} ago.`,
	}
}

// itemsRejected: a vendor sends items with times beyond the clock skew or
// before any vendor could exist; they are refused, so its numbers miss
// them until it fixes them. The window makes it fire once per episode and
// clear an hour after the last refusal.
func itemsRejected(q promql) alert {
	return alert{
		name:     "SupportVendorDataRefused",
		severity: "warning",
		expr:     q.increase(q.sel("support_items_rejected_total"), "1h", "vendor", "source", "reason") + " > 0",
		summary:  "A vendor sends items with implausible times; they are not counted.",
		description: `{{ $labels.vendor }} ({{ $labels.source }}) sent items refused for {{ $labels.reason }}` +
			` {{ printf "%.0f" $value }} time(s) in the last hour: its numbers miss them until the vendor fixes them.`,
	}
}

func configReloadFailed(q promql) alert {
	return alert{
		name:        "SupportExporterConfigReloadFailed",
		severity:    "warning",
		expr:        q.sel("support_exporter_config_last_reload_successful") + " == 0",
		pending:     q.cfg.ConfirmFor,
		summary:     "The support exporter failed to reload its configuration.",
		description: `{{ $labels.instance }} still runs its previous configuration: the last reload failed.`,
	}
}
