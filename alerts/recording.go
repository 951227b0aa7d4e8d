package alerts

import (
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/common/model"
)

// recordingGroups are one group per recorded window, then one for the
// burn-rate alerts' windows that are not recorded windows already (only
// the SLA ratio and its denominator are needed there).
func recordingGroups(q promql) []group {
	interval := promDuration(q.cfg.Interval)
	var groups []group
	for _, w := range Windows() {
		groups = append(groups, group{
			Name:     "support-exporter-" + w + ".rules",
			Interval: interval,
			Rules:    slices.Concat(slaRecordings(q, w), ticketRecordings(q, w), statusRecordings(q, w)),
		})
	}
	var burn []rule
	for _, w := range burnOnlyWindows(q.cfg) {
		burn = append(burn, slaRecordings(q, w)...)
	}
	if len(burn) > 0 {
		groups = append(groups, group{Name: "support-exporter-burn-rate.rules", Interval: interval, Rules: burn})
	}
	return groups
}

// BackfillInterval is how often the backfilled trend rules are evaluated
// over the past. The trends dashboard asks for a point a day, and
// Prometheus finds a sample only within the 5 minutes (the default
// lookback) before the instant it evaluates; promtool, like Prometheus,
// shifts a group's evaluations by an offset of its own within the
// interval, so only an interval of 5 minutes or less puts a sample within
// reach of every instant. It is a fifth of the shipped groups' cost, and
// keeps a range query of promtool's 486h blocks below the 11,000 points
// Prometheus allows (at 1m it would not be).
const BackfillInterval = 5 * time.Minute

// TrendWindows are the recorded windows the trends dashboard reads.
func TrendWindows() []string { return []string{Window30d, Window90d} }

// backfillGroups are recordingGroups' groups of the trend windows, at
// BackfillInterval.
func backfillGroups(q promql) []group {
	var groups []group
	for _, g := range recordingGroups(q) {
		for _, w := range TrendWindows() {
			if g.Name == "support-exporter-"+w+".rules" {
				g.Interval = promDuration(BackfillInterval)
				groups = append(groups, g)
			}
		}
	}
	return groups
}

// burnOnlyWindows are the burn-rate windows, shortest first and once each,
// that Windows does not record.
func burnOnlyWindows(cfg Config) []string {
	var ds []time.Duration
	for _, b := range cfg.BurnRates {
		ds = append(ds, b.Short, b.Long)
	}
	slices.Sort(ds)
	var ws []string
	for _, d := range slices.Compact(ds) {
		if w := promDuration(d); !slices.Contains(Windows(), w) {
			ws = append(ws, w)
		}
	}
	return ws
}

func slaRecordings(q promql, w string) []rule {
	breaches, checks := q.sel("support_ticket_sla_breaches_total"), q.sel("support_ticket_sla_checks_total")
	return []rule{
		{Record: SLABreachRatioByPriority.Over(w), Expr: q.ratio(breaches, checks, w, "vendor", "priority", "target")},
		{Record: SLABreachRatio.Over(w), Expr: q.ratio(breaches, checks, w, "vendor", "target")},
		{Record: SLAChecks.Over(w), Expr: q.increase(checks, w, "vendor", "target")},
	}
}

func ticketRecordings(q promql, w string) []rule {
	var rules []rule
	for _, h := range []struct {
		record Recording
		metric string
	}{
		{FirstResponseQuantiles, "support_ticket_first_response_seconds_bucket"},
		{ResolutionQuantiles, "support_ticket_resolution_seconds_bucket"},
	} {
		for _, quantile := range Quantiles() {
			rules = append(rules, rule{
				Record: h.record.Over(w),
				Expr: fmt.Sprintf("histogram_quantile(%s, sum by (%s) (%s))",
					quantile, q.by("vendor", "priority", "le"), q.dedupe(fmt.Sprintf("rate(%s[%s])", q.sel(h.metric), w))),
				Labels: map[string]string{QuantileLabel: quantile},
			})
		}
	}
	if slices.Contains(CoverageWindows(), w) {
		rules = append(rules, rule{Record: WeekHoursCovered.Over(w), Expr: q.weekHoursCovered(w)})
	}
	return append(rules,
		rule{Record: FirstContactRatio.Over(w), Expr: q.ratio(
			q.sel("support_tickets_resolved_first_contact_total"), q.sel("support_ticket_resolution_seconds_count"), w, "vendor")},
		rule{Record: ReopenRatio.Over(w), Expr: q.ratio(
			q.sel("support_tickets_reopened_total"), q.sel("support_tickets_created_total"), w, "vendor")},
		rule{Record: SatisfactionGoodRatio.Over(w), Expr: q.ratio(
			q.sel("support_ticket_satisfaction_ratings_total", `rating="good"`), q.sel("support_ticket_satisfaction_ratings_total"), w, "vendor")},
	)
}

func statusRecordings(q promql, w string) []rule {
	return []rule{
		{Record: VendorFirstRatio.Over(w), Expr: q.ratio(
			q.sel("support_incidents_detected_total", `first="vendor"`), q.sel("support_incidents_detected_total"), w, "vendor")},
		{Record: ShortNoticeRatio.Over(w), Expr: q.ratio(
			q.sel("support_status_maintenance_short_notice_total"), q.sel("support_status_maintenance_notice_seconds_count"), w, "vendor")},
	}
}

// weekHoursCovered counts the hours of the week with at least one vendor
// reply over the window, out of 168; the "or" side gives 0 to a vendor
// whose every hour stayed at 0, which a count of nothing would leave out.
// A vendor whose counters were recomputed within the window (a calendar
// moved to another zone moves replies between hours) is left out: the
// hours that stepped down would read as resets, and so as covered.
func (q promql) weekHoursCovered(w string) string {
	replies := q.sel("support_vendor_replies_total")
	window, err := model.ParseDuration(w)
	if err != nil {
		panic(fmt.Sprintf("recorded window %q: %v", w, err)) // Windows() are constants
	}
	rebuilt := fmt.Sprintf("time() - max by (%s) (%s > 0) < %d",
		q.by("vendor"), q.sel("support_aggregates_rebuilt_timestamp_seconds"), int64(time.Duration(window)/time.Second))
	return fmt.Sprintf("(\n  count by (%s) (%s > 0)\nor\n  0 * count by (%s) (%s)\n)\n/ 168\nunless on (%s)\n(%s)",
		q.by("vendor"), q.increase(replies, w, "vendor", "weekday", "hour"), q.by("vendor"), replies, q.by("vendor"), rebuilt)
}

// ratio divides two counters' increases over the same window, summed by the
// level's labels. 0/0 records NaN: low volume is judged by the alerts and
// shown by the dashboards, not hidden here.
func (q promql) ratio(num, den, w string, labels ...string) string {
	return q.increase(num, w, labels...) + "\n/\n" + q.increase(den, w, labels...)
}

// increase is a counter's increase over the window, per series, then the
// highest of an HA pair's replicas (dedupe), then summed by the level's
// labels: a pair counts once, shards add up.
func (q promql) increase(counter, w string, labels ...string) string {
	return fmt.Sprintf("sum by (%s) (%s)", q.by(labels...), q.dedupe(fmt.Sprintf("increase(%s[%s])", counter, w)))
}
