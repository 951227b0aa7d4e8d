package simulator

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Status-page items keep milliseconds, as Statuspage's timestamps do.

// update is one public post of an incident or maintenance.
type update struct {
	id     string
	at     int64 // Unix milliseconds; created_at = display_at
	status string
	body   string
	edited int64 // when an agent last moved at (edit.go), 0: never
	posted int64 // at before an agent moved it, 0: never moved
}

// postedAt is when the update was posted, wherever an agent moved it
// since: incident.io's ids hold it.
func (u update) postedAt() int64 { return cmp.Or(u.posted, u.at) }

// incident is a generated status-page incident with its whole future.
type incident struct {
	id, name, shortlink string
	impact              string
	started             int64 // Unix ms
	updates             []update
	postmortem          int64 // Unix ms; 0: none ever
	components          []int // indexes into identity.components
	posted              int64 // when first posted, whatever edits say since: the order of every list
	edited              int64 // Unix ms of the latest edit (edit.go), 0: none
}

func (in *incident) created() int64  { return in.updates[0].at }
func (in *incident) resolved() int64 { return in.updates[len(in.updates)-1].at }

// maintenance is a generated scheduled maintenance with its whole future.
type maintenance struct {
	id, name, shortlink string
	scheduledFor        int64 // Unix ms
	scheduledUntil      int64
	updates             []update // scheduled, in_progress, [verifying,] completed
	components          []int
	announced           int64 // when first announced, whatever edits say since: the order of every list
	edited              int64 // Unix ms of the latest edit (edit.go), 0: none
}

func (m *maintenance) created() int64   { return m.updates[0].at }
func (m *maintenance) completed() int64 { return m.updates[len(m.updates)-1].at }

var (
	impacts          = []string{"none", "minor", "major", "critical"}
	impactWeights    = []float64{0.10, 0.50, 0.30, 0.10}
	impactComponent  = map[string]string{"none": "operational", "minor": "degraded_performance", "major": "partial_outage", "critical": "major_outage"}
	incidentProgress = []string{"investigating", "identified", "monitoring"}
	maintenanceSpan  = Delay{Min: time.Hour, Median: 2 * time.Hour, Max: 4 * time.Hour}
	openIncidentSpan = 20 * time.Minute // the OpenAtStart incident is at least this far from resolved at Start
	week             = 7 * 24 * time.Hour
)

// pinnedIndex is the random stream index of the OpenAtStart items.
const pinnedIndex = math.MaxUint64

func ms(unixSeconds int64) int64 { return unixSeconds * 1000 }

// incidentsBy lists every incident whose first post is at or before now
// (Unix ms), oldest first.
func (w *world) incidentsBy(now int64) []*incident {
	var out []*incident
	if w.v.IncidentsPerWeek > 0 {
		for k := 0; float64(k)*w.incidentSlot() <= float64(now-ms(w.t0)); k++ {
			r, started := w.slotIncidentStart(k)
			if in := w.incident(r, started, false); in.created() <= now {
				out = append(out, in)
			}
		}
	}
	if w.v.OpenAtStart {
		r, started := w.pinnedIncidentStart()
		if in := w.incident(r, started, true); in.created() <= now {
			out = append(out, in)
		}
	}
	out = append(out, w.scriptedIncidents(now)...)
	slices.SortStableFunc(out, func(a, b *incident) int { return cmp.Compare(a.posted, b.posted) })
	for _, in := range out {
		w.applyIncidentEdits(in, now)
	}
	return out
}

// incidentSlot is the span (ms) in which each generated incident starts.
func (w *world) incidentSlot() float64 { return float64(week.Milliseconds()) / w.v.IncidentsPerWeek }

// slotIncidentStart is the random source of the incident of slot k and
// when it started (Unix ms): its first draw places it in its slot, so the
// start is known without generating the incident.
func (w *world) slotIncidentStart(k int) (*rand.Rand, int64) {
	r := itemRand(w.seed, streamIncident, uint64(k))
	return r, ms(w.t0) + int64((float64(k)+r.Float64())*w.incidentSlot())
}

// pinnedIncidentStart is slotIncidentStart for the OpenAtStart incident:
// first posted 10 minutes before Start, a notice after it began.
func (w *world) pinnedIncidentStart() (*rand.Rand, int64) {
	r := itemRand(w.seed, streamIncident, pinnedIndex)
	notice := w.p.IncidentNotice.sample(r)
	return r, ms(w.start) - (10*time.Minute + notice).Milliseconds()
}

