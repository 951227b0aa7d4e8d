package statuspage

import (
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// buildBatch turns one poll's three answers into the single batch of the
// sync. An item found in several lists is kept once, in its most recently
// updated version. Items created before historyStart are left out (zero: no
// limit).
func buildBatch(sum summary, incidents, maintenances []wireItem, historyStart time.Time) item.Batch {
	components, groups := componentStates(sum.Components)
	batch := buildItems(groups, historyStart, sum.Incidents, sum.Maintenances, incidents, maintenances)
	batch.Components = statusitems.Components(components)
	return batch
}

// buildItems turns lists of items into a batch without components (which
// keeps the stored ones), naming incidents' components with groups, the
// groups' names by id. An item found in several lists is kept once, in its
// most recently updated version; items created before historyStart are
// left out.
func buildItems(groups map[string]string, historyStart time.Time, lists ...[]wireItem) item.Batch {
	var batch item.Batch
	for _, it := range newestByID(lists...) {
		if it.CreatedAt.Before(historyStart) {
			continue
		}
		// An item carrying scheduled_for is a maintenance wherever it
		// appears, even in the incidents list (docs/sources.md).
		if !it.ScheduledFor.IsZero() {
			batch.Maintenances = append(batch.Maintenances, it.Maintenance())
		} else {
			batch.Incidents = append(batch.Incidents, toIncident(it, groups))
		}
	}
	return batch
}

// componentStates returns the page's components, group containers left out,
// and the names of those groups by id. The list is never nil: an empty page
// has no components, and a nil list would keep the stored ones.
func componentStates(wire []wireComponent) ([]item.Component, map[string]string) {
	groups := map[string]string{}
	for _, c := range wire {
		if c.Group {
			groups[c.ID] = c.Name
		}
	}
	out := make([]item.Component, 0, len(wire))
	labels := statusitems.NewLabels()
	for _, c := range wire {
		if c.Group {
			continue
		}
		// Two components may share a name even in one group.
		if name, ok := labels.Claim(componentName(c, groups), c.ID); ok {
			out = append(out, item.Component{Name: name, Status: c.Status})
		}
	}
	return out, groups
}

// componentName is "Group / Component" for a component in a group, since
// pages reuse names across groups (DigitalOcean lists a "NYC3" under
// Droplets, Volumes, Kubernetes and more); otherwise the component's own
// name.
func componentName(c wireComponent, groups map[string]string) string {
	if g, ok := groups[c.GroupID]; ok && c.GroupID != "" {
		return g + " / " + c.Name
	}
	return c.Name
}

// newestByID merges lists of items, keeping the most recently updated version
// of each id (statusitems.NewestByID).
func newestByID(lists ...[]wireItem) []wireItem {
	return statusitems.NewestByID(
		func(it wireItem) string { return it.ID },
		func(it wireItem) time.Time { return it.UpdatedAt.Time },
		lists...)
}

func toIncident(it wireItem, groups map[string]string) item.Incident {
	inc := item.Incident{
		ID:                    it.ID,
		Title:                 item.CleanTitle(it.Name),
		Impact:                statusitems.StatuspageImpact(it.Impact),
		CreatedAt:             it.CreatedAt.Time,
		StartedAt:             it.StartedAt.Time,
		UpdatedAt:             it.UpdatedAt.Time,
		PostmortemPublishedAt: it.PostmortemPublishedAt.Time,
	}
	if it.Status == "resolved" || it.Status == "postmortem" {
		inc.ResolvedAt = it.FinishedAt("resolved")
	}
	for _, u := range it.Updates {
		if t := u.Time(); !t.IsZero() {
			inc.Updates = append(inc.Updates, t)
		}
	}
	for _, c := range it.Components {
		inc.Components = append(inc.Components, componentName(c, groups))
	}
	return inc
}
