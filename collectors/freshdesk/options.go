package freshdesk

import (
	"maps"
	"slices"
	"strconv"

	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are a freshdesk source's own keys (docs/sources.md).
type Options struct {
	Statuses map[string]string `yaml:"statuses" doc:"custom status id -> open, pending, on_hold or solved (an unmapped custom status counts as open)"`
}

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options { return &Options{} }

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	for _, id := range slices.Sorted(maps.Keys(o.Statuses)) {
		state := o.Statuses[id]
		if n, err := strconv.Atoi(id); err != nil || n <= 0 {
			report("statuses."+id, "%q is not a Freshdesk status id (want a number)", id)
		} else if _, ok := configurableStatuses[state]; !ok {
			report("statuses."+id, "unknown state %q (want open, pending, on_hold or solved)", state)
		}
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
