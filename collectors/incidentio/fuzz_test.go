package incidentio

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// FuzzDecode feeds any body to every decoder and checks that none panics and
// that whatever decodes maps to a batch the store and the exposition can
// take: unique non-empty ids, unique component names, maintenances always
// scheduled and incidents always created.
func FuzzDecode(f *testing.F) {
	for _, b := range collectortest.Seeds(f, "*.json") {
		f.Add(b)
	}
	f.Add([]byte(openaiIncidentsList))

	f.Fuzz(func(t *testing.T, body []byte) {
		w, _ := decodeWidget(body)
		sum, sumErr := decodeSummary(body)
		incidents, _ := decodeIncidents(body)
		b := buildBatch(w, sum, incidents, time.Time{})

		if sumErr == nil && b.Components == nil {
			t.Error("decoded summary gave a nil component list")
		}
		collectortest.CheckComponentNames(t, b.Components)
		seen := map[string]bool{}
		for _, inc := range b.Incidents {
			if inc.ID == "" || seen["i"+inc.ID] || inc.CreatedAt.IsZero() {
				t.Errorf("incident %q empty, twice or without created_at", inc.ID)
			}
			seen["i"+inc.ID] = true
		}
		for _, m := range b.Maintenances {
			if m.ID == "" || seen["m"+m.ID] || m.ScheduledFor.IsZero() {
				t.Errorf("maintenance %q empty, twice or unscheduled", m.ID)
			}
			seen["m"+m.ID] = true
		}
	})
}
