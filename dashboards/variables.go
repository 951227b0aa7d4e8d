package dashboards

import (
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/support-exporter/support_exporter/alerts"
)

// windows are the scorecard's comparison windows; each one has its
// recording rules, so a 90-day scorecard costs no more than a 7-day one.
var windows = []string{alerts.Window7d, alerts.Window30d, alerts.Window90d}

const defaultWindow = alerts.Window30d

// datasourceVariable lets one import serve any Prometheus data source.
func datasourceVariable() *dashboard.DatasourceVariableBuilder {
	return dashboard.NewDatasourceVariableBuilder("datasource").
		Label("Data source").
		Type("prometheus")
}

// vendorVariable lists the vendors the exporter watches, read from the one
// series every configured source has.
func vendorVariable(s selectors) *dashboard.QueryVariableBuilder {
	q := "label_values(" + s.cfg.Select("support_source_up") + ", vendor)"
	return dashboard.NewQueryVariableBuilder("vendor").
		Label("Vendor").
		Datasource(datasource).
		Query(dashboard.StringOrMap{String: cog.ToPtr(q)}).
		Definition(q).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalCaseInsensitiveAsc).
		Multi(true).
		IncludeAll(true).
		Current(option("All", "$__all", true))
}

// windowVariable picks the window the scorecard compares vendors over.
func windowVariable() *dashboard.CustomVariableBuilder {
	options := make([]dashboard.VariableOption, len(windows))
	for i, w := range windows {
		options[i] = option(w, w, w == defaultWindow)
	}
	values := strings.Join(windows, ",")
	return dashboard.NewCustomVariableBuilder("window").
		Label("Window").
		Values(dashboard.StringOrMap{String: cog.ToPtr(values)}).
		Current(option(defaultWindow, defaultWindow, true)).
		Options(options)
}

func option(text, value string, selected bool) dashboard.VariableOption {
	return dashboard.VariableOption{
		Selected: cog.ToPtr(selected),
		Text:     dashboard.StringOrArrayOfString{String: cog.ToPtr(text)},
		Value:    dashboard.StringOrArrayOfString{String: cog.ToPtr(value)},
	}
}

// linkTo links to another dashboard by its tags, as the monitoring mixins
// do: the link finds the dashboard wherever and under whatever uid it was
// imported. The variables and the time range go along.
func linkTo(other board) *dashboard.DashboardLinkBuilder {
	return dashboard.NewDashboardLinkBuilder(other.title).
		Type(dashboard.DashboardLinkTypeDashboards).
		Tags([]string{commonTag, other.tag}).
		AsDropdown(false).
		IncludeVars(true).
		KeepTime(true)
}
