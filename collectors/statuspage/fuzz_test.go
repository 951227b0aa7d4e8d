package statuspage

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzDecode feeds any body to every decoder the collector uses and checks
// that none panics and that whatever decodes maps to a batch the store and
// the exposition can take: unique ids, unique component names, and
// maintenances always scheduled.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
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

		if sumErr == nil && b.Components == nil {
			t.Error("decoded summary gave a nil component list")
		}
		names := map[string]bool{}
		for _, c := range b.Components {
			if names[c.Name] {
				t.Errorf("component name %q twice", c.Name)
			}
			names[c.Name] = true
		}
		seen := map[string]bool{}
		for _, id := range append(ids(b.Incidents, incidentID), ids(b.Maintenances, maintenanceID)...) {
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
