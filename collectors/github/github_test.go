package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

const repoA, repoB = "acme/rtc-sdk", "acme/rtc.js"

// testEnv is the Env of a source of repos whose vendor answers as
// acme-support and ranks P1 and sev:critical urgent, P2 high.
func testEnv(rawURL string, historyStart time.Time, repos ...string) source.Env {
	env := collectortest.Env("github", rawURL, &http.Client{})
	env.Config.Options = &Options{Repositories: repos, VendorLogins: []string{"acme-support"}}
	env.Vendor.Priorities = map[string][]string{"urgent": {"P1", "sev:critical"}, "high": {"P2"}}
	env.HistoryStart = historyStart
	return env
}

func newTestSource(t *testing.T, rawURL string, historyStart time.Time, repos ...string) source.Source {
	t.Helper()
	return collectortest.NewSource(t, New, testEnv(rawURL, historyStart, repos...))
}

func at(sec int) string {
	return time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC).Add(time.Duration(sec) * time.Second).Format(time.RFC3339)
}

func paths(reqs []fakeRequest) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.path)
	}
	return out
}

// TestSyncMapsIssues syncs a repository holding every kind of list item
// and checks what becomes a ticket, and which items cost a timeline request.
func TestSyncMapsIssues(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	fake.addIssues(repoA,
		// A customer's issue answered, chased and solved.
		realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(50), "comments": 3, "state": "closed",
			"state_reason": "completed", "closed_at": at(40), "labels": []any{
				map[string]any{"id": 208045946, "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=", "url": "https://api.github.com/repos/acme/rtc-sdk/labels/bug",
					"name": "bug", "description": "Something isn't working", "color": "f29513", "default": true},
				map[string]any{"id": 208045947, "node_id": "MDU6TGFiZWwyMDgwNDU5NDc=", "url": "https://api.github.com/repos/acme/rtc-sdk/labels/P2",
					"name": "P2", "description": "", "color": "a2eeef", "default": false}}}),
		// Opened by the vendor's own member: not a ticket.
		realIssue(t, 2, map[string]any{"created_at": at(1), "updated_at": at(51), "author_association": "MEMBER", "comments": 2}),
		// A pull request: not a ticket.
		realIssue(t, 3, map[string]any{"created_at": at(2), "updated_at": at(52), "comments": 1,
			"pull_request": map[string]any{"url": "https://api.github.com/repos/acme/rtc-sdk/pulls/3", "merged_at": nil}}),
		// New and untouched: a ticket, without a timeline request.
		realIssue(t, 4, map[string]any{"created_at": at(3), "updated_at": at(53)}),
		// Opened by a vendor login outside the organization: not a ticket.
		realIssue(t, 5, map[string]any{"created_at": at(4), "updated_at": at(54), "login": "ACME-Support"}),
		// Created before the history start: not wanted.
		realIssue(t, 6, map[string]any{"created_at": "2024-12-31T23:59:59Z", "updated_at": at(55), "comments": 1}),
	)
	fake.setTimeline(repoA, 1,
		comment(t, "customer", "NONE", at(10)),
		comment(t, "octocat", "COLLABORATOR", at(20)),
		botComment(t, "stale[bot]", at(25)),
		comment(t, "customer", "NONE", at(30)),
		stateEvent(t, "closed", "completed", at(40)),
	)
	var rec collectortest.Recorder
	src := newTestSource(t, srv.URL, collectortest.Time(t, "2025-01-01T00:00:00Z"), repoA)
	if err := src.Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rec.TicketIDs(), ","), "acme/rtc-sdk#1,acme/rtc-sdk#4"; got != want {
		t.Fatalf("tickets %s, want %s", got, want)
	}
	solved := rec.Ticket(t, "acme/rtc-sdk#1")
	wantEvents := []item.Event{
		{Kind: item.EventCustomerReply, At: collectortest.Time(t, at(10))},
		{Kind: item.EventVendorReply, At: collectortest.Time(t, at(20))},
		{Kind: item.EventCustomerReply, At: collectortest.Time(t, at(30))},
		{Kind: item.EventSolved, At: collectortest.Time(t, at(40))},
	}
	if !slices.Equal(solved.Events, wantEvents) {
		t.Errorf("events %+v, want %+v", solved.Events, wantEvents)
	}
	if solved.Status != item.StatusSolved || solved.Priority != "" || !slices.Equal(solved.Tags, []string{"bug", "P2"}) ||
		!solved.CreatedAt.Equal(collectortest.Time(t, at(0))) || !solved.UpdatedAt.Equal(collectortest.Time(t, at(50))) {
		t.Errorf("ticket %+v", solved)
	}
	if fresh := rec.Ticket(t, "acme/rtc-sdk#4"); fresh.Status != item.StatusOpen || len(fresh.Events) != 0 {
		t.Errorf("untouched issue %+v, want open without events", fresh)
	}

	reqs := fake.seen()
	if got, want := paths(reqs), []string{"/repos/acme/rtc-sdk/issues", "/repos/acme/rtc-sdk/issues/1/timeline"}; !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	wantQuery := "direction=asc&per_page=100&since=2025-01-01T00%3A00%3A00Z&sort=updated&state=all"
	if got := reqs[0].query.Encode(); got != wantQuery {
		t.Errorf("issue list query %s, want %s", got, wantQuery)
	}
	if got := reqs[1].query.Encode(); got != "per_page=100" {
		t.Errorf("timeline query %s, want per_page=100", got)
	}
	for _, r := range reqs {
		if r.apiVersion != apiVersion {
			t.Errorf("%s: X-GitHub-Api-Version %q, want %q", r.path, r.apiVersion, apiVersion)
		}
	}
}

