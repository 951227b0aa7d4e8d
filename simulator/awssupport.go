package simulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	awsTargetPrefix = "AWSSupport_20130415."
	// awsRegion is the region signatures must name: the global
	// endpoint's, support.us-east-1.amazonaws.com.
	awsRegion = "us-east-1"
	// awsVendorName is how AWS signs its communications.
	awsVendorName = "Amazon Web Services"
	// awsRecent is how many communications a case carries
	// (recentCommunications: "the five most recent").
	awsRecent = 5
	// awsTimeLayout is how AWS writes timeCreated.
	awsTimeLayout = "2006-01-02T15:04:05.000Z"
	awsAlphabet   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	awsSecretABC  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// awsSupportAPI serves one vendor's tickets as the buyer's AWS Support
// cases: the JSON 1.1 protocol (POST / with X-Amz-Target), each request's
// Signature Version 4 checked against the world's key pair and region
// us-east-1, DescribeCases (caseIdList, afterTime and beforeTime on the
// creation, language filtering when given, resolved cases only when
// asked, newest first, nextToken paging, maxResults 10 to 100)
// and DescribeCommunications, errors in AWS's envelope with HTTP 400
// (500 for InternalServerError). The signature's age is not checked: the
// exporter signs by its own clock, which tests need not tie to the
// simulation's.
type awsSupportAPI struct {
	w     *world
	clock func() time.Time
}

// AWSSupportCredentials returns the vendor's AWS access key id and secret
// access key, the static pair of an aws_support source.
func (s *Sim) AWSSupportCredentials(vendor string) (accessKeyID, secretAccessKey string) {
	w := s.worlds[vendor]
	if w == nil {
		return "", ""
	}
	return w.awsKeyID(), w.awsSecret()
}

func (w *world) awsKeyID() string { return "AKIA" + derivedID(w.id.token+"/aws/key", awsAlphabet, 16) }
func (w *world) awsSecret() string {
	return derivedID(w.id.token+"/aws/secret", awsSecretABC, 40)
}
func (w *world) awsAccount() string { return derivedID(w.id.token+"/aws/account", "0123456789", 12) }

// awsCaseID writes a ticket's case id as AWS does
// ("case-12345678910-2013-c4c1d2bf33c5cf47"): the account, the year, and
// 16 hex digits that end with the ticket's id.
func (w *world) awsCaseID(tl *timeline) string {
	year := time.Unix(tl.created, 0).UTC().Year()
	return fmt.Sprintf("case-%s-%d-%s%08x", w.awsAccount(), year, derivedID(w.id.token+"/aws/case/"+strconv.FormatInt(tl.id(), 10), "0123456789abcdef", 8), tl.id())
}

// awsTicket finds the ticket of a case id, or -1.
func (w *world) awsTicket(caseID string, now int64) int {
	if len(caseID) < 8 {
		return -1
	}
	id, err := strconv.ParseInt(caseID[len(caseID)-8:], 16, 64)
	if err != nil || id < 1 || int(id) > w.ticketsBy(now) || w.deleted(int(id-1), now) {
		return -1
	}
	if w.awsCaseID(w.timeline(int(id-1))) != caseID {
		return -1
	}
	return int(id - 1)
}

func writeAWSError(rw http.ResponseWriter, status int, typ, message string) {
	body, _ := json.Marshal(awsError{Type: typ, Message: message})
	writeAWS(rw, status, body)
}

func writeAWSJSON(rw http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only our own shapes are encoded: a bug, not input
		writeAWSError(rw, http.StatusInternalServerError, "InternalServerError", err.Error())
		return
	}
	writeAWS(rw, http.StatusOK, body)
}

func writeAWS(rw http.ResponseWriter, status int, body []byte) {
	h := rw.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	sum := sha256.Sum256(body)
	h.Set("X-Amzn-Requestid", hex.EncodeToString(sum[:4])+"-0000-4000-8000-"+hex.EncodeToString(sum[4:10]))
	rw.WriteHeader(status)
	_, _ = rw.Write(body)
}

