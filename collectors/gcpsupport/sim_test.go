package gcpsupport

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// simKind is the kind as package collectors declares it.
var simKind = config.Kind{
	Name: "gcp_support", Feeds: config.FeedsTickets, DefaultURL: DefaultURL,
	Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBearer}},
	Options:     NewOptions,
}

// simSource is a source of the simulated vendor's cases, written as body.
func simSource(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, body string) (*collectortest.Store, *collectortest.Wire, func() error, *codes) {
	t.Helper()
	env, wire := collectortest.SimEnv(t, simKind, body, c.Now)
	st := collectortest.NewStore()
	env.Stored = st.Stored
	counted := &codes{}
	env.CountRequest = counted.add
	src := collectortest.NewSource(t, New, env)
	return st, wire, func() error {
		return src.Sync(fetch.StartSync(context.Background(), 10000), st.Cursor(), st.Emit)
	}, counted
}

// codes counts the requests a collector sends outside the shared client
// (source.Env.CountRequest): the token requests.
type codes struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *codes) add(code string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[code]++
}

func (c *codes) get(code string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[code]
}

// TestCaughtUpPollCostsOneRequest measures what docs/sources.md says a
// poll costs: a first sync 1 search request per 100 cases plus 1 comments
// request per case; a caught-up poll 1; a poll after the world moved 1
// search plus 1 comments request per changed case. Every case is stored
// as the vendor's truth has it.
func TestCaughtUpPollCostsOneRequest(t *testing.T) {
	const tickets = 150
	sim, c := collectortest.SmallWorld(t, tickets)
	st, wire, sync, _ := simSource(t, sim, c, sim.SourceYAML(collectortest.SimVendor, simulator.KindGCPSupport))
	if err := sync(); err != nil {
		t.Fatal(err)
	}
	truth := sim.Truth(collectortest.SimVendor, c.Now())
	if n := len(st.Tickets()); n != len(truth.Tickets) {
		t.Fatalf("stored %d tickets, the vendor has %d", n, len(truth.Tickets))
	}
	if got, want := wire.Count(":search"), (len(truth.Tickets)+99)/100; got != want {
		t.Errorf("first sync: %d search requests, want %d", got, want)
	}
	if got := wire.Count("/comments"); got != len(truth.Tickets) {
		t.Errorf("first sync: %d comments requests, want one per case, %d", got, len(truth.Tickets))
	}
	for _, tr := range truth.Tickets {
		got := st.Tickets()[gcpNumber(tr.ID)]
		first := time.Time{}
		for _, e := range got.Events {
			if e.Kind == item.EventVendorReply {
				first = e.At
				break
			}
		}
		if !got.CreatedAt.Equal(tr.Created) || !first.Equal(tr.FirstReply) || !statusMatches(got.Status, tr.Status) {
			t.Errorf("case of ticket %d: created %v, first reply %v, status %s; the truth: %v, %v, %s",
				tr.ID, got.CreatedAt, first, got.Status, tr.Created, tr.FirstReply, tr.Status)
		}
	}

	wire.Reset()
	if err := sync(); err != nil {
		t.Fatal(err)
	}
	if n := wire.Count(""); n != 1 {
		t.Errorf("a caught-up poll sent %d requests, want 1: %q", n, wire.Sent())
	}

	c.Add(6 * time.Hour)
	before := sim.Truth(collectortest.SimVendor, c.Now().Add(-6*time.Hour))
	after := sim.Truth(collectortest.SimVendor, c.Now())
	changed := 0
	old := map[int64]time.Time{}
	for _, tr := range before.Tickets {
		old[tr.ID] = tr.Updated
	}
	for _, tr := range after.Tickets {
		if u, ok := old[tr.ID]; !ok || !u.Equal(tr.Updated) {
			changed++
		}
	}
	wire.Reset()
	if err := sync(); err != nil {
		t.Fatal(err)
	}
	if got := wire.Count("/comments"); got != changed || wire.Count(":search") != 1 {
		t.Errorf("six hours on: %d search and %d comments requests, want 1 and one per changed case, %d",
			wire.Count(":search"), got, changed)
	}
	if n := len(st.Tickets()); n != len(after.Tickets) {
		t.Errorf("six hours on: stored %d tickets, the vendor has %d", n, len(after.Tickets))
	}
}

// gcpNumber is the simulated case number of ticket id.
func gcpNumber(id int64) string { return strconv.FormatInt(40000000+id, 10) }

