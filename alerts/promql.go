package alerts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// promql writes the expressions of one Config: every selector carries the
// configured matchers and every aggregation keeps the labels they name (and
// Config.ClusterLabel when set), so
// that rules from two configurations never collide and the selector picks
// recorded series too.
type promql struct {
	cfg  Config
	keep []string
}

func newPromQL(cfg Config) (promql, error) {
	if err := cfg.Validate(); err != nil {
		return promql{}, fmt.Errorf("alerts config: %w", err)
	}
	return promql{cfg: cfg, keep: keptLabels(cfg)}, nil
}

// keptLabels are the labels every aggregation keeps: the selector's (cfg
// is valid), then the cluster label. The cluster label too: rules
// evaluated in a global ruler (Thanos, Mimir, vmalert) read every
// cluster's series, which the sums must not add up, and the dashboards pick
// recorded series by it.
func keptLabels(cfg Config) []string {
	keep, _ := selectorLabels(cfg.Selector) // Validate reports a bad selector
	if cfg.ClusterLabel != "" && !slices.Contains(keep, cfg.ClusterLabel) {
		keep = append(keep, cfg.ClusterLabel)
	}
	return keep
}

// sel is metric's selector with the configured matchers and extra ones.
func (q promql) sel(metric string, matchers ...string) string {
	return q.cfg.Select(metric, matchers...)
}

// by is an aggregation's label list: the selector's labels and the
// cluster label, then the level's.
func (q promql) by(labels ...string) string {
	all := slices.Clone(q.keep)
	for _, l := range labels {
		if !slices.Contains(all, l) {
			all = append(all, l)
		}
	}
	return strings.Join(all, ", ")
}

// promDuration writes d in the largest PromQL unit that divides it, the way
// recorded names spell windows: 30d, not 4w2d.
func promDuration(d time.Duration) string {
	for _, u := range []struct {
		unit   time.Duration
		suffix string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}} {
		if d%u.unit == 0 {
			return fmt.Sprintf("%d%s", d/u.unit, u.suffix)
		}
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

func number(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
