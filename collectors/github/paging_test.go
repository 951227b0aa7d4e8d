package github

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

const repoA = "acme/rtc-sdk"

// endlessList serves repoA's issue list as pages(n) for page n, each with a
// Link rel="next" (and rel="last" naming page last, when last > 0): a list
// that never ends, which the simulator's endless faults do not shape this
// way. It counts the list requests.
func endlessList(t *testing.T, last int, pages func(n int) string) (*httptest.Server, *int) {
	t.Helper()
	lists := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/repos/"+repoA+"/issues" {
			http.NotFound(w, r)
			return
		}
		lists++
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		n = max(n, 1)
		next := r.URL.Query()
		next.Set("page", strconv.Itoa(n+1))
		link := "<http://" + r.Host + r.URL.Path + "?" + next.Encode() + `>; rel="next"`
		if last > 0 {
			next.Set("page", strconv.Itoa(last))
			link += ", <http://" + r.Host + r.URL.Path + "?" + next.Encode() + `>; rel="last"`
		}
		w.Header().Set("Link", link)
		collectortest.WriteBody(w, collectortest.JSONType, pages(n))
	}))
	t.Cleanup(srv.Close)
	return srv, &lists
}

func TestSyncEndsWhenTheIssueListCircles(t *testing.T) {
	three := list(t,
		realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(1)}),
		realIssue(t, 2, map[string]any{"created_at": at(0), "updated_at": at(2)}),
		realIssue(t, 3, map[string]any{"created_at": at(0), "updated_at": at(3)}))
	cases := []struct {
		name         string
		last         int
		pages        func(n int) string
		wantRequests int
		wantTickets  int
		wantErr      string
	}{
		{
			// Page 1 moves since; page 1 from there repeats its second, as
			// it should; page 2 only repeats what came before.
			name: "rel=next forever with the same issues", pages: func(int) string { return three },
			wantRequests: 3, wantTickets: 3, wantErr: "issues request 3: GET ",
		},
		{
			name: "rel=next after the page it calls the last", last: 3,
			pages: func(n int) string {
				return list(t, realIssue(t, n, map[string]any{"created_at": at(0), "updated_at": at(100)}))
			},
			wantRequests: 4, wantTickets: 3, wantErr: "after page 3, which it calls the last",
		},
		{
			name: "rel=next after an empty page", pages: func(int) string { return "[]" },
			wantRequests: 1, wantTickets: 0, wantErr: "after an empty one",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, lists := endlessList(t, tc.last, tc.pages)
			// A sync that misses the circle fails on this deadline rather
			// than hang.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var rec collectortest.Recorder
			err := collectortest.NewSource(t, New, testEnv(srv.URL, time.Time{}, repoA)).Sync(ctx, nil, rec.Emit)
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, "github: acme/rtc-sdk: issues request ")
			if err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not say %q", err, tc.wantErr)
			}
			if *lists != tc.wantRequests {
				t.Errorf("%d list requests, want %d", *lists, tc.wantRequests)
			}
			ids := rec.TicketIDs()
			seen := map[string]bool{}
			for _, id := range ids {
				seen[id] = true
			}
			if len(seen) != tc.wantTickets || len(ids) != tc.wantTickets {
				t.Errorf("tickets %v, want %d, each once", ids, tc.wantTickets)
			}
		})
	}
}

// A timeline whose Link names a next page that only repeats it ends the
// sync.
func TestTimelineEndsWhenItCircles(t *testing.T) {
	src, wire, path := canned(t, time.Time{}, list(t, realIssue(t, 1, map[string]any{"created_at": at(0), "updated_at": at(9), "comments": 1})), nil)
	wire.Override(path+"/1/timeline", 0, http.StatusOK, list(t, comment(t, "customer", "NONE", at(5))),
		http.Header{"Link": {`<https://api.github.com/repositories/1/issues/1/timeline?page=2>; rel="next"`}})
	err := src.Sync(context.Background(), nil, (&collectortest.Recorder{}).Emit)
	collectortest.WantSyncError(t, err, fetch.ReasonLoop, "github: ")
	if err != nil && (!strings.Contains(err.Error(), "issue 1: timeline page 2: ") || !strings.Contains(err.Error(), "only repeats what this sync read before")) {
		t.Errorf("error %q, want it to say page 2 of the timeline repeats", err)
	}
}

// The body cap fits a page of maxBodyBytes and refuses one byte more.
func TestNewCapsResponseSize(t *testing.T) {
	for _, tc := range []struct {
		size int
		ok   bool
	}{{maxBodyBytes, true}, {maxBodyBytes + 1, false}} {
		src, _, _ := canned(t, time.Time{}, "["+strings.Repeat(" ", tc.size-2)+"]", nil)
		var rec collectortest.Recorder
		err := src.Sync(context.Background(), nil, rec.Emit)
		if ok := err == nil && len(rec.Batches) == 1; ok != tc.ok {
			t.Errorf("page of %d bytes: error %v, %d batches; want accepted %v", tc.size, err, len(rec.Batches), tc.ok)
		}
	}
}