// sigV4 is a Signature Version 4 Authorization header.
var sigV4 = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

// checkSignature verifies r's signature as AWS does, with the world's key
// pair; it returns the error type and message AWS answers, or "".
func (a *awsSupportAPI) checkSignature(r *http.Request, body []byte) (string, string) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "MissingAuthenticationTokenException", "Missing Authentication Token"
	}
	m := sigV4.FindStringSubmatch(auth)
	date, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if m == nil || err != nil {
		return "IncompleteSignatureException", "Authorization header requires 'Credential', 'Signature', 'SignedHeaders' and 'X-Amz-Date' parameters."
	}
	if m[1] != a.w.awsKeyID() {
		return "UnrecognizedClientException", "The security token included in the request is invalid."
	}
	if m[4] != "support" || m[2] != date.Format("20060102") {
		return "InvalidSignatureException", "Credential should be scoped to correct service: 'support'."
	}
	if m[3] != awsRegion {
		return "InvalidSignatureException", "Credential should be scoped to a valid region."
	}
	again, err := http.NewRequestWithContext(context.Background(), r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return "InvalidSignatureException", "The request signature we calculated does not match the signature you provided."
	}
	for _, k := range strings.Split(m[5], ";") {
		if k != "host" && k != "content-length" {
			again.Header[http.CanonicalHeaderKey(k)] = r.Header.Values(k)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: a.w.awsKeyID(), SecretAccessKey: a.w.awsSecret()}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), m[4], m[3], date); err != nil {
		return "InvalidSignatureException", "The request signature we calculated does not match the signature you provided."
	}
	want := sigV4.FindStringSubmatch(again.Header.Get("Authorization"))
	if want == nil || want[5] != m[5] || subtle.ConstantTimeCompare([]byte(want[6]), []byte(m[6])) != 1 {
		return "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	}
	return "", ""
}

func (a *awsSupportAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		writeAWSError(rw, http.StatusNotFound, "UnknownOperationException", "")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return // the client is gone
	}
	if typ, msg := a.checkSignature(r, body); typ != "" {
		writeAWSError(rw, http.StatusBadRequest, typ, msg)
		return
	}
	now := a.clock().Unix()
	switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), awsTargetPrefix) {
	case "DescribeCases":
		var in awsDescribeCases
		if err := json.Unmarshal(body, &in); err != nil {
			writeAWSError(rw, http.StatusBadRequest, "SerializationException", "")
			return
		}
		a.describeCases(rw, r, &in, now)
	case "DescribeCommunications":
		var in awsDescribeCommunications
		if err := json.Unmarshal(body, &in); err != nil {
			writeAWSError(rw, http.StatusBadRequest, "SerializationException", "")
			return
		}
		a.describeCommunications(rw, r, &in, now)
	default:
		writeAWSError(rw, http.StatusBadRequest, "UnknownOperationException", "")
	}
}

// awsBounds reads maxResults (10 to 100, default 100) and the time
// filters; msg is the ValidationException's message when one is wrong.
func awsBounds(maxResults *int, after, before string) (limit int, from, to int64, msg string) {
	limit, from, to = 100, -1<<62, 1<<62
	if maxResults != nil {
		if *maxResults < 10 || *maxResults > 100 {
			return 0, 0, 0, fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 10 and 100", *maxResults)
		}
		limit = *maxResults
	}
	for _, f := range []struct {
		v   string
		out *int64
	}{{after, &from}, {before, &to}} {
		if f.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, f.v)
		if err != nil {
			return 0, 0, 0, "Invalid date format: " + f.v
		}
		*f.out = t.Unix()
	}
	return limit, from, to, ""
}

func awsToken(n int) string {
	return base64.StdEncoding.EncodeToString([]byte(`{"offset":` + strconv.Itoa(n) + `}`))
}

func parseAWSToken(t string) (int, bool) {
	raw, err := base64.StdEncoding.DecodeString(t)
	s, ok := strings.CutPrefix(string(raw), `{"offset":`)
	s, ok2 := strings.CutSuffix(s, "}")
	n, err2 := strconv.Atoi(s)
	return n, err == nil && ok && ok2 && err2 == nil && n >= 0
}

