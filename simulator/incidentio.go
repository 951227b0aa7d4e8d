package simulator

import (
	"cmp"
	"net/http"
	"slices"
	"time"
)

// incidentioAPI serves a vendor's page as incident.io hosts it: the widget
// API /api/v1/summary (help.incident.io, "Embed your status page's data
// into your own product") and the Statuspage-compatible /api/v2/summary.json
// and /api/v2/incidents.json, with their omissions: no started_at,
// resolved_at, components nor shortlink on incidents, no groups in the
// component list, no maintenances in the v2 API (its
// scheduled-maintenances and unresolved endpoints answer 404), and ULID
// ids.
type incidentioAPI struct{ statusAPI }

// ioTime formats Unix ms as incident.io does: UTC, whole seconds.
func ioTime(unixMs int64) string { return time.UnixMilli(unixMs).UTC().Format(time.RFC3339) }

// ulid gives one of the world's ids incident.io's form: a ULID whose time
// part is the item's creation.
func ulid(id string, createdMs int64) string {
	const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	b := make([]byte, 10)
	for i := 9; i >= 0; i-- {
		b[i] = crockford[createdMs&31]
		createdMs >>= 5
	}
	return string(b) + derivedID(id, crockford, 16)
}

// ioComponentStatus is incident.io's word for a component status: it calls
// the worst one full_outage.
func ioComponentStatus(s string) string {
	if s == "major_outage" {
		return "full_outage"
	}
	return s
}

type ioWidgetComponent struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	GroupName     string `json:"group_name,omitempty"`
	CurrentStatus string `json:"current_status"`
}

type ioWidgetEvent struct {
	ID                 string              `json:"id"`
	Name               string              `json:"name"`
	Status             string              `json:"status"`
	URL                string              `json:"url"`
	LastUpdateAt       string              `json:"last_update_at"`
	LastUpdateMessage  string              `json:"last_update_message"`
	CurrentWorstImpact string              `json:"current_worst_impact,omitempty"` // incidents
	AffectedComponents []ioWidgetComponent `json:"affected_components"`
	StartsAt           string              `json:"starts_at,omitempty"`        // scheduled maintenances
	EndsAt             string              `json:"ends_at,omitempty"`          // scheduled maintenances
	StartedAt          string              `json:"started_at,omitempty"`       // maintenances in progress
	ScheduledEndAt     string              `json:"scheduled_end_at,omitempty"` // maintenances in progress
}

type ioPage struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	UpdatedAt string `json:"updated_at"`
}

type ioComponent struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Position  int    `json:"position"`
	PageID    string `json:"page_id"`
}

type ioUpdate struct {
	ID         string `json:"id"`
	IncidentID string `json:"incident_id"`
	Status     string `json:"status"`
	Body       string `json:"body"`
	CreatedAt  string `json:"created_at"`
	DisplayAt  string `json:"display_at"`
	UpdatedAt  string `json:"updated_at"`
}

type ioIncident struct {
	ID              string     `json:"id"`
	Name            string     `json:"name"`
	Status          string     `json:"status"`
	Impact          string     `json:"impact"`
	CreatedAt       string     `json:"created_at"`
	UpdatedAt       string     `json:"updated_at"`
	PageID          string     `json:"page_id"`
	IncidentUpdates []ioUpdate `json:"incident_updates"`
}

func (a *incidentioAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if !getOnly(rw, r) {
		return
	}
	ps := a.pageNow()
	pageID := ulid(a.w.id.pageID, ms(a.w.t0))
	page := ioPage{ID: pageID, Name: a.w.v.Name, URL: a.base() + "/", UpdatedAt: ioTime(ps.updated)}
	switch r.URL.Path {
	case "/api/v1/summary":
		writeJSON(rw, http.StatusOK, a.widget(ps))
	case "/api/v2/summary.json":
		var comps []ioComponent
		for _, i := range a.w.leaves() {
			c := a.w.id.components[i]
			comps = append(comps, ioComponent{
				ID: ulid(c.id, ms(c.createdAt)), Name: c.name, Status: ps.status[i],
				CreatedAt: ioTime(ms(c.createdAt)), UpdatedAt: ioTime(ps.changed[i]), Position: len(comps), PageID: pageID,
			})
		}
		ind, desc := ps.indicator()
		writeJSON(rw, http.StatusOK, struct {
			Page       ioPage        `json:"page"`
			Components []ioComponent `json:"components"`
			Incidents  []ioIncident  `json:"incidents"`
			Status     spStatus      `json:"status"`
		}{page, comps, a.incidents(ps, pageID, func(in *incident) bool { return incidentUnresolved(in, ps.now) }), spStatus{ind, desc}})
	case "/api/v2/incidents.json":
		all := a.incidents(ps, pageID, func(*incident) bool { return true })
		writeJSON(rw, http.StatusOK, struct {
			Page      ioPage       `json:"page"`
			Incidents []ioIncident `json:"incidents"`
		}{page, all[:min(len(all), newestLimit)]})
	default:
		http.NotFound(rw, r)
	}
}

