package jsm

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// overlap is how far back each search reaches before the newest update
// stored. Jira's search index may show an update a little after it
// happened ("recent updates might not be immediately visible"), so an issue
// updated just before a newer one could otherwise be passed over for good.
const overlap = 10 * time.Minute

// cursor is the resume point of a source, stored as JSON. A searching
// account keeps
//
//	{"since": <unix ms of the newest update stored>,
//	 "seen": {"<issue id>": <unix ms of its update stored>, ...}}
//
// where seen holds the issues updated within the overlap (plus the minute
// JQL rounds to) before since, so that the overlap, which the search
// returns again on every poll, costs no detail request for an issue already
// stored at that update. An account that lists requests instead (see
// syncRequests) keeps
//
//	{"requests": [{"id": "<issue id>", "status": "<status>@<unix ms of its date>"}, ...]}
//
// in the order of the last listing, latest activity first; a request still
// to read (its sync ended first) or refused has the status "", which no
// listing matches, so the next poll reads it. Each mode
// starts over from the other's cursor: the first search drops a listing,
// and the first listing replaces a search cursor.
type cursor struct {
	Since    int64            `json:"since"`
	Seen     map[string]int64 `json:"seen"`
	Requests []listedRequest  `json:"requests,omitempty"`
}

// listedRequest is a request as the last listing showed it.
type listedRequest struct {
	ID     string `json:"id"`
	Status string `json:"status"`
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

// statusMark is what the listing shows of a request's state: its status
// and the date it entered it.
func statusMark(r apiRequest) string {
	ms := int64(0)
	if d := r.CurrentStatus.StatusDate; d != nil && d.EpochMillis != nil {
		ms = *d.EpochMillis
	}
	return r.CurrentStatus.Status + "@" + strconv.FormatInt(ms, 10)
}

// listedStates is the listing to store. A request in unread has no status
// mark, which no listing matches: the next poll reads it again.
func listedStates(listed []apiRequest, unread map[string]bool) []listedRequest {
	out := make([]listedRequest, len(listed))
	for i, r := range listed {
		out[i] = listedRequest{ID: r.IssueID, Status: statusMark(r)}
		if unread[r.IssueID] {
			out[i].Status = ""
		}
	}
	return out
}

// activity tells which listed requests (by index) may have changed since
// the previous listing. The list has no update time, but it is ordered by
// latest activity, a status change or a comment: the requests with activity
// since then lead the list, and the rest follow in their previous order.
// So the requests up to the last one out of that order are taken as
// changed, and so is every request whose status or status date moved. The
// first request always counts as changed: new activity on it leaves the
// order as it was. Activity that leaves the order unchanged below the
// first request (two requests commented on in their previous order) is
// seen at their next status change or move.
func (c cursor) activity(listed []apiRequest) []bool {
	pos := make(map[string]int, len(c.Requests))
	mark := make(map[string]string, len(c.Requests))
	for i, r := range c.Requests {
		pos[r.ID], mark[r.ID] = i, r.Status
	}
	lead := min(1, len(listed))
	next := len(c.Requests) // position of the request after, in the old order
	for i := len(listed) - 1; i >= 0; i-- {
		p, ok := pos[listed[i].IssueID]
		if !ok || p > next {
			lead = max(lead, i+1)
			break
		}
		next = p
	}
	changed := make([]bool, len(listed))
	for i, r := range listed {
		m, ok := mark[r.IssueID]
		changed[i] = i < lead || !ok || m != statusMark(r)
	}
	return changed
}
