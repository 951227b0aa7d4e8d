package github

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// Values as the API writes them.
const (
	stateOpen         = "open"
	stateClosed       = "closed"
	reasonCompleted   = "completed"
	reasonReopened    = "reopened"
	associationOwner  = "OWNER"
	associationMember = "MEMBER"
	associationCollab = "COLLABORATOR"
	userTypeBot       = "Bot"
)

// rules are the source's settings the mapping needs: who speaks for the
// vendor.
type rules struct {
	vendorLogins map[string]bool // lower-cased: GitHub logins are case-insensitive
}

func newRules(src *config.Source) rules {
	r := rules{vendorLogins: map[string]bool{}}
	for _, login := range optionsOf(src).VendorLogins {
		r.vendorLogins[strings.ToLower(login)] = true
	}
	return r
}

// isVendor reports whether an author speaks for the vendor: a member of
// the repository's organization, one of its collaborators, or a login the
// config names (a support engineer outside the organization, a bot).
func (r rules) isVendor(association string, u *wireUser) bool {
	switch association {
	case associationOwner, associationMember, associationCollab:
		return true
	}
	return u != nil && r.vendorLogins[strings.ToLower(u.Login)]
}

// ticket maps an issue and its timeline (nil when it was not fetched: an
// open issue never commented, closed nor reopened has none worth a
// request) to a ticket of repository repo.
//
//   - A comment by the vendor (see isVendor) is a vendor reply; one by a
//     bot the config does not name is neither reply (a stale bot's notice
//     answers nobody); any other is a customer reply: on a public
//     repository every other commenter is a customer.
//   - A close as completed is a solve; as not planned or duplicate it
//     closes without solving. A close without reason predates reasons,
//     when every close counted as completed.
//   - Every reopen is a reopen event.
//   - An open issue whose last reply or reopen is the vendor's reply awaits
//     the customer (pending); otherwise it awaits the vendor (open).
//   - Labels are the tags. The priority is left empty: which label names
//     it is the vendor's `priorities` to say, and the exporter picks it
//     from the tags (quality.Rules.MostUrgent; docs/configuration.md,
//     "Priorities").
//   - The issue type's name is the type; a closed issue's state_reason is
//     its close reason ("completed" when null: GitHub closed every issue
//     as completed before reasons), its closed_at its close time, and its
//     closer closed_by, else the actor of the timeline's latest close.
//   - The first label put by the vendor (see triagedAt) is the triage.
//   - The issue's author (user.login) is the author, unless the author
//     speaks for the vendor (see isVendor: a maintainer's own issue, whose
//     close is the vendor's decision); every closed
//     event of the timeline a close, with its state_reason ("completed"
//     when null) and actor: so that a close and reopen between two polls,
//     and a close a later one replaced, are known at their dates.
func (r rules) ticket(repo string, is wireIssue, timeline []wireEvent) item.Ticket {
	t := item.Ticket{
		ID:        repo + "#" + strconv.FormatInt(*is.Number, 10),
		CreatedAt: is.CreatedAt,
		UpdatedAt: is.UpdatedAt,
		Status:    item.StatusOpen,
		Drill:     item.DrillMarked(is.Title),
	}
	for _, l := range is.Labels {
		t.Tags = append(t.Tags, l.Name)
	}
	if is.User != nil && !r.isVendor(is.AuthorAssociation, is.User) {
		t.Author = is.User.Login
	}
	t.Closes = closes(timeline)
	if is.Type != nil {
		t.Type = is.Type.Name
	}
	if is.State == stateClosed {
		t.CloseReason = reasonCompleted
		if is.StateReason != nil && *is.StateReason != "" {
			t.CloseReason = *is.StateReason
		}
		if is.ClosedAt != nil {
			t.ClosedAt = *is.ClosedAt
		}
		t.ClosedBy = closer(is, timeline)
	}
	t.TriagedAt = r.triagedAt(is, timeline)
	awaitingCustomer := false
	for _, e := range timeline {
		kind, ok := r.eventKind(e)
		if !ok {
			continue
		}
		t.Events = append(t.Events, item.Event{Kind: kind, At: e.CreatedAt})
		switch kind {
		case item.EventVendorReply:
			awaitingCustomer = true
		case item.EventCustomerReply, item.EventReopened:
			awaitingCustomer = false
		}
	}
	switch {
	case is.State == stateClosed && solves(is.StateReason):
		t.Status = item.StatusSolved
		t.Events = ensureSolved(t.Events, is.ClosedAt)
	case is.State == stateClosed:
		t.Status = item.StatusClosed
	case awaitingCustomer:
		t.Status = item.StatusPending
	}
	return t
}

