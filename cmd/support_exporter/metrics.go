package main

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	promcollectors "github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	dto "github.com/prometheus/client_model/go"

	"github.com/support-exporter/support_exporter/exporter"
	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/scrapecache"
	"github.com/support-exporter/support_exporter/exporter/webhook"
)

// newMetricsHandler serves what newRegistry holds, the snapshot's series
// encoded once per snapshot (exporter/scrapecache): the rest (the sources'
// sync state, the alerts received, build_info, the Go runtime and the
// process, left out without runtime: --web.disable-exporter-metrics) is
// gathered at every scrape, once for the scrapes that arrive together. o
// says how the support_* metrics are served (--metrics.native-histograms).
func newMetricsHandler(exp *exporter.Exporter, alerts *webhook.Handler, logger *slog.Logger, runtime bool, o exposition.Options) http.Handler {
	c := exposition.NewWith(exp, o)
	live := prometheus.NewRegistry()
	live.MustRegister(c.Live(), alerts, versioncollector.NewCollector(name))
	if runtime {
		live.MustRegister(
			promcollectors.NewGoCollector(),
			promcollectors.NewProcessCollector(promcollectors.ProcessCollectorOpts{}),
		)
	}
	frozen := func() (any, prometheus.Gatherer) {
		snap := exp.Snapshot()
		return snap, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
			reg := prometheus.NewRegistry()
			if err := reg.Register(c.Snapshot(snap)); err != nil {
				return nil, err
			}
			return reg.Gather()
		})
	}
	return scrapecache.New(live, frozen, scrapecache.Options{ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError), CoalesceLive: true})
}
