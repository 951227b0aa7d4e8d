package jsm

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// storingSource is a source whose store keeps every ticket emitted, as
// customer mode needs (Env.Stored).
type storingSource struct {
	src    source.Source
	stored map[string]*item.Ticket
	cursor []byte
}

func newStoringSource(t *testing.T, env source.Env) *storingSource {
	t.Helper()
	cs := &storingSource{stored: map[string]*item.Ticket{}}
	env.Stored = func(id string) (*item.Ticket, error) { return cs.stored[id], nil }
	cs.src = collectortest.NewSource(t, New, env)
	return cs
}

// sync runs one poll, stores what it emits and returns it.
func (cs *storingSource) sync(t *testing.T) []item.Ticket {
	t.Helper()
	var got []item.Ticket
	err := cs.src.Sync(context.Background(), cs.cursor, func(b item.Batch) error {
		for _, tk := range b.Tickets {
			cs.stored[tk.ID] = &tk
			got = append(got, tk)
		}
		if b.Cursor != nil {
			cs.cursor = b.Cursor
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// newCustomerFake is a fake whose account is a portal customer, and the
// Env of a source configured with api: customer.
func newCustomerFake(t *testing.T, issues ...fakeIssue) (*fakeJSM, source.Env) {
	f, srv := newFakeJSM(t, issues...)
	f.customer, f.agent = true, false
	env := testEnv(srv.URL)
	env.Config.Options = &Options{API: apiCustomer}
	return f, env
}

func TestCustomerSyncListsRequests(t *testing.T) {
	solved := plainIssue(1, 0)
	solved.status, solved.category, solved.statusAt = "Resolved", "done", t0.Add(3*time.Hour)
	solved.comments = append(solved.comments, fakeComment{author: "customer-1", public: true, at: t0.Add(2 * time.Hour)})
	solved.slas = []fakeSLA{{name: "Time to first response", stops: []time.Time{t0.Add(time.Minute)}}}
	waiting := plainIssue(2, 0)
	waiting.created, waiting.statusAt = t0.Add(time.Hour), t0.Add(4*time.Hour)
	waiting.status = "Waiting for customer"
	f, env := newCustomerFake(t, solved, waiting)
	got := newStoringSource(t, env).sync(t)
	want := []item.Ticket{{
		ID: "20002", CreatedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(4 * time.Hour), Status: item.StatusPending,
		Events: []item.Event{{Kind: item.EventVendorReply, At: t0.Add(time.Minute)}},
	}, {
		ID: "20001", CreatedAt: t0, UpdatedAt: t0.Add(3 * time.Hour), Status: item.StatusSolved,
		Events: []item.Event{
			{Kind: item.EventVendorReply, At: t0.Add(time.Minute)},
			{Kind: item.EventCustomerReply, At: t0.Add(2 * time.Hour)},
			{Kind: item.EventSolved, At: t0.Add(3 * time.Hour)},
		},
	}}
	if len(got) != len(want) {
		t.Fatalf("got %d tickets, want %d", len(got), len(want))
	}
	for i := range want {
		if diff := ticketDiff(got[i], want[i]); diff != "" {
			t.Errorf("ticket %s: %s", want[i].ID, diff)
		}
	}
	// No search, desk scope or SLA: the list and the comments only.
	wantLog := []string{
		"/rest/servicedeskapi/request?limit=100&requestOwnership=OWNED_REQUESTS&requestOwnership=PARTICIPATED_REQUESTS&requestOwnership=ALL_ORGANIZATIONS&requestStatus=ALL_REQUESTS&start=0",
		"/rest/servicedeskapi/request/20002/comment?internal=false&limit=100&public=true&start=0",
		"/rest/servicedeskapi/request/20001/comment?internal=false&limit=100&public=true&start=0",
	}
	if got := f.log(); strings.Join(got, "\n") != strings.Join(wantLog, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantLog, "\n"))
	}
}

// Each poll lists every request, but only those with new activity cost a
// comment request: those that moved up the list, those whose status moved,
// and the first one (activity on it leaves the order unchanged).
func TestCustomerPollFetchesOnlyChangedRequests(t *testing.T) {
	issues := make([]fakeIssue, 150)
	for n := range issues {
		issues[n] = plainIssue(n, 0)
		issues[n].statusAt = t0.Add(time.Duration(n) * time.Minute) // 20149 first
	}
	f, env := newCustomerFake(t, issues...)
	cs := newStoringSource(t, env)
	if got := len(cs.sync(t)); got != 150 {
		t.Fatalf("first sync stored %d requests, want 150", got)
	}
	commented := func(from int) []string {
		var ids []string
		for _, r := range f.log()[from:] {
			if id, ok := strings.CutPrefix(r, "/rest/servicedeskapi/request/"); ok {
				ids = append(ids, strings.SplitN(id, "/", 2)[0])
			}
		}
		return ids
	}
	steps := []struct {
		name   string
		change func()
		want   string // requests whose comments are read, in list order
	}{
		{name: "nothing new", change: func() {}, want: "20149"},
		{name: "a reply moves a request up", change: func() {
			issues[7].comments = append(issues[7].comments, fakeComment{author: "agent-1", public: true, at: t0.Add(10 * time.Hour)})
		}, want: "20007"},
		{name: "a status change in place", change: func() {
			issues[3].status, issues[3].category = "Resolved", "done" // same date: only the status moved
		}, want: "20007,20003"},
		{name: "two requests with activity", change: func() {
			issues[100].comments = append(issues[100].comments, fakeComment{author: "customer-1", public: true, at: t0.Add(11 * time.Hour)})
			issues[50].statusAt = t0.Add(12 * time.Hour)
		}, want: "20050,20100"},
	}
	for _, st := range steps {
		st.change()
		f.setIssues(issues...)
		before := len(f.log())
		got := cs.sync(t)
		if ids := strings.Join(commented(before), ","); ids != st.want {
			t.Errorf("%s: read the comments of %s, want %s", st.name, ids, st.want)
		}
		if n := requestsTo(f.log()[before:], "/rest/servicedeskapi/request?"); n != 2 {
			t.Errorf("%s: %d list requests, want the 2 pages", st.name, n)
		}
		if len(got) != len(strings.Split(st.want, ",")) {
			t.Errorf("%s: emitted %d tickets for %s", st.name, len(got), st.want)
		}
	}
	if got := cs.stored["20003"]; got.Status != item.StatusSolved || got.Events[len(got.Events)-1].Kind != item.EventSolved {
		t.Errorf("request 20003 stored as %+v, want solved", got)
	}
}

// The listing shows the current status only: solves and reopens are told
// from the stored version, at the status date.
func TestCustomerSolveAndReopen(t *testing.T) {
	is := plainIssue(1, 0)
	f, env := newCustomerFake(t, is)
	cs := newStoringSource(t, env)
	steps := []struct {
		status, category string
		at               time.Duration
		want             []item.Event
	}{
		{"Waiting for support", "new", 0, nil},
		{"Resolved", "done", 2 * time.Hour, []item.Event{{Kind: item.EventSolved, At: t0.Add(2 * time.Hour)}}},
		{"In progress", "indeterminate", 3 * time.Hour, []item.Event{{Kind: item.EventSolved, At: t0.Add(2 * time.Hour)}, {Kind: item.EventReopened, At: t0.Add(3 * time.Hour)}}},
		{"Closed", "done", 5 * time.Hour, []item.Event{{Kind: item.EventSolved, At: t0.Add(2 * time.Hour)}, {Kind: item.EventReopened, At: t0.Add(3 * time.Hour)}, {Kind: item.EventSolved, At: t0.Add(5 * time.Hour)}}},
	}
	for i, st := range steps {
		is.status, is.category, is.statusAt = st.status, st.category, t0.Add(st.at)
		f.setIssues(is)
		got := cs.sync(t)
		if len(got) != 1 {
			t.Fatalf("step %d: %d tickets", i, len(got))
		}
		want := append([]item.Event{{Kind: item.EventVendorReply, At: t0.Add(time.Minute)}}, st.want...)
		if !reflect.DeepEqual(got[0].Events, want) {
			t.Errorf("step %d (%s): events %+v, want %+v", i, st.status, got[0].Events, want)
		}
	}
}

func TestCustomerSyncConfiguredDeskAndHistoryStart(t *testing.T) {
	other := plainIssue(2, 0)
	other.project = "10001"
	old := plainIssue(3, 0)
	old.created = t0.Add(-48 * time.Hour)
	f, env := newCustomerFake(t, plainIssue(1, 0), other, old)
	env.Config.Options.(*Options).ServiceDeskID = "10"
	env.HistoryStart = t0.Add(-time.Hour)
	var ids []string
	for _, tk := range newStoringSource(t, env).sync(t) {
		ids = append(ids, tk.ID)
	}
	if got := strings.Join(ids, ","); got != "20001" {
		t.Errorf("got %s, want only desk 10's recent 20001", got)
	}
	if n := requestsTo(f.log(), "/rest/servicedeskapi/request?limit=100&requestOwnership=OWNED_REQUESTS&requestOwnership=PARTICIPATED_REQUESTS&requestOwnership=ALL_ORGANIZATIONS&requestStatus=ALL_REQUESTS&serviceDeskId=10&start=0"); n != 1 {
		t.Errorf("desk 10 listed %d times:\n%s", n, strings.Join(f.log(), "\n"))
	}
}

// Customer mode never searches, resolves the desks or asks for SLAs,
// however long it runs.
func TestCustomerModeNeverSearches(t *testing.T) {
	f, env := newCustomerFake(t, plainIssue(1, time.Hour))
	now := t0
	env.Now = func() time.Time { return now }
	cs := newStoringSource(t, env)
	for range 3 {
		cs.sync(t)
		now = now.Add(61 * time.Minute)
	}
	for _, path := range []string{"/rest/api/3/search/jql", "/rest/api/3/myself", "/rest/servicedeskapi/servicedesk", "/rest/servicedeskapi/request/20001/sla"} {
		if n := requestsTo(f.log(), path); n != 0 {
			t.Errorf("%d requests to %s in customer mode", n, path)
		}
	}
	if n := requestsTo(f.log(), "/rest/servicedeskapi/request?"); n != 3 {
		t.Errorf("%d listings in 3 polls, want 3", n)
	}
}

// A portal customer configured as an agent (api: agent, the default) is
// not polled as a customer: the refused search fails the sync and says
// what to set.
func TestAgentModeSearchRefusedSaysWhatToSet(t *testing.T) {
	f, srv := newFakeJSM(t, plainIssue(1, time.Hour))
	f.customer, f.agent = true, false
	err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(context.Background(), nil, func(item.Batch) error {
		t.Error("a batch stored after the refused search")
		return nil
	})
	collectortest.WantSyncError(t, err, fetch.ReasonHTTP, "jira_service_management: search page 1: ")
	if err != nil && !strings.Contains(err.Error(), "if it is a portal customer, set api: customer") {
		t.Errorf("error %q does not say what to set", err)
	}
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Status != http.StatusBadRequest {
		t.Errorf("error %v, want the 400", err)
	}
	if n := requestsTo(f.log(), "/rest/servicedeskapi/request"); n != 0 {
		t.Errorf("%d request-list calls: an agent source must not list as a customer", n)
	}
}

// Each mode starts over from the other's stored cursor: a switch of api
// is a reconfiguration, not a guess.
func TestModesReplaceEachOthersCursor(t *testing.T) {
	f, env := newCustomerFake(t, plainIssue(1, time.Hour), plainIssue(2, 2*time.Hour))
	cs := newStoringSource(t, env)
	cs.cursor = cursor{Since: t0.Add(2 * time.Hour).UnixMilli(), Seen: map[string]int64{"20002": t0.Add(2 * time.Hour).UnixMilli()}}.encode()
	if got := len(cs.sync(t)); got != 2 {
		t.Errorf("customer mode from a search cursor stored %d requests, want both", got)
	}
	var cur cursor
	if err := json.Unmarshal(cs.cursor, &cur); err != nil || len(cur.Requests) != 2 || cur.Since != 0 || len(cur.Seen) != 0 {
		t.Errorf("cursor after the listing %s (%v): want the listing alone", cs.cursor, err)
	}

	f.customer, f.agent = false, true
	agentEnv := testEnv(env.Config.URL)
	agent := newStoringSource(t, agentEnv)
	agent.cursor = cs.cursor
	agent.sync(t)
	var searched cursor
	if err := json.Unmarshal(agent.cursor, &searched); err != nil || len(searched.Requests) != 0 || searched.Since == 0 {
		t.Errorf("cursor after the search %s (%v): want the search's, without the customer listing", agent.cursor, err)
	}
}

func TestActivity(t *testing.T) {
	req := func(id, status string) apiRequest {
		ms := int64(1000)
		return apiRequest{IssueID: id, CurrentStatus: &apiRequestStatus{Status: status, StatusDate: &apiDate{EpochMillis: &ms}}}
	}
	prev := cursor{Requests: []listedRequest{{"a", "Open@1000"}, {"b", "Open@1000"}, {"c", "Open@1000"}, {"d", "Open@1000"}}}
	tests := []struct {
		name   string
		prev   cursor
		listed []apiRequest
		want   []bool
	}{
		{name: "first listing", listed: []apiRequest{req("a", "Open"), req("b", "Open")}, want: []bool{true, true}},
		{name: "empty", prev: prev, want: []bool{}},
		{name: "unchanged: the first only", prev: prev, listed: []apiRequest{req("a", "Open"), req("b", "Open"), req("c", "Open"), req("d", "Open")}, want: []bool{true, false, false, false}},
		{name: "c moved up", prev: prev, listed: []apiRequest{req("c", "Open"), req("a", "Open"), req("b", "Open"), req("d", "Open")}, want: []bool{true, false, false, false}},
		{name: "d and b moved up", prev: prev, listed: []apiRequest{req("d", "Open"), req("b", "Open"), req("a", "Open"), req("c", "Open")}, want: []bool{true, true, false, false}},
		{name: "new request", prev: prev, listed: []apiRequest{req("e", "Open"), req("a", "Open"), req("b", "Open"), req("c", "Open"), req("d", "Open")}, want: []bool{true, false, false, false, false}},
		{name: "status moved in place", prev: prev, listed: []apiRequest{req("a", "Open"), req("b", "Open"), req("c", "Done"), req("d", "Open")}, want: []bool{true, false, true, false}},
		{name: "one deleted", prev: prev, listed: []apiRequest{req("a", "Open"), req("c", "Open"), req("d", "Open")}, want: []bool{true, false, false}},
	}
	for _, tc := range tests {
		if got := tc.prev.activity(tc.listed); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCustomerSyncErrors(t *testing.T) {
	list := "/rest/servicedeskapi/request"
	tests := []struct {
		name, path, body string
		status           int
		wantReason       string
	}{
		{name: "list without isLastPage", path: list, body: `{"values":[]}`, wantReason: fetch.ReasonDecode},
		{name: "request without status", path: list, body: `{"isLastPage":true,"values":[{"issueId":"1","createdDate":{"epochMillis":1}}]}`, wantReason: fetch.ReasonDecode},
		{name: "request without id", path: list, body: `{"isLastPage":true,"values":[{"createdDate":{"epochMillis":1}}]}`, wantReason: fetch.ReasonDecode},
		{name: "list refused", path: list, status: http.StatusForbidden, wantReason: fetch.ReasonAuth},
		{name: "comments fail", path: "/rest/servicedeskapi/request/20001/comment", status: http.StatusInternalServerError, wantReason: fetch.ReasonHTTP},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, env := newCustomerFake(t, plainIssue(1, 0))
			f.fail[tc.path] = fakeFailure{nth: 1, status: tc.status, body: tc.body}
			err := collectortest.NewSource(t, New, env).Sync(context.Background(), nil, (&collectortest.Recorder{}).Emit)
			collectortest.WantSyncError(t, err, tc.wantReason, "jira_service_management: ")
		})
	}
}
