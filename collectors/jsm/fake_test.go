package jsm

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// Credentials the fake accepts (basic auth, email and API token).
const (
	fakeEmail = "ops@example.com"
	fakeToken = "api-token"
)

// fakeIssue is one request of the fake site.
type fakeIssue struct {
	id, key, project string
	created, updated time.Time
	resolved         time.Time // zero: resolutiondate null
	priority         string    // "": priority null
	status, category string    // name and statusCategory key (new, indeterminate, done)
	statusAt         time.Time // when the status was entered; zero: at creation
	reporter         string    // accountId
	labels           []string
	comments         []fakeComment
	slas             []fakeSLA
}

type fakeComment struct {
	author string
	public bool
	at     time.Time
}

// fakeSLA is one SLA metric. Its first cycle starts at the request's
// creation, each later one at the previous stop; with a goal, each cycle
// is due goal after its start and breached when it stopped later.
type fakeSLA struct {
	name    string
	stops   []time.Time // completed cycles
	goal    time.Duration
	ongoing bool
	paused  bool // the ongoing cycle is paused: no breachTime
	overdue bool // the ongoing cycle is already breached
}

// fakeFailure replaces the answer to the nth request (from 1) of a path,
// or to every one when nth is 0.
type fakeFailure struct {
	nth        int
	status     int
	retryAfter string
	body       string // raw body of a 200 instead of the JSON answer
}

// fakeJSM answers the endpoints the collector calls as Jira Cloud does:
// paths, query parameters, paging (enhanced search tokens, servicedeskapi
// start/limit/isLastPage), field names, basic auth, 401/403/404/429 with
// Atlassian's rate-limit headers. Issue and comment objects are built from
// the real payloads in testdata.
type fakeJSM struct {
	timeZone string // of the account: JQL date-times are read in it
	agent    bool   // may read SLAs
	customer bool   // a portal customer: may neither search nor read SLAs
	desks    map[string]string

	// The real payloads the answers are built from, checked at start.
	issueTpl, commentTpl, slaTpl, requestTpl []byte

	// neverLast, when set, answers the nth search request (from 1) with
	// the issues it returns, isLast false and its nextPageToken: a search
	// that never ends.
	neverLast func(n int) (issues []fakeIssue, token string)

	mu       sync.Mutex
	issues   []fakeIssue
	fail     map[string]fakeFailure // by path
	counts   map[string]int         // requests by path
	requests []string               // path?query of every request
}

func newFakeJSM(t *testing.T, issues ...fakeIssue) (*fakeJSM, *httptest.Server) {
	t.Helper()
	f := &fakeJSM{
		timeZone: "Australia/Sydney", agent: true,
		desks:  map[string]string{"10": "10000", "11": "10001"},
		issues: issues, fail: map[string]fakeFailure{}, counts: map[string]int{},
	}
	f.issueTpl = collectortest.Testdata(t, "bytebase_get_issue_api-1.json")
	f.commentTpl = collectortest.Testdata(t, "go-jira_cloud_request_comment_response.json")
	f.slaTpl = collectortest.Testdata(t, "docs_get_sla_information.json")
	f.requestTpl = collectortest.Testdata(t, "go-jira_cloud_request_create_response.json")
	for _, b := range [][]byte{f.issueTpl, f.commentTpl, f.slaTpl, f.requestTpl} {
		if !json.Valid(b) {
			t.Fatal("testdata payload is not JSON")
		}
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeJSM) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

func (f *fakeJSM) setIssues(issues ...fakeIssue) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issues = issues
}

var (
	issuePath   = regexp.MustCompile(`^/rest/servicedeskapi/request/([^/]+)/(comment|sla)$`)
	deskPath    = regexp.MustCompile(`^/rest/servicedeskapi/servicedesk/([^/]+)$`)
	jqlSyntax   = regexp.MustCompile(`^project in \(([0-9, ]+)\)(?: AND updated >= "(\d{4}-\d{2}-\d{2} \d{2}:\d{2})")? ORDER BY updated ASC, key ASC$`)
	jiraTimeFmt = "2006-01-02T15:04:05.000-0700"
)

