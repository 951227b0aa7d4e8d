package simulator

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// editSim is a vendor with a month of history, an incident and a
// maintenance under way, on a clock the test moves.
func editSim(t *testing.T) (*Sim, *clock) {
	t.Helper()
	v := vendor("acme", Persona{}, 60)
	v.OpenAtStart = true
	c := newClock(testStart)
	return startSim(t, c, Options{Seed: 3, Vendors: []Vendor{v}}), c
}

// ticketView is a ticket as one API shows it: listed among the tickets
// updated in the two hours before testStart (an incremental poll), with
// what that list says, and the status of the ticket's own URL.
type ticketView struct {
	listed            bool
	priority, status  string
	created, updated  time.Time
	own               int // HTTP status of the ticket's own URL
	firstReplySeconds int64
}

// ticketAPIs read a ticket through each ticket kind.
var ticketAPIs = map[string]func(t *testing.T, s *Sim, id int64) ticketView{
	KindZendesk: func(t *testing.T, s *Sim, id int64) ticketView {
		var page struct {
			Tickets []struct {
				ID       int64
				Priority *string
				Status   string
				Created  string `json:"created_at"`
				Updated  string `json:"updated_at"`
			}
			MetricSets []exportMetricSet `json:"metric_sets"`
		}
		since := testStart.Add(-2 * time.Hour).Unix()
		getJSON(t, s, KindZendesk, exportPath+"?include=metric_sets&start_time="+strconv.FormatInt(since, 10), &page)
		v := ticketView{own: get(t, s, "acme", KindZendesk, fmt.Sprintf("/api/v2/tickets/%d.json", id)).status}
		for i, tk := range page.Tickets {
			if tk.ID == id {
				v.listed, v.priority, v.status = true, valueOf(tk.Priority), tk.Status
				v.created, v.updated = parseTime(t, time.RFC3339, tk.Created, time.UTC), parseTime(t, time.RFC3339, tk.Updated, time.UTC)
				if c := page.MetricSets[i].ReplySeconds.Calendar; c != nil {
					v.firstReplySeconds = *c
				}
			}
		}
		return v
	},
	KindFreshdesk: func(t *testing.T, s *Sim, id int64) ticketView {
		user, pass := s.FreshdeskCredentials("acme")
		auth := func(r *http.Request) { r.SetBasicAuth(user, pass) }
		base := s.URL("acme", KindFreshdesk)
		var list []struct {
			ID       int64
			Priority int
			Created  string `json:"created_at"`
			Updated  string `json:"updated_at"`
		}
		walkLinks(t, base+"/api/v2/tickets?per_page=100&updated_since="+testStart.Add(-2*time.Hour).Format(time.RFC3339), auth, &list)
		v := ticketView{own: fetch(t, base+fmt.Sprintf("/api/v2/tickets/%d", id), auth).status}
		for _, tk := range list {
			if tk.ID == id {
				v.listed, v.priority = true, map[int]string{4: "urgent", 3: "high", 2: "normal", 1: "low"}[tk.Priority]
				v.created, v.updated = parseTime(t, time.RFC3339, tk.Created, time.UTC), parseTime(t, time.RFC3339, tk.Updated, time.UTC)
			}
		}
		return v
	},
	KindGitHub: func(t *testing.T, s *Sim, id int64) ticketView {
		base := s.URL("acme", KindGitHub) + "/repos/" + s.GitHubRepository("acme")
		var list []struct {
			Number  int64
			Labels  []struct{ Name string }
			Created string `json:"created_at"`
			Updated string `json:"updated_at"`
		}
		walkLinks(t, base+"/issues?state=all&per_page=100&since="+testStart.Add(-2*time.Hour).Format(time.RFC3339), nil, &list)
		v := ticketView{own: fetch(t, base+fmt.Sprintf("/issues/%d", id), nil).status}
		for _, is := range list {
			if is.Number == id {
				v.listed = true
				for _, l := range is.Labels {
					if slices.Contains([]string{"urgent", "high", "normal", "low"}, l.Name) {
						v.priority = l.Name
					}
				}
				v.created, v.updated = parseTime(t, time.RFC3339, is.Created, time.UTC), parseTime(t, time.RFC3339, is.Updated, time.UTC)
			}
		}
		return v
	},
	KindJSM: func(t *testing.T, s *Sim, id int64) ticketView {
		loc := s.worlds["acme"].cal.Location()
		jql := `project in (SUP) AND updated >= "` + testStart.Add(-2*time.Hour).In(loc).Format("2006-01-02 15:04") + `" ORDER BY updated ASC, key ASC`
		issues, _ := jsmSearch(t, s, jsmSearchURL(s, jql, 100))
		v := ticketView{own: fetch(t, s.URL("acme", KindJSM)+fmt.Sprintf("/rest/servicedeskapi/request/SUP-%d/comment", id), jsmAuth(s)).status}
		for _, is := range issues {
			if is.Key == fmt.Sprintf("SUP-%d", id) {
				v.listed = true
				if p := is.Fields.Priority; p != nil {
					v.priority = map[string]string{"Highest": "urgent", "High": "high", "Medium": "normal", "Low": "low"}[p.Name]
				}
				v.created, v.updated = parseTime(t, jiraTimeLayout, is.Fields.Created, loc), parseTime(t, jiraTimeLayout, is.Fields.Updated, loc)
			}
		}
		return v
	},
	KindZendeskRequests: func(t *testing.T, s *Sim, id int64) ticketView {
		user, pass := s.ZendeskRequestsCredentials("acme")
		auth := func(r *http.Request) { r.SetBasicAuth(user, pass) }
		base := s.URL("acme", KindZendeskRequests)
		var page struct {
			Requests []struct {
				ID       int64
				Priority *string
				Created  string `json:"created_at"`
				Updated  string `json:"updated_at"`
			}
		}
		r := fetch(t, base+requestsPath+"?sort_by=updated_at&sort_order=desc&page%5Bsize%5D=100", auth)
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		v := ticketView{own: fetch(t, base+fmt.Sprintf("%s/%d/comments", requestsPath, id), auth).status}
		for _, rq := range page.Requests {
			updated := parseTime(t, time.RFC3339, rq.Updated, time.UTC)
			if rq.ID == id && !updated.Before(testStart.Add(-2*time.Hour)) {
				v.listed, v.priority, v.updated = true, valueOf(rq.Priority), updated
				v.created = parseTime(t, time.RFC3339, rq.Created, time.UTC)
			}
		}
		return v
	},
}