func TestSyncWithoutHistoryStartListsEverything(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	fake.addIssues(repoA, realIssue(t, 1, map[string]any{"created_at": "2012-01-01T00:00:00Z", "updated_at": "2012-01-01T00:00:00Z"}))
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if q := fake.seen()[0].query; q.Has("since") {
		t.Errorf("query %s, want no since", q.Encode())
	}
	if got := rec.TicketIDs(); len(got) != 1 {
		t.Errorf("tickets %q, want the 2012 issue", got)
	}
}

// manyIssues adds n untouched issues numbered from 1, the i-th updated at
// updated(i).
func manyIssues(t *testing.T, fake *fakeGitHub, repo string, n int, updated func(i int) string) {
	for i := 1; i <= n; i++ {
		fake.addIssues(repo, realIssue(t, i, map[string]any{"created_at": at(0), "updated_at": updated(i)}))
	}
}

func countIDs(ids []string) map[string]int {
	m := map[string]int{}
	for _, id := range ids {
		m[id]++
	}
	return m
}

// TestSyncPagesBySince checks the walk: each request resumes at the latest
// update seen rather than at a page number, one batch per page, and the
// issues of the boundary second are not handed over twice.
func TestSyncPagesBySince(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	manyIssues(t, fake, repoA, 250, func(i int) string { return at(100 + i) })
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	ids := countIDs(rec.TicketIDs())
	if len(ids) != 250 {
		t.Errorf("%d distinct tickets, want 250", len(ids))
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("ticket %s handed over %d times", id, n)
		}
	}
	var sinces []string
	for _, r := range fake.seen() {
		if r.query.Has("page") {
			t.Errorf("request %s: paged by number", r.query.Encode())
		}
		sinces = append(sinces, r.query.Get("since"))
	}
	if want := []string{"", at(200), at(299)}; !slices.Equal(sinces, want) {
		t.Errorf("since parameters %q, want %q", sinces, want)
	}
	if n := len(rec.Batches); n != 3 {
		t.Errorf("%d batches, want one per page: 3", n)
	}
}

