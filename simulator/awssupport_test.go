package simulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// awsCall sends one signed operation to the vendor's AWS Support API as a
// client does, with secret as the key's secret, and returns the status and
// the body.
func awsCall(t *testing.T, s *Sim, vendor, op, body, secret string) (int, []byte) {
	t.Helper()
	return awsCallIn(t, s, vendor, "us-east-1", op, body, secret)
}

// awsCallIn is awsCall signed for region.
func awsCallIn(t *testing.T, s *Sim, vendor, region, op, body, secret string) (int, []byte) {
	t.Helper()
	w := s.worlds[vendor]
	r := httptest.NewRequest(http.MethodPost, "http://support.example/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", awsTargetPrefix+op)
	sum := sha256.Sum256([]byte(body))
	signing, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://support.example/", bytes.NewReader([]byte(body)))
	signing.Header = r.Header.Clone()
	creds := aws.Credentials{AccessKeyID: w.awsKeyID(), SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, signing, hex.EncodeToString(sum[:]), "support", region, testStart); err != nil {
		t.Fatal(err)
	}
	r.Header = signing.Header
	rec := httptest.NewRecorder()
	s.apis[apiKey{vendor, KindAWSSupport}].ServeHTTP(rec, r)
	return rec.Code, rec.Body.Bytes()
}

func awsErrorType(body []byte) string {
	var e awsError
	_ = json.Unmarshal(body, &e)
	return e.Type
}

// TestAWSSupportAPI: signatures checked with the world's key, AWS's error
// envelopes, the filters and the paging.
func TestAWSSupportAPI(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 3, Vendors: []Vendor{vendor("acme", ChatOfficeHours, 40)}})
	w := s.worlds["acme"]
	secret := w.awsSecret()

	for _, tc := range []struct {
		name, op, body, secret, want string
		status                       int
	}{
		{"wrong secret", "DescribeCases", `{}`, secret + "x", "InvalidSignatureException", 400},
		{"unknown operation", "CreateCase", `{}`, secret, "UnknownOperationException", 400},
		{"maxResults under 10", "DescribeCases", `{"maxResults":5}`, secret, "ValidationException", 400},
		{"maxResults over 100", "DescribeCommunications", `{"caseId":"x","maxResults":101}`, secret, "ValidationException", 400},
		{"unknown case", "DescribeCommunications", `{"caseId":"case-1-2026-0000000000000001"}`, secret, "CaseIdNotFound", 400},
		{"not JSON", "DescribeCases", `{`, secret, "SerializationException", 400},
	} {
		status, body := awsCall(t, s, "acme", tc.op, tc.body, tc.secret)
		if status != tc.status || awsErrorType(body) != tc.want {
			t.Errorf("%s: HTTP %d %s, want %d %s", tc.name, status, body, tc.status, tc.want)
		}
	}
	// A signature for another region is refused, as AWS refuses it.
	if status, body := awsCallIn(t, s, "acme", "eu-west-1", "DescribeCases", `{}`, secret); status != 400 || awsErrorType(body) != "InvalidSignatureException" {
		t.Errorf("signed for eu-west-1: HTTP %d %s", status, body)
	}
	rec := httptest.NewRecorder()
	s.apis[apiKey{"acme", KindAWSSupport}].ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}")))
	if awsErrorType(rec.Body.Bytes()) != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %s", rec.Body)
	}

	// Every case, 10 a page, newest first; the unresolved ones only
	// without includeResolvedCases; afterTime on the creation.
	var all []awsCase
	token := ""
	for range 10 {
		status, body := awsCall(t, s, "acme", "DescribeCases", `{"includeResolvedCases":true,"maxResults":10,"nextToken":"`+token+`"}`, secret)
		var p awsCasesPage
		if err := json.Unmarshal(body, &p); err != nil || status != 200 {
			t.Fatalf("HTTP %d %s: %v", status, body, err)
		}
		all = append(all, p.Cases...)
		if token = p.NextToken; token == "" {
			break
		}
	}
	if len(all) != 40 {
		t.Fatalf("%d cases, want 40", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].TimeCreated > all[i-1].TimeCreated {
			t.Errorf("case %d created %s after the one before it, %s", i, all[i].TimeCreated, all[i-1].TimeCreated)
		}
	}
	_, body := awsCall(t, s, "acme", "DescribeCases", `{"includeCommunications":false}`, secret)
	var open awsCasesPage
	_ = json.Unmarshal(body, &open)
	for _, cs := range open.Cases {
		if cs.Status == "resolved" || cs.RecentCommunications != nil {
			t.Errorf("without resolved cases nor communications: %+v", cs)
		}
	}
	after := all[10].TimeCreated
	_, body = awsCall(t, s, "acme", "DescribeCases", `{"includeResolvedCases":true,"afterTime":"`+after+`"}`, secret)
	var recent awsCasesPage
	_ = json.Unmarshal(body, &recent)
	if len(recent.Cases) < 11 || recent.Cases[len(recent.Cases)-1].TimeCreated < after {
		t.Errorf("afterTime %s: %d cases", after, len(recent.Cases))
	}

	// A case's communications: the five latest with it, all of them from
	// DescribeCommunications, AWS's signed "Amazon Web Services".
	for _, cs := range all {
		if cs.RecentCommunications == nil || cs.RecentCommunications.NextToken == "" {
			continue
		}
		_, body := awsCall(t, s, "acme", "DescribeCommunications", `{"caseId":"`+cs.CaseID+`"}`, secret)
		var comms awsCommunications
		_ = json.Unmarshal(body, &comms)
		if len(comms.Communications) <= awsRecent || comms.Communications[0].TimeCreated != cs.RecentCommunications.Communications[0].TimeCreated {
			t.Errorf("%s: %d communications, the case shows %+v", cs.CaseID, len(comms.Communications), cs.RecentCommunications)
		}
		vendor := 0
		for _, m := range comms.Communications {
			if m.SubmittedBy == awsVendorName {
				vendor++
			}
			if _, err := time.Parse(awsTimeLayout, m.TimeCreated); err != nil {
				t.Error(err)
			}
		}
		if vendor == 0 {
			t.Errorf("%s: no communication of AWS's", cs.CaseID)
		}
		return
	}
	t.Error("no case with more than five communications: the paging was not played")
}

