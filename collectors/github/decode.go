package github

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// wireIssue is an item of GET /repos/{owner}/{repo}/issues, as far as this
// collector reads it. Pointers tell a missing field from a zero.
type wireIssue struct {
	Number            *int64      `json:"number"`
	User              *wireUser   `json:"user"` // null for some deleted accounts
	Labels            []wireLabel `json:"labels"`
	State             string      `json:"state"`        // open or closed
	StateReason       *string     `json:"state_reason"` // completed, not_planned, duplicate, reopened or null
	Comments          int         `json:"comments"`
	CreatedAt         time.Time   `json:"created_at"`
	UpdatedAt         time.Time   `json:"updated_at"`
	ClosedAt          *time.Time  `json:"closed_at"`
	AuthorAssociation string      `json:"author_association"`
	// ClosedBy is who last closed the issue: in the list since about 2023
	// (null while open), absent from older recordings, so optional.
	ClosedBy *wireUser `json:"closed_by"`
	// Type is the issue type (null when none, absent where the
	// organization has no types).
	Type *wireType `json:"type"`
	// PullRequest is present on pull requests only: the issues endpoint
	// lists both.
	PullRequest *struct{} `json:"pull_request"`
	// Title tells an off-hours drill's test issue (item.DrillMarked).
	Title string `json:"title"`
}

type wireUser struct {
	Login string `json:"login"`
	Type  string `json:"type"` // User, Organization or Bot
}

// wireType is an issue type: {"id":..,"name":"Feature","description":..,
// "color":"blue",...}; only its name is read.
type wireType struct {
	Name string `json:"name"`
}

// wireLabel is a label of an issue. The API's schema allows a label to be
// a bare name as well as an object, so both are read.
type wireLabel struct {
	Name string
}

func (l *wireLabel) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &l.Name)
	}
	var obj struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	l.Name = obj.Name
	return nil
}

// wireEvent is an item of GET /repos/{owner}/{repo}/issues/{n}/timeline. The
// timeline mixes many event shapes; only these fields of the commented,
// closed and reopened events are read.
type wireEvent struct {
	Event     string    `json:"event"`
	CreatedAt time.Time `json:"created_at"`
	// User is a comment's author; Actor whoever caused any other event.
	User              *wireUser  `json:"user"`
	Actor             *wireUser  `json:"actor"`
	AuthorAssociation string     `json:"author_association"`
	StateReason       *string    `json:"state_reason"` // on closed events
	Label             *wireLabel `json:"label"`        // on labeled events
}

// Timeline events the collector reads.
const (
	eventCommented = "commented"
	eventClosed    = "closed"
	eventReopened  = "reopened"
	eventLabeled   = "labeled"
)

// decodeIssues parses one page of the issue list and checks the fields the
// mapping needs.
func decodeIssues(body []byte) ([]wireIssue, error) {
	var issues []wireIssue
	if err := json.Unmarshal(body, &issues); err != nil {
		return nil, err
	}
	if issues == nil {
		return nil, errors.New("no issue array")
	}
	for i, is := range issues {
		if err := is.check(); err != nil {
			return nil, fmt.Errorf("issues[%d]: %w", i, err)
		}
	}
	return issues, nil
}

func (is wireIssue) check() error {
	switch {
	case is.Number == nil:
		return errors.New("no number")
	case is.CreatedAt.IsZero():
		return fmt.Errorf("issue %d: no created_at", *is.Number)
	case is.UpdatedAt.IsZero():
		return fmt.Errorf("issue %d: no updated_at", *is.Number)
	case is.State != stateOpen && is.State != stateClosed:
		return fmt.Errorf("issue %d: unknown state %q", *is.Number, is.State)
	case is.Comments < 0:
		return fmt.Errorf("issue %d: negative comment count %d", *is.Number, is.Comments)
	}
	return nil
}

// decodeTimeline parses one page of an issue's timeline. The events it maps
// must carry their time; other events may lack it (a commit's, say).
func decodeTimeline(body []byte) ([]wireEvent, error) {
	var events []wireEvent
	if err := json.Unmarshal(body, &events); err != nil {
		return nil, err
	}
	if events == nil {
		return nil, errors.New("no event array")
	}
	for i, e := range events {
		switch e.Event {
		case eventCommented, eventClosed, eventReopened:
			if e.CreatedAt.IsZero() {
				return nil, fmt.Errorf("events[%d]: %s event without created_at", i, e.Event)
			}
		}
	}
	return events, nil
}
