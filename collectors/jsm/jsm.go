// Package jsm collects the requests of Jira Service Management Cloud (the
// source kind jira_service_management), as an agent of the desks or as a
// portal customer of them.
//
// # Agent mode
//
// The servicedeskapi cannot list the requests changed since a time: GET
// /rest/servicedeskapi/request pages through every request, ordered by
// latest activity but without an activity timestamp, and has no
// updated-since filter (JSDSERVER-6880). So the requests that changed come
// from the Jira platform's enhanced JQL search, which carries each issue's
// update time and the fields the model needs:
//
//	GET /rest/api/3/search/jql?jql=project in (<desk projects>) AND updated >= "<since>"
//	    ORDER BY updated ASC, key ASC&fields=created,updated,priority,status,resolutiondate,reporter,labels
//
// and the servicedeskapi gives, for the changed requests only, what the
// platform does not: public comments with their authors
// (GET /rest/servicedeskapi/request/{id}/comment?public=true&internal=false)
// and the vendor's own SLA cycles (GET /rest/servicedeskapi/request/{id}/sla).
//
// # Customer mode
//
// With api: customer (Options.API), the account is a portal
// customer of the desks: it may not browse the service projects (Jira
// answers its search 400, "The value '<id>' does not exist for the field
// 'project'", as for a project that does not exist) nor read SLAs (403).
// Such an account lists the requests instead (syncRequests), and never
// searches, resolves the desks' scope or asks for SLAs:
//
//	GET /rest/servicedeskapi/request?requestOwnership=OWNED_REQUESTS&requestOwnership=PARTICIPATED_REQUESTS
//	    &requestOwnership=ALL_ORGANIZATIONS&requestStatus=ALL_REQUESTS[&serviceDeskId=<id>]
//
// paged with start, limit and isLastPage, then the public comments of the
// requests with activity since the previous poll. The list shows no update
// time, priority or labels: only the creation, the reporter and the current
// status with the date it was entered. Which requests had activity is told
// from the list's order, by latest activity (see cursor.activity), and from
// their status and status date; solves and reopens from the status, against
// the version stored at the previous poll (see requestToTicket).
//
// The mode is configured, never guessed (api: agent is the default): an
// agent-mode search that Jira refuses with 400 fails the sync with an error
// that says to set api: customer for a portal customer, since customer
// versions would replace the stored tickets' priorities and the vendor's
// SLA verdicts. A listing stored in customer mode is dropped by the first
// search of agent mode; a search cursor stored in agent mode is replaced by
// the first listing of customer mode.
//
// # Credentials
//
// Basic auth with an account's email and API token (set in http_client).
// The search needs Browse projects on the service projects, and the SLA
// endpoint an agent of the desk: the least privilege that feeds every
// metric is an agent of the polled desks. An account that gets 403 from
// the SLA endpoint is polled without SLA figures, its metrics derived from
// the comments and the configured targets. The least privilege of
// customer mode is a portal customer of the desks, in the organization
// whose requests are to be measured.
//
// # Request cost
//
// In agent mode, resolving the scope (the account's time zone, in which
// JQL reads date-times, and the desks' projects) costs 2 requests at the
// first sync and again every hour (one more per 100 desks when
// service_desk_id is not set). A poll costs one search request per 100
// changed issues, plus, per changed request, one comment request per 100
// public comments and one SLA request. Each search reaches 10 minutes
// before the newest update stored, as Jira's search index may lag; the
// issues in that overlap that are already stored cost nothing more, so a
// caught-up poll costs one request. In customer mode, a poll costs one
// list request per 100 requests the account sees (all of them, every
// poll), plus one comment request per 100 public comments of each request
// with activity, the first listed one included. Jira Cloud announces its
// limits in X-RateLimit-* and Retry-After headers, which the shared client
// honours; it documents no static rate to declare. Responses over 8 MiB
// are refused.
//
// A sync that reaches max_requests_per_sync (or fails otherwise) keeps what
// it read: a search stores the issues of the page read before the failure
// with the cursor after the last of them (the search is ordered by update,
// then key, so that is a keyset position), and a listing is stored with
// every batch, the requests still to read unmarked. A first sync larger
// than the budget so completes over several, each costing the budget once.
//
// # Implausible times and circles
//
// An issue updated at an implausible time (source.Env.Bounds: after our
// clock plus the allowed skew, or before global.earliest_timestamp) is left
// out of the search's cursor and counted as rejected; the search is in
// update order, so one in the future ends the sync's search at its page.
// An issue updated plausibly whose comments or SLA cycles carry an
// implausible time is refused too, and ends the search before it: a cursor
// past it would not search it again until its next update. A stored cursor
// in the future makes the next search start over from the history start. In customer mode, a request whose ticket has an
// implausible time is left out and listed so that the next poll reads it
// again; dates before 1970 (negative epochMillis) are times like any other,
// which the bounds refuse, not a reason to fail the sync. A search that says more follows on a page without new issues, or
// hands back a nextPageToken already followed, ends the sync with reason
// loop once that page is stored, and a servicedeskapi collection that says
// more follows on a page without a new value ends it too. The enhanced
// search reports no total to bound the walk with, only isLast.
//
// # Metrics
//
// Agent mode feeds first response (the SLA's first response cycle, else
// the first public comment by someone other than the reporter), resolution
// (the resolution cycle, else the resolution date), one-touch (only for
// requests in a status named Closed, the only final one), rounds, reopens
// (resolution cycles after the first; none without SLA access),
// follow-ups, SLA checks and breaches, escalations by label
// (escalation.tags), and the open gauges. Where the account reads SLAs,
// the first run of each of the vendor's clocks (item.SLAClock) carries
// its own verdict, which package quality counts instead of the configured
// targets. Customer mode feeds the same from comments and statuses, but
// no priority, escalations or vendor verdict: the configured targets
// decide. Not fed in either: satisfaction (request feedback is not read)
// and escalation by the API (JSM has no escalation flag).
package jsm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// pageSize is the largest page asked for, of issues, comments and SLAs;
// the APIs may return fewer.
const pageSize = 100

