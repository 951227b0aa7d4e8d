package github

import (
	"context"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// TestDrillIssueAgainstTheSimulator files the drill's issue in the
// simulated repository: hidden before, then listed with the title posted,
// found by the search, synced with the persona's reply, and commented.
func TestDrillIssueAgainstTheSimulator(t *testing.T) {
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
	src, _ := simSource(t, sim, c, nil)
	mustSync(t, src, store)
	if n := len(store.Tickets()); n != 1 {
		t.Fatalf("before the drill: %d issues, want 1", n)
	}
	env, _ := collectortest.SimEnv(t, simKind, sim.SourceYAML(collectortest.SimVendor, simulator.KindGitHub), c.Now)
	cr, err := NewCreator(env)
	if err != nil {
		t.Fatal(err)
	}
	repo := simRepo(sim)
	ctx := context.Background()
	marker := "support-drill-20260310T010500Z-0001"
	if _, found, err := findOne(cr, ctx, marker, time.Time{}); err != nil || found {
		t.Fatalf("find before the create: %v, %v", found, err)
	}
	f, err := cr.Create(ctx, source.Draft{Subject: "[drill " + marker + "] 503s", Body: "Test " + marker, Priority: "P1", Marker: marker})
	if want := (source.Filed{ID: repo + "#2", CreatedAt: created}); err != nil || f != want {
		t.Fatalf("create: %+v, %v; want %+v", f, err, want)
	}
	if got, found, err := findOne(cr, ctx, marker, time.Time{}); err != nil || !found || got != f {
		t.Fatalf("find after the create: %+v, %v, %v", got, found, err)
	}
	mustSync(t, src, store)
	tk, ok := store.Tickets()[repo+"#2"]
	if !ok {
		t.Fatalf("the drill issue was not synced: %v", store.Tickets())
	}
	for id, other := range store.Tickets() {
		if other.Drill != (id == repo+"#2") {
			t.Errorf("ticket %s: drill mark %v, want it on the drill's ticket only", id, other.Drill)
		}
	}
	if !tk.CreatedAt.Equal(created) || !firstVendorReply(tk).Equal(created.Add(95*time.Minute)) {
		t.Errorf("drill issue created %s, replied %s", tk.CreatedAt, firstVendorReply(tk))
	}
	if err := cr.Comment(ctx, f.ID, "Thanks, a drill."); err != nil {
		t.Fatal(err)
	}
	if creates, comments := sim.DrillRequests(collectortest.SimVendor); creates != 1 || len(comments) != 1 || comments[0] != "2: Thanks, a drill." {
		t.Errorf("the vendor received %d creates and comments %q", creates, comments)
	}
}

func firstVendorReply(t item.Ticket) time.Time {
	for _, e := range t.Events {
		if e.Kind == item.EventVendorReply {
			return e.At
		}
	}
	return time.Time{}
}
