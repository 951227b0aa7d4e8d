package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/support-exporter/support_exporter/exporter/report"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.* from testdata/report.json")

// fixture is a quarter of two vendors compared with the previous period:
// Acme Cloud has every section, Globex only tickets and several nil
// values.
func fixture(t testing.TB) *report.Report {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("testdata/report.json: %v", err)
	}
	return &r
}

func render(t testing.TB, r *report.Report, format string) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, r, format); err != nil {
		t.Fatalf("Write %s: %v", format, err)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	r := fixture(t)
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			got := render(t, r, format)
			path := filepath.Join("testdata", "golden."+format)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./exporter/report/render -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (run go test ./exporter/report/render -update and read the diff)", format, path)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, format := range Formats {
		a, b := render(t, fixture(t), format), render(t, fixture(t), format)
		if a != b {
			t.Errorf("%s: two renderings of the same report differ", format)
		}
	}
}

func TestJSONIsTheModel(t *testing.T) {
	r := fixture(t)
	out := render(t, r, "json")
	var back report.Report
	if err := json.Unmarshal([]byte(out), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, r) {
		t.Error("the JSON does not decode to the report it was made from")
	}
	if !strings.HasPrefix(out, "{\n  \"generated\": ") {
		t.Errorf("JSON not indented by two spaces: %.40q", out)
	}
}

func TestWriteErrors(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, fixture(t), "pdf"); err == nil || !strings.Contains(err.Error(), `"pdf"`) {
		t.Errorf("unknown format: %v", err)
	}
	if err := Write(&b, nil, "html"); err == nil {
		t.Error("nil report: no error")
	}
	if b.Len() != 0 {
		t.Errorf("a failed Write wrote %d bytes", b.Len())
	}
	for _, f := range Formats {
		if ContentType(f) == "" {
			t.Errorf("no content type for %s", f)
		}
	}
	if ContentType("pdf") != "" {
		t.Error("content type for an unknown format")
	}
}

// --- HTML structure ---------------------------------------------------

func parse(t testing.TB, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("HTML does not parse: %v", err)
	}
	return doc
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// text is a node's text as read: cells, items and paragraphs apart,
// inline elements run together.
func text(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		block := n.Type == html.ElementNode && blocks[n.Data]
		if block {
			b.WriteByte(' ')
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
		if block {
			b.WriteByte(' ')
		}
	}
	rec(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

var blocks = map[string]bool{"td": true, "th": true, "tr": true, "li": true, "p": true, "div": true, "br": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "section": true, "figure": true, "text": true, "title": true, "desc": true, "sup": true}

func byID(doc *html.Node, id string) *html.Node {
	var found *html.Node
	walk(doc, func(n *html.Node) {
		if v, ok := attr(n, "id"); ok && v == id && found == nil {
			found = n
		}
	})
	return found
}

// fixtureURLs are the links the report may carry: the vendor's tickets,
// incidents and maintenances.
func fixtureURLs(r *report.Report) map[string]bool {
	ok := map[string]bool{}
	add := func(u string) {
		if u != "" {
			ok[u] = true
		}
	}
	for _, v := range r.Vendors {
		for _, s := range v.SLA {
			for _, tk := range s.Worst {
				add(tk.URL)
			}
		}
		for _, tk := range v.Escalations {
			add(tk.URL)
		}
		for _, i := range v.Incidents {
			add(i.URL)
		}
		for _, m := range v.Maintenances {
			add(m.URL)
		}
		for _, d := range v.Drills {
			if d.Ticket != nil {
				add(d.Ticket.URL)
			}
		}
	}
	return ok
}

func TestHTMLSelfContained(t *testing.T) {
	r := fixture(t)
	out := render(t, r, "html")
	doc := parse(t, out)
	allowed := fixtureURLs(r)
	ids := map[string]int{}
	walk(doc, func(n *html.Node) {
		if v, ok := attr(n, "id"); ok {
			ids[v]++
		}
	})
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q used %d times", id, n)
		}
	}
	links := 0
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script", "link", "img", "iframe", "object", "embed", "image", "use", "video", "audio", "source", "base", "form":
			t.Errorf("element <%s> in a self-contained review", n.Data)
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			switch {
			case k == "src" || k == "srcset" || k == "xlink:href" || k == "action" || k == "poster":
				t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
			case strings.HasPrefix(k, "on"):
				t.Errorf("<%s %s=...>: an event handler", n.Data, a.Key)
			case k == "href":
				links++
				if frag, ok := strings.CutPrefix(a.Val, "#"); ok {
					if ids[frag] == 0 {
						t.Errorf("in-page link %q to no element", a.Val)
					}
				} else if n.Data != "a" || !allowed[a.Val] {
					t.Errorf("<%s href=%q>: not an in-page anchor nor a link of the report", n.Data, a.Val)
				}
			case k == "style" && strings.Contains(a.Val, "url("):
				t.Errorf("<%s style=%q>", n.Data, a.Val)
			}
		}
	})
	if links < 20 {
		t.Errorf("only %d links: the ticket and incident links are missing", links)
	}
	for _, bad := range []string{"url(", "@import", "http://www.w3.org", "<script", "javascript:"} {
		if strings.Contains(out, bad) {
			t.Errorf("the HTML contains %q", bad)
		}
	}
	// Every link to the vendor in the fixture is in the report.
	for u := range allowed {
		if !strings.Contains(out, `href="`+u+`"`) {
			t.Errorf("link %s missing", u)
		}
	}
}

