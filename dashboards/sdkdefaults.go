package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/table"
)

// dropStaleDefaults removes what the SDK (v0.0.22) fills in by default but
// Grafana's current dashboard schema (@grafana/schema 13) no longer has, so
// the files carry only keys Grafana reads; schemacheck/ holds them to it.
//
//   - auto, auto_min and auto_count: set on every variable, they mean
//     something on an interval variable only, and none is one.
//   - a table's options.footer: Grafana 12.2 moved the table footer into the
//     field config, and ours is hidden anyway.
//
//lint:ignore SA1019 v1 dashboard JSON on purpose: see the package doc
func dropStaleDefaults(d *dashboard.Dashboard) {
	for i := range d.Templating.List {
		v := &d.Templating.List[i]
		if v.Type != dashboard.VariableTypeInterval {
			v.Auto, v.AutoMin, v.AutoCount = nil, nil, nil
		}
	}
	for _, p := range d.Panels {
		if p.Panel == nil {
			continue
		}
		if options, ok := p.Panel.Options.(*table.Options); ok {
			options.Footer = nil
		}
	}
}
