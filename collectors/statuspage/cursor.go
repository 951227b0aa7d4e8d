package statuspage

import (
	"encoding/json"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/conditional"
)

// cursor is what a sync leaves for the next: each endpoint's validators,
// so that an endpoint unchanged since it was last read costs one 304 and
// no body. It is stored with the items read from the bodies it validates,
// in one batch. (Cursors stored before every endpoint was read at each
// change also held the component groups' names, "groups": no longer read.)
type cursor struct {
	// HistoryStart and NotBefore are global.history_start and
	// global.earliest_timestamp as the stored items were read: another
	// value admits other items, and every endpoint is read whole again.
	HistoryStart string                            `json:"history_start,omitempty"`
	NotBefore    string                            `json:"not_before,omitempty"`
	Docs         map[string]conditional.Validators `json:"docs,omitempty"`
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
