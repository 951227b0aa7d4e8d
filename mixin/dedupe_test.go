package mixin

import (
	"os/exec"
	"strings"
	"testing"
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
