package statusio

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// listed is the cursor: the incidents and maintenances the last poll found
// listed, as they were emitted. The API lists only active incidents and
// active or upcoming maintenances, so an item that leaves the list has ended
// and the API never says when; the cursor is what lets the next poll notice
// it.
type listed struct {
	Incidents    []model.Incident    `json:"incidents"`
	Maintenances []model.Maintenance `json:"maintenances"`
}

// decodeCursor reads a stored cursor; nil (the first sync) lists nothing.
func decodeCursor(b []byte) (listed, error) {
	var l listed
	if len(b) == 0 {
		return l, nil
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return listed{}, fmt.Errorf("stored cursor: %w", err)
	}
	return l, nil
}

// listedIn returns what batch lists: the cursor to store with it.
func listedIn(batch model.Batch) listed {
	return listed{Incidents: batch.Incidents, Maintenances: batch.Maintenances}
}

func (l listed) encode() ([]byte, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("encoding cursor: %w", err)
	}
	return b, nil
}

// endVanished appends to batch every item of prev that batch no longer
// lists, ended at now: an incident resolved, a maintenance completed (or
// cancelled). now is the first moment the item was seen gone, so the end
// it records is late by at most one poll interval; an item left as it was
// would stay open in the gauges forever.
func endVanished(prev listed, batch *model.Batch, now time.Time) {
	present := map[string]bool{}
	for _, i := range batch.Incidents {
		present[i.ID] = true
	}
	for _, m := range batch.Maintenances {
		present[m.ID] = true
	}
	for _, i := range prev.Incidents {
		if !present[i.ID] {
			i.ResolvedAt, i.UpdatedAt = now, now
			batch.Incidents = append(batch.Incidents, i)
		}
	}
	for _, m := range prev.Maintenances {
		if !present[m.ID] {
			m.CompletedAt, m.UpdatedAt = now, now
			batch.Maintenances = append(batch.Maintenances, m)
		}
	}
}