func TestHTMLResponsiveAndPrintable(t *testing.T) {
	out := render(t, fixture(t), "html")
	for _, want := range []string{
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`<meta charset="utf-8">`,
		"@page { size: A4;",
		"@media print {",
		"section.vendor, section.footnotes { break-before: page; }",
		"thead { display: table-header-group; }",
		`a[href^="http"]::after { content: " (" attr(href) ")";`,
		"tr, .badge, svg.chart, figure { break-inside: avoid; }",
		".scroll { overflow-x: auto;",
		"@media (max-width: 600px)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// Every table sits in a horizontally scrolling box.
	doc := parse(t, out)
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "table" {
			if c, _ := attr(n.Parent, "class"); c != "scroll" {
				t.Errorf("a table outside .scroll (parent <%s class=%q>)", n.Parent.Data, c)
			}
		}
	})
}

// indicatorRow finds the five-dimension row of an indicator in a vendor's
// section.
func indicatorRow(t *testing.T, doc *html.Node, anchor, id string) string {
	t.Helper()
	sec := byID(doc, anchor)
	if sec == nil {
		t.Fatalf("no section %s", anchor)
	}
	var row *html.Node
	walk(sec, func(n *html.Node) {
		if v, ok := attr(n, "data-indicator"); ok && v == id {
			row = n
		}
	})
	if row == nil {
		t.Errorf("%s: no row for indicator %s", anchor, id)
		return ""
	}
	return text(row)
}

func TestHTMLEveryIndicator(t *testing.T) {
	r := fixture(t)
	doc := parse(t, render(t, r, "html"))
	for i, v := range r.Vendors {
		anchor := "v" + string(rune('1'+i))
		for _, in := range v.Indicators {
			row := indicatorRow(t, doc, anchor, in.ID)
			if !strings.Contains(row, in.Name) {
				t.Errorf("%s %s: row %q lacks the name", v.Name, in.ID, row)
			}
		}
	}
	// The side-by-side table lists every indicator of both vendors.
	cmp := text(byID(doc, "compare"))
	for _, v := range r.Vendors {
		for _, in := range v.Indicators {
			if !strings.Contains(cmp, in.Name) {
				t.Errorf("side by side lacks %s", in.Name)
			}
		}
	}
	// Every footnote, with its PromQL.
	notes := text(byID(doc, "notes"))
	for _, f := range r.Footnotes {
		if !strings.Contains(notes, f.Text) || !strings.Contains(notes, f.PromQL) {
			t.Errorf("footnote %s missing", f.ID)
		}
	}
}

