package statusio

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// listed is the cursor: the incidents and maintenances the last poll found
// listed, as they were emitted. The API lists only active incidents and
// active or upcoming maintenances, so an item that leaves the list has ended
// and the API never says when; the cursor is what lets the next poll notice
// it.
type listed struct {
	Incidents    []item.Incident    `json:"incidents"`
	Maintenances []item.Maintenance `json:"maintenances"`
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
func listedIn(batch item.Batch) listed {
	return listed{Incidents: batch.Incidents, Maintenances: batch.Maintenances}
}

// admit leaves out of batch each incident and maintenance with an instant
// the exporter would refuse (door.Bounds: far in the future or before any
// vendor recorded it), counting it with reject, and returns the cursor for
// the next poll: what batch lists, plus, for each refused item, the version
// prev holds, the one last stored. The cursor holds versions that
// endVanished ends once their item leaves the list; a refused version ended
// that way would be refused again, and the incident stored before would
// stay open for good. An item first seen refused is not in the cursor: it
// was never stored, so there is nothing to end.
func admit(batch *item.Batch, prev listed, bounds door.Bounds, reject func(reason string)) listed {
	prevIncident := map[string]item.Incident{}
	for _, i := range prev.Incidents {
		prevIncident[i.ID] = i
	}
	prevMaintenance := map[string]item.Maintenance{}
	for _, m := range prev.Maintenances {
		prevMaintenance[m.ID] = m
	}
	var next listed
	incidents := batch.Incidents[:0]
	for _, i := range batch.Incidents {
		if reason := bounds.Incident(&i); reason != "" {
			reject(reason)
			if old, ok := prevIncident[i.ID]; ok {
				next.Incidents = append(next.Incidents, old)
			}
			continue
		}
		incidents = append(incidents, i)
		next.Incidents = append(next.Incidents, i)
	}
	maintenances := batch.Maintenances[:0]
	for _, m := range batch.Maintenances {
		if reason := bounds.Maintenance(&m); reason != "" {
			reject(reason)
			if old, ok := prevMaintenance[m.ID]; ok {
				next.Maintenances = append(next.Maintenances, old)
			}
			continue
		}
		maintenances = append(maintenances, m)
		next.Maintenances = append(next.Maintenances, m)
	}
	batch.Incidents, batch.Maintenances = incidents, maintenances
	return next
}

func (l listed) encode() ([]byte, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("encoding cursor: %w", err)
	}
	return b, nil
}

// endVanished appends to batch every item of prev that the poll no longer
// lists (next, the cursor admit returned, holds what it lists), ended at
// now: an incident resolved, a maintenance completed (or cancelled). now is
// the first moment the item was seen gone, so the end it records is late by
// at most one poll interval; an item left as it was would stay open in the
// gauges forever.
func endVanished(prev, next listed, batch *item.Batch, now time.Time) {
	present := map[string]bool{}
	for _, i := range next.Incidents {
		present[i.ID] = true
	}
	for _, m := range next.Maintenances {
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
