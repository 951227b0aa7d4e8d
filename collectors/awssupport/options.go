package awssupport

import (
	"regexp"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are an aws_support source's own keys (docs/sources.md).
type Options struct {
	Region string `yaml:"region" doc:"the region the requests are signed for, whose endpoint is the default url: us-east-1 (the global endpoint), cn-north-1 (the China partition's)"`
	// VendorNames are the submittedBy values of AWS's own
	// communications: "Amazon Web Services" in AWS's examples
	// (collectors/awssupport/testdata/README.md).
	VendorNames []string `yaml:"vendor_names" doc:"the submittedBy of AWS's replies; every other author is the buyer's"`
	// ReopenWindow bounds how long a resolved case is read again by id:
	// DescribeCases filters by creation only, so a case resolved, then
	// reopened and resolved again between two polls is seen only so.
	ReopenWindow time.Duration `yaml:"reopen_window" doc:"how long after its resolution a case is read again by id each poll, so that a reopen and a new resolution between two polls are seen"`
	// AccessKeyID and SecretAccessKey are a static key pair, for tests
	// and hosts outside AWS without a shared credentials file; without
	// them the SDK's default chain is read.
	AccessKeyID     string           `yaml:"access_key_id" doc:"a static access key id, for tests and hosts without the default credential chain (environment, shared files, web identity, instance role); with secret_access_key"`
	SecretAccessKey commoncfg.Secret `yaml:"secret_access_key" doc:"the static key's secret, with access_key_id; never shown"`
}

// Defaults.
const (
	defaultRegion = "us-east-1"
	// defaultReopenWindow: AWS documents no limit on replying to a
	// resolved case; two weeks covers the follow-ups its resolution
	// emails invite, at one request per 100 cases resolved in it.
	defaultReopenWindow = 14 * 24 * time.Hour
)

// vendorName is how AWS signs its communications (testdata/README.md).
const vendorName = "Amazon Web Services"

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options {
	return &Options{Region: defaultRegion, VendorNames: []string{vendorName}, ReopenWindow: defaultReopenWindow}
}

var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	if !regionName.MatchString(o.Region) {
		report("region", "%q is not an AWS region (us-east-1, cn-north-1)", o.Region)
	}
	if len(o.VendorNames) == 0 {
		report("vendor_names", "must name at least one author: whose communications are AWS's")
	}
	if o.ReopenWindow < 0 {
		report("reopen_window", "must not be negative")
	}
	if (o.AccessKeyID == "") != (o.SecretAccessKey == "") {
		report("access_key_id", "access_key_id and secret_access_key go together")
	}
}

// optionsOf returns src's options (source.OptionsOf).
func optionsOf(src *config.Source) *Options { return source.OptionsOf[*Options](src, NewOptions) }