// incident generates one incident that started at `started` (Unix ms).
// An open one (OpenAtStart) is still unresolved a while after Start.
func (w *world) incident(r *rand.Rand, started int64, open bool) *incident {
	in := &incident{
		id:        statuspageID(r),
		shortlink: "https://stspg.io/" + statuspageID(r)[:10],
		impact:    impacts[pick(r, impactWeights)],
		started:   started,
	}
	if open && in.impact == "none" { // the demo's open incident should show on the components
		in.impact = "minor"
	}
	in.components = pickComponents(r, 1+r.IntN(3))
	in.name = incidentName(r, w.id.components[in.components[0]].name, in.impact)
	at := started + w.p.IncidentNotice.sample(r).Milliseconds()
	if open {
		at = ms(w.start) - (10 * time.Minute).Milliseconds()
	}
	if w.p.PostsAfterComplaints {
		at = max(at, w.afterComplaint(r, started))
	}
	n := 2 + r.IntN(5)
	stage := 0
	for j := range n {
		status := incidentProgress[stage]
		if j == n-1 {
			status = "resolved"
		}
		in.updates = append(in.updates, update{id: statuspageID(r), at: at, status: status, body: updateBody(status)})
		gap := w.p.IncidentUpdateGap.sample(r).Milliseconds()
		at += gap + r.Int64N(1000)
		if open && j == n-2 && at < ms(w.start)+openIncidentSpan.Milliseconds() {
			at = ms(w.start) + openIncidentSpan.Milliseconds() + gap
		}
		if stage < len(incidentProgress)-1 && r.Float64() < 0.5 {
			stage++
		}
	}
	if r.Float64() < w.p.PostmortemShare && in.impact != "none" {
		in.postmortem = in.resolved() + w.p.PostmortemDelay.sample(r).Milliseconds()
	}
	in.posted = in.created()
	return in
}

// complaintReaction is how long after a customer's ticket a vendor that
// waits for complaints posts its incident.
var complaintReaction = Delay{Min: 2 * time.Minute, Median: 8 * time.Minute, Max: 30 * time.Minute}

// afterComplaint is when a vendor that waits for complaints posts an
// incident that started at `started` (Unix ms): a reaction time after the
// first ticket created since then (the complaint, see complains), or 0
// when no ticket ever comes.
func (w *world) afterComplaint(r *rand.Rand, started int64) int64 {
	i := w.ticketsBy(complaintFrom(started) - 1)
	if w.liveSlot == 0 && i >= w.v.Tickets {
		return 0
	}
	return ms(w.ticketCreated(i)) + complaintReaction.sample(r).Milliseconds()
}

// complaintFrom is the first second at which a ticket complains about an
// incident that started at `started` (Unix ms): tickets are created on
// whole seconds.
func complaintFrom(started int64) int64 { return (started + 999) / 1000 }

// complains reports whether ticket i, created at `created` (Unix seconds),
// is the complaint a vendor that waits for complaints reacts to: the first
// ticket created since one of its incidents began. A customer who finds the
// service down files it as urgent, which is what makes it a customer signal
// (docs/configuration.md, "Who noticed first": by default a ticket opened
// as urgent).
func (w *world) complains(i int, created int64) bool {
	if !w.p.PostsAfterComplaints {
		return false
	}
	prev := w.t0 - 1 // ticket 0 follows no ticket
	if i > 0 {
		prev = w.ticketCreated(i - 1)
	}
	first := func(started int64) bool { from := complaintFrom(started); return prev < from && from <= created }
	if w.v.OpenAtStart {
		if _, started := w.pinnedIncidentStart(); first(started) {
			return true
		}
	}
	if w.v.IncidentsPerWeek == 0 {
		return false
	}
	// The incidents of the slots from the one holding prev (less a second)
	// to the one holding created are the only ones that can start between.
	slot := w.incidentSlot()
	lo := max(0, int(math.Floor(float64(ms(prev-1)-ms(w.t0))/slot)))
	for k := lo; float64(k)*slot <= float64(ms(created)-ms(w.t0)); k++ {
		if _, started := w.slotIncidentStart(k); first(started) {
			return true
		}
	}
	return false
}

