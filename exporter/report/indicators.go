package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

// terms are the contract's targets in force at the period's end: the
// report compares the period's figures with them.
type terms struct {
	target    [quality.NumPriorities][quality.NumTargets]time.Duration
	objective float64 // 0: no sla term
	notice    time.Duration
}

func termsAt(vc *config.Vendor, rules *quality.Rules, at time.Time) terms {
	var t terms
	tm := vc.SLA.At(at)
	if tm == nil {
		return t
	}
	t.objective, t.notice = tm.Objective, time.Duration(tm.MaintenanceNotice)
	for p := range quality.NumPriorities {
		for tg := range quality.NumTargets {
			t.target[p][tg] = rules.SLATarget(at, p, tg)
		}
	}
	return t
}

// An indicator's definition: how to read it off a period's delta.
type indicatorDef struct {
	id, dimension, name, unit, footnote string
	higherIsBetter                      bool
	// neutral: a volume, neither better nor worse when it moves.
	neutral bool
	// value reads the value and its sample count; nil value: no data.
	value func(d *delta) (*float64, uint64)
	// target, when set, is the contract's target.
	target func(t *terms, o *Options) *float64
	// when the vendor has the section
	needs func(s *Sections) bool
}

func secs(d time.Duration) *float64 {
	if d <= 0 {
		return nil
	}
	v := d.Seconds()
	return &v
}

func fptr(v float64) *float64 { return &v }

func needTickets(s *Sections) bool  { return s.Tickets }
func needStatus(s *Sections) bool   { return s.Status }
func needFeatures(s *Sections) bool { return s.Features }
func needReplies(s *Sections) bool  { return s.ReplyHours }

// firstResponse sums the first-response histograms of a priority (p < 0:
// every priority) over the hours h (h < 0: both).
func (d *delta) firstResponse(p quality.Priority, h quality.Hours) hdiff {
	var out hdiff
	for pp := range quality.NumPriorities {
		for hh := range quality.NumHours {
			if (p < 0 || pp == p) && (h < 0 || hh == h) {
				out = out.add(d.firstResp[pp][hh])
			}
		}
	}
	return out
}

func sumHist(hs []hdiff) hdiff {
	var out hdiff
	for _, h := range hs {
		out = out.add(h)
	}
	return out
}

func quantileOf(h hdiff, q float64) (*float64, uint64) { return h.quantile(q), h.count }

// compliance is 1 - breaches/checks of a target over every priority.
func (d *delta) compliance(tg quality.Target) (*float64, uint64) {
	var checks, breaches uint64
	for p := range quality.NumPriorities {
		checks += d.checks[p][tg]
		breaches += d.breaches[p][tg]
	}
	r := ratio(breaches, checks)
	if r == nil {
		return nil, 0
	}
	return fptr(1 - *r), checks
}

