package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// Mirrors of what a Jira Service Management client reads.
type jsmIssueMirror struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Fields struct {
		Created        string  `json:"created"`
		Updated        string  `json:"updated"`
		ResolutionDate *string `json:"resolutiondate"`
		Priority       *struct {
			Name string `json:"name"`
		} `json:"priority"`
		Status struct {
			Name           string `json:"name"`
			StatusCategory struct {
				Key string `json:"key"`
			} `json:"statusCategory"`
		} `json:"status"`
		Reporter struct {
			AccountID string `json:"accountId"`
		} `json:"reporter"`
		Labels []string `json:"labels"`
	} `json:"fields"`
}

type jsmSearchMirror struct {
	Issues        []jsmIssueMirror `json:"issues"`
	NextPageToken *string          `json:"nextPageToken"`
	IsLast        *bool            `json:"isLast"`
}

type jsmMillis struct {
	EpochMillis int64 `json:"epochMillis"`
}

type jsmCommentMirror struct {
	ID     string `json:"id"`
	Public bool   `json:"public"`
	Author struct {
		AccountID string `json:"accountId"`
	} `json:"author"`
	Created jsmMillis `json:"created"`
}

type jsmSLAMirror struct {
	Name            string `json:"name"`
	CompletedCycles []struct {
		StartTime    jsmMillis `json:"startTime"`
		StopTime     jsmMillis `json:"stopTime"`
		BreachTime   jsmMillis `json:"breachTime"`
		Breached     bool      `json:"breached"`
		GoalDuration struct {
			Millis int64 `json:"millis"`
		} `json:"goalDuration"`
	} `json:"completedCycles"`
	OngoingCycle *struct {
		StartTime    jsmMillis `json:"startTime"`
		BreachTime   jsmMillis `json:"breachTime"`
		Breached     bool      `json:"breached"`
		GoalDuration struct {
			Millis int64 `json:"millis"`
		} `json:"goalDuration"`
	} `json:"ongoingCycle"`
}

const jsmFields = "created,updated,priority,status,resolutiondate,reporter,labels"

// Jira's status (name, category) and priority name of Truth's.
var (
	jsmStatusOf = map[string][2]string{
		"new": {"Waiting for support", "new"}, "open": {"In Progress", "indeterminate"},
		"pending": {"Waiting for customer", "indeterminate"}, "hold": {"Pending", "indeterminate"},
		"solved": {"Resolved", "done"}, "closed": {"Closed", "done"},
	}
	jsmPriorityOf = map[string]string{"urgent": "Highest", "high": "High", "normal": "Medium", "low": "Low", "": "Medium"}
)

func jsmAuth(s *Sim) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(s.JSMCredentials("acme")) }
}

func jsmSearchURL(s *Sim, jql string, maxResults int) string {
	q := url.Values{"jql": {jql}, "fields": {jsmFields}, "maxResults": {fmt.Sprint(maxResults)}}
	return s.URL("acme", KindJSM) + "/rest/api/3/search/jql?" + q.Encode()
}

// jsmSearch follows nextPageToken from url, checking that only the last
// page lacks a token, and returns the issues and the number of pages.
func jsmSearch(t *testing.T, s *Sim, u string) ([]jsmIssueMirror, int) {
	t.Helper()
	var all []jsmIssueMirror
	for pages := 1; ; pages++ {
		r := fetch(t, u, jsmAuth(s))
		if r.status != http.StatusOK {
			t.Fatalf("%s: HTTP %d: %s", u, r.status, r.body)
		}
		var p jsmSearchMirror
		if err := json.Unmarshal(r.body, &p); err != nil || p.Issues == nil || p.IsLast == nil {
			t.Fatalf("%s: %v: %.300s", u, err, r.body)
		}
		all = append(all, p.Issues...)
		if *p.IsLast != (p.NextPageToken == nil) {
			t.Fatalf("page %d: isLast %v with nextPageToken %v", pages, *p.IsLast, p.NextPageToken)
		}
		if *p.IsLast {
			return all, pages
		}
		next, _ := url.Parse(u)
		q := next.Query()
		q.Set("nextPageToken", *p.NextPageToken)
		next.RawQuery = q.Encode()
		u = next.String()
	}
}

