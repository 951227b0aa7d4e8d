package simulator

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// formatSim is a vendor with history, an incident under way and a
// maintenance announced at testStart, served as of testStart.
func formatSim(t *testing.T) (*Sim, Truth) {
	t.Helper()
	v := vendor("acme", Persona{}, 50)
	v.OpenAtStart = true
	s := startSim(t, newClock(testStart), Options{Seed: 3, Vendors: []Vendor{v}})
	return s, s.Truth("acme", testStart)
}

func getJSON(t *testing.T, s *Sim, kind, path string, v any) {
	t.Helper()
	r := get(t, s, "acme", kind, path)
	if r.status != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d", kind, path, r.status)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%s %s: %v", kind, path, err)
	}
}

func parseTime(t *testing.T, layout, v string, loc *time.Location) time.Time {
	t.Helper()
	ts, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		t.Errorf("time %q: %v", v, err)
	}
	return ts.UTC()
}

// unresolved and pending are what the formats without history show.
func unresolved(tr Truth) []IncidentTruth {
	var out []IncidentTruth
	for _, in := range tr.Incidents {
		if in.Resolved.IsZero() {
			out = append(out, in)
		}
	}
	return out
}

func pending(tr Truth) []MaintenanceTruth {
	var out []MaintenanceTruth
	for _, m := range tr.Maintenances {
		if m.Completed.IsZero() {
			out = append(out, m)
		}
	}
	return out
}

func TestStatusFormatsAnswerOnlyTheirPaths(t *testing.T) {
	s, _ := formatSim(t)
	paths := map[string]string{
		KindIncidentio: "/api/v2/scheduled-maintenances.json", KindInstatus: "/api/v2/summary.json",
		KindStatusio: "/1.0/status/000000000000000000000000", KindCachet: "/api/v1/components/groups/x", KindFeed: ".rss",
	}
	for kind, path := range paths {
		if s.URL("acme", kind) == "" {
			t.Fatalf("no URL for %s", kind)
		}
		if r := get(t, s, "acme", kind, path); r.status != http.StatusNotFound {
			t.Errorf("%s %s: HTTP %d, want 404", kind, path, r.status)
		}
		req, _ := http.NewRequest(http.MethodPost, s.URL("acme", kind), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s POST: HTTP %d, want 405", kind, resp.StatusCode)
		}
	}
}

func TestIncidentioShape(t *testing.T) {
	s, tr := formatSim(t)
	var widget struct {
		Ongoing []struct {
			ID                 string `json:"id"`
			Status             string `json:"status"`
			LastUpdateAt       string `json:"last_update_at"`
			AffectedComponents []struct {
				ID, Name, GroupName, CurrentStatus string
			} `json:"affected_components"`
		} `json:"ongoing_incidents"`
		InProgress []struct{ ID, StartedAt, ScheduledEndAt string } `json:"in_progress_maintenances"`
		Scheduled  []struct {
			ID       string `json:"id"`
			StartsAt string `json:"starts_at"`
			EndsAt   string `json:"ends_at"`
		} `json:"scheduled_maintenances"`
	}
	getJSON(t, s, KindIncidentio, "/api/v1/summary", &widget)
	if len(widget.Ongoing) != len(unresolved(tr)) || len(widget.Ongoing) == 0 || len(widget.Ongoing[0].AffectedComponents) == 0 {
		t.Errorf("widget: %d ongoing incidents, want %d, with components", len(widget.Ongoing), len(unresolved(tr)))
	}
	var starts []time.Time
	for _, m := range widget.Scheduled {
		starts = append(starts, parseTime(t, time.RFC3339, m.StartsAt, time.UTC))
	}
	for _, m := range pending(tr) {
		if m.ScheduledFor.After(testStart) && !slices.Contains(starts, m.ScheduledFor.Truncate(time.Second)) {
			t.Errorf("widget: upcoming maintenance at %s not listed (starts %v)", m.ScheduledFor, starts)
		}
	}
	if got := len(widget.InProgress) + len(widget.Scheduled); got != len(pending(tr)) {
		t.Errorf("widget: %d maintenances, want %d", got, len(pending(tr)))
	}

	var incidents struct {
		Incidents []map[string]any `json:"incidents"`
	}
	getJSON(t, s, KindIncidentio, "/api/v2/incidents.json", &incidents)
	if len(incidents.Incidents) != min(50, len(tr.Incidents)) {
		t.Fatalf("incidents.json: %d incidents, want %d", len(incidents.Incidents), min(50, len(tr.Incidents)))
	}
	for i, it := range incidents.Incidents {
		want := tr.Incidents[len(tr.Incidents)-1-i] // newest first
		if got := parseTime(t, time.RFC3339, fmt.Sprint(it["created_at"]), time.UTC); !got.Equal(want.Created.Truncate(time.Second)) {
			t.Errorf("incident %d: created_at %s, want %s", i, got, want.Created)
		}
		for _, absent := range []string{"started_at", "resolved_at", "components", "shortlink", "scheduled_for"} {
			if _, ok := it[absent]; ok {
				t.Errorf("incident %d has %q, which incident.io never sends", i, absent)
			}
		}
		if ups, _ := it["incident_updates"].([]any); len(ups) != len(want.Updates) {
			t.Errorf("incident %d: %d updates, want %d", i, len(ups), len(want.Updates))
		}
	}

	var sum struct {
		Components []struct{ ID, Name, Status string } `json:"components"`
		Incidents  []map[string]any                    `json:"incidents"`
	}
	getJSON(t, s, KindIncidentio, "/api/v2/summary.json", &sum)
	if len(sum.Components) != 7 || len(sum.Incidents) != len(unresolved(tr)) {
		t.Errorf("summary.json: %d components (want 7 leaves), %d incidents (want %d)", len(sum.Components), len(sum.Incidents), len(unresolved(tr)))
	}
	for _, c := range sum.Components {
		if c.Status != tr.Components[c.Name] || len(c.ID) != 26 {
			t.Errorf("component %s (%s): %s, want %s", c.Name, c.ID, c.Status, tr.Components[c.Name])
		}
	}
}