// maintenancesBy lists every maintenance announced at or before now (Unix
// ms), oldest first.
func (w *world) maintenancesBy(now int64) []*maintenance {
	var out []*maintenance
	if w.v.MaintenancesPerWeek > 0 {
		slot := float64(week.Milliseconds()) / w.v.MaintenancesPerWeek
		horizon := float64(now - ms(w.t0) + w.p.MaintenanceNotice.Max.Milliseconds())
		for k := 0; float64(k)*slot <= horizon; k++ {
			r := itemRand(w.seed, streamMaintenance, uint64(k))
			m := w.maintenance(r, ms(w.t0)+int64((float64(k)+r.Float64())*slot))
			if m.created() <= now {
				out = append(out, m)
			}
		}
	}
	if w.v.OpenAtStart {
		// One announced and upcoming at Start (the next-maintenance gauge),
		// one under way since minutes before it (its notice is observed
		// once it has started: docs/metrics.md).
		for i, around := range []int64{
			ms(w.start) + w.p.MaintenanceNotice.Min.Milliseconds()/2,
			ms(w.start) - (5 * time.Minute).Milliseconds(),
		} {
			r := itemRand(w.seed, streamMaintenance, pinnedIndex-uint64(i))
			if m := w.maintenance(r, around); m.created() <= now {
				out = append(out, m)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *maintenance) int { return cmp.Compare(a.announced, b.announced) })
	for _, m := range out {
		w.applyMaintenanceEdits(m, now)
	}
	return out
}

// maintenance generates one maintenance scheduled near `around` (Unix ms),
// on a quarter hour as people schedule them.
func (w *world) maintenance(r *rand.Rand, around int64) *maintenance {
	quarter := (15 * time.Minute).Milliseconds()
	m := &maintenance{
		id:           statuspageID(r),
		shortlink:    "https://stspg.io/" + statuspageID(r)[:10],
		scheduledFor: around / quarter * quarter,
	}
	m.components = pickComponents(r, 1+r.IntN(2))
	m.name = "Scheduled maintenance of " + w.id.components[m.components[0]].name
	m.scheduledUntil = m.scheduledFor + maintenanceSpan.sample(r).Milliseconds()/quarter*quarter
	notice := w.p.MaintenanceNotice.sample(r).Milliseconds()
	done := m.scheduledUntil - r.Int64N(quarter)
	m.updates = []update{
		{id: statuspageID(r), at: m.scheduledFor - notice - r.Int64N(60000), status: "scheduled", body: updateBody("scheduled")},
		{id: statuspageID(r), at: m.scheduledFor + r.Int64N(30000), status: "in_progress", body: updateBody("in_progress")},
	}
	if r.Float64() < 0.3 {
		m.updates = append(m.updates, update{id: statuspageID(r), at: done - 10*60*1000, status: "verifying", body: updateBody("verifying")})
	}
	m.updates = append(m.updates, update{id: statuspageID(r), at: done, status: "completed", body: updateBody("completed")})
	m.announced = m.created()
	return m
}

// pickComponents picks n distinct leaf components (never a group container).
func pickComponents(r *rand.Rand, n int) []int {
	var leaves []int
	for i, c := range componentCatalog {
		if !c.group {
			leaves = append(leaves, i)
		}
	}
	r.Shuffle(len(leaves), func(i, j int) { leaves[i], leaves[j] = leaves[j], leaves[i] })
	out := leaves[:n]
	slices.Sort(out)
	return out
}

func incidentName(r *rand.Rand, component, impact string) string {
	switch impact {
	case "critical":
		return component + " unavailable"
	case "major":
		return "Elevated error rates on " + component
	}
	return []string{"Degraded performance of ", "Delays affecting "}[r.IntN(2)] + component
}

var updateBodies = map[string]string{
	"investigating": "We are investigating reports of degraded service.",
	"identified":    "The issue has been identified and a fix is being implemented.",
	"monitoring":    "A fix has been implemented and we are monitoring the results.",
	"resolved":      "This incident has been resolved.",
	"scheduled":     "We will be performing scheduled maintenance. Short interruptions are possible.",
	"in_progress":   "Scheduled maintenance is currently in progress. We will provide updates as necessary.",
	"verifying":     "Verification is currently underway for the maintenance items.",
	"completed":     "The scheduled maintenance has been completed.",
}

func updateBody(status string) string { return updateBodies[status] }