// jsmValues pages a servicedeskapi collection with start and limit until
// isLastPage.
func jsmValues[T any](t *testing.T, s *Sim, path string, query url.Values) []T {
	t.Helper()
	var all []T
	query.Set("limit", "2")
	for start := 0; ; {
		query.Set("start", fmt.Sprint(start))
		u := s.URL("acme", KindJSM) + path + "?" + query.Encode()
		r := fetch(t, u, jsmAuth(s))
		var p struct {
			Size       int   `json:"size"`
			IsLastPage *bool `json:"isLastPage"`
			Values     []T   `json:"values"`
		}
		if err := json.Unmarshal(r.body, &p); r.status != http.StatusOK || err != nil || p.IsLastPage == nil || p.Values == nil {
			t.Fatalf("%s: HTTP %d, %v: %.300s", u, r.status, err, r.body)
		}
		if p.Size != len(p.Values) {
			t.Fatalf("%s: size %d for %d values", u, p.Size, len(p.Values))
		}
		all = append(all, p.Values...)
		if *p.IsLastPage {
			return all
		}
		start += len(p.Values)
	}
}

func jiraTime(t *testing.T, s *string) time.Time {
	t.Helper()
	if s == nil {
		return time.Time{}
	}
	ts, err := time.Parse(jiraTimeLayout, *s)
	if err != nil {
		t.Errorf("time %q: %v", *s, err)
	}
	return ts.UTC()
}

func millis(m int64) time.Time { return time.UnixMilli(m).UTC() }

func TestJSMSearchAgreesWithTruth(t *testing.T) {
	s, tr := ticketSim(t)
	issues, pages := jsmSearch(t, s, jsmSearchURL(s, "project in (10000) ORDER BY updated ASC, key ASC", 100))
	if len(issues) != len(tr.Tickets) || pages != (len(tr.Tickets)+99)/100 {
		t.Fatalf("%d issues on %d pages, want %d", len(issues), pages, len(tr.Tickets))
	}
	for i, is := range issues {
		tt := tr.Tickets[slices.IndexFunc(tr.Tickets, func(tt TicketTruth) bool { return fmt.Sprint(10000+tt.ID) == is.ID })]
		if is.Key != fmt.Sprintf("SUP-%d", tt.ID) {
			t.Errorf("issue %s: key %s", is.ID, is.Key)
		}
		updated := jiraTime(t, &is.Fields.Updated)
		if i > 0 && updated.Before(jiraTime(t, &issues[i-1].Fields.Updated)) {
			t.Errorf("issue %s listed after a newer update: not ORDER BY updated ASC", is.Key)
		}
		status := [2]string{is.Fields.Status.Name, is.Fields.Status.StatusCategory.Key}
		if status != jsmStatusOf[tt.Status] || is.Fields.Priority == nil || is.Fields.Priority.Name != jsmPriorityOf[tt.Priority] ||
			!jiraTime(t, &is.Fields.Created).Equal(tt.Created) || !updated.Equal(tt.Updated) || !slices.Equal(is.Fields.Labels, tt.Tags) {
			t.Errorf("issue %s: %v, %v, created %s, updated %s, labels %v; want %s, %q, %v, %v, %v", is.Key, status,
				is.Fields.Priority, is.Fields.Created, is.Fields.Updated, is.Fields.Labels, tt.Status, tt.Priority, tt.Created, tt.Updated, tt.Tags)
		}
		resolved := jiraTime(t, is.Fields.ResolutionDate)
		done := tt.Status == "solved" || tt.Status == "closed"
		if done == resolved.IsZero() || (done && resolved.Before(tt.FirstSolve)) {
			t.Errorf("issue %s (%s): resolutiondate %v, first solve %v", is.Key, tt.Status, resolved, tt.FirstSolve)
		}
		checkJSMRequest(t, s, is, tt)
	}
}

