package simulator

import (
	"cmp"
	"crypto/subtle"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The vendor's single service desk and the Jira project behind it.
const (
	jsmDeskID      = "1"
	jsmProjectID   = "10000"
	jsmProjectKey  = "SUP"
	jsmIssueIDBase = 10000 // issue ids follow the project's, as Jira numbers them

	jsmDefaultResults = 50  // search and servicedeskapi pages without a size
	jsmMaxResults     = 100 // the most either returns with fields, whatever is asked
)

// jsmAPI serves one vendor's tickets as Jira Service Management Cloud,
// behind basic auth with an email and an API token, to two accounts: an
// agent of the vendor's desk, who sees the platform's account and enhanced
// JQL search, and the servicedeskapi's desks, requests, request comments
// and SLAs; and a portal customer of the buyer's organization (every
// ticket is one of its requests), who may not search nor read SLAs, and
// sees public comments only (jsm_customer.go).
type jsmAPI struct {
	w     *world
	clock func() time.Time
	base  func() string
	zone  *time.Location // the account's profile zone: the vendor's
}

func newJSMAPI(w *world, clock func() time.Time, base func() string) *jsmAPI {
	zone, err := time.LoadLocation(w.v.Timezone)
	if err != nil { // validated with the vendor; UTC keeps answers well-formed
		zone = time.UTC
	}
	return &jsmAPI{w: w, clock: clock, base: base, zone: zone}
}

// jsmEmail is the agent account the API token belongs to.
func jsmEmail(vendor string) string { return "agent@" + vendor + ".example" }

// jsmToken is the agent's Atlassian API token, derived from the vendor's.
func (w *world) jsmToken() string {
	return "ATATT3xFfGF0" + derivedID(w.id.token+"/jsm", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 180)
}

// signedIn checks the basic auth: the agent's or the customer's; customer
// tells which.
func (a *jsmAPI) signedIn(r *http.Request) (customer, ok bool) {
	user, pass, ok := r.BasicAuth()
	switch {
	case !ok:
		return false, false
	case user == jsmEmail(a.w.v.Name):
		return false, subtle.ConstantTimeCompare([]byte(pass), []byte(a.w.jsmToken())) == 1
	case user == jsmCustomerEmail(a.w.v.Name):
		return true, subtle.ConstantTimeCompare([]byte(pass), []byte(a.w.jsmCustomerToken())) == 1
	}
	return false, false
}

// JSMCredentials returns the basic auth of the vendor's Jira Service
// Management agent: the account's email and its API token.
func (s *Sim) JSMCredentials(vendor string) (email, token string) {
	w := s.worlds[vendor]
	if w == nil {
		return "", ""
	}
	return jsmEmail(vendor), w.jsmToken()
}

var (
	jsmRequestPath = regexp.MustCompile(`^/rest/servicedeskapi/request/([^/]+)/(comment|sla)$`)
	jsmDeskPath    = regexp.MustCompile(`^/rest/servicedeskapi/servicedesk/([^/]+)$`)
)

func (a *jsmAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Date", a.clock().UTC().Format(http.TimeFormat))
	customer, ok := a.signedIn(r)
	if !ok {
		rw.Header().Set("WWW-Authenticate", `Basic realm="protected-area"`)
		writeJiraError(rw, http.StatusUnauthorized, "Client must be authenticated to access this resource.")
		return
	}
	if a.serveDrill(rw, r, a.clock().Unix(), customer) { // drill_jsm.go
		return
	}
	if r.Method != http.MethodGet {
		writeJiraError(rw, http.StatusMethodNotAllowed, "Method not allowed: GET is the only method served")
		return
	}
	now := a.clock().Unix()
	q := r.URL.Query()
	path := r.URL.Path
	switch m := jsmRequestPath.FindStringSubmatch(path); {
	case path == "/rest/api/3/myself":
		writeJSON(rw, http.StatusOK, a.myself(customer))
	case path == "/rest/api/3/search/jql":
		a.serveSearch(rw, r, now, customer)
	case path == "/rest/servicedeskapi/request":
		a.serveRequests(rw, r, now, customer)
	case path == "/rest/servicedeskapi/servicedesk":
		writeDeskPage(rw, r, a.base(), []jDesk{a.desk()})
	case jsmDeskPath.MatchString(path):
		if jsmDeskPath.FindStringSubmatch(path)[1] != jsmDeskID {
			writeDeskError(rw, http.StatusNotFound, "Service Desk does not exist", "sd.admin.servicedesk.error.notfound")
			return
		}
		writeJSON(rw, http.StatusOK, a.desk())
	case m != nil:
		s, found := a.request(m[1], now)
		switch {
		case !found:
			writeDeskError(rw, http.StatusNotFound, "Request does not exist or you do not have permission to see it.", "sd.customer.request.error.notfound")
		case m[2] == "comment" && customer: // customers see no internal comment
			q.Set("internal", "false")
			writeDeskPage(rw, r, a.base(), a.comments(&s, q))
		case m[2] == "comment":
			writeDeskPage(rw, r, a.base(), a.comments(&s, q))
		case customer:
			writeDeskError(rw, http.StatusForbidden, "You do not have permission to view the SLA information of this request.", "sd.customer.request.sla.error.permission")
		default:
			writeDeskPage(rw, r, a.base(), a.slas(&s))
		}
	default:
		writeJiraError(rw, http.StatusNotFound, "Not found")
	}
}

// writeJiraError answers as the platform API does: errorMessages.
func writeJiraError(rw http.ResponseWriter, status int, msg string) {
	writeJSON(rw, status, struct {
		ErrorMessages []string       `json:"errorMessages"`
		Errors        map[string]any `json:"errors"`
	}{[]string{msg}, map[string]any{}})
}

// writeDeskError answers as the servicedeskapi does: one errorMessage.
func writeDeskError(rw http.ResponseWriter, status int, msg, key string) {
	type i18n struct {
		Key        string   `json:"i18nKey"`
		Parameters []string `json:"parameters"`
	}
	writeJSON(rw, status, struct {
		ErrorMessage     string `json:"errorMessage"`
		I18nErrorMessage i18n   `json:"i18nErrorMessage"`
	}{msg, i18n{key, []string{}}})
}

// request finds a request by issue id or key as of now.
func (a *jsmAPI) request(idOrKey string, now int64) (ticketState, bool) {
	n, err := strconv.ParseInt(idOrKey, 10, 64)
	if err == nil {
		n -= jsmIssueIDBase
	} else if num, ok := strings.CutPrefix(idOrKey, jsmProjectKey+"-"); ok {
		n, err = strconv.ParseInt(num, 10, 64)
	}
	if err != nil || n < 1 || n > int64(a.w.ticketsBy(now)) || a.w.deleted(int(n-1), now) {
		return ticketState{}, false
	}
	return stateAt(a.w.timeline(int(n-1)), now), true
}

// jqlQuery is the JQL the search serves: the desk's projects, optionally
// the issues updated at or after a minute, in update then key order, which
// is what an incremental client sends. Keywords are case-insensitive.
var jqlQuery = regexp.MustCompile(`(?i)^\s*project\s+in\s*\(([^)]*)\)(?:\s+AND\s+updated\s*>=\s*"([^"]+)")?\s+ORDER\s+BY\s+updated\s+ASC\s*,\s*key\s+ASC\s*$`)

// jqlDateLayouts are the date-time forms JQL accepts.
var jqlDateLayouts = []string{"2006-01-02 15:04", "2006/01/02 15:04", "2006-01-02", "2006/01/02"}

// serveSearch answers GET /rest/api/3/search/jql. JQL reads date-times in
// the account's zone. nextPageToken is opaque: the place of the page's
// last issue, so an issue updated while a client pages moves ahead of it
// rather than being listed twice on one walk.
func (a *jsmAPI) serveSearch(rw http.ResponseWriter, r *http.Request, now int64, customer bool) {
	q := r.URL.Query()
	jql := q.Get("jql")
	m := jqlQuery.FindStringSubmatch(jql)
	if m == nil {
		writeJiraError(rw, http.StatusBadRequest, "Error in the JQL Query: the simulator serves only `project in (...) [AND updated >= \"yyyy-MM-dd HH:mm\"] ORDER BY updated ASC, key ASC`, got: "+jql)
		return
	}
	var since int64
	if m[2] != "" {
		t, ok := parseJQLDate(m[2], a.zone)
		if !ok {
			writeJiraError(rw, http.StatusBadRequest, "Date value '"+m[2]+"' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.")
			return
		}
		since = t.Unix()
	}
	limit := jsmDefaultResults
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeJiraError(rw, http.StatusBadRequest, "The maxResults parameter must be a positive integer.")
			return
		}
		limit = min(n, jsmMaxResults)
	}
	if customer {
		// Jira checks the projects a JQL query names against those the
		// account may browse: none, for a portal customer.
		writeJiraError(rw, http.StatusBadRequest, "The value '"+firstJQLProject(m[1])+"' does not exist for the field 'project'.")
		return
	}
	var hits []hit
	if jqlHasProject(m[1]) {
		hits = a.w.listed(since, now)
	}
	start := 0
	if tok := q.Get("nextPageToken"); tok != "" {
		k, ok := parseRequestKey(tok)
		if !ok {
			writeJiraError(rw, http.StatusBadRequest, "The provided next page token is invalid or expired.")
			return
		}
		start, _ = slices.BinarySearchFunc(hits, k, func(h hit, k requestKey) int {
			return cmp.Or(cmp.Compare(h.at, k.at), cmp.Compare(int64(h.ticket)+1, k.id), -1) // first hit strictly after k
		})
	}
	end := min(start+limit, len(hits))
	fields := strings.Split(q.Get("fields"), ",")
	page := jSearchPage{Issues: make([]jIssue, 0, end-start), IsLast: end == len(hits)}
	for _, h := range hits[start:end] {
		s := stateAt(a.w.timeline(h.ticket), now)
		page.Issues = append(page.Issues, a.issue(&s, fields))
	}
	if !page.IsLast || (endlessOf(r) == endlessGrowing && end > start) {
		page.NextPageToken = requestKey{hits[end-1].at, int64(hits[end-1].ticket) + 1}.cursor()
	}
	switch endlessOf(r) {
	case endlessSame:
		page.IsLast, page.NextPageToken = false, cmp.Or(q.Get("nextPageToken"), beforeAll.cursor())
	case endlessGrowing:
		page.IsLast = false
		if end == start {
			page.NextPageToken = endlessKeyAfter(q.Get("nextPageToken")).cursor()
		}
	}
	writeJSON(rw, http.StatusOK, page)
}