// TestSyncPagesWithinOneSecond: when a whole page shares one updated_at,
// since cannot advance, and the walk turns to the next page number.
func TestSyncPagesWithinOneSecond(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	manyIssues(t, fake, repoA, 150, func(int) string { return at(100) })
	fake.addIssues(repoA, realIssue(t, 151, map[string]any{"created_at": at(0), "updated_at": at(101)}))
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if ids := countIDs(rec.TicketIDs()); len(ids) != 151 || ids["acme/rtc-sdk#151"] != 1 || ids["acme/rtc-sdk#100"] != 1 {
		t.Errorf("%d distinct tickets (%d, %d), want 151, each once", len(ids), ids["acme/rtc-sdk#151"], ids["acme/rtc-sdk#100"])
	}
	var got []string
	for _, r := range fake.seen() {
		got = append(got, r.query.Get("since")+" page "+r.query.Get("page"))
	}
	if want := []string{" page ", at(100) + " page ", at(100) + " page 2"}; !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
}

// TestSyncKeepsIssuesUpdatedDuringSync: an issue of page 1 updated while
// page 2 is due moves to the end of the list, which shifts every later issue
// back by one. Paging by number would then skip the first issue of page 2.
func TestSyncKeepsIssuesUpdatedDuringSync(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	manyIssues(t, fake, repoA, 150, func(i int) string { return at(100 + i) })
	fake.afterRequest = func(f *fakeGitHub, n int) {
		if n == 1 {
			f.updateIssueLocked(repoA, 5, map[string]any{"updated_at": at(1000), "labels": []any{"P1"}})
		}
	}
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	ids := countIDs(rec.TicketIDs())
	if len(ids) != 150 || ids["acme/rtc-sdk#101"] != 1 {
		t.Errorf("%d distinct tickets, #101 %d times: want all 150", len(ids), ids["acme/rtc-sdk#101"])
	}
	if ids["acme/rtc-sdk#5"] != 2 || !slices.Equal(rec.Ticket(t, "acme/rtc-sdk#5").Tags, []string{"P1"}) {
		t.Errorf("issue 5 handed over %d times, last as %+v: want its update too", ids["acme/rtc-sdk#5"], rec.Ticket(t, "acme/rtc-sdk#5"))
	}
}

// TestSyncResumesFromCursor: a new sync resumes at the stored cursor and
// hands over only what changed since.
func TestSyncResumesFromCursor(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	manyIssues(t, fake, repoA, 3, func(i int) string { return at(100 + i) })
	var first collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(context.Background(), nil, first.Emit); err != nil {
		t.Fatal(err)
	}
	fake.updateIssue(repoA, 2, map[string]any{"updated_at": at(500), "comments": 1})
	fake.setTimeline(repoA, 2, comment(t, "acme-support", "NONE", at(500)))
	fake.reset()

	// A fresh source: the cursor is all that survives a restart.
	var second collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(context.Background(), first.LastCursor(t), second.Emit); err != nil {
		t.Fatal(err)
	}
	if got := second.TicketIDs(); !slices.Equal(got, []string{"acme/rtc-sdk#2"}) {
		t.Errorf("tickets %q, want only the changed #2", got)
	}
	if tk := second.Ticket(t, "acme/rtc-sdk#2"); tk.Status != item.StatusPending {
		t.Errorf("answered by a vendor login: status %s, want pending", tk.Status)
	}
	reqs := fake.seen()
	if len(reqs) != 2 || reqs[0].query.Get("since") != at(103) {
		t.Errorf("requests %+v, want the list since %s and #2's timeline", reqs, at(103))
	}
}

// TestSyncCaughtUp: once caught up, a poll costs one request; from the
// second such poll on, it is a conditional request answered 304.
func TestSyncCaughtUp(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	fake.addIssues(repoA, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(10), "comments": 1}))
	fake.setTimeline(repoA, 1, comment(t, "customer", "NONE", at(10)))
	src := newTestSource(t, srv.URL, time.Time{}, repoA)
	var rec collectortest.Recorder
	if err := src.Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	cursor := rec.LastCursor(t)
	wantStatus := []int{http.StatusOK, http.StatusNotModified, http.StatusNotModified}
	for poll, want := range wantStatus {
		fake.reset()
		var again collectortest.Recorder
		if err := src.Sync(context.Background(), cursor, again.Emit); err != nil {
			t.Fatal(err)
		}
		reqs := fake.seen()
		if len(reqs) != 1 || reqs[0].status != want {
			t.Fatalf("poll %d: requests %+v, want one answered %d", poll+1, reqs, want)
		}
		if len(again.TicketIDs()) != 0 {
			t.Errorf("poll %d: tickets %q, want none", poll+1, again.TicketIDs())
		}
		if want == http.StatusNotModified && (reqs[0].ifNoneMatch == "" || len(again.Batches) != 0) {
			t.Errorf("poll %d: If-None-Match %q, %d batches: want a conditional request and nothing stored",
				poll+1, reqs[0].ifNoneMatch, len(again.Batches))
		}
		if len(again.Batches) > 0 {
			cursor = again.LastCursor(t)
		}
	}
}