// searchFields are the issue fields the search returns.
const searchFields = "created,updated,priority,status,resolutiondate,reporter,labels"

// maxBodyBytes caps a response. A search page of 100 issues with the
// fields asked for is about 160 KB, a customer's page of 100 requests about
// 200 KB (the simulator's; a real request is 2.7 KB), a page of comments
// less with short ones; the cap leaves room for a page of 100 comments at
// Jira's limit of 32,767 characters, in any script.
const maxBodyBytes = 8 << 20

// New builds the source of kind jira_service_management (a source.Factory).
func New(env source.Env) (source.Source, error) {
	base, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("jira_service_management: source %q: %w", env.Config.Name, err)
	}
	opts := optionsOf(env.Config)
	if id := opts.ServiceDeskID; id != "" && !numeric(id) {
		return nil, fmt.Errorf("jira_service_management: source %q: service_desk_id %q must be a number", env.Config.Name, id)
	}
	switch opts.API {
	case apiAgent, apiCustomer:
	default:
		return nil, fmt.Errorf("jira_service_management: source %q: api %q must be %s or %s", env.Config.Name, opts.API, apiAgent, apiCustomer)
	}
	now := env.Clock()
	logger := env.Log()
	stored := env.StoredOrNone()
	automated := map[string]bool{}
	for _, id := range opts.Automation {
		automated[id] = true
	}
	return &collector{
		automated:     automated,
		http:          env.HTTP.WithMaxBodyBytes(maxBodyBytes),
		base:          base,
		serviceDeskID: opts.ServiceDeskID,
		customer:      opts.API == apiCustomer,
		historyStart:  env.HistoryStart,
		now:           now,
		bounds:        env.Bounds,
		rejected:      env.Rejected,
		stored:        stored,
		logger:        logger,
	}, nil
}

// collector polls one Jira Service Management site.
type collector struct {
	http          *fetch.Client
	base          *url.URL
	serviceDeskID string // empty: every desk the account sees
	customer      bool   // api: customer, a portal customer listing requests
	historyStart  time.Time
	now           func() time.Time
	// bounds are the plausible times: an issue updated at another time is
	// kept out of the cursor, and reported to rejected.
	bounds   door.Bounds
	rejected func(reason string)
	stored   func(id string) (*item.Ticket, error)
	logger   *slog.Logger

	mu    sync.Mutex // serializes syncs: they share the scope
	scope *scope     // nil until resolved; agent mode only
	// automated are the automation_accounts: their comments are no
	// replies (withoutAutomated).
	automated map[string]bool
}

// Sync polls the desks in the configured mode: in agent mode it searches
// the issues updated since the cursor in update order and emits one batch
// per search page, each with the cursor after its last issue: an issue
// updated during the sync moves to the end of the order, so it is met later
// in this sync or in the next one, never skipped. In customer mode it lists
// the requests (syncRequests).
func (e *collector) Sync(ctx context.Context, raw []byte, emit func(item.Batch) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cur, err := decodeCursor(raw)
	if err != nil {
		return fmt.Errorf("jira_service_management: %w", err)
	}
	if e.customer {
		return e.syncRequests(ctx, cur, emit)
	}
	if e.bounds.Check(time.UnixMilli(cur.Since)) == door.ReasonFuture {
		// Stored before implausible times were kept out: no issue could be
		// newer, so every change would be missed.
		e.logger.Warn("jira_service_management: the stored cursor lies in the future: searching again from the history start",
			"since", time.UnixMilli(cur.Since).UTC())
		cur = cursor{Seen: map[string]int64{}}
	}
	if e.scope == nil || e.now().Sub(e.scope.resolvedAt) >= scopeRefresh {
		s, err := e.resolveScope(ctx)
		if err != nil {
			return err
		}
		e.scope = s
	}
	return e.search(ctx, cur, emit)
}

