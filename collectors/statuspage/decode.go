package statuspage

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
)

// The v2 schema, shared with the Statuspage-compatible pages.
type (
	wireComponent = statusitems.V2Component
	wireItem      = statusitems.V2Item
	wireUpdate    = statusitems.V2Update
)

// The wire types hold only the fields support_exporter uses; the API sends
// many more (shortlink, body, affected_components...), which are ignored.

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
