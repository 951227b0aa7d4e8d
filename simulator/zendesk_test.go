package simulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestExportPagesLoseAndRepeatNothing(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 7, Vendors: []Vendor{vendor("acme", FastShallow, 400)}})
	tickets, _, _, pages := export(t, s, "acme", "start_time=0&per_page=37")

	truth := s.Truth("acme", c.Now())
	if len(truth.Tickets) != 400 {
		t.Fatalf("truth has %d tickets by Start, want all 400 of history", len(truth.Tickets))
	}
	if want := (400 + 36) / 37; pages < want {
		t.Errorf("%d pages of 37 for 400 tickets, want at least %d", pages, want)
	}
	seen := map[int64]bool{}
	for i, tk := range tickets {
		if seen[tk.ID] {
			t.Fatalf("ticket %d listed twice", tk.ID)
		}
		seen[tk.ID] = true
		if i > 0 {
			prev := tickets[i-1]
			if tk.GeneratedTimestamp < prev.GeneratedTimestamp || (tk.GeneratedTimestamp == prev.GeneratedTimestamp && tk.ID < prev.ID) {
				t.Fatalf("ticket %d (%d) listed after %d (%d): not in (generated_timestamp, id) order",
					tk.ID, tk.GeneratedTimestamp, prev.ID, prev.GeneratedTimestamp)
			}
		}
	}
	for _, tt := range truth.Tickets {
		if !seen[tt.ID] {
			t.Errorf("ticket %d missing from the export", tt.ID)
		}
	}
}

func TestExportResumesWithExactlyTheUpdatedTickets(t *testing.T) {
	c := newClock(testStart)
	v := vendor("acme", Persona{}, 300)
	v.LiveTicketsPerHour = 6
	s := startSim(t, c, Options{Seed: 3, Vendors: []Vendor{v}})
	_, _, cursor, _ := export(t, s, "acme", "start_time=0")

	for _, step := range []time.Duration{time.Minute, 3 * time.Hour, 40 * time.Hour} { // the last one outgrows the index
		before := c.Now()
		c.Set(before.Add(step))
		var got []int64
		tickets, _, next, _ := export(t, s, "acme", "cursor="+cursor)
		for _, tk := range tickets {
			got = append(got, tk.ID)
		}
		var want []int64
		for _, tt := range s.Truth("acme", c.Now()).Tickets {
			if tt.Updated.After(before) {
				want = append(want, tt.ID)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("after %v: resumed export listed %v, want the tickets updated since: %v", step, got, want)
		}
		if len(want) == 0 && step > time.Minute {
			t.Errorf("after %v: nothing was updated; the test proves nothing", step)
		}
		cursor = next
	}
}

func TestExportShowsOnlyWhatHappenedByNow(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 5, Vendors: []Vendor{vendor("acme", SlowThorough, 300)}})
	now := c.Now()
	later := now.Add(48 * time.Hour)
	// A ticket unanswered now but answered by later: its reply is in the future.
	var pending TicketTruth
	laterTruth := s.Truth("acme", later).Tickets
	for i, tt := range s.Truth("acme", now).Tickets {
		if tt.FirstReply.IsZero() && !laterTruth[i].FirstReply.IsZero() {
			pending = laterTruth[i]
			break
		}
	}
	if pending.ID == 0 {
		t.Fatal("no ticket awaits its first reply at Start; the test proves nothing")
	}
	find := func() (exportTicket, exportMetricSet) {
		tickets, metrics, _, _ := export(t, s, "acme", "start_time=0&include=metric_sets")
		for _, tk := range tickets {
			if tk.ID == pending.ID {
				return tk, metrics[tk.ID]
			}
		}
		t.Fatalf("ticket %d not exported", pending.ID)
		return exportTicket{}, exportMetricSet{}
	}

	tk, m := find()
	if m.Replies != 0 || m.ReplySeconds.Calendar != nil || m.AssigneeUpdatedAt != nil {
		t.Errorf("before its reply, ticket %d shows replies=%d reply_time=%v assignee_updated_at=%v",
			tk.ID, m.Replies, m.ReplySeconds.Calendar, m.AssigneeUpdatedAt)
	}
	if tk.Status != "new" && tk.Status != "open" {
		t.Errorf("before its reply, ticket %d is %q, want new or open", tk.ID, tk.Status)
	}
	if updated, _ := time.Parse(time.RFC3339, tk.UpdatedAt); updated.After(now) {
		t.Errorf("updated_at %s is in the future of %s", tk.UpdatedAt, now)
	}

	c.Set(later)
	tk, m = find()
	wantSeconds := int64(pending.FirstReply.Sub(pending.Created) / time.Second)
	if m.Replies == 0 || m.ReplySeconds.Calendar == nil || *m.ReplySeconds.Calendar != wantSeconds {
		t.Errorf("after its reply, ticket %d shows replies=%d reply_time_in_seconds=%v, want >0 and %d",
			tk.ID, m.Replies, m.ReplySeconds.Calendar, wantSeconds)
	}
}

