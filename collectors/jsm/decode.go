package jsm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// searchPage is one page of the Jira platform's enhanced JQL search
// (GET /rest/api/3/search/jql), as far as this collector reads it. The last
// page carries isLast true and, despite the documentation, no
// nextPageToken at all (JRACLOUD-92184).
type searchPage struct {
	Issues        *[]apiIssue `json:"issues"`
	NextPageToken string      `json:"nextPageToken"`
	IsLast        *bool       `json:"isLast"`
}

// apiIssue is an issue of the search with the fields the search asks for
// (searchFields).
type apiIssue struct {
	ID     string     `json:"id"`
	Key    string     `json:"key"`
	Fields *apiFields `json:"fields"`
}

type apiFields struct {
	Created        jiraTime     `json:"created"`
	Updated        jiraTime     `json:"updated"`
	ResolutionDate jiraTime     `json:"resolutiondate"` // null until resolved
	Priority       *apiPriority `json:"priority"`       // null when the project has no priority field
	Status         *apiStatus   `json:"status"`
	Reporter       *apiUser     `json:"reporter"`
	Labels         []string     `json:"labels"`
}

type apiPriority struct {
	Name string `json:"name"`
}

// apiStatus is a workflow status; its category key is new, indeterminate or
// done whatever the workflow calls the status itself.
type apiStatus struct {
	Name           string `json:"name"`
	StatusCategory struct {
		Key string `json:"key"`
	} `json:"statusCategory"`
}

// apiUser is a user in both APIs; accountId identifies it.
type apiUser struct {
	AccountID string `json:"accountId"`
}

// jiraTime is a Jira platform timestamp: "2024-10-09T10:37:54.643+0800",
// whose offset has no colon, so it is not RFC 3339. Null is the zero time.
type jiraTime struct{ time.Time }

var jiraTimeLayouts = []string{"2006-01-02T15:04:05.000-0700", time.RFC3339Nano}

func (t *jiraTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	for _, layout := range jiraTimeLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC() // the site's offset carries no meaning here
			return nil
		}
	}
	return fmt.Errorf("timestamp %q: not a Jira date-time", s)
}

// paged is the servicedeskapi page envelope (PagedDTO): values from start,
// and isLastPage. Pointers tell a missing field from a zero.
type paged[T any] struct {
	Size       int   `json:"size"`
	IsLastPage *bool `json:"isLastPage"`
	Values     *[]T  `json:"values"`
}

// apiComment is a customer request comment. Customers only ever see public
// ones; agents also see internal ones unless they ask for public only.
type apiComment struct {
	ID      string   `json:"id"`
	Public  *bool    `json:"public"`
	Author  *apiUser `json:"author"`
	Created *apiDate `json:"created"`
}

// apiDate is the servicedeskapi DateDTO; epochMillis is its unambiguous part.
type apiDate struct {
	EpochMillis *int64 `json:"epochMillis"`
}

// apiSLA is one SLA metric of a request: its completed cycles and, while
// running, the ongoing one.
type apiSLA struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	CompletedCycles []apiCycle       `json:"completedCycles"`
	OngoingCycle    *apiOngoingCycle `json:"ongoingCycle"`
}

// apiCycle is a completed SLA cycle: when it stopped, when it was due to
// breach, and the vendor's verdict.
type apiCycle struct {
	StopTime   *apiDate `json:"stopTime"`
	BreachTime *apiDate `json:"breachTime"`
	Breached   bool     `json:"breached"`
}

// apiOngoingCycle is the running SLA cycle. Its breachTime, when the
// cycle has one, is when it breaches unless it stops first; a paused
// cycle's breach time moves on when the clock resumes.
type apiOngoingCycle struct {
	BreachTime *apiDate `json:"breachTime"`
	Breached   bool     `json:"breached"`
	Paused     bool     `json:"paused"`
}

// apiDesk is a service desk and the Jira project behind it.
type apiDesk struct {
	ID        string `json:"id"`
	ProjectID string `json:"projectId"`
}

func (c apiComment) key() string { return c.ID }
func (s apiSLA) key() string     { return s.ID }
func (d apiDesk) key() string    { return d.ID }
func (r apiRequest) key() string { return r.IssueID }

// apiMyself is the calling account (GET /rest/api/3/myself): JQL reads
// date-times in its profile time zone.
type apiMyself struct {
	TimeZone string `json:"timeZone"`
}

// decodeSearchPage parses a search page and checks what paging needs.
func decodeSearchPage(body []byte) (searchPage, error) {
	var p searchPage
	if err := json.Unmarshal(body, &p); err != nil {
		return searchPage{}, err
	}
	if p.Issues == nil {
		return searchPage{}, errors.New("no issues array")
	}
	if !p.last() && p.NextPageToken == "" {
		return searchPage{}, errors.New("isLast is false but there is no nextPageToken")
	}
	for i, is := range *p.Issues {
		if err := is.check(); err != nil {
			return searchPage{}, fmt.Errorf("issues[%d]: %w", i, err)
		}
	}
	return p, nil
}

