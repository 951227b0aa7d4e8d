package main

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/store"
)

// TestDemoDrillPlannedOnce: a demo restarted over the same store keeps its
// first drill as it ended; its result is never planned over (a counter
// would go down).
func TestDemoDrillPlannedOnce(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	at := time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC)
	d := &demo{now: func() time.Time { return at }}
	if err := d.planDrill(st); err != nil {
		t.Fatal(err)
	}
	ds, err := st.Drills("drillco")
	if err != nil || len(ds) != 1 || ds[0].State != "planned" {
		t.Fatalf("first start: %+v, %v; want demo-1 planned", ds, err)
	}
	ended := ds[0]
	ended.State, ended.EndedAt = "responded", at.Add(time.Hour)
	if err := st.PutDrill("drillco", ended); err != nil {
		t.Fatal(err)
	}
	at = at.Add(24 * time.Hour) // the restart
	if err := d.planDrill(st); err != nil {
		t.Fatal(err)
	}
	if ds, err := st.Drills("drillco"); err != nil || len(ds) != 1 || ds[0] != ended {
		t.Fatalf("after a restart: %+v, %v; want demo-1 kept as %+v", ds, err, ended)
	}
}
