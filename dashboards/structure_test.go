package dashboards

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/alerts"
)

// The generated JSON as Grafana reads it: the tests check the files, not
// the Go values they came from.
type jsonDashboard struct {
	UID        string
	Tags       []string
	Templating struct{ List []jsonVariable }
	Links      []struct {
		Type string
		Tags []string
	}
	Panels []jsonPanel
}

type jsonVariable struct {
	Type       string
	Name       string
	Query      string
	Multi      bool
	IncludeAll bool
	Datasource struct{ UID string }
	Options    []struct{ Value string }
}

type jsonPanel struct {
	Type        string
	ID          int
	Title       string
	Description string
	Datasource  struct{ UID string }
	FieldConfig struct{ Defaults struct{ Unit string } }
	Targets     []struct {
		Expr       string
		Datasource struct{ UID string }
	}
}

func (d jsonDashboard) variable(name string) (jsonVariable, bool) {
	for _, v := range d.Templating.List {
		if v.Name == name {
			return v, true
		}
	}
	return jsonVariable{}, false
}

// panels returns the visualizations, without the row headers.
func (d jsonDashboard) panels() []jsonPanel {
	var out []jsonPanel
	for _, p := range d.Panels {
		if p.Type != "row" {
			out = append(out, p)
		}
	}
	return out
}

func render(t *testing.T, cfg alerts.Config) []jsonDashboard {
	t.Helper()
	files, err := Render(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]jsonDashboard, len(files))
	for i, f := range files {
		if err := json.Unmarshal(f.Data, &out[i]); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if f.Name != out[i].UID+".json" {
			t.Errorf("file %s holds dashboard %q", f.Name, out[i].UID)
		}
	}
	return out
}

func TestDashboardsHaveStableUIDs(t *testing.T) {
	var uids []string
	for _, d := range render(t, alerts.Default()) {
		uids = append(uids, d.UID)
	}
	want := []string{"support-scorecard", "support-vendor-detail", "support-incidents", "support-trends", "support-exporter-health"}
	if !slices.Equal(uids, want) {
		t.Errorf("uids %v, want %v", uids, want)
	}
}

func TestEveryDashboardHasTheDatasourceAndVendorVariables(t *testing.T) {
	wantVendorQuery := `label_values(support_source_up{job="support_exporter",job=~"$job",instance=~"$instance"}, vendor)`
	for _, d := range render(t, alerts.Default()) {
		ds, ok := d.variable("datasource")
		if !ok || ds.Type != "datasource" || ds.Query != "prometheus" {
			t.Errorf("%s: datasource variable %+v (found %v), want type datasource for prometheus", d.UID, ds, ok)
		}
		v, ok := d.variable("vendor")
		switch {
		case !ok:
			t.Errorf("%s: no vendor variable", d.UID)
		case v.Type != "query" || !v.Multi || !v.IncludeAll:
			t.Errorf("%s: vendor variable %+v, want a multi-value query variable with All", d.UID, v)
		case v.Query != wantVendorQuery:
			t.Errorf("%s: vendor query %q, want %q", d.UID, v.Query, wantVendorQuery)
		case v.Datasource.UID != "${datasource}":
			t.Errorf("%s: vendor variable reads %q, want the datasource variable", d.UID, v.Datasource.UID)
		}
	}
}

func TestScorecardOffersTheRecordedWindows(t *testing.T) {
	d := render(t, alerts.Default())[0]
	w, ok := d.variable("window")
	if !ok {
		t.Fatalf("%s: no window variable", d.UID)
	}
	var got []string
	for _, o := range w.Options {
		got = append(got, o.Value)
	}
	want := []string{alerts.Window7d, alerts.Window30d, alerts.Window90d}
	if w.Type != "custom" || !slices.Equal(got, want) {
		t.Errorf("window variable %s with %v, want custom with %v", w.Type, got, want)
	}
}

