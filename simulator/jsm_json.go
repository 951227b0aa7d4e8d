package simulator

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// JSON shapes of Jira Service Management Cloud, field for field as in the
// real payloads of testdata (jsm_issue.json: a platform issue;
// jsm_request_comment.json and jsm_sla.json: servicedeskapi examples).

// Jira's two timestamp styles: the platform's, whose offset has no colon,
// and the servicedeskapi DateDTO's iso8601.
const (
	jiraTimeLayout = "2006-01-02T15:04:05.000-0700"
	jiraISOLayout  = "2006-01-02T15:04:05-0700"
)

// jDate is the servicedeskapi DateDTO.
type jDate struct {
	ISO8601     string `json:"iso8601"`
	Jira        string `json:"jira"`
	Friendly    string `json:"friendly"`
	EpochMillis int64  `json:"epochMillis"`
}

func (a *jsmAPI) date(at int64) jDate {
	t := time.Unix(at, 0).In(a.zone)
	return jDate{t.Format(jiraISOLayout), t.Format(jiraTimeLayout), t.Format("02/Jan/06 3:04 PM"), at * 1000}
}

// jiraTime is a platform timestamp in the account's zone; zero is null.
func (a *jsmAPI) jiraTime(at int64) *string {
	if at == 0 {
		return nil
	}
	s := time.Unix(at, 0).In(a.zone).Format(jiraTimeLayout)
	return &s
}

// jDuration is an SLA duration; friendly is written as the documentation's
// example writes it: whole hours, then the whole duration in minutes.
type jDuration struct {
	Millis   int64  `json:"millis"`
	Friendly string `json:"friendly"`
}

func duration(d time.Duration) jDuration {
	return jDuration{d.Milliseconds(), fmt.Sprintf("%dh %dm", int64(d/time.Hour), int64(d/time.Minute))}
}

type jLinks struct {
	Self string `json:"self"`
}

type jAvatars struct {
	X48 string `json:"48x48"`
	X24 string `json:"24x24"`
	X16 string `json:"16x16"`
	X32 string `json:"32x32"`
}

func avatars(accountID string) jAvatars {
	u := "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/" + url.PathEscape(accountID) + "/"
	return jAvatars{u + "48", u + "24", u + "16", u + "32"}
}

// jPlatformUser is a user as the platform API shows it (reporter, myself).
type jPlatformUser struct {
	Self         string   `json:"self"`
	AccountID    string   `json:"accountId"`
	EmailAddress string   `json:"emailAddress"`
	AvatarURLs   jAvatars `json:"avatarUrls"`
	DisplayName  string   `json:"displayName"`
	Active       bool     `json:"active"`
	TimeZone     string   `json:"timeZone"`
	AccountType  string   `json:"accountType"`
}

// jMyself is GET /rest/api/3/myself: the platform user and its locale.
type jMyself struct {
	jPlatformUser
	Locale string `json:"locale"`
}

// jDeskUser is a user as the servicedeskapi shows it (comment authors).
type jDeskUser struct {
	AccountID    string `json:"accountId"`
	Name         string `json:"name"`
	Key          string `json:"key"`
	EmailAddress string `json:"emailAddress"`
	DisplayName  string `json:"displayName"`
	Active       bool   `json:"active"`
	TimeZone     string `json:"timeZone"`
	Links        struct {
		JiraRest   string   `json:"jiraRest"`
		AvatarURLs jAvatars `json:"avatarUrls"`
		Self       string   `json:"self"`
	} `json:"_links"`
}

type jStatusCategory struct {
	Self      string `json:"self"`
	ID        int    `json:"id"`
	Key       string `json:"key"`
	ColorName string `json:"colorName"`
	Name      string `json:"name"`
}

type jStatus struct {
	Self           string          `json:"self"`
	Description    string          `json:"description"`
	IconURL        string          `json:"iconUrl"`
	Name           string          `json:"name"`
	ID             string          `json:"id"`
	StatusCategory jStatusCategory `json:"statusCategory"`
}

type jPriority struct {
	Self    string `json:"self"`
	IconURL string `json:"iconUrl"`
	Name    string `json:"name"`
	ID      string `json:"id"`
}

// jIssue is a searched issue; fields holds only the fields asked for.
type jIssue struct {
	Expand string         `json:"expand"`
	ID     string         `json:"id"`
	Self   string         `json:"self"`
	Key    string         `json:"key"`
	Fields map[string]any `json:"fields"`
}

type jSearchPage struct {
	Issues        []jIssue `json:"issues"`
	NextPageToken string   `json:"nextPageToken,omitempty"` // absent on the last page
	IsLast        bool     `json:"isLast"`
}

type jComment struct {
	Expands []string  `json:"_expands"`
	ID      string    `json:"id"`
	Body    string    `json:"body"`
	Public  bool      `json:"public"`
	Author  jDeskUser `json:"author"`
	Created jDate     `json:"created"`
	Links   jLinks    `json:"_links"`
}

type jCompletedCycle struct {
	StartTime     jDate     `json:"startTime"`
	StopTime      jDate     `json:"stopTime"`
	BreachTime    jDate     `json:"breachTime"`
	Breached      bool      `json:"breached"`
	GoalDuration  jDuration `json:"goalDuration"`
	ElapsedTime   jDuration `json:"elapsedTime"`
	RemainingTime jDuration `json:"remainingTime"`
}