// TestHTMLValues checks figures against strings computed by hand from the
// fixture.
func TestHTMLValues(t *testing.T) {
	doc := parse(t, render(t, fixture(t), "html"))
	rows := []struct{ anchor, id, want string }{
		// A volume moves without a verdict: 380 to 412.
		{"v1", "tickets_opened", "Tickets opened [1] 412 — — 380 ▲ +32 412"},
		// 4800 s, target 3600 s, previous 3900 s: 15 min slower.
		{"v1", "first_response_p90_urgent", "First response p90 (urgent) [3] 1 h 20 min ≤ 1 h ✗ missed 1 h 5 min ▲ +15 min (worse) 37"},
		// 12600 s against 14400 s, previous 16200 s: an hour faster.
		{"v1", "first_response_p90_high", "3 h 30 min ≤ 4 h ✓ met 4 h 30 min ▼ −1 h (better) 118"},
		// 190800 s = 53 h; target 2 d; previous 51 h: 4 of 35 breached, so
		// the p90 is past the target.
		{"v1", "resolution_p90_urgent", "2 d 5 h ≤ 2 d ✗ missed 2 d 3 h ▲ +2 h (worse) 35"},
		// 355/382 = 92.93%, previous 92.87%: both shown 92.9%, so the same.
		{"v1", "resolution_compliance", "92.9% ≥ 90.0% ✓ met 92.9% = ±0 (same) 382"},
		{"v1", "one_touch_rate", "42.0% — — 38.5% ▲ +3.5 pp (better) 388"},
		// 25/412 = 0.0607 against 0.05; previous 23/380 = 0.0605.
		{"v1", "reopen_rate", "0.06 ≤ 0.05 ✗ missed 0.06 = ±0 (same) 412"},
		{"v1", "rounds_mean", "2.35 — — 2.60 ▼ −0.25 (better)"},
		{"v1", "satisfaction", "91.2% ≥ 90.0% ✓ met 93.4% ▼ −2.2 pp (worse) 125"},
		// 401/416 = 96.39% (15 breaches: 4 + 2 + 9 by month); previous 98.11%.
		{"v1", "first_response_compliance", "96.4% ≥ 95.0% ✓ met 98.1% ▼ −1.7 pp (worse) 416"},
		// 2 of 3 maintenances with the agreed notice.
		{"v1", "maintenance_notice_compliance", "66.7% ≥ 100.0% ✗ missed 100.0% ▼ −33.3 pp (worse) 3"},
		// (6+1) + (3+1) + (11+1) + (1+1) gaps, the silence to the end included.
		{"v1", "incident_update_gap_p90", "45 min ≤ 30 min ✗ missed 40 min ▲ +5 min (worse) 25"},
		{"v1", "first_response_p90_off_hours", "7 h — — no data no data 64"},
		// Globex: a target but no value this quarter.
		{"v2", "first_response_p90_urgent", "no data ≤ 2 h no data 1 h 45 min no data 0"},
		{"v2", "satisfaction", "no data — — no data no data 0"},
		{"v2", "first_response_p90_high", "8 h 20 min ≤ 8 h ✗ missed no data no data 30"},
	}
	for _, c := range rows {
		if got := indicatorRow(t, doc, c.anchor, c.id); !strings.Contains(got, c.want) {
			t.Errorf("%s %s:\n got %q\nwant %q", c.anchor, c.id, got, c.want)
		}
	}
	acme, globex := text(byID(doc, "v1")), text(byID(doc, "v2"))
	for _, want := range []string{
		// SLA: 1 - 5/37 = 86.49%, 1 - 2/118 = 98.31%, 1 - 4/35 = 88.57%.
		"urgent First response ≤ 1 h for 95.0% 37 5 86.5% ✗ missed zendesk 48213: 5 h 21 min breached",
		"urgent Resolution ≤ 2 d for 90.0% 35 4 88.6% ✗ missed",
		// 1 - 17/160 = 89.38%.
		"normal Resolution ≤ 10 d for 90.0% 160 17 89.4% ✗ missed",
		"high First response ≤ 4 h for 95.0% 118 2 98.3% ✓ met",
		"high Resolution ≤ 5 d for 90.0% 110 0 100.0% ✓ met",
		// Incidents: 09:02 to 13:47, 18 min to the first post.
		"statuspage k7x2m9p4q1 API, Dashboard major 2026-07-12 09:02 UTC 2026-07-12 13:47 UTC 4 h 45 min 18 min 6 1 h 5 min 2026-07-16 15:00 UTC",
		// 01:14 to 06:30 the next day: 29 h 16 min.
		"critical 2026-09-09 01:14 UTC 2026-09-10 06:30 UTC 1 d 5 h 51 min customer noticed first 11 2 h none by the period's end",
		// One update after the first post, then silent from 2026-09-29 02:04
		// to the period's end: 45 h 56 min.
		"minor 2026-09-28 14:00 UTC open open 4 min 1 1 d 22 h none by the period's end",
		// Maintenances: 7.5 d, 14 h (short), 349.99 h.
		"2026-07-13 10:00 UTC 2026-07-20 22:00 UTC 7 d 12 h",
		"14 h short notice",
		"14 d 14 h",
		// Credits.
		// Inclusive last days; the first claim deadline was before the
		// report was generated (2026-10-02).
		"2026-07-01 – 2026-07-31 availability 99.94% 10.0% 2026-08-31 (passed)",
		"availability 99.99% 0.0% —",
		"availability 99.25% 25.0% 2026-10-31",
		"acme-support-response (response) termination right 2026-07-01 – 2026-09-30 high 98.3%, urgent 86.5% 5.0% 2026-10-31",
		// Drills.
		"drill-2026-07-18 2026-07-18 23:30 UTC off hours zendesk 47512 responded 41 min",
		"drill-2026-08-22 2026-08-22 03:00 UTC off hours zendesk 48577 timed out —",
		"drill-2026-09-19 2026-09-19 02:00 UTC off hours — ticket not created —",
		// Docs.
		"docs.acme.example 1843 2026-09-29 16:20 UTC 212 377 14 9",
		"kb.acme.example lastmod suspect 265 2026-06-02 08:00 UTC 265 0 0 0",
		// Escalations: 1091700 s = 303.25 h; 146880 s = 40.8 h.
		"zendesk 49310 high 2026-09-18 08:45 UTC 12 d 15 h",
		"zendesk 49502 urgent 2026-09-29 19:12 UTC 1 d 17 h",
		"Tickets opened 412 SLA clocks ended 798 Incidents 4 Maintenances 3",
	} {
		if !strings.Contains(acme, want) {
			t.Errorf("Acme lacks %q", want)
		}
	}
	for _, want := range []string{
		"Not configured: status page, agreements, drill, documentation, feature requests.",
		"Tickets opened 57 SLA clocks ended 30 Incidents not configured Maintenances not configured",
		"urgent First response ≤ 2 h for 95.0% 0 0 no data —",
		"freshdesk GX-1207: 17 h breached",
		"Incidents not configured",
		"Maintenances not configured",
		"Credits owed and claim deadlines not configured",
		"Off-hours drills not configured",
		"Documentation freshness not configured",
		"Vendor replies by hour of the week the ticket source gives no reply timeline",
		"Open escalations at the period's end none open at the period's end",
	} {
		if !strings.Contains(globex, want) {
			t.Errorf("Globex lacks %q", want)
		}
	}
	// A ticket without a URL is shown, not linked.
	if strings.Contains(render(t, fixture(t), "html"), `href=""`) {
		t.Error("an empty link")
	}
	head := text(doc)
	for _, want := range []string{
		"Service review: Acme Cloud, Globex",
		"Period: 2026Q3 (2026-07-01 – 2026-09-30), compared with the previous period 2026-03-31 – 2026-06-30.",
		"Generated 2026-10-02 08:15 UTC by support_exporter 0.9.0",
	} {
		if !strings.Contains(head, want) {
			t.Errorf("header lacks %q", want)
		}
	}
}

