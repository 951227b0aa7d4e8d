package freshdesk

import (
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// cursor is where a sync resumes: one keyset position for the ticket walk
// and one for the ratings. It is stored as JSON.
type cursor struct {
	Tickets position `json:"tickets"`
	Ratings position `json:"ratings"`
	// Held are the ratings, by ticket id, read but not yet stored with
	// their ticket: the ratings' position has moved past them, so they wait
	// here until a plausible version of their ticket is stored (the sync
	// that read them ended first, at max_requests_per_sync say, or the
	// ticket had an implausible update time). A cursor stored before the
	// position moved with the first batch holds only the latter: it reads
	// the same way.
	Held map[int64]item.Rating `json:"held,omitempty"`
}

// position is the `since` parameter of a walk's next request and the items
// at or after it already taken, by id with the time that selected them
// (update time for tickets, creation time for ratings): the overlap of the
// next request returns them again, and they are skipped unless that time
// moved.
type position struct {
	Since time.Time            `json:"since"`
	Seen  map[string]time.Time `json:"seen,omitempty"`
}

// decodeCursor reads a stored cursor; without one, both walks start at
// start. Neither walk starts earlier: a ticket created since start was
// updated, and rated, since start too.
func decodeCursor(b []byte, start time.Time) (cursor, error) {
	var c cursor
	if len(b) > 0 {
		if err := json.Unmarshal(b, &c); err != nil {
			return cursor{}, fmt.Errorf("stored cursor: %w", err)
		}
	}
	for _, p := range []*position{&c.Tickets, &c.Ratings} {
		if p.Since.Before(start) {
			p.Since = start
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

// taken says whether the item id, selected by at, was already taken.
func (p position) taken(id string, at time.Time) bool {
	seen, ok := p.Seen[id]
	return ok && seen.Equal(at)
}

// advance moves the walk's since to latest less a second, when that is
// later: Freshdesk's times have whole seconds, and whether `since` includes
// its own second is not documented, so the overlap covers it either way.
// It reports whether since moved.
func (p *position) advance(latest time.Time) bool {
	next := latest.Add(-time.Second)
	if !next.After(p.Since) {
		return false
	}
	p.Since = next
	maps.DeleteFunc(p.Seen, func(_ string, at time.Time) bool { return at.Before(next) })
	return true
}

// remember records the item id as taken at at; forget drops it so that the
// next overlap takes it again.
func (p *position) remember(id string, at time.Time) {
	if p.Seen == nil {
		p.Seen = map[string]time.Time{}
	}
	p.Seen[id] = at
}

func (p *position) forget(id string) { delete(p.Seen, id) }

// clone copies p, so that a batch's cursor does not change with the walk.
func (p position) clone() position {
	return position{Since: p.Since, Seen: maps.Clone(p.Seen)}
}