// checkJSMRequest compares a request's comments and SLAs with its truth.
func checkJSMRequest(t *testing.T, s *Sim, is jsmIssueMirror, tt TicketTruth) {
	t.Helper()
	path := "/rest/servicedeskapi/request/" + is.ID
	public := jsmValues[jsmCommentMirror](t, s, path+"/comment", url.Values{"public": {"true"}, "internal": {"false"}})
	var replies, customer int
	var firstReply time.Time
	for _, c := range public {
		switch {
		case !c.Public:
			t.Errorf("%s: internal comment %s with internal=false", is.Key, c.ID)
		case c.Author.AccountID == is.Fields.Reporter.AccountID:
			customer++
		default:
			replies++
			if firstReply.IsZero() {
				firstReply = millis(c.Created.EpochMillis)
			}
		}
	}
	if replies != tt.Replies || !firstReply.Equal(tt.FirstReply) || customer < tt.Followups+tt.Reopens {
		t.Errorf("%s: %d agent replies (first %v), %d customer comments; want %d (%v), at least %d",
			is.Key, replies, firstReply, customer, tt.Replies, tt.FirstReply, tt.Followups+tt.Reopens)
	}
	internal := jsmValues[jsmCommentMirror](t, s, path+"/comment", url.Values{"public": {"false"}})
	if escalated := slices.Contains(tt.Tags, "escalated"); len(internal) != map[bool]int{true: 1}[escalated] {
		t.Errorf("%s: %d internal notes, escalated %v", is.Key, len(internal), escalated)
	}
	slas := jsmValues[jsmSLAMirror](t, s, path+"/sla", url.Values{})
	if len(slas) != 2 || slas[0].Name != "Time to first response" || slas[1].Name != "Time to resolution" {
		t.Fatalf("%s: SLAs %+v", is.Key, slas)
	}
	stop := func(sla jsmSLAMirror) time.Time {
		if len(sla.CompletedCycles) == 0 {
			return time.Time{}
		}
		return millis(sla.CompletedCycles[0].StopTime.EpochMillis)
	}
	res := slas[1]
	cycles := len(res.CompletedCycles)
	if res.OngoingCycle != nil {
		cycles++
	}
	if !stop(slas[0]).Equal(tt.FirstReply) || (slas[0].OngoingCycle != nil) != tt.FirstReply.IsZero() ||
		!stop(res).Equal(tt.FirstSolve) || cycles-1 != tt.Reopens {
		t.Errorf("%s: first response %v, first resolution %v, %d resolution cycles; want %v, %v, %d reopens",
			is.Key, stop(slas[0]), stop(res), cycles, tt.FirstReply, tt.FirstSolve, tt.Reopens)
	}
	// Every cycle is due its goal after its start, and breached when it
	// stopped, or runs, past that.
	now := testStart.UnixMilli()
	for _, sla := range slas {
		for _, c := range sla.CompletedCycles {
			due := c.StartTime.EpochMillis + c.GoalDuration.Millis
			if c.GoalDuration.Millis <= 0 || c.BreachTime.EpochMillis != due || c.Breached != (c.StopTime.EpochMillis > due) {
				t.Errorf("%s: %s cycle %+v: breach time or verdict off its goal", is.Key, sla.Name, c)
			}
		}
		if c := sla.OngoingCycle; c != nil {
			due := c.StartTime.EpochMillis + c.GoalDuration.Millis
			if c.GoalDuration.Millis <= 0 || c.BreachTime.EpochMillis != due || c.Breached != (now > due) {
				t.Errorf("%s: running %s cycle %+v: breach time or verdict off its goal", is.Key, sla.Name, *c)
			}
		}
	}
	if res.OngoingCycle != nil { // runs from creation, or from the latest reopen
		started := millis(res.OngoingCycle.StartTime.EpochMillis)
		if (tt.Reopens == 0 && !started.Equal(tt.Created)) || (tt.Reopens > 0 && !started.After(tt.FirstSolve)) {
			t.Errorf("%s: resolution cycle running since %v; created %v, first solved %v, %d reopens", is.Key, started, tt.Created, tt.FirstSolve, tt.Reopens)
		}
	}
}