func TestInstatusShape(t *testing.T) {
	s, tr := formatSim(t)
	var sum struct {
		Page      *struct{ Name, URL, Status string } `json:"page"`
		Incidents []struct {
			ID, Name, Started, Status, Impact, URL, UpdatedAt string
		} `json:"activeIncidents"`
		Maintenances []struct {
			ID, Name, Start, Status, Duration, URL, UpdatedAt string
		} `json:"activeMaintenances"`
	}
	getJSON(t, s, KindInstatus, "/summary.json", &sum)
	open, maint := unresolved(tr), pending(tr)
	if sum.Page == nil || sum.Page.Status != "HASISSUES" || len(sum.Incidents) != len(open) || len(sum.Maintenances) != len(maint) {
		t.Fatalf("summary: page %+v, %d incidents (want %d), %d maintenances (want %d)", sum.Page, len(sum.Incidents), len(open), len(sum.Maintenances), len(maint))
	}
	for i, in := range sum.Incidents {
		want := open[len(open)-1-i]
		if got := parseTime(t, time.RFC3339Nano, in.Started, time.UTC); !got.Equal(want.Started) ||
			!strings.HasSuffix(in.URL, "/incident/"+in.ID) || in.Impact != instatusState(impactComponent[want.Impact]) {
			t.Errorf("incident %+v: want started %s, impact %s", in, want.Started, want.Impact)
		}
	}
	for i, m := range sum.Maintenances {
		want := maint[i]
		status := "NOTSTARTEDYET"
		if !want.ScheduledFor.After(testStart) {
			status = "INPROGRESS"
		}
		if got := parseTime(t, time.RFC3339Nano, m.Start, time.UTC); !got.Equal(want.ScheduledFor) ||
			m.Duration != fmt.Sprint(int(want.ScheduledUntil.Sub(want.ScheduledFor).Minutes())) || m.Status != status {
			t.Errorf("maintenance %+v: want start %s until %s, %s", m, want.ScheduledFor, want.ScheduledUntil, status)
		}
	}
	var comps struct {
		Components []struct {
			ID, Name, Status string
			Group            *struct{ ID, Name string } `json:"group"`
			ActiveIncidents  []struct{ ID string }      `json:"activeIncidents"`
		} `json:"components"`
	}
	getJSON(t, s, KindInstatus, "/v2/components.json", &comps)
	grouped, affected := 0, 0
	for _, c := range comps.Components {
		if c.Group != nil && c.Group.Name == "Regions" {
			grouped++
		}
		affected += len(c.ActiveIncidents)
		if c.Status != instatusState(tr.Components[c.Name]) {
			t.Errorf("component %s: %s, want %s", c.Name, c.Status, tr.Components[c.Name])
		}
	}
	if len(comps.Components) != 7 || grouped != 3 || affected == 0 {
		t.Errorf("components: %d (want 7), %d in Regions (want 3), %d active-incident links", len(comps.Components), grouped, affected)
	}
}