// last reports whether no page follows. A page without isLast is the last
// when it carries no token, as the last page of JRACLOUD-92184 does.
func (p searchPage) last() bool {
	if p.IsLast != nil {
		return *p.IsLast
	}
	return p.NextPageToken == ""
}

func (is apiIssue) check() error {
	switch {
	case is.ID == "":
		return errors.New("no id")
	case is.Fields == nil:
		return fmt.Errorf("issue %s: no fields", is.ID)
	case is.Fields.Created.IsZero():
		return fmt.Errorf("issue %s: no created", is.ID)
	case is.Fields.Updated.IsZero():
		return fmt.Errorf("issue %s: no updated", is.ID)
	case is.Fields.Status == nil:
		return fmt.Errorf("issue %s: no status", is.ID)
	}
	return nil
}

// decodePaged parses a servicedeskapi page.
func decodePaged[T any](body []byte) (paged[T], error) {
	var p paged[T]
	if err := json.Unmarshal(body, &p); err != nil {
		return paged[T]{}, err
	}
	switch {
	case p.Values == nil:
		return paged[T]{}, errors.New("no values array")
	case p.IsLastPage == nil:
		return paged[T]{}, errors.New("no isLastPage")
	}
	return p, nil
}

// minMillis and maxMillis bound the accepted epoch milliseconds (years 1 to
// 9999), so that no conversion overflows. A time before 1970 is negative
// and is accepted: a vendor clock gone a century back sends such times, and
// they must reach the door (source.Env.Bounds), which refuses the item as
// past_timestamp and leaves it to be read again, rather than fail the
// whole sync as undecodable at every poll while the clock is wrong.
const (
	minMillis = -62135596800000 // 0001-01-01T00:00:00Z
	maxMillis = 253402300799999 // 9999-12-31T23:59:59.999Z
)

// at converts an epochMillis date; a missing date is an error.
func (d *apiDate) at() (time.Time, error) {
	if d == nil || d.EpochMillis == nil {
		return time.Time{}, errors.New("no epochMillis")
	}
	if *d.EpochMillis < minMillis || *d.EpochMillis > maxMillis {
		return time.Time{}, fmt.Errorf("epochMillis %d out of range", *d.EpochMillis)
	}
	return time.UnixMilli(*d.EpochMillis).UTC(), nil
}

// apiRequest is a customer request as GET /rest/servicedeskapi/request
// lists it (CustomerRequestDTO), as far as this collector reads it: no
// update time, priority or labels, only the current status and its date.
type apiRequest struct {
	IssueID       string            `json:"issueId"`
	IssueKey      string            `json:"issueKey"`
	CreatedDate   *apiDate          `json:"createdDate"`
	Reporter      *apiUser          `json:"reporter"`
	CurrentStatus *apiRequestStatus `json:"currentStatus"`
	// RequestFieldValues hold the summary, which tells an off-hours
	// drill's test request (item.DrillMarked); the others are not read.
	RequestFieldValues []apiFieldValue `json:"requestFieldValues"`
}

// apiFieldValue is one of a request's field values; only the summary's
// (a string) is decoded.
type apiFieldValue struct {
	FieldID string          `json:"fieldId"`
	Value   json.RawMessage `json:"value"`
}

// drill reports whether the request's summary holds a drill's marker.
func (r apiRequest) drill() bool {
	for _, f := range r.RequestFieldValues {
		var summary string
		if f.FieldID == "summary" && json.Unmarshal(f.Value, &summary) == nil && item.DrillMarked(summary) {
			return true
		}
	}
	return false
}

// apiRequestStatus is a request's current status: its name, its category
// (NEW, INDETERMINATE, DONE or UNDEFINED) and when it was entered.
type apiRequestStatus struct {
	Status         string   `json:"status"`
	StatusCategory string   `json:"statusCategory"`
	StatusDate     *apiDate `json:"statusDate"`
}

func (r apiRequest) check() error {
	switch {
	case r.IssueID == "":
		return errors.New("no issueId")
	case r.CurrentStatus == nil:
		return fmt.Errorf("request %s: no currentStatus", r.IssueID)
	}
	if _, err := r.CreatedDate.at(); err != nil {
		return fmt.Errorf("request %s: createdDate: %w", r.IssueID, err)
	}
	if _, err := r.CurrentStatus.StatusDate.at(); err != nil {
		return fmt.Errorf("request %s: currentStatus.statusDate: %w", r.IssueID, err)
	}
	return nil
}
