package quality

import (
	"cmp"
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// incidentStatic is the part of an incident's contribution that does not
// depend on the time (all of it but the open gauge), under the impact
// pinned at first store.
type incidentStatic struct {
	impact      Impact
	noticeDelay int64   // milliseconds from started_at to the first public post; -1: a time is unknown
	gaps        []int64 // milliseconds between consecutive updates, up to the resolving one
	duration    int64   // milliseconds from started_at to resolved_at; -1: unresolved
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
// started_at defaults to the first post (DESIGN.md). A format that does not
// give the first post feeds no notice delay or update gaps, and one that
// never says whether an incident ended no open gauge, gaps or duration:
// never an invented value.
func (r *Rules) incidentContribution(i *model.Incident) (st incidentStatic, live openIncident, counted, open bool) {
	if !r.counted(cmp.Or(i.CreatedAt, i.StartedAt)) {
		return st, live, false, false
	}
	first := i.Impact
	if i.History != nil {
		first = i.History.FirstImpact
	}
	started := cmp.Or(i.StartedAt, i.CreatedAt)
	st = incidentStatic{
		impact:      impactOf(first),
		noticeDelay: -1,
		duration:    -1,
		postmortem:  -1,
	}
	if !i.CreatedAt.IsZero() {
		st.noticeDelay = millisBetween(started, i.CreatedAt)
	}
	if i.ResolutionUnknown {
		return st, live, true, false
	}
	if !i.CreatedAt.IsZero() {
		st.gaps = updateGaps(i)
	}
	if i.ResolvedAt.IsZero() {
		return st, openIncident{impact: impactOf(i.Impact), lastUpdate: lastUpdate(i)}, true, true
	}
	if !started.IsZero() {
		st.duration = millisBetween(started, i.ResolvedAt)
	}
	if !i.PostmortemPublishedAt.IsZero() {
		st.postmortem = millisBetween(i.ResolvedAt, i.PostmortemPublishedAt)
	}
	return st, live, true, false
}

// lastUpdate is an incident's latest public update, its first post
// counting as one. Updates come in any order.
func lastUpdate(i *model.Incident) time.Time {
	last := i.CreatedAt
	for _, u := range i.Updates {
		if u.After(last) {
			last = u
		}
	}
	return last
}

// updateGaps are the intervals between consecutive public updates in time
// order, the first post included, up to the resolving update. While the
// incident is unresolved every gap that has closed is counted: an open gap
// is not observed until the next update ends it.
func updateGaps(i *model.Incident) []int64 {
	updates := unionTimes([]time.Time{i.CreatedAt}, i.Updates)
	if !i.ResolvedAt.IsZero() {
		n := 0
		for n < len(updates) && !updates[n].After(i.ResolvedAt) {
			n++
		}
		updates = updates[:n]
	}
	if len(updates) < 2 {
		return nil
	}
	gaps := make([]int64, len(updates)-1)
	for k := range gaps {
		gaps[k] = millisBetween(updates[k], updates[k+1])
	}
	return gaps
}

// maintenanceStatic is a maintenance's whole counter contribution; only the
// next-maintenance gauge depends on the time.
type maintenanceStatic struct {
	notice int64 // milliseconds from announcement to start; -1: no schedule given
	short  bool  // announced with less than the vendor's minimum notice
}

// maintenanceContribution derives a maintenance's static part and, while it
// is not completed, when it is scheduled to start. A maintenance announced
// after it started has a notice of zero.
func (r *Rules) maintenanceContribution(m *model.Maintenance) (st maintenanceStatic, start time.Time, counted, pending bool) {
	if !r.counted(cmp.Or(m.CreatedAt, m.ScheduledFor)) {
		return st, start, false, false
	}
	st.notice = -1
	if m.ScheduledFor.IsZero() {
		return st, start, true, false
	}
	// Without the announcement time (formats that do not publish it) the
	// notice is unknown: not observed, never short.
	if !m.CreatedAt.IsZero() {
		st.notice = millisBetween(m.CreatedAt, m.ScheduledFor)
		st.short = r.minNotice > 0 && st.notice < r.minNotice.Milliseconds()
	}
	return st, m.ScheduledFor, true, m.CompletedAt.IsZero()
}

// millisBetween is to - from in milliseconds, zero when to is earlier.
func millisBetween(from, to time.Time) int64 {
	return max(to.Sub(from), 0).Milliseconds()
}
