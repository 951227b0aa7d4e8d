package simulator

import (
	"cmp"
	"net/http"
	"slices"
	"time"
)

// newestLimit is how many items Statuspage's list endpoints return.
const newestLimit = 50

// statuspageAPI serves one vendor's public status page API (v2, no auth).
type statuspageAPI struct {
	w     *world
	clock func() time.Time
	base  func() string
}

func newStatuspageAPI(w *world, clock func() time.Time, base func() string) *statuspageAPI {
	return &statuspageAPI{w: w, clock: clock, base: base}
}

func (s *statuspageAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		rw.Header().Set("Allow", http.MethodGet)
		http.Error(rw, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	ps := s.w.pageAt(s.clock().UnixMilli())
	page := ps.page(s.base())
	switch r.URL.Path {
	case "/api/v2/summary.json":
		ind, desc := ps.indicator()
		writeStatuspageJSON(rw, r, struct {
			Page                  spPage          `json:"page"`
			Components            []spComponent   `json:"components"`
			Incidents             []spIncident    `json:"incidents"`
			ScheduledMaintenances []spMaintenance `json:"scheduled_maintenances"`
			Status                spStatus        `json:"status"`
		}{page, ps.components(), ps.unresolved(), ps.maintenanceList(maintenanceActive, true), spStatus{ind, desc}})
	case "/api/v2/status.json":
		ind, desc := ps.indicator()
		writeStatuspageJSON(rw, r, struct {
			Page   spPage   `json:"page"`
			Status spStatus `json:"status"`
		}{page, spStatus{ind, desc}})
	case "/api/v2/components.json":
		writeStatuspageJSON(rw, r, struct {
			Page       spPage        `json:"page"`
			Components []spComponent `json:"components"`
		}{page, ps.components()})
	case "/api/v2/incidents.json":
		writeIncidents(rw, r, page, ps.newest())
	case "/api/v2/incidents/unresolved.json":
		writeIncidents(rw, r, page, ps.unresolved())
	case "/api/v2/scheduled-maintenances.json":
		writeMaintenances(rw, r, page, ps.maintenanceList(func(*maintenance, int64) bool { return true }, false))
	case "/api/v2/scheduled-maintenances/upcoming.json":
		writeMaintenances(rw, r, page, ps.maintenanceList(func(m *maintenance, now int64) bool { return m.updates[1].at > now }, true))
	case "/api/v2/scheduled-maintenances/active.json":
		writeMaintenances(rw, r, page, ps.maintenanceList(func(m *maintenance, now int64) bool {
			return m.updates[1].at <= now && now < m.completed()
		}, true))
	default:
		http.NotFound(rw, r)
	}
}

func writeIncidents[T any](rw http.ResponseWriter, r *http.Request, page spPage, incidents []T) {
	writeStatuspageJSON(rw, r, struct {
		Page      spPage `json:"page"`
		Incidents []T    `json:"incidents"`
	}{page, incidents})
}

func writeMaintenances(rw http.ResponseWriter, r *http.Request, page spPage, ms []spMaintenance) {
	writeStatuspageJSON(rw, r, struct {
		Page                  spPage          `json:"page"`
		ScheduledMaintenances []spMaintenance `json:"scheduled_maintenances"`
	}{page, ms})
}

// unresolved lists the unresolved incidents, newest first.
func (ps *pageState) unresolved() []spIncident {
	out := []spIncident{}
	for _, in := range slices.Backward(ps.incidents) {
		if incidentUnresolved(in, ps.now) {
			out = append(out, ps.incident(in))
		}
	}
	return out
}

// newest lists the 50 newest incidents, resolved ones included. As on real
// pages, scheduled maintenances are incidents too and appear among them
// (recognizable by their scheduled_for).
func (ps *pageState) newest() []any {
	type item struct {
		created int64
		render  func() any
	}
	var items []item
	for _, in := range ps.incidents {
		items = append(items, item{in.created(), func() any { return ps.incident(in) }})
	}
	for _, m := range ps.maintenances {
		items = append(items, item{m.created(), func() any { return ps.maintenance(m) }})
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(b.created, a.created) })
	out := []any{}
	for _, it := range items[:min(len(items), newestLimit)] {
		out = append(out, it.render())
	}
	return out
}

// maintenanceList lists the maintenances keep accepts: by scheduled start,
// soonest first when ascending (what is coming), else the newest 50 first.
func (ps *pageState) maintenanceList(keep func(*maintenance, int64) bool, ascending bool) []spMaintenance {
	var picked []*maintenance
	for _, m := range ps.maintenances {
		if keep(m, ps.now) {
			picked = append(picked, m)
		}
	}
	slices.SortStableFunc(picked, func(a, b *maintenance) int {
		if ascending {
			return cmp.Compare(a.scheduledFor, b.scheduledFor)
		}
		return cmp.Compare(b.scheduledFor, a.scheduledFor)
	})
	out := []spMaintenance{}
	for _, m := range picked[:min(len(picked), newestLimit)] {
		out = append(out, ps.maintenance(m))
	}
	return out
}
