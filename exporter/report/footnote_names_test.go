package report

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/exposition"
)

// TestFootnotesNameServedSeries checks every footnote's PromQL against the
// families the exporter serves and the backfill writes, without a
// Prometheus (e2e/report_promql_test.go evaluates them on a real one): each
// series it names is a family's (a histogram's as its _bucket, _sum or
// _count), increase() is applied to counters and histograms only, and
// every label it groups by is one of those families' (or le).
func TestFootnotesNameServedSeries(t *testing.T) {
	families := map[string]*exposition.Family{}
	for _, f := range exposition.VendorFamilies() {
		families[f.Name] = f
	}
	family := func(series string) *exposition.Family {
		if f, ok := families[series]; ok && f.Type != exposition.Histogram {
			return f
		}
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if f, ok := families[strings.TrimSuffix(series, suffix)]; ok && f.Type == exposition.Histogram && strings.HasSuffix(series, suffix) {
				return f
			}
		}
		return nil
	}
	seriesName := regexp.MustCompile(`\bsupport_[a-z0-9_]+`)
	increased := regexp.MustCompile(`increase\((support_[a-z0-9_]+)`)
	grouped := regexp.MustCompile(`\bby \(([^)]*)\)`)

	from := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	notes := footnotes([]string{"acme", "bolt.co"}, Period{From: from, To: from.AddDate(0, 3, 0)})
	if len(notes) == 0 {
		t.Fatal("no footnote")
	}
	for _, n := range notes {
		if n.PromQL == "" {
			continue // said in words only
		}
		labels := []string{"le"}
		for _, name := range seriesName.FindAllString(n.PromQL, -1) {
			f := family(name)
			if f == nil {
				t.Errorf("footnote %s: %s is no series the exporter serves", n.ID, name)
				continue
			}
			labels = append(labels, f.Labels...)
		}
		for _, m := range increased.FindAllStringSubmatch(n.PromQL, -1) {
			if f := family(m[1]); f != nil && f.Type == exposition.Gauge {
				t.Errorf("footnote %s: increase() of the gauge %s", n.ID, m[1])
			}
		}
		for _, m := range grouped.FindAllStringSubmatch(n.PromQL, -1) {
			for _, l := range strings.Split(m[1], ",") {
				if l = strings.TrimSpace(l); !slices.Contains(labels, l) {
					t.Errorf("footnote %s: grouped by %q, a label none of its series has", n.ID, l)
				}
			}
		}
	}
}
