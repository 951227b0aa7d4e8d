package exposition

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// TestSplitEqualsCollect: Live and Snapshot together gather exactly what
// Collector gathers, no family in both, and describe every descriptor
// once.
func TestSplitEqualsCollect(t *testing.T) {
	state := benchStatusState(t, 40)
	state.sources = append(state.sources, benchSources()...)
	c := New(state)
	whole := prometheus.NewRegistry()
	whole.MustRegister(c)
	want, err := whole.Gather()
	if err != nil {
		t.Fatal(err)
	}
	live, snap := prometheus.NewRegistry(), prometheus.NewRegistry()
	live.MustRegister(c.Live())
	snap.MustRegister(c.Snapshot(state.Snapshot()))
	liveMfs, err := live.Gather()
	if err != nil {
		t.Fatal(err)
	}
	snapMfs, err := snap.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(liveMfs) == 0 || len(snapMfs) == 0 {
		t.Fatalf("%d live families, %d snapshot families: want both", len(liveMfs), len(snapMfs))
	}
	seen := map[string]bool{}
	for _, mf := range liveMfs {
		seen[mf.GetName()] = true
	}
	for _, mf := range snapMfs {
		if seen[mf.GetName()] {
			t.Errorf("family %s in both parts", mf.GetName())
		}
	}
	got, err := prometheus.Gatherers{live, snap}.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("split gathers %d families, Collector %d", len(got), len(want))
	}
	for i := range want {
		if g, w := familyText(t, got[i]), familyText(t, want[i]); g != w {
			t.Errorf("family %s differs:\n%s\nwant\n%s", want[i].GetName(), g, w)
		}
	}

	descs := func(c prometheus.Collector) map[*prometheus.Desc]int {
		ch := make(chan *prometheus.Desc, 512)
		c.Describe(ch)
		close(ch)
		out := map[*prometheus.Desc]int{}
		for d := range ch {
			out[d]++
		}
		return out
	}
	all, l, s := descs(c), descs(c.Live()), descs(c.Snapshot(nil))
	for d := range all {
		if l[d]+s[d] != 1 {
			t.Errorf("%v described %d times by the parts, want once", d, l[d]+s[d])
		}
	}
	if len(l)+len(s) != len(all) {
		t.Errorf("the parts describe %d descriptors, Collector %d", len(l)+len(s), len(all))
	}
}

func familyText(t *testing.T, mf *dto.MetricFamily) string {
	t.Helper()
	var b strings.Builder
	if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