func TestHTMLCharts(t *testing.T) {
	r := fixture(t)
	doc := parse(t, render(t, r, "html"))
	var charts []*html.Node
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "svg" {
			charts = append(charts, n)
		}
	})
	// Acme: weekly urgent and high, monthly, timeline, heatmap; Globex:
	// weekly high, monthly.
	if len(charts) != 7 {
		t.Fatalf("%d charts, want 7", len(charts))
	}
	for _, c := range charts {
		if role, _ := attr(c, "role"); role != "img" {
			t.Errorf("chart without role=img")
		}
		lb, _ := attr(c, "aria-labelledby")
		parts := strings.Fields(lb)
		if len(parts) != 2 {
			t.Errorf("aria-labelledby %q", lb)
			continue
		}
		title, desc := byID(doc, parts[0]), byID(doc, parts[1])
		if title == nil || title.Data != "title" || desc == nil || desc.Data != "desc" || text(title) == "" {
			t.Errorf("chart %s: no accessible title and description", parts[0])
		}
		if _, ok := attr(c, "viewBox"); !ok {
			t.Error("chart without viewBox (does not scale)")
		}
	}
	all := text(byID(doc, "v1"))
	for _, want := range []string{
		"First response by week, priority urgent", "week starting (UTC, month-day, 2026)", "p50 (median)", "target 1 h",
		"SLA compliance by month", "objective", "Incidents across the period", "critical", "major", "minor",
		"Vendor replies by hour of the week", "Mon", "Sun",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("charts lack %q", want)
		}
	}
	// The heatmap's cells carry the fixture's counts.
	var total uint64
	for _, d := range r.Vendors[0].Charts.RepliesByHour {
		for _, c := range d {
			total += c
		}
	}
	if !strings.Contains(all, "Acme Cloud: "+u(total)+" public replies") {
		t.Errorf("heatmap description lacks the total %d", total)
	}
}

