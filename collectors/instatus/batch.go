package instatus

import (
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// buildBatch turns one poll's answers into the batch of the sync, given the
// incidents open at the previous sync, and returns the cursor for the next.
// now is when the poll was made: the resolution time of an incident that
// left the list since.
func buildBatch(sum summary, wire []wireComponent, prev cursor, now, historyStart time.Time) (item.Batch, cursor) {
	components, affected := componentStates(wire)
	batch := item.Batch{Components: statusitems.Components(components)}
	var next cursor

	listed := map[string]bool{}
	for _, w := range sum.Incidents {
		if listed[w.ID] { // listed twice: the first counts
			continue
		}
		listed[w.ID] = true
		inc := toIncident(w, affected[w.ID])
		if strings.EqualFold(w.Status, "RESOLVED") {
			inc.ResolvedAt = w.UpdatedAt.Time
			if inc.ResolvedAt.IsZero() {
				inc.ResolvedAt = now
			}
		} else {
			next.Open = append(next.Open, inc)
		}
		batch.Incidents = append(batch.Incidents, inc)
	}
	for _, inc := range prev.Open {
		if !listed[inc.ID] {
			listed[inc.ID] = true
			inc.ResolvedAt = now
			batch.Incidents = append(batch.Incidents, inc)
		}
	}

	scheduled := map[string]bool{}
	for _, w := range sum.Maintenances {
		// One starting before historyStart was announced before it too.
		if scheduled[w.ID] || w.Start.Before(historyStart) {
			continue
		}
		scheduled[w.ID] = true
		batch.Maintenances = append(batch.Maintenances, toMaintenance(w))
	}
	return batch, next
}

func toIncident(w wireIncident, components []string) item.Incident {
	return item.Incident{
		ID:         w.ID,
		Title:      item.CleanTitle(w.Name),
		Impact:     impact(w.Impact),
		StartedAt:  w.Started.Time,
		UpdatedAt:  w.UpdatedAt.Time,
		Components: components,
	}
}

func toMaintenance(w wireMaintenance) item.Maintenance {
	m := item.Maintenance{ID: w.ID, Title: item.CleanTitle(w.Name), UpdatedAt: w.UpdatedAt.Time, ScheduledFor: w.Start.Time}
	if w.Duration.Duration > 0 {
		m.ScheduledUntil = w.Start.Add(w.Duration.Duration)
	}
	if strings.EqualFold(w.Status, "COMPLETED") {
		m.CompletedAt = w.UpdatedAt.Time
	}
	return m
}

// impact rates an incident by the component state Instatus gives as its
// impact, the way Statuspage rates one by its components.
func impact(s string) item.Impact {
	switch strings.ToUpper(s) {
	case "DEGRADEDPERFORMANCE", "MINOROUTAGE":
		return item.ImpactMinor
	case "PARTIALOUTAGE":
		return item.ImpactMajor
	case "MAJOROUTAGE":
		return item.ImpactCritical
	default:
		return item.ImpactNone
	}
}

// componentStatus normalizes Instatus' component states; MINOROUTAGE, which
// Statuspage lacks, and anything unknown pass through lower-cased.
func componentStatus(s string) string {
	switch s = strings.ToUpper(s); s {
	case "OPERATIONAL":
		return "operational"
	case "DEGRADEDPERFORMANCE":
		return "degraded_performance"
	case "PARTIALOUTAGE":
		return "partial_outage"
	case "MAJOROUTAGE":
		return "major_outage"
	case "UNDERMAINTENANCE":
		return "under_maintenance"
	default:
		return strings.ToLower(s)
	}
}

// componentStates returns the page's components, group containers left out,
// and by incident id the names of the components the page says it affects.
// The list is never nil: an empty page has no components, and a nil list
// would keep the stored ones.
func componentStates(wire []wireComponent) ([]item.Component, map[string][]string) {
	nameByID := map[string]string{}
	container := map[string]bool{}
	for _, c := range wire {
		nameByID[c.ID] = c.Name
		if c.Group != nil && c.Group.ID != "" {
			container[c.Group.ID] = true
		}
	}
	out := make([]item.Component, 0, len(wire))
	affected := map[string][]string{}
	labels := statusitems.NewLabels()
	for _, c := range wire {
		if container[c.ID] {
			continue
		}
		// "Group / Component": pages reuse names across groups.
		name := c.Name
		if g := groupName(c.Group, nameByID); g != "" {
			name = g + " / " + name
		}
		name, ok := labels.Claim(name, c.ID)
		if !ok {
			continue
		}
		out = append(out, item.Component{Name: name, Status: componentStatus(c.Status)})
		for _, inc := range c.ActiveIncidents {
			if inc.ID != "" && !slices.Contains(affected[inc.ID], name) {
				affected[inc.ID] = append(affected[inc.ID], name)
			}
		}
	}
	return out, affected
}

// groupName is the name of a component's group: as the component gives it,
// else as the group's own entry in the list does.
func groupName(g *wireGroup, nameByID map[string]string) string {
	switch {
	case g == nil:
		return ""
	case g.Name != "":
		return g.Name
	default:
		return nameByID[g.ID]
	}
}
