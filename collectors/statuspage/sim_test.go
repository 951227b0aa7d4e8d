package statuspage

import (
	"reflect"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/simulator"
)

var simKind = config.Kind{Name: simulator.KindStatuspage, Feeds: config.FeedsStatus}

// The requests of each poll against the simulated page, which answers
// conditional requests as a real page does (simulator/statuspage.go): the
// first sync reads the three endpoints whole, an unchanged page costs
// three 304s and nothing is emitted, an edited incident is read again and
// emitted as edited.
func TestSimRequestsPerPoll(t *testing.T) {
	sim, clock := collectortest.SmallWorld(t, 5)
	env, wire := collectortest.SimEnv(t, simKind, sim.SourceYAML(collectortest.SimVendor, simulator.KindStatuspage), clock.Now)
	src := newSourceEnv(t, env)
	poll := func(what string, cursor []byte, want ...int) []byte {
		t.Helper()
		wire.Reset()
		batches, err := collectortest.Sync(src, cursor)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := wire.Statuses(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: answers %v, want %v", what, got, want)
		}
		t.Logf("%s: %d requests, answers %v", what, len(wire.Statuses()), wire.Statuses())
		if len(batches) == 0 {
			return cursor
		}
		return batches[0].Cursor
	}
	cursor := poll("first sync", nil, 200, 200, 200)
	clock.Add(time.Minute)
	cursor = poll("unchanged page", cursor, 304, 304, 304)

	// An agent raises the impact of a resolved incident.
	var resolved simulator.IncidentTruth
	for _, in := range sim.Truth(collectortest.SimVendor, clock.Now()).Incidents {
		if !in.Resolved.IsZero() && in.Impact != "critical" {
			resolved = in
		}
	}
	if resolved.ID == "" {
		t.Fatal("the simulated page has no resolved incident")
	}
	clock.Add(time.Minute)
	if err := sim.EditIncident(collectortest.SimVendor, resolved.ID, simulator.IncidentEdit{Impact: "critical"}); err != nil {
		t.Fatal(err)
	}
	wire.Reset()
	batches, err := collectortest.Sync(src, cursor)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one incident edited: %d requests, answers %v", len(wire.Statuses()), wire.Statuses())
	if n := len(wire.Statuses()); n != 3 {
		t.Errorf("one incident edited: %d requests, want 3", n)
	}
	if len(batches) != 1 {
		t.Fatalf("one incident edited: %d batches, want 1", len(batches))
	}
	found := false
	for _, in := range batches[0].Incidents {
		if in.ID == resolved.ID {
			found = true
			if in.Impact != "critical" {
				t.Errorf("incident %s impact = %q, want critical", in.ID, in.Impact)
			}
		}
	}
	if !found {
		t.Errorf("the edited incident %s is not in the batch", resolved.ID)
	}
	clock.Add(time.Minute)
	poll("unchanged after the edit", batches[0].Cursor, 304, 304, 304)
}
