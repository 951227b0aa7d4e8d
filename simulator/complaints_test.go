package simulator

import (
	"testing"
	"time"
)

func TestPostsAfterComplaints(t *testing.T) {
	typ, waits := vendor("typical", Persona{}, 400), vendor("waits", PostsAfterComplaints, 400)
	for _, v := range []*Vendor{&typ, &waits} {
		v.IncidentsPerWeek = 4
	}
	s := startSim(t, newClock(testStart), Options{Seed: 5, Vendors: []Vendor{typ, waits}})
	// complainedFirst reports whether a ticket was created after the
	// incident began and before its first post.
	complainedFirst := func(tr Truth, in IncidentTruth) bool {
		for _, tk := range tr.Tickets {
			if !tk.Created.Before(in.Started) && tk.Created.Before(in.Created) {
				return true
			}
		}
		return false
	}
	tests := []struct {
		vendor       string
		wantAllFirst bool
	}{
		{"waits", true},
		{"typical", false}, // a ticket every ~2 h rarely beats a post within minutes
	}
	for _, tc := range tests {
		tr := s.Truth(tc.vendor, testStart)
		first := 0
		for _, in := range tr.Incidents {
			if complainedFirst(tr, in) {
				first++
			} else if tc.wantAllFirst {
				t.Errorf("%s: incident %s started %s, posted %s with no ticket in between", tc.vendor, in.ID, in.Started, in.Created)
			}
		}
		if len(tr.Incidents) < 10 || (first == len(tr.Incidents)) != tc.wantAllFirst {
			t.Errorf("%s: %d of %d incidents posted after a customer ticket", tc.vendor, first, len(tr.Incidents))
		}
	}
}

func TestShortNoticeMaintenanceAnnouncesTwoHoursAhead(t *testing.T) {
	v := vendor("short", ShortNoticeMaintenance, 1)
	v.MaintenancesPerWeek = 5
	s := startSim(t, newClock(testStart), Options{Seed: 9, Vendors: []Vendor{v}})
	ms := s.Truth("short", testStart).Maintenances
	if len(ms) < 15 {
		t.Fatalf("only %d maintenances", len(ms))
	}
	for _, m := range ms {
		// The announcement is up to a minute before the sampled notice.
		if lead := m.ScheduledFor.Sub(m.Created); lead < 105*time.Minute || lead > 136*time.Minute {
			t.Errorf("maintenance %s announced %v ahead, want about two hours (1h45-2h15)", m.ID, lead)
		}
	}
}
