package report

import (
	"math"
	"slices"

	"github.com/support-exporter/support_exporter/exporter/quality"
)

// delta is what happened between two snapshots of a vendor: each counter's
// difference, each histogram's bucket differences. It is what Prometheus'
// increase() gives over the same window when samples sit on both ends
// (no extrapolation).
type delta struct {
	created      [quality.NumPriorities]uint64
	firstResp    [quality.NumPriorities][quality.NumHours]hdiff
	resolution   [quality.NumPriorities]hdiff
	firstContact [quality.NumPriorities]uint64
	rounds       [quality.NumPriorities]hdiff
	reopened     [quality.NumPriorities]uint64
	followups    [quality.NumPriorities]uint64
	checks       [quality.NumPriorities][quality.NumTargets]uint64
	breaches     [quality.NumPriorities][quality.NumTargets]uint64
	escalations  [quality.NumPriorities]uint64
	escalOpen    uint64 // a gauge: escalated tickets open at the later snapshot
	ratings      [quality.NumRatings]uint64
	replies      quality.ReplyHours // [0] = Monday (the snapshot's [0] is Sunday)
	incidents    [quality.NumImpacts]uint64
	updateGap    hdiff
	postmortem   hdiff
	maintenances uint64 // announced
	notice       hdiff  // notice of the maintenances that started (short notice's set)
	shortNotice  uint64
	detected     [quality.NumFirsts]uint64
	customerLead hdiff
	features     [quality.NumOutcomes]uint64
	featuresNew  uint64
}

// hdiff is a histogram's increase: per-bucket counts (the last above every
// bound), their total and the sum.
type hdiff struct {
	bounds []float64
	counts []uint64
	count  uint64
	sum    float64
}

func hist(a, b quality.Histogram) hdiff {
	d := hdiff{bounds: b.Bounds, counts: slices.Clone(b.Counts), count: b.Count - a.Count, sum: b.Sum - a.Sum}
	if len(a.Counts) == len(b.Counts) {
		for i := range d.counts {
			d.counts[i] -= a.Counts[i]
		}
	}
	return d
}

// add sums histograms of the same bounds (sum by the labels kept).
func (h hdiff) add(o hdiff) hdiff {
	if h.counts == nil {
		return hdiff{bounds: o.bounds, counts: slices.Clone(o.counts), count: o.count, sum: o.sum}
	}
	for i := range h.counts {
		h.counts[i] += o.counts[i]
	}
	h.count += o.count
	h.sum += o.sum
	return h
}

