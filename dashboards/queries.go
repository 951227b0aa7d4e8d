package dashboards

import "github.com/support-exporter/support_exporter/alerts"

// Query is one panel query of the generated dashboards.
type Query struct {
	UID   string // the dashboard's uid
	Panel string // the panel's title
	// Expr is the PromQL as the dashboard holds it, Grafana variables
	// ($vendor, $window, $__interval, $__range) not yet substituted.
	Expr string
}

// Queries returns every panel query of the dashboards generated with
// alerts.Default(), in dashboard and panel order, so a test can run each one
// against a real Prometheus.
func Queries() []Query {
	var out []Query
	for _, b := range boards(selectors{cfg: alerts.Default()}) {
		for _, r := range b.rows {
			for _, p := range r.panels {
				for _, q := range p.queries {
					out = append(out, Query{UID: b.uid, Panel: p.title, Expr: q.expr})
				}
			}
		}
	}
	return out
}
