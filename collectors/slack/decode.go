package slack

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// page is the answer of conversations.history and conversations.replies:
// Slack's envelope (ok, error) around a list of messages, cursor-paged.
type page struct {
	OK               bool      `json:"ok"`
	Error            string    `json:"error"`
	Messages         []message `json:"messages"`
	HasMore          bool      `json:"has_more"`
	ResponseMetadata struct {
		NextCursor string `json:"next_cursor"`
	} `json:"response_metadata"`
}

// message is what the collector reads of a Slack message.
type message struct {
	Type        string     `json:"type"`
	Subtype     string     `json:"subtype"`
	TS          string     `json:"ts"`
	ThreadTS    string     `json:"thread_ts"`
	User        string     `json:"user"`
	UserTeam    string     `json:"user_team"`
	Team        string     `json:"team"`
	BotID       string     `json:"bot_id"`
	ReplyCount  int        `json:"reply_count"`
	LatestReply string     `json:"latest_reply"`
	Reactions   []reaction `json:"reactions"`
}

type reaction struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Users []string `json:"users"`
}

// parseTS reads a Slack timestamp, "1512085950.000216": Unix seconds and a
// per-channel sequence in microseconds.
func parseTS(ts string) (time.Time, error) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || sec == "" {
		return time.Time{}, errors.New("bad message ts " + strconv.Quote(ts))
	}
	var us int64
	if frac != "" {
		if len(frac) > 6 {
			frac = frac[:6]
		}
		for len(frac) < 6 {
			frac += "0"
		}
		if us, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return time.Time{}, errors.New("bad message ts " + strconv.Quote(ts))
		}
	}
	return time.Unix(s, us*1000).UTC(), nil
}

// formatTS writes t as Slack's oldest parameter.
func formatTS(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10) + "." + strconv.FormatInt(int64(t.Nanosecond()/1000)+1000000, 10)[1:]
}

// bot reports whether m is an app's or a bot's.
func (m *message) bot() bool { return m.BotID != "" || m.Subtype == "bot_message" }

// human reports whether m is a person's own message: no subtype (joins,
// topics, workflow posts and the like are not conversation) or a
// thread_broadcast, and not a bot's.
func (m *message) human() bool {
	return (m.Subtype == "" || m.Subtype == "thread_broadcast") && !m.bot() && m.User != ""
}

// team is the workspace of m's author: user_team in Slack Connect, team
// otherwise.
func (m *message) team() string {
	if m.UserTeam != "" {
		return m.UserTeam
	}
	return m.Team
}
