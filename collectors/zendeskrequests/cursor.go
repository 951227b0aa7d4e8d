package zendeskrequests

import (
	"encoding/json"
	"slices"
	"time"
)

// clockMargin is how far below the server's clock at a walk's first page
// the next high-water mark is capped. Zendesk may read the list a little
// before it dates its response; a request updated in between was not seen,
// and must be newer than the mark so that the next walk fetches it.
const clockMargin = 10 * time.Second

// cursor is what a sync resumes from. Every request updated before Since is
// stored as of that update, and so are the SinceIDs requests updated at
// exactly Since.
type cursor struct {
	Since    time.Time `json:"since,omitzero"`
	SinceIDs []int64   `json:"since_ids,omitempty"`
	// Walk is set while a walk is under way: the pages before it are stored.
	Walk *walk `json:"walk,omitempty"`
	// StartedOver: the last walk was led by has_more to a last page without
	// requests, after the request updated at EmptyAfter, and started over
	// with the mark unchanged (see Sync). A walk that ends so again, after
	// the same request, is complete: the list really ends there.
	StartedOver bool      `json:"started_over,omitempty"`
	EmptyAfter  time.Time `json:"empty_after,omitzero"`
}

// walk is the progress of one walk through the list, newest first.
type walk struct {
	After string `json:"after"` // page[after] of the next list page
	// Cap bounds the next high-water mark: requests updated later may have
	// moved ahead of the walk unseen.
	Cap    time.Time `json:"cap"`
	Top    time.Time `json:"top,omitzero"` // newest update seen, at most Cap
	TopIDs []int64   `json:"top_ids,omitempty"`
	// Last is the update time of the last request listed, to check the order.
	Last     time.Time `json:"last,omitzero"`
	Unsorted bool      `json:"unsorted,omitempty"` // the API ignored the sort: walk to the end
}

// parseCursor reads a stored cursor; nil is the first sync.
func parseCursor(raw []byte) (cursor, error) {
	var c cursor
	if len(raw) == 0 {
		return c, nil
	}
	err := json.Unmarshal(raw, &c)
	return c, err
}

// encode fails only for a time outside the years 0 to 9999, which a
// vendor's Date header can carry.
func (c cursor) encode() ([]byte, error) {
	return json.Marshal(c)
}

// changed reports whether the version of a request updated at updated is
// newer than the stored one.
func (c cursor) changed(id int64, updated time.Time) bool {
	return updated.After(c.Since) || (updated.Equal(c.Since) && !slices.Contains(c.SinceIDs, id))
}

// finish is the cursor after walk w ended: its mark, unless w saw nothing
// newer than the stored one (every newer request vanished).
func (c cursor) finish(w *walk) cursor {
	if w.Top.Before(c.Since) {
		return cursor{Since: c.Since, SinceIDs: c.SinceIDs}
	}
	ids := slices.Clone(w.TopIDs)
	slices.Sort(ids)
	return cursor{Since: w.Top, SinceIDs: slices.Compact(ids)}
}

// see records a listed request in the walk's progress.
func (w *walk) see(id int64, updated time.Time) {
	if !w.Last.IsZero() && updated.After(w.Last) {
		w.Unsorted = true
	}
	w.Last = updated
	mark := updated
	if mark.After(w.Cap) {
		mark = w.Cap
	}
	if mark.After(w.Top) {
		w.Top, w.TopIDs = mark, nil
	}
	if updated.Equal(w.Top) {
		w.TopIDs = append(w.TopIDs, id)
	}
}

// latest is the newest time the cursor holds: its mark, or the top of the
// walk under way.
func (c cursor) latest() time.Time {
	if c.Walk != nil && c.Walk.Top.After(c.Since) {
		return c.Walk.Top
	}
	return c.Since
}
