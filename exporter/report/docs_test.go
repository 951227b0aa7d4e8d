package report

import (
	"os"
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
