package statuspage

import (
	"encoding/json"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/conditional"
)

// cursor is what a sync leaves for the next: each endpoint's validators,
// so that an endpoint unchanged since it was last read costs one 304 and
// no body, and the names of the page's component groups as summary.json
// last listed them, which name an incident's components ("Group /
// Component") when incidents.json changed and summary.json did not. It is
// stored with the items read from the bodies it validates, in one batch.
type cursor struct {
	// HistoryStart and NotBefore are global.history_start and
	// global.earliest_timestamp as the stored items were read: another
	// value admits other items, and every endpoint is read whole again.
	HistoryStart string                            `json:"history_start,omitempty"`
	NotBefore    string                            `json:"not_before,omitempty"`
	Docs         map[string]conditional.Validators `json:"docs,omitempty"`
	// Groups are the component groups' names by id (summary.json).
	Groups map[string]string `json:"groups,omitempty"`
}

// parseCursor reads a stored cursor; nil (the first sync, or a cursor
// stored before validators were kept) and one that does not parse are
// empty: every endpoint is read whole.
func parseCursor(raw []byte) (cursor, error) {
	var c cursor
	if len(raw) == 0 {
		return c, nil
	}
	err := json.Unmarshal(raw, &c)
	return c, err
}

func (c cursor) encode() ([]byte, error) { return json.Marshal(c) }

// instantKey is an instant as the cursor records it; "" for none.
func instantKey(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
