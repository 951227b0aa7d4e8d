package dashboards

import (
	"fmt"

	"github.com/support-exporter/support_exporter/alerts"
)

// Small PromQL writers, so the dashboard files read as what they show.
// Each takes the label matchers already rendered by selectors.

// sumBy aggregates expr keeping only the given labels, which also drops any
// label the selector added (job, instance) so series line up across queries.
func sumBy(labels, expr string) string {
	return fmt.Sprintf("sum by (%s) (%s)", labels, expr)
}

// maxBy is sumBy for gauges that must not add up, such as configured targets.
func maxBy(labels, expr string) string {
	return fmt.Sprintf("max by (%s) (%s)", labels, expr)
}

// increase is the growth of a counter over a range such as "$window".
func increase(metric, matchers, window string) string {
	return fmt.Sprintf("increase(%s%s[%s])", metric, matchers, window)
}

// countOver sums a counter's growth over the window, by labels, every
// replica's series added: for the exporter's own work (requests, failed
// syncs), which each replica of an HA pair does. The methods below read
// the vendors' numbers.
func countOver(labels, metric, matchers, window string) string {
	return sumBy(labels, increase(metric, matchers, window))
}

// The same writers reading an HA pair's replicas once (docs/ha.md): each
// series is read through max without (the alerts Config's ReplicaLabels)
// before it is summed, as the rules do, so one exporter, shards and an HA
// pair show the same numbers. maxBy needs no such step. ratioOver divides
// two counters' growth over the same window, quantileOver estimates
// quantile q of a histogram (the exporter adds every SLA target to the
// buckets, so a target read from here is exact), meanOver is a histogram's
// mean.

func (s selectors) dedupe(expr string) string {
	return alerts.DedupeReplicas(s.cfg, expr)
}

func (s selectors) sumBy(labels, expr string) string {
	return sumBy(labels, s.dedupe(expr))
}

// gauge reads a gauge of the vendors' numbers (open tickets, breaching
// tickets, open incidents, contract gauges...) from each vendor's freshest
// replica, as the rules do (alerts.DedupeReplicaGauge, docs/ha.md): a
// replica whose source fails serves its last values, which a max would
// read for as long as the failure lasts. The replicas are ranked by the
// sources of the vendors and scope the panel shows. Counters, histograms
// and timestamps that only grow keep dedupe; the exporter's own gauges
// (support_source_*, support_store_items) and the configured ones (SLA
// objective, targets, tiers) are read by maxBy as before.
func (s selectors) gauge(expr string) string {
	return alerts.DedupeReplicaGauge(s.cfg, expr, append(s.scope(), vendorMatcher)...)
}

// gaugeSumBy is sumBy over a gauge read by gauge.
func (s selectors) gaugeSumBy(labels, expr string) string {
	return sumBy(labels, s.gauge(expr))
}

// gaugeMaxBy is maxBy over a gauge read by gauge.
func (s selectors) gaugeMaxBy(labels, expr string) string {
	return maxBy(labels, s.gauge(expr))
}

func (s selectors) countOver(labels, metric, matchers, window string) string {
	return s.sumBy(labels, increase(metric, matchers, window))
}

func (s selectors) ratioOver(labels, numerator, denominator, matchers, window string) string {
	return s.countOver(labels, numerator, matchers, window) + " / " + s.countOver(labels, denominator, matchers, window)
}

func (s selectors) quantileOver(q, labels, histogram, matchers, window string) string {
	return fmt.Sprintf("histogram_quantile(%s, %s)", q, s.countOver(labels+", le", histogram+"_bucket", matchers, window))
}

func (s selectors) meanOver(labels, histogram, matchers, window string) string {
	return s.ratioOver(labels, histogram+"_sum", histogram+"_count", matchers, window)
}