// eventKind maps a timeline event to the ticket's timeline, if it belongs
// there.
func (r rules) eventKind(e wireEvent) (item.EventKind, bool) {
	switch e.Event {
	case eventCommented:
		author := e.User
		if author == nil {
			author = e.Actor
		}
		switch {
		case r.isVendor(e.AuthorAssociation, author):
			return item.EventVendorReply, true
		case author != nil && author.Type == userTypeBot:
			return "", false
		}
		return item.EventCustomerReply, true
	case eventClosed:
		return item.EventSolved, solves(e.StateReason)
	case eventReopened:
		return item.EventReopened, true
	}
	return "", false
}

// solves reports whether a close with this reason solves the issue.
func solves(reason *string) bool {
	return reason == nil || *reason == "" || *reason == reasonCompleted
}

// ensureSolved adds the solve at closedAt to a solved issue whose timeline
// shows no solving close (its close was recorded without one, or its reason
// was changed to completed afterwards), so that its resolution is timed by
// the API's own close time.
func ensureSolved(events []item.Event, closedAt *time.Time) []item.Event {
	if closedAt == nil || closedAt.IsZero() {
		return events
	}
	for _, e := range events {
		if e.Kind == item.EventSolved {
			return events
		}
	}
	return append(events, item.Event{Kind: item.EventSolved, At: *closedAt})
}

// closes are the timeline's closed events, in time order.
func closes(timeline []wireEvent) []item.Closure {
	var out []item.Closure
	for _, e := range timeline {
		if e.Event != eventClosed || e.CreatedAt.IsZero() {
			continue
		}
		c := item.Closure{At: e.CreatedAt, Reason: reasonCompleted}
		if e.StateReason != nil && *e.StateReason != "" {
			c.Reason = *e.StateReason
		}
		if e.Actor != nil {
			c.By = e.Actor.Login
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b item.Closure) int { return a.At.Compare(b.At) })
	return out
}

// closer is who closed a closed issue: its closed_by, else the actor of
// the timeline's latest close; empty when neither says.
func closer(is wireIssue, timeline []wireEvent) string {
	if is.ClosedBy != nil && is.ClosedBy.Login != "" {
		return is.ClosedBy.Login
	}
	var by string
	var at time.Time
	for _, e := range timeline {
		if e.Event == eventClosed && e.Actor != nil && !e.CreatedAt.Before(at) {
			by, at = e.Actor.Login, e.CreatedAt
		}
	}
	return by
}

// triagedAt is the first time the vendor labeled the issue: the earliest
// labeled event whose actor is neither the issue's author (an issue
// template's labels are the author's) nor a bot the config does not name
// (a labeling workflow is no person's attention); zero when none. Only
// those with triage access to a repository can label another's issue: any
// other labeler speaks for the vendor, whatever its association.
func (r rules) triagedAt(is wireIssue, timeline []wireEvent) time.Time {
	var first time.Time
	for _, e := range timeline {
		a := e.Actor
		switch {
		case e.Event != eventLabeled || a == nil || e.CreatedAt.IsZero():
		case is.User != nil && strings.EqualFold(a.Login, is.User.Login):
		case a.Type == userTypeBot && !r.vendorLogins[strings.ToLower(a.Login)]:
		case first.IsZero() || e.CreatedAt.Before(first):
			first = e.CreatedAt
		}
	}
	return first
}

// needsTimeline reports whether an issue's timeline can hold events: an
// open issue without comments or labels whose state never changed (a
// reopened one says so in state_reason) has none, and costs no request. A
// labeled one is read for who labeled it (triagedAt).
func needsTimeline(is wireIssue) bool {
	return is.Comments > 0 || is.State != stateOpen || (is.StateReason != nil && *is.StateReason == reasonReopened) ||
		len(is.Labels) > 0
}
