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
