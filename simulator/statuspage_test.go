package simulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"
)

// The typed shapes below mirror the fields of the real captures in
// testdata; a field a collector needs that the simulator left out fails
// the required-field checks.

type spTestPage struct {
	ID        *string `json:"id"`
	Name      *string `json:"name"`
	URL       *string `json:"url"`
	TimeZone  *string `json:"time_zone"`
	UpdatedAt *string `json:"updated_at"`
}

type spTestUpdate struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	DisplayAt string `json:"display_at"`
}

type spTestIncident struct {
	ID                    string         `json:"id"`
	Name                  string         `json:"name"`
	Status                string         `json:"status"`
	Impact                string         `json:"impact"`
	CreatedAt             string         `json:"created_at"`
	UpdatedAt             string         `json:"updated_at"`
	StartedAt             string         `json:"started_at"`
	ResolvedAt            *string        `json:"resolved_at"`
	PostmortemPublishedAt *string        `json:"postmortem_published_at"`
	ScheduledFor          *string        `json:"scheduled_for"`
	ScheduledUntil        *string        `json:"scheduled_until"`
	IncidentUpdates       []spTestUpdate `json:"incident_updates"`
	Components            []struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"components"`
}

type spTestSummary struct {
	Page                  spTestPage       `json:"page"`
	Components            []map[string]any `json:"components"`
	Incidents             []spTestIncident `json:"incidents"`
	ScheduledMaintenances []spTestIncident `json:"scheduled_maintenances"`
	Status                struct {
		Indicator   string `json:"indicator"`
		Description string `json:"description"`
	} `json:"status"`
}

func spGet(t *testing.T, s *Sim, vendor, path string, v any) {
	t.Helper()
	r := get(t, s, vendor, KindStatuspage, path)
	if r.status != http.StatusOK {
		t.Fatalf("%s: HTTP %d", path, r.status)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func parseSP(t *testing.T, what, v string) time.Time {
	t.Helper()
	ts, err := time.Parse("2006-01-02T15:04:05.000Z07:00", v)
	if err != nil {
		t.Errorf("%s %q: not Statuspage's time format: %v", what, v, err)
	}
	return ts
}

func TestStatuspageShapesMatchRealCaptures(t *testing.T) {
	c := newClock(testStart)
	v := vendor("acme", SlowThorough, 10)
	v.OpenAtStart = true
	s := startSim(t, c, Options{Seed: 2, Vendors: []Vendor{v}})

	realSummary := readJSON(t, "statuspage_summary.json")
	realIncident := readJSON(t, "statuspage_incidents.json")["incidents"].([]any)[0].(map[string]any)
	realMaintenance := realSummary["scheduled_maintenances"].([]any)[0].(map[string]any)
	realComponent := readJSON(t, "statuspage_components.json")["components"].([]any)[0].(map[string]any)
	realPage := realSummary["page"].(map[string]any)
	incidentExtras := []string{"postmortem_body", "postmortem_body_last_updated_at", "postmortem_published_at", "components"}
	checkItem := func(what string, item map[string]any) {
		if _, ok := item["scheduled_for"]; ok {
			sameKeys(t, what+" maintenance", item, realMaintenance, []string{"components"})
		} else {
			sameKeys(t, what+" incident", item, realIncident, incidentExtras)
		}
	}

	var summary map[string]any
	spGet(t, s, "acme", "/api/v2/summary.json", &summary)
	sameKeys(t, "summary", map[string]any{"page": summary["page"], "status": summary["status"]},
		map[string]any{"page": realPage, "status": realSummary["status"]}, nil)
	for _, key := range []string{"components", "incidents", "scheduled_maintenances"} {
		if _, ok := summary[key].([]any); !ok {
			t.Errorf("summary.%s is %T, want an array", key, summary[key])
		}
	}
	for _, comp := range summary["components"].([]any) {
		sameKeys(t, "component", comp.(map[string]any), realComponent, []string{"components"}) // groups list children
	}
	if len(summary["incidents"].([]any)) == 0 || len(summary["scheduled_maintenances"].([]any)) == 0 {
		t.Fatal("OpenAtStart gave no unresolved incident or no upcoming maintenance in the summary")
	}
	for _, in := range summary["incidents"].([]any) {
		checkItem("summary", in.(map[string]any))
	}
	for _, m := range summary["scheduled_maintenances"].([]any) {
		checkItem("summary", m.(map[string]any))
	}

	c.Set(testStart.Add(10 * 24 * time.Hour)) // postmortems are out by now
	for _, path := range []string{"/api/v2/incidents.json", "/api/v2/incidents/unresolved.json"} {
		var list struct {
			Page      map[string]any   `json:"page"`
			Incidents []map[string]any `json:"incidents"`
		}
		spGet(t, s, "acme", path, &list)
		sameKeys(t, path+" page", list.Page, realPage, nil)
		for _, in := range list.Incidents {
			checkItem(path, in)
		}
	}
	var ms struct {
		ScheduledMaintenances []map[string]any `json:"scheduled_maintenances"`
	}
	spGet(t, s, "acme", "/api/v2/scheduled-maintenances.json", &ms)
	if len(ms.ScheduledMaintenances) == 0 {
		t.Fatal("no scheduled maintenances listed")
	}
	for _, m := range ms.ScheduledMaintenances {
		checkItem("scheduled-maintenances.json", m)
	}
}

func TestStatuspageRequiredFields(t *testing.T) {
	c := newClock(testStart)
	v := vendor("acme", SlowThorough, 10)
	v.OpenAtStart = true
	s := startSim(t, c, Options{Seed: 4, Vendors: []Vendor{v}})
	var sum spTestSummary
	spGet(t, s, "acme", "/api/v2/summary.json", &sum)
	p := sum.Page
	if p.ID == nil || p.Name == nil || p.URL == nil || p.TimeZone == nil || p.UpdatedAt == nil {
		t.Errorf("page lacks a field: %+v", p)
	}
	if !slices.Contains([]string{"none", "minor", "major", "critical", "maintenance"}, sum.Status.Indicator) || sum.Status.Description == "" {
		t.Errorf("status %+v", sum.Status)
	}
	for _, comp := range sum.Components {
		for _, k := range []string{"id", "name", "status", "created_at", "updated_at", "position", "group", "group_id", "page_id"} {
			if _, ok := comp[k]; !ok {
				t.Errorf("component %v lacks %q", comp["name"], k)
			}
		}
		if comp["group"] == true && len(comp["components"].([]any)) == 0 {
			t.Errorf("group %v lists no components", comp["name"])
		}
	}
	for _, in := range append(sum.Incidents, sum.ScheduledMaintenances...) {
		if in.ID == "" || in.Name == "" || in.Status == "" || in.Impact == "" || len(in.IncidentUpdates) == 0 {
			t.Errorf("item lacks a field: %+v", in)
		}
		parseSP(t, "created_at", in.CreatedAt)
		parseSP(t, "started_at", in.StartedAt)
		for i, u := range in.IncidentUpdates {
			if u.DisplayAt == "" || u.ID == "" {
				t.Errorf("update %+v lacks display_at or id", u)
			}
			if i > 0 && parseSP(t, "display_at", u.DisplayAt).After(parseSP(t, "display_at", in.IncidentUpdates[i-1].DisplayAt)) {
				t.Errorf("%s: updates not newest first", in.ID)
			}
		}
	}
	for _, m := range sum.ScheduledMaintenances {
		if m.ScheduledFor == nil || m.ScheduledUntil == nil || m.Impact != "maintenance" {
			t.Errorf("maintenance %s: scheduled_for %v, scheduled_until %v, impact %q", m.ID, m.ScheduledFor, m.ScheduledUntil, m.Impact)
		}
	}
}

func TestStatuspageUnfoldsWithTheClock(t *testing.T) {
	c := newClock(testStart)
	v := vendor("acme", Persona{}, 10)
	v.OpenAtStart = true
	s := startSim(t, c, Options{Seed: 9, Vendors: []Vendor{v}})

	var open struct{ Incidents []spTestIncident }
	spGet(t, s, "acme", "/api/v2/incidents/unresolved.json", &open)
	if len(open.Incidents) != 1 {
		t.Fatalf("%d unresolved incidents at Start, want the OpenAtStart one", len(open.Incidents))
	}
	in := open.Incidents[0]
	if in.ResolvedAt != nil || in.Components[0].Status == "operational" {
		t.Errorf("open incident: resolved_at %v, first component %q; want unresolved and not operational", in.ResolvedAt, in.Components[0].Status)
	}
	var sum spTestSummary
	spGet(t, s, "acme", "/api/v2/summary.json", &sum)
	if sum.Status.Indicator == "none" {
		t.Errorf("summary says %q during an incident", sum.Status.Description)
	}

	c.Set(testStart.Add(3 * 24 * time.Hour))
	spGet(t, s, "acme", "/api/v2/incidents/unresolved.json", &open)
	for _, later := range open.Incidents {
		if later.ID == in.ID {
			t.Errorf("incident %s still unresolved three days later", in.ID)
		}
	}
	var all struct{ Incidents []spTestIncident }
	spGet(t, s, "acme", "/api/v2/incidents.json", &all)
	i := slices.IndexFunc(all.Incidents, func(x spTestIncident) bool { return x.ID == in.ID })
	if i < 0 || all.Incidents[i].ResolvedAt == nil || all.Incidents[i].Status != "resolved" {
		t.Fatalf("incident %s three days later: want listed and resolved, got %+v", in.ID, all.Incidents[i])
	}
	if all.Incidents[i].Components[0].Status != "operational" {
		t.Errorf("component %s still %s after the incident", all.Incidents[i].Components[0].Name, all.Incidents[i].Components[0].Status)
	}
}

func TestStatuspageAgreesWithTruth(t *testing.T) {
	c := newClock(testStart.Add(-2 * time.Hour))
	v := vendor("acme", Combine(SlowThorough, SilentDuringIncidents), 10)
	v.IncidentsPerWeek, v.OpenAtStart = 5, true
	s := startSim(t, c, Options{Seed: 6, Vendors: []Vendor{v}})
	for _, now := range []time.Time{c.Now(), testStart.Add(30 * time.Minute), testStart.Add(4 * 24 * time.Hour)} {
		c.Set(now)
		truth := s.Truth("acme", now)
		var list struct{ Incidents []spTestIncident }
		spGet(t, s, "acme", "/api/v2/incidents.json", &list)
		byID := map[string]spTestIncident{}
		for _, in := range list.Incidents {
			if in.ScheduledFor == nil {
				byID[in.ID] = in
			}
		}
		postmortems := 0
		for _, tt := range truth.Incidents {
			in, ok := byID[tt.ID]
			if !ok {
				t.Errorf("%s: incident %s of the truth not listed", now, tt.ID)
				continue
			}
			if !parseSP(t, "created_at", in.CreatedAt).Equal(tt.Created) || !parseSP(t, "started_at", in.StartedAt).Equal(tt.Started) {
				t.Errorf("%s: incident %s created %s started %s, truth %s %s", now, tt.ID, in.CreatedAt, in.StartedAt, tt.Created, tt.Started)
			}
			if (in.ResolvedAt == nil) != tt.Resolved.IsZero() || (in.ResolvedAt != nil && !parseSP(t, "resolved_at", *in.ResolvedAt).Equal(tt.Resolved)) {
				t.Errorf("%s: incident %s resolved_at %v, truth %s", now, tt.ID, in.ResolvedAt, tt.Resolved)
			}
			if (in.PostmortemPublishedAt == nil) != tt.Postmortem.IsZero() {
				t.Errorf("%s: incident %s postmortem_published_at %v, truth %s", now, tt.ID, in.PostmortemPublishedAt, tt.Postmortem)
			}
			if in.PostmortemPublishedAt != nil {
				postmortems++
			}
			var updates []time.Time
			for _, u := range slices.Backward(in.IncidentUpdates) {
				updates = append(updates, parseSP(t, "display_at", u.DisplayAt))
			}
			if !slices.EqualFunc(updates, tt.Updates, time.Time.Equal) {
				t.Errorf("%s: incident %s updates %v, truth %v", now, tt.ID, updates, tt.Updates)
			}
		}
		if len(byID) != len(truth.Incidents) {
			t.Errorf("%s: %d incidents listed, truth has %d", now, len(byID), len(truth.Incidents))
		}
		if now.After(testStart.Add(24*time.Hour)) && postmortems == 0 {
			t.Errorf("%s: a SlowThorough vendor published no postmortem", now)
		}
	}
}

func TestStatuspageListsOnlyTheNewest50(t *testing.T) {
	c := newClock(testStart)
	v := vendor("acme", Persona{}, 10)
	v.IncidentsPerWeek = 30
	s := startSim(t, c, Options{Seed: 8, Vendors: []Vendor{v}})
	if n := len(s.Truth("acme", testStart).Incidents); n <= 50 {
		t.Fatalf("only %d incidents; the test needs more than 50", n)
	}
	var list struct{ Incidents []spTestIncident }
	spGet(t, s, "acme", "/api/v2/incidents.json", &list)
	if len(list.Incidents) != 50 {
		t.Fatalf("%d incidents listed, want the newest 50", len(list.Incidents))
	}
	for i := 1; i < len(list.Incidents); i++ {
		if list.Incidents[i].CreatedAt > list.Incidents[i-1].CreatedAt {
			t.Fatalf("incidents.json not newest first at %d", i)
		}
	}
}