// quietTicket is an old closed ticket of normal priority, never escalated:
// no incremental poll of the last two hours lists it.
func quietTicket(t *testing.T, s *Sim) TicketTruth {
	t.Helper()
	for _, tk := range s.Truth("acme", testStart).Tickets {
		if tk.Status == "closed" && tk.Priority == "normal" && len(tk.Tags) == 1 && tk.Updated.Before(testStart.Add(-24*time.Hour)) {
			return tk
		}
	}
	t.Fatal("no quiet ticket")
	return TicketTruth{}
}

func truthOf(t *testing.T, s *Sim, at time.Time, id int64) TicketTruth {
	t.Helper()
	for _, tk := range s.Truth("acme", at).Tickets {
		if tk.ID == id {
			return tk
		}
	}
	t.Fatalf("no ticket %d in the truth", id)
	return TicketTruth{}
}

func TestEditTicketPriority(t *testing.T) {
	s, c := editSim(t)
	tk := quietTicket(t, s)
	for kind, view := range ticketAPIs {
		if v := view(t, s, tk.ID); v.listed {
			t.Fatalf("%s lists ticket %d among the recent changes before any edit", kind, tk.ID)
		}
	}
	if err := s.EditTicket("acme", tk.ID, TicketEdit{Priority: ptr("urgent")}); err != nil {
		t.Fatal(err)
	}
	for kind, view := range ticketAPIs {
		v := view(t, s, tk.ID)
		if !v.listed || v.updated != testStart || v.own != http.StatusOK {
			t.Errorf("%s: listed %v, updated %v, own URL %d; want listed again, updated at the edit (%v), 200", kind, v.listed, v.updated, v.own, testStart)
		}
		if v.priority != "urgent" {
			t.Errorf("%s: priority %q, want urgent", kind, v.priority)
		}
	}
	if got := truthOf(t, s, testStart, tk.ID); got.Priority != "urgent" || got.FirstPriority != "normal" || got.Updated != testStart {
		t.Errorf("truth: priority %q (first %q), updated %v; want urgent (first normal), %v", got.Priority, got.FirstPriority, got.Updated, testStart)
	}
	// Before the edit's instant the ticket is as it was.
	c.Set(testStart.Add(-time.Second))
	if got := truthOf(t, s, testStart.Add(-time.Second), tk.ID); got.Priority != "normal" || got.Updated != tk.Updated {
		t.Errorf("truth before the edit: priority %q, updated %v; want normal, %v", got.Priority, got.Updated, tk.Updated)
	}
	if v := ticketAPIs[KindZendesk](t, s, tk.ID); v.listed {
		t.Errorf("zendesk lists the edit before it was made")
	}
}

