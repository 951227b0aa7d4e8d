package render

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestTitles: an incident's or maintenance's title is its link's text in
// HTML and Markdown, its source and id beside it; without a title the link
// shows the source and id as before; JSON carries "title" as it is.
func TestTitles(t *testing.T) {
	r := fixture(t)
	inc, mt := r.Vendors[0].Incidents, r.Vendors[0].Maintenances
	if inc[0].Title == "" || inc[3].Title != "" || mt[0].Title == "" || mt[1].Title != "" {
		t.Fatal("the fixture lost its titled and untitled rows: the test proves nothing")
	}
	doc := parse(t, render(t, r, "html"))
	links := map[string]string{} // href: text
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					links[a.Val] = text(n)
				}
			}
		}
	})
	for _, c := range []struct{ url, want string }{
		{inc[0].URL, inc[0].Title},
		{inc[3].URL, "statuspage " + inc[3].ID},
		{mt[0].URL, mt[0].Title},
		{mt[1].URL, "statuspage " + mt[1].ID},
	} {
		if got := links[c.url]; got != c.want {
			t.Errorf("link to %s shows %q, want %q", c.url, got, c.want)
		}
	}
	if all := text(doc); !strings.Contains(all, "statuspage "+inc[0].ID) || !strings.Contains(all, "statuspage "+mt[0].ID) {
		t.Error("a titled row does not show its source and id")
	}

	md := render(t, r, "md")
	for _, want := range []string{
		"| 1. [Elevated API error rates in eu-west-1](https://status.acme.example/incidents/k7x2m9p4q1) — statuspage k7x2m9p4q1 (API, Dashboard) | major |",
		"| [Database upgrade (primary cluster)](https://status.acme.example/incidents/mt20260720) — statuspage mt-2026-07-20 | 2026-07-13 10:00 UTC |",
		"| [statuspage mt-2026-08-18](https://status.acme.example/incidents/mt20260818) | 2026-08-17 16:00 UTC |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}

	var decoded struct {
		Vendors []struct {
			Incidents    []map[string]any `json:"incidents"`
			Maintenances []map[string]any `json:"maintenances"`
		} `json:"vendors"`
	}
	if err := json.Unmarshal([]byte(render(t, r, "json")), &decoded); err != nil {
		t.Fatal(err)
	}
	v := decoded.Vendors[0]
	if got, ok := v.Incidents[0]["title"]; !ok || got != inc[0].Title {
		t.Errorf("JSON incident title %v (present %v), want %q", got, ok, inc[0].Title)
	}
	if got, ok := v.Incidents[3]["title"]; !ok || got != "" {
		t.Errorf("JSON untitled incident: title %v (present %v), want \"\"", got, ok)
	}
	if got, ok := v.Maintenances[0]["title"]; !ok || got != mt[0].Title {
		t.Errorf("JSON maintenance title %v (present %v), want %q", got, ok, mt[0].Title)
	}
}

// TestHostileTitles: a title is the vendor's text. The store keeps it
// cleaned (item.CleanTitle), but the renderers hold on their own: HTML
// escapes it (html/template), Markdown keeps it inside its cell and its
// link (pipes, brackets, backticks, line breaks), the chart's tooltip
// escapes it.
func TestHostileTitles(t *testing.T) {
	r := fixture(t)
	evil := "<script>alert(1)</script> | [x](javascript:alert(2)) `y`\nz"
	r.Vendors[0].Incidents[0].Title = evil
	r.Vendors[0].Maintenances[0].Title = "a\r\n| b | c |]]</a><img src=x onerror=alert(3)>"

	out := render(t, r, "html")
	if strings.Contains(out, "<script") || strings.Contains(out, "<img") || strings.Contains(out, `="javascript:`) {
		t.Error("a hostile title reached the HTML unescaped")
	}
	doc := parse(t, out)
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "img") {
			t.Errorf("<%s> element from a title", n.Data)
		}
	})
	if !strings.Contains(text(doc), "<script>alert(1)</script> | [x](javascript:alert(2)) `y`") {
		t.Error("the hostile title is not shown as text")
	}

	md := render(t, r, "md")
	checkTables(t, md)
	for _, bad := range []string{"<script", "<img", "](javascript:", "| b |", "`y`"} {
		if regexp.MustCompile(`(^|[^\\])` + regexp.QuoteMeta(bad)).MatchString(md) {
			t.Errorf("Markdown contains %q unescaped", bad)
		}
	}
	// Each row stays on its line: the line after a table row is a row or
	// blank.
	lines := strings.Split(md, "\n")
	for i := 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i-1], "|") && lines[i] != "" && !strings.HasPrefix(lines[i], "|") {
			t.Errorf("Markdown line %d breaks a table: %q", i+1, lines[i])
		}
	}
	for _, want := range []string{
		`| 1. [&lt;script&gt;alert(1)&lt;/script&gt; \| \[x\](javascript:alert(2)) \` + "`y\\`" + ` z](https://status.acme.example/incidents/k7x2m9p4q1) — statuspage k7x2m9p4q1`,
		`| [a  \| b \| c \|\]\]&lt;/a&gt;&lt;img src=x onerror=alert(3)&gt;](https://status.acme.example/incidents/mt20260720) — statuspage mt-2026-07-20 |`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}
