package statusio

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
)

// The wire types hold only the fields support_exporter uses; the API sends
// more (status_overall, containers, message details...), which are ignored.

// result is the `result` object of /1.0/status/{page_id}.
type result struct {
	Components  []wireComponent `json:"status"`
	Incidents   []wireEvent     `json:"incidents"` // active incidents only
	Maintenance maintenances    `json:"maintenance"`
}

// maintenances is the `maintenance` object: in progress and announced.
type maintenances struct {
	Active   []wireEvent `json:"active"`
	Upcoming []wireEvent `json:"upcoming"`
}

// wireComponent is an element of `status`: a component with the worst status
// of its containers (locations), which are not read.
type wireComponent struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     string `json:"status"` // the code's English name, e.g. "Degraded Performance"
	StatusCode int    `json:"status_code"`
}

// wireEvent is an active incident or an active or upcoming maintenance: both
// share one schema, maintenances adding the planned window.
type wireEvent struct {
	ID           string              `json:"_id"`
	Name         string              `json:"name"`
	DatetimeOpen statusitems.Instant `json:"datetime_open"` // when it was posted
	PlannedStart statusitems.Instant `json:"datetime_planned_start"`
	PlannedEnd   statusitems.Instant `json:"datetime_planned_end"`
	Messages     []wireMessage       `json:"messages"`
	Components   []wireRef           `json:"components_affected"`
}

// wireMessage is one public post of an event. Its `state` (100
// investigating, 200 identified, 300 monitoring) is not read: a resolved
// incident leaves the response, so no state ever says "resolved".
type wireMessage struct {
	Status   int                 `json:"status"` // the status code the post set, 100-600
	Datetime statusitems.Instant `json:"datetime"`
}

// wireRef names a component an event affects.
type wireRef struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
}

// decodeStatus parses the body of /1.0/status/{page_id}. The component list
// is required: without it the page would seem to have lost every component.
// Events must carry what the store and the metrics need: an id, the time
// they were posted and, for maintenances, the planned start.
func decodeStatus(body []byte) (result, error) {
	var doc struct {
		Result *struct {
			Components  *[]wireComponent `json:"status"`
			Incidents   []wireEvent      `json:"incidents"`
			Maintenance maintenances     `json:"maintenance"`
		} `json:"result"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return result{}, err
	}
	if doc.Result == nil {
		return result{}, errors.New(`no "result" object`)
	}
	if doc.Result.Components == nil {
		return result{}, errors.New(`no "result.status" array`)
	}
	res := result{
		Components:  *doc.Result.Components,
		Incidents:   doc.Result.Incidents,
		Maintenance: doc.Result.Maintenance,
	}
	if err := checkEvents(res.Incidents, false); err != nil {
		return result{}, fmt.Errorf("incidents: %w", err)
	}
	if err := checkEvents(res.Maintenance.Active, true); err != nil {
		return result{}, fmt.Errorf("active maintenance: %w", err)
	}
	if err := checkEvents(res.Maintenance.Upcoming, true); err != nil {
		return result{}, fmt.Errorf("upcoming maintenance: %w", err)
	}
	return res, nil
}

func checkEvents(events []wireEvent, maintenance bool) error {
	for i, ev := range events {
		switch {
		case ev.ID == "":
			return fmt.Errorf("item %d has no _id", i)
		case ev.DatetimeOpen.IsZero():
			return fmt.Errorf("item %s has no datetime_open", ev.ID)
		case maintenance && ev.PlannedStart.IsZero():
			return fmt.Errorf("item %s has no datetime_planned_start", ev.ID)
		}
	}
	return nil
}
