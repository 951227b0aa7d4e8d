package awssupport

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestDecodeRealPayloads: the AWS CLI's examples decode into what the
// collector reads (testdata/README.md).
func TestDecodeRealPayloads(t *testing.T) {
	var cases casesPage
	readJSON(t, "cli_describe_cases.json", &cases)
	if len(cases.Cases) != 1 {
		t.Fatalf("cases: %+v", cases)
	}
	c := cases.Cases[0]
	created, err := parseTime(c.TimeCreated)
	if err != nil || !created.Equal(time.Date(2020, 3, 23, 21, 31, 47, 774e6, time.UTC)) {
		t.Errorf("timeCreated %q: %v, %v", c.TimeCreated, created, err)
	}
	if c.CaseID != "case-12345678910-2013-c4c1d2bf33c5cf47" || c.Status != "resolved" || c.SeverityCode != "low" || statuses[c.Status] != "solved" {
		t.Errorf("case: %+v", c)
	}
	if c.RecentCommunications.NextToken != "" || len(c.RecentCommunications.Communications) != 0 || cases.NextToken != "" {
		t.Errorf("asked without communications, the case has some: %+v", c.RecentCommunications)
	}

	var comms communications
	readJSON(t, "cli_describe_communications.json", &comms)
	if len(comms.Communications) != 1 || comms.Communications[0].SubmittedBy != vendorName {
		t.Errorf("communications: %+v", comms)
	}
	// encoding/json matches member names regardless of case: the CLI's
	// NextToken reads as the API's nextToken.
	if comms.NextToken == "" {
		t.Errorf("the paging token is lost")
	}
}

// TestDecodePagedCase: a case with its recent communications paged.
func TestDecodePagedCase(t *testing.T) {
	var p casesPage
	readJSON(t, "describe_cases_paged.json", &p)
	if p.NextToken == "" || len(p.Cases) != 1 {
		t.Fatalf("page: %+v", p)
	}
	rc := p.Cases[0].RecentCommunications
	if rc.NextToken == "" || len(rc.Communications) != 2 || rc.Communications[0].SubmittedBy != vendorName ||
		rc.Communications[1].SubmittedBy != "john.doe@unicorn-ltd.io" {
		t.Errorf("recent communications: %+v", rc)
	}
	if statuses[p.Cases[0].Status] != "pending" {
		t.Errorf("status %q", p.Cases[0].Status)
	}
}

// TestErrorBodies: AWS's error types become reasons, never with AWS's
// message (it may echo the canonical request).
func TestErrorBodies(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		reason string
	}{
		{400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`, fetch.ReasonRateLimited},
		{400, `{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}`, fetch.ReasonRateLimited},
		{400, `{"__type":"SubscriptionRequiredException","message":"x"}`, fetch.ReasonAuth},
		{400, `{"__type":"AccessDeniedException","message":"x"}`, fetch.ReasonAuth},
		{400, `{"__type":"UnrecognizedClientException","message":"x"}`, fetch.ReasonAuth},
		{403, `{"__type":"InvalidSignatureException","message":"The Canonical String for this request should have been ..."}`, fetch.ReasonAuth},
		{400, `{"__type":"InvalidSignatureException","message":"Signature expired: 20151120T200815Z is now earlier than 20151120T201846Z (20151120T202346Z - 5 min.)"}`, fetch.ReasonAuth},
		{400, `{"__type":"CaseIdNotFound","message":"x"}`, fetch.ReasonHTTP},
		{500, `{"__type":"InternalServerError","message":"x"}`, fetch.ReasonHTTP},
		{429, `{"__type":"SlowDown","message":"x"}`, fetch.ReasonRateLimited},
		{403, `{"__type":"SomethingNew","message":"x"}`, fetch.ReasonAuth},
		{502, `<html>Bad Gateway</html>`, ""},
		{400, `{"__type":"Bad type <script>","message":"x"}`, ""},
	} {
		reason, err := refused(tc.status, []byte(tc.body))
		if reason != tc.reason {
			t.Errorf("%s: reason %q, want %q", tc.body, reason, tc.reason)
		}
		if err != nil && (len(err.Error()) == 0 || strings.Contains(err.Error(), "Canonical") || strings.Contains(err.Error(), "Rate exceeded")) {
			t.Errorf("%s: error %q repeats AWS's message", tc.body, err)
		}
	}
	for _, name := range []string{"throttling.json", "subscription_required.json"} {
		b, _ := os.ReadFile(filepath.Join("testdata", name))
		if r, _ := refused(400, b); r == "" || r == fetch.ReasonHTTP {
			t.Errorf("%s: reason %q", name, r)
		}
	}
}

// TestClassifyReadsTheErrorBody: a refused request's fetch.Error is read
// through its Body, which the error then drops; an error without an AWS
// envelope is kept as it came.
func TestClassifyReadsTheErrorBody(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "throttling.json"))
	if err != nil {
		t.Fatal(err)
	}
	in := &fetch.Error{Reason: fetch.ReasonHTTP, Method: "POST", URL: DefaultURL, Status: 400, Body: b}
	var fe *fetch.Error
	if out := classify(in); !errors.As(out, &fe) || fe.Reason != fetch.ReasonRateLimited || fe.Body != nil || fe.Status != 400 || fe.Method != "POST" ||
		!strings.HasPrefix(out.Error(), "POST ") || !strings.Contains(out.Error(), "ThrottlingException") {
		t.Errorf("throttled: %#v", out)
	}
	if in.Reason != fetch.ReasonHTTP || in.Body == nil {
		t.Errorf("classify changed its argument: %#v", in)
	}
	gateway := &fetch.Error{Reason: fetch.ReasonHTTP, Method: "POST", URL: DefaultURL, Status: 502, Body: []byte("<html>Bad Gateway</html>")}
	if out := classify(gateway); out != error(gateway) {
		t.Errorf("a gateway's page: %#v", out)
	}
}

// TestClockSkewTold: AWS's refusal of a signature dated more than five
// minutes from its clock is reported as the host's clock, not the
// credentials, and quotes none of AWS's message.
func TestClockSkewTold(t *testing.T) {
	for _, msg := range []string{
		"Signature expired: 20151120T200815Z is now earlier than 20151120T201846Z (20151120T202346Z - 5 min.)",
		"Signature not yet current: 20181002T170509Z is still later than 20181002T170312Z (20181002T165812Z + 5 min.)",
	} {
		for _, typ := range []string{"InvalidSignatureException", "SignatureDoesNotMatch"} {
			reason, err := refused(400, []byte(`{"__type":"`+typ+`","message":"`+msg+`"}`))
			if reason != fetch.ReasonAuth || err == nil || !strings.Contains(err.Error(), "clock skew") || strings.Contains(err.Error(), "2015") || strings.Contains(err.Error(), "2018") {
				t.Errorf("%s %q: %s %v", typ, msg, reason, err)
			}
		}
	}
	_, err := refused(400, []byte(`{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match"}`))
	if err == nil || strings.Contains(err.Error(), "clock") {
		t.Errorf("a wrong signature: %v", err)
	}
}

// TestBadTimeQuotedShort: a forged timeCreated of a megabyte is quoted in
// its error cut short.
func TestBadTimeQuotedShort(t *testing.T) {
	_, err := parseTime(strings.Repeat("問", 1<<20))
	if err == nil || len(err.Error()) > 100 || !utf8.ValidString(err.Error()) {
		t.Errorf("%d bytes: %.200s", len(err.Error()), err)
	}
}
