package statusio

import "github.com/support-exporter/support_exporter/exporter/config"

// Options are a statusio source's own keys (docs/sources.md).
type Options struct {
	PageID string `yaml:"page_id" doc:"the page's id, as in its public API URLs (required)"`
}

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options { return &Options{} }

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	switch {
	case o.PageID == "":
		report("page_id", "required for kind statusio")
	case !pageID.MatchString(o.PageID):
		report("page_id", "%q is not a page id (want letters and digits)", o.PageID)
	}
}

// optionsOf returns src's options, the defaults for a source built in code
// without any.
func optionsOf(src *config.Source) *Options {
	if o, ok := src.Options.(*Options); ok {
		return o
	}
	return &Options{}
}
