package quality

import (
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// tally is the running total of the static parts of every item a vendor
// holds: its counters and histograms. Gauges are not here: they belong to
// the live parts, evaluated at each snapshot.
type tally struct {
	ticketsCreated [NumPriorities]uint64
	firstResponse  [NumPriorities][NumHours]hist
	resolution     [NumPriorities]hist
	firstContact   [NumPriorities]uint64
	rounds         [NumPriorities]hist
	reopened       [NumPriorities]uint64
	followups      [NumPriorities]uint64
	slaChecks      [NumPriorities][NumTargets]uint64
	slaBreaches    [NumPriorities][NumTargets]uint64
	escalations    [NumPriorities]uint64
	ratings        [NumRatings]uint64
	// Tickets whose pinned first priority no mapping knows.
	unknownPriority uint64
	replyHours      ReplyHours
	replyZone       *time.Location

	incidents         [NumImpacts]uint64
	noticeDelay       [NumImpacts]hist
	updateGap         hist
	duration          [NumImpacts]hist
	postmortem        hist
	maintenances      uint64
	maintenanceNotice hist
	shortNotice       uint64
	detected          [NumFirsts]uint64
	customerLead      hist

	features featureTally // feature.go
}

func newTally(r *Rules) *tally {
	t := &tally{
		updateGap:         newHist(r.statusBuckets),
		postmortem:        newHist(r.statusBuckets),
		maintenanceNotice: newHist(r.noticeBuckets),
		customerLead:      newHist(r.statusBuckets),
		replyZone:         r.replyZone(),
		features:          newFeatureTally(r),
	}
	for p := range NumPriorities {
		for h := range NumHours {
			t.firstResponse[p][h] = newHist(r.durationBuckets)
		}
		t.resolution[p] = newHist(r.durationBuckets)
		t.rounds[p] = newHist(r.roundBuckets)
	}
	for i := range NumImpacts {
		t.noticeDelay[i] = newHist(r.statusBuckets)
		t.duration[i] = newHist(r.statusBuckets)
	}
	return t
}

// countOf is 1 for true, 0 for false, times the sign.
func countOf(b bool, s sign) uint64 {
	if b {
		return uint64(s)
	}
	return 0
}

func (t *tally) addTicket(c *ticketStatic, s sign) {
	p := c.priority
	t.ticketsCreated[p] += uint64(s)
	t.unknownPriority += countOf(c.unknownPriority, s)
	if c.firstResponse >= 0 {
		t.firstResponse[p][c.hours].observe(c.firstResponse, s)
	}
	if c.resolution >= 0 {
		t.resolution[p].observe(c.resolution, s)
	}
	if c.rounds >= 0 {
		t.rounds[p].observe(int64(c.rounds)*1000, s)
	}
	t.firstContact[p] += countOf(c.firstContact, s)
	t.reopened[p] += uint64(int64(c.reopens) * int64(s))
	t.followups[p] += uint64(int64(c.followups) * int64(s))
	t.escalations[p] += countOf(c.escalated, s)
	for _, r := range c.ratings {
		switch r {
		case item.RatingGood:
			t.ratings[Good] += uint64(s)
		case item.RatingBad:
			t.ratings[Bad] += uint64(s)
		}
	}
	for tg := range NumTargets {
		t.slaChecks[p][tg] += countOf(c.checked[tg], s)
		t.slaBreaches[p][tg] += countOf(c.breached[tg], s)
	}
	t.addReplies(t.replyZone, c.replies, s)
	t.features.add(&c.feature, s)
}

func (t *tally) addIncident(c *incidentStatic, s sign) {
	t.incidents[c.impact] += uint64(s)
	if c.noticeDelay >= 0 {
		t.noticeDelay[c.impact].observe(c.noticeDelay, s)
	}
	for _, g := range c.gaps {
		t.updateGap.observe(g, s)
	}
	if c.duration >= 0 {
		t.duration[c.impact].observe(c.duration, s)
	}
	if c.postmortem >= 0 {
		t.postmortem.observe(c.postmortem, s)
	}
}

func (t *tally) addMaintenance(c *maintenanceStatic, s sign) {
	t.maintenances += uint64(s)
	t.addNotice(c, s)
}

// addNotice adds a maintenance's notice alone: when it starts, after it was
// counted (Aggregator.fold).
func (t *tally) addNotice(c *maintenanceStatic, s sign) {
	if c.notice >= 0 {
		t.maintenanceNotice.observe(c.notice, s)
	}
	t.shortNotice += countOf(c.short, s)
}

func (t *tally) addVerdict(v verdict, s sign) {
	t.detected[v.first] += uint64(s)
	if v.first == CustomerFirst {
		t.customerLead.observe(v.lead, s)
	}
}

// export copies the totals into a snapshot.
func (t *tally) export(v *VendorSnapshot) {
	v.TicketsCreated = t.ticketsCreated
	v.UnknownPriority = t.unknownPriority
	v.FirstContact = t.firstContact
	v.Reopened = t.reopened
	v.Followups = t.followups
	v.SLAChecks = t.slaChecks
	v.SLABreaches = t.slaBreaches
	v.Escalations = t.escalations
	v.Ratings = t.ratings
	v.VendorReplies = t.replyHours
	for p := range NumPriorities {
		for h := range NumHours {
			v.FirstResponse[p][h] = t.firstResponse[p][h].export()
		}
		v.Resolution[p] = t.resolution[p].export()
		v.Rounds[p] = t.rounds[p].export()
	}

	v.Incidents = t.incidents
	for i := range NumImpacts {
		v.NoticeDelay[i] = t.noticeDelay[i].export()
		v.Duration[i] = t.duration[i].export()
	}
	v.UpdateGap = t.updateGap.export()
	v.Postmortem = t.postmortem.export()
	v.Maintenances = t.maintenances
	v.MaintenanceNotice = t.maintenanceNotice.export()
	v.ShortNotice = t.shortNotice
	v.Detected = t.detected
	v.CustomerLead = t.customerLead.export()
	t.features.export(v)
}