func TestEditTicketCreated(t *testing.T) {
	s, _ := editSim(t)
	tk := quietTicket(t, s)
	created := tk.Created.Add(-48 * time.Hour)
	if err := s.EditTicket("acme", tk.ID, TicketEdit{Created: created}); err != nil {
		t.Fatal(err)
	}
	for kind, view := range ticketAPIs {
		if v := view(t, s, tk.ID); !v.listed || v.created != created || v.updated != testStart {
			t.Errorf("%s: listed %v, created %v, updated %v; want listed, %v, %v", kind, v.listed, v.created, v.updated, created, testStart)
		}
	}
	// The figures computed from the creation follow it.
	if v := ticketAPIs[KindZendesk](t, s, tk.ID); v.firstReplySeconds != int64(tk.FirstReply.Sub(created)/time.Second) {
		t.Errorf("zendesk reply_time_in_seconds %d, want %d", v.firstReplySeconds, int64(tk.FirstReply.Sub(created)/time.Second))
	}
	var slas struct{ Values []jsmSLAMirror }
	r := fetch(t, s.URL("acme", KindJSM)+fmt.Sprintf("/rest/servicedeskapi/request/SUP-%d/sla", tk.ID), jsmAuth(s))
	if err := json.Unmarshal(r.body, &slas); err != nil || len(slas.Values) == 0 || len(slas.Values[0].CompletedCycles) == 0 ||
		slas.Values[0].CompletedCycles[0].StartTime.EpochMillis != created.UnixMilli() {
		t.Errorf("JSM's first response cycle does not start at the edited creation: %v %.300s", err, r.body)
	}
	if got := truthOf(t, s, testStart, tk.ID); got.Created != created {
		t.Errorf("truth: created %v, want %v", got.Created, created)
	}
	if err := s.EditTicket("acme", tk.ID, TicketEdit{Created: testStart.Add(time.Hour)}); err == nil {
		t.Error("a creation after the edit was accepted")
	}
}

func TestDeleteTicket(t *testing.T) {
	s, c := editSim(t)
	tk := quietTicket(t, s)
	if err := s.EditTicket("acme", tk.ID, TicketEdit{Delete: true}); err != nil {
		t.Fatal(err)
	}
	gone := map[string]int{
		KindZendesk: http.StatusNotFound, KindFreshdesk: http.StatusNotFound, KindGitHub: http.StatusGone,
		KindJSM: http.StatusNotFound, KindZendeskRequests: http.StatusNotFound,
	}
	for kind, view := range ticketAPIs {
		v := view(t, s, tk.ID)
		if v.own != gone[kind] {
			t.Errorf("%s: the deleted ticket's own URL answers %d, want %d", kind, v.own, gone[kind])
		}
		switch {
		case kind == KindZendesk && (!v.listed || v.status != "deleted" || v.updated != testStart):
			t.Errorf("zendesk's export: listed %v, status %q, updated %v; want listed once more, deleted, at the edit", v.listed, v.status, v.updated)
		case kind != KindZendesk && v.listed:
			t.Errorf("%s still lists the deleted ticket", kind)
		}
	}
	// Nor do the full lists hold it.
	var all []struct{ Number int64 }
	walkLinks(t, s.URL("acme", KindGitHub)+"/repos/"+s.GitHubRepository("acme")+"/issues?state=all&per_page=100", nil, &all)
	if slices.ContainsFunc(all, func(is struct{ Number int64 }) bool { return is.Number == tk.ID }) {
		t.Error("GitHub's full issue list holds the deleted issue")
	}
	requests := jsmValues[jRequest](t, s, "/rest/servicedeskapi/request", url.Values{})
	if slices.ContainsFunc(requests, func(r jRequest) bool { return r.IssueKey == fmt.Sprintf("SUP-%d", tk.ID) }) {
		t.Error("JSM's request list holds the deleted request")
	}
	c.Set(testStart.Add(time.Hour))
	if got := truthOf(t, s, testStart.Add(time.Hour), tk.ID); got.Status != "deleted" || got.Updated != testStart {
		t.Errorf("truth: status %q, updated %v; want deleted, %v", got.Status, got.Updated, testStart)
	}
	if err := s.EditTicket("acme", tk.ID, TicketEdit{Priority: ptr("high")}); err == nil {
		t.Error("an edit of a deleted ticket was accepted")
	}
}

