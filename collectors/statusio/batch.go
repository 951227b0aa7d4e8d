package statusio

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// The status codes of status.io, for components, containers and posts.
const (
	codeOperational        = 100
	codePlannedMaintenance = 200
	codeDegraded           = 300
	codePartialDisruption  = 400
	codeServiceDisruption  = 500
	codeSecurityEvent      = 600
)

// buildBatch turns one answer into the batch of the sync (its cursor is set
// by the caller). Items created before historyStart are left out (zero: no
// limit).
func buildBatch(res result, historyStart time.Time) item.Batch {
	components, names := componentStates(res.Components)
	batch := item.Batch{Components: statusitems.Components(components)}
	seen := map[string]bool{}
	for _, ev := range res.Incidents {
		if seen[ev.ID] || ev.DatetimeOpen.Before(historyStart) {
			continue
		}
		seen[ev.ID] = true
		batch.Incidents = append(batch.Incidents, toIncident(ev, names))
	}
	for _, ev := range slices.Concat(res.Maintenance.Active, res.Maintenance.Upcoming) {
		if seen[ev.ID] || ev.DatetimeOpen.Before(historyStart) {
			continue
		}
		seen[ev.ID] = true
		batch.Maintenances = append(batch.Maintenances, toMaintenance(ev))
	}
	return batch
}

// componentStates returns the page's components and the name each got, by
// id. The list is never nil: an empty page has no components, and a nil list
// would keep the stored ones.
func componentStates(wire []wireComponent) ([]item.Component, map[string]string) {
	out := make([]item.Component, 0, len(wire))
	names := map[string]string{}
	labels := statusitems.NewLabels()
	for _, c := range wire {
		name, ok := labels.Claim(c.Name, c.ID)
		if !ok {
			continue
		}
		names[c.ID] = name
		out = append(out, item.Component{Name: name, Status: componentStatus(c.StatusCode, c.Status)})
	}
	return out, names
}

// componentStatus maps a status code to the normalized component status. A
// security event has no normalized peer and keeps its own name; an unknown
// code keeps the name the page gives it, lower-case.
func componentStatus(code int, name string) string {
	switch code {
	case codeOperational:
		return "operational"
	case codePlannedMaintenance:
		return "under_maintenance"
	case codeDegraded:
		return "degraded_performance"
	case codePartialDisruption:
		return "partial_outage"
	case codeServiceDisruption:
		return "major_outage"
	case codeSecurityEvent:
		return "security_event"
	}
	if s := strings.Join(strings.Fields(strings.ToLower(name)), "_"); s != "" {
		return s
	}
	return "status_" + strconv.Itoa(code)
}

// impact maps the status code of an incident's latest post to an impact:
// degraded performance is minor, a partial disruption major, a service
// disruption or a security event critical. Operational and planned
// maintenance are none.
func impact(code int) item.Impact {
	switch code {
	case codeDegraded:
		return item.ImpactMinor
	case codePartialDisruption:
		return item.ImpactMajor
	case codeServiceDisruption, codeSecurityEvent:
		return item.ImpactCritical
	}
	return item.ImpactNone
}

// toIncident maps an active incident. Its impact follows its latest post,
// so a vendor raising or lowering the severity is followed; the counters
// keep the impact first stored.
func toIncident(ev wireEvent, names map[string]string) item.Incident {
	latest, updated := latestMessage(ev)
	inc := item.Incident{
		ID:        ev.ID,
		Title:     item.CleanTitle(ev.Name),
		Impact:    impact(latest.Status),
		CreatedAt: ev.DatetimeOpen.Time,
		UpdatedAt: updated,
	}
	for _, m := range ev.Messages {
		if !m.Datetime.IsZero() {
			inc.Updates = append(inc.Updates, m.Datetime.Time)
		}
	}
	for _, c := range ev.Components {
		name, ok := names[c.ID]
		if !ok {
			name = c.Name
		}
		inc.Components = append(inc.Components, name)
	}
	return inc
}

func toMaintenance(ev wireEvent) item.Maintenance {
	_, updated := latestMessage(ev)
	return item.Maintenance{
		ID:             ev.ID,
		Title:          item.CleanTitle(ev.Name),
		CreatedAt:      ev.DatetimeOpen.Time,
		UpdatedAt:      updated,
		ScheduledFor:   ev.PlannedStart.Time,
		ScheduledUntil: ev.PlannedEnd.Time,
	}
}

// latestMessage returns an event's latest post (of equal times, the one
// listed last) and when the event last changed: that post's time, or when
// it was opened if it has none. Posts come in any order.
func latestMessage(ev wireEvent) (wireMessage, time.Time) {
	var latest wireMessage
	for _, m := range ev.Messages {
		if !m.Datetime.Before(latest.Datetime.Time) {
			latest = m
		}
	}
	if latest.Datetime.Before(ev.DatetimeOpen.Time) {
		return latest, ev.DatetimeOpen.Time
	}
	return latest, latest.Datetime.Time
}
