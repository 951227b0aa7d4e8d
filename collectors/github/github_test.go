package github

import (
	"context"
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

// testEnv is the Env of a source of repos whose vendor answers as
// acme-support and ranks P1 and sev:critical urgent, P2 high.
func testEnv(rawURL string, historyStart time.Time, repos ...string) source.Env {
	env := collectortest.Env("github", rawURL, &http.Client{})
	env.Config.Options = &Options{Repositories: repos, VendorLogins: []string{"acme-support"}}
	env.Vendor.Priorities = map[string][]string{"urgent": {"P1", "sev:critical"}, "high": {"P2"}}
	env.HistoryStart = historyStart
	return env
}

func at(sec int) string {
	return time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC).Add(time.Duration(sec) * time.Second).Format(time.RFC3339)
}

func list(t testing.TB, issues ...map[string]any) string {
	if issues == nil {
		issues = []map[string]any{}
	}
	return string(collectortest.Marshal(t, issues))
}

// canned is a source of the simulated vendor's repository whose clock reads
// 2025-03-10 noon, its vendor answering as acme-support and ranking P2
// high, whose issue list (and the timelines given, by issue number) are
// overridden with canned answers: items the simulator never serves (pull
// requests, the vendor's own issues, bots), or answers it never gives. It
// returns the repository's list path.
func canned(t *testing.T, historyStart time.Time, listBody string, timelines map[int]string) (source.Source, *collectortest.Wire, string) {
	t.Helper()
	sim, _ := simWorld(t, 1)
	clock := collectortest.NewClock(time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC))
	src, wire := simSource(t, sim, clock, func(env *source.Env) {
		env.Config.Options.(*Options).VendorLogins = []string{"acme-support"}
		env.Vendor.Priorities = map[string][]string{"urgent": {"P1", "sev:critical"}, "high": {"P2"}}
		env.HistoryStart = historyStart
	})
	path := "/repos/" + simRepo(sim) + "/issues"
	if listBody != "" {
		wire.Override(path, 0, http.StatusOK, listBody, nil)
	}
	for n, body := range timelines {
		wire.Override(fmt.Sprintf("%s/%d/timeline", path, n), 0, http.StatusOK, body, nil)
	}
	return src, wire, path
}

// TestSyncMapsIssues syncs a repository holding every kind of list item
// and checks what becomes a ticket, and which items cost a timeline request.
func TestSyncMapsIssues(t *testing.T) {
	issues := list(t,
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
	timeline := list(t,
		comment(t, "customer", "NONE", at(10)),
		comment(t, "octocat", "COLLABORATOR", at(20)),
		botComment(t, "stale[bot]", at(25)),
		comment(t, "customer", "NONE", at(30)),
		stateEvent(t, "closed", "completed", at(40)),
	)
	src, wire, path := canned(t, collectortest.Time(t, "2025-01-01T00:00:00Z"), issues, map[int]string{1: timeline})
	var rec collectortest.Recorder
	if err := src.Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	repo := strings.TrimSuffix(strings.TrimPrefix(path, "/repos/"), "/issues")
	if got, want := strings.Join(rec.TicketIDs(), ","), repo+"#1,"+repo+"#4"; got != want {
		t.Fatalf("tickets %s, want %s", got, want)
	}
	solved := rec.Ticket(t, repo+"#1")
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
	if fresh := rec.Ticket(t, repo+"#4"); fresh.Status != item.StatusOpen || len(fresh.Events) != 0 {
		t.Errorf("untouched issue %+v, want open without events", fresh)
	}
	wantSent := []string{
		path + "?direction=asc&per_page=100&since=2025-01-01T00%3A00%3A00Z&sort=updated&state=all",
		path + "/1/timeline?per_page=100",
	}
	if got := wire.Sent(); !slices.Equal(got, wantSent) {
		t.Errorf("requests %q, want %q", got, wantSent)
	}
	for i, h := range wire.Headers() {
		if v := h.Get("X-GitHub-Api-Version"); v != apiVersion {
			t.Errorf("request %d: X-GitHub-Api-Version %q, want %q", i+1, v, apiVersion)
		}
	}
}

// TestSyncSeesChangeWithinTheSameSecond: a comment added in the very second
// of the update already handled leaves updated_at as it was, but not the
// comment count: the issue is fetched again.
func TestSyncSeesChangeWithinTheSameSecond(t *testing.T) {
	src, wire, path := canned(t, time.Time{},
		list(t, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(10), "comments": 1})),
		map[int]string{1: list(t, comment(t, "customer", "NONE", at(10)))})
	store := collectortest.NewStore()
	if _, err := syncStored(src, store); err != nil {
		t.Fatal(err)
	}
	wire.Override(path, 0, http.StatusOK, list(t, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(10), "comments": 2})), nil)
	wire.Override(path+"/1/timeline", 0, http.StatusOK, list(t, comment(t, "customer", "NONE", at(10)), comment(t, "octocat", "OWNER", at(10))), nil)
	again, err := syncStored(src, store)
	if err != nil {
		t.Fatal(err)
	}
	if ids := again.TicketIDs(); len(ids) != 1 {
		t.Fatalf("tickets %v, want the issue again", ids)
	}
	if tk := again.Batches[0].Tickets[0]; len(tk.Events) != 2 || tk.Events[1].Kind != item.EventVendorReply {
		t.Errorf("ticket %+v, want the vendor's reply", tk)
	}
}

