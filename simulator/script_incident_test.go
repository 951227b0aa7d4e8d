package simulator

import (
	"slices"
	"testing"
	"time"
)

func TestScriptedIncidents(t *testing.T) {
	start := time.Date(2026, 4, 3, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return start.Add(d) }
	script := []ScriptedIncident{
		{Impact: "critical", Components: []string{"US East", "API"}, Started: at(-5 * time.Hour), Posted: at(-4 * time.Hour), Resolved: at(-time.Hour)},
		{Impact: "minor", Components: []string{"Webhooks"}, Started: at(time.Hour), Posted: at(time.Hour), Resolved: at(2 * time.Hour)},
	}
	sim, err := New(Options{Seed: 3, Start: start, Clock: func() time.Time { return start },
		Vendors: []Vendor{{Name: "scripted", Timezone: "UTC", History: 24 * time.Hour, Incidents: script}}})
	if err != nil {
		t.Fatal(err)
	}
	tr := sim.Truth("scripted", start)
	if len(tr.Incidents) != 1 {
		t.Fatalf("incidents %+v, want the one posted by start", tr.Incidents)
	}
	in := tr.Incidents[0]
	if in.Impact != "critical" || !in.Started.Equal(at(-5*time.Hour)) || !in.Created.Equal(at(-4*time.Hour)) ||
		!in.Resolved.Equal(at(-time.Hour)) || !slices.Equal(in.Components, []string{"API", "US East"}) {
		t.Errorf("incident %+v, want the script's", in)
	}
	// Before its resolution it is open.
	if open := sim.Truth("scripted", at(-2*time.Hour)).Incidents[0]; !open.Resolved.IsZero() {
		t.Errorf("at its midst the incident shows resolved at %v", open.Resolved)
	}
	// The second one shows once posted, unresolved until its end.
	if got := sim.Truth("scripted", at(90*time.Minute)).Incidents; len(got) != 2 || !got[1].Resolved.IsZero() {
		t.Errorf("at +90m: %+v, want two, the second open", got)
	}
	for _, bad := range []ScriptedIncident{
		{Impact: "huge", Components: []string{"API"}, Started: start, Posted: start, Resolved: at(time.Hour)},
		{Impact: "major", Components: []string{"Regions"}, Started: start, Posted: start, Resolved: at(time.Hour)},
		{Impact: "major", Components: []string{"API"}, Started: start, Posted: start, Resolved: start},
	} {
		if _, err := New(Options{Seed: 3, Start: start, Vendors: []Vendor{{Name: "bad", Timezone: "UTC", Incidents: []ScriptedIncident{bad}}}}); err == nil {
			t.Errorf("scripted incident %+v accepted", bad)
		}
	}
}
