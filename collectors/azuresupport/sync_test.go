package azuresupport

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

const sub = "132d901f-189d-4381-9214-fe68e27e05a1"

// armFake answers the ticket list and one ticket's communications from
// bodies the test sets, and counts the communications requests.
type armFake struct {
	mu      sync.Mutex
	tickets string
	comms   string
	reads   int
}

func (f *armFake) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	base := "/subscriptions/" + sub + "/providers/Microsoft.Support/supportTickets"
	switch {
	case r.URL.Query().Get("api-version") != APIVersion:
		collectortest.WriteBody(rw, "application/json", `{"error":{"code":"MissingApiVersionParameter","message":"The api-version query parameter (?api-version=) is required for all requests."}}`)
	case r.URL.Path == base:
		collectortest.WriteBody(rw, "application/json", f.tickets)
	case r.URL.Path == base+"/T1/communications":
		f.reads++
		collectortest.WriteBody(rw, "application/json", f.comms)
	default:
		http.NotFound(rw, r)
	}
}

func (f *armFake) set(tickets, comms string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tickets, f.comms = tickets, comms
}

func ticketList(status, modified string) string {
	return `{"value":[{"name":"T1","properties":{"severity":"Critical","status":"` + status + `",
		"createdDate":"2026-03-01T10:00:00Z","modifiedDate":"` + modified + `",
		"serviceLevelAgreement":{"startTime":"2026-03-01T10:00:00Z","expirationTime":"2026-03-01T11:00:00Z","slaMinutes":60}}}]}`
}

// comms: the description logged at the creation, Microsoft's first reply
// 90 minutes in (after the 60-minute deadline), the customer's answer,
// and Microsoft's second reply.
const comms = `{"value":[
	{"name":"c0","properties":{"communicationType":"Web","communicationDirection":"Inbound","createdDate":"2026-03-01T10:00:00Z"}},
	{"name":"c1","properties":{"communicationType":"Web","communicationDirection":"Outbound","createdDate":"2026-03-01T11:30:00Z"}},
	{"name":"c2","properties":{"communicationType":"Web","communicationDirection":"Inbound","createdDate":"2026-03-01T12:00:00Z"}},
	{"name":"c3","properties":{"communicationType":"Phone","communicationDirection":"Outbound","createdDate":"2026-03-01T13:00:00Z"}}]}`

func TestSyncRulesAndSolveDating(t *testing.T) {
	fake := &armFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := collectortest.UTC("2026-03-05T00:00:00Z")
	store := collectortest.NewStore()
	env := collectortest.Env("azure_support", srv.URL, srv.Client())
	env.Config.Options = &Options{SubscriptionID: sub}
	env.Now = func() time.Time { return now }
	env.Stored = store.Stored
	src := collectortest.NewSource(t, New, env)
	sync := func() item.Ticket {
		t.Helper()
		if err := src.Sync(context.Background(), nil, store.Emit); err != nil {
			t.Fatal(err)
		}
		return store.Tickets()["T1"]
	}
	at := collectortest.UTC
	kinds := func(tk item.Ticket) []string {
		var out []string
		for _, e := range tk.Events {
			out = append(out, string(e.Kind)+"@"+e.At.Format("02T15:04"))
		}
		return out
	}

	fake.set(ticketList("Open", "2026-03-01T13:00:00Z"), comms)
	tk := sync()
	want := []string{"vendor_reply@01T11:30", "customer_reply@01T12:00", "vendor_reply@01T13:00"}
	if got := kinds(tk); !slices.Equal(got, want) || tk.Status != item.StatusPending || tk.Priority != "critical" {
		t.Fatalf("open ticket: %s, events %q; want pending (Microsoft wrote last), critical, %q", tk.Status, got, want)
	}
	fig := tk.Figures
	if fig == nil || !fig.FirstReplyAt.Equal(at("2026-03-01T11:30:00Z")) || fig.Replies != 2 ||
		*fig.FirstResponseSLA != (item.SLAClock{Deadline: at("2026-03-01T11:00:00Z"), Stopped: at("2026-03-01T11:30:00Z"), Breached: true}) {
		t.Errorf("figures %+v, clock %+v: want the first reply at 11:30, 2 replies, breached against 11:00", fig, fig.FirstResponseSLA)
	}

	// Not modified since: nothing read but the list.
	sync()
	if fake.reads != 1 {
		t.Errorf("communications read %d times, want once: the ticket was not modified", fake.reads)
	}

	// Closed, seen at its modifiedDate; then reopened.
	fake.set(ticketList("Closed", "2026-03-02T09:00:00Z"), comms)
	tk = sync()
	want = append(want, "solved@02T09:00")
	if got := kinds(tk); !slices.Equal(got, want) || tk.Status != item.StatusSolved || !tk.Figures.FirstSolvedAt.Equal(at("2026-03-02T09:00:00Z")) {
		t.Errorf("closed: %s, events %q, first solve %v; want solved, %q", tk.Status, got, tk.Figures.FirstSolvedAt, want)
	}
	fake.set(ticketList("Open", "2026-03-03T08:00:00Z"), comms)
	tk = sync()
	want = append(want, "reopened@03T08:00")
	if got := kinds(tk); !slices.Equal(got, want) || tk.Status != item.StatusPending || tk.Figures.Reopens != 1 {
		t.Errorf("reopened: %s, events %q, reopens %d; want pending, %q, 1", tk.Status, got, tk.Figures.Reopens, want)
	}

	// Updating is open, and no status change.
	fake.set(ticketList("Updating", "2026-03-03T09:00:00Z"), comms)
	if got := kinds(sync()); !slices.Equal(got, want) {
		t.Errorf("updating: events %q, want %q", got, want)
	}
}

func TestSyncRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, reason, says string
		handler            http.HandlerFunc
	}{
		{"forbidden", fetch.ReasonAuth, "Support Request Contributor", collectortest.ServeStatus(http.StatusForbidden)},
		{"token refused", fetch.ReasonAuth, "InvalidAuthenticationToken", collectortest.ServeStatus(http.StatusUnauthorized)},
		{"no subscription", fetch.ReasonHTTP, "SubscriptionNotFound", collectortest.ServeStatus(http.StatusNotFound)},
		{"next page elsewhere", fetch.ReasonDecode, "not name the configured host", collectortest.ServeJSON(`{"value":[],"nextLink":"https://attacker.example/next"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			env := collectortest.Env("azure_support", srv.URL, srv.Client())
			env.Config.Options = &Options{SubscriptionID: sub}
			err := collectortest.NewSource(t, New, env).Sync(context.Background(), nil, func(item.Batch) error { return nil })
			collectortest.WantSyncError(t, err, tc.reason, "azure_support: ticket page 1: ")
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
		})
	}
}

// TestWrongClientSecret: a secret Entra ID refuses fails the sync as an
// auth failure saying so, without the secret, and no ARM request is sent.
func TestWrongClientSecret(t *testing.T) {
	sim, clock := collectortest.SmallWorld(t, 5)
	_, _, _, secret := sim.AzureSupportCredentials(collectortest.SimVendor)
	body := strings.Replace(sim.SourceYAML(collectortest.SimVendor, simulator.KindAzureSupport), secret, "not-the-secret", 1)
	env, wire := collectortest.SimEnv(t, decl, body, clock.Now)
	err := collectortest.NewSource(t, New, env).Sync(context.Background(), nil, func(item.Batch) error { return nil })
	collectortest.WantSyncError(t, err, fetch.ReasonAuth, "azure_support: ticket page 1: ")
	if msg := err.Error(); !strings.Contains(msg, "invalid_client") || strings.Contains(msg, "not-the-secret") || strings.Contains(msg, secret) {
		t.Errorf("error %q: want Entra ID's code, never a secret", msg)
	}
	if n := len(wire.Statuses()); n != 0 {
		t.Errorf("%d requests reached ARM", n)
	}
}

func TestNewRefusesBadSubscription(t *testing.T) {
	env := collectortest.Env("azure_support", DefaultURL, http.DefaultClient)
	env.Config.Options = &Options{SubscriptionID: "my-subscription"}
	if _, err := New(env); err == nil || !strings.Contains(err.Error(), "not a GUID") {
		t.Errorf("New: %v, want the subscription refused", err)
	}
}
