package incidentio

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
)

// The Statuspage-compatible v2 schema incident.io serves.
type (
	wireItem   = statusitems.V2Item
	wireUpdate = statusitems.V2Update
)

// The wire types hold only the fields support_exporter uses; the APIs send
// more (names, messages, urls, positions), which are ignored.

// widgetSummary is the widget API's document: the page's ongoing events.
type widgetSummary struct {
	Ongoing    []widgetEvent
	InProgress []widgetEvent
	Scheduled  []widgetEvent
}

// widgetEvent is an element of one of the widget's three arrays. Incidents
// and maintenances share the fields up to AffectedComponents; the window
// fields depend on the array.
type widgetEvent struct {
	ID                 string              `json:"id"`
	Name               string              `json:"name"`
	Status             string              `json:"status"`
	LastUpdateAt       statusitems.Instant `json:"last_update_at"`
	AffectedComponents []widgetComponent   `json:"affected_components"`
	StartsAt           statusitems.Instant `json:"starts_at"`        // scheduled maintenance
	EndsAt             statusitems.Instant `json:"ends_at"`          // scheduled maintenance
	StartedAt          statusitems.Instant `json:"started_at"`       // maintenance in progress
	ScheduledEndAt     statusitems.Instant `json:"scheduled_end_at"` // maintenance in progress
}

// widgetComponent is an affected component of a widget event.
type widgetComponent struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	GroupName string `json:"group_name"`
}

// decodeWidget parses /api/v1/summary. The three arrays are required: the
// help centre documents all three, and a body without them is not the
// widget (a page that switched the widget off answers with something else).
func decodeWidget(body []byte) (widgetSummary, error) {
	var doc struct {
		Ongoing    *[]widgetEvent `json:"ongoing_incidents"`
		InProgress *[]widgetEvent `json:"in_progress_maintenances"`
		Scheduled  *[]widgetEvent `json:"scheduled_maintenances"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return widgetSummary{}, err
	}
	lists := []struct {
		key    string
		events *[]widgetEvent
	}{
		{"ongoing_incidents", doc.Ongoing},
		{"in_progress_maintenances", doc.InProgress},
		{"scheduled_maintenances", doc.Scheduled},
	}
	for _, l := range lists {
		if l.events == nil {
			return widgetSummary{}, fmt.Errorf("no %q array", l.key)
		}
		for i, e := range *l.events {
			if e.ID == "" {
				return widgetSummary{}, fmt.Errorf("%s: event %d has no id", l.key, i)
			}
		}
	}
	if err := requireWindow(*doc.InProgress, "in_progress_maintenances", func(e widgetEvent) time.Time { return e.StartedAt.Time }); err != nil {
		return widgetSummary{}, err
	}
	if err := requireWindow(*doc.Scheduled, "scheduled_maintenances", func(e widgetEvent) time.Time { return e.StartsAt.Time }); err != nil {
		return widgetSummary{}, err
	}
	return widgetSummary{Ongoing: *doc.Ongoing, InProgress: *doc.InProgress, Scheduled: *doc.Scheduled}, nil
}

// requireWindow refuses a maintenance without its start: a maintenance is
// stored by when it is scheduled.
func requireWindow(events []widgetEvent, key string, start func(widgetEvent) time.Time) error {
	for _, e := range events {
		if start(e).IsZero() {
			return fmt.Errorf("%s: maintenance %s has no start", key, e.ID)
		}
	}
	return nil
}

// wireComponent is an element of summary.json's `components`. incident.io
// sends no groups: the list is flat.
type wireComponent struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// summary is what /api/v2/summary.json holds.
type summary struct {
	Components []wireComponent
	Incidents  []wireItem // unresolved
}

// decodeSummary parses /api/v2/summary.json. The components array is
// required: without it the page would seem to have lost every component.
func decodeSummary(body []byte) (summary, error) {
	var doc struct {
		Components *[]wireComponent `json:"components"`
		Incidents  []wireItem       `json:"incidents"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return summary{}, err
	}
	if doc.Components == nil {
		return summary{}, errors.New(`no "components" array`)
	}
	if err := checkItems(doc.Incidents); err != nil {
		return summary{}, fmt.Errorf("incidents: %w", err)
	}
	return summary{Components: *doc.Components, Incidents: doc.Incidents}, nil
}

// decodeIncidents parses /api/v2/incidents.json, whose incidents array is
// required.
func decodeIncidents(body []byte) ([]wireItem, error) {
	var doc struct {
		Incidents *[]wireItem `json:"incidents"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	if doc.Incidents == nil {
		return nil, errors.New(`no "incidents" array`)
	}
	if err := checkItems(*doc.Incidents); err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	return *doc.Incidents, nil
}

// checkItems refuses items that cannot be stored: the store keys items by
// id, and every duration the exporter measures starts at created_at.
func checkItems(items []wireItem) error {
	for i, it := range items {
		if it.ID == "" {
			return fmt.Errorf("item %d has no id", i)
		}
		if it.CreatedAt.IsZero() {
			return fmt.Errorf("item %s has no created_at", it.ID)
		}
	}
	return nil
}
