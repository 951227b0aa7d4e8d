package jsm

import (
	"fmt"
	"slices"
	"strings"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// details is what the servicedeskapi adds to a searched issue.
type details struct {
	comments []apiComment
	// slas is nil when the account may not read SLAs (not an agent).
	slas []apiSLA
}

// toTicket maps a searched issue and its details onto the model.
//
//   - Status: the status category (new, indeterminate, done), refined by
//     the two status names every JSM workflow template ships that the
//     category cannot tell: "Waiting for customer" is pending and "Closed"
//     is closed (final); any other done status is solved.
//   - Events: a public comment by the reporter is a customer reply, by
//     anyone else a vendor reply; a done request is solved at its
//     resolution date (the latest resolution: Jira keeps no earlier one).
//   - Figures, only where the account reads SLAs: see figures.
func toTicket(is apiIssue, d details) (model.Ticket, error) {
	f := is.Fields
	t := model.Ticket{
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
		return model.Ticket{}, fmt.Errorf("issue %s: %w", is.ID, err)
	}
	t.Events = replies
	if (t.Status == model.StatusSolved || t.Status == model.StatusClosed) && !f.ResolutionDate.IsZero() {
		t.Events = append(t.Events, model.Event{Kind: model.EventSolved, At: f.ResolutionDate.Time})
	}
	slices.SortStableFunc(t.Events, func(a, b model.Event) int { return a.At.Compare(b.At) })
	if d.slas != nil {
		fig, err := figures(d.slas, n)
		if err != nil {
			return model.Ticket{}, fmt.Errorf("issue %s: sla: %w", is.ID, err)
		}
		t.Figures = fig
	}
	return t, nil
}

func status(s *apiStatus) model.Status {
	name := strings.ToLower(strings.TrimSpace(s.Name))
	switch strings.ToLower(s.StatusCategory.Key) {
	case "new":
		return model.StatusNew
	case "done":
		if name == "closed" {
			return model.StatusClosed
		}
		return model.StatusSolved
	}
	// indeterminate, or a category Jira may add later: work in progress.
	if name == "waiting for customer" {
		return model.StatusPending
	}
	return model.StatusOpen
}

// replyEvents are the public comments as replies, in the API's order: by
// the reporter a customer reply, by anyone else a vendor reply; n counts
// the vendor replies.
func replyEvents(comments []apiComment, reporter string) (events []model.Event, n int, err error) {
	for i, c := range comments {
		if c.Public == nil || !*c.Public {
			continue
		}
		at, err := c.Created.at()
		if err != nil {
			return nil, 0, fmt.Errorf("comment %d: created: %w", i, err)
		}
		kind := model.EventVendorReply
		if c.Author != nil && c.Author.AccountID == reporter {
			kind = model.EventCustomerReply
		} else {
			n++
		}
		events = append(events, model.Event{Kind: kind, At: at})
	}
	return events, n, nil
}