// statusMatches: the simulator's Zendesk status as the case's state shows
// it (hold is Google's to act on: open).
func statusMatches(got item.Status, zendesk string) bool {
	switch zendesk {
	case "hold":
		return got == item.StatusOpen
	}
	return string(got) == zendesk
}

// TestKeyFile: a service account's key is traded at its token_uri for a
// token once, which the API takes; the key, the assertion and the token
// appear in no error.
func TestKeyFile(t *testing.T) {
	sim, c := collectortest.SmallWorld(t, 20)
	key := sim.GCPSupportKey(collectortest.SimVendor)
	path := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, key, 0o600); err != nil {
		t.Fatal(err)
	}
	body := "kind: gcp_support\nurl: " + sim.URL(collectortest.SimVendor, simulator.KindGCPSupport) +
		"\nparent: " + sim.GCPSupportParent(collectortest.SimVendor) + "\ncredentials_file: " + path + "\n"
	st, wire, sync, counted := simSource(t, sim, c, body)
	for range 2 {
		if err := sync(); err != nil {
			t.Fatal(err)
		}
	}
	if len(st.Tickets()) == 0 || counted.get("200") != 1 {
		t.Errorf("stored %d tickets with %d token requests answered; want some, and one token for both syncs", len(st.Tickets()), counted.get("200"))
	}
	for _, h := range wire.Headers() {
		if a := h.Get("Authorization"); !strings.HasPrefix(a, "Bearer ya29.c.") {
			t.Fatalf("a request's Authorization is %q, want the issued token", a)
		}
	}

	// Another simulation's key, for this one's account and token
	// endpoint: Google refuses the signature.
	other, _ := collectortest.SmallWorld(t, 1)
	var forged map[string]any
	if err := json.Unmarshal(other.GCPSupportKey(collectortest.SimVendor), &forged); err != nil {
		t.Fatal(err)
	}
	var own map[string]any
	if err := json.Unmarshal(key, &own); err != nil {
		t.Fatal(err)
	}
	forged["token_uri"], forged["client_email"] = own["token_uri"], own["client_email"]
	if err := os.WriteFile(path, collectortest.Marshal(t, forged), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, sync, _ = simSource(t, sim, c, body)
	err := sync()
	if fetch.Reason(err) != fetch.ReasonAuth || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("a refused key: %v, want an auth error saying invalid_grant", err)
	}
	for _, secret := range []string{"PRIVATE KEY", "eyJ", "ya29."} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error repeats %q: %v", secret, err)
		}
	}
}

// TestMetadataServer: without a key or a token in http_client, the token
// is the metadata server's, asked with Metadata-Flavor: Google.
func TestMetadataServer(t *testing.T) {
	sim, c := collectortest.SmallWorld(t, 5)
	var flavor string
	md := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		flavor = r.Header.Get("Metadata-Flavor")
		if r.URL.Path != "/computeMetadata/v1/instance/service-accounts/default/token" {
			http.NotFound(rw, r)
			return
		}
		_, _ = rw.Write([]byte(`{"access_token":"` + sim.GCPSupportToken(collectortest.SimVendor) + `","expires_in":3599,"token_type":"Bearer"}`))
	}))
	defer md.Close()
	t.Setenv("GCE_METADATA_HOST", strings.TrimPrefix(md.URL, "http://"))
	body := "kind: gcp_support\nurl: " + sim.URL(collectortest.SimVendor, simulator.KindGCPSupport) +
		"\nparent: " + sim.GCPSupportParent(collectortest.SimVendor) + "\n"
	st, _, sync, _ := simSource(t, sim, c, body)
	if err := sync(); err != nil {
		t.Fatal(err)
	}
	if flavor != "Google" || len(st.Tickets()) == 0 {
		t.Errorf("Metadata-Flavor %q, %d tickets stored", flavor, len(st.Tickets()))
	}
}

// TestRefusedTokenNeverInErrors: Google's 401 and 403 say what to check,
// without the token.
func TestRefusedTokenNeverInErrors(t *testing.T) {
	sim, c := collectortest.SmallWorld(t, 5)
	token := sim.GCPSupportToken(collectortest.SimVendor)
	for fault, want := range map[simulator.Fault]string{
		simulator.FaultUnauthorized: "UNAUTHENTICATED",
		simulator.FaultForbidden:    "roles/cloudsupport.techSupportViewer",
		simulator.FaultRateLimit:    "RESOURCE_EXHAUSTED",
	} {
		_, _, sync, _ := simSource(t, sim, c, sim.SourceYAML(collectortest.SimVendor, simulator.KindGCPSupport))
		sim.Inject(collectortest.SimVendor, simulator.KindGCPSupport, fault, 1)
		err := sync()
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), token) {
			t.Errorf("%v: %v, want an error saying %s, without the token", fault, err, want)
		}
	}
}

