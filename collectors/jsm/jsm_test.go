package jsm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	_ "time/tzdata" // the tests must not depend on the host's zoneinfo

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// basicAuth adds the fake's credentials, as the http_client config would.
type basicAuth struct{ user, pass string }

func (b basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.SetBasicAuth(b.user, b.pass)
	return http.DefaultTransport.RoundTrip(r)
}

// testEnv is the Env of a source that signs in as the fake's user.
func testEnv(rawURL string) source.Env {
	return collectortest.Env("jira_service_management", rawURL, &http.Client{Transport: basicAuth{fakeEmail, fakeToken}})
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// plainIssue is an open request of desk 10 created at t0 and updated at
// t0+updated, with one public vendor reply.
func plainIssue(n int, updated time.Duration) fakeIssue {
	return fakeIssue{
		id: fmt.Sprint(20000 + n), key: fmt.Sprintf("HELP-%d", n), project: "10000",
		created: t0, updated: t0.Add(updated), priority: "High",
		status: "Waiting for support", category: "indeterminate", reporter: "customer-1",
		comments: []fakeComment{{author: "agent-1", public: true, at: t0.Add(time.Minute)}},
	}
}

// requestsTo counts the logged requests whose path has the prefix.
func requestsTo(log []string, prefix string) int {
	n := 0
	for _, r := range log {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func TestSyncMapsRequests(t *testing.T) {
	solved := fakeIssue{
		id: "20001", key: "HELP-1", project: "10000", created: t0, updated: t0.Add(5 * time.Hour),
		resolved: t0.Add(5 * time.Hour), priority: "Highest", status: "Resolved", category: "done",
		reporter: "customer-1", labels: []string{"escalated"},
		comments: []fakeComment{
			{author: "agent-1", public: false, at: t0.Add(10 * time.Minute)}, // internal: not asked for
			{author: "agent-1", public: true, at: t0.Add(30 * time.Minute)},
			{author: "customer-1", public: true, at: t0.Add(time.Hour)},
			{author: "agent-2", public: true, at: t0.Add(2 * time.Hour)},
		},
		slas: []fakeSLA{
			{name: "Time to first response", goal: time.Hour, stops: []time.Time{t0.Add(30 * time.Minute)}},
			{name: "Time to resolution", goal: 2 * time.Hour, stops: []time.Time{t0.Add(3 * time.Hour), t0.Add(5 * time.Hour)}},
		},
	}
	waiting := fakeIssue{
		id: "20002", key: "IT-7", project: "10001", created: t0.Add(time.Hour), updated: t0.Add(6 * time.Hour),
		status: "Waiting for customer", category: "indeterminate", reporter: "customer-2",
	}
	_, srv := newFakeJSM(t, solved, waiting)
	var rec collectortest.Recorder
	if err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	want := []item.Ticket{{
		ID: "20001", CreatedAt: t0, UpdatedAt: t0.Add(5 * time.Hour), Priority: "Highest",
		Status: item.StatusSolved, Tags: []string{"escalated"},
		Events: []item.Event{
			{Kind: item.EventVendorReply, At: t0.Add(30 * time.Minute)},
			{Kind: item.EventCustomerReply, At: t0.Add(time.Hour)},
			{Kind: item.EventVendorReply, At: t0.Add(2 * time.Hour)},
			{Kind: item.EventSolved, At: t0.Add(5 * time.Hour)},
		},
		Figures: &item.Figures{
			FirstReplyAt: t0.Add(30 * time.Minute), FirstSolvedAt: t0.Add(3 * time.Hour), Replies: 2, Reopens: 1,
			// Answered within the hour; solved an hour past the 2 h goal.
			FirstResponseSLA: &item.SLAClock{Deadline: t0.Add(time.Hour), Stopped: t0.Add(30 * time.Minute)},
			ResolutionSLA:    &item.SLAClock{Deadline: t0.Add(2 * time.Hour), Stopped: t0.Add(3 * time.Hour), Breached: true},
		},
	}, {
		ID: "20002", CreatedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(6 * time.Hour), Status: item.StatusPending,
	}}
	if len(rec.Batches) != 1 {
		t.Fatalf("got %d batches, want 1", len(rec.Batches))
	}
	got := rec.Batches[0].Tickets
	if len(got) != len(want) {
		t.Fatalf("got %d tickets, want %d", len(got), len(want))
	}
	for i := range want {
		if diff := ticketDiff(got[i], want[i]); diff != "" {
			t.Errorf("ticket %s: %s", want[i].ID, diff)
		}
	}
}

func TestSyncQueriesAsJiraExpects(t *testing.T) {
	f, srv := newFakeJSM(t, plainIssue(1, time.Hour))
	var rec collectortest.Recorder
	if err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/rest/api/3/myself?",
		"/rest/servicedeskapi/servicedesk?limit=100&start=0",
		"/rest/api/3/search/jql?" + url.Values{
			"jql":        {"project in (10000, 10001) ORDER BY updated ASC, key ASC"},
			"fields":     {"created,updated,priority,status,resolutiondate,reporter,labels"},
			"maxResults": {"100"},
		}.Encode(),
		"/rest/servicedeskapi/request/20001/comment?internal=false&limit=100&public=true&start=0",
		"/rest/servicedeskapi/request/20001/sla?limit=100&start=0",
	}
	if got := f.log(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSyncPagesWithCursors(t *testing.T) {
	var issues []fakeIssue
	for n := range 250 {
		issues = append(issues, plainIssue(n, time.Duration(n)*time.Minute))
	}
	f, srv := newFakeJSM(t, issues...)
	var rec collectortest.Recorder
	if err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if len(rec.Batches) != 3 {
		t.Fatalf("got %d batches, want one per search page (3)", len(rec.Batches))
	}
	if n := len(rec.TicketIDs()); n != 250 {
		t.Errorf("got %d tickets, want 250", n)
	}
	var prev int64
	for i, b := range rec.Batches {
		c, err := decodeCursor(b.Cursor)
		if err != nil {
			t.Fatal(err)
		}
		if c.Since <= prev {
			t.Errorf("batch %d: cursor since %d does not advance past %d", i, c.Since, prev)
		}
		prev = c.Since
	}
	if want := t0.Add(249 * time.Minute).UnixMilli(); prev != want {
		t.Errorf("final cursor since = %d, want the newest update %d", prev, want)
	}
	log := f.log()
	if n := requestsTo(log, "/rest/api/3/search/jql"); n != 3 {
		t.Errorf("%d search requests, want 3", n)
	}
	var tokens []string
	for _, r := range log {
		if q, ok := strings.CutPrefix(r, "/rest/api/3/search/jql?"); ok {
			v, _ := url.ParseQuery(q)
			tokens = append(tokens, v.Get("nextPageToken"))
		}
	}
	if got := strings.Join(tokens, ","); got != ",tok-100,tok-200" {
		t.Errorf("search pages chained by tokens %q, want \",tok-100,tok-200\"", got)
	}
}

func TestSyncCaughtUpPollCostsOneRequest(t *testing.T) {
	f, srv := newFakeJSM(t, plainIssue(1, time.Hour), plainIssue(2, time.Hour+time.Second), plainIssue(3, 2*time.Hour))
	src := collectortest.NewSource(t, New, testEnv(srv.URL))
	var first collectortest.Recorder
	if err := src.Sync(context.Background(), nil, first.Emit); err != nil {
		t.Fatal(err)
	}
	before := len(f.log())
	var again collectortest.Recorder
	if err := src.Sync(context.Background(), first.LastCursor(t), again.Emit); err != nil {
		t.Fatal(err)
	}
	if got := f.log()[before:]; len(got) != 1 || !strings.HasPrefix(got[0], "/rest/api/3/search/jql?") {
		t.Errorf("caught-up poll sent %q, want one search request", got)
	}
	if ids := again.TicketIDs(); len(ids) != 0 {
		t.Errorf("caught-up poll emitted tickets %v", ids)
	}
}

func TestSyncResumesFromStoredCursor(t *testing.T) {
	f, srv := newFakeJSM(t, plainIssue(1, time.Hour), plainIssue(2, 3*time.Hour))
	var first collectortest.Recorder
	if err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(context.Background(), nil, first.Emit); err != nil {
		t.Fatal(err)
	}
	changed := plainIssue(1, 4*time.Hour)
	f.setIssues(changed, plainIssue(2, 3*time.Hour), plainIssue(3, 5*time.Hour))
	before := len(f.log())
	var rec collectortest.Recorder // a restarted exporter: a new source, the stored cursor
	if err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(context.Background(), first.LastCursor(t), rec.Emit); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rec.TicketIDs(), ","), "20001,20003"; got != want {
		t.Errorf("resumed sync emitted %s, want the changed requests %s", got, want)
	}
	log := f.log()[before:]
	// The window starts 10 minutes before the newest update stored
	// (t0+3h = 12:00 UTC), in the account's zone (Sydney, UTC+11 in March).
	wantJQL := `project in (10000, 10001) AND updated >= "2026-03-02 22:50" ORDER BY updated ASC, key ASC`
	var search string
	for _, r := range log {
		if strings.HasPrefix(r, "/rest/api/3/search/jql?") {
			q, _ := url.ParseQuery(strings.TrimPrefix(r, "/rest/api/3/search/jql?"))
			search = q.Get("jql")
		}
	}
	if search != wantJQL {
		t.Errorf("jql = %q, want %q", search, wantJQL)
	}
	if n := requestsTo(log, "/rest/servicedeskapi/request/20002/"); n != 0 {
		t.Errorf("fetched details of the unchanged request %d times", n)
	}
}

// An update made while a sync runs moves the issue to the end of the
// update order: the same sync meets it again on a later page.
func TestSyncSeesUpdateMadeDuringSync(t *testing.T) {
	var issues []fakeIssue
	for n := range 150 {
		issues = append(issues, plainIssue(n, time.Duration(n)*time.Minute))
	}
	f, srv := newFakeJSM(t, issues...)
	var rec collectortest.Recorder
	emit := func(b item.Batch) error {
		if len(rec.Batches) == 0 { // after page 1: request 5 gets a reply
			updated := plainIssue(5, 10*time.Hour)
			updated.comments = append(updated.comments, fakeComment{author: "agent-1", public: true, at: t0.Add(10 * time.Hour)})
			issues[5] = updated
			f.setIssues(issues...)
		}
		return rec.Emit(b)
	}
	if err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(context.Background(), nil, emit); err != nil {
		t.Fatal(err)
	}
	last := rec.Batches[len(rec.Batches)-1].Tickets
	if got := last[len(last)-1]; got.ID != "20005" || len(got.Events) != 2 {
		t.Errorf("last ticket of the sync = %s with %d events, want 20005 with its new reply", got.ID, len(got.Events))
	}
}

func TestSyncWithoutSLAAccess(t *testing.T) {
	is1, is2 := plainIssue(1, time.Hour), plainIssue(2, 2*time.Hour)
	is1.slas = []fakeSLA{{name: "Time to first response", stops: []time.Time{t0.Add(time.Minute)}}}
	f, srv := newFakeJSM(t, is1, is2)
	f.agent = false
	var rec collectortest.Recorder
	if err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	for _, tk := range rec.Batches[0].Tickets {
		if tk.Figures != nil {
			t.Errorf("ticket %s: figures %+v without SLA access", tk.ID, tk.Figures)
		}
		if len(tk.Events) != 1 || tk.Events[0].Kind != item.EventVendorReply {
			t.Errorf("ticket %s: events %+v, want the vendor reply", tk.ID, tk.Events)
		}
	}
	if n := requestsTo(f.log(), "/rest/servicedeskapi/request/20002/sla"); n != 0 {
		t.Errorf("asked SLAs again after a 403 (%d times)", n)
	}
}

func TestSyncConfiguredServiceDesk(t *testing.T) {
	other := plainIssue(2, 2*time.Hour)
	other.project = "10001"
	f, srv := newFakeJSM(t, plainIssue(1, time.Hour), other)
	env := testEnv(srv.URL)
	env.Config.Options = &Options{API: apiAgent, ServiceDeskID: "10"}
	var rec collectortest.Recorder
	if err := collectortest.NewSource(t, New, env).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rec.TicketIDs(), ","); got != "20001" {
		t.Errorf("got tickets %s, want only desk 10's 20001", got)
	}
	log := f.log()
	if requestsTo(log, "/rest/servicedeskapi/servicedesk/10?") != 1 || requestsTo(log, "/rest/servicedeskapi/servicedesk?") != 0 {
		t.Errorf("desk lookups:\n%s", strings.Join(log, "\n"))
	}
}

func TestSyncSkipsOldAndDeletedRequests(t *testing.T) {
	old := plainIssue(1, time.Hour)
	old.created = t0.Add(-48 * time.Hour)
	f, srv := newFakeJSM(t, old, plainIssue(2, 2*time.Hour))
	env := testEnv(srv.URL)
	env.HistoryStart = t0.Add(-time.Hour)
	f.fail["/rest/servicedeskapi/request/20002/comment"] = fakeFailure{nth: 1, status: http.StatusNotFound}
	var rec collectortest.Recorder
	if err := collectortest.NewSource(t, New, env).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if ids := rec.TicketIDs(); len(ids) != 0 {
		t.Errorf("emitted %v, want neither the old nor the deleted request", ids)
	}
	if n := requestsTo(f.log(), "/rest/servicedeskapi/request/20001/"); n != 0 {
		t.Errorf("fetched details of a request created before the history start")
	}
	c, err := decodeCursor(rec.LastCursor(t))
	if err != nil || c.Since != t0.Add(2*time.Hour).UnixMilli() {
		t.Errorf("cursor %+v (%v), want it past both requests", c, err)
	}
	var search string
	for _, r := range f.log() {
		if strings.HasPrefix(r, "/rest/api/3/search/jql?") {
			q, _ := url.ParseQuery(strings.TrimPrefix(r, "/rest/api/3/search/jql?"))
			search = q.Get("jql")
		}
	}
	if !strings.Contains(search, `updated >= "2026-03-02 19:00"`) { // t0-1h in Sydney
		t.Errorf("first sync jql %q does not start at the history start", search)
	}
}

func TestSyncErrors(t *testing.T) {
	search := "/rest/api/3/search/jql"
	tests := []struct {
		name       string
		path       string
		failure    fakeFailure
		badAuth    bool
		wantReason string
	}{
		{name: "bad credentials", badAuth: true, wantReason: fetch.ReasonAuth},
		{name: "no browse permission", path: search, failure: fakeFailure{status: http.StatusForbidden}, wantReason: fetch.ReasonAuth},
		{name: "rate limited", path: search, failure: fakeFailure{status: http.StatusTooManyRequests, retryAfter: "1"}, wantReason: fetch.ReasonRateLimited},
		{name: "server error", path: search, failure: fakeFailure{status: http.StatusInternalServerError}, wantReason: fetch.ReasonHTTP},
		{name: "malformed search", path: search, failure: fakeFailure{body: `{"issues":[`}, wantReason: fetch.ReasonDecode},
		{name: "search without issues", path: search, failure: fakeFailure{body: `{"isLast":true}`}, wantReason: fetch.ReasonDecode},
		{name: "issue without fields", path: search, failure: fakeFailure{body: `{"issues":[{"id":"1","key":"A-1"}],"isLast":true}`}, wantReason: fetch.ReasonDecode},
		{name: "stuck paging", path: search, failure: fakeFailure{body: `{"issues":[],"isLast":false}`}, wantReason: fetch.ReasonDecode},
		{name: "comments without isLastPage", path: "/rest/servicedeskapi/request/20001/comment", failure: fakeFailure{body: `{"values":[]}`}, wantReason: fetch.ReasonDecode},
		{name: "comment without date", path: "/rest/servicedeskapi/request/20001/comment", failure: fakeFailure{body: `{"isLastPage":true,"values":[{"public":true}]}`}, wantReason: fetch.ReasonDecode},
		{name: "sla server error", path: "/rest/servicedeskapi/request/20001/sla", failure: fakeFailure{status: http.StatusBadGateway}, wantReason: fetch.ReasonHTTP},
		{name: "unknown time zone", path: "/rest/api/3/myself", failure: fakeFailure{body: `{"timeZone":"Mars/Olympus"}`}, wantReason: fetch.ReasonDecode},
		{name: "desk without project", path: "/rest/servicedeskapi/servicedesk", failure: fakeFailure{body: `{"isLastPage":true,"values":[{"id":"10"}]}`}, wantReason: fetch.ReasonDecode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFakeJSM(t, plainIssue(1, time.Hour))
			if tc.path != "" {
				tc.failure.nth = 1
				f.fail[tc.path] = tc.failure
			}
			env := testEnv(srv.URL)
			if tc.badAuth {
				env.HTTP = fetch.New(&http.Client{Transport: basicAuth{fakeEmail, "wrong"}}, env.Limits, fetch.Options{})
			}
			var rec collectortest.Recorder
			err := collectortest.NewSource(t, New, env).Sync(context.Background(), nil, rec.Emit)
			collectortest.WantSyncError(t, err, tc.wantReason, "jira_service_management: ")
			if tc.failure.retryAfter != "" {
				var fe *fetch.Error
				if !errors.As(err, &fe) || fe.RetryAfter != time.Second {
					t.Errorf("Retry-After not reported: %v", err)
				}
			}
		})
	}
}

func TestSyncStopsWhenEmitFails(t *testing.T) {
	var issues []fakeIssue
	for n := range 150 {
		issues = append(issues, plainIssue(n, time.Duration(n)*time.Minute))
	}
	f, srv := newFakeJSM(t, issues...)
	stored := errors.New("disk full")
	err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(context.Background(), nil, func(item.Batch) error { return stored })
	if !errors.Is(err, stored) {
		t.Fatalf("Sync = %v, want the emit error", err)
	}
	if n := requestsTo(f.log(), "/rest/api/3/search/jql"); n != 1 {
		t.Errorf("%d search requests after a failed emit, want 1", n)
	}
}

func TestSyncRefreshesScopeHourly(t *testing.T) {
	f, srv := newFakeJSM(t, plainIssue(1, time.Hour))
	env := testEnv(srv.URL)
	now := t0
	env.Now = func() time.Time { return now }
	src := collectortest.NewSource(t, New, env)
	for _, step := range []time.Duration{0, 59 * time.Minute, 2 * time.Minute} {
		now = now.Add(step)
		if err := src.Sync(context.Background(), nil, (&collectortest.Recorder{}).Emit); err != nil {
			t.Fatal(err)
		}
	}
	if n := requestsTo(f.log(), "/rest/api/3/myself"); n != 2 {
		t.Errorf("scope resolved %d times in 61 minutes, want 2", n)
	}
}

func TestNewRejectsUnusableConfig(t *testing.T) {
	tests := []struct{ url, desk, api, want string }{
		{url: "ftp://acme.atlassian.net", want: "scheme"},
		{url: "https://", want: "no host"},
		{url: "https://me:secret@acme.atlassian.net", want: "credentials"},
		{url: "https://acme.atlassian.net?x=1", want: "query"},
		{url: "https://acme.atlassian.net", desk: "HELP", want: "service_desk_id"},
		{url: "https://acme.atlassian.net", api: "portal", want: `api "portal" must be agent or customer`},
	}
	for _, tc := range tests {
		env := testEnv(tc.url)
		env.Config.Options = &Options{ServiceDeskID: tc.desk, API: tc.api}
		_, err := New(env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q, desk %q) = %v, want an error about %s", tc.url, tc.desk, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q repeats the password", err)
		}
	}
}
