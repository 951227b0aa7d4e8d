package zendeskrequests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
)

// The off-hours drill's writes, as the buyer's end user (docs/sources.md,
// zendesk_requests; Zendesk's Requests API):
//
//	POST /api/v2/requests            {"request": {"subject", "comment": {"body"}, "priority"}} -> 201 {"request": {...}}
//	PUT  /api/v2/requests/{id}       {"request": {"comment": {"body"}}}                       -> 200 {"request": {...}}
//
// and its look for an earlier attempt: first the end user's own request
// list, newest update first (always current), read page after page until
// it is past the time asked for (a request updated before it was created
// before it), then the search endpoint (GET /api/v2/requests/search
// ?query=...), whose index lags new requests by up to a few minutes.
// The list's order is checked, never trusted: a page out of order (a sort
// the account ignores) makes Find read the whole list, up to
// findPages pages, and a list longer than that is an error.
//
// Only the end user's own requests are the drill's: the list and the
// search show the organization's requests too (an end user with the
// organization's access), and a colleague's exporter drilling the same
// vendor with the same interval files requests with the same marker. Find
// keeps a request only when its requester_id is the end user's id (GET
// /api/v2/users/me, asked once: {"user": {"id": ...}}), so a take-over
// or a closing comment never lands on a colleague's request.

// NewCreator builds the drill's creator of a zendesk_requests source (a
// source.CreatorFactory).
func NewCreator(env source.Env) (source.Creator, error) {
	base, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("zendesk_requests: source %q: %w", env.Config.Name, err)
	}
	return &creator{http: env.HTTP.WithMaxBodyBytes(maxPageBytes), base: base}, nil
}

type creator struct {
	http *fetch.Client
	base *url.URL
	user int64 // the end user's id, once known (me)
}

// me is the id of the credentials' end user (GET /api/v2/users/me),
// asked once. An answer without an id (Zendesk's anonymous user) is an
// error: no request would be known as the buyer's.
func (c *creator) me(ctx context.Context) (int64, error) {
	if c.user != 0 {
		return c.user, nil
	}
	u := c.base.JoinPath("api/v2/users/me").String()
	resp, err := c.http.Get(ctx, u, nil)
	if err != nil {
		return 0, fmt.Errorf("the end user: %w", err)
	}
	var me struct {
		User *struct {
			ID *int64 `json:"id"`
		} `json:"user"`
	}
	if err := json.Unmarshal(resp.Body, &me); err != nil || me.User == nil || me.User.ID == nil || *me.User.ID == 0 {
		return 0, fmt.Errorf("the end user: %w", fetch.DecodeError(u, errors.Join(err, errors.New("no user id in GET /api/v2/users/me"))))
	}
	c.user = *me.User.ID
	return c.user, nil
}

// drillRequest is a request as the drill reads it back.
type drillRequest struct {
	ID          *int64     `json:"id"`
	Subject     string     `json:"subject"`
	Description string     `json:"description"`
	CreatedAt   *time.Time `json:"created_at"`
	UpdatedAt   *time.Time `json:"updated_at"`
	RequesterID *int64     `json:"requester_id"`
}

// holds reports whether r carries marker and was requested by the end
// user user (a colleague's request with the same marker is not ours).
func (r drillRequest) holds(marker string, user int64) bool {
	return (strings.Contains(r.Subject, marker) || strings.Contains(r.Description, marker)) &&
		r.RequesterID != nil && *r.RequesterID == user
}

func (r drillRequest) filed() (source.Filed, error) {
	if r.ID == nil || r.CreatedAt == nil {
		return source.Filed{}, errors.New("request without id or created_at")
	}
	return source.Filed{ID: ticketID(*r.ID), CreatedAt: *r.CreatedAt}, nil
}

type requestEnvelope struct {
	Request *drillRequest `json:"request"`
}

// Create files the request (201 Created with the request).
func (c *creator) Create(ctx context.Context, d source.Draft) (source.Filed, error) {
	in := map[string]any{"subject": d.Subject, "comment": map[string]string{"body": d.Body}}
	if d.Priority != "" {
		in["priority"] = d.Priority
	}
	resp, err := c.send(ctx, http.MethodPost, c.base.JoinPath("api/v2/requests").String(), map[string]any{"request": in})
	if err != nil {
		return source.Filed{}, fmt.Errorf("zendesk_requests: create request: %w", err)
	}
	var out requestEnvelope
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.Request == nil {
		// Filed, but the answer does not say as what: unknown (Find).
		return source.Filed{}, fmt.Errorf("zendesk_requests: create request: answer without a request: %w", errors.Join(err, errNoRequest))
	}
	f, err := out.Request.filed()
	if err != nil {
		return source.Filed{}, fmt.Errorf("zendesk_requests: create request: %w", err)
	}
	return f, nil
}

