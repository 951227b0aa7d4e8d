package simulator

import (
	"net/http"
	"slices"
)

// statusioAPI serves a vendor's page through status.io's Public Status API
// (kb.status.io/developers/public-status-api): GET /1.0/status/{page_id},
// with the components and their containers, the incidents only while they
// are active, and the maintenances from announcement until they end. Each
// leaf component has one container, "Global". Times are UTC with
// milliseconds; ids are 24 hex digits.
type statusioAPI struct{ statusAPI }

const hexDigits = "0123456789abcdef"

func statusioID(id string) string { return derivedID(id, hexDigits, 24) }

func (w *world) statusioPageID() string { return statusioID(w.id.pageID) }

// statusioCodes are status.io's status codes and names by component status.
var statusioCodes = map[string]struct {
	code int
	name string
}{
	"operational":          {100, "Operational"},
	"under_maintenance":    {200, "Planned Maintenance"},
	"degraded_performance": {300, "Degraded Performance"},
	"partial_outage":       {400, "Partial Service Disruption"},
	"major_outage":         {500, "Service Disruption"},
}

// statusioStates are the message states of incident posts.
var statusioStates = map[string]int{"investigating": 100, "identified": 200, "monitoring": 300}

type sioStatus struct {
	ID         string      `json:"id,omitempty"`
	Name       string      `json:"name,omitempty"`
	Updated    string      `json:"updated"`
	Status     string      `json:"status"`
	StatusCode int         `json:"status_code"`
	Containers []sioStatus `json:"containers,omitempty"`
}

type sioResult struct {
	StatusOverall sioStatus       `json:"status_overall"`
	Status        []sioStatus     `json:"status"`
	Incidents     []sioEvent      `json:"incidents"`
	Maintenance   sioMaintenances `json:"maintenance"`
}

type sioMaintenances struct {
	Active   []sioEvent `json:"active"`
	Upcoming []sioEvent `json:"upcoming"`
}

type sioRef struct {
	Name string `json:"name"`
	ID   string `json:"_id"`
}

type sioMessage struct {
	Details  string `json:"details"`
	State    int    `json:"state"`
	Status   int    `json:"status"`
	Datetime string `json:"datetime"`
}

type sioEvent struct {
	Name                 string       `json:"name"`
	ID                   string       `json:"_id"`
	DatetimeOpen         string       `json:"datetime_open"`
	DatetimePlannedStart string       `json:"datetime_planned_start,omitempty"` // maintenances
	DatetimePlannedEnd   string       `json:"datetime_planned_end,omitempty"`   // maintenances
	Messages             []sioMessage `json:"messages"`
	ContainersAffected   []sioRef     `json:"containers_affected"`
	ComponentsAffected   []sioRef     `json:"components_affected"`
}

func (a *statusioAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if !getOnly(rw, r) {
		return
	}
	if r.URL.Path != "/1.0/status/"+a.w.statusioPageID() {
		http.NotFound(rw, r)
		return
	}
	ps := a.pageNow()
	container := sioRef{Name: "Global", ID: statusioID(a.w.id.pageID + "/global")}
	var components []sioStatus
	worst := "operational"
	for _, i := range a.w.leaves() {
		c := a.w.id.components[i]
		if componentRank[ps.status[i]] > componentRank[worst] {
			worst = ps.status[i]
		}
		code := statusioCodes[ps.status[i]]
		updated := spTime(ps.changed[i])
		components = append(components, sioStatus{
			ID: statusioID(c.id), Name: c.name, Updated: updated, Status: code.name, StatusCode: code.code,
			Containers: []sioStatus{{ID: container.ID, Name: container.Name, Updated: updated, Status: code.name, StatusCode: code.code}},
		})
	}
	affected := func(comps []int) []sioRef {
		out := []sioRef{}
		for _, i := range comps {
			out = append(out, sioRef{Name: a.w.id.components[i].name, ID: statusioID(a.w.id.components[i].id)})
		}
		return out
	}
	incidents := []sioEvent{}
	for _, in := range slices.Backward(ps.incidents) {
		if !incidentUnresolved(in, ps.now) {
			continue
		}
		e := sioEvent{
			Name: in.name, ID: statusioID(in.id), DatetimeOpen: spTime(in.created()),
			ContainersAffected: []sioRef{container}, ComponentsAffected: affected(in.components),
		}
		for _, u := range posted(in.updates, ps.now) {
			e.Messages = append(e.Messages, sioMessage{u.body, statusioStates[u.status], statusioCodes[impactComponent[in.impact]].code, spTime(u.at)})
		}
		incidents = append(incidents, e)
	}
	active, upcoming := []sioEvent{}, []sioEvent{}
	for _, m := range ps.maintenances {
		if maintenanceDone(m, ps.now) {
			continue
		}
		e := sioEvent{
			Name: m.name, ID: statusioID(m.id), DatetimeOpen: spTime(m.created()),
			DatetimePlannedStart: spTime(m.scheduledFor), DatetimePlannedEnd: spTime(m.scheduledUntil),
			ContainersAffected: []sioRef{container}, ComponentsAffected: affected(m.components),
		}
		for _, u := range posted(m.updates, ps.now) {
			e.Messages = append(e.Messages, sioMessage{u.body, 100, 200, spTime(u.at)})
		}
		if maintenanceStarted(m, ps.now) {
			active = append(active, e)
		} else {
			upcoming = append(upcoming, e)
		}
	}
	overall := statusioCodes[worst]
	writeJSON(rw, http.StatusOK, struct {
		Result sioResult `json:"result"`
	}{sioResult{
		StatusOverall: sioStatus{Updated: spTime(ps.updated), Status: overall.name, StatusCode: overall.code},
		Status:        components, Incidents: incidents, Maintenance: sioMaintenances{active, upcoming},
	}})
}
