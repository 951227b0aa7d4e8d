package jsm

import (
	"encoding/json"
	"fmt"
	"time"
)

// overlap is how far back each search reaches before the newest update
// stored. Jira's search index may show an update a little after it
// happened ("recent updates might not be immediately visible"), so an issue
// updated just before a newer one could otherwise be passed over for good.
const overlap = 10 * time.Minute

// cursor is the resume point of a source, stored as JSON:
//
//	{"since": <unix ms of the newest update stored>,
//	 "seen": {"<issue id>": <unix ms of its update stored>, ...}}
//
// seen holds the issues updated within the overlap (plus the minute JQL
// rounds to) before since, so that the overlap, which the search returns
// again on every poll, costs no detail request for an issue already stored
// at that update.
type cursor struct {
	Since int64            `json:"since"`
	Seen  map[string]int64 `json:"seen"`
}

func decodeCursor(raw []byte) (cursor, error) {
	c := cursor{Seen: map[string]int64{}}
	if len(raw) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return cursor{}, fmt.Errorf("stored cursor: %w", err)
	}
	if c.Seen == nil {
		c.Seen = map[string]int64{}
	}
	return c, nil
}

func (c cursor) encode() []byte {
	b, _ := json.Marshal(c) // a struct of integers and a string map always encodes
	return b
}

// stored reports whether the issue was stored at this very update.
func (c cursor) stored(id string, updated time.Time) bool {
	ms, ok := c.Seen[id]
	return ok && ms == updated.UnixMilli()
}

// note records that the issue was handled at updated: stored, or skipped
// for good (created before the history start, deleted).
func (c *cursor) note(id string, updated time.Time) {
	ms := updated.UnixMilli()
	c.Seen[id] = ms
	if ms <= c.Since {
		return
	}
	c.Since = ms
	keep := c.windowStart().Add(-time.Minute).UnixMilli()
	for k, v := range c.Seen {
		if v < keep {
			delete(c.Seen, k)
		}
	}
}

// windowStart is where the next search starts; JQL then rounds it down to
// the minute.
func (c cursor) windowStart() time.Time {
	return time.UnixMilli(c.Since).Add(-overlap)
}
