package simulator

// JSON shapes of Slack's Web API methods conversations.history and
// conversations.replies, field for field as in Slack's documented examples
// (collectors/slack/testdata): the ok envelope, the messages, has_more and
// response_metadata.next_cursor.

type slackPage struct {
	OK               bool           `json:"ok"`
	Messages         []slackMessage `json:"messages"`
	HasMore          bool           `json:"has_more"`
	PinCount         int            `json:"pin_count"`
	ResponseMetadata slackMeta      `json:"response_metadata"`
}

type slackMeta struct {
	NextCursor string `json:"next_cursor"`
}

type slackMessage struct {
	Type            string          `json:"type"`
	User            string          `json:"user"`
	Text            string          `json:"text"`
	TS              string          `json:"ts"`
	Team            string          `json:"team"`
	UserTeam        string          `json:"user_team"`
	SourceTeam      string          `json:"source_team"`
	ThreadTS        string          `json:"thread_ts,omitempty"`
	ParentUserID    string          `json:"parent_user_id,omitempty"`
	ReplyCount      int             `json:"reply_count,omitempty"`
	ReplyUsersCount int             `json:"reply_users_count,omitempty"`
	LatestReply     string          `json:"latest_reply,omitempty"`
	ReplyUsers      []string        `json:"reply_users,omitempty"`
	IsLocked        *bool           `json:"is_locked,omitempty"`
	Subscribed      *bool           `json:"subscribed,omitempty"`
	Reactions       []slackReaction `json:"reactions,omitempty"`
}

type slackReaction struct {
	Name  string   `json:"name"`
	Users []string `json:"users"`
	Count int      `json:"count"`
}

// slackError is the envelope of a failed call.
type slackError struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error"`
	Needed   string `json:"needed,omitempty"`
	Provided string `json:"provided,omitempty"`
}
