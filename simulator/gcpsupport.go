package simulator

import (
	"cmp"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	gcpTokenPath   = "/token"
	gcpMaxPageSize = 100
	gcpScope       = "https://www.googleapis.com/auth/cloud-platform"
	// gcpTokenLifetime is how long an access token the token endpoint
	// issues lasts, as Google's: an hour, less a second.
	gcpTokenLifetime = 3599 * time.Second
)

// gcpSupportAPI serves one vendor's tickets as the buyer's own Google Cloud
// support cases, through the Cloud Support API v2: each ticket is a case of
// the buyer's project, its conversation the case's comments (Google
// Support's with creator.googleSupport), its status the case's state
// (new NEW, open and hold IN_PROGRESS_GOOGLE_SUPPORT, pending
// ACTION_REQUIRED, solved SOLUTION_PROVIDED, closed CLOSED), its priority
// on Google's scale (urgent P1, critical impact; high P2; normal P3; low
// P4; an unset one P3), escalated once escalated. cases:search takes
// update_time>"…" alone (v2 refuses v2beta's project= and organization=
// terms: 400 INVALID_ARGUMENT) and pages by pageToken, newest update
// first; comments list newest first. A token endpoint issues access
// tokens for the service account's key (GCPSupportKey) by the JWT bearer
// grant; the API takes those and the static GCPSupportToken. Only what the
// collector reads is served: no cases.list, cases.get nor attachments.
type gcpSupportAPI struct {
	w     *world
	clock func() time.Time
	base  func() string

	keyOnce sync.Once
	key     *rsa.PrivateKey

	mu     sync.Mutex
	issued map[string]time.Time // access token -> expiry, real time
}

// GCPSupportParent is the buyer's project whose cases the vendor's
// gcp_support API serves, "projects/<id>", a source's parent; empty for an
// unknown vendor.
func (s *Sim) GCPSupportParent(vendor string) string {
	if w := s.worlds[vendor]; w != nil {
		return "projects/" + w.gcpProject()
	}
	return ""
}

// GCPSupportToken is an access token the vendor's gcp_support API accepts
// ("Authorization: Bearer <token>"), as if obtained elsewhere (gcloud auth
// print-access-token); empty for an unknown vendor.
func (s *Sim) GCPSupportToken(vendor string) string {
	if w := s.worlds[vendor]; w != nil {
		return w.gcpToken()
	}
	return ""
}

// GCPSupportKey is a service account's JSON key file whose token_uri is
// the vendor's simulated token endpoint, which issues tokens the API
// accepts for it; nil before Start or for an unknown vendor. The key is
// made at the first call, for this simulation only.
func (s *Sim) GCPSupportKey(vendor string) []byte {
	e := s.apis[apiKey{vendor, KindGCPSupport}]
	if e == nil || e.url() == "" {
		return nil
	}
	a := e.api.(*gcpSupportAPI)
	key := a.privateKey()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil
	}
	project := a.w.gcpProject()
	body, err := json.MarshalIndent(gcpServiceAccountKey{
		Type: "service_account", ProjectID: project, PrivateKeyID: a.keyID(),
		PrivateKey:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		ClientEmail: a.clientEmail(), ClientID: derivedID(a.w.id.token+"/gcp/client", "0123456789", 21),
		AuthURI: "https://accounts.google.com/o/oauth2/auth", TokenURI: e.url() + gcpTokenPath,
		AuthProviderX509CertURL: "https://www.googleapis.com/oauth2/v1/certs",
		ClientX509CertURL:       "https://www.googleapis.com/robot/v1/metadata/x509/" + a.clientEmail(),
		UniverseDomain:          "googleapis.com",
	}, "", "  ")
	if err != nil {
		return nil
	}
	return body
}

func (w *world) gcpProject() string {
	return "buyer-" + derivedID(w.id.token+"/gcp/project", "abcdefghijklmnopqrstuvwxyz0123456789", 8)
}

func (w *world) gcpToken() string {
	return "ya29." + derivedID(w.id.token+"/gcp/token", ghNodeAlphabet+"-_", 120)
}

// gcpCaseNumber is a ticket's case number, as Google's eight digits.
func gcpCaseNumber(tl *timeline) string { return strconv.FormatInt(40000000+tl.id(), 10) }

