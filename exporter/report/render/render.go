// Package render draws the periodic service review (exporter/report) as
// one self-contained HTML file, as Markdown for a wiki, or as JSON.
//
// The HTML is made with html/template from one embedded template and one
// embedded stylesheet: system fonts, inline CSS, inline SVG, no script,
// and no URL but in-page anchors and the links to the vendor's own tickets,
// incidents and maintenances (which a reader may follow, the page never
// fetches). It is responsive (viewport meta, tables scroll sideways on a
// phone, charts scale) and prints to A4 (@page, a page per vendor, header
// rows repeated, rows and charts not split, link targets printed, cells
// wrap and long ids break so no table is wider than the page; the side by
// side comes in tables of at most five vendors for the same reason).
//
// The charts are plain SVG written by this package (svg.go), not
// github.com/go-analyze/charts. v0.6.4 was checked: it renders SVG
// without a network and has line, bar and heat-map charts, but
//   - it has no timeline (bars from a start to an end per row), so the
//     incidents picture would be hand-written SVG anyway;
//   - it lays text out with metrics of its embedded fonts (through
//     github.com/golang/freetype and golang.org/x/image), adding four
//     modules to the exporter for four charts, while the browser draws
//     the text in whatever font it has, so the measured layout does not
//     hold;
//   - its SVG has no <title>/<desc> or role, which the accessible charts
//     need, and styles are inline attributes rather than classes a print
//     stylesheet can adjust.
//
// Four chart shapes in one file of about 450 lines give exact control: every text
// escaped, every number formatted with fixed precision (the output is byte
// for byte stable, which the golden tests check), a visible title, axis
// labels and a legend in each chart, and a text label or <title> on every
// mark so the charts read in greyscale print.
//
// Every figure is formatted once (format.go) into a view (view.go) that
// both the HTML and the Markdown read: durations as "1 h 20 min", ratios as
// percentages, instants in UTC ISO form, a nil value as "no data" and a
// section the vendor has not configured as "not configured". Periods
// and contract periods show their inclusive last day ("2026-07-01 –
// 2026-09-30"); a value that misses its target gets the decimals it takes
// never to read equal to it; a change too small to show is "=". The JSON
// is the model as is, but NaN/Inf (which the builder never emits) are
// written as null rather than failing the review (jsonsafe.go).
package render

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"

	"github.com/support-exporter/support_exporter/exporter/report"
)

// Formats are the formats Write knows, the first the default.
var Formats = []string{"html", "md", "json"}

// ContentType is the HTTP Content-Type of a format ("" for an unknown one).
func ContentType(format string) string {
	switch format {
	case "html":
		return "text/html; charset=utf-8"
	case "md":
		return "text/markdown; charset=utf-8"
	case "json":
		return "application/json"
	}
	return ""
}

// Write renders r in format to w. Nothing is written when rendering fails.
func Write(w io.Writer, r *report.Report, format string) error {
	if r == nil {
		return errors.New("render: no report")
	}
	var buf bytes.Buffer
	var err error
	switch format {
	case "html":
		err = writeHTML(&buf, r)
	case "md":
		err = writeMarkdown(&buf, r)
	case "json":
		err = writeJSON(&buf, r)
	default:
		return fmt.Errorf("render: unknown format %q (one of html, md, json)", format)
	}
	if err != nil {
		return fmt.Errorf("render %s: %w", format, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

var (
	//go:embed report.html.tmpl
	htmlSource string
	//go:embed style.css
	styleSource string

	htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
		"inc": func(n int) int { return n + 1 },
	}).Parse(htmlSource))
)

func writeHTML(w io.Writer, r *report.Report) error {
	v := buildView(r)
	return htmlTemplate.Execute(w, struct {
		view
		CSS template.CSS
	}{v, template.CSS(styleSource)}) // our own embedded stylesheet
}
