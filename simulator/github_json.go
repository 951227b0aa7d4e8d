package simulator

import (
	"strconv"
)

// JSON shapes of GitHub's REST API (version 2022-11-28), field for field as
// in the octokit fixture of an issue list and the documentation's timeline
// example (collectors/github/testdata), nulls included.

type ghUser struct {
	Login             string `json:"login"`
	ID                int64  `json:"id"`
	NodeID            string `json:"node_id"`
	AvatarURL         string `json:"avatar_url"`
	GravatarID        string `json:"gravatar_id"`
	URL               string `json:"url"`
	HTMLURL           string `json:"html_url"`
	FollowersURL      string `json:"followers_url"`
	FollowingURL      string `json:"following_url"`
	GistsURL          string `json:"gists_url"`
	StarredURL        string `json:"starred_url"`
	SubscriptionsURL  string `json:"subscriptions_url"`
	OrganizationsURL  string `json:"organizations_url"`
	ReposURL          string `json:"repos_url"`
	EventsURL         string `json:"events_url"`
	ReceivedEventsURL string `json:"received_events_url"`
	Type              string `json:"type"`
	SiteAdmin         bool   `json:"site_admin"`
}

type ghLabel struct {
	ID          int64   `json:"id"`
	NodeID      string  `json:"node_id"`
	URL         string  `json:"url"`
	Name        string  `json:"name"`
	Color       string  `json:"color"`
	Default     bool    `json:"default"`
	Description *string `json:"description"`
}

type ghReactions struct {
	URL        string `json:"url"`
	TotalCount int    `json:"total_count"`
	PlusOne    int    `json:"+1"`
	MinusOne   int    `json:"-1"`
	Laugh      int    `json:"laugh"`
	Hooray     int    `json:"hooray"`
	Confused   int    `json:"confused"`
	Heart      int    `json:"heart"`
	Rocket     int    `json:"rocket"`
	Eyes       int    `json:"eyes"`
}

type ghIssue struct {
	URL                   string      `json:"url"`
	RepositoryURL         string      `json:"repository_url"`
	LabelsURL             string      `json:"labels_url"`
	CommentsURL           string      `json:"comments_url"`
	EventsURL             string      `json:"events_url"`
	HTMLURL               string      `json:"html_url"`
	ID                    int64       `json:"id"`
	NodeID                string      `json:"node_id"`
	Number                int64       `json:"number"`
	Title                 string      `json:"title"`
	User                  ghUser      `json:"user"`
	Labels                []ghLabel   `json:"labels"`
	State                 string      `json:"state"`
	Locked                bool        `json:"locked"`
	Assignee              *ghUser     `json:"assignee"`
	Assignees             []ghUser    `json:"assignees"`
	Milestone             *struct{}   `json:"milestone"`
	Comments              int         `json:"comments"`
	CreatedAt             string      `json:"created_at"`
	UpdatedAt             string      `json:"updated_at"`
	ClosedAt              *string     `json:"closed_at"`
	AuthorAssociation     string      `json:"author_association"`
	ActiveLockReason      *string     `json:"active_lock_reason"`
	Body                  *string     `json:"body"`
	Reactions             ghReactions `json:"reactions"`
	TimelineURL           string      `json:"timeline_url"`
	PerformedViaGitHubApp *struct{}   `json:"performed_via_github_app"`
	StateReason           *string     `json:"state_reason"`
	// ClosedBy and Type as in the list since 2023 and 2025 (PyGithub's
	// recordings, collectors/github/testdata): null while open, and
	// without an issue type.
	ClosedBy *ghUser      `json:"closed_by"`
	Type     *ghIssueType `json:"type"`
}

// ghIssueType is an issue type as the list shows it.
type ghIssueType struct {
	ID          int64  `json:"id"`
	NodeID      string `json:"node_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Color       string `json:"color"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
	IsEnabled   bool   `json:"is_enabled"`
}

// ghEvent is a timeline event: commented (with the comment's fields),
// closed and reopened (with state_reason), labeled and unlabeled (with the
// label).
type ghEvent struct {
	URL                   string        `json:"url"`
	HTMLURL               string        `json:"html_url,omitempty"`
	IssueURL              string        `json:"issue_url,omitempty"`
	ID                    int64         `json:"id"`
	NodeID                string        `json:"node_id"`
	User                  *ghUser       `json:"user,omitempty"`
	Actor                 ghUser        `json:"actor"`
	Event                 string        `json:"event"`
	CommitID              *ghNull       `json:"commit_id,omitempty"`
	CommitURL             *ghNull       `json:"commit_url,omitempty"`
	CreatedAt             string        `json:"created_at"`
	UpdatedAt             string        `json:"updated_at,omitempty"`
	AuthorAssociation     string        `json:"author_association,omitempty"`
	Body                  string        `json:"body,omitempty"`
	Reactions             *ghReactions  `json:"reactions,omitempty"`
	Label                 *ghEventLabel `json:"label,omitempty"`
	StateReason           *string       `json:"state_reason,omitempty"`
	PerformedViaGitHubApp *struct{}     `json:"performed_via_github_app"`
}

// ghNull is a field GitHub sends as null on some events and leaves out of
// others: a nil pointer omits it, a non-nil one writes null.
type ghNull struct{}

func (ghNull) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

type ghEventLabel struct {
	Name  string `json:"name"`
	Color string `json:"color"`
}

// ghUserOf is a user as the API shows one; apiBase is the API root its
// URLs start with.
func ghUserOf(apiBase, login string, id int64, kind string) ghUser {
	u := apiBase + "/users/" + login
	return ghUser{
		Login: login, ID: id, NodeID: "U_" + derivedID(login, ghNodeAlphabet, 10),
		AvatarURL: "https://avatars.githubusercontent.com/u/" + strconv.FormatInt(id, 10) + "?v=4",
		URL:       u, HTMLURL: "https://github.com/" + login,
		FollowersURL: u + "/followers", FollowingURL: u + "/following{/other_user}",
		GistsURL: u + "/gists{/gist_id}", StarredURL: u + "/starred{/owner}{/repo}",
		SubscriptionsURL: u + "/subscriptions", OrganizationsURL: u + "/orgs", ReposURL: u + "/repos",
		EventsURL: u + "/events{/privacy}", ReceivedEventsURL: u + "/received_events", Type: kind,
	}
}

const ghNodeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
