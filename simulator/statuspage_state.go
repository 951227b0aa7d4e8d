package simulator

// pageState is a vendor's status page as of an instant: the incidents and
// maintenances posted by then, and every component's status.
type pageState struct {
	w            *world
	now          int64 // Unix ms
	incidents    []*incident
	maintenances []*maintenance
	status       []string // by component index
	changed      []int64  // by component index: when its status last changed (Unix ms)
	updated      int64    // the page's updated_at
}

// componentRank orders component statuses by severity.
var componentRank = map[string]int{
	"operational": 0, "under_maintenance": 1, "degraded_performance": 2, "partial_outage": 3, "major_outage": 4,
}

func (w *world) pageAt(nowMs int64) *pageState {
	ps := &pageState{w: w, now: nowMs, incidents: w.incidentsBy(nowMs), maintenances: w.maintenancesBy(nowMs)}
	n := len(w.id.components)
	ps.status, ps.changed = make([]string, n), make([]int64, n)
	for i, c := range w.id.components {
		ps.status[i], ps.changed[i] = "operational", ms(c.createdAt)
	}
	ps.updated = ms(w.t0)
	affect := func(comps []int, status string, from, to int64) {
		for _, c := range comps {
			if from <= nowMs && nowMs < to && componentRank[status] > componentRank[ps.status[c]] {
				ps.status[c] = status
			}
			for _, t := range []int64{from, to} {
				if t <= nowMs {
					ps.changed[c] = max(ps.changed[c], t)
				}
			}
		}
	}
	for _, in := range ps.incidents {
		affect(in.components, impactComponent[in.impact], in.created(), in.resolved())
		ps.updated = max(ps.updated, incidentUpdated(in, nowMs))
	}
	for _, m := range ps.maintenances {
		affect(m.components, "under_maintenance", m.updates[1].at, m.completed())
		ps.updated = max(ps.updated, m.updatedAt(nowMs))
	}
	for i, c := range w.id.components {
		for _, child := range c.children {
			if componentRank[ps.status[child]] > componentRank[ps.status[i]] {
				ps.status[i] = ps.status[child]
			}
			ps.changed[i] = max(ps.changed[i], ps.changed[child])
		}
	}
	return ps
}

// lastUpdate is the latest of updates posted by now; updates[0] is posted
// by the time an item is visible.
func lastUpdate(updates []update, now int64) update {
	last := updates[0]
	for _, u := range updates {
		if u.at <= now {
			last = u
		}
	}
	return last
}

func (m *maintenance) lastUpdate(now int64) update { return lastUpdate(m.updates, now) }

// updatedAt is a maintenance's updated_at: its latest post, or an agent's
// later edit (edit.go).
func (m *maintenance) updatedAt(now int64) int64 { return max(m.lastUpdate(now).at, m.edited) }

// updatedAt is an update's updated_at: when posted, or last moved.
func (u update) updatedAt() int64 { return max(u.at, u.edited) }

// incidentStatus is the incident's status now: its latest update's, or
// "postmortem" once the postmortem is out.
func incidentStatus(in *incident, now int64) string {
	if in.postmortem != 0 && in.postmortem <= now {
		return "postmortem"
	}
	return lastUpdate(in.updates, now).status
}

// incidentUpdated is an incident's updated_at: its latest post, its
// postmortem, or an agent's later edit (edit.go).
func incidentUpdated(in *incident, now int64) int64 {
	at := lastUpdate(in.updates, now).at
	if in.postmortem != 0 && in.postmortem <= now {
		at = in.postmortem
	}
	return max(at, in.edited)
}

func incidentUnresolved(in *incident, now int64) bool {
	switch incidentStatus(in, now) {
	case "resolved", "postmortem":
		return false
	}
	return true
}

// maintenanceActive: announced and not completed yet (upcoming or under way).
func maintenanceActive(m *maintenance, now int64) bool { return m.completed() > now }

// indicator rolls the page up as Statuspage does: the worst unresolved
// incident or component, else maintenance when one is under way.
func (ps *pageState) indicator() (indicator, description string) {
	rank := map[string]int{"none": 0, "minor": 1, "major": 2, "critical": 3}
	worst, onlyDegraded, inMaintenance := "none", true, false
	raise := func(level string) {
		if rank[level] > rank[worst] {
			worst = level
		}
	}
	for _, in := range ps.incidents {
		if incidentUnresolved(in, ps.now) {
			raise(in.impact)
		}
	}
	for _, s := range ps.status {
		switch s {
		case "degraded_performance":
			raise("minor")
		case "partial_outage":
			raise("minor")
			onlyDegraded = false
		case "major_outage":
			raise("major")
			onlyDegraded = false
		case "under_maintenance":
			inMaintenance = true
		}
	}
	switch {
	case worst == "none" && inMaintenance:
		return "maintenance", "Service Under Maintenance"
	case worst == "none":
		return "none", "All Systems Operational"
	case worst == "minor" && onlyDegraded:
		return "minor", "Partially Degraded Service"
	case worst == "minor":
		return "minor", "Minor Service Outage"
	case worst == "major":
		return "major", "Partial System Outage"
	}
	return "critical", "Major System Outage"
}
