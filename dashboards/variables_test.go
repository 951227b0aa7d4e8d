package dashboards

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/alerts"
)

// scopeVar is a scope variable as Grafana reads it.
type scopeVar struct {
	Name       string
	Query      string
	Hide       int
	AllValue   string
	IncludeAll bool
	Multi      bool
}

func scopeVars(t *testing.T, data []byte) map[string]scopeVar {
	t.Helper()
	var d struct{ Templating struct{ List []scopeVar } }
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	vars := map[string]scopeVar{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	return vars
}

// selectorOf matches every series selector of an expression: a name and
// its braces.
// A name may end in a variable (ratio_rate$window).
var selectorOf = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:$]*)\{([^}]*)\}`)

// TestScopeVariables: every dashboard offers cluster (hidden unless
// ClusterLabel is set), job and instance; every selector of every query
// honours them: the exporter's own series all three, recorded series
// cluster and job (the rules sum instances away).
func TestScopeVariables(t *testing.T) {
	for _, tc := range []struct {
		cluster string
		hide    int
	}{{"", 2}, {"k8s_cluster", 0}} {
		cfg := alerts.Default()
		cfg.Selector = `job="support-exporter",namespace="monitoring"`
		cfg.ClusterLabel = tc.cluster
		files, err := Render(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			vars := scopeVars(t, f.Data)
			for _, name := range []string{"cluster", "job", "instance"} {
				v, ok := vars[name]
				if !ok || !v.Multi || !v.IncludeAll || v.AllValue != ".*" {
					t.Errorf("%s: %s variable %+v, want multi with All = .*", f.Name, name, v)
				}
				if !strings.Contains(v.Query, "support_exporter_build_info{"+cfg.Selector) {
					t.Errorf("%s: %s variable %q ignores the selector", f.Name, name, v.Query)
				}
			}
			if vars["cluster"].Hide != tc.hide {
				t.Errorf("%s (cluster_label %q): cluster variable hide %d, want %d", f.Name, tc.cluster, vars["cluster"].Hide, tc.hide)
			}
			clusterM := tc.cluster + `=~"$cluster"`
			if tc.cluster != "" && !strings.Contains(vars["job"].Query, clusterM) {
				t.Errorf("%s: job variable %q not narrowed by the cluster", f.Name, vars["job"].Query)
			}
			if !strings.Contains(vars["instance"].Query, jobMatcher) {
				t.Errorf("%s: instance variable %q not narrowed by the job", f.Name, vars["instance"].Query)
			}
			var d struct {
				Panels []struct {
					Title   string
					Targets []struct{ Expr string }
				}
			}
			if err := json.Unmarshal(f.Data, &d); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, p := range d.Panels {
				for _, q := range p.Targets {
					if tc.cluster == "" && strings.Contains(q.Expr, "$cluster") {
						t.Errorf("%s / %s: %q names a cluster though cluster_label is empty", f.Name, p.Title, q.Expr)
					}
					for _, m := range selectorOf.FindAllStringSubmatch(q.Expr, -1) {
						n++
						name, matchers := m[1], m[2]
						recorded := strings.Contains(name, ":")
						if !strings.HasPrefix(matchers, cfg.Selector+",") || !strings.Contains(matchers, jobMatcher) ||
							tc.cluster != "" && !strings.Contains(matchers, clusterM) {
							t.Errorf("%s / %s: %s{%s} does not honour the selector, job and cluster", f.Name, p.Title, name, matchers)
						}
						if got := strings.Contains(matchers, instanceMatcher); got == recorded {
							t.Errorf("%s / %s: %s{%s}: instance matcher %v, want %v", f.Name, p.Title, name, matchers, got, !recorded)
						}
					}
				}
			}
			if n == 0 {
				t.Errorf("%s: no selector found", f.Name)
			}
		}
	}
}
