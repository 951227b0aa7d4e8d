package quality

import (
	"cmp"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// incidentStatic is the part of an incident's contribution that does not
// depend on the time (all of it but the open gauge), under the impact
// pinned at first store.
type incidentStatic struct {
	impact      Impact
	noticeDelay int64   // milliseconds from started_at to the first public post; -1: not observed
	gaps        []int64 // milliseconds between consecutive updates, up to the resolution
	duration    int64   // milliseconds from started_at to resolved_at; -1: not observed
	postmortem  int64   // milliseconds from resolved_at to the postmortem; -1: none
}

// openIncident is an unresolved incident's live part: what the open-incident
// gauges read at each snapshot.
type openIncident struct {
	impact     Impact    // the current impact, not the pinned one
	lastUpdate time.Time // its latest public update, the first post included
}

// incidentContribution derives an incident's static part and, while it is
// unresolved, its live part. counted is false for an incident created
// before the history start.
//
// Notice delay, update gaps and duration are observed once, from the times
// pinned when the incident was first seen resolved (item.IncidentFinal;
// docs/metrics.md): vendors backdate started_at while an incident runs, and
// an observation made earlier would move to another bucket. started_at
// defaults to the first post (docs/metrics.md,
// support_status_incident_notice_delay_seconds). A format that does not
// give the first post feeds no notice delay or update gaps, and one that
// never says whether an incident ended (its times are pinned at first
// store) no open gauge, gaps or duration: never an invented value.
func (r *Rules) incidentContribution(i *item.Incident) (st incidentStatic, live openIncident, counted, open bool) {
	h := incidentHistory(i)
	if !r.counted(h.Created) {
		return st, live, false, false
	}
	st = incidentStatic{
		impact:      impactOf(h.FirstImpact),
		noticeDelay: -1,
		duration:    -1,
		postmortem:  -1,
	}
	if fin := h.Final; fin != nil {
		started := cmp.Or(fin.Started, fin.FirstPost)
		if !fin.FirstPost.IsZero() {
			st.noticeDelay = millisBetween(started, fin.FirstPost)
		}
		if !fin.Resolved.IsZero() {
			if !fin.FirstPost.IsZero() {
				st.gaps = updateGaps(fin.FirstPost, fin.Updates, fin.Resolved)
			}
			if !started.IsZero() {
				st.duration = millisBetween(started, fin.Resolved)
			}
			if !h.Postmortem.IsZero() {
				st.postmortem = millisBetween(fin.Resolved, h.Postmortem)
			}
		}
	}
	if i.ResolutionUnknown || !i.ResolvedAt.IsZero() {
		return st, live, true, false
	}
	return st, openIncident{impact: impactOf(i.Impact), lastUpdate: lastUpdate(i)}, true, true
}

// lastUpdate is an incident's latest public update, its first post
// counting as one. Updates come in any order.
func lastUpdate(i *item.Incident) time.Time {
	last := i.CreatedAt
	for _, u := range i.Updates {
		if u.After(last) {
			last = u
		}
	}
	return last
}

// updateGaps are the intervals between consecutive public updates in time
// order, the first post included, up to the resolution.
func updateGaps(firstPost time.Time, updates []time.Time, resolved time.Time) []int64 {
	all := updatesUpTo(append([]time.Time{firstPost}, updates...), resolved)
	if len(all) < 2 {
		return nil
	}
	gaps := make([]int64, len(all)-1)
	for k := range gaps {
		gaps[k] = millisBetween(all[k], all[k+1])
	}
	return gaps
}

// maintenanceStatic is a maintenance's counter contribution.
type maintenanceStatic struct {
	notice int64 // milliseconds from announcement to start; -1: not observed
	short  bool  // announced with less than the minimum notice of its term
}

// liveMaintenance is a maintenance not completed whose scheduled start is
// still ahead as of the judged instant: the next-maintenance gauge, and the
// notice it will be observed with once the start passes (nil: already
// observed, from its pinned notice).
type liveMaintenance struct {
	start  time.Time
	notice *maintenanceStatic
}

// maintenanceContribution derives a maintenance's static part as of judged
// (the instant the Aggregator has judged its source as of) and, while its
// start is ahead, its live part. The notice is observed once, when the
// maintenance starts (its scheduled start passes as of the judged instant)
// or completes, from its announcement and schedule then; MergeMaintenance
// pins them, so that a reschedule or a re-announcement moves nothing
// observed (docs/metrics.md).
func (r *Rules) maintenanceContribution(m *item.Maintenance, judged time.Time) (st maintenanceStatic, lv liveMaintenance, counted, pending bool) {
	h := maintenanceHistory(m)
	if !r.counted(h.Created) {
		return st, lv, false, false
	}
	n := h.Notice
	if m.CompletedAt.IsZero() && !m.ScheduledFor.IsZero() {
		lv.start = m.ScheduledFor
	}
	if n == nil && !lv.start.IsZero() && !lv.start.After(judged) {
		n = &item.MaintenanceNotice{Announced: m.CreatedAt, Start: lv.start}
	}
	st = r.noticeOf(n)
	if lv.start.IsZero() || !lv.start.After(judged) {
		return st, lv, true, false
	}
	if n == nil {
		observed := r.noticeOf(&item.MaintenanceNotice{Announced: m.CreatedAt, Start: lv.start})
		lv.notice = &observed
	}
	return st, lv, true, true
}

// noticeOf is the observation of a maintenance's notice: from announcement
// to scheduled start (zero when announced after it started), short when
// less than the minimum notice of the term in force at the announcement.
// Without the announcement time (formats that do not
// publish it) the notice is unknown: not observed, never short.
func (r *Rules) noticeOf(n *item.MaintenanceNotice) maintenanceStatic {
	st := maintenanceStatic{notice: -1}
	if n == nil || n.Start.IsZero() || n.Announced.IsZero() {
		return st
	}
	st.notice = millisBetween(n.Announced, n.Start)
	if tm := r.termAt(n.Announced); tm != nil && tm.minNotice > 0 {
		st.short = st.notice < tm.minNotice.Milliseconds()
	}
	return st
}

// millisBetween is to - from in milliseconds, zero when to is earlier.
func millisBetween(from, to time.Time) int64 {
	return max(to.Sub(from), 0).Milliseconds()
}