// page cuts one page of n items at the request's token, under the
// endless faults too; false when the token is not one it gave.
func awsPage(r *http.Request, token string, n, limit int) (start, end int, next string, ok bool) {
	if token != "" {
		if start, ok = parseAWSToken(token); !ok {
			return 0, 0, "", false
		}
	}
	end = min(start+limit, n)
	start = min(start, end)
	switch mode := endlessOf(r); {
	case mode == endlessSame:
		next = cmp0(token, awsToken(0))
	case end < n:
		next = awsToken(end)
	case mode == endlessGrowing:
		next = awsToken(max(end, start) + 1)
	}
	return start, end, next, true
}

func (a *awsSupportAPI) describeCases(rw http.ResponseWriter, r *http.Request, in *awsDescribeCases, now int64) {
	limit, from, to, msg := awsBounds(in.MaxResults, in.AfterTime, in.BeforeTime)
	if msg == "" && len(in.CaseIDList) > 100 {
		msg = "1 validation error detected: Value at 'caseIdList' failed to satisfy constraint: Member must have length less than or equal to 100"
	}
	if msg != "" {
		writeAWSError(rw, http.StatusBadRequest, "ValidationException", msg)
		return
	}
	var states []ticketState
	add := func(i int) {
		s := stateAt(a.w.timeline(i), now)
		if s.created < from || s.created > to || (!in.IncludeResolvedCases && s.solved()) {
			return
		}
		if in.DisplayID != "" && awsDisplayID(s.tl) != in.DisplayID {
			return
		}
		if in.Language != "" && awsLanguage(s.tl) != in.Language {
			return // language filters (boto/boto3#4520)
		}
		states = append(states, s)
	}
	if len(in.CaseIDList) > 0 {
		for _, id := range in.CaseIDList {
			// A case id the account does not have: AWS answers
			// CaseIdNotFound; the simulation's deleted tickets, which
			// AWS would keep, are left out instead.
			i := a.w.awsTicket(id, now)
			if i < 0 && !strings.HasPrefix(id, "case-"+a.w.awsAccount()+"-") {
				writeAWSError(rw, http.StatusBadRequest, "CaseIdNotFound", "Case Id not found.")
				return
			}
			if i >= 0 {
				add(i)
			}
		}
	} else {
		for i := range a.w.ticketsBy(now) {
			if !a.w.deleted(i, now) {
				add(i)
			}
		}
	}
	slices.SortStableFunc(states, func(x, y ticketState) int {
		if x.created != y.created {
			return int(y.created - x.created)
		}
		return int(y.tl.id() - x.tl.id())
	})
	start, end, next, ok := awsPage(r, in.NextToken, len(states), limit)
	if !ok {
		writeAWSError(rw, http.StatusBadRequest, "ValidationException", "Invalid pagination token")
		return
	}
	out := awsCasesPage{Cases: []awsCase{}, NextToken: next}
	withComms := in.IncludeCommunications == nil || *in.IncludeCommunications
	for i := range states[start:end] {
		out.Cases = append(out.Cases, a.caseOf(&states[start+i], withComms))
	}
	writeAWSJSON(rw, out)
}

// awsLanguages are the cases' languages, by ticket id: most English, some
// Japanese, Chinese and Korean, as a buyer in Asia writes them.
var awsLanguages = []string{"en", "en", "ja", "en", "zh", "ja", "en", "ko"}

// awsLanguage is the language a case was opened in.
func awsLanguage(tl *timeline) string { return awsLanguages[tl.id()%int64(len(awsLanguages))] }

func awsDisplayID(tl *timeline) string { return strconv.FormatInt(1000000000+tl.id(), 10) }

// awsSeverities are the zendesk priorities as AWS's severity codes.
var awsSeverities = map[string]string{"urgent": "urgent", "high": "high", "normal": "normal", "low": "low", "": "normal"}

