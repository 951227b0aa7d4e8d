package store

import (
	"bufio"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// drillCrashChildEnv, when set to a store directory, turns
// TestDrillCrashChild into the drill crash test's child.
const drillCrashChildEnv = "SUPPORT_EXPORTER_DRILL_CRASH_CHILD"

// TestDrillCrashChild is the child of TestDrillRecordSurvivesKills: it
// stores drill "d" step after step (Attempts n) and prints n after each
// PutDrill returned, until it is killed. Skipped in a normal run.
func TestDrillCrashChild(t *testing.T) {
	dir := os.Getenv(drillCrashChildEnv)
	if dir == "" {
		t.Skip("the child of TestDrillRecordSurvivesKills")
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.Drills("v")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if len(ds) == 1 {
		n = ds[0].Attempts
	}
	for {
		n++
		d := Drill{ID: "d", Source: "portal", Marker: "support-drill-d", Moment: time.Unix(int64(n), 0), State: "creating",
			Attempts: n, Reason: strings.Repeat("x", n%300)}
		if err := s.PutDrill("v", d); err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString(strconv.Itoa(n) + "\n")
	}
}

// TestDrillRecordSurvivesKills kills a child that rewrites a drill record
// at random moments: every step it acknowledged (a PutDrill returned, as
// the drill does before it calls a vendor) is stored, and the record
// always decodes whole.
func TestDrillRecordSurvivesKills(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	dir := t.TempDir()
	acked := 0
	for round := range 5 {
		killAfter := 1 + rand.IntN(30)
		cmd := exec.Command(os.Args[0], "-test.run=^TestDrillCrashChild$")
		cmd.Env = append(os.Environ(), drillCrashChildEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		seen := 0
		for sc.Scan() {
			if n, err := strconv.Atoi(sc.Text()); err == nil {
				acked, seen = n, seen+1
				if seen >= killAfter {
					break
				}
			}
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if seen == 0 {
			t.Fatalf("round %d: the child stored nothing", round)
		}
		s, err := Open(dir)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		ds, err := s.Drills("v")
		if err != nil || len(ds) != 1 || ds[0].Attempts < acked || ds[0].Moment.Unix() != int64(ds[0].Attempts) {
			t.Fatalf("round %d: drills %+v, %v; want drill d at attempt %d or later, whole", round, ds, err, acked)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := Check(dir); err != nil || !r.Sound() || r.Drills != 1 {
		t.Fatalf("check after the kills: %+v, %v", r, err)
	}
}
