package jsm

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// ticketDiff describes how got differs from want; empty when equal.
func ticketDiff(got, want item.Ticket) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	return fmt.Sprintf("\n got %+v (figures %s)\nwant %+v (figures %s)", got, figuresText(got.Figures), want, figuresText(want.Figures))
}

// figuresText shows figures with their clocks, which %+v shows as pointers.
func figuresText(f *item.Figures) string {
	if f == nil {
		return "nil"
	}
	clock := func(c *item.SLAClock) string {
		if c == nil {
			return "nil"
		}
		return fmt.Sprintf("%+v", *c)
	}
	return fmt.Sprintf("%+v, first response clock %s, resolution clock %s", *f, clock(f.FirstResponseSLA), clock(f.ResolutionSLA))
}

// realSearchPage wraps the real issue of testdata in a search page.
func realSearchPage(tb testing.TB) []byte {
	tb.Helper()
	issue := readJSON(tb, "bytebase_get_issue_api-1.json")
	b, err := json.Marshal(map[string]any{"issues": []any{issue}, "isLast": true})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestDecodeRealPayloads(t *testing.T) {
	p, err := decodeSearchPage(realSearchPage(t))
	if err != nil {
		t.Fatal(err)
	}
	tk, err := toTicket((*p.Issues)[0], details{})
	if err != nil {
		t.Fatal(err)
	}
	want := item.Ticket{
		ID:        "10005",
		CreatedAt: time.Date(2024, 9, 27, 9, 23, 22, 508e6, time.UTC),
		UpdatedAt: time.Date(2024, 10, 9, 2, 37, 54, 643e6, time.UTC),
		Priority:  "Medium",
		Status:    item.StatusNew,
	}
	if diff := ticketDiff(tk, want); diff != "" {
		t.Errorf("real issue: %s", diff)
	}

	comment := readJSON(t, "go-jira_cloud_request_comment_response.json")
	body, _ := json.Marshal(map[string]any{"size": 1, "start": 0, "limit": 50, "isLastPage": true, "values": []any{comment}})
	comments, err := decodePaged[apiComment](body)
	if err != nil {
		t.Fatal(err)
	}
	c := (*comments.Values)[0]
	at, err := c.Created.at()
	if err != nil || !*c.Public || c.Author.AccountID != "qm:a713c8ea-1075-4e30-9d96-891a7d181739:5ad6d3581db05e2a66fa80b" ||
		!at.Equal(time.Date(2015, 10, 9, 3, 22, 0, 0, time.UTC)) {
		t.Errorf("real comment decoded as %+v at %v (%v)", c, at, err)
	}

	request := readJSON(t, "go-jira_cloud_request_create_response.json")
	body, _ = json.Marshal(map[string]any{"size": 1, "start": 0, "limit": 50, "isLastPage": true, "values": []any{request}})
	requests, err := decodePaged[apiRequest](body)
	if err != nil {
		t.Fatal(err)
	}
	r := (*requests.Values)[0]
	if err := r.check(); err != nil {
		t.Fatalf("real request: %v", err)
	}
	rt, err := requestToTicket(r, []apiComment{c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantReq := item.Ticket{
		ID:        "107001",
		CreatedAt: time.Date(2015, 10, 8, 7, 42, 0, 0, time.UTC),
		// The example's comment (2015-10-09 03:22 UTC) is by the reporter,
		// and later than its status date.
		UpdatedAt: time.Date(2015, 10, 9, 3, 22, 0, 0, time.UTC),
		Status:    item.StatusNew,
		Events:    []item.Event{{Kind: item.EventCustomerReply, At: time.Date(2015, 10, 9, 3, 22, 0, 0, time.UTC)}},
	}
	if diff := ticketDiff(rt, wantReq); diff != "" {
		t.Errorf("real request: %s", diff)
	}

	slas, err := decodePaged[apiSLA](collectortest.Testdata(t, "docs_get_sla_information.json"))
	if err != nil {
		t.Fatal(err)
	}
	fig, err := figures(*slas.Values, 1)
	if err != nil {
		t.Fatal(err)
	}
	wantFig := &item.Figures{
		FirstReplyAt:  time.UnixMilli(1444362743000).UTC(), // first response, first cycle's stop
		FirstSolvedAt: time.UnixMilli(1444398743000).UTC(), // resolution, first cycle's stop
		Replies:       1,
		Reopens:       2, // two completed resolution cycles and an ongoing one
		// The first completed cycles, with their breach times and verdicts
		// as the example gives them.
		FirstResponseSLA: &item.SLAClock{Deadline: time.UnixMilli(1444362623000).UTC(), Stopped: time.UnixMilli(1444362743000).UTC()},
		ResolutionSLA:    &item.SLAClock{Deadline: time.UnixMilli(1444398623000).UTC(), Stopped: time.UnixMilli(1444398743000).UTC()},
	}
	if !reflect.DeepEqual(fig, wantFig) {
		t.Errorf("documented SLA example: figures %s, want %s", figuresText(fig), figuresText(wantFig))
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		name, category string
		want           item.Status
	}{
		{"Waiting for support", "new", item.StatusNew},
		{"Open", "NEW", item.StatusNew},
		{"In progress", "indeterminate", item.StatusOpen},
		{"Waiting for customer", "indeterminate", item.StatusPending},
		{"waiting for Customer ", "indeterminate", item.StatusPending},
		{"Escalated", "indeterminate", item.StatusOpen},
		{"Resolved", "done", item.StatusSolved},
		{"Canceled", "done", item.StatusSolved},
		{"Closed", "done", item.StatusClosed},
		{"Closed", "indeterminate", item.StatusOpen}, // the category decides first
		{"Reviewing", "undefined", item.StatusOpen},
	}
	for _, tc := range tests {
		s := &apiStatus{Name: tc.name}
		s.StatusCategory.Key = tc.category
		if got := status(s); got != tc.want {
			t.Errorf("status(%q, %q) = %s, want %s", tc.name, tc.category, got, tc.want)
		}
	}
}

func TestToTicketEvents(t *testing.T) {
	at := func(m int) *apiDate {
		ms := t0.Add(time.Duration(m) * time.Minute).UnixMilli()
		return &apiDate{EpochMillis: &ms}
	}
	yes, no := true, false
	comment := func(author string, public *bool, m int) apiComment {
		return apiComment{Public: public, Author: &apiUser{AccountID: author}, Created: at(m)}
	}
	tests := []struct {
		name     string
		category string
		resolved time.Time
		reporter *apiUser
		comments []apiComment
		want     []item.Event
	}{
		{
			name: "replies by reporter and others", category: "indeterminate", reporter: &apiUser{AccountID: "c"},
			comments: []apiComment{comment("a", &yes, 20), comment("c", &yes, 10), comment("b", &yes, 30)},
			want: []item.Event{
				{Kind: item.EventCustomerReply, At: t0.Add(10 * time.Minute)},
				{Kind: item.EventVendorReply, At: t0.Add(20 * time.Minute)},
				{Kind: item.EventVendorReply, At: t0.Add(30 * time.Minute)},
			},
		},
		{
			name: "internal and unmarked comments are not replies", category: "indeterminate", reporter: &apiUser{AccountID: "c"},
			comments: []apiComment{comment("a", &no, 10), comment("a", nil, 20)},
		},
		{
			name: "comment without author is the vendor's", category: "indeterminate", reporter: &apiUser{AccountID: "c"},
			comments: []apiComment{{Public: &yes, Created: at(5)}},
			want:     []item.Event{{Kind: item.EventVendorReply, At: t0.Add(5 * time.Minute)}},
		},
		{
			name: "done with a resolution date is solved then", category: "done", resolved: t0.Add(time.Hour), reporter: &apiUser{AccountID: "c"},
			want: []item.Event{{Kind: item.EventSolved, At: t0.Add(time.Hour)}},
		},
		{name: "done without a resolution date has no solve event", category: "done"},
		{name: "a resolution date on an open request is stale", category: "indeterminate", resolved: t0.Add(time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			is := apiIssue{ID: "1", Key: "A-1", Fields: &apiFields{
				Created: jiraTime{t0}, Updated: jiraTime{t0}, ResolutionDate: jiraTime{tc.resolved},
				Status: &apiStatus{Name: "x"}, Reporter: tc.reporter,
			}}
			is.Fields.Status.StatusCategory.Key = tc.category
			tk, err := toTicket(is, details{comments: tc.comments})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tk.Events, tc.want) {
				t.Errorf("events %+v, want %+v", tk.Events, tc.want)
			}
			if tk.Figures != nil {
				t.Errorf("figures %+v without SLAs", tk.Figures)
			}
		})
	}
}

func TestFigures(t *testing.T) {
	date := func(m int) *apiDate {
		ms := t0.Add(time.Duration(m) * time.Minute).UnixMilli()
		return &apiDate{EpochMillis: &ms}
	}
	stop := func(m int) apiCycle { return apiCycle{StopTime: date(m)} }
	cycle := func(m, due int, breached bool) apiCycle {
		return apiCycle{StopTime: date(m), BreachTime: date(due), Breached: breached}
	}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	tests := []struct {
		name string
		slas []apiSLA
		want *item.Figures
	}{
		{name: "no SLA metrics", slas: []apiSLA{}},
		{name: "other metrics only", slas: []apiSLA{{Name: "Time to approve normal change", CompletedCycles: []apiCycle{stop(5)}}}},
		{
			name: "metrics without cycles yet have no clock", slas: []apiSLA{{Name: "Time to first response"}, {Name: "Time to resolution"}},
			want: &item.Figures{Replies: 3},
		},
		{
			name: "running clocks without breach times", slas: []apiSLA{{Name: "Time to first response", OngoingCycle: &apiOngoingCycle{}}, {Name: "Time to resolution", OngoingCycle: &apiOngoingCycle{}}},
			want: &item.Figures{Replies: 3, FirstResponseSLA: &item.SLAClock{}, ResolutionSLA: &item.SLAClock{}},
		},
		{
			name: "running clocks, one already breached", slas: []apiSLA{
				{Name: "Time to first response", OngoingCycle: &apiOngoingCycle{BreachTime: date(60), Breached: true}},
				{Name: "Time to resolution", OngoingCycle: &apiOngoingCycle{BreachTime: date(240)}},
			},
			want: &item.Figures{Replies: 3,
				FirstResponseSLA: &item.SLAClock{Deadline: at(60), Breached: true},
				ResolutionSLA:    &item.SLAClock{Deadline: at(240)}},
		},
		{
			name: "a paused clock has no deadline", slas: []apiSLA{{Name: "Time to resolution", OngoingCycle: &apiOngoingCycle{BreachTime: date(240), Paused: true, Breached: true}}},
			want: &item.Figures{Replies: 3, ResolutionSLA: &item.SLAClock{Breached: true}},
		},
		{
			name: "answered late, not solved", slas: []apiSLA{{Name: "TIME TO FIRST RESPONSE", CompletedCycles: []apiCycle{cycle(75, 60, true)}}},
			want: &item.Figures{FirstReplyAt: at(75), Replies: 3, FirstResponseSLA: &item.SLAClock{Deadline: at(60), Stopped: at(75), Breached: true}},
		},
		{
			name: "a completed cycle without breach time", slas: []apiSLA{{Name: "Time to first response", CompletedCycles: []apiCycle{stop(15)}}},
			want: &item.Figures{FirstReplyAt: at(15), Replies: 3, FirstResponseSLA: &item.SLAClock{Stopped: at(15)}},
		},
		{
			name: "earliest cycle whatever the order", slas: []apiSLA{{Name: " Time to resolution", CompletedCycles: []apiCycle{cycle(90, 80, true), cycle(60, 120, false)}}},
			want: &item.Figures{FirstSolvedAt: at(60), Replies: 3, Reopens: 1, ResolutionSLA: &item.SLAClock{Deadline: at(120), Stopped: at(60)}},
		},
		{
			name: "reopened and running again: the first run counts", slas: []apiSLA{{Name: "Time to resolution", CompletedCycles: []apiCycle{cycle(60, 240, false)}, OngoingCycle: &apiOngoingCycle{BreachTime: date(90), Breached: true}}},
			want: &item.Figures{FirstSolvedAt: at(60), Replies: 3, Reopens: 1, ResolutionSLA: &item.SLAClock{Deadline: at(240), Stopped: at(60)}},
		},
	}
	for _, tc := range tests {
		got, err := figures(tc.slas, 3)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: figures %s, want %s", tc.name, figuresText(got), figuresText(tc.want))
		}
	}
	var bad int64 = minMillis - 1
	for name, slas := range map[string][]apiSLA{
		"completed cycle without a stop time": {{Name: "Time to resolution", CompletedCycles: []apiCycle{{}}}},
		"breach time without epochMillis":     {{Name: "Time to resolution", CompletedCycles: []apiCycle{{StopTime: date(5), BreachTime: &apiDate{}}}}},
		"ongoing breach time out of range":    {{Name: "Time to first response", OngoingCycle: &apiOngoingCycle{BreachTime: &apiDate{EpochMillis: &bad}}}},
	} {
		if _, err := figures(slas, 0); err == nil {
			t.Errorf("accepted a %s", name)
		}
	}
}

// Epoch milliseconds from year 1 to year 9999 are times, those before 1970
// included (a vendor clock gone a century back): the door, not the
// decoder, refuses them.
func TestEpochMillisRange(t *testing.T) {
	tests := []struct {
		ms      int64
		want    time.Time
		wantErr bool
	}{
		{ms: 1772442060000, want: time.Date(2026, 3, 2, 9, 1, 0, 0, time.UTC)},
		{ms: -1, want: time.Date(1969, 12, 31, 23, 59, 59, 999e6, time.UTC)},
		{ms: time.Date(1926, 3, 2, 9, 0, 0, 0, time.UTC).UnixMilli(), want: time.Date(1926, 3, 2, 9, 0, 0, 0, time.UTC)},
		{ms: minMillis, want: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ms: maxMillis, want: time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)},
		{ms: minMillis - 1, wantErr: true},
		{ms: maxMillis + 1, wantErr: true},
		{ms: math.MinInt64, wantErr: true},
	}
	for _, tc := range tests {
		got, err := (&apiDate{EpochMillis: &tc.ms}).at()
		if (err != nil) != tc.wantErr || !got.Equal(tc.want) {
			t.Errorf("epochMillis %d: %v (%v), want %v (error %v)", tc.ms, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestJiraTime(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: `"2024-10-09T10:37:54.643+0800"`, want: time.Date(2024, 10, 9, 2, 37, 54, 643e6, time.UTC)},
		{in: `"2015-10-09T10:22:00.000-0230"`, want: time.Date(2015, 10, 9, 12, 52, 0, 0, time.UTC)},
		{in: `"2024-10-09T02:37:54Z"`, want: time.Date(2024, 10, 9, 2, 37, 54, 0, time.UTC)},
		{in: `null`},
		{in: `"2024-10-09 10:37"`, wantErr: true},
		{in: `1728441474643`, wantErr: true},
	}
	for _, tc := range tests {
		var got jiraTime
		err := json.Unmarshal([]byte(tc.in), &got)
		if (err != nil) != tc.wantErr || !got.Equal(tc.want) {
			t.Errorf("%s: %v (%v), want %v (error %v)", tc.in, got.Time, err, tc.want, tc.wantErr)
		}
	}
}

func TestDecodeSearchPageChecks(t *testing.T) {
	issue := `{"id":"1","key":"A-1","fields":{"created":"2024-10-09T10:37:54.643+0800","updated":"2024-10-09T10:37:54.643+0800","status":{"name":"Open","statusCategory":{"key":"new"}}}}`
	tests := []struct {
		body, wantErr string
		wantLast      bool
	}{
		{body: `{"issues":[` + issue + `],"isLast":true}`, wantLast: true},
		{body: `{"issues":[],"nextPageToken":"t","isLast":false}`},
		{body: `{"issues":[]}`, wantLast: true}, // JRACLOUD-92184: no token, no isLast
		{body: `{"issues":[],"isLast":false}`, wantErr: "no nextPageToken"},
		{body: `{"isLast":true}`, wantErr: "no issues"},
		{body: `{"issues":[{"key":"A-1"}],"isLast":true}`, wantErr: "no id"},
		{body: `{"issues":[` + strings.Replace(issue, `"created"`, `"x"`, 1) + `],"isLast":true}`, wantErr: "no created"},
		{body: `{"issues":[` + strings.Replace(issue, `"updated"`, `"x"`, 1) + `],"isLast":true}`, wantErr: "no updated"},
		{body: `{"issues":[` + strings.Replace(issue, `"status"`, `"x"`, 1) + `],"isLast":true}`, wantErr: "no status"},
	}
	for _, tc := range tests {
		p, err := decodeSearchPage([]byte(tc.body))
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want %q", tc.body, err, tc.wantErr)
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.body, err)
		case tc.wantErr == "" && p.last() != tc.wantLast:
			t.Errorf("%s: last %v, want %v", tc.body, p.last(), tc.wantLast)
		}
	}
}

