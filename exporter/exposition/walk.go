package exposition

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/support-exporter/support_exporter/exporter/quality"
)

// Walker receives the series of a vendor's aggregates. Label values come in
// the family's Labels order, the vendor first.
type Walker interface {
	Counter(f *Family, n uint64, labels ...string)
	Gauge(f *Family, x float64, labels ...string)
	Histogram(f *Family, h *quality.Histogram, labels ...string)
}

// WalkVendor walks every series of a vendor's ticket and status families
// (those of a kind the vendor has no source for are left out), always in
// the same order for the same vendor. Collect serves them; the backfill
// writes them as they were at past instants.
func WalkVendor(w Walker, v *quality.VendorSnapshot) {
	if v.Tickets {
		walkTickets(w, v)
	}
	if v.Status {
		walkStatus(w, v)
	}
	walkDocs(w, v)
	walkFeatures(w, v)
	walkContracts(w, v)
	if v.Drill != nil {
		walkDrill(w, v)
	}
}

func walkTickets(w Walker, v *quality.VendorSnapshot) {
	f := &vendorFamilies
	for p := range quality.NumPriorities {
		ps := p.String()
		w.Counter(f.ticketsCreated, v.TicketsCreated[p], v.Vendor, ps)
		for h := range quality.NumHours {
			w.Histogram(f.firstResponse, &v.FirstResponse[p][h], v.Vendor, ps, h.String())
		}
		w.Histogram(f.resolution, &v.Resolution[p], v.Vendor, ps)
		w.Counter(f.firstContact, v.FirstContact[p], v.Vendor, ps)
		w.Histogram(f.rounds, &v.Rounds[p], v.Vendor, ps)
		w.Counter(f.reopened, v.Reopened[p], v.Vendor, ps)
		w.Counter(f.followups, v.Followups[p], v.Vendor, ps)
		for t := range quality.NumTargets {
			ts := t.String()
			w.Counter(f.slaChecks, v.SLAChecks[p][t], v.Vendor, ps, ts)
			w.Counter(f.slaBreaches, v.SLABreaches[p][t], v.Vendor, ps, ts)
			w.Gauge(f.breaching, float64(v.Breaching[p][t]), v.Vendor, ps, ts)
		}
		for s := range quality.NumOpenStates {
			w.Gauge(f.open, float64(v.Open[p][s]), v.Vendor, ps, s.String())
		}
		w.Gauge(f.oldestUnanswered, timestamp(v.OldestUnanswered[p]), v.Vendor, ps)
		w.Gauge(f.escalationsOpen, float64(v.EscalationsOpen[p]), v.Vendor, ps)
		w.Counter(f.escalations, v.Escalations[p], v.Vendor, ps)
	}
	for r := range quality.NumRatings {
		w.Counter(f.ratings, v.Ratings[r], v.Vendor, r.String())
	}
	w.Counter(f.unknownPriority, v.UnknownPriority, v.Vendor)
	if !v.Replies {
		return
	}
	for d := range quality.DaysPerWeek {
		for h := range quality.HoursPerDay {
			w.Counter(f.vendorReplies, v.VendorReplies[d][h], v.Vendor, weekdayLabels[d], hourLabels[h])
		}
	}
}

// weekdayLabels and hourLabels are the values of support_vendor_replies_total's
// weekday and hour labels, built once.
var weekdayLabels, hourLabels = func() (d [quality.DaysPerWeek]string, h [quality.HoursPerDay]string) {
	for i := range d {
		d[i] = strconv.Itoa(i)
	}
	for i := range h {
		h[i] = strconv.Itoa(i)
	}
	return d, h
}()

func walkStatus(w Walker, v *quality.VendorSnapshot) {
	f := &vendorFamilies
	for _, comp := range v.Components {
		for _, s := range componentStatuses(comp.Status) {
			x := 0.0
			if s == comp.Status {
				x = 1
			}
			w.Gauge(f.componentStatus, x, v.Vendor, comp.Component, s)
		}
	}
	for i := range quality.NumImpacts {
		is := i.String()
		w.Gauge(f.incidentsOpen, float64(v.IncidentsOpen[i]), v.Vendor, is)
		w.Gauge(f.incidentOldestLastUpdate, timestamp(v.IncidentOldestLastUpdate[i]), v.Vendor, is)
		w.Counter(f.incidents, v.Incidents[i], v.Vendor, is)
		w.Histogram(f.noticeDelay, &v.NoticeDelay[i], v.Vendor, is)
		w.Histogram(f.duration, &v.Duration[i], v.Vendor, is)
	}
	w.Histogram(f.updateGap, &v.UpdateGap, v.Vendor)
	w.Histogram(f.postmortem, &v.Postmortem, v.Vendor)
	w.Counter(f.maintenances, v.Maintenances, v.Vendor)
	w.Histogram(f.maintenanceNotice, &v.MaintenanceNotice, v.Vendor)
	w.Counter(f.shortNotice, v.ShortNotice, v.Vendor)
	w.Gauge(f.nextMaintenance, timestamp(v.NextMaintenance), v.Vendor)
	for fi := range quality.NumFirsts {
		w.Counter(f.detected, v.Detected[fi], v.Vendor, fi.String())
	}
	w.Histogram(f.customerLead, &v.CustomerLead, v.Vendor)
}

// constWalker sends each series to a scrape as a const metric.
type constWalker struct {
	ch     chan<- prometheus.Metric
	native bool // histograms with native buckets too (Options)
}

func (w constWalker) Counter(f *Family, n uint64, labels ...string) {
	w.ch <- prometheus.MustNewConstMetric(f.desc, prometheus.CounterValue, f.CounterValue(n), labels...)
}

func (w constWalker) Gauge(f *Family, x float64, labels ...string) {
	w.ch <- prometheus.MustNewConstMetric(f.desc, prometheus.GaugeValue, x, labels...)
}

func (w constWalker) Histogram(f *Family, h *quality.Histogram, labels ...string) {
	if w.native {
		w.ch <- nativeHistogram(f.desc, h, labels...)
		return
	}
	w.ch <- histogram(f.desc, h, labels...)
}