func (a *gcpSupportAPI) privateKey() *rsa.PrivateKey {
	a.keyOnce.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err == nil {
			a.key = key
		}
	})
	return a.key
}

func (a *gcpSupportAPI) keyID() string {
	return derivedID(a.w.id.token+"/gcp/keyid", "0123456789abcdef", 40)
}

func (a *gcpSupportAPI) clientEmail() string {
	return "support-exporter@" + a.w.gcpProject() + ".iam.gserviceaccount.com"
}

// writeGCPError answers with Google's error envelope.
func writeGCPError(rw http.ResponseWriter, code int, status, message string) {
	if code == http.StatusUnauthorized {
		rw.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/"`)
	}
	writeJSON(rw, code, gcpError{gcpStatus{Code: code, Message: message, Status: status}})
}

// Google's messages for a request without credentials and one with a bad
// token.
const (
	gcpNoCredentials  = "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
	gcpBadCredentials = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)

var (
	gcpCasesPath    = regexp.MustCompile(`^/v2/(projects/[^/]+|organizations/[^/]+)/cases:search$`)
	gcpCommentsPath = regexp.MustCompile(`^/v2/(projects/[^/]+|organizations/[^/]+)/cases/([0-9]+)/comments$`)
	gcpUpdateTime   = regexp.MustCompile(`update_time>"([^"]+)"`)
	// gcpParentTerm is a v2beta query term v2 refuses: the parent is the
	// path's.
	gcpParentTerm = regexp.MustCompile(`\b(project|organization)\s*=`)
)

