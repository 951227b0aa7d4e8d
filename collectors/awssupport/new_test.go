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
// another region would fail every request; New says both remedies: the
// region to set, or the url to remove.
func TestNewRefusesAnEndpointOfAnotherRegion(t *testing.T) {
	env := collectortest.Env("aws_support", "https://support.cn-north-1.amazonaws.com.cn", http.DefaultClient)
	env.Config.Options = &Options{Region: "us-east-1", VendorNames: []string{vendorName}, AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
	_, err := New(env)
	if err == nil || !strings.Contains(err.Error(), "region: cn-north-1") || !strings.Contains(err.Error(), "remove url") ||
		!strings.Contains(err.Error(), "https://support.us-east-1.amazonaws.com") {
		t.Errorf("New: %v, want the region to set or the url to remove", err)
	}
	env.Config.Options.(*Options).Region = "cn-north-1"
	if _, err := New(env); err != nil {
		t.Errorf("New in the China partition: %v", err)
	}
}

// TestDefaultURLFollowsRegion: without a url of its own (the kind's
// default, us-east-1's), a source reads its region's endpoint.
func TestDefaultURLFollowsRegion(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1":     "https://support.us-east-1.amazonaws.com",
		"cn-north-1":    "https://support.cn-north-1.amazonaws.com.cn",
		"us-gov-west-1": "https://support.us-gov-west-1.amazonaws.com",
	} {
		for _, url := range []string{DefaultURL, ""} {
			env := collectortest.Env("aws_support", url, http.DefaultClient)
			env.Config.Options = &Options{Region: region, VendorNames: []string{vendorName}, AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
			src, err := New(env)
			if err != nil {
				t.Errorf("%s, url %q: %v", region, url, err)
				continue
			}
			if got := strings.TrimSuffix(src.(*collector).url, "/"); got != want {
				t.Errorf("%s, url %q: reads %s, want %s", region, url, got, want)
			}
		}
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