func TestHostileNames(t *testing.T) {
	r := fixture(t)
	evil := `<script>alert(1)</script>`
	r.Vendors[0].Name = evil
	r.Vendors[0].SLA[0].Worst[0].ID = `"><script>alert(2)</script>`
	r.Vendors[0].SLA[0].Worst[1].URL = `javascript:alert(3)`
	r.Vendors[0].Incidents[0].ID = `<img src=x onerror=alert(4)>`
	r.Vendors[0].Indicators[0].Name = `x</td><script>alert(5)</script>`
	r.Vendors[1].Name = `Globex | *bold* [x](javascript:alert(6))`
	r.Footnotes[0].PromQL = "</code><script>alert(7)</script>`x`"
	out := render(t, r, "html")
	if strings.Contains(out, "<script") || strings.Contains(out, "<img") || strings.Contains(out, `="javascript:`) {
		t.Error("hostile text reached the HTML unescaped")
	}
	doc := parse(t, out)
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "img") {
			t.Errorf("<%s> element from report text", n.Data)
		}
	})
	all := text(doc)
	for _, want := range []string{evil, `"><script>alert(2)</script>`, `<img src=x onerror=alert(4)>`} {
		if !strings.Contains(all, want) {
			t.Errorf("the text %q is not shown as text", want)
		}
	}
	md := render(t, r, "md")
	code := "`` </code><script>alert(7)</script>`x` ``" // inert inside a code span
	if !strings.Contains(md, code) {
		t.Error("PromQL with backticks not kept in one code span")
	}
	outside := strings.ReplaceAll(md, code, "")
	for _, bad := range []string{"<script", "<img", "](javascript:", "| *bold*"} {
		if regexp.MustCompile(`(^|[^\\])` + regexp.QuoteMeta(bad)).MatchString(outside) {
			t.Errorf("Markdown contains %q", bad)
		}
	}
	checkTables(t, md)
}

