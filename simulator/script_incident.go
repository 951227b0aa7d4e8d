package simulator

import (
	"fmt"
	"slices"
	"time"
)

// ScriptedIncident is one incident of a vendor's scripted status page
// (Vendor.Incidents): a known outage whose contract figures a test works
// out by hand. It is posted at Posted ("investigating") and resolved at
// Resolved, nothing in between; agents may edit it later as any incident
// (Sim.EditIncident).
type ScriptedIncident struct {
	Impact     string    // none, minor, major or critical
	Components []string  // names from the status page's catalog: API, Dashboard, Webhooks, Authentication, US East, EU West, Asia Pacific
	Started    time.Time // when impact began (started_at), at or before Posted
	Posted     time.Time // the first post
	Resolved   time.Time // the resolving post, after Posted
}

// streamScriptedIncident separates the ids of scripted incidents from the
// generated ones'.
const streamScriptedIncident stream = 101

func (si ScriptedIncident) validate() error {
	switch {
	case !slices.Contains(impacts, si.Impact):
		return fmt.Errorf("scripted incident: unknown impact %q", si.Impact)
	case len(si.Components) == 0:
		return fmt.Errorf("scripted incident: no component")
	case si.Started.After(si.Posted) || !si.Resolved.After(si.Posted):
		return fmt.Errorf("scripted incident: want Started <= Posted < Resolved, got %v, %v, %v", si.Started, si.Posted, si.Resolved)
	}
	for _, name := range si.Components {
		if componentIndex(name) < 0 {
			return fmt.Errorf("scripted incident: unknown component %q", name)
		}
	}
	return nil
}

// componentIndex is the catalog index of a component that is no group, -1
// when there is none of that name.
func componentIndex(name string) int {
	return slices.IndexFunc(componentCatalog, func(c struct {
		name, description string
		group             bool
		parent            int
	}) bool {
		return c.name == name && !c.group
	})
}

// scriptedIncidents are the vendor's scripted incidents first posted at or
// before now (Unix ms).
func (w *world) scriptedIncidents(now int64) []*incident {
	var out []*incident
	for k, si := range w.v.Incidents {
		if si.Posted.UnixMilli() > now {
			continue
		}
		r := itemRand(w.seed, streamScriptedIncident, uint64(k))
		in := &incident{
			id:        statuspageID(r),
			shortlink: "https://stspg.io/" + statuspageID(r)[:10],
			impact:    si.Impact,
			started:   si.Started.UnixMilli(),
		}
		for _, name := range si.Components {
			in.components = append(in.components, componentIndex(name))
		}
		slices.Sort(in.components)
		in.name = incidentName(r, si.Components[0], si.Impact)
		in.updates = []update{
			{id: statuspageID(r), at: si.Posted.UnixMilli(), status: "investigating", body: updateBody("investigating")},
			{id: statuspageID(r), at: si.Resolved.UnixMilli(), status: "resolved", body: updateBody("resolved")},
		}
		in.posted = in.created()
		out = append(out, in)
	}
	return out
}
