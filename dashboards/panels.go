package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/heatmap"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// datasource points every panel and query at the dashboard's `datasource`
// variable, so one import works against any Prometheus.
var datasource = common.DataSourceRef{
	Type: cog.ToPtr("prometheus"),
	Uid:  cog.ToPtr("${datasource}"),
}

// panelBuilder is what every SDK panel builder offers; B is the builder's own
// type (each setter returns it).
type panelBuilder[B any] interface {
	cog.Builder[dashboard.Panel]
	Id(id uint32) B
	Title(title string) B
	Description(description string) B
	Unit(unit string) B
	Min(min float64) B
	Max(max float64) B
	Datasource(datasource common.DataSourceRef) B
	Span(w uint32) B
	Height(h uint32) B
	Interval(interval string) B
	WithTarget(target cog.Builder[variants.Dataquery]) B
	Thresholds(thresholds cog.Builder[dashboard.ThresholdsConfig]) B
	ColorScheme(color cog.Builder[dashboard.FieldColor]) B
}

// build turns a panel into its SDK builder.
func (p panel) build(id uint32) (cog.Builder[dashboard.Panel], error) {
	switch p.kind {
	case timeseriesPanel:
		return withShared(timeseries.NewPanelBuilder().
			Legend(legend()).
			Tooltip(tooltip()).
			FillOpacity(10), p, id), nil
	case barsPanel:
		return withShared(timeseries.NewPanelBuilder().
			Legend(legend()).
			Tooltip(tooltip()).
			DrawStyle(common.GraphDrawStyleBars).
			FillOpacity(80).
			Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal)), p, id), nil
	case statPanel:
		return withShared(stat.NewPanelBuilder().
			ReduceOptions(lastValue()).
			// The SDK leaves orientation "", which is not one of Grafana's values.
			Orientation(common.VizOrientationAuto).
			GraphMode(common.BigValueGraphModeArea), p, id), nil
	case bargaugePanel:
		return withShared(bargauge.NewPanelBuilder().
			ReduceOptions(lastValue()).
			Orientation(common.VizOrientationHorizontal).
			DisplayMode(common.BarGaugeDisplayModeGradient), p, id), nil
	case tablePanel:
		b := withShared(table.NewPanelBuilder(), p, id)
		for _, t := range tableColumns(p.queries) {
			b.WithTransformation(t)
		}
		return b, nil
	case weekGridPanel:
		// Grafana's heatmap panel needs a time axis; a week's hours are a
		// grid, so a table pivoted by weekday and hour with colored cells
		// draws the same map with each count readable.
		// The pivot's first column holds the weekdays: text, not a count
		// to color.
		b := withShared(table.NewPanelBuilder(), p, id).
			CellOptions(common.TableCellOptions{TableColoredBackgroundCellOptions: common.NewTableColoredBackgroundCellOptions()}).
			OverrideByFieldType("string", []dashboard.DynamicConfigValue{{Id: "custom.cellOptions", Value: map[string]any{"type": "auto"}}})
		b.WithTransformation(dashboard.DataTransformerConfig{Id: "groupingToMatrix", Options: map[string]any{
			"rowField": "weekday", "columnField": "hour", "valueField": "Value", "emptyValue": "zero",
		}})
		return b, nil
	case heatmapPanel:
		return withShared(heatmap.NewPanelBuilder().
			Calculate(false).
			YAxis(heatmap.NewYAxisConfigBuilder().Unit(p.unit)).
			RowsFrame(heatmap.NewRowsHeatmapOptionsBuilder().Layout(common.HeatmapCellLayoutLe)).
			CellValues(heatmap.NewCellValuesBuilder().Unit("short")).
			Tooltip(heatmap.NewHeatmapTooltipBuilder().Mode(common.TooltipDisplayModeSingle).YHistogram(true)), p, id), nil
	}
	return nil, fmt.Errorf("panel %q: unknown kind %d", p.title, p.kind)
}

// withShared sets what every panel carries whatever its kind.
func withShared[B panelBuilder[B]](b B, p panel, id uint32) B {
	b.Id(id).
		Title(p.title).
		Description(p.description).
		Unit(p.unit).
		Datasource(datasource).
		Span(p.width).
		Height(p.height)
	if p.interval != "" {
		b.Interval(p.interval)
	}
	if p.unit == "percentunit" {
		b.Min(0).Max(1)
	}
	if len(p.steps) > 0 {
		b.Thresholds(thresholds(p.steps)).
			ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds))
	} else {
		b.ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdPaletteClassic))
	}
	for i, q := range p.queries {
		b.WithTarget(target(p.kind, refID(i), q))
	}
	return b
}

// target builds one Prometheus query. Panels that show a current value ask
// for an instant query: cheap even over a 90-day window.
func target(k kind, ref string, q query) *prometheus.DataqueryBuilder {
	t := prometheus.NewDataqueryBuilder().
		RefId(ref).
		Datasource(datasource).
		Expr(scoped(q.expr)).
		LegendFormat(q.legend)
	switch k {
	case bargaugePanel:
		t.Instant()
	case tablePanel, weekGridPanel:
		t.Instant().Format(prometheus.PromQueryFormatTable)
	case heatmapPanel:
		t.Range().Format(prometheus.PromQueryFormatHeatmap)
	default:
		t.Range()
	}
	return t
}

// refID names queries A, B, C... the way Grafana does.
func refID(i int) string {
	return string(rune('A' + i))
}

// tableColumns joins the instant results of a table's queries into one row
// per label set, drops the evaluation time, and names each value column
// after its query's legend.
func tableColumns(queries []query) []dashboard.DataTransformerConfig {
	rename := map[string]string{}
	for i, q := range queries {
		value := "Value"
		if len(queries) > 1 {
			value = "Value #" + refID(i)
		}
		rename[value] = q.legend
	}
	return []dashboard.DataTransformerConfig{
		{Id: "merge", Options: map[string]any{}},
		{Id: "organize", Options: map[string]any{
			"excludeByName": map[string]bool{"Time": true},
			"renameByName":  rename,
		}},
	}
}

func thresholds(steps []step) *dashboard.ThresholdsConfigBuilder {
	out := make([]dashboard.Threshold, len(steps))
	for i, s := range steps {
		out[i] = dashboard.Threshold{Color: s.color}
		// Grafana reads a null first value as minus infinity: the base color.
		if i > 0 {
			out[i].Value = cog.ToPtr(s.from)
		}
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(out)
}

func lastValue() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false)
}

// legend tabulates each series' last, lowest and highest value: a reader
// compares vendors there rather than by hovering.
func legend() *common.VizLegendOptionsBuilder {
	return common.NewVizLegendOptionsBuilder().
		DisplayMode(common.LegendDisplayModeTable).
		Placement(common.LegendPlacementBottom).
		ShowLegend(true).
		Calcs([]string{"lastNotNull", "min", "max"})
}

// tooltip lists every series at the hovered time, highest first.
func tooltip() *common.VizTooltipOptionsBuilder {
	return common.NewVizTooltipOptionsBuilder().
		Mode(common.TooltipDisplayModeMulti).
		Sort(common.SortOrderDescending)
}
