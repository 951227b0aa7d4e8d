package main

import (
	"fmt"
	"time"

	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/simulator"
)

// The demo's off-hours drill (docs/configuration.md, "The off-hours
// drill"): one vendor, drillco, reached through the simulated Requests API
// only (simulator.DemoDrill), whose drill is planned ten seconds after the
// demo starts, at night in its zone, and answered by a person (the
// simulation's scripted reply). It writes to the simulator only: the
// demo's config holds nothing else.

// demoDrillTick is how often the demo's drill steps: its result shows
// within a minute.
const demoDrillTick = 5 * time.Second

// demoDrillID is the demo's first drill.
const demoDrillID = "demo-1"

// demoDrillVendor is drillco's part of the demo config, and its log
// attributes.
func demoDrillVendor(sim *simulator.Sim, now time.Time) (demoVendor, []any) {
	v := simulator.DemoDrill(now)
	dv := demoVendor{Name: v.Name, Timezone: v.Timezone,
		Tickets: sourceBody(sim.SourceYAML(v.Name, simulator.KindZendeskRequests) + "poll_interval: 10s\n"),
		Drill: `      enabled: true
      source: helpdesk
      interval: 1d
      priority: urgent
      subject: "[support drill {{.Marker}}] API answers 503 since {{.Moment.Format \"15:04\"}}"
      body: "This is a scheduled support drill ({{.Marker}}) of the support_exporter demo: please answer as you would a real ticket."
      closing: "Thank you! This was a scheduled support drill; the ticket can be closed."
      timeout: 12h`,
	}
	return dv, []any{"vendor", v.Name, simulator.KindZendeskRequests, sim.URL(v.Name, simulator.KindZendeskRequests), "drill", true}
}

// planDrill stores the demo's first drill as the drill plans one, ten
// seconds ahead instead of at a random moment of the next day, so that
// the demo shows a drill at once; later drills follow the interval. A
// store that holds it already (a demo restarted over a persistent
// --storage.path) keeps it as it is: its result stays counted.
func (d *demo) planDrill(st *store.Store) error {
	ds, err := st.Drills("drillco")
	if err != nil {
		return fmt.Errorf("planning the demo's drill: %w", err)
	}
	for _, dr := range ds {
		if dr.ID == demoDrillID {
			return nil
		}
	}
	moment := d.now().Add(10 * time.Second).Truncate(time.Second)
	err = st.PutDrill("drillco", store.Drill{ID: demoDrillID, Source: "helpdesk", Marker: "support-drill-" + demoDrillID,
		Moment: moment, State: "planned"})
	if err != nil {
		return fmt.Errorf("planning the demo's drill: %w", err)
	}
	return nil
}