func TestCursor(t *testing.T) {
	c, err := decodeCursor(nil)
	if err != nil || c.Since != 0 {
		t.Fatalf("empty cursor: %+v, %v", c, err)
	}
	c.note("1", t0)
	c.note("2", t0.Add(5*time.Minute))
	c.note("3", t0.Add(30*time.Minute)) // 1 and 2 fall out of the overlap (and its minute)
	c.note("4", t0.Add(29*time.Minute)) // older than since: kept, since unchanged
	back, err := decodeCursor(c.encode())
	if err != nil {
		t.Fatal(err)
	}
	want := cursor{Since: t0.Add(30 * time.Minute).UnixMilli(), Seen: map[string]int64{
		"3": t0.Add(30 * time.Minute).UnixMilli(), "4": t0.Add(29 * time.Minute).UnixMilli(),
	}}
	if !reflect.DeepEqual(back, want) {
		t.Errorf("cursor %+v, want %+v", back, want)
	}
	if !back.stored("3", t0.Add(30*time.Minute)) || back.stored("3", t0.Add(31*time.Minute)) || back.stored("1", t0) {
		t.Error("stored does not match the seen updates")
	}
	if _, err := decodeCursor([]byte("{")); err == nil {
		t.Error("accepted a corrupt cursor")
	}
}