func TestEditRefusals(t *testing.T) {
	s, _ := editSim(t)
	tests := []struct {
		name string
		err  error
	}{
		{"unknown vendor", s.EditTicket("nobody", 1, TicketEdit{})},
		{"ticket not created yet", s.EditTicket("acme", 10_000, TicketEdit{})},
		{"unknown priority", s.EditTicket("acme", 1, TicketEdit{Priority: ptr("blocker")})},
		{"unknown incident", s.EditIncident("acme", "nope", IncidentEdit{})},
		{"unknown impact", s.EditIncident("acme", openIncident(t, s).ID, IncidentEdit{Impact: "severe"})},
		{"update not posted", s.EditIncident("acme", openIncident(t, s).ID, IncidentEdit{Updates: map[int]time.Time{9: testStart}})},
		{"update moved after the edit", s.EditIncident("acme", openIncident(t, s).ID, IncidentEdit{Updates: map[int]time.Time{0: testStart.Add(time.Minute)}})},
		{"unknown maintenance", s.EditMaintenance("acme", "nope", MaintenanceEdit{})},
		{"window inverted", s.EditMaintenance("acme", upcomingMaintenance(t, s).ID, MaintenanceEdit{ScheduledUntil: testStart})},
		{"announced after the edit", s.EditMaintenance("acme", upcomingMaintenance(t, s).ID, MaintenanceEdit{Announced: testStart.Add(time.Hour)})},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

func openIncident(t *testing.T, s *Sim) IncidentTruth {
	t.Helper()
	for _, in := range s.Truth("acme", testStart).Incidents {
		if in.Resolved.IsZero() {
			return in
		}
	}
	t.Fatal("no open incident")
	return IncidentTruth{}
}

func upcomingMaintenance(t *testing.T, s *Sim) MaintenanceTruth {
	t.Helper()
	for _, m := range s.Truth("acme", testStart).Maintenances {
		if m.ScheduledFor.After(testStart) {
			return m
		}
	}
	t.Fatal("no upcoming maintenance")
	return MaintenanceTruth{}
}

// jsonAt walks decoded JSON by keys and indexes.
func jsonAt(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[p]
		case int:
			a, _ := v.([]any)
			if p >= len(a) {
				return nil
			}
			v = a[p]
		}
	}
	return v
}

// findByID is the object of list whose key is id.
func findByID(list any, key, id string) map[string]any {
	a, _ := list.([]any)
	for _, it := range a {
		if m, _ := it.(map[string]any); fmt.Sprint(m[key]) == id {
			return m
		}
	}
	return nil
}

func decoded(t *testing.T, s *Sim, kind, path string) any {
	t.Helper()
	var v any
	getJSON(t, s, kind, path, &v)
	return v
}

