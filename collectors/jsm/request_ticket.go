package jsm

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// requestToTicket maps a listed request, its public comments and its stored
// version (nil when none) onto the model, as toTicket does a searched issue,
// with what the listing lacks:
//
//   - no priority, labels or SLA figures (a customer sees none of them);
//   - UpdatedAt is the latest of its creation, its status date and its
//     latest public comment;
//   - solves and reopens come from the status: the listing shows the
//     current status and when it was entered, no history. The stored
//     version's solved and reopened events are carried forward; a request
//     now done whose events do not end solved was solved at its status
//     date, and one no longer done whose events end solved was reopened
//     then. A request first seen done is solved at its status date, which
//     for a closed one is the close (by default some days after the
//     solve); a status changed and changed back between two syncs is not
//     seen.
func requestToTicket(r apiRequest, comments []apiComment, stored *item.Ticket) (item.Ticket, error) {
	created, err := r.CreatedDate.at()
	if err != nil {
		return item.Ticket{}, fmt.Errorf("request %s: createdDate: %w", r.IssueID, err)
	}
	statusAt, err := r.CurrentStatus.StatusDate.at()
	if err != nil {
		return item.Ticket{}, fmt.Errorf("request %s: currentStatus.statusDate: %w", r.IssueID, err)
	}
	st := &apiStatus{Name: r.CurrentStatus.Status}
	st.StatusCategory.Key = strings.ToLower(r.CurrentStatus.StatusCategory)
	t := item.Ticket{ID: r.IssueID, CreatedAt: created, UpdatedAt: later(created, statusAt), Status: status(st), Drill: r.drill()}
	var reporter string
	if r.Reporter != nil {
		reporter = r.Reporter.AccountID
	}
	replies, _, err := replyEvents(comments, reporter)
	if err != nil {
		return item.Ticket{}, fmt.Errorf("request %s: %w", r.IssueID, err)
	}
	for _, e := range replies {
		t.UpdatedAt = later(t.UpdatedAt, e.At)
	}
	t.Events = slices.Concat(replies, statusEvents(stored, t.Status, statusAt))
	// Stable: at the same instant the reply precedes the solve sent with it.
	slices.SortStableFunc(t.Events, func(a, b item.Event) int { return a.At.Compare(b.At) })
	return t, nil
}

// statusEvents are the stored version's solved and reopened events, and a
// solve or a reopen at the status date when the current status s differs
// from what they end with.
func statusEvents(stored *item.Ticket, s item.Status, statusAt time.Time) []item.Event {
	events := source.SolvesAndReopens(stored)
	endsSolved := len(events) > 0 && events[len(events)-1].Kind == item.EventSolved
	done := s == item.StatusSolved || s == item.StatusClosed
	switch {
	case done && !endsSolved:
		events = append(events, item.Event{Kind: item.EventSolved, At: statusAt})
	case !done && endsSolved:
		events = append(events, item.Event{Kind: item.EventReopened, At: statusAt})
	}
	return events
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
