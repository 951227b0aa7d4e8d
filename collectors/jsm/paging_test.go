package jsm

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
)

const searchPath = "/rest/api/3/search/jql"

func TestSearchEndsWhenItCircles(t *testing.T) {
	one, two := plainIssue(1, time.Hour), plainIssue(2, 2*time.Hour)
	cases := []struct {
		name         string
		neverLast    func(n int) ([]fakeIssue, string)
		wantRequests int
		wantTickets  string
		wantErr      string
	}{
		{
			name:         "the same issues under new tokens",
			neverLast:    func(n int) ([]fakeIssue, string) { return []fakeIssue{one, two}, "tok-" + strconv.Itoa(n) },
			wantRequests: 2, wantTickets: "20001,20002",
			wantErr: "the page only repeats issues handled earlier in this sync",
		},
		{
			name:         "no issues under new tokens",
			neverLast:    func(n int) ([]fakeIssue, string) { return nil, "tok-" + strconv.Itoa(n) },
			wantRequests: 1, wantTickets: "",
			wantErr: "isLast is false on a page without issues",
		},
		{
			name: "a token followed before",
			neverLast: func(n int) ([]fakeIssue, string) {
				if n == 1 {
					return []fakeIssue{one}, "tok-a"
				}
				return []fakeIssue{two}, "tok-a"
			},
			wantRequests: 2, wantTickets: "20001,20002",
			wantErr: "nextPageToken tok-a was followed earlier in this sync",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFakeJSM(t, one, two)
			f.neverLast = tc.neverLast
			// The fake's search never ends: a sync that misses the circle
			// fails on this deadline rather than hang.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var rec collectortest.Recorder
			err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(ctx, nil, rec.Emit)
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, "jira_service_management: search page ")
			if err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not say %q", err, tc.wantErr)
			}
			if n := requestsTo(f.log(), searchPath); n != tc.wantRequests {
				t.Errorf("%d search requests, want %d", n, tc.wantRequests)
			}
			if got := strings.Join(rec.TicketIDs(), ","); got != tc.wantTickets {
				t.Errorf("stored %s, want %s", got, tc.wantTickets)
			}
		})
	}
}

// A servicedeskapi collection whose isLastPage stays false ends at the
// first page without a new value.
func TestCollectionEndsWhenItCircles(t *testing.T) {
	f, srv := newFakeJSM(t, plainIssue(1, time.Hour))
	comment := `{"id":"1000","public":true,"author":{"accountId":"agent-1"},"created":{"epochMillis":1772442060000}}`
	f.fail["/rest/servicedeskapi/request/20001/comment"] = fakeFailure{body: `{"size":1,"isLastPage":false,"values":[` + comment + `]}`}
	err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(context.Background(), nil, (&collectortest.Recorder{}).Emit)
	collectortest.WantSyncError(t, err, fetch.ReasonLoop, "jira_service_management: search page 1: request HELP-1: comments: ")
	if n := requestsTo(f.log(), "/rest/servicedeskapi/request/20001/comment"); n != 2 {
		t.Errorf("%d comment requests, want 2", n)
	}
}

// boundsEnv is the Env of a source whose clock reads a day after t0, with
// the exporter's default bounds, counting what it rejects.
func boundsEnv(rawURL string, rejected map[string]int) source.Env {
	env := testEnv(rawURL)
	env.Now = func() time.Time { return t0.Add(24 * time.Hour) }
	env.Bounds = door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: env.Now}
	env.Reject = func(reason string) { rejected[reason]++ }
	return env
}