// TestEditIncident backdates the incident under way, raises its impact
// and moves its first post, and reads it through every status format: the
// same ids, the edited values, updated at the edit.
func TestEditIncident(t *testing.T) {
	s, c := editSim(t)
	in := openIncident(t, s)
	loc := s.worlds["acme"].cal.Location()
	ioBefore := decoded(t, s, KindIncidentio, "/api/v2/incidents.json")
	started, firstPost := in.Started.Add(-time.Hour), in.Created.Add(-2*time.Minute)
	if err := s.EditIncident("acme", in.ID, IncidentEdit{Started: started, Impact: "critical", Updates: map[int]time.Time{0: firstPost}}); err != nil {
		t.Fatal(err)
	}
	check := func(kind, field, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s %s: %q, want %q", kind, field, got, want)
		}
	}

	sp := findByID(jsonAt(decoded(t, s, KindStatuspage, "/api/v2/incidents.json"), "incidents"), "id", in.ID)
	check("statuspage", "started_at", fmt.Sprint(sp["started_at"]), spTime(started.UnixMilli()))
	check("statuspage", "impact", fmt.Sprint(sp["impact"]), "critical")
	check("statuspage", "created_at", fmt.Sprint(sp["created_at"]), spTime(firstPost.UnixMilli()))
	check("statuspage", "updated_at", fmt.Sprint(sp["updated_at"]), spTime(testStart.UnixMilli()))

	id := fmt.Sprint(jsonAt(ioBefore, "incidents", 0, "id"))
	io := findByID(jsonAt(decoded(t, s, KindIncidentio, "/api/v2/incidents.json"), "incidents"), "id", id)
	check("incidentio", "impact (same id)", fmt.Sprint(io["impact"]), "critical")
	check("incidentio", "created_at", fmt.Sprint(io["created_at"]), ioTime(firstPost.UnixMilli()))
	check("incidentio", "updated_at", fmt.Sprint(io["updated_at"]), ioTime(testStart.UnixMilli()))

	is := findByID(jsonAt(decoded(t, s, KindInstatus, "/summary.json"), "activeIncidents"), "id", cuid(in.ID))
	check("instatus", "started", fmt.Sprint(is["started"]), spTime(started.UnixMilli()))
	check("instatus", "impact", fmt.Sprint(is["impact"]), "MAJOROUTAGE")
	check("instatus", "updatedAt", fmt.Sprint(is["updatedAt"]), spTime(testStart.UnixMilli()))

	sio := findByID(jsonAt(decoded(t, s, KindStatusio, "/1.0/status/"+s.StatusioPageID("acme")), "result", "incidents"), "_id", statusioID(in.ID))
	check("statusio", "datetime_open", fmt.Sprint(sio["datetime_open"]), spTime(firstPost.UnixMilli()))
	check("statusio", "first message", fmt.Sprint(jsonAt(sio, "messages", 0, "datetime")), spTime(firstPost.UnixMilli()))

	ct := jsonAt(decoded(t, s, KindCachet, "/api/v1/incidents?order=desc&per_page=100"), "data")
	var cachet map[string]any
	for _, it := range ct.([]any) {
		if m := it.(map[string]any); m["occurred_at"] == started.In(loc).Format(time.DateTime) {
			cachet = m
		}
	}
	if cachet == nil {
		t.Errorf("cachet: no incident occurred at %s", started.In(loc).Format(time.DateTime))
	} else {
		check("cachet", "created_at", fmt.Sprint(cachet["created_at"]), firstPost.In(loc).Format(time.DateTime))
		check("cachet", "updated_at", fmt.Sprint(cachet["updated_at"]), testStart.In(loc).Format(time.DateTime))
	}

	var feed atomFeed
	if err := xml.Unmarshal(get(t, s, "acme", KindFeed, "").body, &feed); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(feed.Entries, func(e atomEntry) bool { return strings.HasSuffix(e.Link.Href, "/incidents/"+in.ID) })
	if i < 0 || feed.Entries[i].Updated != feedTime(testStart.UnixMilli()) || !strings.Contains(feed.Entries[i].Content.Body, feedWall(firstPost.UnixMilli())) {
		t.Errorf("feed: the incident's entry is not updated at the edit with its first post at %s: %+v", feedWall(firstPost.UnixMilli()), feed.Entries[max(i, 0)])
	}

	if got := openIncident(t, s); got.Started != started || got.Impact != "critical" || got.Created != firstPost || got.Updated != testStart {
		t.Errorf("truth: %+v; want started %v, critical, created %v, updated %v", got, started, firstPost, testStart)
	}
	c.Set(testStart.Add(-time.Second))
	if got := s.Truth("acme", testStart.Add(-time.Second)); slices.ContainsFunc(got.Incidents, func(x IncidentTruth) bool { return x.ID == in.ID && x.Impact == "critical" }) {
		t.Error("the edit shows before it was made")
	}
}

