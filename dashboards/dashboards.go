// Package dashboards generates the Grafana dashboards of support_exporter
// with the Grafana Foundation SDK: a vendor scorecard, a vendor detail view,
// incidents and notices, long-term trends and the exporter's own health.
//
// The generated JSON is committed next to this file, ready for Grafana's file
// provisioning; `go test ./dashboards -update` regenerates it. Every query
// carries the selector of the alerts Config, so the dashboards and the rules
// always read the same series.
//
// The dashboards are built with the SDK's dashboard package, which v0.0.22
// marks deprecated in favour of dashboardv2. That package builds another
// document: Grafana's v2 dashboard resource (elements and a layout in place
// of panels, variables as kinds), not the v1 dashboard JSON committed here,
// which file provisioning and Dashboards > Import load and which
// schemacheck/ holds to @grafana/schema's Dashboard; the SDK offers no
// conversion between the two. Each use of the v1 API is exempted from
// staticcheck's SA1019 (deprecated identifier) for that reason.
package dashboards

import (
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/support-exporter/support_exporter/alerts"
)

// commonTag marks every dashboard of the set; the links between them search
// for it.
const commonTag = "support-exporter"

// File is one generated dashboard: its file name and the JSON Grafana loads.
type File struct {
	Name string
	Data []byte
}

// boards lists the five dashboards in the order their links appear.
func boards(s selectors) []board {
	return []board{
		scorecard(s),
		vendorDetail(s),
		incidents(s),
		trends(s),
		exporterHealth(s),
	}
}

// Build builds the five dashboards from cfg: its selector in every query,
// its thresholds on the panels the alerts watch.
//
//lint:ignore SA1019 v1 dashboard JSON on purpose: see the package doc
func Build(cfg alerts.Config) ([]dashboard.Dashboard, error) {
	s := selectors{cfg: cfg}
	all := boards(s)
	//lint:ignore SA1019 v1 dashboard JSON on purpose: see the package doc
	out := make([]dashboard.Dashboard, 0, len(all))
	for _, b := range all {
		d, err := b.build(s, all)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", b.uid, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// Render returns each dashboard as indented JSON named <uid>.json: the files
// Grafana's file provisioning loads. The output depends on cfg only.
func Render(cfg alerts.Config) ([]File, error) {
	built, err := Build(cfg)
	if err != nil {
		return nil, err
	}
	files := make([]File, 0, len(built))
	for _, d := range built {
		data, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: encode: %w", *d.Uid, err)
		}
		files = append(files, File{Name: *d.Uid + ".json", Data: append(data, '\n')})
	}
	return files, nil
}

// build hands the board to the SDK: variables, links to the other boards of
// the set, then each row and its panels, numbered in order; last it drops the
// SDK's defaults that Grafana's schema no longer has.
//
//lint:ignore SA1019 v1 dashboard JSON on purpose: see the package doc
func (b board) build(s selectors, set []board) (dashboard.Dashboard, error) {
	//lint:ignore SA1019 v1 dashboard JSON on purpose: see the package doc
	d := dashboard.NewDashboardBuilder(b.title).
		Uid(b.uid).
		Description(b.description).
		Tags([]string{commonTag, b.tag}).
		Time(b.from, "now").
		Timezone(common.TimeZoneBrowser).
		Refresh("5m").
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		WithVariable(datasourceVariable()).
		WithVariable(clusterVariable(s)).
		WithVariable(jobVariable(s)).
		WithVariable(instanceVariable(s)).
		WithVariable(vendorVariable(s))
	if b.withWindow {
		d.WithVariable(windowVariable())
	}
	for _, other := range set {
		if other.uid != b.uid {
			d.Link(linkTo(other))
		}
	}
	id := uint32(0)
	for _, r := range b.rows {
		id++
		d.WithRow(dashboard.NewRowBuilder(r.title).Id(id))
		for _, p := range r.panels {
			id++
			pb, err := p.build(id)
			if err != nil {
				//lint:ignore SA1019 v1 dashboard JSON on purpose: see the package doc
				return dashboard.Dashboard{}, err
			}
			d.WithPanel(pb)
		}
	}
	built, err := d.Build()
	if err != nil {
		//lint:ignore SA1019 v1 dashboard JSON on purpose: see the package doc
		return dashboard.Dashboard{}, err
	}
	dropStaleDefaults(&built)
	return built, nil
}