// search walks the search from cur, one batch per page.
func (e *collector) search(ctx context.Context, cur cursor, emit func(item.Batch) error) error {
	jql := e.jql(cur)
	token := ""
	followed := map[string]bool{} // the nextPageTokens sent
	handled := map[string]int64{} // issues handled in this sync, by update (ms)
	for n := 1; ; n++ {
		q := url.Values{"jql": {jql}, "fields": {searchFields}, "maxResults": {strconv.Itoa(pageSize)}}
		if token != "" {
			q.Set("nextPageToken", token)
		}
		u := e.url("rest/api/3/search/jql", q)
		resp, err := e.http.Get(ctx, u, nil)
		var fe *fetch.Error
		if n == 1 && errors.As(err, &fe) && fe.Status == http.StatusBadRequest {
			// The query names the projects of the account's own desks, so
			// Jira refuses it when the account may not browse them ("The
			// value '<id>' does not exist for the field 'project'"): a
			// portal customer, configured as an agent.
			return fmt.Errorf("jira_service_management: search page 1: the account cannot search the desks' projects: if it is a portal customer, set api: customer: %w", err)
		}
		if err != nil {
			return fmt.Errorf("jira_service_management: search page %d: %w", n, err)
		}
		// A listing kept from customer mode is stale once the search works.
		cur.Requests = nil
		p, err := decodeSearchPage(resp.Body)
		if err != nil {
			return fmt.Errorf("jira_service_management: search page %d: %w", n, fetch.DecodeError(u, err))
		}
		b, fresh, stop, err := e.batch(ctx, *p.Issues, &cur, handled)
		if err != nil {
			// The issues handled before the failure are stored, with the
			// cursor after the last of them: a page costs about 2
			// requests an issue, so a sync that reaches
			// max_requests_per_sync within a page still makes progress.
			if serr := emit(b); serr != nil {
				return fmt.Errorf("jira_service_management: storing search page %d: %w", n, serr)
			}
			return fmt.Errorf("jira_service_management: search page %d: %w", n, err)
		}
		if err := emit(b); err != nil {
			return fmt.Errorf("jira_service_management: storing search page %d: %w", n, err)
		}
		// The search is in update order: after an issue dated in the
		// future come only more of them.
		if p.last() || stop {
			return nil
		}
		var circle string
		switch {
		case followed[p.NextPageToken]:
			circle = "nextPageToken " + p.NextPageToken + " was followed earlier in this sync"
		case len(*p.Issues) == 0:
			circle = "isLast is false on a page without issues"
		case fresh == 0:
			circle = "isLast is false, but the page only repeats issues handled earlier in this sync, unchanged"
		}
		if circle != "" {
			return fmt.Errorf("jira_service_management: search page %d: %w", n, fetch.LoopError(u, errors.New(circle)))
		}
		followed[p.NextPageToken] = true
		token = p.NextPageToken
	}
}

// jql selects the desks' issues updated since the cursor's window, or since
// the history start on the first sync. JQL takes minutes in the account's
// time zone; rounding down re-reads at most a minute more.
func (e *collector) jql(cur cursor) string {
	from := e.historyStart
	if cur.Since > 0 {
		from = cur.windowStart()
	}
	q := "project in (" + strings.Join(e.scope.projects, ", ") + ")"
	if !from.IsZero() {
		q += ` AND updated >= "` + from.In(e.scope.zone).Format("2006-01-02 15:04") + `"`
	}
	return q + " ORDER BY updated ASC, key ASC"
}

