package azuresupport

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// FuzzSyncTicketPage: whatever a ticket page says, a sync neither panics
// nor emits a ticket whose timeline is out of order, updated before its
// creation, or whose Azure clock disagrees with its first reply.
func FuzzSyncTicketPage(f *testing.F) {
	f.Add(specBody(f, "spec_ListSupportTicketsBySubscription.json"))
	f.Add(collectortest.Testdata(f, "cli_list_open_tickets.json"))
	f.Add([]byte(ticketList("Closed", "2026-03-02T09:00:00Z")))
	f.Add([]byte(`{"value":[{"name":"T1","properties":{"createdDate":"2026-03-01T10:00:00Z","modifiedDate":"2026-03-01T09:00:00Z","serviceLevelAgreement":{"expirationTime":"x"}}}]}`))
	f.Add([]byte(strings.Replace(ticketList("Open", "2026-03-01T10:00:05Z"), `"slaMinutes":60`, `"slaMinutes":"240"`, 1)))
	f.Add([]byte(`{"value":[{"name":"T1","properties":{"createdDate":"3/1/2026 10:00:00 AM","modifiedDate":"2026-03-01T10:00:05Z"}}]}`))
	f.Add([]byte(`{"value":null,"nextLink":""}`))
	fake := &armFake{}
	srv := httptest.NewServer(fake)
	f.Cleanup(srv.Close)
	now := collectortest.UTC("2026-03-05T00:00:00Z")
	f.Fuzz(func(t *testing.T, body []byte) {
		fake.set(string(body), comms)
		env := collectortest.Env("azure_support", srv.URL, srv.Client())
		env.Config.Options = &Options{SubscriptionID: sub}
		env.Now = func() time.Time { return now }
		var rec collectortest.Recorder
		_ = collectortest.NewSource(t, New, env).Sync(context.Background(), nil, rec.Emit)
		for _, id := range rec.TicketIDs() {
			tk := rec.Ticket(t, id)
			if tk.UpdatedAt.Before(tk.CreatedAt) {
				t.Errorf("ticket %s updated %v before its creation %v", id, tk.UpdatedAt, tk.CreatedAt)
			}
			if !slices.IsSortedFunc(tk.Events, func(a, b item.Event) int { return a.At.Compare(b.At) }) {
				t.Errorf("ticket %s: events out of order: %v", id, tk.Events)
			}
			if fig := tk.Figures; fig != nil {
				c := fig.FirstResponseSLA
				if fig.FirstReplyAt.Before(tk.CreatedAt) && !fig.FirstReplyAt.IsZero() {
					t.Errorf("ticket %s: first reply %v before its creation %v", id, fig.FirstReplyAt, tk.CreatedAt)
				}
				if c == nil || !c.Stopped.Equal(fig.FirstReplyAt) || c.Breached != (!c.Stopped.IsZero() && c.Stopped.After(c.Deadline)) {
					t.Errorf("ticket %s: clock %+v, first reply %v", id, c, fig.FirstReplyAt)
				}
			}
		}
	})
}
