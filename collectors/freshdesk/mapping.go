package freshdesk

import (
	"slices"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// sourceSurveyFeedback is the conversation source of the comment a customer
// leaves with a satisfaction rating: feedback, not a reply.
const sourceSurveyFeedback = 6

// ticket maps an API ticket, its conversations and its latest rating.
func (c *collector) ticket(at apiTicket, convs []apiConversation, rating item.Rating) item.Ticket {
	t := item.Ticket{
		ID:           strconv.FormatInt(*at.ID, 10),
		CreatedAt:    at.CreatedAt,
		UpdatedAt:    at.UpdatedAt,
		Status:       c.status(*at.Status),
		Tags:         at.Tags,
		Escalated:    at.IsEscalated || at.FrEscalated || at.NrEscalated,
		Satisfaction: rating,
	}
	if at.Priority != nil {
		t.Priority = priorityName(*at.Priority)
	}
	replies := 0
	for _, cv := range convs {
		kind, ok := cv.kind(at.RequesterID)
		if !ok {
			continue
		}
		if kind == item.EventVendorReply {
			replies++
		}
		t.Events = append(t.Events, item.Event{Kind: kind, At: cv.CreatedAt})
	}
	if st := at.Stats; st != nil {
		t.Events = append(t.Events, st.events(at.CreatedAt)...)
		t.Figures = st.figures(at.CreatedAt, replies)
	}
	slices.SortStableFunc(t.Events, func(a, b item.Event) int { return a.At.Compare(b.At) })
	return t
}

// kind classifies a conversation: private notes and survey feedback are no
// public reply. A public conversation is the customer's when it came from
// outside the helpdesk or was written by the requester (a portal reply),
// else the vendor's.
func (cv apiConversation) kind(requesterID int64) (item.EventKind, bool) {
	switch {
	case cv.Private || cv.Source == sourceSurveyFeedback:
		return "", false
	case cv.Incoming || (requesterID != 0 && cv.UserID == requesterID):
		return item.EventCustomerReply, true
	}
	return item.EventVendorReply, true
}

// events are the solve and reopen that the stats date: only the latest of
// each, which is all Freshdesk keeps.
func (st *apiStats) events(created time.Time) []item.Event {
	var out []item.Event
	solved := afterCreation(created, st.ResolvedAt)
	if solved.IsZero() {
		solved = afterCreation(created, st.ClosedAt) // closed without a resolution
	}
	if !solved.IsZero() {
		out = append(out, item.Event{Kind: item.EventSolved, At: solved})
	}
	if reopened := afterCreation(created, st.ReopenedAt); !reopened.IsZero() {
		out = append(out, item.Event{Kind: item.EventReopened, At: reopened})
	}
	return out
}

// figures are what Freshdesk computes itself. The first solve is the
// earliest solve-related time recorded: after a reopen, the ticket was
// solved at the latest when it was reopened. Reopens is 1 once any reopen is
// recorded: Freshdesk keeps no count, and the store never lowers it.
func (st *apiStats) figures(created time.Time, replies int) *item.Figures {
	f := &item.Figures{
		FirstReplyAt: afterCreation(created, st.FirstRespondedAt),
		Replies:      replies,
	}
	for _, at := range []time.Time{st.ResolvedAt, st.ClosedAt, st.ReopenedAt} {
		at = afterCreation(created, at)
		if !at.IsZero() && (f.FirstSolvedAt.IsZero() || at.Before(f.FirstSolvedAt)) {
			f.FirstSolvedAt = at
		}
	}
	if !afterCreation(created, st.ReopenedAt).IsZero() {
		f.Reopens = 1
	}
	return f
}

// afterCreation drops a time earlier than the ticket's creation (imported
// tickets can carry such stats): it would make a negative duration.
func afterCreation(created, at time.Time) time.Time {
	if at.Before(created) {
		return time.Time{}
	}
	return at
}

// rating maps the overall question's answer. Freshdesk's scales run from
// -103 (extremely unhappy) through 100 (neutral) to 103 (extremely happy);
// the classic survey uses 103, 100 and -103. Happy answers are good, unhappy
// ones bad; neutral, unanswered and unknown ones are no rating.
func (r apiRating) rating() item.Rating {
	switch v := r.Ratings.Default; {
	case v == nil:
		return item.RatingNone
	case *v > 100:
		return item.RatingGood
	case *v < 0:
		return item.RatingBad
	}
	return item.RatingNone
}

// priorityNames are Freshdesk's names of its priority ids, what its agents
// see and what a vendor's `priorities` config is written with.
var priorityNames = map[int]string{1: "low", 2: "medium", 3: "high", 4: "urgent"}

// priorityName is the name of a priority id, or the id itself for one
// Freshdesk does not define.
func priorityName(id int) string {
	if n, ok := priorityNames[id]; ok {
		return n
	}
	return strconv.Itoa(id)
}