// awsStatus is a ticket's status as AWS names a case's.
func awsStatus(s *ticketState) string {
	switch s.status {
	case zNew:
		return "unassigned"
	case zPending:
		return "pending-customer-action"
	case zSolved, zClosed:
		return "resolved"
	}
	if s.reopens > 0 && s.status == zOpen {
		return "reopened"
	}
	return "work-in-progress"
}

func (a *awsSupportAPI) buyer(tl *timeline) string {
	return fmt.Sprintf("buyer%d@%s-customer.example", tl.requester, a.w.v.Name)
}

func (a *awsSupportAPI) caseOf(s *ticketState, withComms bool) awsCase {
	c := awsCase{
		CaseID: a.w.awsCaseID(s.tl), DisplayID: awsDisplayID(s.tl), Subject: topics[s.tl.topic].subject,
		Status: awsStatus(s), ServiceCode: "amazon-elastic-compute-cloud-linux", CategoryCode: "other",
		SeverityCode: awsSeverities[zPriorities[s.priority]], SubmittedBy: a.buyer(s.tl),
		TimeCreated: time.Unix(s.created, 0).UTC().Format(awsTimeLayout), CCEmailAddresses: []string{}, Language: awsLanguage(s.tl),
	}
	if withComms {
		all := a.communications(s)
		recent := &awsCommunications{Communications: all[:min(awsRecent, len(all))]}
		if len(all) > awsRecent {
			recent.NextToken = awsToken(awsRecent)
		}
		c.RecentCommunications = recent
	}
	return c
}

// communications are a case's, newest first.
func (a *awsSupportAPI) communications(s *ticketState) []awsCommunication {
	comments := s.comments()
	out := make([]awsCommunication, 0, len(comments))
	id := a.w.awsCaseID(s.tl)
	for i := len(comments) - 1; i >= 0; i-- {
		c := comments[i]
		m := awsCommunication{CaseID: id, Body: commentText(c.kind), SubmittedBy: a.buyer(s.tl),
			TimeCreated: time.Unix(c.at, 0).UTC().Format(awsTimeLayout), AttachmentSet: []awsAttachment{}}
		if c.seq == 0 {
			m.Body = ticketDescription(s.tl)
		}
		if c.vendor {
			m.SubmittedBy = awsVendorName
		}
		out = append(out, m)
	}
	return out
}

func (a *awsSupportAPI) describeCommunications(rw http.ResponseWriter, r *http.Request, in *awsDescribeCommunications, now int64) {
	limit, from, to, msg := awsBounds(in.MaxResults, in.AfterTime, in.BeforeTime)
	if msg != "" {
		writeAWSError(rw, http.StatusBadRequest, "ValidationException", msg)
		return
	}
	i := a.w.awsTicket(in.CaseID, now)
	if i < 0 {
		writeAWSError(rw, http.StatusBadRequest, "CaseIdNotFound", "Case Id not found.")
		return
	}
	s := stateAt(a.w.timeline(i), now)
	all := slices.DeleteFunc(a.communications(&s), func(m awsCommunication) bool {
		t, _ := time.Parse(time.RFC3339Nano, m.TimeCreated)
		return t.Unix() < from || t.Unix() > to
	})
	start, end, next, ok := awsPage(r, in.NextToken, len(all), limit)
	if !ok {
		writeAWSError(rw, http.StatusBadRequest, "ValidationException", "Invalid pagination token")
		return
	}
	writeAWSJSON(rw, awsCommunications{Communications: all[start:end], NextToken: next})
}

// serveAWSFault answers the faults AWS shows in its own shape, and reports
// whether f was one: throttling (400 ThrottlingException), its internal
// error (500 InternalServerError), a revoked key (400
// UnrecognizedClientException). Others are the network's or every API's.
func (e *endpoint) serveAWSFault(rw http.ResponseWriter, f Fault) bool {
	switch f {
	case FaultRateLimit:
		writeAWSError(rw, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
	case FaultServerError:
		writeAWSError(rw, http.StatusInternalServerError, "InternalServerError", "An internal error occurred.")
	case FaultUnauthorized:
		writeAWSError(rw, http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
	default:
		return false
	}
	return true
}
