package zendeskrequests

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
)

// listFault is a list page the fake answers instead of its own: the
// requests ids as put, and has_more with after_cursor after ("" for none).
func listFault(t *testing.T, f *fakeZendesk, after string, ids ...int64) fault {
	t.Helper()
	f.mu.Lock()
	items := []any{}
	for _, id := range ids {
		items = append(items, f.requests[id].fields)
	}
	f.mu.Unlock()
	meta := map[string]any{"has_more": after != "", "after_cursor": nil, "before_cursor": nil}
	if after != "" {
		meta["after_cursor"] = after
	}
	return fault{body: string(collectortest.Marshal(t, map[string]any{"requests": items, "meta": meta,
		"links": map[string]any{"next": nil, "prev": nil}}))}
}

func TestSyncEndsWhenTheListCircles(t *testing.T) {
	cases := []struct {
		name string
		// pages are the list pages by page[after] ("" for the first).
		pages func(t *testing.T, f *fakeZendesk) map[string]fault
		// wantLists are the list pages requested, by page[after].
		wantLists   []string
		wantBatches string // ticket ids of each batch
		wantAfters  []string
		wantErr     string
	}{
		{
			name: "the same requests under new cursors",
			pages: func(t *testing.T, f *fakeZendesk) map[string]fault {
				return map[string]fault{"": listFault(t, f, "a1", 2, 1), "a1": listFault(t, f, "a2", 2, 1), "a2": listFault(t, f, "a3", 2, 1)}
			},
			// The repeated page stores the walk past it: Zendesk's next
			// cursor, where the next sync goes on.
			wantLists: []string{"", "a1"}, wantBatches: "2,1|", wantAfters: []string{"a1", "a2"},
			wantErr: "list page 2: GET http://",
		},
		{
			name: "no requests under new cursors",
			pages: func(t *testing.T, f *fakeZendesk) map[string]fault {
				return map[string]fault{"": listFault(t, f, "a1"), "a1": listFault(t, f, "a2")}
			},
			wantLists: []string{""}, wantBatches: "", wantAfters: []string{"a1"},
			wantErr: "has_more is true on a page without requests",
		},
		{
			name: "a page cursor followed before",
			pages: func(t *testing.T, f *fakeZendesk) map[string]fault {
				return map[string]fault{"": listFault(t, f, "a1", 2), "a1": listFault(t, f, "a1", 1)}
			},
			// Request 1 is stored with the cursor that resumes at its
			// page, so that the next sync does not walk the circle again.
			wantLists: []string{"", "a1"}, wantBatches: "2|1", wantAfters: []string{"a1", "a1"},
			wantErr: "after_cursor a1 was followed earlier in this sync",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFakeZendesk(t, "")
			f.put(1, requester, "open", created, created.Add(hour), requester, agent)
			f.put(2, requester, "open", created, created.Add(2*hour), requester, agent)
			for after, flt := range tc.pages(t, f) {
				key := requestsPath
				if after != "" {
					key += "?" + after
				}
				f.faults[key] = flt
			}
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, "zendesk_requests: list page ")
			if err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not say %q", err, tc.wantErr)
			}
			var lists []string
			for _, l := range f.requestLog() {
				if rest, ok := strings.CutPrefix(l, requestsPath+"?"); ok {
					after, _, _ := strings.Cut(strings.TrimPrefix(rest, "page[after]="), "&")
					if strings.HasPrefix(after, "page[size]") {
						after = ""
					}
					lists = append(lists, after)
				}
			}
			if !slices.Equal(lists, tc.wantLists) {
				t.Errorf("list pages %q, want %q", lists, tc.wantLists)
			}
			if got := pageIDs(rec.Batches); got != tc.wantBatches {
				t.Errorf("batches %q, want %q", got, tc.wantBatches)
			}
			var afters []string
			for _, b := range rec.Batches {
				afters = append(afters, decodeCursor(t, b.Cursor).Walk.After)
			}
			if !slices.Equal(afters, tc.wantAfters) {
				t.Errorf("stored walks resume at %q, want %q", afters, tc.wantAfters)
			}
		})
	}
}

func TestCommentsEndWhenTheyCircle(t *testing.T) {
	comment := `{"id":7,"author_id":1462,"created_at":"2025-03-03T09:00:00Z"}`
	page := func(after string) fault {
		return fault{body: `{"comments":[` + comment + `],"meta":{"has_more":true,"after_cursor":"` + after + `"}}`}
	}
	f, srv := newFakeZendesk(t, "")
	f.put(1, requester, "open", created, created, requester, agent)
	comments := requestsPath + "/1/comments"
	f.faults = map[string]fault{comments: page("a"), comments + "?a": page("b"), comments + "?b": page("c")}
	var rec collectortest.Recorder
	err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
	collectortest.WantSyncError(t, err, fetch.ReasonLoop, "zendesk_requests: request 1 comments page 2: ")
	if err != nil && !strings.Contains(err.Error(), "has_more is true on a page without new comments") {
		t.Errorf("error %q, want it to say the page brought nothing new", err)
	}
}

