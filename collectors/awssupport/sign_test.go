package awssupport

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// The AWS Signature Version 4 test suite's key, date, region and service
// (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html; the
// vectors as the aws-sdk-js-v3 and smithy signers' suites carry them).
const (
	suiteKeyID  = "AKIDEXAMPLE"
	suiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	suiteScope  = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
)

var suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

func suiteSigner() *signer {
	s, err := newSigner(&Options{Region: "us-east-1", AccessKeyID: suiteKeyID, SecretAccessKey: suiteSecret}, func() time.Time { return suiteTime })
	if err != nil {
		panic(err)
	}
	s.service = "service" // the suite's
	return s
}

// capture answers every request 200 {} and keeps its Authorization: the
// request as it left the client, signed.
type capture struct{ auth []string }

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	c.auth = append(c.auth, r.Header.Get("Authorization"))
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), ContentLength: 2, Request: r}, nil
}

// TestSignatureTestSuite: requests signed as the collector signs them,
// through fetch.Post's signing hook, carry the Authorization the AWS test
// suite publishes.
func TestSignatureTestSuite(t *testing.T) {
	for _, tc := range []struct {
		name, header, value, want string
	}{
		{"post-vanilla", "", "", "SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
		{"post-header-value-case", "My-Header1", "VALUE1", "SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := &capture{}
			c := fetch.New(&http.Client{Transport: rt}, fetch.NewLimits(), fetch.Options{UserAgent: "support_exporter/test"})
			h := http.Header{}
			if tc.header != "" {
				h.Set(tc.header, tc.value)
			}
			s := suiteSigner()
			if _, err := c.Post(context.Background(), fetch.Post{URL: "https://example.amazonaws.com/", Header: h, Sign: s.sign(nil)}); err != nil {
				t.Fatal(err)
			}
			if len(rt.auth) != 1 || rt.auth[0] != suiteScope+tc.want {
				t.Errorf("Authorization %q,\nwant %q", rt.auth, suiteScope+tc.want)
			}
		})
	}
	t.Run("get-vanilla", func(t *testing.T) {
		r, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://example.amazonaws.com/", nil)
		if err := suiteSigner().sign(nil)(r); err != nil {
			t.Fatal(err)
		}
		want := suiteScope + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
		if got := r.Header.Get("Authorization"); got != want {
			t.Errorf("Authorization %q,\nwant %q", got, want)
		}
	})
}

// TestSignWithoutCredentials: a chain that finds nothing fails the
// request with auth, unsent, and the error names no secret.
func TestSignWithoutCredentials(t *testing.T) {
	rt := &capture{}
	c := fetch.New(&http.Client{Transport: rt}, fetch.NewLimits(), fetch.Options{})
	s := suiteSigner()
	s.creds = credentials.NewStaticCredentialsProvider("", "", "")
	_, err := c.Post(context.Background(), fetch.Post{URL: "https://support.us-east-1.amazonaws.com/", Sign: s.sign([]byte("{}"))})
	if fetch.Reason(err) != fetch.ReasonAuth || len(rt.auth) != 0 {
		t.Errorf("%v, %d sent; want auth, none sent", err, len(rt.auth))
	}
}

// chainOnly points the SDK's default chain at dir's shared files alone:
// no key in the environment, no instance metadata.
func chainOnly(t *testing.T, dir string) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
}

// signErr signs one request with s and returns the error, the request
// unsent.
func signErr(t *testing.T, s *signer) error {
	t.Helper()
	rt := &capture{}
	c := fetch.New(&http.Client{Transport: rt}, fetch.NewLimits(), fetch.Options{})
	_, err := c.Post(context.Background(), fetch.Post{URL: DefaultURL, Body: []byte("{}"), Sign: s.sign([]byte("{}"))})
	if err == nil || len(rt.auth) != 0 {
		t.Fatalf("%v, %d sent; want an error, none sent", err, len(rt.auth))
	}
	return err
}

// TestCredentialProcessOutputNeverShown: a credential_process printing
// broken JSON that holds a secret key and a session token (the SDK's error
// quotes the whole output) fails the request with auth, and the error
// shows neither.
func TestCredentialProcessOutputNeverShown(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("a shell script")
	}
	dir := t.TempDir()
	chainOnly(t, dir)
	script := filepath.Join(dir, "creds.sh")
	out := `{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "process-secret-key", "SessionToken": "process-session-token",`
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho '"+out+"'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[default]\ncredential_process = "+script+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := newSigner(&Options{Region: "us-east-1"}, func() time.Time { return suiteTime })
	if err != nil {
		t.Fatal(err)
	}
	err = signErr(t, s)
	if fetch.Reason(err) != fetch.ReasonAuth || !strings.Contains(err.Error(), "credential_process") {
		t.Errorf("%v: want auth, naming credential_process", err)
	}
	for _, secret := range []string{"process-secret-key", "process-session-token", "AKIDPROCESS"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows the process's output: %v", err)
		}
	}
}

// TestDefaultChainFindsNone: a host without credentials fails its first
// request with auth, saying where credentials come from.
func TestDefaultChainFindsNone(t *testing.T) {
	chainOnly(t, t.TempDir())
	s, err := newSigner(&Options{Region: "us-east-1"}, func() time.Time { return suiteTime })
	if err != nil {
		t.Fatal(err)
	}
	err = signErr(t, s)
	if fetch.Reason(err) != fetch.ReasonAuth || !strings.Contains(err.Error(), "access_key_id") || !strings.Contains(err.Error(), "instance role") {
		t.Errorf("%v: want auth, naming the chain and access_key_id", err)
	}
}
