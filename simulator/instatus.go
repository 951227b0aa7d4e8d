package simulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// instatusAPI serves a vendor's page as Instatus publishes it
// (instatus.com/help/api/public-data): /summary.json with the page status
// and only the active incidents and maintenances (empty arrays left out;
// no history), and /v2/components.json with every component, its group as
// an object and the active incidents affecting it. Times are RFC 3339 with
// milliseconds, as live pages write them; ids are cuid-like.
type instatusAPI struct{ statusAPI }

const cuidAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

func cuid(id string) string { return "cl" + derivedID(id, cuidAlphabet, 23) }

// instatusState is a component status, or an incident's impact, in
// Instatus' words.
func instatusState(status string) string {
	return strings.ToUpper(strings.ReplaceAll(status, "_", ""))
}

type isPage struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Status string `json:"status"` // UP, HASISSUES, UNDERMAINTENANCE
}

type isIncident struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Started   string `json:"started"`
	Status    string `json:"status"`
	Impact    string `json:"impact"`
	URL       string `json:"url"`
	UpdatedAt string `json:"updatedAt"`
}

type isMaintenance struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Start     string `json:"start"`
	Status    string `json:"status"`
	Duration  string `json:"duration"` // minutes, as a string
	URL       string `json:"url"`
	UpdatedAt string `json:"updatedAt"`
}

type isRef struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

type isGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type isComponent struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	Status          string   `json:"status"`
	Group           *isGroup `json:"group"`
	ActiveIncidents []isRef  `json:"activeIncidents"`
}

func (a *instatusAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if !getOnly(rw, r) {
		return
	}
	ps := a.pageNow()
	switch r.URL.Path {
	case "/summary.json":
		writeJSON(rw, http.StatusOK, a.summary(ps))
	case "/v2/components.json":
		writeJSON(rw, http.StatusOK, struct {
			Components []isComponent `json:"components"`
		}{a.components(ps)})
	default:
		http.NotFound(rw, r)
	}
}

func (a *instatusAPI) summary(ps *pageState) any {
	var incidents []isIncident
	for _, in := range slices.Backward(ps.incidents) {
		if !incidentUnresolved(in, ps.now) {
			continue
		}
		last := lastUpdate(in.updates, ps.now)
		incidents = append(incidents, isIncident{
			ID: cuid(in.id), Name: in.name, Started: spTime(in.started), Status: strings.ToUpper(last.status),
			Impact: instatusState(impactComponent[in.impact]), URL: a.base() + "/incident/" + cuid(in.id), UpdatedAt: spTime(max(last.at, in.edited)),
		})
	}
	var maints []isMaintenance
	for _, m := range ps.maintenances {
		if maintenanceDone(m, ps.now) {
			continue
		}
		status := "NOTSTARTEDYET"
		if maintenanceStarted(m, ps.now) {
			status = "INPROGRESS"
		}
		maints = append(maints, isMaintenance{
			ID: cuid(m.id), Name: m.name, Start: spTime(m.scheduledFor), Status: status,
			Duration: strconv.FormatInt((m.scheduledUntil-m.scheduledFor)/60000, 10),
			URL:      a.base() + "/maintenance/" + cuid(m.id), UpdatedAt: spTime(m.updatedAt(ps.now)),
		})
	}
	pageStatus := "UP"
	switch ind, _ := ps.indicator(); ind {
	case "none":
	case "maintenance":
		pageStatus = "UNDERMAINTENANCE"
	default:
		pageStatus = "HASISSUES"
	}
	return struct {
		Page               isPage          `json:"page"`
		ActiveIncidents    []isIncident    `json:"activeIncidents,omitempty"`
		ActiveMaintenances []isMaintenance `json:"activeMaintenances,omitempty"`
	}{isPage{a.w.v.Name, a.base(), pageStatus}, incidents, maints}
}

// components lists the leaf components; a grouped one names its group.
func (a *instatusAPI) components(ps *pageState) []isComponent {
	out := []isComponent{}
	for _, i := range a.w.leaves() {
		c := a.w.id.components[i]
		ic := isComponent{ID: cuid(c.id), Name: c.name, Description: c.description, Status: instatusState(ps.status[i]), ActiveIncidents: []isRef{}}
		if c.groupIndex >= 0 {
			g := a.w.id.components[c.groupIndex]
			ic.Group = &isGroup{ID: cuid(g.id), Name: g.name}
		}
		for _, in := range ps.incidents {
			if incidentUnresolved(in, ps.now) && slices.Contains(in.components, i) {
				ic.ActiveIncidents = append(ic.ActiveIncidents, isRef{cuid(in.id), in.name, strings.ToUpper(incidentStatus(in, ps.now))})
			}
		}
		out = append(out, ic)
	}
	return out
}