// quantile is histogram_quantile(q, ...) over the increase; nil without an
// observation.
func (h hdiff) quantile(q float64) *float64 {
	if h.count == 0 || h.counts == nil {
		return nil
	}
	v := histogramQuantile(q, h.bounds, h.counts)
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

// mean is sum / count; nil without an observation.
func (h hdiff) mean() *float64 {
	if h.count == 0 {
		return nil
	}
	v := h.sum / float64(h.count)
	return &v
}

// histogramQuantile is Prometheus' histogram_quantile for classic buckets
// (promql/quantile.go, bucketQuantile): counts are per bucket, the last
// one the +Inf bucket. The rank q·total falls in the first bucket whose
// cumulative count reaches it, and the value is interpolated linearly
// inside that bucket from its lower bound (0 for the lowest bucket, whose
// upper bound is positive); a rank in the +Inf bucket gives the highest
// finite bound. q < 0 is -Inf, q > 1 +Inf, no observation NaN.
func histogramQuantile(q float64, bounds []float64, counts []uint64) float64 {
	switch {
	case math.IsNaN(q):
		return math.NaN()
	case q < 0:
		return math.Inf(-1)
	case q > 1:
		return math.Inf(1)
	}
	if len(bounds) == 0 || len(counts) != len(bounds)+1 {
		return math.NaN() // fewer than two buckets: no finite bound
	}
	cum := make([]float64, len(counts))
	var n uint64
	for i, c := range counts {
		n += c
		cum[i] = float64(n)
	}
	total := cum[len(cum)-1]
	if total == 0 {
		return math.NaN()
	}
	rank := q * total
	// sort.Search over the finite buckets: the first whose cumulative
	// count reaches the rank; none: the +Inf bucket.
	b := len(bounds)
	for i := range bounds {
		if cum[i] >= rank {
			b = i
			break
		}
	}
	if b == len(bounds) {
		return bounds[len(bounds)-1]
	}
	if b == 0 && bounds[0] <= 0 {
		return bounds[0]
	}
	start, end, count := 0.0, bounds[b], cum[b]
	if b > 0 {
		start = bounds[b-1]
		count -= cum[b-1]
		rank -= cum[b-1]
	}
	return start + (end-start)*(rank/count)
}

// diff is b - a.
func diff(a, b *quality.VendorSnapshot) delta {
	var d delta
	for p := range quality.NumPriorities {
		d.created[p] = b.TicketsCreated[p] - a.TicketsCreated[p]
		for h := range quality.NumHours {
			d.firstResp[p][h] = hist(a.FirstResponse[p][h], b.FirstResponse[p][h])
		}
		d.resolution[p] = hist(a.Resolution[p], b.Resolution[p])
		d.firstContact[p] = b.FirstContact[p] - a.FirstContact[p]
		d.rounds[p] = hist(a.Rounds[p], b.Rounds[p])
		d.reopened[p] = b.Reopened[p] - a.Reopened[p]
		d.followups[p] = b.Followups[p] - a.Followups[p]
		for tg := range quality.NumTargets {
			d.checks[p][tg] = b.SLAChecks[p][tg] - a.SLAChecks[p][tg]
			d.breaches[p][tg] = b.SLABreaches[p][tg] - a.SLABreaches[p][tg]
		}
		d.escalations[p] = b.Escalations[p] - a.Escalations[p]
		d.escalOpen += b.EscalationsOpen[p]
	}
	for r := range quality.NumRatings {
		d.ratings[r] = b.Ratings[r] - a.Ratings[r]
	}
	// The snapshot's day index is time.Weekday (0 = Sunday, as the
	// metric's weekday label and PromQL's day_of_week()); the report's is
	// 0 = Monday, what a reader expects of a week.
	for day := range quality.DaysPerWeek {
		for h := range quality.HoursPerDay {
			d.replies[mondayFirst(day)][h] = b.VendorReplies[day][h] - a.VendorReplies[day][h]
		}
	}
	for i := range quality.NumImpacts {
		d.incidents[i] = b.Incidents[i] - a.Incidents[i]
	}
	d.updateGap = hist(a.UpdateGap, b.UpdateGap)
	d.postmortem = hist(a.Postmortem, b.Postmortem)
	d.maintenances = b.Maintenances - a.Maintenances
	d.notice = hist(a.MaintenanceNotice, b.MaintenanceNotice)
	d.shortNotice = b.ShortNotice - a.ShortNotice
	for f := range quality.NumFirsts {
		d.detected[f] = b.Detected[f] - a.Detected[f]
	}
	d.customerLead = hist(a.CustomerLead, b.CustomerLead)
	d.featuresNew = b.Features.Created - a.Features.Created
	for oc := range quality.NumOutcomes {
		d.features[oc] = b.Features.Outcomes[oc] - a.Features.Outcomes[oc]
	}
	return d
}

// mondayFirst maps a time.Weekday index (0 = Sunday) to the report's day
// index (0 = Monday).
func mondayFirst(weekday int) int { return (weekday + 6) % 7 }

func sumU(xs []uint64) uint64 {
	var n uint64
	for _, x := range xs {
		n += x
	}
	return n
}

func sumChecks(c *[quality.NumPriorities][quality.NumTargets]uint64) uint64 {
	var n uint64
	for p := range c {
		n += sumU(c[p][:])
	}
	return n
}

// ratio is num/den; nil when den is 0 (Prometheus gives NaN).
func ratio(num, den uint64) *float64 {
	if den == 0 {
		return nil
	}
	v := float64(num) / float64(den)
	return &v
}