// indicatorDefs are the five-dimension table's rows, in report order; the
// IDs are stable (docs/report.md lists each, a test checks it).
func indicatorDefs() []indicatorDef {
	var defs []indicatorDef
	add := func(d indicatorDef) { defs = append(defs, d) }
	add(indicatorDef{id: "tickets_opened", dimension: ResponseSpeed, name: "Tickets opened", unit: UnitCount,
		footnote: "tickets_opened", needs: needTickets, neutral: true,
		value: func(d *delta) (*float64, uint64) { n := sumU(d.created[:]); return fptr(float64(n)), n }})
	for p := range quality.NumPriorities {
		for _, q := range []struct {
			name string
			q    float64
		}{{"p50", 0.5}, {"p90", 0.9}} {
			def := indicatorDef{id: "first_response_" + q.name + "_" + p.String(), dimension: ResponseSpeed,
				name: fmt.Sprintf("First response %s (%s)", q.name, p), unit: UnitSeconds, footnote: "first_response_" + q.name,
				needs: needTickets,
				value: func(d *delta) (*float64, uint64) { return quantileOf(d.firstResponse(p, -1), q.q) }}
			if q.name == "p90" {
				def.target = func(t *terms, _ *Options) *float64 { return secs(t.target[p][quality.FirstResponse]) }
			}
			add(def)
		}
	}
	for h := range quality.NumHours {
		add(indicatorDef{id: "first_response_p90_" + h.String() + "_hours", dimension: ResponseSpeed,
			name: fmt.Sprintf("First response p90 (%s hours)", h), unit: UnitSeconds, footnote: "first_response_hours",
			needs: needTickets,
			value: func(d *delta) (*float64, uint64) { return quantileOf(d.firstResponse(-1, h), 0.9) }})
	}
	add(indicatorDef{id: "first_response_compliance", dimension: ResponseSpeed, name: "First-response SLA compliance",
		unit: UnitRatio, footnote: "sla_compliance", higherIsBetter: true, needs: needTickets,
		value:  func(d *delta) (*float64, uint64) { return d.compliance(quality.FirstResponse) },
		target: objective})
	add(indicatorDef{id: "week_hours_covered", dimension: ResponseSpeed, name: "Week hours covered (follow-the-sun)",
		unit: UnitRatio, footnote: "week_hours_covered", higherIsBetter: true, needs: needReplies,
		value: func(d *delta) (*float64, uint64) {
			var hours, replies uint64
			for day := range d.replies {
				for h := range d.replies[day] {
					if d.replies[day][h] > 0 {
						hours++
					}
					replies += d.replies[day][h]
				}
			}
			if replies == 0 {
				return nil, 0 // no reply in the period: no data, not "no hour covered"
			}
			return fptr(float64(hours) / 168), replies
		}})

	for p := range quality.NumPriorities {
		for _, q := range []struct {
			name string
			q    float64
		}{{"p50", 0.5}, {"p90", 0.9}} {
			def := indicatorDef{id: "resolution_" + q.name + "_" + p.String(), dimension: Resolution,
				name: fmt.Sprintf("Resolution %s (%s)", q.name, p), unit: UnitSeconds, footnote: "resolution_" + q.name,
				needs: needTickets,
				value: func(d *delta) (*float64, uint64) { return quantileOf(d.resolution[p], q.q) }}
			if q.name == "p90" {
				def.target = func(t *terms, _ *Options) *float64 { return secs(t.target[p][quality.Resolution]) }
			}
			add(def)
		}
	}
	add(indicatorDef{id: "resolution_compliance", dimension: Resolution, name: "Resolution SLA compliance",
		unit: UnitRatio, footnote: "sla_compliance", higherIsBetter: true, needs: needTickets,
		value:  func(d *delta) (*float64, uint64) { return d.compliance(quality.Resolution) },
		target: objective})
	add(indicatorDef{id: "one_touch_rate", dimension: Resolution, name: "One-touch resolution rate", unit: UnitRatio,
		footnote: "one_touch_rate", higherIsBetter: true, needs: needTickets,
		value: func(d *delta) (*float64, uint64) {
			n := sumHist(d.resolution[:]).count
			return ratio(sumU(d.firstContact[:]), n), n
		}})
	add(indicatorDef{id: "reopen_rate", dimension: Resolution, name: "Reopens per ticket opened", unit: UnitPer,
		footnote: "reopen_rate", needs: needTickets,
		value: func(d *delta) (*float64, uint64) {
			n := sumU(d.created[:])
			return ratio(sumU(d.reopened[:]), n), n
		}})
	add(indicatorDef{id: "escalations", dimension: Resolution, name: "Escalations in the period", unit: UnitCount,
		footnote: "escalations", needs: needTickets,
		value: func(d *delta) (*float64, uint64) { n := sumU(d.escalations[:]); return fptr(float64(n)), n }})
	add(indicatorDef{id: "escalations_open", dimension: Resolution, name: "Escalations open at the end", unit: UnitCount,
		footnote: "escalations_open", needs: needTickets,
		value: func(d *delta) (*float64, uint64) { return fptr(float64(d.escalOpen)), d.escalOpen }})

	add(indicatorDef{id: "rounds_mean", dimension: Professionalism, name: "Vendor replies to resolve (mean)", unit: UnitCount,
		footnote: "rounds_mean", needs: needTickets,
		value: func(d *delta) (*float64, uint64) { h := sumHist(d.rounds[:]); return h.mean(), h.count }})
	add(indicatorDef{id: "rounds_p90", dimension: Professionalism, name: "Vendor replies to resolve (p90)", unit: UnitCount,
		footnote: "rounds_p90", needs: needTickets,
		value: func(d *delta) (*float64, uint64) { return quantileOf(sumHist(d.rounds[:]), 0.9) }})
	add(indicatorDef{id: "postmortem_rate", dimension: Professionalism, name: "Postmortems per incident", unit: UnitRatio,
		footnote: "postmortem_rate", higherIsBetter: true, needs: needStatus,
		value: func(d *delta) (*float64, uint64) {
			n := sumU(d.incidents[:])
			return ratio(d.postmortem.count, n), n
		}})
	for _, q := range []struct {
		name string
		q    float64
	}{{"p50", 0.5}, {"p90", 0.9}} {
		add(indicatorDef{id: "postmortem_delay_" + q.name, dimension: Professionalism,
			name: "Postmortem delay " + q.name, unit: UnitSeconds, footnote: "postmortem_delay_" + q.name, needs: needStatus,
			value: func(d *delta) (*float64, uint64) { return quantileOf(d.postmortem, q.q) }})
	}

	add(indicatorDef{id: "satisfaction", dimension: Communication, name: "Satisfaction (good ratings)", unit: UnitRatio,
		footnote: "satisfaction", higherIsBetter: true, needs: needTickets,
		value: func(d *delta) (*float64, uint64) {
			n := sumU(d.ratings[:])
			return ratio(d.ratings[quality.Good], n), n
		}})
	add(indicatorDef{id: "followups_per_ticket", dimension: Communication, name: "Customer follow-ups per ticket",
		unit: UnitPer, footnote: "followups", needs: needTickets,
		value: func(d *delta) (*float64, uint64) {
			n := sumU(d.created[:])
			return ratio(sumU(d.followups[:]), n), n
		}})
	for _, q := range []struct {
		name string
		q    float64
	}{{"p50", 0.5}, {"p90", 0.9}} {
		add(indicatorDef{id: "incident_update_gap_" + q.name, dimension: Communication,
			name: "Incident update gap " + q.name, unit: UnitSeconds, footnote: "update_gap_" + q.name, needs: needStatus,
			value: func(d *delta) (*float64, uint64) { return quantileOf(d.updateGap, q.q) }})
	}

	add(indicatorDef{id: "vendor_first_ratio", dimension: Proactivity, name: "Incidents the vendor noticed first",
		unit: UnitRatio, footnote: "vendor_first", higherIsBetter: true, needs: needStatus,
		value: func(d *delta) (*float64, uint64) {
			n := sumU(d.detected[:])
			return ratio(d.detected[quality.VendorFirst], n), n
		},
		target: func(_ *terms, o *Options) *float64 {
			if o.VendorFirstMin <= 0 {
				return nil
			}
			return fptr(o.VendorFirstMin)
		}})
	add(indicatorDef{id: "customer_lead_p90", dimension: Proactivity, name: "Customer lead p90 (customer-first incidents)",
		unit: UnitSeconds, footnote: "customer_lead", needs: needStatus,
		value: func(d *delta) (*float64, uint64) { return quantileOf(d.customerLead, 0.9) }})
	add(indicatorDef{id: "maintenance_notice_compliance", dimension: Proactivity, name: "Maintenance notice compliance",
		unit: UnitRatio, footnote: "maintenance_notice", higherIsBetter: true, needs: needStatus,
		value: func(d *delta) (*float64, uint64) {
			// The short-notice counter's own set: the maintenances that
			// started in the period (their notice observed), as the
			// recording rule vendor:support_status_maintenance_short_notice:ratio_rate.
			r := ratio(d.shortNotice, d.notice.count)
			if r == nil {
				return nil, 0
			}
			return fptr(1 - *r), d.notice.count
		},
		target: func(t *terms, _ *Options) *float64 {
			if t.notice <= 0 {
				return nil
			}
			return fptr(1)
		}})
	for _, f := range []struct {
		id, name string
		value    func(d *delta) uint64
	}{
		{"feature_requests_opened", "Feature requests opened", func(d *delta) uint64 { return d.featuresNew }},
		{"feature_requests_shipped", "Feature requests shipped", func(d *delta) uint64 { return d.features[quality.Shipped] }},
		{"feature_requests_declined", "Feature requests declined", func(d *delta) uint64 { return d.features[quality.Declined] }},
	} {
		add(indicatorDef{id: f.id, dimension: Proactivity, name: f.name, unit: UnitCount, footnote: f.id,
			needs: needFeatures, higherIsBetter: f.id == "feature_requests_shipped", neutral: f.id != "feature_requests_shipped",
			value: func(d *delta) (*float64, uint64) { n := f.value(d); return fptr(float64(n)), n }})
	}
	return defs
}

