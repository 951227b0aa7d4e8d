package cachet

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// FuzzDecode feeds any body to the three page decoders, in a zone with
// daylight saving time, and checks that none panics and that whatever
// decodes maps to a batch the store and the exposition can take: unique
// ids, unique component names, incidents and maintenances with the times
// every metric starts from.
func FuzzDecode(f *testing.F) {
	for _, b := range collectortest.Seeds(f, "*.json") {
		f.Add(b)
	}
	f.Add([]byte(`{"meta": {"pagination": {"total": "1", "count": "1", "per_page": "100", "current_page": "1", "total_pages": "1"}},
		"data": [{"id": 1, "name": "API", "status": 1, "created_at": "2024-03-31 02:30:00", "scheduled_at": "2024-04-01 02:00:00"}]}`))
	f.Add([]byte(`{"meta": {"pagination": {"current_page": 1}}, "data": [{"id": 2, "status": 4, "visible": 1,
		"created_at": "2024-03-31 02:30:00", "updated_at": "2024-10-27 02:30:00",
		"updates": [{"status": 4, "created_at": "2024-03-31 03:00:00"}]}]}`))

	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		components, _, compErr := decodePage(body, checkComponent)
		incidents, _, _ := decodePage(body, checkIncident(loc))
		schedules, _, _ := decodePage(body, checkSchedule(loc))
		b := buildBatch(components, incidents, schedules, time.Time{})

		if compErr == nil && b.Components == nil {
			t.Error("decoded components gave a nil list")
		}
		collectortest.CheckComponentNames(t, b.Components)
		seen := map[string]bool{}
		for _, i := range b.Incidents {
			if i.ID == "" || seen[i.ID] {
				t.Errorf("incident id %q empty or twice", i.ID)
			}
			seen[i.ID] = true
			if i.CreatedAt.IsZero() || i.UpdatedAt.IsZero() {
				t.Errorf("incident %s without created_at or updated_at", i.ID)
			}
		}
		seen = map[string]bool{}
		for _, m := range b.Maintenances {
			if m.ID == "" || seen[m.ID] {
				t.Errorf("maintenance id %q empty or twice", m.ID)
			}
			seen[m.ID] = true
			if m.ScheduledFor.IsZero() || m.CreatedAt.IsZero() {
				t.Errorf("maintenance %s without scheduled_for or created_at", m.ID)
			}
		}
	})
}
