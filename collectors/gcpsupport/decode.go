package gcpsupport

import (
	"fmt"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// searchPage is the answer of cases.search (SearchCasesResponse in the API's
// discovery document): a page of cases and the token of the next page,
// absent on the last.
type searchPage struct {
	Cases         []gcpCase `json:"cases"`
	NextPageToken string    `json:"nextPageToken"`
}

// gcpCase is what the collector reads of a Case. Its other fields
// (displayName, description, classification, timeZone,
// subscriberEmailAddresses, contactEmail, languageCode) say nothing a
// metric needs. testCase ("created for internal API testing and should
// not be acted on by the support team") and creator.googleSupport (a case
// Google opened) leave a case out.
type gcpCase struct {
	Name       string `json:"name"` // projects/P/cases/N or organizations/O/cases/N
	State      string `json:"state"`
	Priority   string `json:"priority"`
	Escalated  bool   `json:"escalated"`
	TestCase   bool   `json:"testCase"`
	CreateTime string `json:"createTime"`
	UpdateTime string `json:"updateTime"`
	Creator    actor  `json:"creator"`
}

// commentsPage is the answer of cases.comments.list (ListCommentsResponse).
type commentsPage struct {
	Comments      []comment `json:"comments"`
	NextPageToken string    `json:"nextPageToken"`
}

// comment is what the collector reads of a Comment: who wrote it and when.
// Its body and plainTextBody are never read.
type comment struct {
	Name       string `json:"name"`
	CreateTime string `json:"createTime"`
	Creator    actor  `json:"creator"`
}

// actor is the API's Actor. googleSupport ("Output only. Whether the actor
// is a Google support actor.") tells Google's replies from the buyer's,
// and a case Google opened from the buyer's;
// names and emails of Google's people are obfuscated, and never read.
type actor struct {
	GoogleSupport bool `json:"googleSupport"`
}

// number is a case's number, the last segment of its name: the same case is
// named under a project's id or its number (the API takes both), so the
// name is no stable id.
func (c *gcpCase) number() (string, error) {
	i := strings.LastIndex(c.Name, "/cases/")
	if i < 0 || i+len("/cases/") == len(c.Name) || strings.Contains(c.Name[i+len("/cases/"):], "/") {
		return "", fmt.Errorf("case name %q is not PARENT/cases/NUMBER", c.Name)
	}
	return c.Name[i+len("/cases/"):], nil
}

// parseTime reads a google-datetime: RFC 3339, in UTC with up to nine
// fractional digits ("2024-06-04T17:02:43.519Z").
func parseTime(field, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: not an RFC 3339 time", field, v)
	}
	return t.UTC(), nil
}

// priority is a case's priority as Google writes it, P0 (most urgent) to
// P4, the vendor's own value that the vendor's `priorities` map
// (docs/sources.md, `gcp_support`); PRIORITY_UNSPECIFIED is no priority.
func priority(p string) string {
	if p == "PRIORITY_UNSPECIFIED" {
		return ""
	}
	return p
}

// status maps a case's state (docs/sources.md, `gcp_support`).
func status(state string) item.Status {
	switch state {
	case "NEW":
		return item.StatusNew
	case "ACTION_REQUIRED": // "Google is waiting for a response."
		return item.StatusPending
	case "SOLUTION_PROVIDED": // "A solution has been offered for the case, but it isn't yet closed."
		return item.StatusSolved
	case "CLOSED":
		return item.StatusClosed
	}
	// IN_PROGRESS_GOOGLE_SUPPORT, STATE_UNSPECIFIED and any state added
	// later: Google's to act on.
	return item.StatusOpen
}
