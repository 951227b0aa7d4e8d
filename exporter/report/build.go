package report

import (
	"context"
	"slices"

	"github.com/support-exporter/support_exporter/exporter/config"
)

// Build computes the report o asks for.
//
// Placeholder until the builder lands: it checks the vendors only.
func Build(ctx context.Context, o Options) (*Report, error) {
	r := &Report{Generated: o.Now, Version: o.Version, Period: o.Period}
	for _, name := range o.Vendors {
		if !slices.ContainsFunc(o.Config.Vendors, func(v *config.Vendor) bool { return v.Name == name }) {
			return nil, inputErrorf("report: unknown vendor %q", name)
		}
		r.Vendors = append(r.Vendors, Vendor{Name: name})
	}
	return r, ctx.Err()
}
