package jsm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/item"
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
// activity since the previous sync (see activity).
//
// Every batch stores the listing with it, each request still to read (and
// each refused) without its status mark, which no listing matches (see
// listedStates): a sync that ends early, at max_requests_per_sync say,
// keeps what it read, and the next one reads only the rest, so that a
// first sync larger than the budget completes over several.
func (e *collector) syncRequests(ctx context.Context, cur cursor, emit func(item.Batch) error) error {
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
	// unread are the requests the stored listing leaves unmarked: those
	// with activity until they are read, and those refused.
	unread := map[string]bool{}
	for i, r := range listed {
		if changed[i] {
			unread[r.IssueID] = true
		}
	}
	var b item.Batch
	store := func() error {
		b.Cursor = cursor{Requests: listedStates(listed, unread)}.encode()
		if err := emit(b); err != nil {
			return fmt.Errorf("jira_service_management: storing requests: %w", err)
		}
		b = item.Batch{}
		return nil
	}
	for i, r := range listed {
		if !changed[i] {
			continue
		}
		t, keep, err := e.readRequest(ctx, r)
		if err != nil {
			// What was read is stored: the next sync reads the rest.
			if serr := store(); serr != nil {
				return serr
			}
			return fmt.Errorf("jira_service_management: request %s: %w", r.IssueKey, err)
		}
		if !keep {
			continue // refused: stays unread, so that the next poll reads it again
		}
		delete(unread, r.IssueID)
		if t != nil {
			b.Tickets = append(b.Tickets, *t)
			if len(b.Tickets) == pageSize {
				if err := store(); err != nil {
					return err
				}
			}
		}
	}
	return store()
}

// readRequest reads a listed request with activity: its ticket, or nil when
// there is none to store (created before the history start, deleted since
// it was listed). keep is false for a request whose times are implausible
// (source.Env.Bounds): it is counted as rejected and left unread, since,
// listed as seen, it would not be read again until its next activity. Its
// listed dates are checked before its comments are fetched, and before the
// history start is: a date a century back is no reason to leave a request
// out for good.
func (e *collector) readRequest(ctx context.Context, r apiRequest) (t *item.Ticket, keep bool, err error) {
	created, _ := r.CreatedDate.at()               // checked
	statusAt, _ := r.CurrentStatus.StatusDate.at() // checked
	for _, at := range []time.Time{created, statusAt} {
		if why := e.bounds.Check(at); why != "" {
			e.rejected(why)
			return nil, false, nil
		}
	}
	if created.Before(e.historyStart) {
		return nil, true, nil
	}
	tk, err := e.requestTicket(ctx, r)
	var fe *fetch.Error
	if errors.As(err, &fe) && fe.Status == 404 {
		return nil, true, nil // deleted since it was listed
	}
	if err != nil {
		return nil, false, err
	}
	if why := e.bounds.Ticket(&tk); why != "" {
		e.rejected(why)
		return nil, false, nil
	}
	return &tk, true, nil
}

// requestTicket fetches a listed request's public comments and maps it.
func (e *collector) requestTicket(ctx context.Context, r apiRequest) (item.Ticket, error) {
	path := "rest/servicedeskapi/request/" + url.PathEscape(r.IssueID) + "/comment"
	comments, err := fetchAll[apiComment](ctx, e, path, url.Values{"public": {"true"}, "internal": {"false"}})
	if err != nil {
		return item.Ticket{}, fmt.Errorf("comments: %w", err)
	}
	stored, err := e.stored(r.IssueID)
	if err != nil {
		return item.Ticket{}, fmt.Errorf("reading the stored version: %w", err)
	}
	t, err := requestToTicket(r, e.withoutAutomated(comments), stored)
	if err != nil {
		return item.Ticket{}, fetch.DecodeError(e.url(path, nil), err)
	}
	return t, nil
}