func TestStatusioShape(t *testing.T) {
	s, tr := formatSim(t)
	type event struct {
		ID           string `json:"_id"`
		DatetimeOpen string `json:"datetime_open"`
		PlannedStart string `json:"datetime_planned_start"`
		Messages     []struct {
			State, Status int
			Datetime      string
		} `json:"messages"`
		Components []struct {
			Name string `json:"name"`
			ID   string `json:"_id"`
		} `json:"components_affected"`
	}
	var doc struct {
		Result struct {
			Status []struct {
				ID, Name, Status string
				StatusCode       int `json:"status_code"`
				Containers       []struct{ ID, Name string }
			} `json:"status"`
			Incidents   []event `json:"incidents"`
			Maintenance struct {
				Active   []event `json:"active"`
				Upcoming []event `json:"upcoming"`
			} `json:"maintenance"`
		} `json:"result"`
	}
	id := s.StatusioPageID("acme")
	if len(id) != 24 || strings.Trim(id, hexDigits) != "" {
		t.Fatalf("page id %q: want 24 hex digits", id)
	}
	getJSON(t, s, KindStatusio, "/1.0/status/"+id, &doc)
	res := doc.Result
	if len(res.Status) != 7 || len(res.Status[0].Containers) != 1 {
		t.Errorf("%d components (want 7), each with one container", len(res.Status))
	}
	for _, c := range res.Status {
		if want := statusioCodes[tr.Components[c.Name]].code; c.StatusCode != want {
			t.Errorf("component %s: code %d, want %d", c.Name, c.StatusCode, want)
		}
	}
	open := unresolved(tr)
	if len(res.Incidents) != len(open) || len(open) == 0 {
		t.Fatalf("%d incidents, want the %d active ones", len(res.Incidents), len(open))
	}
	for i, in := range res.Incidents {
		want := open[len(open)-1-i]
		if got := parseTime(t, time.RFC3339Nano, in.DatetimeOpen, time.UTC); !got.Equal(want.Created) ||
			len(in.Messages) != len(want.Updates) || len(in.Components) != len(want.Components) {
			t.Errorf("incident %s: opened %s with %d messages, want %s with %d", in.ID, got, len(in.Messages), want.Created, len(want.Updates))
		}
	}
	all := slices.Concat(res.Maintenance.Active, res.Maintenance.Upcoming)
	if len(all) != len(pending(tr)) || len(res.Maintenance.Upcoming) == 0 {
		t.Errorf("%d maintenances (%d upcoming), want %d", len(all), len(res.Maintenance.Upcoming), len(pending(tr)))
	}
	for _, m := range res.Maintenance.Upcoming {
		if !parseTime(t, time.RFC3339Nano, m.PlannedStart, time.UTC).After(testStart) {
			t.Errorf("upcoming maintenance %s starts at %s, before now", m.ID, m.PlannedStart)
		}
	}
}

