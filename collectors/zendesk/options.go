package zendesk

import "github.com/support-exporter/support_exporter/exporter/config"

// Options are a zendesk source's own keys (docs/sources.md).
type Options struct {
	ExportRequestsPerMinute int `yaml:"export_requests_per_minute" doc:"the incremental-export limit of the account's plan: 10, or 30 with Zendesk's High Volume API add-on"`
}

// NewOptions returns the keys' defaults (config.Kind.Options): Zendesk's
// incremental exports allow 10 requests a minute without the High Volume
// API add-on.
func NewOptions() config.Options { return &Options{ExportRequestsPerMinute: 10} }

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	if o.ExportRequestsPerMinute <= 0 {
		report("export_requests_per_minute", "must be positive")
	}
}

// optionsOf returns src's options, the defaults for a source built in code
// without any.
func optionsOf(src *config.Source) *Options {
	if o, ok := src.Options.(*Options); ok {
		return o
	}
	return NewOptions().(*Options)
}