// incidents lists the incidents keep accepts, newest first, as the v2 API
// renders them: a postmortem does not show, so a resolved incident stays
// resolved.
func (a *incidentioAPI) incidents(ps *pageState, pageID string, keep func(*incident) bool) []ioIncident {
	out := []ioIncident{}
	for _, in := range slices.Backward(ps.incidents) {
		if !keep(in) {
			continue
		}
		id := ulid(in.id, in.posted)
		ups := posted(in.updates, ps.now)
		last := ups[len(ups)-1]
		it := ioIncident{
			ID: id, Name: in.name, Status: last.status, Impact: in.impact, CreatedAt: ioTime(in.created()),
			UpdatedAt: ioTime(max(last.at, in.edited)), PageID: pageID, IncidentUpdates: []ioUpdate{},
		}
		for _, u := range slices.Backward(ups) {
			at := ioTime(u.at)
			it.IncidentUpdates = append(it.IncidentUpdates, ioUpdate{
				ID: ulid(u.id, u.postedAt()), IncidentID: id, Status: u.status, Body: u.body, CreatedAt: at, DisplayAt: at, UpdatedAt: ioTime(u.updatedAt()),
			})
		}
		out = append(out, it)
	}
	return out
}

// widget is /api/v1/summary: the ongoing incidents, and the maintenances in
// progress and announced, soonest first.
func (a *incidentioAPI) widget(ps *pageState) any {
	affected := func(comps []int) []ioWidgetComponent {
		out := []ioWidgetComponent{}
		for _, i := range comps {
			c := a.w.id.components[i]
			wc := ioWidgetComponent{ID: ulid(c.id, ms(c.createdAt)), Name: c.name, CurrentStatus: ioComponentStatus(ps.status[i])}
			if c.groupIndex >= 0 {
				wc.GroupName = a.w.id.components[c.groupIndex].name
			}
			out = append(out, wc)
		}
		return out
	}
	event := func(id, name string, created int64, last update, comps []int) ioWidgetEvent {
		id = ulid(id, created)
		return ioWidgetEvent{
			ID: id, Name: name, Status: last.status, URL: a.base() + "/incidents/" + id,
			LastUpdateAt: ioTime(last.at), LastUpdateMessage: last.body, AffectedComponents: affected(comps),
		}
	}
	ongoing, inProgress, scheduled := []ioWidgetEvent{}, []ioWidgetEvent{}, []ioWidgetEvent{}
	for _, in := range slices.Backward(ps.incidents) {
		if incidentUnresolved(in, ps.now) {
			e := event(in.id, in.name, in.posted, lastUpdate(in.updates, ps.now), in.components)
			e.CurrentWorstImpact = ioComponentStatus(impactComponent[in.impact])
			ongoing = append(ongoing, e)
		}
	}
	maints := slices.Clone(ps.maintenances)
	slices.SortStableFunc(maints, func(x, y *maintenance) int { return cmp.Compare(x.scheduledFor, y.scheduledFor) })
	for _, m := range maints {
		if maintenanceDone(m, ps.now) {
			continue
		}
		e := event(m.id, m.name, m.announced, m.lastUpdate(ps.now), m.components)
		if maintenanceStarted(m, ps.now) {
			e.Status, e.StartedAt, e.ScheduledEndAt = "maintenance_in_progress", ioTime(m.scheduledFor), ioTime(m.scheduledUntil)
			inProgress = append(inProgress, e)
		} else {
			e.Status, e.StartsAt, e.EndsAt = "maintenance_scheduled", ioTime(m.scheduledFor), ioTime(m.scheduledUntil)
			scheduled = append(scheduled, e)
		}
	}
	return struct {
		PageTitle  string          `json:"page_title"`
		PageURL    string          `json:"page_url"`
		Ongoing    []ioWidgetEvent `json:"ongoing_incidents"`
		InProgress []ioWidgetEvent `json:"in_progress_maintenances"`
		Scheduled  []ioWidgetEvent `json:"scheduled_maintenances"`
	}{a.w.v.Name, a.base() + "/", ongoing, inProgress, scheduled}
}
