package jsm

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/model"
)

// requestsQuery lists every request the account can see, open or closed:
// its own, those it participates in and its organizations' (the default
// ownership, named as the API asks, since ALL_REQUESTS is deprecated).
func (e *collector) requestsQuery() url.Values {
	q := url.Values{
		"requestOwnership": {"OWNED_REQUESTS", "PARTICIPATED_REQUESTS", "ALL_ORGANIZATIONS"},
		"requestStatus":    {"ALL_REQUESTS"},
	}
	if e.serviceDeskID != "" {
		q.Set("serviceDeskId", e.serviceDeskID)
	}
	return q
}

// syncRequests is the sync of an account that may not search: it pages the
// whole request list and fetches the comments of the requests that show
// activity since the previous sync (see activity). The batches before the
// last keep the stored cursor: the list is only known to be stored once
// every changed request is.
func (e *collector) syncRequests(ctx context.Context, cur cursor, emit func(model.Batch) error) error {
	all, err := fetchAll[apiRequest](ctx, e, "rest/servicedeskapi/request", e.requestsQuery())
	if err != nil {
		return fmt.Errorf("jira_service_management: requests: %w", err)
	}
	listed := make([]apiRequest, 0, len(all))
	seen := make(map[string]bool, len(all))
	for i, r := range all {
		if err := r.check(); err != nil {
			return fmt.Errorf("jira_service_management: requests: %w",
				fetch.DecodeError(e.url("rest/servicedeskapi/request", nil), fmt.Errorf("values[%d]: %w", i, err)))
		}
		// A request with new activity during the walk moves to the front
		// and shifts the rest back: it may be listed twice.
		if !seen[r.IssueID] {
			seen[r.IssueID] = true
			listed = append(listed, r)
		}
	}
	changed := cur.activity(listed)
	rejected := map[string]bool{}
	var b model.Batch
	for i, r := range listed {
		created, _ := r.CreatedDate.at() // checked
		if !changed[i] || created.Before(e.historyStart) {
			continue
		}
		t, err := e.requestTicket(ctx, r)
		var fe *fetch.Error
		if errors.As(err, &fe) && fe.Status == 404 {
			continue // deleted since it was listed
		}
		if err != nil {
			return fmt.Errorf("jira_service_management: request %s: %w", r.IssueKey, err)
		}
		if why := e.bounds.Ticket(&t); why != "" {
			// The exporter would refuse it; listed as seen, it would not
			// be read again until its next activity.
			e.rejected(why)
			rejected[r.IssueID] = true
			continue
		}
		b.Tickets = append(b.Tickets, t)
		if len(b.Tickets) == pageSize {
			if err := emit(b); err != nil {
				return fmt.Errorf("jira_service_management: storing requests: %w", err)
			}
			b = model.Batch{}
		}
	}
	b.Cursor = cursor{Requests: listedStates(listed, rejected)}.encode()
	if err := emit(b); err != nil {
		return fmt.Errorf("jira_service_management: storing requests: %w", err)
	}
	return nil
}

// requestTicket fetches a listed request's public comments and maps it.
func (e *collector) requestTicket(ctx context.Context, r apiRequest) (model.Ticket, error) {
	path := "rest/servicedeskapi/request/" + url.PathEscape(r.IssueID) + "/comment"
	comments, err := fetchAll[apiComment](ctx, e, path, url.Values{"public": {"true"}, "internal": {"false"}})
	if err != nil {
		return model.Ticket{}, fmt.Errorf("comments: %w", err)
	}
	stored, err := e.stored(r.IssueID)
	if err != nil {
		return model.Ticket{}, fmt.Errorf("reading the stored version: %w", err)
	}
	t, err := requestToTicket(r, comments, stored)
	if err != nil {
		return model.Ticket{}, fetch.DecodeError(e.url(path, nil), err)
	}
	return t, nil
}