func (f *fakeJSM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.URL.Path+"?"+r.URL.RawQuery)
	f.counts[r.URL.Path]++
	if user, pass, ok := r.BasicAuth(); !ok || user != fakeEmail || pass != fakeToken {
		w.Header().Set("WWW-Authenticate", `Basic realm="protected-area"`)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errorMessages": []string{"Client must be authenticated to access this resource."}, "errors": map[string]any{}})
		return
	}
	if fl, ok := f.fail[r.URL.Path]; ok && (fl.nth == 0 || fl.nth == f.counts[r.URL.Path]) {
		switch {
		case fl.status == http.StatusTooManyRequests:
			w.Header().Set("Retry-After", fl.retryAfter)
			w.Header().Set("X-RateLimit-Limit", "350")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", time.Now().Add(time.Minute).UTC().Format(time.RFC3339))
			w.Header().Set("RateLimit-Reason", "jira-quota-global-based")
			writeJSON(w, fl.status, map[string]any{"errorMessages": []string{"Rate limit exceeded."}})
		case fl.status != 0:
			writeJSON(w, fl.status, map[string]any{"errorMessages": []string{"failure injected"}})
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, fl.body)
		}
		return
	}
	q := r.URL.Query()
	switch m := issuePath.FindStringSubmatch(r.URL.Path); {
	case r.URL.Path == "/rest/api/3/myself":
		writeJSON(w, http.StatusOK, map[string]any{"accountId": "5b10ac8d82e05b22cc7d4ef5", "accountType": "atlassian", "active": true, "timeZone": f.timeZone})
	case r.URL.Path == "/rest/servicedeskapi/servicedesk":
		var desks []any
		for _, id := range slices.Sorted(maps.Keys(f.desks)) {
			desks = append(desks, f.desk(id))
		}
		f.writePage(w, q, desks)
	case deskPath.MatchString(r.URL.Path):
		id := deskPath.FindStringSubmatch(r.URL.Path)[1]
		if _, ok := f.desks[id]; !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"errorMessage": "Service Desk does not exist", "i18nErrorMessage": map[string]any{}})
			return
		}
		writeJSON(w, http.StatusOK, f.desk(id))
	case r.URL.Path == "/rest/api/3/search/jql" && f.customer:
		// Jira validates the JQL against what the account may browse.
		writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{"The value '10000' does not exist for the field 'project'."}, "warningMessages": []any{}})
	case r.URL.Path == "/rest/api/3/search/jql":
		f.search(w, q)
	case r.URL.Path == "/rest/servicedeskapi/request":
		f.listRequests(w, q)
	case m != nil:
		is := f.issue(m[1])
		switch {
		case is == nil:
			writeJSON(w, http.StatusNotFound, map[string]any{"errorMessage": "Request does not exist or you do not have permission to see it."})
		case m[2] == "comment":
			f.writePage(w, q, f.comments(is, q))
		case !f.agent || f.customer:
			writeJSON(w, http.StatusForbidden, map[string]any{"errorMessage": "You do not have permission to view SLA information on this request."})
		default:
			f.writePage(w, q, f.slaValues(is))
		}
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"errorMessages": []string{"Not found"}})
	}
}

func (f *fakeJSM) desk(id string) map[string]any {
	return map[string]any{"id": id, "projectId": f.desks[id], "projectName": "Desk " + id, "projectKey": "D" + id,
		"_links": map[string]any{"self": "https://your-domain.atlassian.net/rest/servicedeskapi/servicedesk/" + id}}
}

func (f *fakeJSM) issue(id string) *fakeIssue {
	for i := range f.issues {
		if f.issues[i].id == id || f.issues[i].key == id {
			return &f.issues[i]
		}
	}
	return nil
}

// search runs the only JQL shape the collector sends, in the account's time
// zone, and pages the result with opaque tokens; the last page carries
// isLast and no nextPageToken (JRACLOUD-92184).
func (f *fakeJSM) search(w http.ResponseWriter, q map[string][]string) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if f.neverLast != nil {
		hits, token := f.neverLast(f.counts["/rest/api/3/search/jql"])
		issues := []any{}
		for _, is := range hits {
			issues = append(issues, f.issueJSON(is, strings.Split(get("fields"), ",")))
		}
		writeJSON(w, http.StatusOK, map[string]any{"issues": issues, "isLast": false, "nextPageToken": token})
		return
	}
	m := jqlSyntax.FindStringSubmatch(get("jql"))
	if m == nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{"Error in the JQL Query: " + get("jql")}, "errors": map[string]any{}})
		return
	}
	projects := map[string]bool{}
	for p := range strings.SplitSeq(m[1], ",") {
		projects[strings.TrimSpace(p)] = true
	}
	var since time.Time
	if m[2] != "" {
		zone, err := time.LoadLocation(f.timeZone)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"errorMessages": []string{err.Error()}})
			return
		}
		since, _ = time.ParseInLocation("2006-01-02 15:04", m[2], zone)
	}
	var hits []fakeIssue
	for _, is := range f.issues {
		if projects[is.project] && !is.updated.Before(since) {
			hits = append(hits, is)
		}
	}
	slices.SortStableFunc(hits, func(a, b fakeIssue) int {
		if c := a.updated.Compare(b.updated); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	limit, _ := strconv.Atoi(get("maxResults"))
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	offset := 0
	if tok := get("nextPageToken"); tok != "" {
		if _, err := fmt.Sscanf(tok, "tok-%d", &offset); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{"Invalid nextPageToken"}})
			return
		}
	}
	end := min(offset+limit, len(hits))
	issues := []any{}
	for _, is := range hits[min(offset, len(hits)):end] {
		issues = append(issues, f.issueJSON(is, strings.Split(get("fields"), ",")))
	}
	body := map[string]any{"issues": issues, "isLast": end == len(hits)}
	if end < len(hits) {
		body["nextPageToken"] = fmt.Sprintf("tok-%d", end)
	}
	writeJSON(w, http.StatusOK, body)
}