// TestExportAgreesWithTruth checks every exported ticket and metric set
// against the generated facts: what tests derive from Truth is what a
// collector derives from the API.
func TestExportAgreesWithTruth(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 11, Vendors: []Vendor{vendor("acme", FastShallow, 300)}})
	tickets, metrics, _, _ := export(t, s, "acme", "start_time=0&include=metric_sets")
	byID := map[int64]TicketTruth{}
	for _, tt := range s.Truth("acme", c.Now()).Tickets {
		byID[tt.ID] = tt
	}
	for _, tk := range tickets {
		tt, m := byID[tk.ID], metrics[tk.ID]
		priority := ""
		if tk.Priority != nil {
			priority = *tk.Priority
		}
		score := tk.SatisfactionRating.Score
		if score == "offered" || score == "unoffered" {
			score = ""
		}
		got := fmt.Sprint(tk.CreatedAt, tk.UpdatedAt, priority, tk.Status, tk.Tags, m.Replies, m.Reopens, score)
		want := fmt.Sprint(tt.Created.UTC().Format(time.RFC3339), tt.Updated.UTC().Format(time.RFC3339), tt.Priority,
			tt.Status, tt.Tags, tt.Replies, tt.Reopens, tt.Satisfaction)
		if got != want {
			t.Errorf("ticket %d: API says %s, truth %s", tk.ID, got, want)
		}
		if !tt.FirstReply.IsZero() && *m.ReplySeconds.Calendar != int64(tt.FirstReply.Sub(tt.Created)/time.Second) {
			t.Errorf("ticket %d: reply_time_in_seconds %d, truth %v", tk.ID, *m.ReplySeconds.Calendar, tt.FirstReply.Sub(tt.Created))
		}
		if !tt.FirstSolve.IsZero() && *m.FirstResolution.Calendar != int64(tt.FirstSolve.Sub(tt.Created)/time.Minute) {
			t.Errorf("ticket %d: first_resolution_time_in_minutes %d, truth %v", tk.ID, *m.FirstResolution.Calendar, tt.FirstSolve.Sub(tt.Created))
		}
	}
	if len(tickets) != len(byID) || len(metrics) != len(byID) {
		t.Errorf("exported %d tickets and %d metric sets, truth has %d tickets", len(tickets), len(metrics), len(byID))
	}
}

func TestExportIsDeterministic(t *testing.T) {
	bodies := func(seed int64) string {
		c := newClock(testStart)
		s := startSim(t, c, Options{Seed: seed, Vendors: []Vendor{vendor("acme", FastShallow, 200)}})
		var all []string
		for _, path := range []string{exportPath + "?start_time=0&include=metric_sets&per_page=50", "/api/v2/summary.json", "/api/v2/incidents.json"} {
			kind := KindStatuspage
			if strings.HasPrefix(path, exportPath) {
				kind = KindZendesk
			}
			r := get(t, s, "acme", kind, path)
			// Ports differ between runs; everything else must not.
			all = append(all, strings.ReplaceAll(string(r.body), s.URL("acme", kind), "BASE"))
		}
		return strings.Join(all, "\n")
	}
	first := bodies(42)
	if again := bodies(42); again != first {
		t.Error("the same seed gave different answers")
	}
	if other := bodies(43); other == first {
		t.Error("a different seed gave the same answers")
	}
}

func TestExportCursorLooksLikeZendesks(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 1, Vendors: []Vendor{vendor("acme", Persona{}, 50)}})
	r := get(t, s, "acme", KindZendesk, exportPath+"?start_time=0&per_page=5")
	var p exportPage
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(*p.AfterCursor)
	if err != nil {
		t.Fatalf("after_cursor %q is not base64: %v", *p.AfterCursor, err)
	}
	last := p.Tickets[len(p.Tickets)-1]
	if want := fmt.Sprintf("%d.0||%d|", last.GeneratedTimestamp, last.ID); string(raw) != want {
		t.Errorf("after_cursor decodes to %q, want %q", raw, want)
	}
	if p.BeforeCursor != nil {
		t.Errorf("first page has before_cursor %q, want null", *p.BeforeCursor)
	}
	if want := s.URL("acme", KindZendesk) + exportPath + "?cursor="; !strings.HasPrefix(*p.AfterURL, want) {
		t.Errorf("after_url %q does not start with %q", *p.AfterURL, want)
	}
}

