package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter"
	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/exporter/webhook"
)

// scrapeHandler GETs /metrics from h with the given Accept (gzip asked)
// and returns the decompressed body.
func scrapeHandler(t *testing.T, h http.Handler, accept string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", accept)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	body := io.Reader(rec.Body)
	if rec.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// servedFamilies are the families /metrics serves in the text format,
// sorted by name as the registry sorts them.
func servedFamilies(t *testing.T, h http.Handler) []*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	byName, err := p.TextToMetricFamilies(strings.NewReader(scrapeHandler(t, h, "text/plain;version=0.0.4")))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*dto.MetricFamily, 0, len(byName))
	for _, mf := range byName {
		out = append(out, mf)
	}
	slices.SortFunc(out, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return out
}

// checkServedEqualsRegistry: in the text format and in OpenMetrics, the
// cached handler serves byte for byte what promhttp serves over the whole
// registry, but for the Go runtime's and the process' families, which
// move between two scrapes.
func checkServedEqualsRegistry(t *testing.T, served, reg http.Handler) {
	t.Helper()
	for _, accept := range []string{"text/plain;version=0.0.4",
		"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"} {
		got, want := withoutRuntime(scrapeHandler(t, served, accept)), withoutRuntime(scrapeHandler(t, reg, accept))
		if got != want {
			t.Errorf("Accept %s: /metrics differs from promhttp over the registry:\n%s", accept,
				unifiedDiff("promhttp", "served", lines(want), lines(got), 3, 40))
		}
	}
}

func withoutRuntime(text string) string {
	var out bytes.Buffer
	for l := range strings.Lines(text) {
		name := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(l, "# HELP "), "# TYPE "), "# UNIT ")
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
			continue
		}
		out.WriteString(l)
	}
	return out.String()
}

// checkServed: the exposition served at /metrics equals the golden one
// rendered from newRegistry, and is byte for byte promhttp's over it
// (checkServedEqualsRegistry).
func checkServed(t *testing.T, exp *exporter.Exporter, alerts *webhook.Handler, logger *slog.Logger, golden []*dto.MetricFamily) {
	t.Helper()
	h := newMetricsHandler(exp, alerts, logger, true, exposition.Options{})
	if got, want := renderGolden(t, servedFamilies(t, h)), renderGolden(t, golden); got != want {
		t.Errorf("/metrics differs from the registry's exposition:\n%s", unifiedDiff("registry", "/metrics", lines(want), lines(got), 3, 40))
	}
	checkServedEqualsRegistry(t, h, promhttp.HandlerFor(newRegistry(exp, alerts), promhttp.HandlerOpts{EnableOpenMetrics: true}))
}

// TestDisableExporterMetrics: --web.disable-exporter-metrics leaves go_*
// and process_* out, and nothing else; before the first snapshot the
// handler serves the live part alone.
func TestDisableExporterMetrics(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logger := slog.New(slog.DiscardHandler)
	exp := exporter.New(t.Context(), exporter.Options{Logger: logger, Store: st, Now: func() time.Time { return goldenClock }})
	defer exp.Stop()
	alerts := webhook.New(exp, logger)
	for _, runtime := range []bool{true, false} {
		text := scrapeHandler(t, newMetricsHandler(exp, alerts, logger, runtime, exposition.Options{}), "")
		for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
			if got := strings.Contains(text, "\n"+name+" "); got != runtime {
				t.Errorf("runtime metrics %t: %s served: %t", runtime, name, got)
			}
		}
		for _, name := range []string{"support_exporter_build_info", "support_exporter_config_last_reload_successful"} {
			if !strings.Contains(text, "# TYPE "+name+" gauge") {
				t.Errorf("runtime metrics %t: %s not served", runtime, name)
			}
		}
	}
}
