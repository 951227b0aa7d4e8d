package dashboards

import (
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/alerts"
)

// The dashboards are written as plain data (board, row, panel, query) and
// only then handed to the SDK builders: the data can be walked without
// building anything, and every panel is forced to carry the unit and
// description a reader needs.

// board is one dashboard.
type board struct {
	uid         string
	title       string
	tag         string // this dashboard's own tag, next to the common one
	description string
	from        string // start of the default time range, e.g. "now-30d"
	withWindow  bool   // whether the dashboard offers the `window` variable
	rows        []row
}

// row is a titled band of panels.
type row struct {
	title  string
	panels []panel
}

// kind selects the visualization, and with it how the queries run: trends
// over time are range queries, current values are instant queries.
type kind int

const (
	timeseriesPanel kind = iota // range: values over time
	barsPanel                   // range: counts per interval, drawn as bars
	statPanel                   // range: the latest value with a sparkline
	bargaugePanel               // instant: one bar per series, side by side
	tablePanel                  // instant: one row per series
	heatmapPanel                // range: histogram buckets per interval
	weekGridPanel               // instant: a weekday x hour grid of counts, cells colored by thresholds
)

// panel is one visualization. Width and height are in grid units (24 wide).
type panel struct {
	kind        kind
	title       string
	description string // what it means and what good looks like
	unit        string // a Grafana unit id
	width       uint32
	height      uint32
	// interval is the shortest step of a range query ("1h"): ticket counts
	// are low, and an hour or a day per bar reads better than a minute.
	interval string
	// steps colors values by thresholds (the first step is the base color);
	// without steps series take the classic palette, one color per vendor.
	steps   []step
	queries []query
}

// step is one threshold: values from `from` upwards take `color`.
type step struct {
	from  float64
	color string
}

// query is one PromQL expression and the legend of the series it returns.
type query struct {
	expr   string
	legend string
}

// vendorMatcher narrows a query to the vendors chosen in the dashboard's
// `vendor` variable.
const vendorMatcher = `vendor=~"$vendor"`

// selectors renders the label matchers of every query with the alerts
// Config, so each dashboard reads exactly the series the rules read (the
// recording rules keep the selector's labels). It also carries the Config's
// thresholds, which color the panels the alerts watch.
type selectors struct {
	cfg alerts.Config
}

// all returns the braces to append to a metric or recording-rule name:
// Select without a metric name renders just them. Alone it is for the
// exporter's own metrics, which carry no vendor label.
func (s selectors) all(extra ...string) string {
	return s.cfg.Select("", append(s.scope(), extra...)...)
}

// vendors selects the vendors chosen in the dashboard's `vendor` variable.
func (s selectors) vendors(extra ...string) string {
	return s.all(append([]string{vendorMatcher}, extra...)...)
}

// quantileIs picks one quantile series of a quantile recording rule.
func quantileIs(q string) string {
	return alerts.QuantileLabel + `="` + q + `"`
}

// durationText writes a threshold for a description: 1h, not 1h0m0s.
func durationText(d time.Duration) string {
	text := d.String()
	for _, zero := range []string{"0s", "0m"} {
		if strings.HasSuffix(text, "m"+zero) || strings.HasSuffix(text, "h"+zero) {
			text = strings.TrimSuffix(text, zero)
		}
	}
	return text
}
