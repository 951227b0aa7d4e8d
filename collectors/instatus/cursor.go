package instatus

import (
	"encoding/json"
	"fmt"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// cursor is what one sync leaves for the next: the incidents open at its
// end, as they were emitted, so that one missing from the next summary can
// be emitted again, resolved. It is stored as JSON with the batch, so a
// crash between the two never loses a resolution.
type cursor struct {
	Open []model.Incident `json:"open,omitempty"`
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
