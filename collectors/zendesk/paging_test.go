package zendesk

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// endless is an export whose end_of_stream stays false: page "" and then
// pages c1 to c19, each naming the next, all made by page. A sync that
// does not notice the circle walks all of them and then fails on the
// cursor c20 the fake does not know.
func endless(page func(after string) string) map[string]string {
	pages := map[string]string{}
	for i := range 20 {
		cursor := ""
		if i > 0 {
			cursor = "c" + strconv.Itoa(i)
		}
		pages[cursor] = page("c" + strconv.Itoa(i+1))
	}
	return pages
}

func TestSyncEndsWhenTheExportCircles(t *testing.T) {
	cases := []struct {
		name         string
		stored       string
		pages        map[string]string
		wantRequests int
		wantCursors  string // of the batches stored before the sync ended
		wantTickets  string // ids stored, in order
		wantErr      string
	}{
		{
			name:         "the same tickets under new cursors",
			pages:        endless(func(after string) string { return ticketPage(t, after, false, 1, 2) }),
			wantRequests: 2, wantCursors: "c1,c2", wantTickets: "1,2,1,2",
			wantErr: "the page only repeats tickets exported earlier in this sync",
		},
		{
			name: "two pages in turn under new cursors",
			pages: endless(func(after string) string {
				n, _ := strconv.Atoi(after[1:])
				return ticketPage(t, after, false, n%2)
			}),
			wantRequests: 3, wantCursors: "c1,c2,c3", wantTickets: "1,0,1",
			wantErr: "the page only repeats tickets exported earlier in this sync",
		},
		{
			name:         "no tickets under new cursors",
			pages:        endless(func(after string) string { return ticketPage(t, after, false) }),
			wantRequests: 1, wantCursors: "c1", wantTickets: "",
			wantErr: "end_of_stream is false on a page without tickets",
		},
		{
			name: "a cursor followed before",
			pages: map[string]string{
				"":   ticketPage(t, "c1", false, 1),
				"c1": ticketPage(t, "c2", false, 2),
				"c2": ticketPage(t, "c1", false, 3),
			},
			// Page 3's new ticket is stored with the cursor that fetched
			// it, so the next sync does not walk the circle again.
			wantRequests: 3, wantCursors: "c1,c2,c2", wantTickets: "1,2,3",
			wantErr: "after_cursor c1 was followed earlier in this sync",
		},
		{
			name:         "the stored cursor again",
			stored:       "c7",
			pages:        map[string]string{"c7": ticketPage(t, "c7", false, 7)},
			wantRequests: 1, wantCursors: "c7", wantTickets: "7",
			wantErr: "after_cursor c7 was followed earlier in this sync",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := newCanned(t, "", tc.pages)
			var stored []byte
			if tc.stored != "" {
				stored = []byte(tc.stored)
			}
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), stored, rec.Emit)
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, "zendesk: export page "+strconv.Itoa(tc.wantRequests))
			if err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not say %q", err, tc.wantErr)
			}
			if n := len(c.sent()); n != tc.wantRequests {
				t.Errorf("%d requests, want %d", n, tc.wantRequests)
			}
			if got := strings.Join(cursors(rec.Batches), ","); got != tc.wantCursors {
				t.Errorf("batch cursors %s, want %s", got, tc.wantCursors)
			}
			if got := strings.Join(rec.TicketIDs(), ","); got != tc.wantTickets {
				t.Errorf("tickets %s, want %s", got, tc.wantTickets)
			}
		})
	}
}

// The body cap fits a page of maxPageBytes and refuses one byte more.
func TestNewCapsPageSize(t *testing.T) {
	page := func(size int) string {
		head := `{"tickets":[],"after_cursor":"c1","end_of_stream":true,"pad":"`
		return head + strings.Repeat("x", size-len(head)-2) + `"}`
	}
	for _, tc := range []struct {
		size int
		ok   bool
	}{{maxPageBytes, true}, {maxPageBytes + 1, false}} {
		_, srv := newCanned(t, "", map[string]string{"": page(tc.size)})
		var rec collectortest.Recorder
		err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
		if ok := err == nil && len(rec.Batches) == 1; ok != tc.ok {
			t.Errorf("page of %d bytes: error %v, %d batches; want accepted %v", tc.size, err, len(rec.Batches), tc.ok)
		}
	}
}
