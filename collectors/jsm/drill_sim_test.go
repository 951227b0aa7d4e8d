package jsm

import (
	"context"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// TestDrillRequestAgainstTheSimulator files the drill's request in the
// simulated portal as the customer: hidden before, then listed, found by
// searchTerm, synced with the persona's reply, and commented.
func TestDrillRequestAgainstTheSimulator(t *testing.T) {
	created := time.Date(2026, 3, 10, 1, 5, 0, 0, time.UTC)
	c := collectortest.NewClock(collectortest.SimStart)
	sim := collectortest.StartSim(t, c, simulator.Vendor{
		Name: collectortest.SimVendor, Timezone: "Europe/Berlin", History: 21 * 24 * time.Hour,
		Script: []simulator.ScriptedTicket{
			{Created: created.Add(-48 * time.Hour), Priority: "normal"},
			{Created: created, Priority: "urgent", Drill: true, Steps: []simulator.ScriptStep{{At: 95 * time.Minute, Kind: simulator.VendorReply}}},
		},
	})
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, true, store, nil)
	mustSync(t, src, store)
	if n := len(store.Tickets()); n != 1 {
		t.Fatalf("before the drill: %d requests, want 1", n)
	}
	env, _ := collectortest.SimEnv(t, simKind, sim.JSMCustomerSourceYAML(collectortest.SimVendor)+"service_desk_id: \"1\"\n", c.Now)
	env.Vendor.Drill = &config.Drill{Enabled: true, RequestType: "25"}
	cr, err := NewCreator(env)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	marker := "support-drill-20260310T010500Z-0001"
	if _, found, err := findOne(cr, ctx, marker, time.Time{}); err != nil || found {
		t.Fatalf("find before the create: %v, %v", found, err)
	}
	f, err := cr.Create(ctx, source.Draft{Subject: "[drill " + marker + "] 503s", Body: "Test " + marker, Marker: marker})
	if err != nil || !f.CreatedAt.Equal(created) {
		t.Fatalf("create: %+v, %v; want created %s", f, err, created)
	}
	if got, found, err := findOne(cr, ctx, marker, time.Time{}); err != nil || !found || got != f {
		t.Fatalf("find after the create: %+v, %v, %v", got, found, err)
	}
	mustSync(t, src, store)
	tk, ok := store.Tickets()[f.ID]
	if !ok {
		t.Fatalf("the drill request %s was not synced", f.ID)
	}
	for id, other := range store.Tickets() {
		if other.Drill != (id == f.ID) {
			t.Errorf("ticket %s: drill mark %v, want it on the drill's ticket only", id, other.Drill)
		}
	}
	var reply time.Time
	for _, e := range tk.Events {
		if e.Kind == item.EventVendorReply {
			reply = e.At
			break
		}
	}
	if !reply.Equal(created.Add(95 * time.Minute)) {
		t.Errorf("drill request's first vendor reply %s, want %s", reply, created.Add(95*time.Minute))
	}
	if err := cr.Comment(ctx, f.ID, "Thanks, a drill."); err != nil {
		t.Fatal(err)
	}
	if creates, comments := sim.DrillRequests(collectortest.SimVendor); creates != 1 || len(comments) != 1 || comments[0] != f.ID+": Thanks, a drill." {
		t.Errorf("the vendor received %d creates and comments %q", creates, comments)
	}
}

// TestDrillColleagueRequestAgainstTheSimulator: a colleague of the buyer
// filed a request with the same marker. The portal's own list
// (OWNED_REQUESTS) shows only the customer's own, current while the
// search lags; Find never returns the colleague's, and after the create
// returns the buyer's own, reported by the calling account.
func TestDrillColleagueRequestAgainstTheSimulator(t *testing.T) {
	created := time.Date(2026, 3, 10, 1, 5, 0, 0, time.UTC)
	c := collectortest.NewClock(collectortest.SimStart)
	sim := collectortest.StartSim(t, c, simulator.Vendor{
		Name: collectortest.SimVendor, Timezone: "Europe/Berlin", History: 21 * 24 * time.Hour,
		Script: []simulator.ScriptedTicket{
			{Created: created.Add(-time.Minute), Priority: "urgent", Drill: true, Colleague: true},
			{Created: created, Priority: "urgent", Drill: true},
		},
	})
	env, _ := collectortest.SimEnv(t, simKind, sim.JSMCustomerSourceYAML(collectortest.SimVendor)+"service_desk_id: \"1\"\n", c.Now)
	env.Vendor.Drill = &config.Drill{Enabled: true, RequestType: "25"}
	cr, err := NewCreator(env)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	marker := "support-drill-20260310T010500Z-0001"
	draft := source.Draft{Subject: "[drill " + marker + "] 503s", Body: "Test " + marker, Marker: marker}
	if !sim.FileColleagueDrill(collectortest.SimVendor, draft.Subject, draft.Body) {
		t.Fatal("the colleague's request was not filed")
	}
	for _, m := range []string{marker, "support-drill-"} {
		if all, err := cr.Find(ctx, m, time.Time{}); err != nil || len(all) != 0 {
			t.Fatalf("find %q with only the colleague's request: %+v, %v; want none", m, all, err)
		}
	}
	f, err := cr.Create(ctx, draft)
	if err != nil || !f.CreatedAt.Equal(created) {
		t.Fatalf("create: %+v, %v", f, err)
	}
	sim.SetDrillSearchLag(collectortest.SimVendor, time.Hour)
	if all, err := cr.Find(ctx, marker, time.Time{}); err != nil || len(all) != 1 || all[0] != f {
		t.Fatalf("find after the create, the search lagging: %+v, %v; want only %+v", all, err, f)
	}
}
