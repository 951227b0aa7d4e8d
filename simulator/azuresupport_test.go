package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// azTokenGrant runs the client credentials grant against the simulated Entra
// ID: the form as golang.org/x/oauth2's clientcredentials posts it.
func azTokenGrant(t *testing.T, s *Sim, secret, scope string) (int, map[string]any) {
	t.Helper()
	_, _, id, _ := s.AzureSupportCredentials("acme")
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {scope}}
	resp, err := http.PostForm(s.AzureTokenURL("acme"), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestAzureSupportAPI(t *testing.T) {
	s := faultSim(t)
	base := s.URL("acme", KindAzureSupport)
	_, sub, _, secret := s.AzureSupportCredentials("acme")
	scope := base + "/.default"

	if code, body := azTokenGrant(t, s, secret+"x", scope); code != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("a wrong secret: HTTP %d %v, want 401 invalid_client", code, body)
	}
	if code, body := azTokenGrant(t, s, secret, base); code != http.StatusBadRequest || body["error"] != "invalid_scope" {
		t.Errorf("a scope without /.default: HTTP %d %v, want 400 invalid_scope", code, body)
	}
	code, body := azTokenGrant(t, s, secret, scope)
	token, _ := body["access_token"].(string)
	if code != http.StatusOK || body["token_type"] != "Bearer" || token == "" {
		t.Fatalf("the grant: HTTP %d %v, want a bearer token", code, body)
	}
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	list := base + "/subscriptions/" + sub + "/providers/Microsoft.Support/supportTickets"
	armError := func(r response) string {
		var e azError
		_ = json.Unmarshal(r.body, &e)
		return e.Error.Code
	}
	for _, tc := range []struct {
		name, url string
		auth      func(*http.Request)
		status    int
		code      string
	}{
		{"no token", list + "?api-version=2024-04-01", nil, 401, "AuthenticationFailed"},
		{"another token", list + "?api-version=2024-04-01", bearer("eyJ.forged"), 401, "InvalidAuthenticationToken"},
		{"no api-version", list, bearer(token), 400, "MissingApiVersionParameter"},
		{"unknown api-version", list + "?api-version=2018-01-01", bearer(token), 400, "NoRegisteredProviderFound"},
		{"another subscription", strings.Replace(list, sub, "00000000-0000-0000-0000-000000000000", 1) + "?api-version=2024-04-01", bearer(token), 404, "SubscriptionNotFound"},
		{"a filter on modifiedDate", list + "?api-version=2024-04-01&%24filter=" + url.QueryEscape("modifiedDate ge 2026-01-01T00:00:00Z"), bearer(token), 400, "BadRequest"},
		{"an unknown ticket", list + "/2601010000009999/communications?api-version=2024-04-01", bearer(token), 404, "ResourceNotFound"},
	} {
		if r := fetch(t, tc.url, tc.auth); r.status != tc.status || armError(r) != tc.code {
			t.Errorf("%s: HTTP %d %s, want %d %s", tc.name, r.status, r.body, tc.status, tc.code)
		}
	}

	// Every ticket of the 60, newest first, 25 a page, nextLinks absolute.
	next := list + "?api-version=2024-04-01&%24filter=" + url.QueryEscape("createdDate ge 2000-01-01T00:00:00Z")
	var all []azTicket
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("more than 5 pages")
		}
		r := fetch(t, next, bearer(token))
		var p azList[azTicket]
		if err := json.Unmarshal(r.body, &p); err != nil || r.status != http.StatusOK {
			t.Fatalf("HTTP %d %s: %v", r.status, r.body, err)
		}
		if p.NextLink != "" && !strings.HasPrefix(p.NextLink, base+"/subscriptions/") {
			t.Errorf("nextLink %q is not absolute on ARM's host", p.NextLink)
		}
		all = append(all, p.Value...)
		next = p.NextLink
	}
	if len(all) != 60 {
		t.Fatalf("%d tickets listed, want 60", len(all))
	}
	closed, outbound, inbound, afterModified := 0, 0, 0, 0
	for i, tk := range all {
		p := tk.Properties
		if i > 0 && p.CreatedDate > all[i-1].Properties.CreatedDate {
			t.Errorf("ticket %s listed after an older one", tk.Name)
		}
		if p.Status == "Closed" {
			closed++
		}
		exp, _ := time.Parse(time.RFC3339, p.ServiceLevelAgreement.ExpirationTime)
		start, _ := time.Parse(time.RFC3339, p.ServiceLevelAgreement.StartTime)
		if exp.Sub(start) != time.Duration(p.ServiceLevelAgreement.SLAMinutes)*time.Minute {
			t.Errorf("ticket %s: SLA %+v", tk.Name, p.ServiceLevelAgreement)
		}
		r := fetch(t, list+"/"+tk.Name+"/communications?api-version=2024-04-01&%24top=10", bearer(token))
		var c azList[azComm]
		if err := json.Unmarshal(r.body, &c); err != nil || r.status != http.StatusOK {
			t.Fatalf("communications of %s: HTTP %d %s", tk.Name, r.status, r.body)
		}
		for _, m := range c.Value {
			if m.Properties.CreatedDate > p.ModifiedDate {
				afterModified++
			}
			switch m.Properties.CommunicationDirection {
			case "Outbound":
				outbound++
			case "Inbound":
				inbound++
			}
		}
	}
	if closed == 0 || closed == len(all) || outbound == 0 || inbound == 0 {
		t.Errorf("%d of %d closed, %d outbound and %d inbound communications: want some of each", closed, len(all), outbound, inbound)
	}
	// modifiedDate moves with the status and the severity, never with a
	// communication (the Azure CLI's recording).
	if afterModified == 0 {
		t.Errorf("no communication created after its ticket's modifiedDate: a communication moved it")
	}

	// Azure deletes no ticket: one the world deletes stays listed, its
	// communications readable.
	victim := all[len(all)-1].Name
	id, _ := strconv.ParseInt(victim[6:], 10, 64)
	if err := s.EditTicket("acme", id, TicketEdit{Delete: true}); err != nil {
		t.Fatal(err)
	}
	r0 := fetch(t, list+"?api-version=2024-04-01&%24top=100&%24filter="+url.QueryEscape("createdDate ge 2000-01-01T00:00:00Z"), bearer(token))
	var after azList[azTicket]
	_ = json.Unmarshal(r0.body, &after)
	if len(after.Value) != len(all) {
		t.Errorf("after a deletion in the world, %d tickets listed, want all %d", len(after.Value), len(all))
	}
	if r := fetch(t, list+"/"+victim+"/communications?api-version=2024-04-01", bearer(token)); r.status != http.StatusOK {
		t.Errorf("communications of a ticket the world deleted: HTTP %d, want 200", r.status)
	}

	// Open tickets only, as the filter says.
	r := fetch(t, list+"?api-version=2024-04-01&%24top=100&%24filter="+url.QueryEscape("status eq 'Open'"), bearer(token))
	var open azList[azTicket]
	_ = json.Unmarshal(r.body, &open)
	if len(open.Value) != len(all)-closed {
		t.Errorf("status eq 'Open' lists %d, want %d", len(open.Value), len(all)-closed)
	}
}