func (a *gcpSupportAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.URL.Path == gcpTokenPath {
		a.serveToken(rw, r)
		return
	}
	auth := r.Header.Get("Authorization")
	token, bearer := strings.CutPrefix(auth, "Bearer ")
	switch {
	case auth == "":
		writeGCPError(rw, http.StatusUnauthorized, "UNAUTHENTICATED", gcpNoCredentials)
		return
	case !bearer || !a.accepts(token):
		writeGCPError(rw, http.StatusUnauthorized, "UNAUTHENTICATED", gcpBadCredentials)
		return
	case r.Method != http.MethodGet:
		writeGCPError(rw, http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "Method not allowed.")
		return
	}
	now := a.clock().Unix()
	if m := gcpCasesPath.FindStringSubmatch(r.URL.Path); m != nil && a.ownParent(m[1]) {
		a.serveSearch(rw, r, now)
		return
	}
	if m := gcpCommentsPath.FindStringSubmatch(r.URL.Path); m != nil && a.ownParent(m[1]) {
		a.serveComments(rw, r, m[2], now)
		return
	}
	if m := gcpCasesPath.FindStringSubmatch(r.URL.Path); m != nil {
		// Another project: Google does not say whether it exists.
		writeGCPError(rw, http.StatusForbidden, "PERMISSION_DENIED", "The caller does not have permission")
		return
	}
	writeGCPError(rw, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.")
}

func (a *gcpSupportAPI) ownParent(p string) bool { return p == "projects/"+a.w.gcpProject() }

// accepts reports whether token is the static token or one the token
// endpoint issued and that has not expired.
func (a *gcpSupportAPI) accepts(token string) bool {
	if subtle.ConstantTimeCompare([]byte(token), []byte(a.w.gcpToken())) == 1 {
		return true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	exp, ok := a.issued[token]
	return ok && time.Now().Before(exp)
}

// serveSearch answers cases:search: every case updated after the query's
// update_time (every case without one), newest update first, pageSize
// (default 10, at most 100) a page; the pageToken is the last case's
// place.
func (a *gcpSupportAPI) serveSearch(rw http.ResponseWriter, r *http.Request, now int64) {
	q := r.URL.Query()
	size, ok := gcpPageSize(q.Get("pageSize"))
	if !ok {
		writeGCPError(rw, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid page size.")
		return
	}
	if gcpParentTerm.MatchString(q.Get("query")) {
		writeGCPError(rw, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid query: the parent is given in the request's path.")
		return
	}
	var since int64 = -1 << 62
	if m := gcpUpdateTime.FindStringSubmatch(q.Get("query")); m != nil {
		t, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			writeGCPError(rw, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid query.")
			return
		}
		since = t.Unix() + 1 // update_time > t, the cases' times whole seconds
	}
	hits := a.w.listed(max(since, a.w.t0), now)
	keys := make([]requestKey, len(hits))
	for i, h := range hits {
		keys[i] = requestKey{h.at, int64(h.ticket) + 1}
	}
	newest := func(x, y requestKey) int { return cmp.Or(cmp.Compare(y.at, x.at), cmp.Compare(y.id, x.id)) }
	slices.SortFunc(keys, newest)
	start := 0
	if tok := q.Get("pageToken"); tok != "" {
		k, ok := parseRequestKey(tok)
		if !ok {
			writeGCPError(rw, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid page token.")
			return
		}
		start, _ = slices.BinarySearchFunc(keys, k, func(e, t requestKey) int {
			if c := newest(e, t); c != 0 {
				return c
			}
			return -1 // the first key strictly after k
		})
	}
	end := min(start+size, len(keys))
	page := gcpSearchPage{Cases: make([]gcpCase, 0, end-start)}
	for _, k := range keys[start:end] {
		s := stateAt(a.w.timeline(int(k.id-1)), now)
		page.Cases = append(page.Cases, a.gcpCase(&s))
	}
	switch mode := endlessOf(r); {
	case mode == endlessSame:
		page.NextPageToken = cmp0(q.Get("pageToken"), requestKey{1 << 62, 1 << 62}.cursor())
	case end < len(keys):
		page.NextPageToken = keys[end-1].cursor()
	case mode == endlessGrowing:
		k := requestKey{at: -1 << 62}
		if tok := q.Get("pageToken"); tok != "" {
			k, _ = parseRequestKey(tok)
		}
		k.id--
		page.NextPageToken = k.cursor()
	}
	writeJSON(rw, http.StatusOK, page)
}

func gcpPageSize(v string) (int, bool) {
	if v == "" {
		return 10, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	if n == 0 {
		return 10, true
	}
	return min(n, gcpMaxPageSize), true
}

// gcpCase renders a ticket as the buyer's case.
func (a *gcpSupportAPI) gcpCase(s *ticketState) gcpCase {
	tl := s.tl
	c := gcpCase{
		Name:        "projects/" + a.w.gcpProject() + "/cases/" + gcpCaseNumber(tl),
		DisplayName: topics[tl.topic].subject,
		Description: ticketDescription(tl),
		Classification: gcpClassification{
			ID:          "100IK2AKCLHMGRJ9CDGMOCGP8DM6UTB4BT262T31BT1M2T31DHNMENPO6KS36CPJ786L2TBFEHGN6NPI64R3CDHN8880G08I1H3MURR7DHII0GRCDTQM8",
			DisplayName: "Technical Issue > Compute > Compute Engine",
		},
		TimeZone:     "-07:00",
		State:        gcpStates[s.status],
		CreateTime:   gcpTime(s.created),
		UpdateTime:   gcpTime(s.updated),
		Creator:      a.customer(tl),
		Escalated:    s.tagged,
		LanguageCode: "en",
		Priority:     gcpPriorities[s.priority],
	}
	return c
}

// gcpStates are the cases' states by ticket status.
var gcpStates = [numZStatus]string{
	zNew: "NEW", zOpen: "IN_PROGRESS_GOOGLE_SUPPORT", zPending: "ACTION_REQUIRED",
	zHold: "IN_PROGRESS_GOOGLE_SUPPORT", zSolved: "SOLUTION_PROVIDED", zClosed: "CLOSED",
}

// gcpPriorities are the cases' priorities by zPriorities index, on
// Google's scale (P0 extreme impact, service hard down; P1 critical
// impact, unusable; P2 severe; P3 medium; P4 general questions): urgent
// is critical, P1; every case has one, an unset ticket's normal's P3. No
// ticket is P0.
var gcpPriorities = []string{"P1", "P2", "P3", "P4", "P3"}

func (a *gcpSupportAPI) customer(tl *timeline) gcpActor {
	email := "user" + strconv.FormatInt(tl.requester, 10) + "@" + a.w.gcpProject() + ".example"
	return gcpActor{DisplayName: "Buyer " + strconv.FormatInt(tl.requester, 10), Email: email, Username: email}
}

// serveComments answers a case's comments, newest first (the description
// is the case's own, no comment); the pageToken is the number of comments
// already served.
func (a *gcpSupportAPI) serveComments(rw http.ResponseWriter, r *http.Request, number string, now int64) {
	q := r.URL.Query()
	size, ok := gcpPageSize(q.Get("pageSize"))
	n, err := strconv.ParseInt(number, 10, 64)
	i := int(n - 40000000 - 1)
	if !ok || err != nil || i < 0 || i >= a.w.ticketsBy(now) || a.w.deleted(i, now) {
		writeGCPError(rw, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.")
		return
	}
	s := stateAt(a.w.timeline(i), now)
	all := s.comments()[1:]
	slices.Reverse(all)
	start := 0
	if tok := q.Get("pageToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		k, perr := strconv.Atoi(string(raw))
		if err != nil || perr != nil || k < 0 {
			writeGCPError(rw, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid page token.")
			return
		}
		start = min(k, len(all))
	}
	end := min(start+size, len(all))
	page := gcpCommentsPage{Comments: make([]gcpComment, 0, end-start)}
	name := "projects/" + a.w.gcpProject() + "/cases/" + number
	for _, c := range all[start:end] {
		text := commentText(c.kind)
		cm := gcpComment{
			Name:       name + "/comments/" + strconv.FormatInt(commentID(s.tl, c.seq), 10),
			CreateTime: gcpTime(c.at), Creator: a.customer(s.tl), Body: text, PlainTextBody: text,
		}
		if c.vendor {
			cm.Creator = gcpActor{DisplayName: "Google Cloud Support", GoogleSupport: true}
		}
		page.Comments = append(page.Comments, cm)
	}
	if end < len(all) {
		page.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	writeJSON(rw, http.StatusOK, page)
}

// serveToken is Google's OAuth token endpoint for the JWT bearer grant
// (RFC 7523; developers.google.com/identity/protocols/oauth2/service-account,
// "Preparing to make an authorized API call"): a POSTed assertion, signed
// RS256 with the service account's key, whose iss is the account, aud the
// endpoint, scope the API's; answered with an access token, or 400
// invalid_grant.
func (a *gcpSupportAPI) serveToken(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(rw, http.StatusMethodNotAllowed, gcpTokenError{"invalid_request", "Method not allowed"})
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		writeJSON(rw, http.StatusBadRequest, gcpTokenError{"unsupported_grant_type", "Invalid grant_type: " + r.PostForm.Get("grant_type")})
		return
	}
	if why := a.checkAssertion(r.PostForm.Get("assertion"), a.base()+gcpTokenPath); why != "" {
		writeJSON(rw, http.StatusBadRequest, gcpTokenError{"invalid_grant", why})
		return
	}
	buf := make([]byte, 48)
	_, _ = rand.Read(buf)
	token := "ya29.c." + base64.RawURLEncoding.EncodeToString(buf)
	a.mu.Lock()
	if a.issued == nil {
		a.issued = map[string]time.Time{}
	}
	a.issued[token] = time.Now().Add(gcpTokenLifetime)
	a.mu.Unlock()
	writeJSON(rw, http.StatusOK, gcpTokenAnswer{AccessToken: token, ExpiresIn: int(gcpTokenLifetime / time.Second), TokenType: "Bearer"})
}

// checkAssertion is why Google refuses a JWT assertion ("" when it does
// not), in Google's words where known. Its iat and exp are read against
// real time: the token endpoint is no part of the simulated world.
func (a *gcpSupportAPI) checkAssertion(assertion, audience string) string {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
	}
	var head struct{ Alg, Kid string }
	var claims struct {
		Iss, Scope, Aud string
		Iat, Exp        int64
	}
	h, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	c, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(h, &head) != nil || json.Unmarshal(c, &claims) != nil {
		return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
	}
	key := a.privateKey()
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if key == nil || head.Alg != "RS256" || rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return "Invalid JWT Signature."
	}
	now := time.Now().Unix()
	switch {
	case claims.Iss != a.clientEmail():
		return "Invalid grant: account not found"
	case claims.Aud != audience:
		return "Invalid JWT: Failed audience check."
	case claims.Exp <= now || claims.Iat > now+300 || claims.Exp-claims.Iat > 3600:
		return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."
	case !slices.Contains(strings.Fields(claims.Scope), gcpScope):
		return "Invalid OAuth scope or ID token audience provided."
	}
	return ""
}

// gcpQuotaExceeded is Google's message for a spent per-minute quota.
const gcpQuotaExceeded = "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'cloudsupport.googleapis.com'."
