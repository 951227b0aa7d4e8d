package statuspage

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// FuzzDecode feeds any body to every decoder the collector uses and checks
// that none panics and that whatever decodes maps to a batch the store and
// the exposition can take: unique ids, unique component names, and
// maintenances always scheduled.
func FuzzDecode(f *testing.F) {
	for _, b := range collectortest.Seeds(f, "*.json") {
		f.Add(b)
	}
	f.Add([]byte(dedupSummary))
	f.Add([]byte(dedupIncidents))
	f.Add([]byte(dedupMaintenances))

	f.Fuzz(func(t *testing.T, body []byte) {
		sum, sumErr := decodeSummary(body)
		incidents, _ := decodeIncidents(body)
		maintenances, _ := decodeMaintenances(body)
		b := buildBatch(sum, incidents, maintenances, time.Time{})

		if b.Components != nil && len(b.Components) == 0 {
			t.Error("an empty component list, which would take every stored one away; want nil, no news")
		}
		if states, _ := componentStates(sum.Components); sumErr == nil && len(states) > 0 && len(b.Components) != len(states) {
			t.Errorf("a summary of %d components gave %d", len(states), len(b.Components))
		}
		collectortest.CheckComponentNames(t, b.Components)
		seen := map[string]bool{}
		for _, id := range append(collectortest.IncidentIDs(b.Incidents), collectortest.MaintenanceIDs(b.Maintenances)...) {
			if id == "" || seen[id] {
				t.Errorf("id %q empty or twice", id)
			}
			seen[id] = true
		}
		for _, m := range b.Maintenances {
			if m.ScheduledFor.IsZero() {
				t.Errorf("maintenance %s without scheduled_for", m.ID)
			}
		}
	})
}
