package instatus

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// FuzzDecode feeds any body to both decoders and checks that none panics and
// that whatever decodes maps to a batch the store and the exposition can
// take: unique non-empty ids, unique component names, maintenances always
// scheduled, and a cursor that reads back as the incidents still open.
func FuzzDecode(f *testing.F) {
	for _, b := range collectortest.Seeds(f, "*.json") {
		f.Add(b)
	}
	f.Add([]byte(`{"components": [{"id": "g", "name": "EU", "status": "OPERATIONAL"},
		{"id": "a", "name": "API", "status": "MINOROUTAGE", "group": {"id": "g"}, "activeIncidents": [{"id": "i"}]},
		{"id": "b", "name": "API", "status": "MAJOROUTAGE", "group": "g"}]}`))

	prev := cursor{Open: []item.Incident{{ID: "earlier"}}}
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		sum, _ := decodeSummary(body)
		comps, compErr := decodeComponents(body)
		b, next := buildBatch(sum, comps, prev, now, time.Time{})

		if compErr == nil && b.Components == nil {
			t.Error("decoded components gave a nil component list")
		}
		collectortest.CheckComponentNames(t, b.Components)
		open := 0
		seen := map[string]bool{}
		for _, inc := range b.Incidents {
			if inc.ID == "" || seen["i"+inc.ID] {
				t.Errorf("incident %q empty or twice", inc.ID)
			}
			seen["i"+inc.ID] = true
			if inc.ResolvedAt.IsZero() {
				open++
			}
		}
		if !seen["iearlier"] {
			t.Error("the incident open at the last sync was not emitted")
		}
		for _, m := range b.Maintenances {
			if m.ID == "" || seen["m"+m.ID] || m.ScheduledFor.IsZero() {
				t.Errorf("maintenance %q empty, twice or unscheduled", m.ID)
			}
			seen["m"+m.ID] = true
		}
		enc, err := next.encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeCursor(enc)
		if err != nil || len(back.Open) != open {
			t.Errorf("cursor reads back %d open incidents (%v), want %d", len(back.Open), err, open)
		}
	})
}
