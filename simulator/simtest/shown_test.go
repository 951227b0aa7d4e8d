package simtest

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/simulator"
)

// TestEveryStatusKindHasARule: a status kind added to collectors.Kinds
// fails here until its visibility is written down.
func TestEveryStatusKindHasARule(t *testing.T) {
	for _, kind := range collectors.Kinds.Config().Feeding(config.FeedsStatus) {
		if _, err := ShownBy(kind, simulator.Truth{}); err != nil {
			t.Error(err)
		}
	}
	if _, err := ShownBy("no-such-kind", simulator.Truth{}); err == nil {
		t.Error("ShownBy of an unknown kind succeeded")
	}
}

func TestShownBy(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 3, 1, h, 0, 0, 0, time.UTC) }
	tr := simulator.Truth{
		Incidents: []simulator.IncidentTruth{
			{ID: "resolved", Created: at(1), Resolved: at(2), Updates: []time.Time{at(1), at(2)}},
			{ID: "open", Created: at(3), Updates: []time.Time{at(3)}},
		},
		Maintenances: []simulator.MaintenanceTruth{
			{ID: "done", Created: at(0), Completed: at(1)},
			{ID: "upcoming", Created: at(4)},
		},
	}
	tests := []struct {
		kind                    string
		incidents, maintenances []string
	}{
		{simulator.KindStatuspage, []string{"resolved", "open"}, []string{"done", "upcoming"}},
		{simulator.KindIncidentio, []string{"resolved", "open"}, []string{"upcoming"}},
		{simulator.KindInstatus, []string{"open"}, []string{"upcoming"}},
		{simulator.KindFeed, []string{"resolved", "open"}, []string{"done", "upcoming"}},
	}
	for _, tt := range tests {
		s, err := ShownBy(tt.kind, tr)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Incidents) != len(tt.incidents) || len(s.Maintenances) != len(tt.maintenances) {
			t.Errorf("%s shows %v %v, want %v %v", tt.kind, s.Incidents, s.Maintenances, tt.incidents, tt.maintenances)
		}
		for _, id := range tt.incidents {
			if !s.Incidents[id] {
				t.Errorf("%s does not show incident %s", tt.kind, id)
			}
		}
		for _, id := range tt.maintenances {
			if !s.Maintenances[id] {
				t.Errorf("%s does not show maintenance %s", tt.kind, id)
			}
		}
	}
	if i, m := ShowsHistory(simulator.KindIncidentio); !i || m {
		t.Errorf("ShowsHistory(incidentio) = %v, %v, want true, false", i, m)
	}
	if i, m := ShowsHistory(simulator.KindStatusio); i || m {
		t.Errorf("ShowsHistory(statusio) = %v, %v, want false, false", i, m)
	}
}