func parseJQLDate(v string, zone *time.Location) (time.Time, bool) {
	for _, layout := range jqlDateLayouts {
		if t, err := time.ParseInLocation(layout, v, zone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// jqlHasProject reports whether a project list names the desk's project,
// by id or key, quoted or not.
func jqlHasProject(list string) bool {
	for p := range strings.SplitSeq(list, ",") {
		p = strings.Trim(strings.TrimSpace(p), `"'`)
		if p == jsmProjectID || strings.EqualFold(p, jsmProjectKey) {
			return true
		}
	}
	return false
}

// firstJQLProject is the first project a project list names, unquoted.
func firstJQLProject(list string) string {
	p, _, _ := strings.Cut(list, ",")
	return strings.Trim(strings.TrimSpace(p), `"'`)
}

// pageParams reads the servicedeskapi's start and limit.
func pageParams(q url.Values) (start, limit int) {
	start, limit = 0, jsmDefaultResults
	if n, err := strconv.Atoi(q.Get("start")); err == nil && n > 0 {
		start = n
	}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, jsmMaxResults)
	}
	return start, limit
}

// writeDeskPage answers one page of a servicedeskapi collection, with
// next and prev links as the API gives them. Under an endless-pages fault
// no page is the last: next is this page, or one page further with the
// first page's values.
func writeDeskPage[T any](rw http.ResponseWriter, r *http.Request, base string, all []T) {
	q := r.URL.Query()
	start, limit := pageParams(q)
	mode := endlessOf(r)
	from := start
	if mode == endlessGrowing {
		from = 0
	}
	from = min(from, len(all))
	end := min(from+limit, len(all))
	p := jPage[T]{Expands: []string{}, Size: end - from, Start: start, Limit: limit, IsLastPage: end == len(all) && mode == endlessNone}
	p.Values = append(make([]T, 0, end-from), all[from:end]...)
	p.Links.Base, p.Links.Context = base+"/rest/servicedeskapi", "context"
	link := func(from int) string {
		q.Set("start", strconv.Itoa(from))
		q.Set("limit", strconv.Itoa(limit))
		return base + r.URL.Path + "?" + q.Encode()
	}
	switch {
	case mode == endlessSame:
		p.Links.Next = link(start)
	case mode == endlessGrowing:
		p.Links.Next = link(start + limit)
	case !p.IsLastPage:
		p.Links.Next = link(end)
	}
	if start > 0 {
		p.Links.Prev = link(max(start-limit, 0))
	}
	writeJSON(rw, http.StatusOK, p)
}