func objective(t *terms, _ *Options) *float64 {
	if t.objective <= 0 {
		return nil
	}
	return fptr(t.objective)
}

// indicators reads the table off the period's delta (and the previous
// period's); rows of a section the vendor lacks are left out.
func indicators(d, prev *delta, t terms, sn *quality.VendorSnapshot, o *Options) []Indicator {
	s := Sections{Tickets: sn.Tickets, Status: sn.Status, Features: sn.Features.Enabled, ReplyHours: sn.Replies}
	out := []Indicator{}
	for _, def := range indicatorDefs() {
		if def.needs != nil && !def.needs(&s) {
			continue
		}
		v, n := def.value(d)
		ind := Indicator{ID: def.id, Dimension: def.dimension, Name: def.name, Unit: def.unit, Value: v, Samples: n,
			HigherIsBetter: def.higherIsBetter, Neutral: def.neutral, Footnote: def.footnote}
		if def.target != nil {
			ind.Target = def.target(&t, o)
		}
		if ind.Target != nil && ind.Value != nil {
			met := *ind.Value <= *ind.Target
			if def.higherIsBetter {
				met = *ind.Value >= *ind.Target
			}
			ind.Met = &met
		}
		if prev != nil {
			ind.Previous, _ = def.value(prev)
		}
		out = append(out, ind)
	}
	return out
}

