package awssupport

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// TestNewRefusesAnEndpointOfAnotherRegion: a Support endpoint signed for
// another region would fail every request; New says which to set.
func TestNewRefusesAnEndpointOfAnotherRegion(t *testing.T) {
	env := collectortest.Env("aws_support", "https://support.cn-north-1.amazonaws.com.cn", http.DefaultClient)
	env.Config.Options = &Options{Region: "us-east-1", VendorNames: []string{vendorName}, AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
	if _, err := New(env); err == nil || !strings.Contains(err.Error(), "region: cn-north-1") {
		t.Errorf("New: %v, want the region to set", err)
	}
	env.Config.Options.(*Options).Region = "cn-north-1"
	if _, err := New(env); err != nil {
		t.Errorf("New in the China partition: %v", err)
	}
}

// TestDefaultChain: without a static pair, the SDK's default chain is
// read: here the environment, the shared files and instance metadata
// kept out of the test.
func TestDefaultChain(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
	t.Setenv("AWS_SESSION_TOKEN", "")
	s, err := newSigner(&Options{Region: "us-east-1"}, func() time.Time { return suiteTime })
	if err != nil {
		t.Fatal(err)
	}
	rt := &capture{}
	c := fetch.New(&http.Client{Transport: rt}, fetch.NewLimits(), fetch.Options{})
	if _, err := c.Post(context.Background(), fetch.Post{URL: DefaultURL, Body: []byte("{}"), Sign: s.sign([]byte("{}"))}); err != nil {
		t.Fatal(err)
	}
	if len(rt.auth) != 1 || !strings.HasPrefix(rt.auth[0], "AWS4-HMAC-SHA256 Credential=AKIDFROMENV/20150830/us-east-1/support/aws4_request, ") {
		t.Errorf("Authorization %q", rt.auth)
	}
}