// TestSyncSeesChangeWithinTheSameSecond: a comment added in the very second
// of the update already handled leaves updated_at as it was, but not the
// comment count: the issue is fetched again.
func TestSyncSeesChangeWithinTheSameSecond(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	fake.addIssues(repoA, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(10), "comments": 1}))
	fake.setTimeline(repoA, 1, comment(t, "customer", "NONE", at(10)))
	src := newTestSource(t, srv.URL, time.Time{}, repoA)
	var rec collectortest.Recorder
	if err := src.Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	fake.updateIssue(repoA, 1, map[string]any{"comments": 2})
	fake.setTimeline(repoA, 1, comment(t, "customer", "NONE", at(10)), comment(t, "octocat", "OWNER", at(10)))
	var again collectortest.Recorder
	if err := src.Sync(context.Background(), rec.LastCursor(t), again.Emit); err != nil {
		t.Fatal(err)
	}
	if tk := again.Ticket(t, "acme/rtc-sdk#1"); len(tk.Events) != 2 || tk.Events[1].Kind != item.EventVendorReply {
		t.Errorf("ticket %+v, want the vendor's reply", tk)
	}
}

func TestSyncTimelinePages(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	fake.addIssues(repoA, realIssue(t, 7, map[string]any{"created_at": at(0), "updated_at": at(500), "comments": 150}))
	var events []map[string]any
	for i := range 150 {
		events = append(events, comment(t, "customer", "NONE", at(1+i)))
	}
	events = append(events, comment(t, "octocat", "MEMBER", at(400)))
	fake.setTimeline(repoA, 7, events...)
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	tk := rec.Ticket(t, "acme/rtc-sdk#7")
	if len(tk.Events) != 151 || tk.Events[150].Kind != item.EventVendorReply {
		t.Errorf("%d events, want 151 ending with the vendor's reply", len(tk.Events))
	}
	var pages []string
	for _, r := range fake.seen()[1:] {
		pages = append(pages, r.query.Get("page"))
	}
	if !slices.Equal(pages, []string{"", "2"}) {
		t.Errorf("timeline pages %q, want first and 2", pages)
	}
}

func TestSyncUnderPathPrefix(t *testing.T) {
	// GitHub Enterprise Server serves the API under /api/v3.
	fake, srv := newFakeGitHub(t, "/api/v3")
	fake.addIssues(repoA, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(1), "comments": 1}))
	fake.setTimeline(repoA, 1, comment(t, "customer", "NONE", at(1)))
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL+"/api/v3/", time.Time{}, repoA).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if got := paths(fake.seen()); !slices.Equal(got, []string{"/api/v3/repos/acme/rtc-sdk/issues", "/api/v3/repos/acme/rtc-sdk/issues/1/timeline"}) {
		t.Errorf("requests %q", got)
	}
}

func TestSyncUnreadableCursorStartsOver(t *testing.T) {
	for _, stored := range []string{`{"v":`, `{"v":99,"repos":{}}`, `[]`} {
		t.Run(stored, func(t *testing.T) {
			fake, srv := newFakeGitHub(t, "")
			fake.addIssues(repoA, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(1)}))
			var rec collectortest.Recorder
			if err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(context.Background(), []byte(stored), rec.Emit); err != nil {
				t.Fatal(err)
			}
			if got := rec.TicketIDs(); len(got) != 1 || fake.seen()[0].query.Has("since") {
				t.Errorf("tickets %q, first query %s: want a fresh start", got, fake.seen()[0].query.Encode())
			}
		})
	}
}

