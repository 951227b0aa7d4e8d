package main

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/webhook"
)

var landingTmpl = template.Must(template.New("landing").Funcs(template.FuncMap{
	"code": codeSpans,
	"ago": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return time.Since(t).Round(time.Second).String() + " ago"
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>support_exporter</title>
<style>
body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.up{color:#060}.down{color:#b00}
</style></head>
<body>
<h1>support_exporter</h1>
<p>Measures vendors' technical-support quality from their ticket APIs and status pages. Version {{.Version}}.</p>
<ul>
<li><a href="{{.Metrics}}">Metrics</a></li>
<li><a href="-/healthy">Health</a> · <a href="-/ready">Readiness</a></li>
<li>Alertmanager webhook: <code>POST {{.Webhook}}</code></li>
</ul>
{{template "report-form" .Report}}
<h2>Sources</h2>
<table>
<tr><th>Vendor</th><th>Source</th><th>Kind</th><th>State</th><th>Last sync</th><th>Last success</th><th>Last error</th></tr>
{{range .Sources}}<tr>
<td>{{.Vendor}}</td><td>{{.Source}}</td><td>{{.Kind}}</td>
<td>{{if .LastSync.IsZero}}syncing{{else if .Up}}<span class="up">up</span>{{else}}<span class="down">down</span>{{end}}</td>
<td>{{ago .LastSync}}</td><td>{{ago .LastSuccess}}</td><td>{{.LastError}}</td>
</tr>{{end}}
</table>
<h2>Source kinds</h2>
<p>What a vendor's <code>tickets</code> and <code>status_pages</code> may poll (docs/sources.md).</p>
<table>
<tr><th>Kind</th><th>API</th><th>Feeds</th><th>Credentials</th><th>Own keys</th></tr>
{{range .Kinds}}<tr><td><code>{{.Name}}</code></td><td>{{.Title}}</td><td>{{.Feeds}} (<code>{{.Feeds.List}}</code>)</td><td>{{code .Credentials.Doc}}</td>
<td>{{range .Keys}}<code>{{.Name}}</code>{{with .Default}} (default <code>{{.}}</code>){{end}}: {{code .Doc}}<br>{{end}}</td></tr>
{{end}}</table>
</body></html>
`))

// codeSpans renders a declaration's text, whose `code` spans are
// Markdown's (docs/sources.md is generated from the same text), as HTML.
func codeSpans(text string) template.HTML {
	var b strings.Builder
	for i, part := range strings.Split(text, "`") {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(part) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(part))
		}
	}
	return template.HTML(b.String())
}

// landingPage lists every source with its kind, last sync, state and last
// error, and the kinds there are (collectors.Kinds). Errors are the classified fetch errors, which carry URLs without
// query strings and never credentials.
func landingPage(exp *exporter.Exporter, metricsPath string, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err := landingTmpl.Execute(w, struct {
			Version, Metrics, Webhook string
			Sources                   []exposition.SourceStatus
			Kinds                     config.Kinds
			Report                    reportForm
		}{buildVersion(), metricsPath, webhook.Path, exp.SourceStatuses(), collectors.Kinds.Config(), newReportForm(exp)})
		if err != nil {
			logger.Error("rendering landing page", "err", err)
		}
	})
}