// TestAzureSupportFaults: faults come in ARM's shape, and never reach the
// token endpoint, which is Entra ID's host in Azure.
func TestAzureSupportFaults(t *testing.T) {
	s := faultSim(t)
	_, sub, _, secret := s.AzureSupportCredentials("acme")
	base := s.URL("acme", KindAzureSupport)
	_, body := azTokenGrant(t, s, secret, base+"/.default")
	auth := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+body["access_token"].(string)) }
	list := base + "/subscriptions/" + sub + "/providers/Microsoft.Support/supportTickets?api-version=2024-04-01"
	for _, tc := range []struct {
		fault  Fault
		status int
		code   string
	}{
		{FaultRateLimit, 429, "SubscriptionRequestsThrottled"},
		{FaultRetryAfterDate, 429, "SubscriptionRequestsThrottled"},
		{FaultForbidden, 403, "AuthorizationFailed"},
		{FaultUnauthorized, 401, "InvalidAuthenticationToken"},
	} {
		s.Inject("acme", KindAzureSupport, tc.fault, 1)
		if code, _ := azTokenGrant(t, s, secret, base+"/.default"); code != http.StatusOK {
			t.Errorf("%v: the token endpoint answered %d", tc.fault, code)
		}
		r := fetch(t, list, auth)
		var e azError
		_ = json.Unmarshal(r.body, &e)
		if r.status != tc.status || e.Error.Code != tc.code || (tc.status == 429 && r.header.Get("Retry-After") == "") {
			t.Errorf("%v: HTTP %d %s (Retry-After %q), want %d %s", tc.fault, r.status, r.body, r.header.Get("Retry-After"), tc.status, tc.code)
		}
	}
}
