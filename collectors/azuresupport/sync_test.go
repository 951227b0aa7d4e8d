package azuresupport

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

const sub = "132d901f-189d-4381-9214-fe68e27e05a1"

// armFake answers the ticket list and its tickets' communications from
// bodies the test sets (T1's by default), and counts the communications
// requests.
type armFake struct {
	mu      sync.Mutex
	tickets string
	comms   string
	byName  map[string]string // a ticket's communications, "404" for none
	reads   int
}

func (f *armFake) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	base := "/subscriptions/" + sub + "/providers/Microsoft.Support/supportTickets"
	name, isComms := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, base+"/"), "/communications")
	switch {
	case r.URL.Query().Get("api-version") != APIVersion:
		collectortest.WriteBody(rw, "application/json", `{"error":{"code":"MissingApiVersionParameter","message":"The api-version query parameter (?api-version=) is required for all requests."}}`)
	case r.URL.Path == base:
		collectortest.WriteBody(rw, "application/json", f.tickets)
	case isComms && f.byName[name] == "404":
		f.reads++
		http.NotFound(rw, r)
	case isComms && f.byName[name] != "":
		f.reads++
		collectortest.WriteBody(rw, "application/json", f.byName[name])
	case isComms && name == "T1":
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
	return `{"value":[` + ticketJSON("T1", status, "2026-03-01T10:00:00Z", modified) + `]}`
}

func ticketJSON(name, status, created, modified string) string {
	return `{"name":"` + name + `","properties":{"supportTicketId":"` + name + `","severity":"Critical","status":"` + status + `",
		"createdDate":"` + created + `","modifiedDate":"` + modified + `",
		"serviceLevelAgreement":{"startTime":"2026-03-01T10:00:00Z","expirationTime":"2026-03-01T11:00:00Z","slaMinutes":60}}}`
}

// comms: the customer's note posted at the very second of the creation
// (a communication like any other: the description is the ticket's own
// field), Microsoft's first reply 90 minutes in (after the 60-minute
// deadline), the customer's answer, and Microsoft's second reply. The
// API lists Web communications only.
const comms = `{"value":[
	{"name":"c0","properties":{"communicationType":"Web","communicationDirection":"Inbound","createdDate":"2026-03-01T10:00:00Z"}},
	{"name":"c1","properties":{"communicationType":"Web","communicationDirection":"Outbound","createdDate":"2026-03-01T11:30:00Z"}},
	{"name":"c2","properties":{"communicationType":"Web","communicationDirection":"Inbound","createdDate":"2026-03-01T12:00:00Z"}},
	{"name":"c3","properties":{"communicationType":"Web","communicationDirection":"Outbound","createdDate":"2026-03-01T13:00:00Z"}}]}`

