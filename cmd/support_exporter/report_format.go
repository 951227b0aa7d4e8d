package main

// TEMPORARY adapter until exporter/report/render lands (branch
// wt-report-render): the same three functions, JSON only.

import (
	"encoding/json"
	"fmt"
	"html"
	"io"

	"github.com/support-exporter/support_exporter/exporter/report"
)

var reportFormats = []string{"html", "md", "json"}

func writeReport(w io.Writer, r *report.Report, format string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if format == "html" {
		_, err = fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Service review</title></head><body><pre>%s</pre></body></html>\n", html.EscapeString(string(b)))
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func reportContentType(format string) string {
	switch format {
	case "html":
		return "text/html; charset=utf-8"
	case "md":
		return "text/markdown; charset=utf-8"
	}
	return "application/json"
}
