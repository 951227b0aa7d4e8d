package statusitems

import (
	"encoding/json"
	"fmt"
	"time"
)

// Instant is a JSON timestamp as Statuspage, incident.io and status.io write
// it: RFC 3339 with any zone offset and optional fractional seconds
// ("2014-05-14T14:24:40.430-06:00", "2023-06-29T13:56:10.250Z"), or null or
// "" for none. It holds the instant in UTC, so that equal instants compare
// and print alike whatever offset the vendor wrote.
type Instant struct{ time.Time }

// UnmarshalJSON reads a timestamp string or null; anything else is an error.
func (t *Instant) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if s == nil || *s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", *s, err)
	}
	t.Time = v.UTC()
	return nil
}
