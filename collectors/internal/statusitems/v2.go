package statusitems

import (
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// V2Component is a component of Atlassian Statuspage's public API v2, as
// Statuspage and the pages compatible with it (incident.io) serve it.
type V2Component struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	Group   bool   `json:"group"`    // a group container, not a component
	GroupID string `json:"group_id"` // null when top-level
}

// V2Item is an incident or a scheduled maintenance of the v2 API: both come
// in one schema, told apart by scheduled_for. Compatible pages omit some
// fields (incident.io: started_at, resolved_at, postmortem_published_at,
// components); they are read when present.
type V2Item struct {
	ID                    string        `json:"id"`
	Name                  string        `json:"name"` // the item's title
	Status                string        `json:"status"`
	Impact                string        `json:"impact"`
	CreatedAt             Instant       `json:"created_at"`
	UpdatedAt             Instant       `json:"updated_at"`
	StartedAt             Instant       `json:"started_at"`
	ResolvedAt            Instant       `json:"resolved_at"`
	ScheduledFor          Instant       `json:"scheduled_for"`
	ScheduledUntil        Instant       `json:"scheduled_until"`
	PostmortemPublishedAt Instant       `json:"postmortem_published_at"`
	Updates               []V2Update    `json:"incident_updates"`
	Components            []V2Component `json:"components"`
}

// V2Update is an element of an item's `incident_updates`.
type V2Update struct {
	Status    string  `json:"status"`
	DisplayAt Instant `json:"display_at"` // the time shown to readers; may be backdated
	CreatedAt Instant `json:"created_at"`
}

// Time is when an update was shown to readers: display_at, else created_at.
func (u V2Update) Time() time.Time {
	if !u.DisplayAt.IsZero() {
		return u.DisplayAt.Time
	}
	return u.CreatedAt.Time
}

// FinishedAt is when a finished item finished: resolved_at, else the time of
// its last update with the finishing status, else updated_at. A finished
// item must never look open (a zero time), which would keep it in the
// open-incident gauges forever; incident.io sends no resolved_at, so its
// resolving update decides.
func (it V2Item) FinishedAt(status string) time.Time {
	if !it.ResolvedAt.IsZero() {
		return it.ResolvedAt.Time
	}
	var last time.Time
	for _, u := range it.Updates {
		if t := u.Time(); u.Status == status && t.After(last) {
			last = t
		}
	}
	if !last.IsZero() {
		return last
	}
	return it.UpdatedAt.Time
}

// Maintenance maps an item with scheduled_for; it is completed when its
// status says so.
func (it V2Item) Maintenance() item.Maintenance {
	m := item.Maintenance{
		ID:             it.ID,
		Title:          item.CleanTitle(it.Name),
		CreatedAt:      it.CreatedAt.Time,
		UpdatedAt:      it.UpdatedAt.Time,
		ScheduledFor:   it.ScheduledFor.Time,
		ScheduledUntil: it.ScheduledUntil.Time,
	}
	if it.Status == "completed" {
		m.CompletedAt = it.FinishedAt("completed")
	}
	return m
}