// TestAWSSupportLanguages: cases come in several languages; language, when
// given, filters them (boto/boto3#4520), and without it every one is
// listed.
func TestAWSSupportLanguages(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 3, Vendors: []Vendor{vendor("acme", ChatOfficeHours, 40)}})
	secret := s.worlds["acme"].awsSecret()
	list := func(filter string) map[string]int {
		t.Helper()
		status, body := awsCall(t, s, "acme", "DescribeCases", `{"includeResolvedCases":true,"includeCommunications":false`+filter+`}`, secret)
		var p awsCasesPage
		if err := json.Unmarshal(body, &p); err != nil || status != 200 {
			t.Fatalf("HTTP %d %s: %v", status, body, err)
		}
		n := map[string]int{}
		for _, cs := range p.Cases {
			n[cs.Language]++
		}
		return n
	}
	all := list("")
	if all["en"] == 0 || all["ja"] == 0 || all["en"]+all["ja"]+all["zh"]+all["ko"] != 40 {
		t.Errorf("without language: %v, want 40 cases, English and Japanese among them", all)
	}
	if en := list(`,"language":"en"`); len(en) != 1 || en["en"] != all["en"] {
		t.Errorf(`language "en": %v, want the %d English cases only`, en, all["en"])
	}
	if ja := list(`,"language":"ja"`); len(ja) != 1 || ja["ja"] != all["ja"] {
		t.Errorf(`language "ja": %v, want the %d Japanese cases only`, ja, all["ja"])
	}
}