// TestMetadataServerFailures: the metadata server's refusals are auth (no
// service account attached: 404) or http (5xx), a server that does not
// answer is a timeout, and none repeats a token.
func TestMetadataServerFailures(t *testing.T) {
	sim, c := collectortest.SmallWorld(t, 1)
	body := "kind: gcp_support\nurl: " + sim.URL(collectortest.SimVendor, simulator.KindGCPSupport) +
		"\nparent: " + sim.GCPSupportParent(collectortest.SimVendor) + "\n"
	for _, tc := range []struct {
		name, reason string
		serve        http.HandlerFunc
	}{
		{"no service account", fetch.ReasonAuth, func(rw http.ResponseWriter, r *http.Request) { http.NotFound(rw, r) }},
		{"broken", fetch.ReasonHTTP, func(rw http.ResponseWriter, r *http.Request) { http.Error(rw, "oops", http.StatusServiceUnavailable) }},
		{"no answer", fetch.ReasonTimeout, func(rw http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
		{"no token", fetch.ReasonDecode, func(rw http.ResponseWriter, r *http.Request) { _, _ = rw.Write([]byte(`{"expires_in":3599}`)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := httptest.NewServer(tc.serve)
			defer md.Close()
			t.Setenv("GCE_METADATA_HOST", strings.TrimPrefix(md.URL, "http://"))
			env, _ := collectortest.SimEnv(t, simKind, body, c.Now)
			src := collectortest.NewSource(t, New, env)
			src.(*collector).tokens.timeout = 200 * time.Millisecond
			err := src.Sync(context.Background(), nil, collectortest.NewStore().Emit)
			if got := fetch.Reason(err); got != tc.reason {
				t.Errorf("reason %s (%v), want %s", got, err, tc.reason)
			}
		})
	}
}

// TestMetadataServerNoProxy: the metadata server is asked directly, never
// through HTTP_PROXY (plain HTTP: a proxy would see the token); a key
// file's token endpoint through the environment's proxy.
func TestMetadataServerNoProxy(t *testing.T) {
	env := collectortest.Env("gcp_support", DefaultURL, http.DefaultClient)
	env.Config.Options = &Options{Parent: "projects/p-123456"}
	src := collectortest.NewSource(t, New, env)
	ct, ok := src.(*collector).tokens.client.Transport.(countingTransport)
	if !ok {
		t.Fatalf("the metadata client's transport is %T, want a countingTransport", src.(*collector).tokens.client.Transport)
	}
	if tr, ok := ct.next.(*http.Transport); !ok || tr.Proxy != nil {
		t.Errorf("the metadata client's transport %T has a proxy; want none", ct.next)
	}
}

// TestTokenRequestCountsAgainstBudget: a token request is one of the
// sync's max_requests_per_sync: with a budget of one, the search after it
// is refused.
func TestTokenRequestCountsAgainstBudget(t *testing.T) {
	md := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = rw.Write([]byte(`{"access_token":"ya29.md","expires_in":3599,"token_type":"Bearer"}`))
	}))
	defer md.Close()
	api := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { _, _ = rw.Write([]byte(`{}`)) }))
	defer api.Close()
	t.Setenv("GCE_METADATA_HOST", strings.TrimPrefix(md.URL, "http://"))
	env := collectortest.Env("gcp_support", api.URL, api.Client())
	env.Config.Options = &Options{Parent: "projects/p-123456"}
	src := collectortest.NewSource(t, New, env)
	err := src.Sync(fetch.StartSync(context.Background(), 1), nil, collectortest.NewStore().Emit)
	if fetch.Reason(err) != fetch.ReasonBudget {
		t.Errorf("a token request and a search under a budget of 1: %v, want reason budget", err)
	}
}

// TestTokenInTimeNotTimedOut: a token that arrives as its request's time
// runs out is taken, not reported as a timeout.
func TestTokenInTimeNotTimedOut(t *testing.T) {
	tk := &tokens{url: "http://metadata/token", timeout: 10 * time.Millisecond, fetch: func(ctx context.Context) (*oauth2.Token, error) {
		<-ctx.Done()
		return &oauth2.Token{AccessToken: "ya29.late", Expiry: time.Now().Add(time.Hour)}, nil
	}}
	h, err := tk.header(context.Background())
	if err != nil || h.Get("Authorization") != "Bearer ya29.late" {
		t.Errorf("header %v, %v; want the token", h, err)
	}
}
