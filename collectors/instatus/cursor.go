package instatus

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// cursor is what one sync leaves for the next: the incidents open at its
// end, as they were emitted, so that one missing from the next summary can
// be emitted again, resolved. It is stored as JSON with the batch, so a
// crash between the two never loses a resolution.
type cursor struct {
	Open []item.Incident `json:"open,omitempty"`
}

// decodeCursor reads a stored cursor; none means no incident was open.
func decodeCursor(b []byte) (cursor, error) {
	var c cursor
	if len(b) > 0 {
		if err := json.Unmarshal(b, &c); err != nil {
			return cursor{}, fmt.Errorf("stored cursor: %w", err)
		}
	}
	return c, nil
}

func (c cursor) encode() ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encoding cursor: %w", err)
	}
	return b, nil
}

// admit leaves out of batch each incident with an instant the exporter
// would refuse (door.Bounds: far in the future or before any vendor
// recorded it), counting it with reject, and keeps it out of next, the
// cursor: an incident open in the cursor is emitted again, resolved, once it
// leaves the list, and a refused version emitted then would be refused
// again, leaving the incident stored before open for good. So next holds,
// for a refused incident, the version prev held open (the one stored), or
// nothing when prev did not hold it (it was never stored open). Maintenances
// are not in the cursor; the exporter refuses those itself.
func admit(batch *item.Batch, next *cursor, prev cursor, bounds door.Bounds, reject func(reason string)) {
	kept := batch.Incidents[:0]
	for _, inc := range batch.Incidents {
		reason := bounds.Incident(&inc)
		if reason == "" {
			kept = append(kept, inc)
			continue
		}
		reject(reason)
		next.Open = slices.DeleteFunc(next.Open, func(o item.Incident) bool { return o.ID == inc.ID })
		if i := slices.IndexFunc(prev.Open, func(o item.Incident) bool { return o.ID == inc.ID }); i >= 0 {
			next.Open = append(next.Open, prev.Open[i])
		}
	}
	batch.Incidents = kept
}
