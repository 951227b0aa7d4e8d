package zendeskrequests

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

func TestSyncEndsWhenTheListCircles(t *testing.T) {
	one, two := docRequestAs(t, 1), docRequestAs(t, 2)
	cases := []struct {
		name string
		// pages are the list pages by page[after] ("" for the first).
		pages map[string]string
		// wantLists are the list pages requested, by page[after].
		wantLists   []string
		wantBatches string // ticket ids of each batch
		wantAfters  []string
		wantErr     string
	}{
		{
			name:  "the same requests under new cursors",
			pages: map[string]string{"": cannedList(t, "a1", two, one), "a1": cannedList(t, "a2", two, one), "a2": cannedList(t, "a3", two, one)},
			// The repeated page stores the walk past it: Zendesk's next
			// cursor, where the next sync goes on.
			wantLists: []string{"", "a1"}, wantBatches: "2,1|", wantAfters: []string{"a1", "a2"},
			wantErr: "list page 2: GET http://",
		},
		{
			name:      "no requests under new cursors",
			pages:     map[string]string{"": cannedList(t, "a1"), "a1": cannedList(t, "a2")},
			wantLists: []string{""}, wantBatches: "", wantAfters: []string{"a1"},
			wantErr: "has_more is true on a page without requests",
		},
		{
			name:  "a page cursor followed before",
			pages: map[string]string{"": cannedList(t, "a1", two), "a1": cannedList(t, "a1", one)},
			// Request 1 is stored with the cursor that resumes at its
			// page, so that the next sync does not walk the circle again.
			wantLists: []string{"", "a1"}, wantBatches: "2|1", wantAfters: []string{"a1", "a1"},
			wantErr: "after_cursor a1 was followed earlier in this sync",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			answers := map[string]string{requestsPath + "/1/comments": commentsBody(t, 1), requestsPath + "/2/comments": commentsBody(t, 2)}
			for after, body := range tc.pages {
				key := requestsPath
				if after != "" {
					key += "?" + after
				}
				answers[key] = body
			}
			c, srv := newCanned(t, "", answers)
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, "zendesk_requests: list page ")
			if err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not say %q", err, tc.wantErr)
			}
			var lists []string
			for _, l := range c.requested() {
				if l == requestsPath {
					lists = append(lists, "")
				} else if after, ok := strings.CutPrefix(l, requestsPath+"?"); ok {
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
	page := func(after string) string {
		return `{"comments":[` + comment + `],"meta":{"has_more":true,"after_cursor":"` + after + `"}}`
	}
	comments := requestsPath + "/1/comments"
	_, srv := newCanned(t, "", map[string]string{requestsPath: cannedList(t, "", docRequestAs(t, 1)),
		comments: page("a"), comments + "?a": page("b"), comments + "?b": page("c")})
	var rec collectortest.Recorder
	err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
	collectortest.WantSyncError(t, err, fetch.ReasonLoop, "zendesk_requests: request 1 comments page 2: ")
	if err != nil && !strings.Contains(err.Error(), "has_more is true on a page without new comments") {
		t.Errorf("error %q, want it to say the page brought nothing new", err)
	}
}

// The body cap fits a list page of maxPageBytes and refuses one byte more.
func TestNewCapsPageSize(t *testing.T) {
	for _, tc := range []struct {
		size int
		ok   bool
	}{{maxPageBytes, true}, {maxPageBytes + 1, false}} {
		head := `{"requests":[],"meta":{"has_more":false},"pad":"`
		_, srv := newCanned(t, "", map[string]string{requestsPath: head + strings.Repeat("x", tc.size-len(head)-2) + `"}`})
		var rec collectortest.Recorder
		err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
		if ok := err == nil && len(rec.Batches) == 1; ok != tc.ok {
			t.Errorf("page of %d bytes: error %v, %d batches; want accepted %v", tc.size, err, len(rec.Batches), tc.ok)
		}
	}
}