func TestCachetShapeAndPaging(t *testing.T) {
	s, tr := formatSim(t)
	loc, _ := time.LoadLocation("Europe/Berlin")
	type page struct {
		Meta struct {
			Pagination struct {
				Total       int `json:"total"`
				Count       int `json:"count"`
				PerPage     int `json:"per_page"`
				CurrentPage int `json:"current_page"`
				TotalPages  int `json:"total_pages"`
				Links       struct {
					NextPage *string `json:"next_page"`
				} `json:"links"`
			} `json:"pagination"`
		} `json:"meta"`
		Data []map[string]any `json:"data"`
	}
	// walk reads every page of a list, newest first, 5 items a page.
	walk := func(path string) []map[string]any {
		var all []map[string]any
		for n := 1; ; n++ {
			var p page
			getJSON(t, s, KindCachet, fmt.Sprintf("%s?sort=id&order=desc&per_page=5&page=%d", path, n), &p)
			pg := p.Meta.Pagination
			if pg.CurrentPage != n || pg.PerPage != 5 || pg.Count != len(p.Data) {
				t.Fatalf("%s page %d: pagination %+v for %d items", path, n, pg, len(p.Data))
			}
			all = append(all, p.Data...)
			if n >= pg.TotalPages {
				if pg.Links.NextPage != nil || len(all) != pg.Total {
					t.Errorf("%s: last page links to %v; %d items of %d", path, *pg.Links.NextPage, len(all), pg.Total)
				}
				return all
			}
		}
	}
	incidents := walk("/api/v1/incidents")
	if len(incidents) != len(tr.Incidents) {
		t.Fatalf("%d incidents, want %d", len(incidents), len(tr.Incidents))
	}
	for i, it := range incidents {
		want := tr.Incidents[len(tr.Incidents)-1-i]
		created := parseTime(t, time.DateTime, fmt.Sprint(it["created_at"]), loc)
		updates, _ := it["updates"].([]any)
		if it["id"] != float64(len(tr.Incidents)-i) || !created.Equal(want.Created.Truncate(time.Second)) || len(updates) != len(want.Updates)-1 ||
			it["is_resolved"] != !want.Resolved.IsZero() {
			t.Errorf("incident %v: created %s with %d updates, resolved %v; want %s, %d, %v",
				it["id"], created, len(updates), it["is_resolved"], want.Created, len(want.Updates)-1, !want.Resolved.IsZero())
		}
	}
	schedules := walk("/api/v1/schedules")
	if len(schedules) != len(tr.Maintenances) {
		t.Fatalf("%d schedules, want %d", len(schedules), len(tr.Maintenances))
	}
	for i, it := range schedules {
		want := tr.Maintenances[len(tr.Maintenances)-1-i]
		if at := parseTime(t, time.DateTime, fmt.Sprint(it["scheduled_at"]), loc); !at.Equal(want.ScheduledFor.Truncate(time.Second)) ||
			(it["status"] == float64(2)) != !want.Completed.IsZero() {
			t.Errorf("schedule %v: at %s status %v; want %s completed %s", it["id"], at, it["status"], want.ScheduledFor, want.Completed)
		}
	}
	var def page
	getJSON(t, s, KindCachet, "/api/v1/components", &def)
	if def.Meta.Pagination.PerPage != 20 || len(def.Data) != 7 {
		t.Errorf("components: per_page %d (want Cachet's 20), %d components (want 7)", def.Meta.Pagination.PerPage, len(def.Data))
	}
}

func TestFeedShape(t *testing.T) {
	s, tr := formatSim(t)
	r := get(t, s, "acme", KindFeed, "")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("HTTP %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
	}
	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Entries []struct {
			ID        string `xml:"id"`
			Published string `xml:"published"`
			Content   string `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(r.body, &feed); err != nil {
		t.Fatal(err)
	}
	// The entries are the 25 items dated last: incidents by their newest
	// post, maintenances by their announcement.
	var dates []time.Time
	for _, in := range tr.Incidents {
		last := in.Updates[len(in.Updates)-1]
		if in.Postmortem.After(last) {
			last = in.Postmortem
		}
		dates = append(dates, last)
	}
	for _, m := range tr.Maintenances {
		dates = append(dates, m.Created)
	}
	slices.SortFunc(dates, func(a, b time.Time) int { return b.Compare(a) })
	if len(feed.Entries) != min(feedEntries, len(dates)) {
		t.Fatalf("%d entries, want %d", len(feed.Entries), min(feedEntries, len(dates)))
	}
	scheduled := 0
	for i, e := range feed.Entries {
		if got := parseTime(t, time.RFC3339, e.Published, time.UTC); !got.Equal(dates[i].Truncate(time.Second)) {
			t.Errorf("entry %d published %s, want %s", i, got, dates[i])
		}
		if !strings.Contains(e.Content, "<var data-var='time'>") || !strings.Contains(e.Content, " UTC</small><br><strong>") {
			t.Errorf("entry %s: body is no Statuspage update list: %s", e.ID, e.Content)
		}
		if strings.HasPrefix(e.Content, "<p><strong>THIS IS A SCHEDULED EVENT ") {
			scheduled++
		}
	}
	want := 0 // the maintenances not started at testStart: a started one's entry leads with its latest update
	for _, m := range pending(tr) {
		if m.ScheduledFor.After(testStart) {
			want++
		}
	}
	if scheduled != want {
		t.Errorf("%d entries announce a scheduled event, want %d", scheduled, want)
	}
}
