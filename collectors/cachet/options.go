package cachet

import (
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are a cachet source's own keys (docs/sources.md).
type Options struct {
	Timezone string `yaml:"timezone" doc:"the zone Cachet writes its zone-less times in: its APP_TIMEZONE (UTC when absent)"`
}

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options { return &Options{} }

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	if _, err := time.LoadLocation(o.Timezone); o.Timezone != "" && err != nil {
		report("timezone", "unknown time zone %q", o.Timezone)
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
