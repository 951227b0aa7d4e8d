package zendeskrequests

import (
	"slices"
	"strconv"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are a zendesk_requests source's own keys (docs/sources.md).
type Options struct {
	Colleagues []string `yaml:"colleagues" doc:"Zendesk user ids of the buyer's colleagues, whose comments count as the customer's"`
	Automation []string `yaml:"automation_users" doc:"Zendesk user ids of the vendor's bots (Answer Bot, an AI agent, an integration's API user), whose public comments are no replies"`
}

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options { return &Options{} }

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	valid := func(s string) bool { _, ok := userID(s); return ok }
	report.EachInvalid("colleagues", o.Colleagues, valid, "%q is not a Zendesk user id (want a number)")
	report.EachInvalid("automation_users", o.Automation, valid, "%q is not a Zendesk user id (want a number)")
	// A user both the buyer's colleague and the vendor's bot: which one
	// wins is nothing a reader of the config could tell.
	report.EachInvalid("automation_users", o.Automation, func(s string) bool { return !slices.Contains(o.Colleagues, s) },
		"%q is also one of colleagues: a user is the buyer's colleague or the vendor's bot, not both")
}

// userID parses a Zendesk user id.
func userID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// optionsOf returns src's options (source.OptionsOf).
func optionsOf(src *config.Source) *Options { return source.OptionsOf[*Options](src, NewOptions) }
