package jsm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// scopeRefresh is how long a resolved scope is trusted: a desk created, an
// account's time zone changed or SLA access granted is seen within it.
const scopeRefresh = time.Hour

// scope is what the searches need besides the cursor: the Jira projects
// behind the service desks, and the account's time zone, in which JQL reads
// date-times. It also remembers that the account may not read SLAs.
type scope struct {
	projects   []string // numeric project ids
	zone       *time.Location
	slaDenied  bool
	resolvedAt time.Time
}

// resolveScope asks who the account is and which desks it polls: one
// request for the account, one per page of desks (one for a configured
// desk).
func (e *collector) resolveScope(ctx context.Context) (*scope, error) {
	var me apiMyself
	u := e.url("rest/api/3/myself", nil)
	if _, err := e.http.GetJSON(ctx, u, nil, &me); err != nil {
		return nil, fmt.Errorf("jira_service_management: account: %w", err)
	}
	if me.TimeZone == "" {
		return nil, fmt.Errorf("jira_service_management: account: %w", fetch.DecodeError(u, errors.New("no timeZone")))
	}
	zone, err := time.LoadLocation(me.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("jira_service_management: account: %w", fetch.DecodeError(u, err))
	}
	desks, err := e.desks(ctx)
	if err != nil {
		return nil, fmt.Errorf("jira_service_management: service desks: %w", err)
	}
	s := &scope{zone: zone, resolvedAt: e.now()}
	for _, d := range desks {
		if !numeric(d.ProjectID) {
			// The id is written into the JQL: anything else is refused.
			return nil, fmt.Errorf("jira_service_management: service desk %q: %w", d.ID,
				fetch.DecodeError(e.url("rest/servicedeskapi/servicedesk", nil), fmt.Errorf("projectId %q is not a number", d.ProjectID)))
		}
		s.projects = append(s.projects, d.ProjectID)
	}
	if len(s.projects) == 0 {
		// The desks list only those the account is an agent or customer
		// of: access to grant, counted as auth, not as a network failure.
		return nil, fmt.Errorf("jira_service_management: service desks: %w", &fetch.Error{Reason: fetch.ReasonAuth,
			URL: e.url("rest/servicedeskapi/servicedesk", nil), Err: errors.New("the account sees no service desk")})
	}
	return s, nil
}

// desks returns the configured desk, or every desk the account sees.
func (e *collector) desks(ctx context.Context) ([]apiDesk, error) {
	if e.serviceDeskID == "" {
		return fetchAll[apiDesk](ctx, e, "rest/servicedeskapi/servicedesk", nil)
	}
	var d apiDesk
	u := e.url("rest/servicedeskapi/servicedesk/"+url.PathEscape(e.serviceDeskID), nil)
	if _, err := e.http.GetJSON(ctx, u, nil, &d); err != nil {
		return nil, err
	}
	return []apiDesk{d}, nil
}

func numeric(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