// jOngoingCycle is the running cycle. The schema
// (SlaInformationOngoingCycleDTO) has a breachTime, which the
// documentation's example leaves out; a clock that never pauses always
// has one.
type jOngoingCycle struct {
	StartTime           jDate     `json:"startTime"`
	BreachTime          jDate     `json:"breachTime"`
	Breached            bool      `json:"breached"`
	Paused              bool      `json:"paused"`
	WithinCalendarHours bool      `json:"withinCalendarHours"`
	GoalDuration        jDuration `json:"goalDuration"`
	ElapsedTime         jDuration `json:"elapsedTime"`
	RemainingTime       jDuration `json:"remainingTime"`
}

type jSLA struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Links           jLinks            `json:"_links"`
	CompletedCycles []jCompletedCycle `json:"completedCycles"`
	OngoingCycle    *jOngoingCycle    `json:"ongoingCycle,omitempty"` // absent when no cycle runs
}

// jRequest is a customer request as GET /rest/servicedeskapi/request
// lists it (CustomerRequestDTO, without expansions).
type jRequest struct {
	Expands            []string       `json:"_expands"`
	IssueID            string         `json:"issueId"`
	IssueKey           string         `json:"issueKey"`
	RequestTypeID      string         `json:"requestTypeId"`
	ServiceDeskID      string         `json:"serviceDeskId"`
	CreatedDate        jDate          `json:"createdDate"`
	Reporter           jDeskUser      `json:"reporter"`
	RequestFieldValues []jFieldValue  `json:"requestFieldValues"`
	CurrentStatus      jRequestStatus `json:"currentStatus"`
	Links              jRequestLinks  `json:"_links"`
}

type jFieldValue struct {
	FieldID string `json:"fieldId"`
	Label   string `json:"label"`
	Value   string `json:"value"`
}

// jRequestStatus is a request's current status; statusCategory is the
// category key in capitals (NEW, INDETERMINATE, DONE).
type jRequestStatus struct {
	Status         string `json:"status"`
	StatusCategory string `json:"statusCategory"`
	StatusDate     jDate  `json:"statusDate"`
}

type jRequestLinks struct {
	JiraRest string `json:"jiraRest"`
	Web      string `json:"web"`
	Self     string `json:"self"`
	Agent    string `json:"agent"`
}

type jDesk struct {
	ID          string `json:"id"`
	ProjectID   string `json:"projectId"`
	ProjectName string `json:"projectName"`
	ProjectKey  string `json:"projectKey"`
	Links       jLinks `json:"_links"`
}

// jPage is the servicedeskapi PagedDTO.
type jPage[T any] struct {
	Expands    []string `json:"_expands"`
	Size       int      `json:"size"`
	Start      int      `json:"start"`
	Limit      int      `json:"limit"`
	IsLastPage bool     `json:"isLastPage"`
	Links      struct {
		Base    string `json:"base"`
		Context string `json:"context"`
		Next    string `json:"next,omitempty"`
		Prev    string `json:"prev,omitempty"`
	} `json:"_links"`
	Values []T `json:"values"`
}

// jsmStatuses are the statuses of the desk's workflow standing for each
// Zendesk status: hold has no JSM counterpart and shows as "Pending", a
// work-in-progress status.
var jsmStatuses = [numZStatus]struct{ name, id, category string }{
	zNew:     {"Waiting for support", "10001", "new"},
	zOpen:    {"In Progress", "3", "indeterminate"},
	zPending: {"Waiting for customer", "10002", "indeterminate"},
	zHold:    {"Pending", "10003", "indeterminate"},
	zSolved:  {"Resolved", "5", "done"},
	zClosed:  {"Closed", "6", "done"},
}

// jsmCategories are Jira's fixed status categories.
var jsmCategories = map[string]jStatusCategory{
	"new":           {ID: 2, Key: "new", ColorName: "blue-gray", Name: "To Do"},
	"indeterminate": {ID: 4, Key: "indeterminate", ColorName: "yellow", Name: "In Progress"},
	"done":          {ID: 3, Key: "done", ColorName: "green", Name: "Done"},
}

// jsmPriorities are Jira's default priorities by index of zPriorities: a
// request without a priority gets the field's default, Medium.
var jsmPriorities = []struct{ name, id string }{
	{"Highest", "1"}, {"High", "2"}, {"Medium", "3"}, {"Low", "4"}, {"Medium", "3"},
}

func (a *jsmAPI) status(s zStatus) jStatus {
	st := jsmStatuses[s]
	cat := jsmCategories[st.category]
	cat.Self = a.base() + "/rest/api/3/statuscategory/" + strconv.Itoa(cat.ID)
	return jStatus{
		Self: a.base() + "/rest/api/3/status/" + st.id, IconURL: a.base() + "/", Name: st.name, ID: st.id,
		StatusCategory: cat,
	}
}

func (a *jsmAPI) priority(p int) jPriority {
	pr := jsmPriorities[p]
	return jPriority{
		Self: a.base() + "/rest/api/3/priority/" + pr.id, Name: pr.name, ID: pr.id,
		IconURL: a.base() + "/images/icons/priorities/" + strings.ToLower(pr.name) + ".svg",
	}
}