// TestEditMaintenance postpones the announced maintenance by a day and
// dates its announcement an hour earlier: every format shows the new
// window and announcement, and it starts at its new time.
func TestEditMaintenance(t *testing.T) {
	s, c := editSim(t)
	m := upcomingMaintenance(t, s)
	loc := s.worlds["acme"].cal.Location()
	from, until, announced := m.ScheduledFor.Add(24*time.Hour), m.ScheduledUntil.Add(25*time.Hour), m.Created.Add(-time.Hour)
	if err := s.EditMaintenance("acme", m.ID, MaintenanceEdit{ScheduledFor: from, ScheduledUntil: until, Announced: announced}); err != nil {
		t.Fatal(err)
	}
	check := func(kind, field string, got any, want string) {
		t.Helper()
		if fmt.Sprint(got) != want {
			t.Errorf("%s %s: %v, want %q", kind, field, got, want)
		}
	}
	sp := findByID(jsonAt(decoded(t, s, KindStatuspage, "/api/v2/scheduled-maintenances/upcoming.json"), "scheduled_maintenances"), "id", m.ID)
	check("statuspage", "scheduled_for", sp["scheduled_for"], spTime(from.UnixMilli()))
	check("statuspage", "scheduled_until", sp["scheduled_until"], spTime(until.UnixMilli()))
	check("statuspage", "created_at", sp["created_at"], spTime(announced.UnixMilli()))
	check("statuspage", "updated_at", sp["updated_at"], spTime(testStart.UnixMilli()))

	is := findByID(jsonAt(decoded(t, s, KindInstatus, "/summary.json"), "activeMaintenances"), "id", cuid(m.ID))
	check("instatus", "start", is["start"], spTime(from.UnixMilli()))
	check("instatus", "duration", is["duration"], strconv.Itoa(int(until.Sub(from)/time.Minute)))
	check("instatus", "updatedAt", is["updatedAt"], spTime(testStart.UnixMilli()))

	sio := findByID(jsonAt(decoded(t, s, KindStatusio, "/1.0/status/"+s.StatusioPageID("acme")), "result", "maintenance", "upcoming"), "_id", statusioID(m.ID))
	check("statusio", "datetime_open", sio["datetime_open"], spTime(announced.UnixMilli()))
	check("statusio", "datetime_planned_start", sio["datetime_planned_start"], spTime(from.UnixMilli()))
	check("statusio", "datetime_planned_end", sio["datetime_planned_end"], spTime(until.UnixMilli()))

	io := jsonAt(decoded(t, s, KindIncidentio, "/api/v1/summary"), "scheduled_maintenances")
	if !slices.ContainsFunc(io.([]any), func(e any) bool {
		return jsonAt(e, "starts_at") == ioTime(from.UnixMilli()) && jsonAt(e, "ends_at") == ioTime(until.UnixMilli())
	}) {
		t.Errorf("incidentio: no scheduled maintenance %v-%v: %v", from, until, io)
	}

	ct := jsonAt(decoded(t, s, KindCachet, "/api/v1/schedules?per_page=100"), "data").([]any)
	if !slices.ContainsFunc(ct, func(e any) bool {
		return jsonAt(e, "scheduled_at") == from.In(loc).Format(time.DateTime) && jsonAt(e, "created_at") == announced.In(loc).Format(time.DateTime) &&
			jsonAt(e, "updated_at") == testStart.In(loc).Format(time.DateTime)
	}) {
		t.Errorf("cachet: no schedule at %v announced at %v, updated at the edit", from, announced)
	}

	var feed atomFeed
	if err := xml.Unmarshal(get(t, s, "acme", KindFeed, "").body, &feed); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(feed.Entries, func(e atomEntry) bool { return strings.HasSuffix(e.Link.Href, "/incidents/"+m.ID) })
	if i < 0 || feed.Entries[i].Published != feedTime(announced.UnixMilli()) || !strings.Contains(feed.Entries[i].Content.Body, feedWall(from.UnixMilli())) {
		t.Errorf("feed: the maintenance's entry is not published at %v with its new start %s", announced, feedWall(from.UnixMilli()))
	}

	// It starts at its new time, not its old one.
	status := func(at time.Time) string {
		c.Set(at)
		sp := findByID(jsonAt(decoded(t, s, KindStatuspage, "/api/v2/scheduled-maintenances.json"), "scheduled_maintenances"), "id", m.ID)
		return fmt.Sprint(sp["status"])
	}
	if got := status(m.ScheduledFor.Add(time.Minute)); got != "scheduled" {
		t.Errorf("a minute after the old start: %s, want scheduled", got)
	}
	if got := status(from.Add(time.Minute)); got != "in_progress" {
		t.Errorf("a minute after the new start: %s, want in_progress", got)
	}
	got := s.Truth("acme", from.Add(time.Minute)).Maintenances
	if j := slices.IndexFunc(got, func(x MaintenanceTruth) bool { return x.ID == m.ID }); j < 0 ||
		got[j].ScheduledFor != from || got[j].ScheduledUntil != until || got[j].Created != announced || got[j].Updated.Before(testStart) {
		t.Errorf("truth: %+v; want %v-%v announced %v", got, from, until, announced)
	}
}
