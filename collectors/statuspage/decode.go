package statuspage

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
)

// The wire types hold only the fields support_exporter uses; the API sends
// many more (shortlink, body, affected_components...), which are ignored.

// wireComponent is an element of summary.json's `components`.
type wireComponent struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	Group   bool   `json:"group"`    // a group container, not a component
	GroupID string `json:"group_id"` // null when top-level
}

// wireItem is an incident or a scheduled maintenance: Statuspage serves both
// with one schema and tells them apart by scheduled_for.
type wireItem struct {
	ID                    string              `json:"id"`
	Status                string              `json:"status"`
	Impact                string              `json:"impact"`
	CreatedAt             statusitems.Instant `json:"created_at"`
	UpdatedAt             statusitems.Instant `json:"updated_at"`
	StartedAt             statusitems.Instant `json:"started_at"`
	ResolvedAt            statusitems.Instant `json:"resolved_at"`
	ScheduledFor          statusitems.Instant `json:"scheduled_for"`
	ScheduledUntil        statusitems.Instant `json:"scheduled_until"`
	PostmortemPublishedAt statusitems.Instant `json:"postmortem_published_at"`
	Updates               []wireUpdate        `json:"incident_updates"`
	// Components is absent on some Statuspage-compatible pages (incident.io).
	Components []wireComponent `json:"components"`
}

// wireUpdate is an element of an item's `incident_updates`.
type wireUpdate struct {
	Status    string              `json:"status"`
	DisplayAt statusitems.Instant `json:"display_at"` // the time shown to readers; may be backdated
	CreatedAt statusitems.Instant `json:"created_at"`
}

// summary is what summary.json holds: the current picture of the page.
type summary struct {
	Components []wireComponent
	// Incidents are the unresolved incidents, the same list as
	// /api/v2/incidents/unresolved.json.
	Incidents []wireItem
	// Maintenances are the upcoming and in-progress maintenances.
	Maintenances []wireItem
}

// decodeSummary parses /api/v2/summary.json. The components array is
// required: without it the page would seem to have lost every component. The
// incident and maintenance arrays may be absent (incident.io's compatible API
// omits scheduled_maintenances); the full lists fetched next cover them.
func decodeSummary(body []byte) (summary, error) {
	var doc struct {
		Components   *[]wireComponent `json:"components"`
		Incidents    []wireItem       `json:"incidents"`
		Maintenances []wireItem       `json:"scheduled_maintenances"`
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
	if err := checkItems(doc.Maintenances); err != nil {
		return summary{}, fmt.Errorf("scheduled_maintenances: %w", err)
	}
	return summary{Components: *doc.Components, Incidents: doc.Incidents, Maintenances: doc.Maintenances}, nil
}

// decodeIncidents parses /api/v2/incidents.json.
func decodeIncidents(body []byte) ([]wireItem, error) {
	var doc struct {
		Incidents *[]wireItem `json:"incidents"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	return requireItems(doc.Incidents, "incidents")
}

// decodeMaintenances parses /api/v2/scheduled-maintenances.json.
func decodeMaintenances(body []byte) ([]wireItem, error) {
	var doc struct {
		Maintenances *[]wireItem `json:"scheduled_maintenances"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	return requireItems(doc.Maintenances, "scheduled_maintenances")
}

// requireItems insists that a list endpoint's top-level array is present:
// a body without it is not the answer asked for, even when it parses.
func requireItems(items *[]wireItem, key string) ([]wireItem, error) {
	if items == nil {
		return nil, fmt.Errorf("no %q array", key)
	}
	if err := checkItems(*items); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return *items, nil
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