// A timeline of more than a page is read page after page.
func TestSyncTimelinePages(t *testing.T) {
	var events []map[string]any
	for i := range 150 {
		events = append(events, comment(t, "customer", "NONE", at(1+i)))
	}
	events = append(events, comment(t, "octocat", "MEMBER", at(400)))
	src, wire, path := canned(t, time.Time{}, list(t, realIssue(t, 7, map[string]any{"created_at": at(0), "updated_at": at(500), "comments": 150})), nil)
	wire.Override(path+"/7/timeline", 1, http.StatusOK, list(t, events[:100]...),
		http.Header{"Link": {`<https://api.github.com/repositories/1/issues/7/timeline?per_page=100&page=2>; rel="next"`}})
	wire.Override(path+"/7/timeline", 2, http.StatusOK, list(t, events[100:]...), nil)
	var rec collectortest.Recorder
	if err := src.Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}
	tk := rec.Batches[0].Tickets[0]
	if len(tk.Events) != 151 || tk.Events[150].Kind != item.EventVendorReply {
		t.Errorf("%d events, want 151 ending with the vendor's reply", len(tk.Events))
	}
	if got := wire.Sent()[1:]; len(got) != 2 || !strings.HasSuffix(got[1], "page=2&per_page=100") {
		t.Errorf("timeline requests %q, want the first page and page 2", got)
	}
}

// GitHub Enterprise Server serves the API under /api/v3: the paths go
// below the URL's own.
func TestSyncUnderPathPrefix(t *testing.T) {
	sim, c := simWorld(t, 1)
	src, wire := simSource(t, sim, c, func(env *source.Env) { env.Config.URL += "/api/v3/" })
	path := "/api/v3/repos/" + simRepo(sim) + "/issues"
	wire.Override(path, 0, http.StatusOK, list(t, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(1), "comments": 1})), nil)
	wire.Override(path+"/1/timeline", 0, http.StatusOK, list(t, comment(t, "customer", "NONE", at(1))), nil)
	if _, err := syncStored(src, collectortest.NewStore()); err != nil {
		t.Fatal(err)
	}
	if got := wire.Sent(); len(got) != 2 || !strings.HasPrefix(got[0], path+"?") || !strings.HasPrefix(got[1], path+"/1/timeline?") {
		t.Errorf("requests %q", got)
	}
}

// Answers that are not GitHub's, or GitHub's refusals the simulator does
// not play: each fails the sync with its reason, storing nothing. The
// vendor's own failures (statuses, rate limits, damaged and cut bodies)
// are the conformance suite's (collectors/conformance_faults_test.go).
func TestSyncErrors(t *testing.T) {
	issueJSON := func(drop string) string {
		is := realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(1)})
		delete(is, drop)
		return fmt.Sprintf("[%s]", collectortest.Marshal(t, is))
	}
	one := list(t, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(1), "comments": 1}))
	cases := []struct {
		name, list, timeline string
		status               int
		header               http.Header
		wantReason           string
		wantInErr            string
	}{
		{"403 secondary rate limit", `{"message":"You have exceeded a secondary rate limit."}`, "", http.StatusForbidden, http.Header{"Retry-After": {"0"}}, fetch.ReasonRateLimited, "issues request 1"},
		{"object instead of list", `{"message":"Moved Permanently"}`, "", http.StatusOK, nil, fetch.ReasonDecode, "issues request 1"},
		{"null", `null`, "", http.StatusOK, nil, fetch.ReasonDecode, "issues request 1"},
		{"issue without number", issueJSON("number"), "", http.StatusOK, nil, fetch.ReasonDecode, "no number"},
		{"issue without created_at", issueJSON("created_at"), "", http.StatusOK, nil, fetch.ReasonDecode, "no created_at"},
		{"issue without updated_at", issueJSON("updated_at"), "", http.StatusOK, nil, fetch.ReasonDecode, "no updated_at"},
		{"issue without state", issueJSON("state"), "", http.StatusOK, nil, fetch.ReasonDecode, "unknown state"},
		{"timeline 410 gone", one, `{"message":"This issue was deleted"}`, http.StatusGone, nil, fetch.ReasonHTTP, "issue 1: timeline page 1"},
		{"comment without time", one, `[{"event":"commented","author_association":"NONE"}]`, http.StatusOK, nil, fetch.ReasonDecode, "without created_at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, wire, path := canned(t, time.Time{}, "", nil)
			if tc.timeline == "" {
				wire.Override(path, 0, tc.status, tc.list, tc.header)
			} else {
				wire.Override(path, 0, http.StatusOK, tc.list, nil)
				wire.Override(path+"/1/timeline", 0, tc.status, tc.timeline, tc.header)
			}
			var rec collectortest.Recorder
			err := src.Sync(context.Background(), nil, rec.Emit)
			collectortest.WantSyncError(t, err, tc.wantReason, "github: ")
			if err != nil && !strings.Contains(err.Error(), tc.wantInErr) {
				t.Errorf("error %q lacks its context %q", err, tc.wantInErr)
			}
			if len(rec.Batches) != 0 {
				t.Errorf("%d batches emitted, want none", len(rec.Batches))
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