// withComm is body with one more communication.
func withComm(body, name, direction, at string) string {
	return strings.TrimSuffix(body, "]}") + `,
	{"name":"` + name + `","properties":{"communicationType":"Web","communicationDirection":"` + direction + `","createdDate":"` + at + `"}}]}`
}

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
	emits := 0
	sync := func() item.Ticket {
		t.Helper()
		if err := src.Sync(context.Background(), nil, func(b item.Batch) error { emits++; return store.Emit(b) }); err != nil {
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

	fake.set(ticketList("Open", "2026-03-01T10:00:05Z"), comms)
	tk := sync()
	want := []string{"customer_reply@01T10:00", "vendor_reply@01T11:30", "customer_reply@01T12:00", "vendor_reply@01T13:00"}
	if got := kinds(tk); !slices.Equal(got, want) || tk.Status != item.StatusPending || tk.Priority != "critical" {
		t.Fatalf("open ticket: %s, events %q; want pending (Microsoft wrote last), critical, %q", tk.Status, got, want)
	}
	fig := tk.Figures
	if fig == nil || !fig.FirstReplyAt.Equal(at("2026-03-01T11:30:00Z")) || fig.Replies != 2 ||
		*fig.FirstResponseSLA != (item.SLAClock{Deadline: at("2026-03-01T11:00:00Z"), Stopped: at("2026-03-01T11:30:00Z"), Breached: true}) {
		t.Errorf("figures %+v, clock %+v: want the first reply at 11:30, 2 replies, breached against 11:00", fig, fig.FirstResponseSLA)
	}

	// Nothing new: an open ticket's communications are read again (its
	// modifiedDate would not move for a new one), nothing is stored.
	emits = 0
	sync()
	if fake.reads != 2 || emits != 0 {
		t.Errorf("communications read %d times, %d batches stored; want twice, none: nothing changed", fake.reads, emits)
	}

	// The customer answers; Azure's modifiedDate stays (Azure CLI's
	// recording): the reply is read all the same, and the ticket awaits
	// Microsoft.
	commsNow := withComm(comms, "c4", "Inbound", "2026-03-01T14:00:00Z")
	fake.set(ticketList("Open", "2026-03-01T10:00:05Z"), commsNow)
	tk = sync()
	want = append(want, "customer_reply@01T14:00")
	if got := kinds(tk); !slices.Equal(got, want) || tk.Status != item.StatusOpen {
		t.Errorf("a reply under the same modifiedDate: %s, events %q; want open, %q", tk.Status, got, want)
	}

	// Closed, seen at its modifiedDate; its communications read for the
	// grace window after, then no more while its modifiedDate stays.
	fake.set(ticketList("Closed", "2026-03-02T09:00:00Z"), commsNow)
	tk = sync()
	want = append(want, "solved@02T09:00")
	if got := kinds(tk); !slices.Equal(got, want) || tk.Status != item.StatusSolved || !tk.Figures.FirstSolvedAt.Equal(at("2026-03-02T09:00:00Z")) {
		t.Errorf("closed: %s, events %q, first solve %v; want solved, %q", tk.Status, got, tk.Figures.FirstSolvedAt, want)
	}
	// Microsoft's closing note, logged after the close.
	commsNow = withComm(commsNow, "c5", "Outbound", "2026-03-02T09:05:00Z")
	fake.set(ticketList("Closed", "2026-03-02T09:00:00Z"), commsNow)
	tk = sync()
	want = slices.Insert(want, len(want), "vendor_reply@02T09:05")
	if got := kinds(tk); !slices.Equal(got, want) || tk.Figures.Replies != 2 {
		t.Errorf("a note after the close: events %q, %d replies; want %q, 2 (those up to the solve)", got, tk.Figures.Replies, want)
	}
	now = now.Add(closedGrace)
	reads := fake.reads
	sync()
	if fake.reads != reads {
		t.Errorf("closed for longer than %v and not modified: communications read again", closedGrace)
	}

	// Reopened: open, awaiting Microsoft, though Microsoft wrote last
	// before the reopen; then Microsoft answers.
	fake.set(ticketList("Open", "2026-03-03T08:00:00Z"), commsNow)
	tk = sync()
	want = append(want, "reopened@03T08:00")
	if got := kinds(tk); !slices.Equal(got, want) || tk.Status != item.StatusOpen || tk.Figures.Reopens != 1 {
		t.Errorf("reopened: %s, events %q, reopens %d; want open, %q, 1", tk.Status, got, tk.Figures.Reopens, want)
	}
	fake.set(ticketList("Open", "2026-03-03T08:00:00Z"), withComm(commsNow, "c6", "Outbound", "2026-03-03T10:00:00Z"))
	tk = sync()
	want = append(want, "vendor_reply@03T10:00")
	if got := kinds(tk); !slices.Equal(got, want) || tk.Status != item.StatusPending || tk.Figures.Replies != 2 {
		t.Errorf("answered after the reopen: %s, events %q, %d replies; want pending, %q, 2", tk.Status, got, tk.Figures.Replies, want)
	}

	// Updating is open, and no status change.
	fake.set(ticketList("Updating", "2026-03-03T09:00:00Z"), withComm(commsNow, "c6", "Outbound", "2026-03-03T10:00:00Z"))
	if got := kinds(sync()); !slices.Equal(got, want) {
		t.Errorf("updating: events %q, want %q", got, want)
	}
}

// TestSyncRejectsAndSkips: a ticket with an unreadable or implausible
// date, in its listing or in a communication, is refused whole and
// counted; one whose communications answer 404 keeps its stored version;
// the others of the page are stored, a slaMinutes written as a string
// included.
func TestSyncRejectsAndSkips(t *testing.T) {
	fake := &armFake{byName: map[string]string{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := collectortest.UTC("2026-03-05T00:00:00Z")
	store := collectortest.NewStore()
	env := collectortest.Env("azure_support", srv.URL, srv.Client())
	env.Config.Options = &Options{SubscriptionID: sub}
	env.Now = func() time.Time { return now }
	env.Bounds = door.Bounds{NotBefore: collectortest.UTC("2000-01-01T00:00:00Z"), MaxSkew: time.Hour, Now: env.Now}
	var rejected []string
	env.Reject = func(r string) { rejected = append(rejected, r) }
	env.Stored = store.Stored
	src := collectortest.NewSource(t, New, env)

	const created, modified = "2026-03-01T10:00:00Z", "2026-03-01T10:00:05Z"
	good := strings.Replace(ticketJSON("T1", "Open", created, modified), `"slaMinutes":60`, `"slaMinutes":"240"`, 1)
	fake.set(`{"value":[`+strings.Join([]string{
		ticketJSON("BADCREATED", "Open", "3/1/2026 10:00:00 AM", modified),
		ticketJSON("FUTURE", "Open", created, "2027-01-01T00:00:00Z"),
		ticketJSON("BADCOMM", "Open", created, modified),
		ticketJSON("LATECOMM", "Open", created, modified),
		ticketJSON("GONE", "Open", created, modified),
		good,
	}, ",")+`]}`, comms)
	fake.byName["BADCOMM"] = `{"value":[{"name":"x","properties":{"communicationDirection":"Outbound","createdDate":"yesterday"}}]}`
	fake.byName["LATECOMM"] = `{"value":[{"name":"x","properties":{"communicationDirection":"Outbound","createdDate":"2030-01-01T00:00:00Z"}}]}`
	fake.byName["GONE"] = "404"
	if err := src.Sync(context.Background(), nil, store.Emit); err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(store.Tickets())); !slices.Equal(got, []string{"T1"}) {
		t.Errorf("stored %q, want T1 alone", got)
	}
	want := []string{door.ReasonPast, door.ReasonFuture, door.ReasonPast, door.ReasonFuture}
	if !slices.Equal(rejected, want) {
		t.Errorf("rejected %q, want %q", rejected, want)
	}

	// GONE stored, then its communications answer 404: it stays as stored.
	delete(fake.byName, "GONE")
	fake.byName["GONE"] = comms
	if err := src.Sync(context.Background(), nil, store.Emit); err != nil {
		t.Fatal(err)
	}
	before := store.Tickets()["GONE"]
	fake.byName["GONE"] = "404"
	if err := src.Sync(context.Background(), nil, store.Emit); err != nil {
		t.Fatal(err)
	}
	if after := store.Tickets()["GONE"]; len(after.Events) != 4 || len(before.Events) != 4 {
		t.Errorf("after a 404 on its communications: %d events (before %d), want the stored 4", len(after.Events), len(before.Events))
	}
}

// TestSyncKeepsProgress: a sync that stops mid-page stores the tickets
// read before it stopped, so that a budget below one page's needs still
// gets every ticket stored over a few syncs; the budget error says that
// this kind keeps no cursor.
func TestSyncKeepsProgress(t *testing.T) {
	fake := &armFake{byName: map[string]string{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	store := collectortest.NewStore()
	env := collectortest.Env("azure_support", srv.URL, srv.Client())
	env.Config.Options = &Options{SubscriptionID: sub}
	env.Now = func() time.Time { return collectortest.UTC("2026-03-05T00:00:00Z") }
	env.Stored = store.Stored
	src := collectortest.NewSource(t, New, env)
	var list []string
	for i := range 5 {
		name := fmt.Sprintf("T%d", i+1)
		list = append(list, ticketJSON(name, "Closed", "2026-03-01T10:00:00Z", "2026-03-01T12:00:00Z"))
		fake.byName[name] = comms
	}
	fake.set(`{"value":[`+strings.Join(list, ",")+`]}`, comms)
	for n := 1; n <= 3; n++ {
		// 3 requests: the list and two tickets' communications.
		err := src.Sync(fetch.StartSync(context.Background(), 3), nil, store.Emit)
		if got := len(store.Tickets()); got != min(2*n, 5) {
			t.Fatalf("sync %d: %d tickets stored, want %d (err %v)", n, got, min(2*n, 5), err)
		}
		if n < 3 {
			collectortest.WantSyncError(t, err, fetch.ReasonBudget, "azure_support: ticket page 1: ")
			if !strings.Contains(err.Error(), "keeps no cursor") || strings.Contains(err.Error(), "stored cursor") {
				t.Errorf("budget error %q: want it to say the kind keeps no cursor", err)
			}
		}
	}
}

func TestSameHost(t *testing.T) {
	base, _ := url.Parse("https://management.azure.com")
	c := &collector{base: base, tickets: base.JoinPath("subscriptions")}
	for link, ok := range map[string]bool{
		"https://management.azure.com:443/subscriptions/x?$skiptoken=a": true,
		"https://Management.Azure.com/subscriptions/x":                  true,
		"https://management.azure.com/subscriptions/x":                  true,
		"https://management.azure.com:8443/subscriptions/x":             false,
		"http://management.azure.com:443/subscriptions/x":               false,
		"https://management.azure.com.attacker.example/x":               false,
		"https://attacker.example:443/x":                                false,
	} {
		if err := c.sameHost(link); (err == nil) != ok {
			t.Errorf("sameHost(%q) = %v, want ok %v", link, err, ok)
		}
	}
}

func TestSyncRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, reason, says string
		handler            http.HandlerFunc
	}{
		{"forbidden", fetch.ReasonAuth, "a read-only custom role", collectortest.ServeStatus(http.StatusForbidden)},
		{"token refused", fetch.ReasonAuth, "InvalidAuthenticationToken", collectortest.ServeStatus(http.StatusUnauthorized)},
		{"provider not registered", fetch.ReasonHTTP, "MissingSubscriptionRegistration", collectortest.ServeStatus(http.StatusConflict)},
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
			if strings.Contains(err.Error(), "management.azure.com") || (tc.name == "token refused" && !strings.Contains(err.Error(), srv.URL+"/.default")) {
				t.Errorf("error %q: want the configured cloud's scope, never the public cloud's", err)
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
