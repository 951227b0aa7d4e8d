package dashboards

import (
	"regexp"
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
	q := "label_values(" + s.cfg.Select("support_source_up", s.scope()...) + ", vendor)"
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

// The scope variables: which Prometheus (cluster, when Config.ClusterLabel
// is set), which job and which exporter instance the dashboards show. The
// selector still decides which series are the exporter's; these narrow
// them. "All" is the regular expression .* so that series without the
// label (a recorded series whose rule kept no job) still match.
const (
	jobMatcher      = `job=~"$job"`
	instanceMatcher = `instance=~"$instance"`
	// scopeMetric is on every exporter, with or without sources.
	scopeMetric = "support_exporter_build_info"
)

// scope returns the matchers of the scope variables, in the order the
// variables appear.
func (s selectors) scope() []string {
	return s.scopeUpTo("")
}

// scopeUpTo is scope up to (without) the variable named, for that
// variable's own query.
func (s selectors) scopeUpTo(variable string) []string {
	var m []string
	for _, v := range []struct{ name, matcher string }{
		{"cluster", s.clusterMatcher()}, {"job", jobMatcher}, {"instance", instanceMatcher},
	} {
		if v.name == variable {
			break
		}
		if v.matcher != "" {
			m = append(m, v.matcher)
		}
	}
	return m
}

// clusterMatcher is the cluster variable's matcher, none without a
// cluster label.
func (s selectors) clusterMatcher() string {
	if s.cfg.ClusterLabel == "" {
		return ""
	}
	return s.cfg.ClusterLabel + `=~"$cluster"`
}

// clusterVariable lists the values of Config.ClusterLabel; hidden, and named
// by no query, when it is empty.
func clusterVariable(s selectors) *dashboard.QueryVariableBuilder {
	label, hide := s.cfg.ClusterLabel, dashboard.VariableHideDontHide
	if label == "" {
		label, hide = "cluster", dashboard.VariableHideHideVariable
	}
	return scopeVariable("cluster", "Cluster", s.cfg.Select(scopeMetric, s.scopeUpTo("cluster")...), label).Hide(hide)
}

func jobVariable(s selectors) *dashboard.QueryVariableBuilder {
	return scopeVariable("job", "Job", s.cfg.Select(scopeMetric, s.scopeUpTo("job")...), "job")
}

func instanceVariable(s selectors) *dashboard.QueryVariableBuilder {
	return scopeVariable("instance", "Instance", s.cfg.Select(scopeMetric, s.scopeUpTo("instance")...), "instance")
}

func scopeVariable(name, title, series, label string) *dashboard.QueryVariableBuilder {
	q := "label_values(" + series + ", " + label + ")"
	return dashboard.NewQueryVariableBuilder(name).
		Label(title).
		Datasource(datasource).
		Query(dashboard.StringOrMap{String: cog.ToPtr(q)}).
		Definition(q).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalCaseInsensitiveAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(option("All", "$__all", true))
}

// recordedSelector is a recorded series (a name with a colon) and its
// matchers. A name may end in a variable: vendor:x:ratio_rate$window.
var recordedSelector = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_]*:[a-zA-Z0-9_:$]*\{[^}]*\}`)

// scoped drops the instance matcher from the selectors of recorded series:
// the recording rules add instances up (and drop HA replicas), so their
// series carry no instance, and picking one instance would empty every
// panel drawn from them. Those panels follow the cluster and job only;
// the panels drawn from the exporter's own series follow all three.
func scoped(expr string) string {
	return recordedSelector.ReplaceAllStringFunc(expr, func(sel string) string {
		return strings.Replace(sel, ","+instanceMatcher, "", 1)
	})
}
