package jsm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
)

// The off-hours drill's writes, as the portal customer (api: customer;
// docs/sources.md, jira_service_management; the servicedeskapi):
//
//	POST /rest/servicedeskapi/request              {"serviceDeskId", "requestTypeId", "requestFieldValues": {"summary", "description"}} -> 201 CustomerRequestDTO
//	POST /rest/servicedeskapi/request/{id}/comment {"body", "public": true}                                                           -> 201 CommentDTO
//
// and its look for an earlier attempt, matched against the summary and
// description listed: first the customer's own requests of the service
// desk, in every status (GET /rest/servicedeskapi/request
// ?requestOwnership=OWNED_REQUESTS&requestStatus=ALL_REQUESTS
// &serviceDeskId=..., most recent activity first; always current; the
// default status OPEN_REQUESTS would miss a drill ticket already
// resolved), to the list's end (at most findPages pages, else an error),
// then the same with searchTerm=<marker>,
// whose index may lag. Both ask only for the customer's own requests
// (OWNED_REQUESTS), and Find checks it too: a request is the drill's only
// when its reporter is the calling account (GET /rest/api/3/myself,
// asked once), never a colleague's in the buyer's organization filed by
// an exporter with the same vendor and interval, and so the same marker.
// The request's
// priority is the request type's to decide: drill.priority is not sent.

// NewCreator builds the drill's creator of a jira_service_management
// source with api: customer (a source.CreatorFactory).
func NewCreator(env source.Env) (source.Creator, error) {
	base, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("jira_service_management: source %q: %w", env.Config.Name, err)
	}
	opts := optionsOf(env.Config)
	if env.Vendor == nil || env.Vendor.Drill == nil {
		return nil, fmt.Errorf("jira_service_management: source %q: no drill configured", env.Config.Name)
	}
	if why := opts.DrillRefusal(env.Vendor.Drill); why != "" {
		return nil, fmt.Errorf("jira_service_management: source %q: %s", env.Config.Name, why)
	}
	return &creator{http: env.HTTP.WithMaxBodyBytes(maxBodyBytes), base: base, desk: opts.ServiceDeskID,
		requestType: env.Vendor.Drill.RequestType, log: env.Log()}, nil
}

type creator struct {
	http              *fetch.Client
	base              *url.URL
	desk, requestType string
	account           string // the calling account's id, once known (me, or a create's reporter)
	// refused: GET /rest/api/3/myself was refused (a portal-only
	// customer may lack the Jira access it asks for); the look then
	// keeps what requestOwnership=OWNED_REQUESTS keeps until a create's
	// answer names the account.
	refused bool
	log     *slog.Logger
}

// me is the calling account's id (GET /rest/api/3/myself), asked once;
// "" when the endpoint refuses the account (401, 403, 404): the server's
// OWNED_REQUESTS then alone keeps the look to the account's requests.
// Any other failure is an error, never "every request".
func (c *creator) me(ctx context.Context) (string, error) {
	if c.account != "" || c.refused {
		return c.account, nil
	}
	u := c.base.JoinPath("rest/api/3/myself").String()
	var me struct {
		AccountID string `json:"accountId"`
	}
	if _, err := c.http.GetJSON(ctx, u, nil, &me); err != nil {
		var fe *fetch.Error
		if errors.As(err, &fe) && (fe.Status == http.StatusUnauthorized || fe.Status == http.StatusForbidden || fe.Status == http.StatusNotFound) {
			c.refused = true
			c.log.Warn("jira_service_management: the drill's account may not read GET /rest/api/3/myself; its look keeps the requests the server lists as the account's own (requestOwnership=OWNED_REQUESTS) until a create names the account",
				"status", fe.Status)
			return "", nil
		}
		return "", fmt.Errorf("the account: %w", err)
	}
	if me.AccountID == "" {
		return "", fmt.Errorf("the account: %w", fetch.DecodeError(u, errors.New("no accountId in GET /rest/api/3/myself")))
	}
	c.account = me.AccountID
	return c.account, nil
}

// drillRequest is a CustomerRequestDTO as the drill reads it.
type drillRequest struct {
	IssueID            string   `json:"issueId"`
	CreatedDate        *apiDate `json:"createdDate"`
	RequestFieldValues []struct {
		FieldID string `json:"fieldId"`
		Value   any    `json:"value"`
	} `json:"requestFieldValues"`
	Reporter *apiUser `json:"reporter"`
}

func (r drillRequest) filed() (source.Filed, error) {
	at, err := r.CreatedDate.at()
	switch {
	case r.IssueID == "":
		return source.Filed{}, errors.New("request without issueId")
	case err != nil:
		return source.Filed{}, fmt.Errorf("request %s: createdDate: %w", r.IssueID, err)
	}
	// The collector's ticket id: the issue id (request_ticket.go).
	return source.Filed{ID: r.IssueID, CreatedAt: at}, nil
}

