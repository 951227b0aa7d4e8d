package github

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/door"
)

const issuesPath = "/repos/acme/rtc-sdk/issues"

// listRequests counts the requests for the issue list.
func listRequests(f *fakeGitHub) int {
	n := 0
	for _, p := range paths(f.seen()) {
		if p == issuesPath {
			n++
		}
	}
	return n
}

func TestSyncEndsWhenTheIssueListCircles(t *testing.T) {
	three := []map[string]any{
		realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(1)}),
		realIssue(t, 2, map[string]any{"created_at": at(0), "updated_at": at(2)}),
		realIssue(t, 3, map[string]any{"created_at": at(0), "updated_at": at(3)}),
	}
	cases := []struct {
		name         string
		failure      fakeFailure
		wantRequests int
		wantTickets  int
		wantErr      string
	}{
		{
			// Page 1 moves since; page 1 from there repeats its second, as
			// it should; page 2 only repeats what came before.
			name:         "rel=next forever with the same issues",
			failure:      fakeFailure{pages: func(int) []map[string]any { return three }},
			wantRequests: 3, wantTickets: 3,
			wantErr: "issues request 3: GET ",
		},
		{
			name: "rel=next after the page it calls the last",
			failure: fakeFailure{last: 3, pages: func(n int) []map[string]any {
				return []map[string]any{realIssue(t, n, map[string]any{"created_at": at(0), "updated_at": at(100)})}
			}},
			wantRequests: 4, wantTickets: 3,
			wantErr: "after page 3, which it calls the last",
		},
		{
			name:         "rel=next after an empty page",
			failure:      fakeFailure{pages: func(int) []map[string]any { return nil }},
			wantRequests: 1, wantTickets: 0,
			wantErr: "after an empty one",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, srv := newFakeGitHub(t, "")
			fake.repo(repoA)
			fake.fail(issuesPath, tc.failure)
			// The fake's list never ends: a sync that misses the circle
			// fails on this deadline rather than hang.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(ctx, nil, rec.Emit)
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, "github: acme/rtc-sdk: issues request ")
			if err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not say %q", err, tc.wantErr)
			}
			if n := listRequests(fake); n != tc.wantRequests {
				t.Errorf("%d list requests, want %d", n, tc.wantRequests)
			}
			if ids := countIDs(rec.TicketIDs()); len(ids) != tc.wantTickets || len(rec.TicketIDs()) != tc.wantTickets {
				t.Errorf("tickets %v, want %d, each once", rec.TicketIDs(), tc.wantTickets)
			}
		})
	}
}

func TestTimelineEndsWhenItCircles(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	fake.addIssues(repoA, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(9), "comments": 1}))
	event := comment(t, "customer", "NONE", at(5))
	fake.fail(issuesPath+"/1/timeline", fakeFailure{pages: func(int) []map[string]any { return []map[string]any{event} }})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // as above
	defer cancel()
	err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(ctx, nil, (&collectortest.Recorder{}).Emit)
	collectortest.WantSyncError(t, err, fetch.ReasonLoop, "github: acme/rtc-sdk: issue 1: timeline page 2: ")
	if err != nil && !strings.Contains(err.Error(), "only repeats what this sync read before") {
		t.Errorf("error %q, want it to say the page repeats", err)
	}
}

// boundsSource is a source of repoA whose clock reads now, with the
// exporter's default bounds, counting what it rejects.
func boundsSource(t *testing.T, rawURL string, rejected map[string]int) *collector {
	env := testEnv(rawURL, time.Time{}, repoA)
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	env.Now = func() time.Time { return now }
	env.Bounds = door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: env.Now}
	env.Reject = func(reason string) { rejected[reason]++ }
	return collectortest.NewSource(t, New, env).(*collector)
}