func TestSyncErrors(t *testing.T) {
	const list, timeline = "/repos/acme/rtc-sdk/issues", "/repos/acme/rtc-sdk/issues/1/timeline"
	issueJSON := func(drop string) string {
		is := realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(1)})
		delete(is, drop)
		return fmt.Sprintf("[%s]", collectortest.Marshal(t, is))
	}
	cases := []struct {
		name, path string
		failure    fakeFailure
		wantReason string
		wantInErr  string
	}{
		{"401", list, fakeFailure{status: http.StatusUnauthorized}, fetch.ReasonAuth, "issues request 1"},
		{"403 forbidden", list, fakeFailure{status: http.StatusForbidden}, fetch.ReasonAuth, "issues request 1"},
		{"403 primary rate limit", list, fakeFailure{status: http.StatusForbidden, remaining0: true}, fetch.ReasonRateLimited, "issues request 1"},
		{"403 secondary rate limit", list, fakeFailure{status: http.StatusForbidden, header: http.Header{"Retry-After": {"0"}}}, fetch.ReasonRateLimited, "issues request 1"},
		{"429", list, fakeFailure{status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"0"}}}, fetch.ReasonRateLimited, "issues request 1"},
		{"404 repository gone", list, fakeFailure{status: http.StatusNotFound}, fetch.ReasonHTTP, "issues request 1"},
		{"500", list, fakeFailure{status: http.StatusInternalServerError}, fetch.ReasonHTTP, "issues request 1"},
		{"malformed", list, fakeFailure{body: `[{"number":1,}]`}, fetch.ReasonDecode, "issues request 1"},
		{"object instead of list", list, fakeFailure{body: `{"message":"Moved Permanently"}`}, fetch.ReasonDecode, "issues request 1"},
		{"null", list, fakeFailure{body: `null`}, fetch.ReasonDecode, "issues request 1"},
		{"truncated", list, fakeFailure{body: `[{"number":1,"created_at":`, truncated: true}, fetch.ReasonDecode, "issues request 1"},
		{"issue without number", list, fakeFailure{body: issueJSON("number")}, fetch.ReasonDecode, "no number"},
		{"issue without created_at", list, fakeFailure{body: issueJSON("created_at")}, fetch.ReasonDecode, "no created_at"},
		{"issue without updated_at", list, fakeFailure{body: issueJSON("updated_at")}, fetch.ReasonDecode, "no updated_at"},
		{"issue without state", list, fakeFailure{body: issueJSON("state")}, fetch.ReasonDecode, "unknown state"},
		{"timeline 500", timeline, fakeFailure{status: http.StatusBadGateway}, fetch.ReasonHTTP, "issue 1: timeline page 1"},
		{"timeline 410 gone", timeline, fakeFailure{status: http.StatusGone}, fetch.ReasonHTTP, "issue 1: timeline page 1"},
		{"timeline malformed", timeline, fakeFailure{body: `[{"event":"commented"`}, fetch.ReasonDecode, "issue 1: timeline page 1"},
		{"comment without time", timeline, fakeFailure{body: `[{"event":"commented","author_association":"NONE"}]`}, fetch.ReasonDecode, "without created_at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, srv := newFakeGitHub(t, "")
			fake.addIssues(repoA, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(1), "comments": 1}))
			fake.fail(tc.path, tc.failure)
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(context.Background(), nil, rec.Emit)
			collectortest.WantSyncError(t, err, tc.wantReason, "github: acme/rtc-sdk: ")
			if !strings.Contains(err.Error(), tc.wantInErr) {
				t.Errorf("error %q lacks its context %q", err, tc.wantInErr)
			}
			if len(rec.Batches) != 0 {
				t.Errorf("%d batches emitted, want none", len(rec.Batches))
			}
		})
	}
}