func TestJSMIncrementalSearch(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 5, Vendors: []Vendor{vendor("acme", FastShallow, 300)}})
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	since := testStart.Add(-50 * time.Hour).Truncate(time.Minute)
	jql := `project in (SUP) AND updated >= "` + since.In(berlin).Format("2006-01-02 15:04") + `" ORDER BY updated ASC, key ASC`
	got, pages := jsmSearch(t, s, jsmSearchURL(s, jql, 7))
	var want []string
	for _, tt := range s.Truth("acme", testStart).Tickets {
		if !tt.Updated.Before(since) {
			want = append(want, fmt.Sprint(10000+tt.ID))
		}
	}
	var ids []string
	for _, is := range got {
		ids = append(ids, is.ID)
	}
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) || pages != (len(want)+6)/7 || len(want) == 0 {
		t.Fatalf("updated since %v (the account's zone): %d issues on %d pages, want %d: %v", since, len(ids), pages, len(want), ids)
	}

	// A day later, the first page's token still continues after its last
	// issue: nothing listed twice, nothing older than where it stopped.
	r := fetch(t, jsmSearchURL(s, jql, 20), jsmAuth(s))
	var first jsmSearchMirror
	if err := json.Unmarshal(r.body, &first); err != nil || first.NextPageToken == nil {
		t.Fatalf("first page: %v: %.200s", err, r.body)
	}
	c.Set(testStart.Add(24 * time.Hour))
	rest, _ := jsmSearch(t, s, jsmSearchURL(s, jql, 20)+"&nextPageToken="+url.QueryEscape(*first.NextPageToken))
	last := first.Issues[len(first.Issues)-1]
	seen := map[string]bool{}
	for _, is := range first.Issues {
		seen[is.ID] = true
	}
	for _, is := range rest {
		if seen[is.ID] || is.Fields.Updated < last.Fields.Updated {
			t.Errorf("%s (updated %s) continues a walk that stopped at %s", is.Key, is.Fields.Updated, last.Fields.Updated)
		}
		seen[is.ID] = true
	}
	if len(rest) == 0 {
		t.Error("no issue after the first page")
	}
}

func TestJSMScope(t *testing.T) {
	s, _ := ticketSim(t)
	base := s.URL("acme", KindJSM)
	var me struct {
		TimeZone     string `json:"timeZone"`
		EmailAddress string `json:"emailAddress"`
	}
	if err := json.Unmarshal(fetch(t, base+"/rest/api/3/myself", jsmAuth(s)).body, &me); err != nil ||
		me.TimeZone != "Europe/Berlin" || me.EmailAddress != first(s.JSMCredentials("acme")) {
		t.Errorf("myself: %+v, %v", me, err)
	}
	type desk struct {
		ID        string `json:"id"`
		ProjectID string `json:"projectId"`
	}
	desks := jsmValues[desk](t, s, "/rest/servicedeskapi/servicedesk", url.Values{})
	if len(desks) != 1 || desks[0] != (desk{"1", "10000"}) {
		t.Errorf("service desks: %+v", desks)
	}
	var one desk
	if err := json.Unmarshal(fetch(t, base+"/rest/servicedeskapi/servicedesk/1", jsmAuth(s)).body, &one); err != nil || one != desks[0] {
		t.Errorf("service desk 1: %+v, %v", one, err)
	}
	if got := first(s.JSMCredentials("nobody")); got != "" {
		t.Errorf("JSMCredentials of an unknown vendor: %q", got)
	}
}

func TestJSMRefusals(t *testing.T) {
	s, _ := ticketSim(t)
	base := s.URL("acme", KindJSM)
	email, _ := s.JSMCredentials("acme")
	search := func(jql, extra string) string {
		return "/rest/api/3/search/jql?" + url.Values{"jql": {jql}}.Encode() + extra
	}
	const all = "project in (10000) ORDER BY updated ASC, key ASC"
	for _, c := range []struct {
		name, path string
		auth       func(*http.Request)
		status     int
	}{
		{"no credentials", "/rest/api/3/myself", nil, http.StatusUnauthorized},
		{"a wrong token", "/rest/api/3/myself", func(r *http.Request) { r.SetBasicAuth(email, "nope") }, http.StatusUnauthorized},
		{"another JQL", search("status = Open", ""), jsmAuth(s), http.StatusBadRequest},
		{"a bad date", search(`project in (10000) AND updated >= "yesterday" ORDER BY updated ASC, key ASC`, ""), jsmAuth(s), http.StatusBadRequest},
		{"a bad token", search(all, "&nextPageToken=%21%21"), jsmAuth(s), http.StatusBadRequest},
		{"maxResults 0", search(all, "&maxResults=0"), jsmAuth(s), http.StatusBadRequest},
		{"an unknown desk", "/rest/servicedeskapi/servicedesk/2", jsmAuth(s), http.StatusNotFound},
		{"an unknown request", "/rest/servicedeskapi/request/99999/comment", jsmAuth(s), http.StatusNotFound},
		{"a request by key", "/rest/servicedeskapi/request/SUP-1/sla", jsmAuth(s), http.StatusOK},
		{"an unknown path", "/rest/api/2/search", jsmAuth(s), http.StatusNotFound},
	} {
		if r := fetch(t, base+c.path, c.auth); r.status != c.status {
			t.Errorf("%s: HTTP %d, want %d: %.200s", c.name, r.status, c.status, r.body)
		}
	}
	// A project that is not the desk's matches nothing.
	if issues, _ := jsmSearch(t, s, jsmSearchURL(s, "project in (10001) ORDER BY updated ASC, key ASC", 50)); len(issues) != 0 {
		t.Errorf("another project: %d issues", len(issues))
	}
}