// TestLinksReachTheOtherFour resolves each dashboard's tag links the way
// Grafana does (a dashboard matches when it has every tag of the link).
func TestLinksReachTheOtherFour(t *testing.T) {
	all := render(t, alerts.Default())
	for _, d := range all {
		var reached []string
		for _, l := range d.Links {
			if l.Type != "dashboards" || len(l.Tags) == 0 {
				t.Errorf("%s: link %+v is not a tag link", d.UID, l)
				continue
			}
			for _, other := range all {
				if containsAll(other.Tags, l.Tags) && !slices.Contains(reached, other.UID) {
					reached = append(reached, other.UID)
				}
			}
		}
		var want []string
		for _, other := range all {
			if other.UID != d.UID {
				want = append(want, other.UID)
			}
		}
		slices.Sort(reached)
		slices.Sort(want)
		if !slices.Equal(reached, want) {
			t.Errorf("%s: links reach %v, want %v", d.UID, reached, want)
		}
	}
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func TestEveryPanelHasUnitDescriptionAndQueries(t *testing.T) {
	for _, d := range render(t, alerts.Default()) {
		ids := map[int]bool{}
		for _, p := range d.Panels {
			if ids[p.ID] {
				t.Errorf("%s: panel id %d used twice", d.UID, p.ID)
			}
			ids[p.ID] = true
		}
		for _, p := range d.panels() {
			where := d.UID + " / " + p.Title
			if p.Title == "" {
				t.Errorf("%s: panel %d has no title", d.UID, p.ID)
			}
			if p.FieldConfig.Defaults.Unit == "" {
				t.Errorf("%s: no unit", where)
			}
			if len(strings.Fields(p.Description)) < 8 {
				t.Errorf("%s: description %q does not say what the panel means and what good looks like", where, p.Description)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: no query", where)
			}
			if p.Datasource.UID != "${datasource}" {
				t.Errorf("%s: panel data source %q, want ${datasource}", where, p.Datasource.UID)
			}
			for _, q := range p.Targets {
				if q.Expr == "" || q.Datasource.UID != "${datasource}" {
					t.Errorf("%s: query %+v, want an expression on ${datasource}", where, q)
				}
			}
		}
	}
}

// TestEveryQueryCarriesTheSelector renders with a selector of its own, so a
// query with the default selector written in by hand shows up too.
func TestEveryQueryCarriesTheSelector(t *testing.T) {
	cfg := alerts.Default()
	cfg.Selector = `job="support", env=~"prod|staging"`
	for _, d := range render(t, cfg) {
		for _, p := range d.panels() {
			for _, q := range p.Targets {
				if strings.Contains(q.Expr, alerts.Default().Selector) {
					t.Errorf("%s / %s: %q still holds the default selector", d.UID, p.Title, q.Expr)
				}
				for _, name := range metricNames(q.Expr) {
					if !strings.Contains(q.Expr, name+"{"+cfg.Selector) {
						t.Errorf("%s / %s: %s is not selected with %s in %q", d.UID, p.Title, name, cfg.Selector, q.Expr)
					}
				}
			}
		}
		vendor, _ := d.variable("vendor")
		if !strings.Contains(vendor.Query, "{"+cfg.Selector+",") {
			t.Errorf("%s: vendor variable %q ignores the selector", d.UID, vendor.Query)
		}
	}
}

// seriesName matches the exporter's metrics and the recording rules in an
// expression: the metrics start with support_, the rules hold colons.
var seriesName = regexp.MustCompile(`\b(support_[a-z_]+|[a-z_]+:[a-z_]+:[a-z_0-9$]+)`)

func metricNames(expr string) []string {
	return seriesName.FindAllString(expr, -1)
}

// TestVariablesAreDefined finds every $variable a query uses among the
// dashboard's variables or Grafana's built-in ones.
func TestVariablesAreDefined(t *testing.T) {
	builtin := []string{"__interval", "__range", "__rate_interval"}
	used := regexp.MustCompile(`\$(\w+)`)
	for _, d := range render(t, alerts.Default()) {
		for _, p := range d.panels() {
			for _, q := range p.Targets {
				for _, m := range used.FindAllStringSubmatch(q.Expr, -1) {
					if _, ok := d.variable(m[1]); !ok && !slices.Contains(builtin, m[1]) {
						t.Errorf("%s / %s: $%s is not a variable of the dashboard", d.UID, p.Title, m[1])
					}
				}
			}
		}
	}
}

// TestRecordingRulesExist checks every recorded series a query reads, for
// every value of the window variable, against the committed rule file of
// package alerts.
func TestRecordingRulesExist(t *testing.T) {
	data, err := os.ReadFile("../alerts/support_exporter.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*- record: (\S+)$`).FindAllStringSubmatch(string(data), -1) {
		recorded[m[1]] = true
	}
	if len(recorded) == 0 {
		t.Fatal("no recording rules in ../alerts/support_exporter.rules.yml")
	}
	for _, d := range render(t, alerts.Default()) {
		for _, p := range d.panels() {
			for _, q := range p.Targets {
				for _, name := range metricNames(q.Expr) {
					if !strings.Contains(name, ":") {
						continue
					}
					for _, w := range windows {
						if r := strings.ReplaceAll(name, "$window", w); !recorded[r] {
							t.Errorf("%s / %s: reads %s, which no recording rule records", d.UID, p.Title, r)
						}
					}
				}
			}
		}
	}
}

// TestTrendsReadOnlyBackfilledRules: every series the long-term trends
// dashboard reads is either the exporter's own or recorded by the backfill
// rules file, so that backfilling (docs/backfill.md) fills every panel.
func TestTrendsReadOnlyBackfilledRules(t *testing.T) {
	file, err := alerts.BackfillRecordingRules(alerts.Default())
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for _, d := range render(t, alerts.Default()) {
		if d.UID != "support-trends" {
			continue
		}
		for _, p := range d.panels() {
			for _, q := range p.Targets {
				for _, name := range metricNames(q.Expr) {
					if !strings.Contains(name, ":") {
						continue
					}
					read++
					if !strings.Contains(string(file), "record: "+name+"\n") {
						t.Errorf("%s reads %s, which %s does not record", p.Title, name, alerts.BackfillRulesFile)
					}
				}
			}
		}
	}
	if read == 0 {
		t.Fatal("the trends dashboard reads no recording rule: is its uid still support-trends?")
	}
}
