package exposition

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The self-monitoring series the alerts scale and watch (docs/metrics.md,
// "The exporter itself"): each source's configured poll interval, which
// SupportSourceStale measures a source's age against, and when the
// configuration last loaded, as prometheus_config_last_reload_success_timestamp_seconds
// and alertmanager_config_last_reload_success_timestamp_seconds are.
var (
	pollIntervalDesc = prometheus.NewDesc("support_source_poll_interval_seconds",
		"Configured poll interval of the source (poll_interval): how often it syncs, give or take 10% jitter.",
		[]string{"vendor", "source"}, nil)
	reloadSuccessDesc = prometheus.NewDesc("support_exporter_config_last_reload_success_timestamp_seconds",
		"When (Unix seconds) the running configuration was loaded: at start, then at each successful reload.", nil, nil)
)

// ReloadTimer is a State that knows when its configuration last loaded
// successfully; a State without it serves no reload timestamp.
type ReloadTimer interface {
	LastReloadSuccess() time.Time // zero before the first
}

func describeSelf(ch chan<- *prometheus.Desc) {
	ch <- pollIntervalDesc
	ch <- reloadSuccessDesc
}

// collectReload sends the reload timestamp, once a configuration loaded.
func (c *Collector) collectReload(ch chan<- prometheus.Metric) {
	if r, ok := c.state.(ReloadTimer); ok {
		if at := r.LastReloadSuccess(); !at.IsZero() {
			ch <- prometheus.MustNewConstMetric(reloadSuccessDesc, prometheus.GaugeValue, timestamp(at))
		}
	}
}

// collectPollInterval sends a source's poll interval, when it has one.
func collectPollInterval(ch chan<- prometheus.Metric, s SourceStatus) {
	if s.PollInterval > 0 {
		ch <- prometheus.MustNewConstMetric(pollIntervalDesc, prometheus.GaugeValue, s.PollInterval.Seconds(), s.Vendor, s.Source)
	}
}
