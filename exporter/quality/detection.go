package quality

import (
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// DefaultNoticeWindow is how long before an incident's impact began a
// customer signal still counts as the customer noticing it (docs/configuration.md, "Who
// noticed first") when the vendor's notice_window is not set: customers
// open tickets about trouble that the vendor only later dates as the start
// of the incident.
const DefaultNoticeWindow = 30 * time.Minute

// AlertSource is the name Snapshot's asOf is asked under for the vendor's
// customer alerts (the Alertmanager webhook): the instant up to which every
// alert that started has arrived. Alerts are stored the moment they are
// received, but Alertmanager delivers them late (group_wait, retries), so
// the exporter answers now minus global.alert_grace. It is no valid source
// name, so no configured source can take it.
const AlertSource = "alertmanager webhook"

// noticeWindow is the span in which a customer signal makes an incident
// customer-first: from the vendor's notice window before its impact began
// (started_at, or created_at when not given) to its first public post, both
// included.
type noticeWindow struct{ from, to time.Time }

// noticeWindowOf is an incident's window: the one pinned when it became
// decidable (MergeIncident), else the one the version shows. ok is false
// when the first post is unknown: no one can then say who noticed first.
func (r *Rules) noticeWindowOf(i *item.Incident, h *item.IncidentHistory) (w noticeWindow, ok bool) {
	started, post := startedAt(i), i.CreatedAt
	if !h.NoticePost.IsZero() {
		started, post = h.NoticeStarted, h.NoticePost
	}
	return noticeWindow{from: started.Add(-r.noticeWindow), to: post}, !post.IsZero()
}

// settledBy reports whether signals complete up to asOf settle the window:
// no signal inside it can still arrive. Signals are kept to the
// millisecond, so the window's last millisecond must have passed whole.
func (w noticeWindow) settledBy(asOf time.Time) bool {
	return asOf.UnixMilli() > w.to.UnixMilli()
}

// startedAt is when an incident's impact began; created_at when the vendor
// did not say.
func startedAt(i *item.Incident) time.Time {
	if i.StartedAt.IsZero() {
		return i.CreatedAt
	}
	return i.StartedAt
}

// signal is a customer signal: at is its instant (a ticket's pinned
// creation, an alert's start), known the instant up to which the signal
// sources were complete when it became a signal (a ticket stored late, a
// signal tag added later). A signal counts for an incident only if it was
// known before the signals were complete past the incident's first post,
// that is before who noticed first was decided: so that a restart, deciding
// again from the store, decides the same (docs/metrics.md).
type signal struct{ at, known time.Time }

func (s signal) equal(o signal) bool { return s.at.Equal(o.at) && s.known.Equal(o.known) }

// late reports whether the signal became known after its instant: only
// such signals need their known instant checked.
func (s signal) late() bool { return s.known.UnixMilli() > s.at.UnixMilli() }

// ticketSignal is a ticket's customer signal, if it is one (the vendor's
// `signals`): opened with one of signals.priorities (its pinned first
// priority), or carrying one of signals.tags in any version (h.SeenTags
// keeps the tags of earlier versions), and not an off-hours drill's test
// ticket marked by the time it became a signal (h.DrillSeen). Its instant
// is the pinned creation.
func (r *Rules) ticketSignal(t *item.Ticket, h *item.TicketHistory) (signal, bool) {
	if h.Created.IsZero() || !r.counted(h.Created) {
		return signal{}, false
	}
	var known time.Time
	found := false
	consider := func(asOf time.Time) {
		if asOf.IsZero() {
			asOf = h.StoredAsOf
		}
		if !found || asOf.Before(known) {
			known, found = asOf, true
		}
	}
	if p, _ := r.Priority(h.FirstPriority); r.signalPriorities[p] {
		consider(h.StoredAsOf)
	}
	if len(r.signalTags) > 0 {
		listed := map[string]bool{}
		for _, s := range h.SeenTags {
			listed[s.Tag] = true
			if r.signalTags[s.Tag] {
				consider(s.AsOf)
			}
		}
		for _, tag := range t.Tags {
			if tag = normalizeValue(tag); !listed[tag] && r.signalTags[tag] {
				consider(h.StoredAsOf) // carried since the first store
			}
		}
	}
	if !found {
		return signal{}, false
	}
	sg := signal{at: h.Created, known: latest(known, h.Created)}
	if !h.DrillSeen.IsZero() && !h.DrillSeen.After(sg.known) {
		// A drill's test ticket (any exporter's) is no customer signal;
		// one marked only after it was a signal stays one, as decisions
		// may have counted it (item.TicketHistory.DrillSeen).
		return signal{}, false
	}
	return sg, true
}

// verdict is who noticed an incident first, decided once.
type verdict struct {
	first First
	lead  int64 // customer-first: milliseconds from the first signal in the window to the first post
}

// decide judges an incident's window against the customer signals known
// before the window's end (signal).
func (s *signals) decide(w noticeWindow) verdict {
	from, to := w.from.UnixMilli(), w.to.UnixMilli()
	first, ok := int64(0), false
	if t, found := s.timely.earliest(w.from, w.to); found {
		first, ok = t.UnixMilli(), true
	}
	for _, l := range s.late {
		if l.at >= from && l.at <= to && l.known <= to && (!ok || l.at < first) {
			first, ok = l.at, true
		}
	}
	if !ok {
		return verdict{first: VendorFirst}
	}
	return verdict{first: CustomerFirst, lead: to - first}
}
