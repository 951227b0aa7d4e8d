package jsm

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// The SLA metrics whose cycles date the first reply and the solves. Jira
// Service Management creates them with these names in every service
// project; the API names them as the project does, in any case.
const (
	slaFirstResponse = "time to first response"
	slaResolution    = "time to resolution"
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
//   - Figures, only where the account reads SLAs: the first completed
//     cycle of "Time to first response" and of "Time to resolution" date
//     the first reply and the first solve, and every resolution cycle after
//     the first is a reopen.
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
	replies := 0
	for i, c := range d.comments {
		if c.Public == nil || !*c.Public {
			continue
		}
		at, err := c.Created.at()
		if err != nil {
			return model.Ticket{}, fmt.Errorf("issue %s: comment %d: created: %w", is.ID, i, err)
		}
		kind := model.EventVendorReply
		if c.Author != nil && c.Author.AccountID == reporter {
			kind = model.EventCustomerReply
		} else {
			replies++
		}
		t.Events = append(t.Events, model.Event{Kind: kind, At: at})
	}
	if (t.Status == model.StatusSolved || t.Status == model.StatusClosed) && !f.ResolutionDate.IsZero() {
		t.Events = append(t.Events, model.Event{Kind: model.EventSolved, At: f.ResolutionDate.Time})
	}
	slices.SortStableFunc(t.Events, func(a, b model.Event) int { return a.At.Compare(b.At) })
	if d.slas != nil {
		fig, err := figures(d.slas, replies)
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

// figures reads the two SLA metrics; nil when the request has neither
// (its project measures other SLAs, or none).
func figures(slas []apiSLA, replies int) (*model.Figures, error) {
	var firstResponse, resolution *apiSLA
	for i := range slas {
		switch strings.ToLower(strings.TrimSpace(slas[i].Name)) {
		case slaFirstResponse:
			firstResponse = &slas[i]
		case slaResolution:
			resolution = &slas[i]
		}
	}
	if firstResponse == nil && resolution == nil {
		return nil, nil
	}
	fig := &model.Figures{Replies: replies}
	var err error
	if fig.FirstReplyAt, err = firstStop(firstResponse); err != nil {
		return nil, fmt.Errorf("%s: %w", slaFirstResponse, err)
	}
	if fig.FirstSolvedAt, err = firstStop(resolution); err != nil {
		return nil, fmt.Errorf("%s: %w", slaResolution, err)
	}
	if resolution != nil {
		cycles := len(resolution.CompletedCycles)
		if resolution.OngoingCycle != nil {
			cycles++
		}
		fig.Reopens = max(cycles-1, 0)
	}
	return fig, nil
}

// firstStop is when the metric's earliest completed cycle stopped; zero
// when it has none yet (or the metric is absent). The API lists cycles in
// time order, but the earliest is taken whatever the order.
func firstStop(s *apiSLA) (time.Time, error) {
	var first time.Time
	if s == nil {
		return first, nil
	}
	for i, c := range s.CompletedCycles {
		stop, err := c.StopTime.at()
		if err != nil {
			return time.Time{}, fmt.Errorf("completedCycles[%d].stopTime: %w", i, err)
		}
		if first.IsZero() || stop.Before(first) {
			first = stop
		}
	}
	return first, nil
}