// An issue dated far in the future, or before any helpdesk existed, is left
// out of the walk: since stops at the latest plausible update, and the
// issue is taken once GitHub dates it plausibly. The list is in update
// order, so a future one ends the walk: the issues behind it are not
// requested page after page.
func TestSyncLeavesOutImplausibleIssues(t *testing.T) {
	cases := []struct {
		name, reason string
		bad          string
		count        int
	}{
		{"far future", door.ReasonFuture, "2031-01-01T00:00:00Z", 150},
		{"far past", door.ReasonPast, "1990-01-01T00:00:00Z", 1},
		{"year 0", door.ReasonPast, "0000-01-01T00:00:00Z", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, srv := newFakeGitHub(t, "")
			fake.addIssues(repoA,
				realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(1)}),
				realIssue(t, 2, map[string]any{"created_at": at(0), "updated_at": at(2)}))
			for i := range tc.count {
				fake.addIssues(repoA, realIssue(t, 100+i, map[string]any{"created_at": at(0), "updated_at": tc.bad}))
			}
			rejected := map[string]int{}
			src := boundsSource(t, srv.URL, rejected)

			var first collectortest.Recorder
			if err := src.Sync(context.Background(), nil, first.Emit); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(first.TicketIDs(), ","); got != "acme/rtc-sdk#1,acme/rtc-sdk#2" {
				t.Errorf("first sync stored %s, want #1 and #2", got)
			}
			cur, err := parseCursor(first.LastCursor(t))
			if err != nil {
				t.Fatal(err)
			}
			if got := cur.Repos[repoA].Since.Format(time.RFC3339); got != at(2) {
				t.Errorf("since %s, want #2's update %s", got, at(2))
			}
			if n := listRequests(fake); n != 1 {
				t.Errorf("%d list requests, want 1", n)
			}
			if want := min(tc.count, 98); rejected[tc.reason] != want || len(rejected) != 1 {
				t.Errorf("rejected %v, want %d %s (those on the first page)", rejected, want, tc.reason)
			}

			for i := range tc.count { // the vendor fixed the times
				fake.updateIssue(repoA, 100+i, map[string]any{"updated_at": at(10 + i)})
			}
			var second collectortest.Recorder
			if err := src.Sync(context.Background(), first.LastCursor(t), second.Emit); err != nil {
				t.Fatal(err)
			}
			if got := len(second.TicketIDs()); got != tc.count {
				t.Errorf("second sync stored %d tickets, want the %d fixed ones", got, tc.count)
			}
		})
	}
}

// A position stored in the future (before implausible times were left
// out) would hide every change: the walk starts over.
func TestSyncStartsOverFromAPositionInTheFuture(t *testing.T) {
	fake, srv := newFakeGitHub(t, "")
	manyIssues(t, fake, repoA, 3, func(i int) string { return at(i) })
	stored, err := cursor{Version: cursorVersion, Repos: map[string]repoCursor{
		repoA: {Since: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}}}.encode()
	if err != nil {
		t.Fatal(err)
	}
	var rec collectortest.Recorder
	if err := boundsSource(t, srv.URL, map[string]int{}).Sync(context.Background(), stored, rec.Emit); err != nil {
		t.Fatal(err)
	}
	if got := len(rec.TicketIDs()); got != 3 {
		t.Errorf("stored %d tickets, want the three issues", got)
	}
}

// The body cap fits a page of maxBodyBytes and refuses one byte more.
func TestNewCapsResponseSize(t *testing.T) {
	for _, tc := range []struct {
		size int
		ok   bool
	}{{maxBodyBytes, true}, {maxBodyBytes + 1, false}} {
		fake, srv := newFakeGitHub(t, "")
		fake.repo(repoA)
		fake.fail(issuesPath, fakeFailure{body: "[" + strings.Repeat(" ", tc.size-2) + "]"})
		var rec collectortest.Recorder
		err := newTestSource(t, srv.URL, time.Time{}, repoA).Sync(context.Background(), nil, rec.Emit)
		if ok := err == nil && len(rec.Batches) == 1; ok != tc.ok {
			t.Errorf("page of %d bytes: error %v, %d batches; want accepted %v", tc.size, err, len(rec.Batches), tc.ok)
		}
	}
}
