package report

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocsListEveryIndicator: docs/report.md names every indicator ID and
// footnote the report can emit.
func TestDocsListEveryIndicator(t *testing.T) {
	b, err := os.ReadFile("../../docs/report.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, def := range indicatorDefs() {
		if !strings.Contains(doc, "`"+def.id+"`") {
			t.Errorf("docs/report.md does not list indicator %q", def.id)
		}
		if !strings.Contains(doc, "`"+def.footnote+"`") {
			t.Errorf("docs/report.md does not name footnote %q", def.footnote)
		}
	}
	for _, f := range footnotes([]string{"v"}, Period{From: day0, To: to}) {
		if !strings.Contains(doc, "`"+f.ID+"`") {
			t.Errorf("docs/report.md does not name footnote %q", f.ID)
		}
	}
}

// TestFootnotesNameExposedMetrics: every metric a footnote's PromQL reads
// is one docs/metrics.md documents (a histogram's _bucket, _sum and _count
// by its family).
func TestFootnotesNameExposedMetrics(t *testing.T) {
	b, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	names := regexp.MustCompile(`support_[a-z_]+`)
	for _, f := range footnotes([]string{"v"}, Period{From: day0, To: to}) {
		for _, n := range names.FindAllString(f.PromQL, -1) {
			family := n
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				family = strings.TrimSuffix(family, suffix)
			}
			if !strings.Contains(doc, "`"+family+"`") {
				t.Errorf("footnote %s reads %s, which docs/metrics.md does not document", f.ID, n)
			}
		}
	}
}
