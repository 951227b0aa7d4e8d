package cachet

import (
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// Cachet's incident and schedule statuses that the mapping reads.
const (
	incidentScheduled = 0 // Cachet 2.3's scheduled maintenance, now /schedules
	incidentFixed     = 4
	scheduleComplete  = 2
)

// buildBatch turns one poll's three lists into the single batch of the
// sync. An item listed twice (pages shift when items are added during the
// walk) is kept once. Items created before historyStart are left out (zero:
// no limit).
func buildBatch(components []component, incidents []incident, schedules []schedule, historyStart time.Time) item.Batch {
	states, names := componentStates(components)
	batch := item.Batch{Components: statusitems.Components(states)}
	seen := map[string]bool{}
	for _, inc := range incidents {
		// A hidden incident is no public post; status 0 is a 2.3
		// maintenance that 2.4 lists under /schedules.
		if seen[inc.ID] || !inc.Visible || inc.Status == incidentScheduled || inc.CreatedAt.Before(historyStart) {
			continue
		}
		seen[inc.ID] = true
		batch.Incidents = append(batch.Incidents, toIncident(inc, names))
	}
	seen = map[string]bool{}
	for _, s := range schedules {
		if seen[s.ID] || s.CreatedAt.Before(historyStart) {
			continue
		}
		seen[s.ID] = true
		batch.Maintenances = append(batch.Maintenances, toMaintenance(s))
	}
	return batch
}

// componentStates returns the page's enabled components and the name each
// got, by id. The list is never nil: an empty page has no components, and a
// nil list would keep the stored ones.
func componentStates(list []component) ([]item.Component, map[int64]string) {
	out := make([]item.Component, 0, len(list))
	names := map[int64]string{}
	labels := statusitems.NewLabels()
	for _, c := range list {
		if names[c.ID] != "" || (c.Enabled != nil && !bool(*c.Enabled)) {
			continue
		}
		// Two groups may each hold an "API".
		name, ok := labels.Claim(c.Name, strconv.FormatInt(c.ID, 10))
		if !ok {
			continue
		}
		names[c.ID] = name
		out = append(out, item.Component{Name: name, Status: componentStatus(c.Status, c.StatusName)})
	}
	return out, names
}

// componentStatus maps Cachet's component status ids; another id (0, the
// unknown status of 2.4) keeps the name the page gives it, lower-case.
func componentStatus(id int, name string) string {
	switch id {
	case 1:
		return "operational"
	case 2:
		return "degraded_performance" // "performance issues"
	case 3:
		return "partial_outage"
	case 4:
		return "major_outage"
	}
	if s := strings.Join(strings.Fields(strings.ToLower(name)), "_"); s != "" {
		return s
	}
	return "status_" + strconv.Itoa(id)
}

// toIncident maps an incident. Cachet records no impact, so every incident
// has impact none.
func toIncident(inc incident, names map[int64]string) item.Incident {
	out := item.Incident{
		ID:        inc.ID,
		Title:     item.CleanTitle(inc.Name),
		Impact:    item.ImpactNone,
		CreatedAt: inc.CreatedAt,
		StartedAt: inc.OccurredAt,
		UpdatedAt: inc.UpdatedAt,
	}
	if out.UpdatedAt.IsZero() {
		out.UpdatedAt = inc.CreatedAt
	}
	for _, u := range inc.Updates {
		out.Updates = append(out.Updates, u.CreatedAt)
	}
	if name, ok := names[inc.ComponentID]; ok {
		out.Components = []string{name}
	}
	out.ResolvedAt = resolvedAt(inc, out.UpdatedAt)
	return out
}

// resolvedAt is when a fixed incident was fixed, zero while it is not: an
// incident is fixed when its latest update says so (Cachet's is_resolved),
// or, without updates, when its own status does. The time is that update's;
// without updates it is updatedAt, the last edit, which set the status.
func resolvedAt(inc incident, updatedAt time.Time) time.Time {
	if len(inc.Updates) == 0 {
		if inc.Status == incidentFixed {
			return updatedAt
		}
		return time.Time{}
	}
	latest := inc.Updates[0]
	for _, u := range inc.Updates[1:] {
		if u.CreatedAt.After(latest.CreatedAt) {
			latest = u
		}
	}
	if latest.Status == incidentFixed {
		return latest.CreatedAt
	}
	return time.Time{}
}

// toMaintenance maps a schedule. Cachet plans no end, so scheduled_until
// stays zero; completed_at is read once the schedule is complete, its last
// edit standing in when the field is empty.
func toMaintenance(s schedule) item.Maintenance {
	m := item.Maintenance{
		ID:           s.ID,
		Title:        item.CleanTitle(s.Name),
		CreatedAt:    s.CreatedAt,
		UpdatedAt:    s.UpdatedAt,
		ScheduledFor: s.ScheduledAt,
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = s.CreatedAt
	}
	if s.Status == scheduleComplete {
		m.CompletedAt = s.CompletedAt
		if m.CompletedAt.IsZero() {
			m.CompletedAt = m.UpdatedAt
		}
	}
	return m
}