// batch fetches the details of the page's issues that changed since they
// were stored, and advances cur past the page. handled records the issues
// of this sync, which are not fetched twice; fresh counts those new to it.
// An issue updated at an implausible time is left out, cur not advanced
// onto it. stop says whether the search ends at this page: an issue lies
// in the future, or one's comments or SLA cycles carry an implausible time
// (the batch then ends before it, so that the next sync reads it again).
//
// On a failure, b holds the issues handled before it, with the cursor
// after the last of them: the search is ordered by updated, then key, so
// that cursor (the newest update stored, and the issues stored at the
// updates of the overlap) is a valid keyset position to resume from, and
// the issue that failed is the first one the next sync fetches.
func (e *collector) batch(ctx context.Context, issues []apiIssue, cur *cursor, handled map[string]int64) (b item.Batch, fresh int, stop bool, err error) {
	for _, is := range issues {
		updated := is.Fields.Updated.Time
		if why := e.bounds.Check(updated); why != "" {
			if !is.Fields.Created.Before(e.historyStart) {
				e.rejected(why)
			}
			stop = stop || why == door.ReasonFuture
			continue
		}
		if ms, ok := handled[is.ID]; ok && ms == updated.UnixMilli() {
			continue
		}
		handled[is.ID] = updated.UnixMilli()
		fresh++
		if cur.stored(is.ID, updated) {
			continue
		}
		if is.Fields.Created.Before(e.historyStart) {
			cur.note(is.ID, updated)
			continue
		}
		d, err := e.details(ctx, is.ID)
		var fe *fetch.Error
		if errors.As(err, &fe) && fe.Status == 404 {
			// Deleted since the search, or an issue that is no customer
			// request: nothing to store.
			cur.note(is.ID, updated)
			continue
		}
		if err != nil {
			b.Cursor = cur.encode()
			return b, 0, false, fmt.Errorf("request %s: %w", is.Key, err)
		}
		d.comments = e.withoutAutomated(d.comments)
		t, err := toTicket(is, d)
		if err != nil {
			// The details parsed but miss what the mapping needs.
			b.Cursor = cur.encode()
			return b, 0, false, fmt.Errorf("request %s: %w", is.Key, fetch.DecodeError(e.url("rest/servicedeskapi/request/"+url.PathEscape(is.ID), nil), err))
		}
		if why := e.bounds.Ticket(&t); why != "" {
			// Its update is plausible but not its comments or SLA cycles
			// (a vendor clock that went wrong between the search and
			// them): the exporter would refuse the ticket, and a cursor
			// past it would not search it again until its next update.
			e.rejected(why)
			b.Cursor = cur.encode()
			return b, fresh, true, nil
		}
		b.Tickets = append(b.Tickets, t)
		cur.note(is.ID, updated)
	}
	b.Cursor = cur.encode()
	return b, fresh, stop, nil
}

// details fetches a request's public comments and, unless the account was
// refused them, its SLAs.
func (e *collector) details(ctx context.Context, id string) (details, error) {
	path := "rest/servicedeskapi/request/" + url.PathEscape(id)
	comments, err := fetchAll[apiComment](ctx, e, path+"/comment", url.Values{"public": {"true"}, "internal": {"false"}})
	if err != nil {
		return details{}, fmt.Errorf("comments: %w", err)
	}
	d := details{comments: comments}
	if e.scope.slaDenied {
		return d, nil
	}
	slas, err := fetchAll[apiSLA](ctx, e, path+"/sla", nil)
	var fe *fetch.Error
	if errors.As(err, &fe) && fe.Status == 403 && fe.Reason == fetch.ReasonAuth {
		// Not an agent: SLAs stay unread until the scope is next resolved.
		e.scope.slaDenied = true
		return d, nil
	}
	if err != nil {
		return details{}, fmt.Errorf("sla: %w", err)
	}
	d.slas = slas
	if d.slas == nil {
		d.slas = []apiSLA{} // read, and empty: not the same as refused
	}
	return d, nil
}

// keyed is a servicedeskapi value with an id, by which a page that only
// repeats earlier ones is told; an empty key is always new.
type keyed interface{ key() string }

// fetchAll pages a servicedeskapi collection with start and limit until
// isLastPage. A page that says more follows without a new value ends the
// sync with reason loop.
func fetchAll[T keyed](ctx context.Context, e *collector, path string, query url.Values) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	q := maps.Clone(query)
	if q == nil {
		q = url.Values{}
	}
	q.Set("limit", strconv.Itoa(pageSize))
	for start := 0; ; {
		q.Set("start", strconv.Itoa(start))
		u := e.url(path, q)
		resp, err := e.http.Get(ctx, u, nil)
		if err != nil {
			return nil, err
		}
		p, err := decodePaged[T](resp.Body)
		if err != nil {
			return nil, fetch.DecodeError(u, err)
		}
		all = append(all, *p.Values...)
		if *p.IsLastPage {
			return all, nil
		}
		fresh := false
		for _, v := range *p.Values {
			k := v.key()
			fresh = fresh || k == "" || !seen[k]
			seen[k] = true
		}
		if !fresh {
			return nil, fetch.LoopError(u, errors.New("isLastPage is false on a page without new values"))
		}
		start += len(*p.Values)
	}
}

// url is the API URL of path (relative to the site) with query.
func (e *collector) url(path string, query url.Values) string {
	u := e.base.JoinPath(path)
	u.RawQuery = query.Encode()
	return u.String()
}
