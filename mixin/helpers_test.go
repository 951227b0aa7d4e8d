package mixin

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/alerts"
)

// TestDedupeForm: the replicas' dedupe wrapper becomes h.dedupe around the
// expression it wraps, parentheses in quoted values and nested calls
// included, and jsonnet writes it back as alerts does, or leaves the
// expression bare without replica labels.
func TestDedupeForm(t *testing.T) {
	text := `sum by (vendor) (max without (` + replica + `) (increase(a{b="c)("}[1d]))) > 0`
	got := globalScope().str(text)
	want := `"sum by (vendor) (" + h.dedupe(c.replica_labels, "increase(a{b=\"c)(\"}[1d])") + ") > 0"`
	if got != want {
		t.Fatalf("str:\n got %s\nwant %s", got, want)
	}
	bin, err := exec.LookPath("jsonnet")
	if err != nil {
		t.Skip("jsonnet not installed")
	}
	src := "local h = " + helpers() + ";\n[(local c = { replica_labels: r }; " + got + ") for r in [['instance', 'pod'], []]]"
	out, err := exec.Command(bin, "-e", src).CombinedOutput()
	if err != nil {
		t.Fatalf("jsonnet: %v\n%s", err, out)
	}
	for _, w := range []string{
		`"sum by (vendor) (max without (instance, pod) (increase(a{b=\"c)(\"}[1d]))) > 0"`,
		`"sum by (vendor) (increase(a{b=\"c)(\"}[1d])) > 0"`,
	} {
		if !strings.Contains(string(out), w) {
			t.Errorf("jsonnet output %s\nlacks %s", out, w)
		}
	}
}

// TestPercentRoundsAsGo: the dashboards write 100 × vendor_first_min with
// %.0f, which rounds halves to even; h.percent does the same.
func TestPercentRoundsAsGo(t *testing.T) {
	bin, err := exec.LookPath("jsonnet")
	if err != nil {
		t.Skip("jsonnet not installed")
	}
	ratios := []float64{0.125, 0.135, 0.145, 0.5, 0.625, 0.755, 0.999, 1, 0.005, 0.015}
	var list, want []string
	for _, r := range ratios {
		list = append(list, strconv.FormatFloat(r, 'g', -1, 64))
		want = append(want, fmt.Sprintf("%q", fmt.Sprintf("%.0f%%", 100*r)))
	}
	out, err := exec.Command(bin, "-e", "local h = "+helpers()+"; [h.percent(f) for f in ["+strings.Join(list, ", ")+"]]").CombinedOutput()
	if err != nil {
		t.Fatalf("jsonnet: %v\n%s", err, out)
	}
	if got := strings.Join(strings.Fields(string(out)), ""); got != "["+strings.Join(want, ",")+"]" {
		t.Errorf("jsonnet %s, Go [%s]", got, strings.Join(want, ","))
	}
}

// TestDedupeGaugeForm: a gauge read from the freshest replica becomes
// h.dedupeGauge, and jsonnet writes it back as alerts does for other
// replica labels, a cluster label, and none.
func TestDedupeGaugeForm(t *testing.T) {
	by := selLabel + ", " + cluster + ", vendor"
	text := `sum by (vendor) (` + alerts.GaugeFromFreshest([]string{replica}, by, `a{b="c)("} > 0`, `f{`+selLabel+`="`+selLabel+`"}`) + `)`
	got := globalScope().str(text)
	want := `"sum by (vendor) (" + h.dedupeGauge(c.replica_labels, keep, "a{b=\"c)(\"} > 0", "f{" + c.selector + "}") + ")"`
	if got != want {
		t.Fatalf("str:\n got %s\nwant %s", got, want)
	}
	bin, err := exec.LookPath("jsonnet")
	if err != nil {
		t.Skip("jsonnet not installed")
	}
	src := "local h = " + helpers() + ";\n[(local c = { replica_labels: r, selector: 'job=\"x\"' }, keep = ['job', 'cluster']; " + got + ") for r in [['instance', 'pod'], []]]"
	out, err := exec.Command(bin, "-e", src).CombinedOutput()
	if err != nil {
		t.Fatalf("jsonnet: %v\n%s", err, out)
	}
	for _, w := range []string{
		strconv.Quote(`sum by (vendor) (` + alerts.GaugeFromFreshest([]string{"instance", "pod"}, "job, cluster, vendor", `a{b="c)("} > 0`, `f{job="x"}`) + `)`),
		`"sum by (vendor) (a{b=\"c)(\"} > 0)"`,
	} {
		if !strings.Contains(string(out), w) {
			t.Errorf("jsonnet output %s\nlacks %s", out, w)
		}
	}
}
