package jsm

import (
	"fmt"
	"slices"
	"strings"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// details is what the servicedeskapi adds to a searched issue.
type details struct {
	comments []apiComment
	// slas is nil when the account may not read SLAs (not an agent).
	slas []apiSLA
}

// toTicket maps a searched issue and its details onto the item.
//
//   - Status: the status category (new, indeterminate, done), refined by
//     the two status names every JSM workflow template ships that the
//     category cannot tell: "Waiting for customer" is pending and "Closed"
//     is closed (final); any other done status is solved.
//   - Events: a public comment by the reporter is a customer reply, by
//     anyone else a vendor reply; a done request is solved at its
//     resolution date (the latest resolution: Jira keeps no earlier one).
//   - Figures, only where the account reads SLAs: see figures.
func toTicket(is apiIssue, d details) (item.Ticket, error) {
	f := is.Fields
	t := item.Ticket{
		ID:        is.ID,
		CreatedAt: f.Created.Time,
		UpdatedAt: f.Updated.Time,
		Status:    status(f.Status),
	}
	if len(f.Labels) > 0 {
		t.Tags = f.Labels
	}
	if f.Priority != nil {
		t.Priority = f.Priority.Name
	}
	var reporter string
	if f.Reporter != nil {
		reporter = f.Reporter.AccountID
	}
	replies, n, err := replyEvents(d.comments, reporter)
	if err != nil {
		return item.Ticket{}, fmt.Errorf("issue %s: %w", is.ID, err)
	}
	t.Events = replies
	if (t.Status == item.StatusSolved || t.Status == item.StatusClosed) && !f.ResolutionDate.IsZero() {
		t.Events = append(t.Events, item.Event{Kind: item.EventSolved, At: f.ResolutionDate.Time})
	}
	slices.SortStableFunc(t.Events, func(a, b item.Event) int { return a.At.Compare(b.At) })
	if d.slas != nil {
		fig, err := figures(d.slas, n)
		if err != nil {
			return item.Ticket{}, fmt.Errorf("issue %s: sla: %w", is.ID, err)
		}
		t.Figures = fig
	}
	return t, nil
}

func status(s *apiStatus) item.Status {
	name := strings.ToLower(strings.TrimSpace(s.Name))
	switch strings.ToLower(s.StatusCategory.Key) {
	case "new":
		return item.StatusNew
	case "done":
		if name == "closed" {
			return item.StatusClosed
		}
		return item.StatusSolved
	}
	// indeterminate, or a category Jira may add later: work in progress.
	if name == "waiting for customer" {
		return item.StatusPending
	}
	return item.StatusOpen
}

// replyEvents are the public comments as replies, in the API's order: by
// the reporter a customer reply, by anyone else a vendor reply; n counts
// the vendor replies.
func replyEvents(comments []apiComment, reporter string) (events []item.Event, n int, err error) {
	for i, c := range comments {
		if c.Public == nil || !*c.Public {
			continue
		}
		at, err := c.Created.at()
		if err != nil {
			return nil, 0, fmt.Errorf("comment %d: created: %w", i, err)
		}
		kind := item.EventVendorReply
		if c.Author != nil && c.Author.AccountID == reporter {
			kind = item.EventCustomerReply
		} else {
			n++
		}
		events = append(events, item.Event{Kind: kind, At: at})
	}
	return events, n, nil
}
