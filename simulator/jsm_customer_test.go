package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

type jsmRequestMirror struct {
	IssueID       string    `json:"issueId"`
	IssueKey      string    `json:"issueKey"`
	CreatedDate   jsmMillis `json:"createdDate"`
	CurrentStatus struct {
		Status         string    `json:"status"`
		StatusCategory string    `json:"statusCategory"`
		StatusDate     jsmMillis `json:"statusDate"`
	} `json:"currentStatus"`
	Reporter struct {
		AccountID string `json:"accountId"`
	} `json:"reporter"`
}

func jsmCustomerAuth(s *Sim) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(s.JSMCustomerCredentials("acme")) }
}

// jsmRequests pages the request list as auth with start and limit.
func jsmRequests(t *testing.T, s *Sim, auth func(*http.Request), query url.Values) []jsmRequestMirror {
	t.Helper()
	var all []jsmRequestMirror
	query.Set("limit", "40")
	for start := 0; ; {
		query.Set("start", fmt.Sprint(start))
		u := s.URL("acme", KindJSM) + "/rest/servicedeskapi/request?" + query.Encode()
		r := fetch(t, u, auth)
		var p struct {
			IsLastPage *bool              `json:"isLastPage"`
			Values     []jsmRequestMirror `json:"values"`
		}
		if err := json.Unmarshal(r.body, &p); r.status != http.StatusOK || err != nil || p.IsLastPage == nil || p.Values == nil {
			t.Fatalf("%s: HTTP %d, %v: %.300s", u, r.status, err, r.body)
		}
		all = append(all, p.Values...)
		if *p.IsLastPage {
			return all
		}
		start += len(p.Values)
	}
}

func TestJSMCustomerListsEveryRequest(t *testing.T) {
	s, tr := ticketSim(t)
	all := url.Values{"requestOwnership": {"OWNED_REQUESTS", "PARTICIPATED_REQUESTS", "ALL_ORGANIZATIONS"}, "requestStatus": {"ALL_REQUESTS"}}
	got := jsmRequests(t, s, jsmCustomerAuth(s), all)
	if len(got) != len(tr.Tickets) {
		t.Fatalf("%d requests listed, want %d", len(got), len(tr.Tickets))
	}
	open := 0
	for _, r := range got {
		i := slices.IndexFunc(tr.Tickets, func(tt TicketTruth) bool { return strings.TrimPrefix(r.IssueKey, "SUP-") == fmt.Sprint(tt.ID) })
		if i < 0 {
			t.Fatalf("request %s is no ticket", r.IssueKey)
		}
		tt := tr.Tickets[i]
		want := jsmStatusOf[tt.Status]
		if r.CurrentStatus.Status != want[0] || r.CurrentStatus.StatusCategory != strings.ToUpper(want[1]) ||
			!millis(r.CreatedDate.EpochMillis).Equal(tt.Created) || millis(r.CurrentStatus.StatusDate.EpochMillis).After(tt.Updated) ||
			millis(r.CurrentStatus.StatusDate.EpochMillis).Before(tt.Created) {
			t.Errorf("%s: %+v; want %v, created %v, updated %v", r.IssueKey, r, want, tt.Created, tt.Updated)
		}
		if tt.Status != "solved" && tt.Status != "closed" {
			open++
		}
	}
	if n := len(jsmRequests(t, s, jsmCustomerAuth(s), url.Values{"requestStatus": {"OPEN_REQUESTS"}})); n != open {
		t.Errorf("%d open requests listed, want %d", n, open)
	}
	if n := len(jsmRequests(t, s, jsmAuth(s), url.Values{"serviceDeskId": {"1"}})); n != len(tr.Tickets) {
		t.Errorf("the agent lists %d requests of desk 1, want %d", n, len(tr.Tickets))
	}
	if n := len(jsmRequests(t, s, jsmCustomerAuth(s), url.Values{"requestOwnership": {"OWNED_REQUESTS"}})); n != 0 {
		t.Errorf("the buyer owns %d requests, want none: its colleagues raised them", n)
	}
}

