package zendeskhelpcenter

import (
	"regexp"

	"github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/collectors/internal/docsite"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are a zendesk_help_center source's own keys (docs/sources.md).
type Options struct {
	Locale  string   `yaml:"locale" doc:"the help center locale whose articles are read"`
	Include []string `yaml:"include" doc:"regular expressions on an article's html_url path: only articles matching one are measured; none: every article"`
	Exclude []string `yaml:"exclude" doc:"regular expressions on an article's html_url path: articles matching one are not measured"`
	// The freshness windows (docs/metrics.md, "Documentation freshness").
	StaleAfter    model.Duration `yaml:"stale_after" doc:"an article not edited for this long is stale"`
	UpdatedWithin model.Duration `yaml:"updated_within" doc:"an article edited within this long counts as updated"`
}

// DefaultLocale is the locale read when the source names none.
const DefaultLocale = "en-us"

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options {
	return &Options{Locale: DefaultLocale, StaleAfter: docsite.DefaultStaleAfter, UpdatedWithin: docsite.DefaultUpdatedWithin}
}

// localePattern is a Zendesk locale: a language, then a region or script
// ("en-us", "pt-br", "zh-tw", "de").
var localePattern = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})*$`)

func (o *Options) keys() docsite.Keys {
	return docsite.Keys{Include: o.Include, Exclude: o.Exclude, StaleAfter: o.StaleAfter, UpdatedWithin: o.UpdatedWithin}
}

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	if !localePattern.MatchString(o.Locale) {
		report("locale", "%q is not a help center locale (want e.g. en-us, lower case)", o.Locale)
	}
	o.keys().Check(report)
}

// Windows implements config.DocsOptions.
func (o *Options) Windows() config.DocsWindows { return o.keys().Windows() }

// optionsOf returns src's options (source.OptionsOf).
func optionsOf(src *config.Source) *Options { return source.OptionsOf[*Options](src, NewOptions) }