// --- Markdown ---------------------------------------------------------

var cellSplit = regexp.MustCompile(`(^|[^\\])\|`)

// checkTables asserts every GFM table row has as many cells as its header.
func checkTables(t *testing.T, md string) {
	t.Helper()
	want := -1
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = -1
			continue
		}
		n := len(cellSplit.FindAllStringIndex(line, -1))
		if want < 0 {
			want = n
		} else if n != want {
			t.Errorf("Markdown line %d has %d pipes, its header %d: %q", i+1, n, want, line)
		}
	}
}

func TestMarkdown(t *testing.T) {
	r := fixture(t)
	md := render(t, r, "md")
	checkTables(t, md)
	for _, want := range []string{
		"# Service review: Acme Cloud, Globex",
		"## Side by side",
		"| Volume | Incidents | 4 | not configured |",
		"| Response speed | First response p90 (urgent)[^3] | 1 h 20 min ✗ missed | no data |",
		"| Response speed | First response p90 (urgent)[^3] | 1 h 20 min | ≤ 1 h | ✗ missed | 1 h 5 min | ▲ +15 min (worse) | 37 |",
		"| Response speed | Tickets opened[^1] | 412 | — | — | 380 | ▲ +32 | 412 |",
		"| Resolution | Reopens per ticket opened[^9] | 0.06 | ≤ 0.05 | ✗ missed | 0.06 | = ±0 (same) | 412 |",
		"| 4. [statuspage p9q8r7s6t5](https://status.acme.example/incidents/p9q8r7s6t5) (Dashboard) | minor | 2026-09-28 14:00 UTC | open | open | 4 min | 1 | 1 d 22 h |",
		"| acme-enterprise-sla (availability) | 2026-07-01 – 2026-07-31 | availability 99.94% | 10.0% | 2026-08-31 (passed) |",
		"Hours in the vendor's calendar zone (Europe/Berlin).",
		"| Priority | Target | Objective (SLA clock) | Clocks | Breaches | Compliance | Worst tickets (SLA clock) |",
		"[zendesk 48213](https://acme.zendesk.com/agent/tickets/48213): 5 h 21 min (breached)",
		"freshdesk GX-1166: 8 h 37 min (breached)",
		// 110 of 123 clocks: 89.43%.
		"| 2026-09 | Resolution | 89.4% | 90.0% | 123 |",
		"| 2026-08 | First response | no data | 95.0% | 0 |",
		"_not configured_",
		"_none open at the period's end_",
		"| Mon | ",
		"[^2]: Median time to the vendor's first public reply",
		"PromQL: `histogram_quantile(0.5, sum by (le) (increase(support_ticket_first_response_seconds_bucket{vendor=\"$vendor\",priority=\"urgent\"}[$__range])))`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if strings.Contains(md, "<svg") {
		t.Error("charts in the Markdown")
	}
	for _, in := range r.Vendors[0].Indicators {
		if !strings.Contains(md, md2(in.Name)) {
			t.Errorf("Markdown lacks indicator %s", in.ID)
		}
	}
}

func md2(s string) string { return mdEscaper.Replace(s) }

func TestSoFar(t *testing.T) {
	r := fixture(t)
	if strings.Contains(render(t, r, "html"), "so far") {
		t.Error("an ended period called so far")
	}
	r.Period.To = r.Generated
	for _, f := range []string{"html", "md"} {
		if out := render(t, r, f); !strings.Contains(out, "so far: the period is cut at 2026-10-02 08:15 UTC, when the report was generated") {
			t.Errorf("%s: a period cut at the report's making does not say so", f)
		}
	}
}