// An issue updated far in the future, or before any helpdesk existed, is
// kept out of the cursor: it stops at the latest plausible update, and the
// issue is taken once Jira dates it plausibly. The search is in update
// order, so a future one ends it: the issues behind are not requested.
func TestSearchLeavesOutImplausibleIssues(t *testing.T) {
	cases := []struct {
		name, reason string
		bad          time.Time
		count        int
	}{
		{"far future", door.ReasonFuture, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), 150},
		{"far past", door.ReasonPast, time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			issues := []fakeIssue{plainIssue(1, time.Hour), plainIssue(2, 2*time.Hour)}
			for i := range tc.count {
				bad := plainIssue(100+i, 0)
				bad.updated = tc.bad
				issues = append(issues, bad)
			}
			f, srv := newFakeJSM(t, issues...)
			rejected := map[string]int{}
			cs := newStoringSource(t, boundsEnv(srv.URL, rejected))

			if got := len(cs.sync(t)); got != 2 {
				t.Errorf("first sync stored %d requests, want the 2 plausible ones", got)
			}
			cur, err := decodeCursor(cs.cursor)
			if err != nil {
				t.Fatal(err)
			}
			if want := t0.Add(2 * time.Hour).UnixMilli(); cur.Since != want {
				t.Errorf("cursor since %d, want request 2's update %d", cur.Since, want)
			}
			if n := requestsTo(f.log(), searchPath); n != 1 {
				t.Errorf("%d search requests, want 1", n)
			}
			if want := min(tc.count, 98); rejected[tc.reason] != want || len(rejected) != 1 {
				t.Errorf("rejected %v, want %d %s (those on the first page)", rejected, want, tc.reason)
			}

			for i := range issues[2:] { // the vendor fixed the times
				issues[2+i].updated = t0.Add(3*time.Hour + time.Duration(i)*time.Second)
			}
			f.setIssues(issues...)
			if got := len(cs.sync(t)); got != tc.count {
				t.Errorf("second sync stored %d requests, want the %d fixed ones", got, tc.count)
			}
		})
	}
}

// An issue updated plausibly whose comments carry a time the exporter
// would refuse (a vendor clock a century back between the search and the
// comments: epochMillis before 1970) is refused, and the search ends before
// it rather than store a cursor past it: the next sync reads it again.
func TestSearchEndsBeforeAnIssueWithImplausibleDetails(t *testing.T) {
	bad := plainIssue(2, 2*time.Hour)
	bad.comments[0].at = bad.comments[0].at.AddDate(-100, 0, 0)
	issues := []fakeIssue{plainIssue(1, time.Hour), bad, plainIssue(3, 3*time.Hour)}
	f, srv := newFakeJSM(t, issues...)
	rejected := map[string]int{}
	cs := newStoringSource(t, boundsEnv(srv.URL, rejected))
	if got := cs.sync(t); len(got) != 1 || got[0].ID != "20001" {
		t.Errorf("first sync stored %v, want request 20001 alone", ids(got))
	}
	if len(rejected) != 1 || rejected[door.ReasonPast] != 1 {
		t.Errorf("rejected %v, want 1 past_timestamp", rejected)
	}
	if n := requestsTo(f.log(), "/rest/servicedeskapi/request/20003/"); n != 0 {
		t.Errorf("%d requests for the issue after the refused one", n)
	}
	issues[1] = plainIssue(2, 2*time.Hour) // the vendor's clock is right again
	f.setIssues(issues...)
	if got := cs.sync(t); len(got) != 2 || got[0].ID != "20002" || got[1].ID != "20003" {
		t.Errorf("second sync stored %v, want 20002 and 20003", ids(got))
	}
}

// A cursor stored in the future (before implausible times were kept out)
// would hide every change: the search starts over.
func TestSearchStartsOverFromACursorInTheFuture(t *testing.T) {
	_, srv := newFakeJSM(t, plainIssue(1, time.Hour), plainIssue(2, 2*time.Hour))
	cs := newStoringSource(t, boundsEnv(srv.URL, map[string]int{}))
	cs.cursor = cursor{Since: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()}.encode()
	if got := len(cs.sync(t)); got != 2 {
		t.Errorf("stored %d requests, want both", got)
	}
}

