package simulator

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Azure's identities in a vendor's world: the buyer's tenant, subscription
// and app registration (client id and secret), and the access token the
// simulated Entra ID issues to that app.
func (w *world) azureTenant() string       { return azGUID(w.id.token + "/azure/tenant") }
func (w *world) azureSubscription() string { return azGUID(w.id.token + "/azure/subscription") }
func (w *world) azureClientID() string     { return azGUID(w.id.token + "/azure/client") }
func (w *world) azureClientSecret() string {
	return derivedID(w.id.token+"/azure/secret", ghNodeAlphabet, 5) + "~" + derivedID(w.id.token+"/azure/secret2", ghNodeAlphabet, 34)
}
func (w *world) azureAccessToken() string {
	return "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + derivedID(w.id.token+"/azure/access", ghNodeAlphabet, 48)
}

func azGUID(id string) string {
	h := derivedID(id, "0123456789abcdef", 32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// AzureSupportCredentials are the buyer's app registration in its Entra
// ID tenant, and the subscription whose tickets the source reads; empty
// for an unknown vendor. The token endpoint is AzureTokenURL.
func (s *Sim) AzureSupportCredentials(vendor string) (tenant, subscription, clientID, clientSecret string) {
	w := s.worlds[vendor]
	if w == nil {
		return "", "", "", ""
	}
	return w.azureTenant(), w.azureSubscription(), w.azureClientID(), w.azureClientSecret()
}

// AzureAccessToken is the access token the simulated Entra ID issues to
// the vendor's app, for tests that check it never leaks; empty for an
// unknown vendor.
func (s *Sim) AzureAccessToken(vendor string) string {
	if w := s.worlds[vendor]; w != nil {
		return w.azureAccessToken()
	}
	return ""
}

// AzureTokenURL is the simulated Entra ID token endpoint of the vendor's
// tenant, served beside ARM on its listener (in Azure,
// https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token); empty
// before Start.
func (s *Sim) AzureTokenURL(vendor string) string {
	w := s.worlds[vendor]
	if u := s.URL(vendor, KindAzureSupport); w != nil && u != "" {
		return u + "/" + w.azureTenant() + azTokenPath
	}
	return ""
}

const (
	azTokenPath = "/oauth2/v2.0/token"
	azScope     = "/.default"
	// azAPIVersion is the api-version served; ARM accepts the provider's
	// other versions as well (azVersions), which this simulation answers
	// the same way.
	azAPIVersion     = "2024-04-01"
	azTicketsPerPage = 25  // $top's default
	azMaxTickets     = 100 // and maximum
	azCommsPerPage   = 10  // $top's default and maximum on communications
	azTime           = "2006-01-02T15:04:05Z"
)

// azVersions are Microsoft.Support's api-versions, as ARM lists them in a
// NoRegisteredProviderFound answer.
var azVersions = []string{"2019-05-01-preview", "2020-04-01", "2021-06-01-preview", "2022-09-01-preview", "2023-06-01-preview", "2024-04-01"}

var (
	azTicketsPath = regexp.MustCompile(`^/subscriptions/([^/]+)/providers/Microsoft\.Support/supportTickets$`)
	azCommsPath   = regexp.MustCompile(`^/subscriptions/([^/]+)/providers/Microsoft\.Support/supportTickets/([^/]+)/communications$`)
)

// azureAPI serves one vendor's tickets as the buyer's Azure support
// tickets: ARM's Microsoft.Support API of the buyer's subscription, and
// the Entra ID token endpoint that issues the bearer token ARM checks.
// Each ticket is a support ticket named by its support ticket id, with
// Azure's severity for its priority (urgent Critical, high Moderate, the
// others Minimal), Open until solved, then Closed (a reopen opens it
// again), its first-response deadline on ProDirect's initial response
// times (60, 120 and 240 minutes from its creation); its replies are
// communications, Microsoft's outbound and the customer's inbound (the
// description is the ticket's, no communication). modifiedDate moves with
// the status and the severity, never with a communication (azModified).
// Lists are newest first, paged by $skiptoken in absolute nextLinks that
// name the port (ARM writes https://management.azure.com:443/...). Azure
// deletes no ticket: the world's deletions do not show.
type azureAPI struct {
	w     *world
	clock func() time.Time
	base  func() string
}

// outsideFaults reports whether r goes to a host the API's faults do not
// reach: the token endpoint is Entra ID's, not ARM's.
func (a *azureAPI) outsideFaults(r *http.Request) bool {
	return strings.HasSuffix(r.URL.Path, azTokenPath)
}

// writeAzThrottled answers as ARM does a subscription whose read quota is
// spent (learn.microsoft.com, "Understand how Azure Resource Manager
// throttles requests"): 429, the quota left at 0, and its error; the
// caller sets Retry-After.
func writeAzThrottled(rw http.ResponseWriter, w *world, wait int) {
	rw.Header().Set("x-ms-ratelimit-remaining-subscription-reads", "0")
	writeAzError(rw, http.StatusTooManyRequests, "SubscriptionRequestsThrottled", fmt.Sprintf(
		"Number of 'read' requests for subscription '%s' actor '%s' exceeded. Please try again after '%d' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information.",
		w.azureSubscription(), w.azureClientID(), wait))
}

func writeAzError(rw http.ResponseWriter, status int, code, message string) {
	writeJSON(rw, status, azError{azErrorDetail{Code: code, Message: message}})
}

func (a *azureAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if a.outsideFaults(r) {
		a.token(rw, r)
		return
	}
	// ARM authenticates first, then reads the api-version.
	auth := r.Header.Get("Authorization")
	token, bearer := strings.CutPrefix(auth, "Bearer ")
	switch {
	case auth == "":
		rw.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`)
		writeAzError(rw, http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
		return
	case !bearer || subtle.ConstantTimeCompare([]byte(token), []byte(a.w.azureAccessToken())) != 1:
		rw.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="The access token is invalid."`)
		writeAzError(rw, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
		return
	}
	if r.Method != http.MethodGet {
		writeAzError(rw, http.StatusMethodNotAllowed, "MethodNotAllowed", "The simulator serves GET only.")
		return
	}
	q := r.URL.Query()
	switch v := q.Get("api-version"); {
	case v == "":
		writeAzError(rw, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return
	case !slices.Contains(azVersions, v):
		writeAzError(rw, http.StatusBadRequest, "NoRegisteredProviderFound", fmt.Sprintf(
			"No registered resource provider found for location 'global' and API version '%s' for type 'supportTickets'. The supported api-versions are '%s'.",
			v, strings.Join(azVersions, ", ")))
		return
	}
	var sub string
	var m []string
	if m = azTicketsPath.FindStringSubmatch(r.URL.Path); m != nil {
		sub = m[1]
	} else if m = azCommsPath.FindStringSubmatch(r.URL.Path); m != nil {
		sub = m[1]
	} else {
		writeAzError(rw, http.StatusNotFound, "InvalidResourceType", "The resource type could not be found in the namespace 'Microsoft.Support'.")
		return
	}
	if !strings.EqualFold(sub, a.w.azureSubscription()) {
		writeAzError(rw, http.StatusNotFound, "SubscriptionNotFound", "The subscription '"+sub+"' could not be found.")
		return
	}
	now := a.clock().Unix()
	filter, err := parseAzFilter(q.Get("$filter"), len(m) == 3)
	if err != nil {
		writeAzError(rw, http.StatusBadRequest, "BadRequest", "Invalid $filter: "+err.Error())
		return
	}
	if len(m) == 3 {
		i, ok := a.ticketNamed(m[2], now)
		if !ok {
			writeAzError(rw, http.StatusNotFound, "ResourceNotFound", "The Resource 'Microsoft.Support/supportTickets/"+m[2]+"' under resource group '<null>' was not found.")
			return
		}
		s := stateAt(a.w.timeline(i), now)
		azServe(a, rw, r, a.comms(&s, filter), azCommsPerPage, azCommsPerPage)
		return
	}
	var tickets []azTicket
	for i := range a.w.ticketsBy(now) {
		s := stateAt(a.w.timeline(i), now)
		t := a.ticket(&s)
		if filter.keep(s.created, t.Properties.Status) {
			tickets = append(tickets, t)
		}
	}
	slices.SortFunc(tickets, func(x, y azTicket) int {
		return strings.Compare(y.Properties.CreatedDate+y.Name, x.Properties.CreatedDate+x.Name)
	})
	azServe(a, rw, r, tickets, azTicketsPerPage, azMaxTickets)
}

// azServe writes the page of all that r asks for ($top, $skiptoken, def
// and at most most items), with the absolute nextLink of the page after
// it.
func azServe[T any](a *azureAPI, rw http.ResponseWriter, r *http.Request, all []T, def, most int) {
	q := r.URL.Query()
	top := def
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeAzError(rw, http.StatusBadRequest, "BadRequest", "Invalid $top: "+v)
			return
		}
		top = min(n, most)
	}
	start := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		n, perr := strconv.Atoi(string(raw))
		if err != nil || perr != nil || n < 0 {
			writeAzError(rw, http.StatusBadRequest, "InvalidSkipToken", "The skip token is invalid.")
			return
		}
		start = n
	}
	link := func(n int) string {
		v := r.URL.Query()
		v.Set("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(n))))
		return a.base() + r.URL.Path + "?" + v.Encode()
	}
	end := min(start+top, len(all))
	start = min(start, end)
	out := azList[T]{Value: all[start:end]}
	switch mode := endlessOf(r); {
	case mode == endlessSame:
		out.NextLink = a.base() + r.URL.RequestURI()
	case end < len(all):
		out.NextLink = link(end)
	case mode == endlessGrowing:
		out.NextLink = link(max(start, end) + 1)
	}
	if out.Value == nil {
		out.Value = []T{}
	}
	writeJSON(rw, http.StatusOK, out)
}

// azFilter is the subset of OData $filter the API supports on its lists
// (support.json): createdDate with ge or gt, status and communicationType
// with eq, joined by and.
type azFilter struct {
	since     int64 // keep created at or after since (gt: since is one more)
	status    string
	commsType string
}

var azClause = regexp.MustCompile(`^\s*(\w+)\s+(eq|ge|gt)\s+(.+?)\s*$`)

func parseAzFilter(f string, comms bool) (azFilter, error) {
	out := azFilter{since: -1 << 62}
	if strings.TrimSpace(f) == "" {
		return out, nil
	}
	for _, clause := range regexp.MustCompile(`(?i)\s+and\s+`).Split(f, -1) {
		m := azClause.FindStringSubmatch(clause)
		if m == nil {
			return out, fmt.Errorf("%q is not a supported clause", clause)
		}
		field, op, value := strings.ToLower(m[1]), m[2], m[3]
		switch {
		case field == "createddate" && (op == "ge" || op == "gt"):
			t, err := time.Parse(time.RFC3339Nano, value)
			if err != nil {
				return out, fmt.Errorf("%q is not a date", value)
			}
			out.since = t.Unix()
			if op == "gt" {
				out.since = t.Unix() + 1
			}
		case field == "status" && op == "eq" && !comms:
			out.status = strings.Trim(value, "'")
		case field == "communicationtype" && op == "eq" && comms:
			out.commsType = strings.Trim(value, "'")
		default:
			return out, fmt.Errorf("%q is not supported", clause)
		}
	}
	return out, nil
}

func (f azFilter) keep(created int64, status string) bool {
	return created >= f.since && (f.status == "" || strings.EqualFold(f.status, status))
}

// azTicketName is a ticket's name, its support ticket id: the date of its
// creation (yymmdd) and ten digits, its number.
func azTicketName(tl *timeline) string {
	return time.Unix(tl.created, 0).UTC().Format("060102") + fmt.Sprintf("%010d", tl.id())
}

// ticketNamed finds the ticket of that name listed as of now. Azure
// deletes no ticket: one the world deletes (an edit) stays listed as it
// was.
func (a *azureAPI) ticketNamed(name string, now int64) (int, bool) {
	if len(name) != 16 {
		return 0, false
	}
	id, err := strconv.Atoi(name[6:])
	i := id - 1
	if err != nil || i < 0 || i >= a.w.ticketsBy(now) || azTicketName(a.w.timeline(i)) != name {
		return 0, false
	}
	return i, true
}

var azSeverities = map[string]string{"urgent": "Critical", "high": "Moderate"}

// azSLAMinutes are ProDirect's initial response times by severity.
var azSLAMinutes = map[string]int{"Critical": 60, "Moderate": 120, "Minimal": 240}

func azDate(at int64) string { return time.Unix(at, 0).UTC().Format(azTime) }

// ticket renders s as its support ticket.
func (a *azureAPI) ticket(s *ticketState) azTicket {
	tl := s.tl
	name := azTicketName(tl)
	sev := azSeverity(s.priority)
	status := "Open"
	if s.solved() {
		status = "Closed"
	}
	minutes := azSLAMinutes[sev]
	sub := a.w.azureSubscription()
	t := azTicket{
		ID: "/subscriptions/" + sub + "/providers/Microsoft.Support/supportTickets/" + name, Name: name,
		Type: "Microsoft.Support/supportTickets",
		Properties: azTicketProps{
			SupportTicketID: name, Description: ticketDescription(tl), Title: topics[tl.topic].subject,
			ProblemClassificationID:          "/providers/Microsoft.Support/services/06bfd9d3-516b-d5c6-5802-169c800dec89/problemClassifications/e12e3d1d-7fa0-af33-c6d0-3c50df9658a3",
			ProblemClassificationDisplayName: "Connectivity / Cannot connect to virtual machine by using RDP or SSH",
			Severity:                         sev, AdvancedDiagnosticConsent: "Yes",
			ContactDetails: azContact{FirstName: "Buyer", LastName: strconv.FormatInt(tl.requester, 10), PreferredContactMethod: "Email",
				PrimaryEmailAddress: azCustomer(tl), PreferredTimeZone: "W. Europe Standard Time", Country: "DEU", PreferredSupportLanguage: "en-US"},
			ServiceLevelAgreement: azSLA{StartTime: azDate(s.created), ExpirationTime: azDate(s.created + int64(minutes)*60), SLAMinutes: minutes},
			SupportPlanType:       "ProDirect", SupportPlanDisplayName: "ProDirect",
			ServiceID:          "/providers/Microsoft.Support/services/06bfd9d3-516b-d5c6-5802-169c800dec89",
			ServiceDisplayName: "Virtual Machine running Linux", Status: status,
			CreatedDate: azDate(s.created), ModifiedDate: azDate(azModified(s)),
			TechnicalTicketDetails: &azTechnicalInfo{ResourceID: "/subscriptions/" + sub + "/resourceGroups/prod/providers/Microsoft.Compute/virtualMachines/vm-" + strconv.FormatInt(tl.id(), 10)},
		},
	}
	if s.replies > 0 {
		t.Properties.SupportEngineer.EmailAddress = azEngineerMail(tl)
	}
	return t
}

// azModified is the ticket's modifiedDate: its creation, or the last change
// of a property Azure shows (its status, Open or Closed; its severity). A
// communication added does not move it (the Azure CLI's recording: a
// communication created at 02:13:40, the ticket listed at 02:14:14 still
// modified at 02:10:25).
func azModified(s *ticketState) int64 {
	modified, solved, sev := s.created, false, azSeverity(s.tl.priority)
	for _, st := range s.tl.steps[:s.n] {
		if now := st.status == zSolved || st.status == zClosed; now != solved {
			modified, solved = st.at, now
		}
		if st.kind == stepEscalate || st.kind == stepEdit {
			if v := azSeverity(stateAt(s.tl, st.at).priority); v != sev {
				modified, sev = st.at, v
			}
		}
	}
	return max(modified, s.created)
}

// azSeverity is the severity of the world's priority p (an index into
// zPriorities).
func azSeverity(p int) string {
	if sev := azSeverities[zPriorities[p]]; sev != "" {
		return sev
	}
	return "Minimal"
}

func azCustomer(tl *timeline) string {
	return "buyer" + strconv.FormatInt(tl.requester, 10) + "@customer.example"
}
func azEngineerMail(tl *timeline) string {
	return "engineer" + strconv.FormatInt(tl.agent, 10) + "@support.microsoft.example"
}

// comms are the ticket's communications that f keeps, oldest first.
func (a *azureAPI) comms(s *ticketState, f azFilter) []azComm {
	tl := s.tl
	name := azTicketName(tl)
	var out []azComm
	for _, c := range s.comments()[1:] {
		if c.at < f.since || (f.commsType != "" && !strings.EqualFold(f.commsType, "web")) {
			continue
		}
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", tl.id(), commentID(tl, c.seq))
		p := azCommProps{CommunicationType: "Web", CommunicationDirection: "Inbound", Sender: azCustomer(tl),
			Subject: "RE: " + topics[tl.topic].subject + " - TrackingID#" + name, Body: commentText(c.kind), CreatedDate: azDate(c.at)}
		if c.vendor {
			p.CommunicationDirection, p.Sender = "Outbound", azEngineerMail(tl)
		}
		out = append(out, azComm{
			ID:   "/subscriptions/" + a.w.azureSubscription() + "/providers/Microsoft.Support/supportTickets/" + name + "/communications/" + id,
			Name: id, Type: "Microsoft.Support/communications", Properties: p,
		})
	}
	return out
}

// token answers a client credentials grant as the Microsoft identity
// platform does: the app's id and secret in the form (client_secret_post)
// or in basic auth (client_secret_basic), a scope ending in /.default.
func (a *azureAPI) token(rw http.ResponseWriter, r *http.Request) {
	refuse := func(status int, code, desc string, n int) {
		writeJSON(rw, status, azTokenError{Error: code, ErrorDescription: desc, ErrorCodes: []int{n}})
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		refuse(http.StatusBadRequest, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests.", 900561)
		return
	}
	if r.URL.Path != "/"+a.w.azureTenant()+azTokenPath {
		refuse(http.StatusBadRequest, "invalid_request", "AADSTS90002: Tenant not found.", 90002)
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	switch {
	case r.PostForm.Get("grant_type") != "client_credentials":
		refuse(http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.", 70003)
	case id != a.w.azureClientID():
		refuse(http.StatusBadRequest, "unauthorized_client", "AADSTS700016: Application with identifier '"+id+"' was not found in the directory.", 700016)
	case subtle.ConstantTimeCompare([]byte(secret), []byte(a.w.azureClientSecret())) != 1:
		refuse(http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.", 7000215)
	case !strings.HasSuffix(r.PostForm.Get("scope"), azScope):
		refuse(http.StatusBadRequest, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.", 1002012)
	default:
		writeJSON(rw, http.StatusOK, azToken{TokenType: "Bearer", ExpiresIn: 3599, ExtExpiresIn: 3599, AccessToken: a.w.azureAccessToken()})
	}
}
