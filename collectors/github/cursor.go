package github

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// cursorVersion changes when the cursor's meaning does; a cursor of another
// version restarts the sync from the history start, which is harmless: the
// store merges re-fetched tickets idempotently.
const cursorVersion = 1

// cursor is where each repository's issue list resumes. It is stored as
// JSON with every batch.
type cursor struct {
	Version int                   `json:"v"`
	Repos   map[string]repoCursor `json:"repos"`
}

// repoCursor resumes one repository's issue list.
type repoCursor struct {
	// Since is the latest updated_at handled. The list's since parameter
	// is inclusive, so the next request returns the issues updated at
	// Since again; Seen tells which of them were already handled.
	Since time.Time `json:"since,omitzero"`
	// Seen maps the numbers of the issues handled with updated_at equal to
	// Since to their fingerprint, so that a change within that same second
	// (updated_at has whole seconds) is not mistaken for the version seen.
	Seen map[string]string `json:"seen,omitempty"`
	// ETag is the validator of the response to the request at Since, page
	// 1, when that response ended the list: sent back as If-None-Match, it
	// makes a poll that finds nothing new a 304, which a request made with
	// a token does not count against the rate limit.
	ETag string `json:"etag,omitempty"`
}

// parseCursor reads a stored cursor; nil or an unreadable one starts over.
func parseCursor(b []byte) (cursor, error) {
	c := cursor{Version: cursorVersion, Repos: map[string]repoCursor{}}
	if len(b) == 0 {
		return c, nil
	}
	var stored cursor
	if err := json.Unmarshal(b, &stored); err != nil {
		return c, fmt.Errorf("unreadable cursor: %w", err)
	}
	if stored.Version != cursorVersion {
		return c, fmt.Errorf("cursor version %d, want %d", stored.Version, cursorVersion)
	}
	for repo, rc := range stored.Repos {
		c.Repos[repo] = rc
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

// seen reports whether the issue was handled in the version now listed.
func (rc repoCursor) seen(is wireIssue) bool {
	return is.UpdatedAt.Equal(rc.Since) && rc.Seen[issueKey(is)] == fingerprint(is)
}

// advance records the issues of one page as handled.
func (rc repoCursor) advance(issues []wireIssue) repoCursor {
	next := repoCursor{Since: rc.Since, Seen: map[string]string{}}
	for _, is := range issues {
		if is.UpdatedAt.After(next.Since) {
			next.Since = is.UpdatedAt
		}
	}
	if next.Since.Equal(rc.Since) {
		for k, v := range rc.Seen {
			next.Seen[k] = v
		}
	}
	for _, is := range issues {
		if is.UpdatedAt.Equal(next.Since) {
			next.Seen[issueKey(is)] = fingerprint(is)
		}
	}
	return next
}

func issueKey(is wireIssue) string { return strconv.FormatInt(*is.Number, 10) }

// fingerprint condenses what a change of an issue within one second can
// alter that the ticket shows: its state and close reason, its comment
// count and its labels.
func fingerprint(is wireIssue) string {
	h := fnv.New64a()
	reason := ""
	if is.StateReason != nil {
		reason = *is.StateReason
	}
	labels := make([]string, len(is.Labels))
	for i, l := range is.Labels {
		labels[i] = l.Name
	}
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00%s", is.State, reason, is.Comments, is.AuthorAssociation, strings.Join(labels, "\x00"))
	return strconv.FormatUint(h.Sum64(), 36)
}
