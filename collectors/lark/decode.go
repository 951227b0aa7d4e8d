package lark

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// envelope is the Open API's answer around every method: code 0 and data,
// or a non-zero code and msg.
type envelope struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

// page is the answer of GET /open-apis/im/v1/messages.
type page struct {
	envelope
	Data struct {
		HasMore   bool      `json:"has_more"`
		PageToken string    `json:"page_token"`
		Items     []message `json:"items"`
	} `json:"data"`
}

// tokenAnswer is the answer of POST
// /open-apis/auth/v3/tenant_access_token/internal: no data member, the
// token and its lifetime in seconds at the top.
type tokenAnswer struct {
	envelope
	Token  string `json:"tenant_access_token"`
	Expire int64  `json:"expire"`
}

// message is what the collector reads of a Lark message.
type message struct {
	MessageID  string `json:"message_id"`
	RootID     string `json:"root_id"`
	ParentID   string `json:"parent_id"`
	ThreadID   string `json:"thread_id"`
	MsgType    string `json:"msg_type"`
	CreateTime string `json:"create_time"`
	Deleted    bool   `json:"deleted"`
	ChatID     string `json:"chat_id"`
	Sender     struct {
		ID         string `json:"id"`
		IDType     string `json:"id_type"`
		SenderType string `json:"sender_type"`
		TenantKey  string `json:"tenant_key"`
	} `json:"sender"`
	Body struct {
		Content string `json:"content"`
	} `json:"body"`
}

// created reads create_time, milliseconds since the epoch as a string.
func (m *message) created() (time.Time, error) {
	ms, err := strconv.ParseInt(m.CreateTime, 10, 64)
	if err != nil {
		return time.Time{}, errors.New("message " + strconv.Quote(m.MessageID) + ": bad create_time " + strconv.Quote(m.CreateTime))
	}
	return time.UnixMilli(ms).UTC(), nil
}

// human reports whether m is a person's own message: an app's (bots,
// workflows), an anonymous one and a system message (msg_type system:
// joins, renames) are no conversation.
func (m *message) human() bool {
	return m.Sender.SenderType == "user" && m.Sender.ID != "" && m.MsgType != "system"
}

// text is the message's words: every "text" and "title" string of its
// content, a JSON document whose shape depends on msg_type (text:
// {"text"}; post: {"title", "content": [[{"tag", "text"}]]}, perhaps
// under a locale key; cards alike). Content that is no JSON reads as
// itself.
func (m *message) text() string {
	var v any
	if err := json.Unmarshal([]byte(m.Body.Content), &v); err != nil {
		return m.Body.Content
	}
	var parts []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			// The title first, then the rest in a fixed order (a
			// post's locales, a card's elements).
			if s, ok := v["title"].(string); ok {
				parts = append(parts, s)
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				if s, ok := v[k].(string); ok {
					if k == "text" {
						parts = append(parts, s)
					}
					continue
				}
				walk(v[k])
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return strings.Join(parts, " ")
}

// hashtag is a tag written in a message: #word, after a space or at the
// start.
var hashtag = regexp.MustCompile(`(?:^|\s)#([\p{L}\p{N}_-]+)`)

// hashtags are the tags of a text, lower case.
func hashtags(text string) []string {
	var out []string
	for _, m := range hashtag.FindAllStringSubmatch(text, -1) {
		out = append(out, strings.ToLower(m[1]))
	}
	return out
}