func TestExportRefusals(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 1, Vendors: []Vendor{vendor("acme", Persona{}, 20)}})
	tests := []struct {
		name, query string
		status      int
		body        string
	}{
		{"no start", "", http.StatusBadRequest, `"error":"InvalidValue"`},
		{"start not a number", "start_time=yesterday", http.StatusBadRequest, `"error":"InvalidValue"`},
		{"start too recent", "start_time=" + strconv.FormatInt(testStart.Unix()-30, 10), http.StatusUnprocessableEntity, `Too recent start_time`},
		{"start in the future", "start_time=" + strconv.FormatInt(testStart.Unix()+3600, 10), http.StatusUnprocessableEntity, `Too recent start_time`},
		{"cursor not base64", "cursor=!!!", http.StatusBadRequest, `"error":"InvalidPaginationParameter"`},
		{"cursor of another shape", "cursor=" + base64.StdEncoding.EncodeToString([]byte("hello")), http.StatusBadRequest, `"error":"InvalidPaginationParameter"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, s, "acme", KindZendesk, exportPath+"?"+tt.query)
			if r.status != tt.status || !bytes.Contains(r.body, []byte(tt.body)) {
				t.Errorf("HTTP %d %s, want %d with %s", r.status, r.body, tt.status, tt.body)
			}
		})
	}
	if r := get(t, s, "acme", KindZendesk, "/api/v2/tickets.json"); r.status != http.StatusNotFound {
		t.Errorf("an endpoint the simulator lacks: HTTP %d, want 404", r.status)
	}
}

func TestZendeskAuth(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 1, Vendors: []Vendor{vendor("acme", Persona{}, 20), vendor("other", Persona{}, 20)}})
	user, pass := s.ZendeskCredentials("acme")
	otherUser, otherPass := s.ZendeskCredentials("other")
	if user != "agent@acme.example/token" || len(pass) < 20 || pass == otherPass {
		t.Fatalf("credentials %q/%q (other vendor's password %q): want agent@acme.example/token and a vendor's own token", user, pass, otherPass)
	}
	url := s.URL("acme", KindZendesk) + exportPath + "?start_time=0"
	tests := []struct {
		name, user, pass string
		status           int
	}{
		{"right", user, pass, http.StatusOK},
		{"none", "-", "", http.StatusUnauthorized},
		{"wrong token", user, pass + "x", http.StatusUnauthorized},
		{"another vendor's", otherUser, otherPass, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := getAs(t, url, tt.user, tt.pass)
			if r.status != tt.status {
				t.Fatalf("HTTP %d, want %d", r.status, tt.status)
			}
			if tt.status == http.StatusUnauthorized && string(r.body) != `{"error":"Couldn't authenticate you"}` {
				t.Errorf("401 body %s, want Zendesk's", r.body)
			}
		})
	}
}

func TestExportRateLimit(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 1, ExportRequestsPerMinute: 3, Vendors: []Vendor{vendor("acme", Persona{}, 20)}})
	for i := 1; i <= 4; i++ {
		r := get(t, s, "acme", KindZendesk, exportPath+"?start_time=0")
		for _, h := range []string{"X-Rate-Limit", "X-Rate-Limit-Remaining", "Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset"} {
			if r.header.Get(h) == "" {
				t.Errorf("request %d: no %s header", i, h)
			}
		}
		if got := r.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
			t.Errorf("request %d: Content-Type %q", i, got)
		}
		if i <= 3 {
			if r.status != http.StatusOK {
				t.Fatalf("request %d of 3 allowed: HTTP %d", i, r.status)
			}
			continue
		}
		retry, err := strconv.Atoi(r.header.Get("Retry-After"))
		if r.status != http.StatusTooManyRequests || err != nil || retry < 1 || retry > 60 {
			t.Fatalf("request 4 of 3 allowed: HTTP %d, Retry-After %q; want 429 and 1-60 s", r.status, r.header.Get("Retry-After"))
		}
		if !bytes.Contains(r.body, []byte(`"error":"APIRateLimitExceeded"`)) {
			t.Errorf("429 body %s, want Zendesk's APIRateLimitExceeded", r.body)
		}
	}
	if got := s.Requests("acme", KindZendesk); got != 4 {
		t.Errorf("Requests = %d, want 4", got)
	}
}

func TestExportShapeMatchesRealCapture(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 1, Vendors: []Vendor{vendor("acme", FastShallow, 100)}})
	var got struct {
		Tickets    []map[string]any `json:"tickets"`
		MetricSets []map[string]any `json:"metric_sets"`
	}
	r := get(t, s, "acme", KindZendesk, exportPath+"?start_time=0&include=metric_sets")
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	var page map[string]any
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatal(err)
	}
	realPage := readJSON(t, "zendesk_export_page.json")
	delete(page, "metric_sets") // sideloaded on request; the capture did not ask
	sameKeys(t, "export page", page, realPage, nil)
	realTicket := realPage["tickets"].([]any)[0].(map[string]any)
	for _, tk := range got.Tickets {
		sameKeys(t, "ticket", tk, realTicket, nil)
	}
	realMetrics := readJSON(t, "zendesk_ticket_metrics.json")["ticket_metrics"].([]any)[0].(map[string]any)
	for _, m := range got.MetricSets {
		// custom_status_updated_at is in live captures (airbyte_expected_records_ticket_metrics.jsonl), not in the doc example.
		sameKeys(t, "metric set", m, realMetrics, []string{"custom_status_updated_at"})
	}
}

// TestExportLimitSlides: the export limit holds over any 60 s, not per
// minute from a first request, and Retry-After names the exact second the
// next request may go.
func TestExportLimitSlides(t *testing.T) {
	s := startSim(t, newClock(testStart), Options{Seed: 1, ExportRequestsPerMinute: 3, Vendors: []Vendor{vendor("acme", Persona{}, 20)}})
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.apis[apiKey{"acme", KindZendesk}].api.(*zendeskAPI).wall = func() time.Time { return wall }
	steps := []struct {
		at         time.Duration // wall time since the first request
		retryAfter int           // 0: accepted
	}{
		{0, 0}, {20 * time.Second, 0}, {40 * time.Second, 0},
		{45 * time.Second, 15}, // the first request leaves the window at 60 s
		{59*time.Second + 500*time.Millisecond, 1},
		{60 * time.Second, 0},  // a fixed window would give 3 more from here
		{61 * time.Second, 19}, // the second leaves at 80 s
		{79 * time.Second, 1},
		{80 * time.Second, 0},
	}
	base := wall
	for _, st := range steps {
		wall = base.Add(st.at)
		r := get(t, s, "acme", KindZendesk, exportPath+"?start_time=0")
		switch {
		case st.retryAfter == 0 && r.status != http.StatusOK:
			t.Errorf("at %v: HTTP %d (Retry-After %q), want 200", st.at, r.status, r.header.Get("Retry-After"))
		case st.retryAfter > 0 && (r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != strconv.Itoa(st.retryAfter)):
			t.Errorf("at %v: HTTP %d, Retry-After %q; want 429, Retry-After %d", st.at, r.status, r.header.Get("Retry-After"), st.retryAfter)
		}
	}
}

// TestShowTicketSideloadsItsMetricSet: GET /api/v2/tickets/{id}.json with
// include=metric_sets answers the ticket's metric set, as the export shows
// it, in a top-level array; without the include, none.
func TestShowTicketSideloadsItsMetricSet(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 7, Vendors: []Vendor{vendor("acme", FastShallow, 50)}})
	_, metrics, _, _ := export(t, s, "acme", "start_time=0&include=metric_sets")
	for _, id := range []int64{1, 17, 50} {
		var with, without struct {
			Ticket     struct{ ID int64 } `json:"ticket"`
			MetricSets []exportMetricSet  `json:"metric_sets"`
		}
		if err := json.Unmarshal(get(t, s, "acme", KindZendesk, fmt.Sprintf("/api/v2/tickets/%d.json?include=metric_sets", id)).body, &with); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(get(t, s, "acme", KindZendesk, fmt.Sprintf("/api/v2/tickets/%d.json", id)).body, &without); err != nil {
			t.Fatal(err)
		}
		if with.Ticket.ID != id || len(with.MetricSets) != 1 || !reflect.DeepEqual(with.MetricSets[0], metrics[id]) {
			t.Errorf("ticket %d with include=metric_sets: %+v, want the export's %+v", id, with, metrics[id])
		}
		if without.MetricSets != nil {
			t.Errorf("ticket %d without the include: metric sets %+v", id, without.MetricSets)
		}
	}
}
