package zendeskrequests

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// requestsPage is one page of GET /api/v2/requests under cursor pagination.
// Pointers tell a missing field from a zero.
type requestsPage struct {
	Requests *[]apiRequest `json:"requests"`
	Meta     *apiMeta      `json:"meta"`
}

// commentsPage is one page of GET /api/v2/requests/{id}/comments.
type commentsPage struct {
	Comments *[]apiComment `json:"comments"`
	Meta     *apiMeta      `json:"meta"`
}

// apiMeta is the cursor pagination block; after_cursor is null on the last
// page.
type apiMeta struct {
	HasMore     bool    `json:"has_more"`
	AfterCursor *string `json:"after_cursor"`
}

type apiRequest struct {
	ID          *int64     `json:"id"`
	Status      string     `json:"status"`
	Priority    string     `json:"priority"` // null when unset or hidden from end users
	RequesterID *int64     `json:"requester_id"`
	CreatedAt   *time.Time `json:"created_at"`
	UpdatedAt   *time.Time `json:"updated_at"`
	// Subject tells an off-hours drill's test request (item.DrillMarked).
	Subject string `json:"subject"`
}

type apiComment struct {
	ID       *int64 `json:"id"`
	AuthorID *int64 `json:"author_id"`
	// Public is false for an internal note; end users only ever get public
	// comments, and the documentation's example leaves the field out.
	Public    *bool      `json:"public"`
	CreatedAt *time.Time `json:"created_at"`
}

// request is a listed request with its required fields checked.
type request struct {
	id        int64
	requester int64
	status    item.Status
	priority  string
	created   time.Time
	updated   time.Time
	drill     bool // the subject holds a drill's marker
}

// comment is a request comment with its required fields checked.
type comment struct {
	id      int64
	author  int64
	public  bool
	created time.Time
}

var requestStatuses = map[string]item.Status{
	"new":     item.StatusNew,
	"open":    item.StatusOpen,
	"pending": item.StatusPending,
	"hold":    item.StatusOnHold,
	"solved":  item.StatusSolved,
	"closed":  item.StatusClosed,
}

// decodeRequests parses one page of the request list and returns the
// page[after] of the next page, empty on the last.
func decodeRequests(body []byte) ([]request, string, error) {
	var raw requestsPage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, "", err
	}
	if raw.Requests == nil {
		return nil, "", errors.New("no requests array")
	}
	next, err := raw.Meta.next()
	if err != nil {
		return nil, "", err
	}
	out := make([]request, 0, len(*raw.Requests))
	for i, ar := range *raw.Requests {
		r, err := ar.check()
		if err != nil {
			return nil, "", fmt.Errorf("requests[%d]: %w", i, err)
		}
		out = append(out, r)
	}
	return out, next, nil
}

// decodeComments parses one page of a request's comments and returns the
// page[after] of the next page, empty on the last.
func decodeComments(body []byte) ([]comment, string, error) {
	var raw commentsPage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, "", err
	}
	if raw.Comments == nil {
		return nil, "", errors.New("no comments array")
	}
	next, err := raw.Meta.next()
	if err != nil {
		return nil, "", err
	}
	out := make([]comment, 0, len(*raw.Comments))
	for i, ac := range *raw.Comments {
		c, err := ac.check()
		if err != nil {
			return nil, "", fmt.Errorf("comments[%d]: %w", i, err)
		}
		out = append(out, c)
	}
	return out, next, nil
}

// next reads the pagination block. Without it the server answered with
// offset pagination, whose pages this collector does not follow.
func (m *apiMeta) next() (string, error) {
	switch {
	case m == nil:
		return "", errors.New("no meta: not a cursor-paginated response")
	case !m.HasMore:
		return "", nil
	case m.AfterCursor == nil || *m.AfterCursor == "":
		return "", errors.New("has_more is true but after_cursor is empty")
	}
	return *m.AfterCursor, nil
}

func (ar apiRequest) check() (request, error) {
	if ar.ID == nil {
		return request{}, errors.New("no id")
	}
	id := *ar.ID
	status, ok := requestStatuses[ar.Status]
	switch {
	case !ok:
		return request{}, fmt.Errorf("request %d: unknown status %q", id, ar.Status)
	case ar.RequesterID == nil:
		return request{}, fmt.Errorf("request %d: no requester_id", id)
	case ar.CreatedAt == nil:
		return request{}, fmt.Errorf("request %d: no created_at", id)
	case ar.UpdatedAt == nil:
		// The walk's high-water mark is made of update times.
		return request{}, fmt.Errorf("request %d: no updated_at", id)
	}
	return request{
		id:        id,
		requester: *ar.RequesterID,
		status:    status,
		priority:  ar.Priority,
		created:   *ar.CreatedAt,
		updated:   *ar.UpdatedAt,
		drill:     item.DrillMarked(ar.Subject),
	}, nil
}

func (ac apiComment) check() (comment, error) {
	switch {
	case ac.ID == nil:
		return comment{}, errors.New("no id")
	case ac.AuthorID == nil:
		return comment{}, fmt.Errorf("comment %d: no author_id", *ac.ID)
	case ac.CreatedAt == nil:
		return comment{}, fmt.Errorf("comment %d: no created_at", *ac.ID)
	}
	return comment{
		id:      *ac.ID,
		author:  *ac.AuthorID,
		public:  ac.Public == nil || *ac.Public,
		created: *ac.CreatedAt,
	}, nil
}