// slaRows are compliance by priority and target: every pair with a target
// in force at the period's end or a check in the period.
func (c *collector) slaRows(d *delta, t terms) []SLARow {
	out := []SLARow{}
	for p := range quality.NumPriorities {
		for tg := range quality.NumTargets {
			checks, breaches := d.checks[p][tg], d.breaches[p][tg]
			if checks == 0 && t.target[p][tg] == 0 {
				continue
			}
			row := SLARow{Priority: p.String(), Target: tg.String(), TargetSeconds: t.target[p][tg].Seconds(),
				Objective: t.objective, Checks: checks, Breaches: breaches, Worst: worstRefs(c.worst[p][tg])}
			if r := ratio(breaches, checks); r != nil {
				row.Compliance = fptr(1 - *r)
				if t.objective > 0 {
					met := *row.Compliance >= t.objective
					row.Met = &met
				}
			}
			if row.Worst == nil {
				row.Worst = []TicketRef{}
			}
			out = append(out, row)
		}
	}
	return out
}

// contractEnds are the ends of the vendor's contract periods inside
// (from, to), ascending and distinct.
func contractEnds(vc *config.Vendor, from, to time.Time) []time.Time {
	var out []time.Time
	for _, ag := range vc.Agreements {
		for p := ag.Months.At(from); p.End.Before(to); p = ag.Months.Shift(p, 1) {
			if p.End.After(from) {
				out = append(out, p.End.UTC())
			}
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
}

// contracts are the agreements' periods overlapping the report's: every
// one of them, each as the latest of snaps (ascending, the one at the
// period's end last) that holds it says; a period ended inside the report's
// is held by the snapshot at its end (its "previous"), so each is measured
// at least as of its own end, even when its claim deadline passed before
// the report's end. The agreements are those of the snapshot at the end.
func contracts(snaps []*quality.VendorSnapshot, from, to time.Time) []Contract {
	out := []Contract{}
	sn := snaps[len(snaps)-1]
	for _, cs := range sn.Contracts {
		c := Contract{Agreement: cs.Agreement, Measure: cs.Measure, TerminationRight: cs.HasTermination && cs.Termination,
			Periods: []ContractPeriod{}}
		byStart := map[time.Time]ContractPeriod{}
		for _, s := range snaps {
			for _, as := range s.Contracts {
				if as.Agreement != cs.Agreement {
					continue
				}
				for _, p := range as.Periods {
					if !p.Start.Before(to) || !p.End.After(from) {
						continue
					}
					byStart[p.Start.UTC()] = contractPeriod(as.Measure, p)
				}
			}
		}
		for _, cp := range byStart {
			c.Periods = append(c.Periods, cp)
		}
		slices.SortFunc(c.Periods, func(a, b ContractPeriod) int { return a.Start.Compare(b.Start) })
		out = append(out, c)
	}
	return out
}

func contractPeriod(measure string, p quality.ContractPeriod) ContractPeriod {
	cp := ContractPeriod{Start: p.Start.UTC(), End: p.End.UTC(), CreditRatio: p.Credit}
	if measure == config.MeasureAvailability {
		cp.Availability = fptr(p.Availability)
	} else {
		for pr := range quality.NumPriorities {
			if p.HasCompliance[pr] {
				if cp.Compliance == nil {
					cp.Compliance = map[string]float64{}
				}
				cp.Compliance[pr.String()] = p.Compliance[pr]
			}
		}
	}
	if !p.ClaimDeadline.IsZero() {
		t := p.ClaimDeadline.UTC()
		cp.ClaimDeadline = &t
	}
	return cp
}

// charts are the weekly first response, the monthly compliance and the
// replies by hour.
func charts(snaps []*quality.VendorSnapshot, p instants, t terms, vc *config.Vendor, d *delta) Charts {
	ch := Charts{WeeklyFirstResponse: []WeekPoint{}, MonthlyCompliance: []MonthPoint{}, RepliesByHour: d.replies,
		Zone: replyZone(vc)}
	if !snaps[p.to].Tickets {
		return ch
	}
	for i := 0; i+1 < len(p.weeks); i++ {
		a, b := p.weeks[i], p.weeks[i+1]
		wd := diff(snaps[a], snaps[b])
		for pr := range quality.NumPriorities {
			h := wd.firstResponse(pr, -1)
			ch.WeeklyFirstResponse = append(ch.WeeklyFirstResponse, WeekPoint{Start: p.at[a], End: p.at[b],
				Priority: pr.String(), P50: h.quantile(0.5), P90: h.quantile(0.9), Samples: h.count,
				TargetSeconds: t.target[pr][quality.FirstResponse].Seconds()})
		}
	}
	for i := 0; i+1 < len(p.months); i++ {
		a, b := p.months[i], p.months[i+1]
		md := diff(snaps[a], snaps[b])
		for tg := range quality.NumTargets {
			v, n := md.compliance(tg)
			var checks uint64
			for pr := range quality.NumPriorities {
				checks += md.checks[pr][tg]
			}
			_ = n
			ch.MonthlyCompliance = append(ch.MonthlyCompliance, MonthPoint{Start: p.at[a], End: p.at[b],
				Target: tg.String(), Checks: checks, Compliance: v, Objective: t.objective})
		}
	}
	return ch
}

// replyZone names the zone replies are bucketed in: the vendor calendar's
// (quality's replyZone), "UTC" without one.
func replyZone(vc *config.Vendor) string {
	if vc.CalendarParsed == nil || vc.CalendarParsed.Location() == nil {
		return "UTC"
	}
	return vc.CalendarParsed.Location().String()
}

// footnotes say how each indicator family is computed, with the PromQL
// that gives the same number over the period: `[<period>]` and `@ <to>`.
func footnotes(vendors []string, p Period) []Footnote {
	w := model.Duration(p.To.Sub(p.From)).String()
	at := fmt.Sprintf("@ %d", p.To.Unix())
	sel := fmt.Sprintf(`{vendor=~"%s"}`, strings.Join(quoteAll(vendors), "|"))
	inc := func(metric, extra string) string {
		s := sel
		if extra != "" {
			s = s[:len(s)-1] + "," + extra + "}"
		}
		return fmt.Sprintf("increase(%s%s[%s] %s)", metric, s, w, at)
	}
	sum := func(by, metric, extra string) string {
		return fmt.Sprintf("sum by (%s) (%s)", by, inc(metric, extra))
	}
	quantAt := func(q, by, metric string) string {
		return fmt.Sprintf("histogram_quantile(%s, %s)", q, sum(by+", le", metric+"_bucket", ""))
	}
	quant := func(by, metric string) string { return quantAt("0.9", by, metric) }
	// pair is a quantile footnote's p50 and p90 versions, each with its
	// own expression: id_p50 and id_p90.
	pair := func(id, text, by, metric string) []Footnote {
		return []Footnote{
			{ID: id + "_p50", Text: text + " The median (p50).", PromQL: quantAt("0.5", by, metric)},
			{ID: id + "_p90", Text: text + " The 90th percentile (p90).", PromQL: quantAt("0.9", by, metric)},
		}
	}
	notes := []Footnote{
		{ID: "tickets_opened", Text: "Tickets opened in the period: the increase of the tickets-created counter between the period's ends.",
			PromQL: sum("vendor", "support_tickets_created_total", "")},
		{ID: "first_response_hours", Text: "First response p90 of tickets opened inside and outside the vendor's business hours.",
			PromQL: quant("vendor, hours", "support_ticket_first_response_seconds")},
		{ID: "sla_compliance", Text: "Share of the SLA clocks that ended in the period (answered, solved, or the target passed) within target; the target is sla.objective.",
			PromQL: "1 - " + sum("vendor, target", "support_ticket_sla_breaches_total", "") + " / " + sum("vendor, target", "support_ticket_sla_checks_total", "")},
		{ID: "week_hours_covered", Text: "Hours of the week (of 168, in the vendor's calendar zone) with at least one public vendor reply in the period.",
			PromQL: fmt.Sprintf("count by (vendor) (%s > 0) / 168", sum("vendor, weekday, hour", "support_vendor_replies_total", ""))},
		{ID: "one_touch_rate", Text: "Tickets resolved with one vendor reply and never reopened, per ticket resolved in the period.",
			PromQL: sum("vendor", "support_tickets_resolved_first_contact_total", "") + " / " + sum("vendor", "support_ticket_resolution_seconds_count", "")},
		{ID: "reopen_rate", Text: "Reopen events in the period per ticket opened in it.",
			PromQL: sum("vendor", "support_tickets_reopened_total", "") + " / " + sum("vendor", "support_tickets_created_total", "")},
		{ID: "escalations", Text: "Tickets that became escalated in the period.",
			PromQL: sum("vendor", "support_escalations_total", "")},
		{ID: "escalations_open", Text: "Tickets escalated and still open at the period's end, from the escalation facts pinned in the stored tickets (the previous value is at the period's start). No PromQL: the backfill does not reconstruct the gauge support_escalations_open (no API dates an escalation's end), so backfilled history has no sample of it; on history a live exporter scraped, compare with support_escalations_open at the period's end.",
			PromQL: ""},
		{ID: "rounds_mean", Text: "Vendor public replies before the first solve, of the tickets first solved in the period: the mean (sum / count).",
			PromQL: sum("vendor", "support_ticket_vendor_replies_to_resolve_sum", "") + " / " + sum("vendor", "support_ticket_vendor_replies_to_resolve_count", "")},
		{ID: "rounds_p90", Text: "Vendor public replies before the first solve, of the tickets first solved in the period: the p90, interpolated inside the histogram's buckets as histogram_quantile does.",
			PromQL: quant("vendor", "support_ticket_vendor_replies_to_resolve")},
		{ID: "postmortem_rate", Text: "Postmortems published in the period per incident announced in it.",
			PromQL: sum("vendor", "support_status_incident_postmortem_seconds_count", "") + " / " + sum("vendor", "support_status_incidents_total", "")},
		{ID: "satisfaction", Text: "Share of the satisfaction ratings given in the period that are good.",
			PromQL: sum("vendor", "support_ticket_satisfaction_ratings_total", `rating="good"`) + " / " + sum("vendor", "support_ticket_satisfaction_ratings_total", "")},
		{ID: "followups", Text: "Customer replies posted while already waiting on the vendor, per ticket opened in the period.",
			PromQL: sum("vendor", "support_ticket_customer_followups_total", "") + " / " + sum("vendor", "support_tickets_created_total", "")},
		{ID: "vendor_first", Text: "Share of the incidents decided in the period that the vendor announced before any customer signal; the target is the alerts' minimum.",
			PromQL: sum("vendor", "support_incidents_detected_total", `first="vendor"`) + " / " + sum("vendor", "support_incidents_detected_total", "")},
		{ID: "customer_lead", Text: "For customer-first incidents decided in the period, the time from the first customer signal to the vendor's first post.",
			PromQL: quant("vendor", "support_incident_customer_lead_seconds")},
		{ID: "maintenance_notice", Text: "Of the maintenances that started in the period (their notice observed), the share announced with at least sla.maintenance_notice (the term in force at announcement): one minus the short notices over the notice histogram's count, the same set, as the recording rule vendor:support_status_maintenance_short_notice:ratio_rate.",
			PromQL: "1 - " + sum("vendor", "support_status_maintenance_short_notice_total", "") + " / " + sum("vendor", "support_status_maintenance_notice_seconds_count", "")},
		{ID: "feature_requests_opened", Text: "Feature requests opened in the period.",
			PromQL: sum("vendor", "support_feature_requests_created_total", "")},
		{ID: "feature_requests_shipped", Text: "Feature requests closed as shipped in the period.",
			PromQL: sum("vendor", "support_feature_request_outcomes_total", `outcome="shipped"`)},
		{ID: "feature_requests_declined", Text: "Feature requests closed as declined in the period.",
			PromQL: sum("vendor", "support_feature_request_outcomes_total", `outcome="declined"`)},
	}
	notes = append(notes, pair("first_response", "Time to the vendor's first public reply, in the SLA clock's seconds, of the first responses observed in the period; quantiles interpolated inside the histogram's buckets as histogram_quantile does. The target is the first-response target in force at the period's end.", "vendor, priority", "support_ticket_first_response_seconds")...)
	notes = append(notes, pair("resolution", "Time from creation to the first solve, in the SLA clock's seconds, of the tickets first solved in the period; quantiles as histogram_quantile. The target is the resolution target in force at the period's end.", "vendor, priority", "support_ticket_resolution_seconds")...)
	notes = append(notes, pair("postmortem_delay", "Time from an incident's resolution to its postmortem, of the postmortems published in the period.", "vendor", "support_status_incident_postmortem_seconds")...)
	notes = append(notes, pair("update_gap", "Time between consecutive public updates of incidents, of the gaps observed in the period.", "vendor", "support_status_incident_update_gap_seconds")...)
	return notes
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.NewReplacer(`\`, `\\`, `"`, `\"`, ".", `\\.`).Replace(n)
	}
	return out
}