var errNoRequest = errors.New("no request object")

// Target is the account's base URL.
func (c *creator) Target() string { return c.base.String() }

// Comment adds a public comment as the end user.
func (c *creator) Comment(ctx context.Context, id, body string) error {
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return fmt.Errorf("zendesk_requests: comment: %q is not a request id", id)
	}
	in := map[string]any{"request": map[string]any{"comment": map[string]string{"body": body}}}
	if _, err := c.send(ctx, http.MethodPut, c.base.JoinPath("api/v2/requests", id).String(), in); err != nil {
		return fmt.Errorf("zendesk_requests: comment on request %s: %w", id, err)
	}
	return nil
}

// findPages bounds the pages of the end user's list Find reads.
const findPages = 50

// Find reads the end user's requests, newest update first, until past
// since, then asks the search endpoint; it returns every request holding
// marker it met.
func (c *creator) Find(ctx context.Context, marker string, since time.Time) ([]source.Filed, error) {
	user, err := c.me(ctx)
	if err != nil {
		return nil, fmt.Errorf("zendesk_requests: find drill request: %w", err)
	}
	list := c.base.JoinPath("api/v2/requests")
	list.RawQuery = url.Values{"page[size]": {pageSize}, "sort_by": {"updated_at"}, "sort_order": {"desc"}}.Encode()
	next, sorted := list.String(), true
	var all []source.Filed
	for pages := 0; ; pages++ {
		if pages == findPages {
			return nil, fmt.Errorf("zendesk_requests: find drill request: the request list is not read to %s after %d pages",
				since.Format(time.RFC3339), findPages)
		}
		resp, err := c.http.Get(ctx, next, nil)
		if err != nil {
			return nil, fmt.Errorf("zendesk_requests: find drill request: %w", err)
		}
		var page struct {
			Requests []drillRequest `json:"requests"`
			Meta     apiMeta        `json:"meta"`
		}
		if err := json.Unmarshal(resp.Body, &page); err != nil {
			return nil, fmt.Errorf("zendesk_requests: find drill request: %w", err)
		}
		past := false
		for i, r := range page.Requests {
			if r.holds(marker, user) {
				f, err := r.filed()
				if err != nil {
					return nil, fmt.Errorf("zendesk_requests: find drill request: %w", err)
				}
				all = source.AddFiled(all, f)
			}
			switch {
			case r.UpdatedAt == nil:
				sorted = false
			case i > 0 && page.Requests[i-1].UpdatedAt != nil && r.UpdatedAt.After(*page.Requests[i-1].UpdatedAt):
				sorted = false
			case r.UpdatedAt.Before(since):
				past = true
			}
		}
		if past && sorted || !page.Meta.HasMore || page.Meta.AfterCursor == nil || *page.Meta.AfterCursor == "" || len(page.Requests) == 0 {
			break
		}
		q := list.Query()
		q.Set("page[after]", *page.Meta.AfterCursor)
		u := *list
		u.RawQuery = q.Encode()
		next = u.String()
	}
	search := c.base.JoinPath("api/v2/requests/search")
	search.RawQuery = url.Values{"query": {`"` + marker + `"`}}.Encode()
	resp, err := c.http.Get(ctx, search.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("zendesk_requests: find drill request: %w", err)
	}
	var found struct {
		Requests []drillRequest `json:"requests"`
	}
	if err := json.Unmarshal(resp.Body, &found); err != nil {
		return nil, fmt.Errorf("zendesk_requests: find drill request: %w", err)
	}
	for _, r := range found.Requests {
		if r.holds(marker, user) {
			f, err := r.filed()
			if err != nil {
				return nil, fmt.Errorf("zendesk_requests: find drill request: %w", err)
			}
			all = source.AddFiled(all, f)
		}
	}
	return all, nil
}

func (c *creator) send(ctx context.Context, method, u string, in any) (*fetch.Response, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	return c.http.Send(ctx, fetch.Write{Method: method, URL: u, Header: h, Body: body})
}
