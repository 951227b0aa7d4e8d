package simulator

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

const (
	slackHistoryPath = "/api/conversations.history"
	slackRepliesPath = "/api/conversations.replies"
	slackMaxLimit    = 999
	// slackSourceLimit is the requests_per_minute SourceYAML writes: the
	// simulated Slack enforces no limit, and Tier 3's 50 a minute would
	// hold the demo's first sync (one request per threaded ticket, 500
	// of them) for ten minutes.
	slackSourceLimit = 100000
	// slackSolvedReaction is the reaction the vendor's agent puts on a
	// solved ticket's message: the collector's default solved_reaction.
	slackSolvedReaction = "white_check_mark"
)

// slackAPI serves one vendor's tickets as a Slack Connect channel shared
// by the buyer and the vendor shows them: each ticket is a message of one
// of the buyer's people, its conversation the thread, the vendor's agent
// replying from the vendor's workspace; the ticket's priority and its
// escalation are reactions on it, and so is its solve (white_check_mark,
// removed on reopen). Cursor paging, newest first in history, oldest first
// in a thread; Slack's ok envelopes and errors (HTTP 200 and ok false).
type slackAPI struct {
	w     *world
	clock func() time.Time
	// removed: the buyer's app was taken out of the channel (someone
	// kicked it, or it was never invited): every request for the channel
	// is answered not_in_channel.
	removed atomic.Bool
}

// SlackRemoveApp takes the buyer's app out of the vendor's shared channel
// (out true) or invites it back (false): while out, conversations.history
// and conversations.replies answer not_in_channel, as Slack answers an app
// that is not a member of the channel it reads. It reports false for a
// vendor without a slack API.
func (s *Sim) SlackRemoveApp(vendor string, out bool) bool {
	e := s.apis[apiKey{vendor, KindSlack}]
	if e == nil {
		return false
	}
	a, ok := e.api.(*slackAPI)
	if ok {
		a.removed.Store(out)
	}
	return ok
}

// Slack ids of the vendor's world: the channel, the two workspaces and the
// people.
func (w *world) slackChannel() string {
	return "C" + derivedID(w.id.token+"/slack/channel", slackIDAlphabet, 10)
}
func (w *world) slackVendorTeam() string {
	return "T" + derivedID(w.id.token+"/slack/vendor", slackIDAlphabet, 10)
}
func (w *world) slackBuyerTeam() string {
	return "T" + derivedID(w.id.token+"/slack/buyer", slackIDAlphabet, 10)
}
func (w *world) slackToken() string {
	return "xoxb-" + derivedID(w.id.token+"/slack/token", "0123456789", 12) + "-" + derivedID(w.id.token+"/slack/secret", ghNodeAlphabet, 24)
}

func slackUser(prefix string, id int64) string {
	return "U" + prefix + strings.ToUpper(strconv.FormatInt(id, 36))
}

const slackIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// slackTS writes a message's ts: its second and, as the microseconds, a
// number unique in the channel (the ticket and the message's place).
func slackTS(at int64, tl *timeline, seq int) string {
	return fmt.Sprintf("%d.%06d", at, (tl.id()%10000)*100+int64(seq%100))
}

func writeSlackError(rw http.ResponseWriter, e slackError) {
	writeJSON(rw, http.StatusOK, e)
}

func (a *slackAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	token, bearer := strings.CutPrefix(auth, "Bearer ")
	if auth == "" {
		writeSlackError(rw, slackError{Error: "not_authed"})
		return
	}
	if !bearer || subtle.ConstantTimeCompare([]byte(token), []byte(a.w.slackToken())) != 1 {
		writeSlackError(rw, slackError{Error: "invalid_auth"})
		return
	}
	if r.URL.Path != slackHistoryPath && r.URL.Path != slackRepliesPath {
		writeSlackError(rw, slackError{Error: "unknown_method"})
		return
	}
	q := r.URL.Query()
	if q.Get("channel") != a.w.slackChannel() {
		writeSlackError(rw, slackError{Error: "channel_not_found"})
		return
	}
	if a.removed.Load() {
		writeSlackError(rw, slackError{Error: "not_in_channel"})
		return
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeSlackError(rw, slackError{Error: "invalid_limit"})
			return
		}
		limit = min(n, slackMaxLimit)
	}
	start := 0
	if c := q.Get("cursor"); c != "" {
		raw, err := base64.StdEncoding.DecodeString(c)
		n, perr := strconv.Atoi(strings.TrimPrefix(string(raw), "next_ts:"))
		if err != nil || perr != nil || !strings.HasPrefix(string(raw), "next_ts:") || n < 0 {
			writeSlackError(rw, slackError{Error: "invalid_cursor"})
			return
		}
		start = n
	}
	now := a.clock().Unix()
	var all []slackMessage
	if r.URL.Path == slackHistoryPath {
		oldest := parseSlackTS(q.Get("oldest"))
		latest := float64(now) + 1
		if v := q.Get("latest"); v != "" {
			latest = parseSlackTS(v)
		}
		all = a.history(now, oldest, latest, q.Get("inclusive") == "true" || q.Get("inclusive") == "1")
	} else {
		var ok bool
		if all, ok = a.thread(q.Get("ts"), now); !ok {
			writeSlackError(rw, slackError{Error: "thread_not_found"})
			return
		}
	}
	end := min(start+limit, len(all))
	start = min(start, end)
	page := slackPage{OK: true, Messages: all[start:end]}
	switch mode := endlessOf(r); {
	case mode == endlessSame:
		page.HasMore, page.ResponseMetadata.NextCursor = true, cmp0(q.Get("cursor"), slackCursor(0))
	case end < len(all):
		page.HasMore, page.ResponseMetadata.NextCursor = true, slackCursor(end)
	case mode == endlessGrowing:
		page.HasMore, page.ResponseMetadata.NextCursor = true, slackCursor(end+1)
	}
	if page.Messages == nil {
		page.Messages = []slackMessage{}
	}
	writeJSON(rw, http.StatusOK, page)
}

