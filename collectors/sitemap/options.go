package sitemap

import (
	"github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/collectors/internal/docsite"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are a sitemap source's own keys (docs/sources.md).
type Options struct {
	Include []string `yaml:"include" doc:"regular expressions on a page's URL path: only pages matching one are measured (e.g. ^/docs/); none: every page"`
	Exclude []string `yaml:"exclude" doc:"regular expressions on a page's URL path: pages matching one are not measured"`
	// The freshness windows (docs/metrics.md, "Documentation freshness").
	StaleAfter    model.Duration `yaml:"stale_after" doc:"a page not updated for this long is stale"`
	UpdatedWithin model.Duration `yaml:"updated_within" doc:"a page updated within this long counts as updated"`
}

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options {
	return &Options{StaleAfter: docsite.DefaultStaleAfter, UpdatedWithin: docsite.DefaultUpdatedWithin}
}

func (o *Options) keys() docsite.Keys {
	return docsite.Keys{Include: o.Include, Exclude: o.Exclude, StaleAfter: o.StaleAfter, UpdatedWithin: o.UpdatedWithin}
}

// Check implements config.Options.
func (o *Options) Check(report config.Report) { o.keys().Check(report) }

// Windows implements config.DocsOptions.
func (o *Options) Windows() config.DocsWindows { return o.keys().Windows() }

// optionsOf returns src's options (source.OptionsOf).
func optionsOf(src *config.Source) *Options { return source.OptionsOf[*Options](src, NewOptions) }