// holds reports whether r carries marker and was reported by the account
// id me.
func (r drillRequest) holds(marker, me string) bool {
	if me != "" && (r.Reporter == nil || r.Reporter.AccountID != me) {
		return false
	}
	for _, f := range r.RequestFieldValues {
		if s, ok := f.Value.(string); ok && (f.FieldID == "summary" || f.FieldID == "description") && strings.Contains(s, marker) {
			return true
		}
	}
	return false
}

func (c *creator) Create(ctx context.Context, d source.Draft) (source.Filed, error) {
	in := map[string]any{"serviceDeskId": c.desk, "requestTypeId": c.requestType,
		"requestFieldValues": map[string]string{"summary": d.Subject, "description": d.Body}}
	resp, err := c.post(ctx, c.base.JoinPath("rest/servicedeskapi/request").String(), in)
	if err != nil {
		return source.Filed{}, fmt.Errorf("jira_service_management: create request: %w", err)
	}
	var r drillRequest
	if err := json.Unmarshal(resp.Body, &r); err != nil {
		return source.Filed{}, fmt.Errorf("jira_service_management: create request: %w", err)
	}
	f, err := r.filed()
	if err != nil {
		return source.Filed{}, fmt.Errorf("jira_service_management: create request: %w", err)
	}
	if c.account == "" && r.Reporter != nil {
		c.account = r.Reporter.AccountID // the request's reporter is the caller
	}
	return f, nil
}

// Target is the site's base URL and the service desk.
func (c *creator) Target() string { return c.base.String() + " service desk " + c.desk }

func (c *creator) Comment(ctx context.Context, id, body string) error {
	if !numeric(id) {
		return fmt.Errorf("jira_service_management: comment: %q is not a request id", id)
	}
	in := map[string]any{"body": body, "public": true}
	if _, err := c.post(ctx, c.base.JoinPath("rest/servicedeskapi/request", id, "comment").String(), in); err != nil {
		return fmt.Errorf("jira_service_management: comment on request %s: %w", id, err)
	}
	return nil
}

// findPages bounds the pages of the customer's own requests that Find
// reads before it asks the search: a list not read to its end by then is
// an error. The list is ordered by latest activity, not creation (a
// comment moves an old request to the top), so a request created before
// since says nothing of those after it: the list is read to its end.
const findPages = 20

func (c *creator) Find(ctx context.Context, marker string, _ time.Time) ([]source.Filed, error) {
	me, err := c.me(ctx)
	if err != nil {
		return nil, fmt.Errorf("jira_service_management: find drill request: %w", err)
	}
	var all []source.Filed
	own := url.Values{"requestOwnership": {"OWNED_REQUESTS"}, "requestStatus": {"ALL_REQUESTS"}, "serviceDeskId": {c.desk}}
	search := url.Values{"searchTerm": {marker}}
	for k, v := range own {
		search[k] = v
	}
	for _, q := range []struct {
		v     url.Values
		pages int
	}{{own, findPages}, {search, 1}} {
		start := 0
		for page := 0; ; page++ {
			if page == q.pages {
				if q.pages == findPages {
					return nil, fmt.Errorf("jira_service_management: find drill request: the customer's requests are not read to their end after %d pages", findPages)
				}
				break // the search: its first page only
			}
			u := c.base.JoinPath("rest/servicedeskapi/request")
			q.v.Set("start", strconv.Itoa(start))
			q.v.Set("limit", "50")
			u.RawQuery = q.v.Encode()
			resp, err := c.http.Get(ctx, u.String(), nil)
			if err != nil {
				return nil, fmt.Errorf("jira_service_management: find drill request: %w", err)
			}
			var page struct {
				Values     []drillRequest `json:"values"`
				IsLastPage *bool          `json:"isLastPage"`
			}
			if err := json.Unmarshal(resp.Body, &page); err != nil {
				return nil, fmt.Errorf("jira_service_management: find drill request: %w", err)
			}
			for _, r := range page.Values {
				if r.holds(marker, me) {
					f, err := r.filed()
					if err != nil {
						return nil, fmt.Errorf("jira_service_management: find drill request: %w", err)
					}
					all = source.AddFiled(all, f)
				}
			}
			if page.IsLastPage == nil || *page.IsLastPage || len(page.Values) == 0 {
				break
			}
			start += len(page.Values)
		}
	}
	return all, nil
}

func (c *creator) post(ctx context.Context, u string, in any) (*fetch.Response, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	return c.http.Send(ctx, fetch.Write{Method: http.MethodPost, URL: u, Header: h, Body: body})
}
