package freshdesk

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// maxListPages is the last page of a query Freshdesk serves.
const maxListPages = 300

// A list whose Link names a next page for ever, new tickets in one second
// on each (created before the history start, so that no conversation is
// read), ends at page 300, the last Freshdesk serves of a query: the
// simulator never lists so much, hence this scripted list.
func TestSyncEndsBeyondPage300(t *testing.T) {
	start := collectortest.Time(t, "2025-03-01T00:00:00Z")
	old := ticketsAt(t, 0, 100, start, 0)
	for _, tk := range old {
		tk["created_at"] = "2025-01-01T00:00:00Z"
	}
	var lists int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v2/tickets" {
			collectortest.WriteJSON(w, http.StatusOK, []any{}) // no rating
			return
		}
		lists++
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page = max(page, 1)
		items := make([]map[string]any, len(old))
		for i, tk := range old {
			items[i] = maps.Clone(tk)
			items[i]["id"] = page*100 + i
		}
		next := r.URL.Query()
		next.Set("page", strconv.Itoa(page+1))
		w.Header().Set("Link", "<http://"+r.Host+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
		collectortest.WriteJSON(w, http.StatusOK, items)
	}))
	t.Cleanup(srv.Close)
	env := testEnv(t, srv.URL, collectortest.Time(t, "2025-02-01T00:00:00Z"))
	env.Now = func() time.Time { return start.Add(time.Second) } // every ticket too recent to settle
	var rec collectortest.Recorder
	err := collectortest.NewSource(t, New, env).Sync(context.Background(), nil, rec.Emit)
	collectortest.WantSyncError(t, err, fetch.ReasonLoop, "freshdesk: tickets page ")
	if err != nil && !strings.Contains(err.Error(), "names a page after page 300, the last Freshdesk serves") {
		t.Errorf("error %q does not say why", err)
	}
	if lists != 1+maxListPages || len(rec.TicketIDs()) != 0 {
		t.Errorf("%d list requests, %d tickets stored; want %d and none", lists, len(rec.TicketIDs()), 1+maxListPages)
	}
}