// boundsEnv is the Env of a source whose clock reads now, with the
// exporter's default bounds, counting what it rejects.
func boundsEnv(rawURL string, now time.Time, rejected map[string]int) source.Env {
	env := testEnv(rawURL, time.Time{})
	env.Now = func() time.Time { return now }
	env.Bounds = door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: env.Now}
	env.Reject = func(reason string) { rejected[reason]++ }
	return env
}

// A request dated far in the future, or before any helpdesk existed, is
// left out: the mark stops at the latest plausible update, and the request
// is taken once Zendesk dates it plausibly.
func TestSyncLeavesOutImplausibleUpdateTimes(t *testing.T) {
	for _, tc := range []struct {
		name, reason string
		updated      time.Time
	}{
		{"far future", door.ReasonFuture, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"far past", door.ReasonPast, time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFakeZendesk(t, "")
			putFour(f)
			f.put(9, requester, "open", created, tc.updated, requester, agent)
			f.listLimit = 3
			rejected := map[string]int{}
			src := collectortest.NewSource(t, New, boundsEnv(srv.URL, f.now, rejected))

			first := runSync(t, src, nil)
			if got := strings.ReplaceAll(pageIDs(first.Batches), "|", ","); got != "4,3,2,1" {
				t.Errorf("first sync stored %q, want the four plausible requests", got)
			}
			c := decodeCursor(t, first.LastCursor(t))
			if want := created.Add(4 * hour); !c.Since.Equal(want) || !slices.Equal(c.SinceIDs, []int64{4}) {
				t.Errorf("mark %s at %v, want %s at request 4", c.Since, c.SinceIDs, want)
			}
			if rejected[tc.reason] != 1 || len(rejected) != 1 {
				t.Errorf("rejected %v, want one %s", rejected, tc.reason)
			}

			f.setStatus(9, "open", created.Add(5*hour)) // the vendor fixed the time
			second := runSync(t, src, first.LastCursor(t))
			if got := pageIDs(second.Batches); got != "9" {
				t.Errorf("second sync stored %q, want request 9", got)
			}
			if c := decodeCursor(t, second.LastCursor(t)); !c.Since.Equal(created.Add(5 * hour)) {
				t.Errorf("mark %s, want request 9's update", c.Since)
			}
		})
	}
}

// A Date header in the future is not the server's clock: the mark is
// capped below ours instead.
func TestSyncCapsMarkBelowOurClockWhenDateIsImplausible(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	now := created.Add(2 * hour)
	f.now = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	f.put(1, requester, "open", created, now.Add(-time.Second), requester)
	stored := runSync(t, collectortest.NewSource(t, New, boundsEnv(srv.URL, now, map[string]int{})), nil).LastCursor(t)
	if c := decodeCursor(t, stored); !c.Since.Equal(now.Add(-clockMargin)) {
		t.Errorf("mark %s, want %s: our clock less the margin", c.Since, now.Add(-clockMargin))
	}
}

// A mark stored in the future (before implausible times were left out)
// would hide every change: the sync starts over.
func TestSyncStartsOverFromAMarkInTheFuture(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	putFour(f)
	stored := collectortest.Marshal(t, cursor{Since: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), SinceIDs: []int64{9}})
	rec := runSync(t, collectortest.NewSource(t, New, boundsEnv(srv.URL, f.now, map[string]int{})), stored)
	if got := pageIDs(rec.Batches); got != "4,3,2,1" {
		t.Errorf("batches %q, want every request", got)
	}
	if c := decodeCursor(t, rec.LastCursor(t)); !c.Since.Equal(created.Add(4 * hour)) {
		t.Errorf("mark %s, want request 4's update", c.Since)
	}
}

// The body cap fits a list page of maxPageBytes and refuses one byte more.
func TestNewCapsPageSize(t *testing.T) {
	for _, tc := range []struct {
		size int
		ok   bool
	}{{maxPageBytes, true}, {maxPageBytes + 1, false}} {
		f, srv := newFakeZendesk(t, "")
		head := `{"requests":[],"meta":{"has_more":false},"pad":"`
		f.faults[requestsPath] = fault{body: head + strings.Repeat("x", tc.size-len(head)-2) + `"}`}
		var rec collectortest.Recorder
		err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
		if ok := err == nil && len(rec.Batches) == 1; ok != tc.ok {
			t.Errorf("page of %d bytes: error %v, %d batches; want accepted %v", tc.size, err, len(rec.Batches), tc.ok)
		}
	}
}