// In customer mode a request whose ticket has an implausible time is left
// out, and listed so that the next poll reads it again: left as seen, it
// would wait for its next status change or move up the list.
func TestCustomerLeavesOutImplausibleRequests(t *testing.T) {
	bad := plainIssue(2, 0)
	bad.comments = []fakeComment{{author: "agent-1", public: true, at: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}}
	issues := []fakeIssue{plainIssue(1, 0), bad}
	f, env := newCustomerFake(t, issues...)
	rejected := map[string]int{}
	env.Now = func() time.Time { return t0.Add(24 * time.Hour) }
	env.Bounds = door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: env.Now}
	env.Reject = func(reason string) { rejected[reason]++ }
	cs := newStoringSource(t, env)

	if got := cs.sync(t); len(got) != 1 || got[0].ID != "20001" {
		t.Errorf("first poll stored %v, want request 20001 alone", got)
	}
	if rejected[door.ReasonFuture] != 1 {
		t.Errorf("rejected %v, want 1 future", rejected)
	}
	// The vendor fixed the comment's date, and request 1 got a reply: it
	// leads the list now, and request 2 kept its status.
	issues[1].comments[0].at = t0.Add(2 * time.Hour)
	issues[0].comments = append(issues[0].comments, fakeComment{author: "agent-1", public: true, at: t0.Add(3 * time.Hour)})
	f.setIssues(issues...)
	var ids []string
	for _, tk := range cs.sync(t) {
		ids = append(ids, tk.ID)
	}
	if got := strings.Join(ids, ","); got != "20001,20002" {
		t.Errorf("second poll stored %s, want 20001 (moved up) and 20002 (read again)", got)
	}
}

// A vendor clock a century back lists a request with dates before 1970
// (negative epochMillis): the sync goes on, the request is refused as
// past_timestamp without its comments being read, and the next poll, once
// the dates are right again, reads it.
func TestCustomerRefusesRequestsDatedBefore1970(t *testing.T) {
	bad := plainIssue(2, 0)
	century := func(at time.Time) time.Time { return at.AddDate(-100, 0, 0) }
	bad.created, bad.statusAt = century(t0), century(t0.Add(time.Hour))
	bad.comments[0].at = century(bad.comments[0].at)
	issues := []fakeIssue{plainIssue(1, 0), bad}
	f, env := newCustomerFake(t, issues...)
	rejected := map[string]int{}
	env.Now = func() time.Time { return t0.Add(24 * time.Hour) }
	env.Bounds = door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: env.Now}
	env.Reject = func(reason string) { rejected[reason]++ }
	env.HistoryStart = t0.Add(-30 * 24 * time.Hour)
	cs := newStoringSource(t, env)

	if got := cs.sync(t); len(got) != 1 || got[0].ID != "20001" {
		t.Errorf("first poll stored %v, want request 20001 alone", got)
	}
	if len(rejected) != 1 || rejected[door.ReasonPast] != 1 {
		t.Errorf("rejected %v, want 1 past_timestamp", rejected)
	}
	if n := requestsTo(f.log(), "/rest/servicedeskapi/request/20002/"); n != 0 {
		t.Errorf("%d requests for the comments of a request dated before 1970", n)
	}

	issues[1] = plainIssue(2, 0)
	issues[1].statusAt = t0.Add(time.Hour)
	f.setIssues(issues...)
	got := cs.sync(t)
	if len(got) != 1 || got[0].ID != "20002" || !got[0].CreatedAt.Equal(t0) {
		t.Errorf("second poll stored %v, want request 20002 created at %v", got, t0)
	}
}

// The body cap fits a response of maxBodyBytes and refuses one byte more.
func TestNewCapsResponseSize(t *testing.T) {
	for _, tc := range []struct {
		size int
		ok   bool
	}{{maxBodyBytes, true}, {maxBodyBytes + 1, false}} {
		f, srv := newFakeJSM(t)
		head := `{"issues":[],"isLast":true,"pad":"`
		f.fail[searchPath] = fakeFailure{body: head + strings.Repeat("x", tc.size-len(head)-3) + "\"}\n"}
		var rec collectortest.Recorder
		err := collectortest.NewSource(t, New, testEnv(srv.URL)).Sync(context.Background(), nil, rec.Emit)
		if ok := err == nil && len(rec.Batches) == 1; ok != tc.ok {
			t.Errorf("page of %d bytes: error %v, %d batches; want accepted %v", tc.size, err, len(rec.Batches), tc.ok)
		}
	}
}