// issueJSON is the real issue of testdata with is's values, restricted to
// the requested fields as the search does.
func (f *fakeJSM) issueJSON(is fakeIssue, fields []string) map[string]any {
	real := decodeTemplate(f.issueTpl)
	all := real["fields"].(map[string]any)
	all["created"] = is.created.Format(jiraTimeFmt)
	all["updated"] = is.updated.Format(jiraTimeFmt)
	all["resolutiondate"] = nil
	if !is.resolved.IsZero() {
		all["resolutiondate"] = is.resolved.Format(jiraTimeFmt)
	}
	all["priority"] = nil
	if is.priority != "" {
		all["priority"] = map[string]any{"self": "https://your-domain.atlassian.net/rest/api/3/priority/2", "name": is.priority, "id": "2"}
	}
	status := all["status"].(map[string]any)
	status["name"] = is.status
	status["statusCategory"].(map[string]any)["key"] = is.category
	all["reporter"].(map[string]any)["accountId"] = is.reporter
	labels := []any{}
	for _, l := range is.labels {
		labels = append(labels, l)
	}
	all["labels"] = labels
	picked := map[string]any{}
	for _, name := range fields {
		if v, ok := all[name]; ok {
			picked[name] = v
		}
	}
	return map[string]any{"expand": real["expand"], "id": is.id, "key": is.key,
		"self": "https://your-domain.atlassian.net/rest/api/3/issue/" + is.id, "fields": picked}
}

// comments are the real comment of testdata with is's authors and times,
// filtered by the public and internal parameters.
func (f *fakeJSM) comments(is *fakeIssue, q map[string][]string) []any {
	wantPublic := len(q["public"]) == 0 || q["public"][0] != "false"
	wantInternal := len(q["internal"]) == 0 || q["internal"][0] != "false"
	var out []any
	for i, c := range is.comments {
		if (c.public && !wantPublic) || (!c.public && !wantInternal) {
			continue
		}
		v := decodeTemplate(f.commentTpl)
		v["id"] = strconv.Itoa(1000 + i)
		v["public"] = c.public
		v["author"].(map[string]any)["accountId"] = c.author
		v["created"] = dateDTO(c.at)
		out = append(out, v)
	}
	return out
}

// slaValues are SLA metrics shaped like the documentation's example.
func (f *fakeJSM) slaValues(is *fakeIssue) []any {
	doc := decodeTemplate(f.slaTpl)
	template := doc["values"].([]any)[0].(map[string]any)
	cycle := template["completedCycles"].([]any)[0].(map[string]any)
	var out []any
	for i, s := range is.slas {
		v := map[string]any{"id": strconv.Itoa(10030 + i), "name": s.name, "_links": template["_links"]}
		cycles := []any{}
		start := is.created
		for _, stop := range s.stops {
			c := maps.Clone(cycle)
			c["startTime"], c["stopTime"] = dateDTO(start), dateDTO(stop)
			delete(c, "breachTime")
			c["breached"] = false
			if s.goal > 0 {
				c["breachTime"] = dateDTO(start.Add(s.goal))
				c["breached"] = stop.After(start.Add(s.goal))
			}
			cycles = append(cycles, c)
			start = stop
		}
		v["completedCycles"] = cycles
		if s.ongoing {
			c := maps.Clone(template["ongoingCycle"].(map[string]any))
			c["startTime"], c["paused"], c["breached"] = dateDTO(start), s.paused, s.overdue
			if s.goal > 0 && !s.paused {
				c["breachTime"] = dateDTO(start.Add(s.goal))
			}
			v["ongoingCycle"] = c
		}
		out = append(out, v)
	}
	return out
}

// writePage answers a servicedeskapi collection with start and limit.
func (f *fakeJSM) writePage(w http.ResponseWriter, q map[string][]string, values []any) {
	start, limit := 0, 50
	if v := q["start"]; len(v) > 0 {
		start, _ = strconv.Atoi(v[0])
	}
	if v := q["limit"]; len(v) > 0 {
		limit, _ = strconv.Atoi(v[0])
	}
	limit = min(max(limit, 1), 100)
	start = min(max(start, 0), len(values))
	end := min(start+limit, len(values))
	page := values[start:end]
	if page == nil {
		page = []any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_expands": []any{}, "size": len(page), "start": start, "limit": limit, "isLastPage": end == len(values),
		"_links": map[string]any{"base": "https://your-domain.atlassian.net/rest/servicedeskapi", "context": "context"},
		"values": page,
	})
}

func dateDTO(t time.Time) map[string]any {
	return map[string]any{
		"iso8601": t.Format("2006-01-02T15:04:05-0700"), "jira": t.Format(jiraTimeFmt),
		"friendly": t.Format("Today 15:04 PM"), "epochMillis": t.UnixMilli(),
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeTemplate returns a fresh copy of a payload checked by newFakeJSM.
func decodeTemplate(b []byte) map[string]any {
	var v map[string]any
	_ = json.Unmarshal(b, &v)
	return v
}

func readJSON(tb testing.TB, name string) map[string]any {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal(collectortest.Testdata(tb, name), &v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return v
}
