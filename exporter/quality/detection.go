package quality

import (
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// DefaultNoticeWindow is how long before an incident's impact began a
// customer signal still counts as the customer noticing it (DESIGN.md, "Who
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

// ticketKinds are the source kinds whose tickets are customer signals
// (DESIGN.md, `tickets` kinds). Every source of these kinds must be
// complete past an incident's first post before who noticed it first is
// decided.
var ticketKinds = map[string]bool{
	"zendesk": true, "zendesk_requests": true, "freshdesk": true, "jira_service_management": true, "github": true,
}

// noticeWindow is the span in which a customer signal makes an incident
// customer-first: from the vendor's notice window before its impact began
// (started_at, or created_at when not given) to its first public post, both
// included.
type noticeWindow struct{ from, to time.Time }

func (r *Rules) noticeWindowOf(i *model.Incident) noticeWindow {
	return noticeWindow{from: startedAt(i).Add(-r.noticeWindow), to: i.CreatedAt}
}

// settledBy reports whether signals complete up to asOf settle the window:
// no signal inside it can still arrive. Signals are kept to the
// millisecond, so the window's last millisecond must have passed whole.
func (w noticeWindow) settledBy(asOf time.Time) bool {
	return asOf.UnixMilli() > w.to.UnixMilli()
}

// startedAt is when an incident's impact began; created_at when the vendor
// did not say.
func startedAt(i *model.Incident) time.Time {
	if i.StartedAt.IsZero() {
		return i.CreatedAt
	}
	return i.StartedAt
}

// verdict is who noticed an incident first, decided once.
type verdict struct {
	first First
	lead  int64 // customer-first: milliseconds from the first signal in the window to the first post
}

// decide judges an incident's window against the customer signals.
func (s signalSet) decide(w noticeWindow) verdict {
	first, ok := s.earliest(w.from, w.to)
	if !ok {
		return verdict{first: VendorFirst}
	}
	return verdict{first: CustomerFirst, lead: millisBetween(first, w.to)}
}