// A repository that fails (renamed, deleted, a typo) does not keep the
// others from being synced.
func TestSyncFailingRepositoryDoesNotBlockOthers(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	fake.addIssues(repoB, realIssue(t, 9, map[string]any{"created_at": at(0), "updated_at": at(1)}))
	var rec collectortest.Recorder
	err := newTestSource(t, srv.URL, time.Time{}, "acme/gone", repoB).Sync(context.Background(), nil, rec.Emit)
	if fetch.Reason(err) != fetch.ReasonHTTP || !strings.Contains(err.Error(), "acme/gone") {
		t.Errorf("error %v, want acme/gone's 404", err)
	}
	if got := rec.TicketIDs(); !slices.Equal(got, []string{"acme/rtc.js#9"}) {
		t.Errorf("tickets %q, want acme/rtc.js#9", got)
	}
}

// A rate limit or a failed store ends the sync at once: every further
// request would meet the same fate.
func TestSyncStopsAtOnce(t *testing.T) {
	storeErr := errors.New("disk full")
	cases := []struct {
		name      string
		failA     bool
		emit      func(item.Batch) error
		wantIs    error
		wantCalls int
	}{
		{name: "rate limited", failA: true, emit: func(item.Batch) error { return nil }, wantCalls: 1},
		{name: "emit fails", emit: func(item.Batch) error { return storeErr }, wantIs: storeErr, wantCalls: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, srv := newFakeGitHub(t, "")
			fake.addIssues(repoA, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(1)}))
			fake.addIssues(repoB, realIssue(t, 2, map[string]any{"created_at": at(0), "updated_at": at(1)}))
			if tc.failA {
				fake.fail("/repos/acme/rtc-sdk/issues", fakeFailure{status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"0"}}})
			}
			err := newTestSource(t, srv.URL, time.Time{}, repoA, repoB).Sync(context.Background(), nil, tc.emit)
			if err == nil || (tc.wantIs != nil && !errors.Is(err, tc.wantIs)) {
				t.Errorf("error %v, want one wrapping %v", err, tc.wantIs)
			}
			if n := len(fake.seen()); n != tc.wantCalls {
				t.Errorf("%d requests, want %d: %q", n, tc.wantCalls, paths(fake.seen()))
			}
		})
	}
}

func TestNewRejectsUnusableConfig(t *testing.T) {
	cases := []struct {
		name, url string
		repos     []string
		wantErr   string
	}{
		{name: "no repositories", url: DefaultURL, wantErr: "no repositories"},
		{name: "not owner/name", url: DefaultURL, repos: []string{"acme"}, wantErr: "want owner/name"},
		{name: "path trick", url: DefaultURL, repos: []string{"acme/../../user"}, wantErr: "want owner/name"},
		{name: "listed twice", url: DefaultURL, repos: []string{"acme/sdk", "ACME/SDK"}, wantErr: "listed twice"},
		{name: "not a URL", url: "https://api.github.com/%zz", repos: []string{repoA}, wantErr: "invalid URL escape"},
		{name: "scheme", url: "ftp://api.github.com", repos: []string{repoA}, wantErr: "scheme must be http or https"},
		{name: "no host", url: "https:///api", repos: []string{repoA}, wantErr: "no host"},
		{name: "credentials in URL", url: "https://bot:secret@api.github.com", repos: []string{repoA}, wantErr: "credentials belong in http_client"},
		{name: "query", url: "https://api.github.com/?per_page=1", repos: []string{repoA}, wantErr: "must not carry a query"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(testEnv(tc.url, time.Time{}, tc.repos...))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
	if _, err := New(source.Env{Config: &config.Source{}}); err == nil {
		t.Error("no HTTP client accepted")
	}
}

func TestNewDefaultsToGitHubCom(t *testing.T) {
	src, err := New(testEnv("", time.Time{}, repoA))
	if err != nil {
		t.Fatal(err)
	}
	if got := src.(*collector).issuesURL(repoA, time.Time{}, 2); !strings.HasPrefix(got, "https://api.github.com/repos/acme/rtc-sdk/issues?") ||
		!strings.Contains(got, "page=2") {
		t.Errorf("issues URL %s", got)
	}
}