func TestSideBySideGroups(t *testing.T) {
	doc := parse(t, render(t, fixture(t), "html"))
	var heads []string
	walk(byID(doc, "compare"), func(n *html.Node) {
		if c, _ := attr(n, "class"); n.Data == "tr" && c == "dim" {
			heads = append(heads, text(n))
		}
	})
	want := []string{"Volume", "Response speed", "Resolution", "Professionalism", "Communication", "Proactivity"}
	if !reflect.DeepEqual(heads, want) {
		t.Errorf("side-by-side groups %q, want %q", heads, want)
	}
	cmp := text(byID(doc, "compare"))
	for _, row := range []string{
		"Incidents 4 not configured",
		"Maintenances 3 not configured",
		"First response p90 (urgent) [3] 1 h 20 min ✗ no data",
		"First response p90 (high) [4] 3 h 30 min ✓ 8 h 20 min ✗",
		"Incidents the vendor noticed first [15] 75.0% —",
	} {
		if !strings.Contains(cmp, row) {
			t.Errorf("side by side lacks %q", row)
		}
	}
}

// A volume figure the builder also gives as an indicator is listed once,
// as the indicator (with its footnote).
func TestSideBySideVolumeOnce(t *testing.T) {
	r := fixture(t) // both vendors have tickets_opened as an indicator
	cmp := text(byID(parse(t, render(t, r, "html")), "compare"))
	if c := strings.Count(cmp, "Tickets opened"); c != 1 {
		t.Errorf("Tickets opened %d times side by side", c)
	}
	if !strings.Contains(cmp, "Tickets opened [1] 412 57") {
		t.Errorf("the indicator row: %q", cmp)
	}
	// Without the indicator, the volume row.
	for i := range r.Vendors {
		r.Vendors[i].Indicators = slices.DeleteFunc(r.Vendors[i].Indicators, func(in report.Indicator) bool { return in.ID == "tickets_opened" })
	}
	cmp = text(byID(parse(t, render(t, r, "html")), "compare"))
	if !strings.Contains(cmp, "Volume Tickets opened 412 57") {
		t.Errorf("the volume row: %q", cmp)
	}
}

// More vendors than an A4 page holds across are shown in several tables
// of even widths, every row in each.
func TestSideBySideParts(t *testing.T) {
	for n, want := range map[int][]int{2: {2}, 5: {5}, 6: {3, 3}, 7: {4, 3}, 10: {5, 5}, 11: {4, 4, 3}} {
		c := &compareView{Rows: []compareRow{{Name: "a"}, {Name: "b"}}}
		for i := 0; i < n; i++ {
			c.Vendors = append(c.Vendors, string(rune('A'+i)))
			for r := range c.Rows {
				c.Rows[r].Cells = append(c.Rows[r].Cells, compareCell{Value: string(rune('A' + i))})
			}
		}
		var got []int
		var seen string
		for _, p := range splitCompare(c, compareWidth) {
			got = append(got, len(p.Vendors))
			for _, r := range p.Rows {
				if len(r.Cells) != len(p.Vendors) {
					t.Errorf("%d vendors: a row of %d cells under %d vendors", n, len(r.Cells), len(p.Vendors))
				}
			}
			seen += strings.Join(p.Vendors, "")
			if p.Rows[1].Cells[0].Value != p.Vendors[0] {
				t.Errorf("%d vendors: cells cut apart from their vendors", n)
			}
		}
		if !reflect.DeepEqual(got, want) || len(seen) != n {
			t.Errorf("%d vendors: parts %v (%q), want %v", n, got, seen, want)
		}
	}
	r := fixture(t)
	for len(r.Vendors) < 7 {
		r.Vendors = append(r.Vendors, r.Vendors[len(r.Vendors)%2])
	}
	doc := parse(t, render(t, r, "html"))
	tables := 0
	walk(byID(doc, "compare"), func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "table" {
			tables++
		}
	})
	if tables != 2 {
		t.Errorf("7 vendors side by side in %d tables, want 2", tables)
	}
}