func TestJSMShapeMatchesRealPayloads(t *testing.T) {
	s, tr := ticketSim(t)
	base := s.URL("acme", KindJSM)
	r := fetch(t, jsmSearchURL(s, "project in (10000) ORDER BY updated ASC, key ASC", 1), jsmAuth(s))
	issues, ok := decodeObject(t, r.body)["issues"].([]any)
	if !ok || len(issues) != 1 {
		t.Fatalf("issues: %.300s", r.body)
	}
	real := readJSON(t, "jsm_issue.json")
	picked := map[string]any{}
	for _, f := range strings.Split(jsmFields, ",") {
		picked[f] = real["fields"].(map[string]any)[f]
	}
	real["fields"] = picked // the search returns the fields asked for
	sameKeys(t, "issue", issues[0].(map[string]any), real, nil)

	// Somewhere among the tickets are comments and both kinds of SLA cycle.
	realComment := readJSON(t, "jsm_request_comment.json")
	realSLAPage := readJSON(t, "jsm_sla.json")
	realSLA := realSLAPage["values"].([]any)[0].(map[string]any)
	realCompleted := realSLA["completedCycles"].([]any)[0].(map[string]any)
	realOngoing := realSLA["ongoingCycle"].(map[string]any)
	delete(realSLA, "ongoingCycle") // absent while no cycle runs
	page := decodeObject(t, fetch(t, base+"/rest/servicedeskapi/request/10001/sla?start=0&limit=1", jsmAuth(s)).body)
	delete(realSLAPage["_links"].(map[string]any), "prev") // the first page has none
	realSLAPage["values"] = []any{}                        // compared one by one below
	sameKeys(t, "SLA page", page, realSLAPage, []string{"_expands"})
	var completed, ongoing bool
	for _, tt := range tr.Tickets {
		id := fmt.Sprint(10000 + tt.ID)
		for _, v := range decodeObject(t, fetch(t, base+"/rest/servicedeskapi/request/"+id+"/sla", jsmAuth(s)).body)["values"].([]any) {
			sla := v.(map[string]any)
			if cycles := sla["completedCycles"].([]any); len(cycles) > 0 && !completed {
				sameKeys(t, "completed cycle", cycles[0].(map[string]any), realCompleted, nil)
				completed = true
			}
			if c, ok := sla["ongoingCycle"].(map[string]any); ok && !ongoing {
				// The schema's breachTime, which the example leaves out.
				sameKeys(t, "ongoing cycle", c, realOngoing, []string{"breachTime"})
				ongoing = true
			}
			delete(sla, "ongoingCycle")
			sameKeys(t, "SLA", sla, realSLA, []string{"id"})
		}
		if tt.Replies > 0 {
			comments := decodeObject(t, fetch(t, base+"/rest/servicedeskapi/request/"+id+"/comment", jsmAuth(s)).body)["values"].([]any)
			sameKeys(t, "comment", comments[0].(map[string]any), realComment, nil)
		}
		if completed && ongoing {
			return
		}
	}
	t.Errorf("no ticket shows a completed (%v) and an ongoing (%v) SLA cycle", completed, ongoing)
}
