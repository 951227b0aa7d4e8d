package feed

import (
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// buildBatch maps one poll's entries to the batch of the sync, and counts
// the entries left out because they cannot be identified or dated with
// confidence. Entries created before historyStart are left out without
// being counted (zero: no limit).
func buildBatch(entries []entry, historyStart time.Time) (batch item.Batch, skipped int) {
	entries, skipped = newestByID(entries)
	bodies := make([]readBody, len(entries))
	z := newZones()
	for i, e := range entries {
		b, found, err := parseBody(e.body)
		bodies[i] = readBody{b, found, err}
		// Only incidents teach zones: a maintenance may be published at its
		// scheduled start rather than at its newest update.
		if found && err == nil && !isMaintenance(b) && !e.published.IsZero() {
			z.learnZone(b.updates[0].at, e.published)
		}
	}
	for i, e := range entries {
		var (
			inc   item.Incident
			maint item.Maintenance
			kind  itemKind
		)
		if rb := bodies[i]; rb.found {
			inc, maint, kind = fromStatuspage(e, rb, z)
		} else {
			inc, kind = fromGenericEntry(e)
		}
		switch {
		case kind == unusable:
			skipped++
		case kind == incident && !inc.CreatedAt.Before(historyStart):
			batch.Incidents = append(batch.Incidents, inc)
		case kind == maintenance && !maint.CreatedAt.Before(historyStart):
			batch.Maintenances = append(batch.Maintenances, maint)
		}
	}
	return batch, skipped
}

// readBody is the outcome of parseBody for one entry.
type readBody struct {
	body  statuspageBody
	found bool
	err   error
}

type itemKind int

const (
	unusable itemKind = iota
	incident
	maintenance
)

// newestByID drops entries without an id and keeps one entry per id: the
// one dated last, or on a tie the first listed. The order of first
// appearance is kept so batches are reproducible.
func newestByID(entries []entry) (kept []entry, skipped int) {
	at := map[string]int{}
	for _, e := range entries {
		i, seen := at[e.id]
		switch {
		case e.id == "":
			skipped++
		case !seen:
			at[e.id] = len(kept)
			kept = append(kept, e)
		case latest(e.published, e.updated).After(latest(kept[i].published, kept[i].updated)):
			kept[i] = e
		}
	}
	return kept, skipped
}

// Maintenance-only statuses of Statuspage updates; an incident's are
// Investigating, Identified, Monitoring, Update, Resolved and Postmortem.
var maintenanceStatuses = map[string]bool{"scheduled": true, "in progress": true, "verifying": true, "completed": true}

// isMaintenance recognizes a Statuspage maintenance by its scheduled-event
// line or by a status no incident can have.
func isMaintenance(b statuspageBody) bool {
	if b.scheduledEvent {
		return true
	}
	for _, u := range b.updates {
		if maintenanceStatuses[strings.ToLower(u.status)] {
			return true
		}
	}
	return false
}

// timedUpdate is a body update placed in time.
type timedUpdate struct {
	at     time.Time
	status string // lower-case
}

// listSlack is how much later than the update listed before it an update
// may show and still be placed in the same year: display times can be
// edited, so the list is newest first only roughly.
const listSlack = 24 * time.Hour

// placeUpdates gives every listed update its year and offset (offset of
// its zone's name). The newest is placed nearest to the entry's own date;
// each older one at or before the one listed before it. ok is false when an
// update's zone is unknown or the entry has no date to start from.
func placeUpdates(updates []bodyUpdate, ref time.Time, offsetOf func(zone string) (time.Duration, bool)) (placed []timedUpdate, ok bool) {
	if ref.IsZero() {
		return nil, false
	}
	limit := ref
	for i, u := range updates {
		offset, known := offsetOf(u.at.zone)
		if !known {
			return nil, false
		}
		var t time.Time
		if i == 0 {
			t, ok = u.at.nearest(ref, offset)
		} else {
			t, ok = u.at.latestUpTo(limit, offset)
		}
		if !ok {
			return nil, false
		}
		placed = append(placed, timedUpdate{at: t, status: strings.ToLower(u.status)})
		limit = t.Add(listSlack)
	}
	return placed, true
}

// fromStatuspage maps an entry whose body is a Statuspage update list.
func fromStatuspage(e entry, rb readBody, z *zones) (item.Incident, item.Maintenance, itemKind) {
	if rb.err != nil {
		return item.Incident{}, item.Maintenance{}, unusable
	}
	updates, ok := placeUpdates(rb.body.updates, latest(e.published, e.updated), entryOffsets(e, rb.body, z))
	if !ok {
		return item.Incident{}, item.Maintenance{}, unusable
	}
	first, last := updates[0], updates[0]
	for _, u := range updates {
		if u.at.Before(first.at) {
			first = u
		}
		if u.at.After(last.at) {
			last = u
		}
	}
	if isMaintenance(rb.body) {
		m := item.Maintenance{
			ID:        e.id,
			Title:     item.CleanTitle(e.title),
			CreatedAt: first.at, // the first post announces it
			UpdatedAt: latest(e.updated, last.at),
		}
		if last.status == "completed" {
			m.CompletedAt = last.at
		}
		if w := rb.body.window; w != nil {
			m.ScheduledFor, m.ScheduledUntil = w.place(m.CreatedAt, z)
		}
		return item.Incident{}, m, maintenance
	}
	inc := item.Incident{
		ID:        e.id,
		Title:     item.CleanTitle(e.title),
		Impact:    item.ImpactNone, // the feed does not say
		CreatedAt: first.at,
		UpdatedAt: latest(e.updated, last.at),
	}
	for _, u := range updates {
		inc.Updates = append(inc.Updates, u.at)
	}
	switch last.status {
	case "resolved":
		inc.ResolvedAt = last.at
	case "postmortem":
		inc.PostmortemPublishedAt = last.at
		inc.ResolvedAt = lastWithStatus(updates, "resolved")
		if inc.ResolvedAt.IsZero() {
			// A postmortem follows the resolution; an incident with one
			// must never look open.
			inc.ResolvedAt = last.at
		}
	}
	return inc, item.Maintenance{}, incident
}

// entryOffsets returns the offsets of an entry's zone names: the feed's
// (zones), except that an incident's own date proves the offset of its
// newest update's zone (provenOffset), which then holds for every update of
// the entry printed in that zone. Statuspage's 2013-2014 pages printed the
// zone's standard abbreviation all year: status.parse.com's "Aug 20, 12:56
// PST" was published at 12:56:55 -0700 (testdata/parse-status-history-2014-01-09.rss),
// so PST read as -8 would put it an hour late. UTC, GMT, UT and numeric
// names mean what they say. A maintenance proves nothing: RSS publishes it
// at its scheduled start.
func entryOffsets(e entry, b statuspageBody, z *zones) func(zone string) (time.Duration, bool) {
	newest := b.updates[0].at
	if isMaintenance(b) || zeroOffsetZones[newest.zone] || !isLetters(newest.zone) {
		return z.offset
	}
	d, ok := provenOffset(newest, e.published)
	if !ok {
		return z.offset
	}
	return func(zone string) (time.Duration, bool) {
		if zone == newest.zone {
			return d, true
		}
		return z.offset(zone)
	}
}

// place resolves the window in time: its start in the year nearest to the
// announcement, its end after the start. A missing or earlier end stays
// zero; an unknown zone leaves both zero.
func (w *window) place(announced time.Time, z *zones) (start, end time.Time) {
	offset, known := z.offset(w.start.zone)
	if !known {
		return time.Time{}, time.Time{}
	}
	start, ok := w.start.nearest(announced, offset)
	if !ok || !w.hasEnd {
		return start, time.Time{}
	}
	endWall := w.end
	if endWall.day == 0 { // a time of day on the start's day
		local := start.Add(offset)
		endWall.month, endWall.day = local.Month(), local.Day()
	}
	end, ok = endWall.nearest(start, offset)
	if !ok || end.Before(start) {
		return start, time.Time{}
	}
	return start, end
}

// fromGenericEntry maps an entry of any other feed: an incident first
// posted at the entry's earliest date, updated at its dates. Such a feed
// gives no impact, components, start, resolution or postmortem.
func fromGenericEntry(e entry) (item.Incident, itemKind) {
	created := earliest(e.published, e.updated)
	if created.IsZero() {
		return item.Incident{}, unusable
	}
	inc := item.Incident{
		ID:        e.id,
		Title:     item.CleanTitle(e.title),
		Impact:    item.ImpactNone,
		CreatedAt: created,
		UpdatedAt: latest(e.published, e.updated),
		Updates:   []time.Time{created},
		// A generic entry never says whether or when the incident ended.
		ResolutionUnknown: true,
	}
	if last := inc.UpdatedAt; last.After(created) {
		inc.Updates = append(inc.Updates, last)
	}
	return inc, incident
}

func lastWithStatus(updates []timedUpdate, status string) time.Time {
	var last time.Time
	for _, u := range updates {
		if u.status == status && u.at.After(last) {
			last = u.at
		}
	}
	return last
}

// earliest is the earlier of two times, ignoring zero ones.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// latest is the later of two times.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
