package simulator

import (
	"slices"
	"time"
)

// JSON shapes of Atlassian Statuspage's public API v2, field for field as in
// the captures (payloads/statuspage/, payloads/statuspage-real/), nulls
// included. Incident updates are listed newest first, as Statuspage does.

type spPage struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	TimeZone  string `json:"time_zone"`
	UpdatedAt string `json:"updated_at"`
}

type spStatus struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
}

type spComponent struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Status             string   `json:"status"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
	Position           int      `json:"position"`
	Description        *string  `json:"description"`
	Showcase           bool     `json:"showcase"`
	StartDate          *string  `json:"start_date"`
	GroupID            *string  `json:"group_id"`
	PageID             string   `json:"page_id"`
	Group              bool     `json:"group"`
	OnlyShowIfDegraded bool     `json:"only_show_if_degraded"`
	Components         []string `json:"components,omitempty"` // group containers: their children's ids
}

type spUpdate struct {
	ID                   string       `json:"id"`
	Status               string       `json:"status"`
	Body                 string       `json:"body"`
	IncidentID           string       `json:"incident_id"`
	CreatedAt            string       `json:"created_at"`
	UpdatedAt            string       `json:"updated_at"`
	DisplayAt            string       `json:"display_at"`
	AffectedComponents   []spAffected `json:"affected_components"`
	DeliverNotifications bool         `json:"deliver_notifications"`
	CustomTweet          *string      `json:"custom_tweet"`
	TweetID              *string      `json:"tweet_id"`
}

type spAffected struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	OldStatus string `json:"old_status"`
	NewStatus string `json:"new_status"`
}

// spEvent holds the fields incidents and maintenances share.
type spEvent struct {
	ID              string        `json:"id"`
	Name            string        `json:"name"`
	Status          string        `json:"status"`
	CreatedAt       string        `json:"created_at"`
	UpdatedAt       string        `json:"updated_at"`
	MonitoringAt    *string       `json:"monitoring_at"`
	ResolvedAt      *string       `json:"resolved_at"`
	Impact          string        `json:"impact"`
	Shortlink       string        `json:"shortlink"`
	StartedAt       string        `json:"started_at"`
	PageID          string        `json:"page_id"`
	IncidentUpdates []spUpdate    `json:"incident_updates"`
	Components      []spComponent `json:"components"`
}

type spIncident struct {
	spEvent
	ReminderIntervals *string `json:"reminder_intervals"`
	// Present once a postmortem is published (the incident's status is then
	// "postmortem").
	PostmortemBody              *string `json:"postmortem_body,omitempty"`
	PostmortemBodyLastUpdatedAt *string `json:"postmortem_body_last_updated_at,omitempty"`
	PostmortemPublishedAt       *string `json:"postmortem_published_at,omitempty"`
}

type spMaintenance struct {
	spEvent
	ScheduledFor   string `json:"scheduled_for"`
	ScheduledUntil string `json:"scheduled_until"`
}

// spTimeLayout is Statuspage's time format: UTC with milliseconds.
const spTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// spTime formats Unix ms as Statuspage does.
func spTime(unixMs int64) string { return time.UnixMilli(unixMs).UTC().Format(spTimeLayout) }

func (ps *pageState) page(base string) spPage {
	return spPage{ID: ps.w.id.pageID, Name: ps.w.v.Name, URL: base, TimeZone: ps.w.v.Timezone, UpdatedAt: spTime(ps.updated)}
}

func (ps *pageState) component(i int) spComponent {
	c := ps.w.id.components[i]
	out := spComponent{
		ID: c.id, Name: c.name, Status: ps.status[i], CreatedAt: spTime(ms(c.createdAt)), UpdatedAt: spTime(ps.changed[i]),
		Position: c.position, PageID: ps.w.id.pageID, Group: c.group,
	}
	if c.description != "" {
		out.Description = ptr(c.description)
	}
	if c.groupIndex >= 0 {
		out.GroupID = ptr(ps.w.id.components[c.groupIndex].id)
	}
	for _, child := range c.children {
		out.Components = append(out.Components, ps.w.id.components[child].id)
	}
	return out
}

func (ps *pageState) components() []spComponent {
	out := make([]spComponent, len(ps.w.id.components))
	for i := range out {
		out[i] = ps.component(i)
	}
	return out
}

// event renders what incidents and maintenances share; statusOf gives
// the component status an update sets, before and after it.
func (ps *pageState) event(id, name, impact, shortlink string, started int64, updates []update, comps []int,
	statusOf func(u update) (from, to string)) spEvent {
	e := spEvent{
		ID: id, Name: name, Impact: impact, Shortlink: shortlink, StartedAt: spTime(started), PageID: ps.w.id.pageID,
		CreatedAt: spTime(updates[0].at), IncidentUpdates: []spUpdate{}, Components: []spComponent{},
	}
	for _, c := range comps {
		e.Components = append(e.Components, ps.component(c))
	}
	for _, u := range updates {
		if u.at > ps.now {
			break
		}
		e.Status = u.status
		if (u.status == "monitoring" || u.status == "verifying") && e.MonitoringAt == nil {
			e.MonitoringAt = ptr(spTime(u.at))
		}
		if u.status == "resolved" || u.status == "completed" {
			e.ResolvedAt = ptr(spTime(u.at))
		}
		su := spUpdate{
			ID: u.id, Status: u.status, Body: u.body, IncidentID: id, CreatedAt: spTime(u.at), UpdatedAt: spTime(u.updatedAt()),
			DisplayAt: spTime(u.at), DeliverNotifications: true,
		}
		from, to := statusOf(u)
		for _, c := range comps {
			comp := ps.w.id.components[c]
			su.AffectedComponents = append(su.AffectedComponents, spAffected{Code: comp.id, Name: comp.name, OldStatus: from, NewStatus: to})
		}
		e.IncidentUpdates = append(e.IncidentUpdates, su)
	}
	slices.Reverse(e.IncidentUpdates)
	return e
}

func (ps *pageState) incident(in *incident) spIncident {
	during := impactComponent[in.impact]
	e := ps.event(in.id, in.name, in.impact, in.shortlink, in.started, in.updates, in.components, func(u update) (string, string) {
		switch {
		case u.at == in.created():
			return "operational", during
		case u.status == "resolved":
			return during, "operational"
		}
		return during, during
	})
	out := spIncident{spEvent: e}
	out.UpdatedAt = spTime(incidentUpdated(in, ps.now))
	if in.postmortem != 0 && in.postmortem <= ps.now {
		at := spTime(in.postmortem)
		out.Status = "postmortem"
		out.PostmortemBody = ptr("## Summary\n\n" + in.name + ". We have identified the root cause and put safeguards in place.")
		out.PostmortemBodyLastUpdatedAt, out.PostmortemPublishedAt = &at, &at
	}
	return out
}

func (ps *pageState) maintenance(m *maintenance) spMaintenance {
	e := ps.event(m.id, m.name, "maintenance", m.shortlink, m.created(), m.updates, m.components, func(u update) (string, string) {
		switch u.status {
		case "scheduled":
			return "operational", "operational"
		case "in_progress":
			return "operational", "under_maintenance"
		case "completed":
			return "under_maintenance", "operational"
		}
		return "under_maintenance", "under_maintenance"
	})
	e.UpdatedAt = spTime(m.updatedAt(ps.now))
	return spMaintenance{spEvent: e, ScheduledFor: spTime(m.scheduledFor), ScheduledUntil: spTime(m.scheduledUntil)}
}
