package azuresupport

import (
	"regexp"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are an azure_support source's own keys (docs/sources.md).
type Options struct {
	SubscriptionID string `yaml:"subscription_id" doc:"the Azure subscription whose support tickets are read, a GUID (required)"`
}

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options { return &Options{} }

// subscriptionID is the form of an Azure subscription id: a GUID.
var subscriptionID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	switch {
	case o.SubscriptionID == "":
		report("subscription_id", "required for kind azure_support: the subscription whose support tickets are read")
	case !subscriptionID.MatchString(o.SubscriptionID):
		report("subscription_id", "%q is not an Azure subscription id (a GUID)", o.SubscriptionID)
	}
}

// optionsOf returns src's options (source.OptionsOf).
func optionsOf(src *config.Source) *Options { return source.OptionsOf[*Options](src, NewOptions) }
