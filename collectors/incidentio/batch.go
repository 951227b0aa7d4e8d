package incidentio

import (
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// buildBatch turns one poll's three answers into the single batch of the
// sync. Items announced before historyStart are left out (zero: no limit).
func buildBatch(w widgetSummary, sum summary, incidents []wireItem, historyStart time.Time) item.Batch {
	components, nameByID := componentStates(sum.Components)
	affected := affectedComponents(w.Ongoing, nameByID)
	batch := item.Batch{Components: statusitems.Components(components)}

	maints := newMaintenanceList()
	for _, e := range w.InProgress {
		maints.putWidget(e, e.StartedAt.Time, e.ScheduledEndAt.Time, historyStart)
	}
	for _, e := range w.Scheduled {
		maints.putWidget(e, e.StartsAt.Time, e.EndsAt.Time, historyStart)
	}
	for _, it := range newestByID(sum.Incidents, incidents) {
		// A Statuspage-format item with scheduled_for is a maintenance
		// wherever it appears (docs/sources.md, statuspage). Its v2 version replaces the
		// widget's: it also knows when it was announced and completed.
		if !it.ScheduledFor.IsZero() {
			if it.CreatedAt.Before(historyStart) {
				maints.drop(it.ID)
			} else {
				maints.put(it.Maintenance())
			}
			continue
		}
		if !it.CreatedAt.Before(historyStart) {
			batch.Incidents = append(batch.Incidents, toIncident(it, affected[it.ID]))
		}
	}
	batch.Maintenances = maints.items()
	return batch
}

// componentStates returns the page's components with their normalized
// status, and each component's exported name by id. The list is never nil:
// an empty page has no components, and a nil list would keep the stored
// ones.
func componentStates(wire []wireComponent) ([]item.Component, map[string]string) {
	out := make([]item.Component, 0, len(wire))
	nameByID := map[string]string{}
	labels := statusitems.NewLabels()
	for _, c := range wire {
		name, ok := labels.Claim(c.Name, c.ID)
		if !ok {
			continue
		}
		nameByID[c.ID] = name
		out = append(out, item.Component{Name: name, Status: componentStatus(c.Status)})
	}
	return out, nameByID
}

// componentStatus normalizes a component status. incident.io's own word for
// the worst state is full_outage; its v2 API should already say
// major_outage, and either way the exporter does.
func componentStatus(s string) string {
	s = strings.ToLower(s)
	if s == "full_outage" {
		return "major_outage"
	}
	return s
}

// affectedComponents are, by incident id, the names of the components the
// widget lists as affected by each ongoing incident: the component list's
// name where the id is known, so that the two join, else the widget's.
func affectedComponents(ongoing []widgetEvent, nameByID map[string]string) map[string][]string {
	out := map[string][]string{}
	for _, e := range ongoing {
		for _, c := range e.AffectedComponents {
			name, ok := nameByID[c.ID]
			if !ok {
				name = c.Name
			}
			if name != "" && !slices.Contains(out[e.ID], name) {
				out[e.ID] = append(out[e.ID], name)
			}
		}
	}
	return out
}

// newestByID merges lists of items, keeping the most recently updated version
// of each id (statusitems.NewestByID).
func newestByID(lists ...[]wireItem) []wireItem {
	return statusitems.NewestByID(
		func(it wireItem) string { return it.ID },
		func(it wireItem) time.Time { return it.UpdatedAt.Time },
		lists...)
}

func toIncident(it wireItem, components []string) item.Incident {
	inc := item.Incident{
		ID:         it.ID,
		Title:      item.CleanTitle(it.Name),
		Impact:     statusitems.StatuspageImpact(it.Impact),
		CreatedAt:  it.CreatedAt.Time,
		StartedAt:  it.StartedAt.Time,
		UpdatedAt:  it.UpdatedAt.Time,
		Components: components,
	}
	if it.Status == "resolved" || it.Status == "postmortem" {
		inc.ResolvedAt = it.FinishedAt("resolved")
	}
	for _, u := range it.Updates {
		if t := u.Time(); !t.IsZero() {
			inc.Updates = append(inc.Updates, t)
		}
	}
	return inc
}

// maintenanceList collects the maintenances of a batch, one per id, in the
// order first met; a later version of an id replaces the earlier one.
type maintenanceList struct {
	order  []string
	listed map[string]bool // in order, even when dropped since
	byID   map[string]item.Maintenance
}

func newMaintenanceList() *maintenanceList {
	return &maintenanceList{listed: map[string]bool{}, byID: map[string]item.Maintenance{}}
}

// putWidget adds a maintenance known from the widget: its window and last
// update only (and its title). One scheduled to start before historyStart
// was announced before it too, so it is left out.
func (l *maintenanceList) putWidget(e widgetEvent, start, end, historyStart time.Time) {
	if start.Before(historyStart) {
		return
	}
	l.put(item.Maintenance{ID: e.ID, Title: item.CleanTitle(e.Name), UpdatedAt: e.LastUpdateAt.Time, ScheduledFor: start, ScheduledUntil: end})
}

func (l *maintenanceList) put(m item.Maintenance) {
	if !l.listed[m.ID] {
		l.listed[m.ID] = true
		l.order = append(l.order, m.ID)
	}
	l.byID[m.ID] = m
}

func (l *maintenanceList) drop(id string) { delete(l.byID, id) }

func (l *maintenanceList) items() []item.Maintenance {
	var out []item.Maintenance
	for _, id := range l.order {
		if m, ok := l.byID[id]; ok {
			out = append(out, m)
		}
	}
	return out
}