func cmp0(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func slackCursor(n int) string {
	return base64.StdEncoding.EncodeToString([]byte("next_ts:" + strconv.Itoa(n)))
}

func parseSlackTS(v string) float64 {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0
	}
	return f
}

// history lists the channel's ticket messages in (oldest, latest), newest
// first.
func (a *slackAPI) history(now int64, oldest, latest float64, inclusive bool) []slackMessage {
	var out []slackMessage
	for i := range a.w.ticketsBy(now) {
		if a.w.deleted(i, now) {
			continue
		}
		s := stateAt(a.w.timeline(i), now)
		m := a.root(&s)
		ts := parseSlackTS(m.TS)
		if ts > latest || ts < oldest || (!inclusive && (ts == oldest || ts == latest)) {
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(x, y slackMessage) int {
		return strings.Compare(padTS(y.TS), padTS(x.TS))
	})
	return out
}

func padTS(ts string) string { return fmt.Sprintf("%20s", ts) }

// root renders a ticket as its message in the channel.
func (a *slackAPI) root(s *ticketState) slackMessage {
	tl := s.tl
	buyer := a.w.slackBuyerTeam()
	customer := slackUser("C", tl.requester)
	m := slackMessage{
		Type: "message", User: customer, Text: ticketDescription(tl), TS: slackTS(tl.created, tl, 0),
		Team: buyer, UserTeam: buyer, SourceTeam: buyer,
	}
	comments := s.comments()
	if len(comments) > 1 {
		f := false
		m.ThreadTS, m.ReplyCount, m.IsLocked, m.Subscribed = m.TS, len(comments)-1, &f, &f
		last := comments[len(comments)-1]
		m.LatestReply = slackTS(last.at, tl, last.seq)
		users := map[string]bool{}
		for _, c := range comments[1:] {
			u := customer
			if c.vendor {
				u = slackUser("V", tl.agent)
			}
			if !users[u] {
				users[u] = true
				m.ReplyUsers = append(m.ReplyUsers, u)
			}
		}
		m.ReplyUsersCount = len(m.ReplyUsers)
	}
	if p := zPriorities[s.priority]; p != "" {
		m.Reactions = append(m.Reactions, slackReaction{Name: p, Users: []string{customer}, Count: 1})
	}
	if s.tagged {
		agent := slackUser("V", tl.agent)
		m.Reactions = append(m.Reactions, slackReaction{Name: "escalated", Users: []string{agent}, Count: 1})
	}
	if s.solved() {
		agent := slackUser("V", tl.agent)
		m.Reactions = append(m.Reactions, slackReaction{Name: slackSolvedReaction, Users: []string{agent}, Count: 1})
	}
	return m
}

// thread answers conversations.replies for ts: the root, then its replies
// oldest first; false when no ticket's message has that ts.
func (a *slackAPI) thread(ts string, now int64) ([]slackMessage, bool) {
	sec, frac, ok := strings.Cut(ts, ".")
	at, err1 := strconv.ParseInt(sec, 10, 64)
	n, err2 := strconv.ParseInt(frac, 10, 64)
	if !ok || err1 != nil || err2 != nil || n%100 != 0 {
		return nil, false
	}
	id := n / 100
	// The ts holds the ticket's id modulo 10000: look for the ticket
	// created at that second.
	for i := int(id) - 1; i >= 0 && i < a.w.ticketsBy(now); i += 10000 {
		if a.w.deleted(i, now) {
			continue
		}
		s := stateAt(a.w.timeline(i), now)
		root := a.root(&s)
		if root.TS != ts || s.tl.created != at {
			continue
		}
		out := []slackMessage{root}
		buyer, vendor := a.w.slackBuyerTeam(), a.w.slackVendorTeam()
		for _, c := range s.comments()[1:] {
			m := slackMessage{
				Type: "message", User: slackUser("C", s.tl.requester), Text: commentText(c.kind),
				TS: slackTS(c.at, s.tl, c.seq), Team: buyer, UserTeam: buyer, SourceTeam: buyer,
				ThreadTS: ts, ParentUserID: root.User,
			}
			if c.vendor {
				m.User, m.Team, m.UserTeam, m.SourceTeam = slackUser("V", s.tl.agent), vendor, vendor, vendor
			}
			out = append(out, m)
		}
		return out, true
	}
	return nil, false
}