// The list is ordered by latest activity: a comment moves a request to
// the front.
func TestJSMCustomerListOrder(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 5, Vendors: []Vendor{vendor("acme", FastShallow, 300)}})
	before := jsmRequests(t, s, jsmCustomerAuth(s), url.Values{})
	c.Set(testStart.Add(6 * time.Hour))
	after := jsmRequests(t, s, jsmCustomerAuth(s), url.Values{})
	if len(after) < len(before) || slices.EqualFunc(before, after[:len(before)], func(a, b jsmRequestMirror) bool { return a.IssueID == b.IssueID }) {
		t.Fatalf("six hours of activity left the order as it was")
	}
	// Each request's latest public comment or status change is no later
	// than its predecessor's.
	last := time.Time{}
	for i, r := range after[:min(30, len(after))] {
		act := millis(r.CurrentStatus.StatusDate.EpochMillis)
		for _, cm := range jsmValues[jsmCommentMirror](t, s, "/rest/servicedeskapi/request/"+r.IssueID+"/comment", url.Values{"public": {"true"}}) {
			if at := millis(cm.Created.EpochMillis); at.After(act) {
				act = at
			}
		}
		if i > 0 && act.After(last) {
			t.Errorf("%s (activity %v) listed after one with activity %v", r.IssueKey, act, last)
		}
		last = act
	}
}

func TestJSMCustomerRefusals(t *testing.T) {
	s, tr := ticketSim(t)
	base := s.URL("acme", KindJSM)
	email, _ := s.JSMCustomerCredentials("acme")
	var escalated string
	for _, tt := range tr.Tickets {
		if slices.Contains(tt.Tags, "escalated") {
			escalated = fmt.Sprint(10000 + tt.ID)
		}
	}
	search := "/rest/api/3/search/jql?" + url.Values{"jql": {"project in (10000) ORDER BY updated ASC, key ASC"}}.Encode()
	for _, c := range []struct {
		name, path string
		auth       func(*http.Request)
		status     int
		body       string
	}{
		{"a wrong token", "/rest/api/3/myself", func(r *http.Request) { r.SetBasicAuth(email, "nope") }, http.StatusUnauthorized, ""},
		{"the account", "/rest/api/3/myself", jsmCustomerAuth(s), http.StatusOK, `"accountType":"customer"`},
		{"the search", search, jsmCustomerAuth(s), http.StatusBadRequest, `The value '10000' does not exist for the field 'project'.`},
		{"the SLAs", "/rest/servicedeskapi/request/10001/sla", jsmCustomerAuth(s), http.StatusForbidden, ""},
		{"the desks", "/rest/servicedeskapi/servicedesk", jsmCustomerAuth(s), http.StatusOK, `"projectId":"10000"`},
		{"an unknown ownership", "/rest/servicedeskapi/request?requestOwnership=MINE", jsmCustomerAuth(s), http.StatusBadRequest, ""},
		{"an unknown status", "/rest/servicedeskapi/request?requestStatus=SOME", jsmCustomerAuth(s), http.StatusBadRequest, ""},
	} {
		r := fetch(t, base+c.path, c.auth)
		if r.status != c.status || !strings.Contains(string(r.body), c.body) {
			t.Errorf("%s: HTTP %d, want %d with %q: %.300s", c.name, r.status, c.status, c.body, r.body)
		}
	}
	if escalated == "" {
		t.Fatal("no escalated ticket, whose internal note a customer must not see")
	}
	r := fetch(t, base+"/rest/servicedeskapi/request/"+escalated+"/comment?internal=true", jsmCustomerAuth(s))
	var page struct {
		Values []jsmCommentMirror `json:"values"`
	}
	if err := json.Unmarshal(r.body, &page); err != nil || len(page.Values) == 0 {
		t.Fatalf("comments: %v: %.300s", err, r.body)
	}
	for _, c := range page.Values {
		if !c.Public {
			t.Errorf("the customer sees internal comment %s", c.ID)
		}
	}
}

// The listed request has the shape of the documentation's example, which
// the collector's tests keep.
func TestJSMRequestShapeMatchesRealPayload(t *testing.T) {
	s, _ := ticketSim(t)
	b, err := os.ReadFile("testdata/jsm_request.json")
	if err != nil {
		t.Fatal(err)
	}
	real := decodeObject(t, b)
	page := decodeObject(t, fetch(t, s.URL("acme", KindJSM)+"/rest/servicedeskapi/request?limit=1", jsmCustomerAuth(s)).body)
	values, ok := page["values"].([]any)
	if !ok || len(values) != 1 {
		t.Fatalf("values: %v", page)
	}
	sameKeys(t, "request", values[0].(map[string]any), real, nil)
}
