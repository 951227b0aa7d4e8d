package zendeskrequests

import (
	"context"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// TestDrillAgainstTheSimulator files the drill's request in the simulated
// vendor: hidden before, it is then listed, found by its marker and
// synced with the persona's scripted reply, and the closing comment
// reaches the vendor.
func TestDrillAgainstTheSimulator(t *testing.T) {
	created := time.Date(2026, 3, 10, 1, 5, 0, 0, time.UTC) // 02:05 in Berlin
	c := collectortest.NewClock(collectortest.SimStart)
	sim := collectortest.StartSim(t, c, simulator.Vendor{
		Name: collectortest.SimVendor, Timezone: "Europe/Berlin", History: 21 * 24 * time.Hour,
		Script: []simulator.ScriptedTicket{
			{Created: created.Add(-48 * time.Hour), Priority: "normal", Steps: []simulator.ScriptStep{{At: time.Hour, Kind: simulator.VendorReply}}},
			{Created: created, Priority: "urgent", Drill: true, Steps: []simulator.ScriptStep{{At: 95 * time.Minute, Kind: simulator.VendorReply}}},
		},
	})
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, store, nil)
	mustSync(t, src, store)
	if n := len(store.Tickets()); n != 1 {
		t.Fatalf("before the drill: %d tickets, want 1 (the drill ticket hidden)", n)
	}
	env, _ := collectortest.SimEnv(t, simKind, sim.SourceYAML(collectortest.SimVendor, simulator.KindZendeskRequests), c.Now)
	cr, err := NewCreator(env)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	marker := "support-drill-20260310T010500Z-0001"
	if _, found, err := findOne(cr, ctx, marker, time.Time{}); err != nil || found {
		t.Fatalf("find before the create: %v, %v", found, err)
	}
	f, err := cr.Create(ctx, source.Draft{Subject: "[drill " + marker + "] 503s", Body: "Test " + marker, Priority: "urgent", Marker: marker})
	if want := (source.Filed{ID: "2", CreatedAt: created}); err != nil || f != want {
		t.Fatalf("create: %+v, %v; want %+v", f, err, want)
	}
	// The search index lags an hour: the list, which is current, finds it.
	sim.SetDrillSearchLag(collectortest.SimVendor, time.Hour)
	if got, found, err := findOne(cr, ctx, marker, created.Add(-15*time.Minute)); err != nil || !found || got.ID != "2" {
		t.Fatalf("find after the create, the search lagging: %+v, %v, %v", got, found, err)
	}
	sim.SetDrillSearchLag(collectortest.SimVendor, 0)
	mustSync(t, src, store)
	tk, ok := store.Tickets()["2"]
	if !ok {
		t.Fatal("the drill ticket was not synced")
	}
	for id, other := range store.Tickets() {
		if other.Drill != (id == "2") {
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
	if want := created.Add(95 * time.Minute); !tk.CreatedAt.Equal(created) || !reply.Equal(want) {
		t.Errorf("drill ticket created %s, first vendor reply %s; want %s and %s", tk.CreatedAt, reply, created, want)
	}
	if err := cr.Comment(ctx, "2", "Thank you, this was a drill."); err != nil {
		t.Fatal(err)
	}
	creates, comments := sim.DrillRequests(collectortest.SimVendor)
	if creates != 1 || len(comments) != 1 || comments[0] != "2: Thank you, this was a drill." {
		t.Errorf("the vendor received %d creates and comments %q; want 1 and the closing", creates, comments)
	}
	if _, err := cr.Create(ctx, source.Draft{Subject: "m", Body: "m", Marker: "m"}); err == nil || source.Unknown(err) {
		t.Errorf("a create beyond the scripted drill tickets: %v, want the 422", err)
	}
}

// TestDrillColleagueAgainstTheSimulator: a colleague of the buyer filed a
// request with the same marker (the same vendor and interval in the
// colleague's exporter); the simulator lists it to the buyer's end user,
// as Zendesk lists an organization's requests, with the colleague as its
// requester. Find ignores it, and after the buyer's create finds only the
// buyer's own, whose requester is GET /api/v2/users/me's id.
func TestDrillColleagueAgainstTheSimulator(t *testing.T) {
	created := time.Date(2026, 3, 10, 1, 5, 0, 0, time.UTC)
	c := collectortest.NewClock(collectortest.SimStart)
	sim := collectortest.StartSim(t, c, simulator.Vendor{
		Name: collectortest.SimVendor, Timezone: "Europe/Berlin", History: 21 * 24 * time.Hour,
		Script: []simulator.ScriptedTicket{
			{Created: created.Add(-time.Minute), Priority: "urgent", Drill: true, Colleague: true},
			{Created: created, Priority: "urgent", Drill: true, Steps: []simulator.ScriptStep{{At: 40 * time.Minute, Kind: simulator.VendorReply}}},
		},
	})
	env, _ := collectortest.SimEnv(t, simKind, sim.SourceYAML(collectortest.SimVendor, simulator.KindZendeskRequests), c.Now)
	cr, err := NewCreator(env)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	marker := "support-drill-20260310T010500Z-0001"
	draft := source.Draft{Subject: "[drill " + marker + "] 503s", Body: "Test " + marker, Priority: "urgent", Marker: marker}
	if !sim.FileColleagueDrill(collectortest.SimVendor, draft.Subject, draft.Body) {
		t.Fatal("the colleague's request was not filed")
	}
	for _, m := range []string{marker, "support-drill-"} {
		if all, err := cr.Find(ctx, m, created.Add(-time.Hour)); err != nil || len(all) != 0 {
			t.Fatalf("find %q with only the colleague's request: %+v, %v; want none", m, all, err)
		}
	}
	f, err := cr.Create(ctx, draft)
	if want := (source.Filed{ID: "2", CreatedAt: created}); err != nil || f != want {
		t.Fatalf("create: %+v, %v; want %+v", f, err, want)
	}
	if all, err := cr.Find(ctx, marker, created.Add(-time.Hour)); err != nil || len(all) != 1 || all[0].ID != "2" {
		t.Fatalf("find after the create: %+v, %v; want only request 2", all, err)
	}
	// Both are synced like any request; the buyer's own description is
	// the customer's, its first vendor reply the agent's.
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, store, nil)
	mustSync(t, src, store)
	tk, ok := store.Tickets()["2"]
	if !ok || len(store.Tickets()) != 2 {
		t.Fatalf("synced %d tickets, the buyer's drill request present %v; want both", len(store.Tickets()), ok)
	}
	for id, other := range store.Tickets() {
		if !other.Drill {
			t.Errorf("ticket %s: no drill mark, want both marked (the colleague's too)", id)
		}
	}
	var reply time.Time
	for _, e := range tk.Events {
		if e.Kind == item.EventVendorReply {
			reply = e.At
			break
		}
	}
	if want := created.Add(40 * time.Minute); !reply.Equal(want) {
		t.Errorf("the buyer's drill request: first vendor reply %s, want %s", reply, want)
	}
}
