package statusio

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// FuzzDecode feeds any body to the decoder and checks that it never panics
// and that whatever decodes maps to a batch the store and the exposition can
// take, before and after the next poll ends everything: unique ids, unique
// component names, maintenances always scheduled, and ended items stamped
// with the poll's time.
func FuzzDecode(f *testing.F) {
	for _, b := range collectortest.Seeds(f, "*.json") {
		f.Add(b)
	}

	now := collectortest.UTC("2030-01-01T00:00:00Z")
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := decodeStatus(body)
		if err != nil {
			return
		}
		b := buildBatch(res, time.Time{})
		if b.Components == nil {
			t.Error("decoded page gave a nil component list")
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

		cursor, err := listedIn(b).encode()
		if err != nil {
			t.Fatal(err)
		}
		prev, err := decodeCursor(cursor)
		if err != nil {
			t.Fatal(err)
		}
		calm := buildBatch(result{}, time.Time{})
		endVanished(prev, listedIn(calm), &calm, now)
		if len(calm.Incidents) != len(b.Incidents) || len(calm.Maintenances) != len(b.Maintenances) {
			t.Errorf("ended %d incidents, %d maintenances; want %d, %d",
				len(calm.Incidents), len(calm.Maintenances), len(b.Incidents), len(b.Maintenances))
		}
		for _, i := range calm.Incidents {
			if !i.ResolvedAt.Equal(now) {
				t.Errorf("incident %s resolved at %v, want %v", i.ID, i.ResolvedAt, now)
			}
		}
		for _, m := range calm.Maintenances {
			if !m.CompletedAt.Equal(now) {
				t.Errorf("maintenance %s completed at %v, want %v", m.ID, m.CompletedAt, now)
			}
		}
	})
}
