package jsm

import (
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// The values of the api key.
const (
	apiAgent    = "agent"
	apiCustomer = "customer"
)

// Options are a jira_service_management source's own keys
// (docs/sources.md).
type Options struct {
	ServiceDeskID string   `yaml:"service_desk_id" doc:"the service desk to read (every desk the account sees when absent)"`
	API           string   `yaml:"api" doc:"agent: an agent account (JQL search and the vendor's SLA cycles); customer: a portal customer (the request list)"`
	Automation    []string `yaml:"automation_accounts" doc:"account ids whose public comments are automatic, neither vendor nor customer replies (default: Automation for Jira's; [] for none)"`
}

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options {
	return &Options{API: apiAgent, Automation: []string{AutomationForJira}}
}

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	if o.ServiceDeskID != "" && !numeric(o.ServiceDeskID) {
		report("service_desk_id", "%q is not a service desk id (want a number)", o.ServiceDeskID)
	}
	for _, id := range o.Automation {
		if id == "" {
			report("automation_accounts", "an empty account id")
		}
	}
	if o.API != apiAgent && o.API != apiCustomer {
		report("api", "unknown api %q (want %s: an agent account, or %s: a portal customer)", o.API, apiAgent, apiCustomer)
	}
}

// optionsOf returns src's options (source.OptionsOf).
func optionsOf(src *config.Source) *Options { return source.OptionsOf[*Options](src, NewOptions) }
