package alerts

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// exporterLabels are the label names of the exporter's own series
// (docs/metrics.md, checked by TestExporterLabelsMatchMetricsDoc) and of
// the recorded ones: a replica label among them would merge what the rules
// tell apart (two vendors, two priorities, two buckets).
var exporterLabels = []string{
	"age", "agreement", "branch", "code", "component", "first", "goarch", "goos", "goversion", "hour", "hours",
	"impact", "kind", "le", "outcome", "period", "priority", QuantileLabel, "rating", "reason", "result", "revision",
	"source", "state", "status", "tags", "target", "tier", "vendor", "version", "weekday",
}

// validateReplicaLabels checks Config.ReplicaLabels: label names, once
// each, neither the selector's (which every aggregation keeps) nor the
// exporter's own.
func (c Config) validateReplicaLabels() error {
	var errs []error
	kept, _ := selectorLabels(c.Selector) // Validate reports a bad selector
	for i, l := range c.ReplicaLabels {
		switch {
		case l == "" || strings.HasPrefix(l, "__") || !isLabelName(l):
			errs = append(errs, fmt.Errorf("%q is not a label name", l))
		case slices.Contains(c.ReplicaLabels[:i], l):
			errs = append(errs, fmt.Errorf("%q is listed twice", l))
		case slices.Contains(kept, l):
			errs = append(errs, fmt.Errorf("%q is a label of the selector, which every rule keeps", l))
		case slices.Contains(exporterLabels, l):
			errs = append(errs, fmt.Errorf("%q is a label of the exporter's series: dropping it would merge them", l))
		}
	}
	return errors.Join(errs...)
}

func isLabelName(s string) bool {
	for i := range len(s) {
		if !isNameByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

// dedupe reads expr once per set of replicas: the highest of the values
// the replicas of an HA pair serve for the same series (docs/ha.md). Both
// poll the same vendor with the same configuration, so they differ only by
// the lag between their polls, and the highest is the replica further
// along: for a counter's increase, the one that has seen more; for a
// timestamp, the newer one. Shards and a lone exporter have one replica per
// series, which max leaves as it is. Without replica labels, expr as it
// is.
func (q promql) dedupe(expr string) string {
	if len(q.cfg.ReplicaLabels) == 0 {
		return expr
	}
	return fmt.Sprintf("max without (%s) (%s)", strings.Join(q.cfg.ReplicaLabels, ", "), expr)
}

// DedupeReplicas is dedupe for the dashboards: expr read once per set of
// replicas under cfg.ReplicaLabels.
func DedupeReplicas(cfg Config, expr string) string {
	return promql{cfg: cfg}.dedupe(expr)
}

// FreshnessMetric is the series dedupeGauge ranks the replicas by: each
// source's end of its last successful sync, 0 before the first; frozen
// while the source fails.
const FreshnessMetric = "support_source_last_success_timestamp_seconds"

// pollIntervalMetric is each source's configured poll interval, the unit
// dedupeGauge counts a source's lag in; defaultPollSeconds stands in for
// it where an exporter does not serve it (older versions): poll_interval's
// default (docs/configuration.md).
const (
	pollIntervalMetric = "support_source_poll_interval_seconds"
	defaultPollSeconds = 300
)

// dedupeGauge is dedupe for gauges, which go down as well as up (open
// tickets, tickets breaching their SLA, open escalations, the "oldest"
// timestamps that drop to 0, the contract gauges). A replica whose source
// fails serves its last values until it syncs again, and the max would read
// them for as long as the failure lasts: an escalation closed at the vendor
// would still count as open (docs/ha.md, "Gauges: the freshest replica").
// So each vendor's gauge is read from one replica, the one least behind:
// the highest sum, over the vendor's sources, of the source's lag in its
// own poll intervals ((last success - time()) / poll interval, negative),
// topk per vendor; the max then collapses that replica's series as dedupe
// does. In polls, not seconds, and summed, not the stalest source's: a
// source polled hourly, or failing on both replicas (the vendor's outage),
// then weighs the same on both, and a failure on one replica only costs
// that replica one more unit per missed poll, whatever the other sources
// do. A source never synced (0) weighs about as much as the epoch, so a
// replica restarted on an old store is not read until it synced. A vendor
// without any FreshnessMetric series (a backfilled history writes the
// gauges but none of the exporter's own series) is read as dedupe reads
// it, from every replica. matchers narrow the selectors of the ranking (a
// dashboard's scope); the gauge's own matchers (priority, target) are no
// labels of it. Without replica labels, expr as it is.
//
// The choice is per vendor, not per (vendor, source): the ticket and status
// gauges carry no source label to match a source's own timestamp by, and
// one replica per vendor keeps a panel's gauges (pages and stale pages,
// their ratio) from two replicas apart.
func (q promql) dedupeGauge(expr string, matchers ...string) string {
	if len(q.cfg.ReplicaLabels) == 0 {
		return expr
	}
	return GaugeFromFreshest(q.cfg.ReplicaLabels, q.by("vendor"), expr, q.sel(FreshnessMetric, matchers...))
}

// GaugeFromFreshest writes dedupeGauge's expression: replicas are the
// replica labels, byVendor the kept labels then vendor (promql.by), fresh
// the FreshnessMetric selector (the poll interval's is the same selector
// on pollIntervalMetric). Exported for the mixin generator, which
// recognizes the shape in the rendered rules; rules and dashboards call
// dedupeGauge and DedupeReplicaGauge.
//
//	max without (R) (
//	  ((expr) and on (K, vendor, R) topk by (K, vendor) (1, sum by (K, vendor, R) (
//	    ((fresh - time()) / ignoring (kind) polls) or ignoring (kind) ((fresh - time()) / 300)
//	  )))
//	  or ((expr) unless on (K, vendor) fresh)
//	)
//
// on one line. A replica label absent on both sides of the and matches on
// the empty value; topk keeps its series' labels (K, vendor, R); the poll
// interval has no kind label, which the division and the or ignore.
func GaugeFromFreshest(replicas []string, byVendor, expr, fresh string) string {
	r := strings.Join(replicas, ", ")
	polls := strings.Replace(fresh, FreshnessMetric, pollIntervalMetric, 1)
	lag := fmt.Sprintf("((%[1]s - time()) / ignoring (kind) %[2]s) or ignoring (kind) ((%[1]s - time()) / %[3]d)", fresh, polls, defaultPollSeconds)
	return fmt.Sprintf("max without (%[1]s) (((%[3]s) and on (%[2]s, %[1]s) topk by (%[2]s) (1, sum by (%[2]s, %[1]s) (%[5]s))) or ((%[3]s) unless on (%[2]s) %[4]s))",
		r, byVendor, expr, fresh, lag)
}

// DedupeReplicaGauge is dedupeGauge for the dashboards: a gauge read from
// each vendor's freshest replica under cfg.ReplicaLabels, the
// FreshnessMetric selector narrowed by matchers. cfg is valid (Validate).
func DedupeReplicaGauge(cfg Config, expr string, matchers ...string) string {
	return promql{cfg: cfg, keep: keptLabels(cfg)}.dedupeGauge(expr, matchers...)
}
