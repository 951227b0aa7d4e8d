package zendesk

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func TestDecodeRecordedExportPage(t *testing.T) {
	p, err := decodePage(collectortest.Testdata(t, "zenpy_incremental_tickets_cursor_first_page.json"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	created := collectortest.Time(t, "2023-09-18T15:57:42Z")
	want := page{
		tickets: []item.Ticket{{
			ID:        "28",
			CreatedAt: created,
			UpdatedAt: created,
			Priority:  "", // null in the recording
			Status:    item.StatusNew,
			Tags:      []string{},
		}},
		versions:    []ticketVersion{{id: 28, updated: created.UnixNano()}},
		afterCursor: "MTY5NTA1MjY2My4wfHwyOHw=",
		endOfStream: false,
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("decoded page\n got %+v\nwant %+v", p, want)
	}
}

// TestDecodeRecordedMetricSets serves the real ticket metric objects as the
// metric_sets sideload of tickets with their ids.
func TestDecodeRecordedMetricSets(t *testing.T) {
	created := collectortest.Time(t, "2024-04-12T13:39:06Z")
	sets := realMetricSets(t)
	var tickets []map[string]any
	for _, m := range sets {
		tickets = append(tickets, realTicket(t, map[string]any{"id": m["ticket_id"], "created_at": "2024-04-12T13:39:06Z"}))
	}
	body := collectortest.Marshal(t, map[string]any{"tickets": tickets, "metric_sets": sets, "after_cursor": "c", "end_of_stream": true})
	p, err := decodePage(body, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]item.Figures{
		// Documentation example: reply_time_in_seconds wins over minutes.
		"1517": {FirstReplyAt: created.Add(960 * time.Second), FirstSolvedAt: created, Replies: 1},
		"1511": {FirstReplyAt: created, FirstSolvedAt: created},
		// Airbyte sandbox: no seconds field, nulls while unanswered/unsolved.
		"161": {},
		"160": {FirstReplyAt: created.Add(97667 * time.Minute), FirstSolvedAt: created.Add(7292 * time.Minute), Replies: 2, Reopens: 1},
		"159": {FirstReplyAt: created.Add(252154 * time.Minute), Replies: 2},
	}
	if len(p.tickets) != len(want) {
		t.Fatalf("got %d tickets, want %d", len(p.tickets), len(want))
	}
	for _, tk := range p.tickets {
		if tk.Figures == nil {
			t.Errorf("ticket %s: no figures", tk.ID)
			continue
		}
		if *tk.Figures != want[tk.ID] {
			t.Errorf("ticket %s: figures %+v, want %+v", tk.ID, *tk.Figures, want[tk.ID])
		}
	}
}

func TestTicketMapping(t *testing.T) {
	const createdAt = "2025-03-03T10:00:00Z"
	created := collectortest.Time(t, createdAt)
	updated := collectortest.Time(t, "2025-03-04T08:30:00Z")
	base := func(overrides map[string]any, without ...string) map[string]any {
		o := map[string]any{"id": 4242, "created_at": createdAt, "updated_at": "2025-03-04T08:30:00Z",
			"priority": "high", "status": "open", "tags": []string{}}
		for k, v := range overrides {
			o[k] = v
		}
		return realTicket(t, o, without...)
	}
	metrics := func(fields map[string]any) []map[string]any {
		m := map[string]any{"ticket_id": 4242, "replies": 0, "reopens": 0,
			"reply_time_in_minutes":            map[string]any{"calendar": nil, "business": nil},
			"first_resolution_time_in_minutes": map[string]any{"calendar": nil, "business": nil}}
		for k, v := range fields {
			m[k] = v
		}
		return []map[string]any{m}
	}
	want := func(edit func(*item.Ticket)) item.Ticket {
		tk := item.Ticket{ID: "4242", CreatedAt: created, UpdatedAt: updated, Priority: "high",
			Status: item.StatusOpen, Tags: []string{}}
		if edit != nil {
			edit(&tk)
		}
		return tk
	}
	cases := []struct {
		name       string
		ticket     map[string]any
		metricSets []map[string]any
		want       item.Ticket
		wantErr    string
	}{
		{name: "new", ticket: base(map[string]any{"status": "new"}), want: want(func(tk *item.Ticket) { tk.Status = item.StatusNew })},
		{name: "open", ticket: base(nil), want: want(nil)},
		{name: "pending", ticket: base(map[string]any{"status": "pending"}), want: want(func(tk *item.Ticket) { tk.Status = item.StatusPending })},
		{name: "hold is on_hold", ticket: base(map[string]any{"status": "hold"}), want: want(func(tk *item.Ticket) { tk.Status = item.StatusOnHold })},
		{name: "solved", ticket: base(map[string]any{"status": "solved"}), want: want(func(tk *item.Ticket) { tk.Status = item.StatusSolved })},
		{name: "closed", ticket: base(map[string]any{"status": "closed"}), want: want(func(tk *item.Ticket) { tk.Status = item.StatusClosed })},
		{name: "deleted is closed", ticket: base(map[string]any{"status": "deleted"}), want: want(func(tk *item.Ticket) { tk.Status = item.StatusClosed })},
		{name: "unknown status", ticket: base(map[string]any{"status": "archived"}), wantErr: `unknown status "archived"`},
		{name: "null priority", ticket: base(map[string]any{"priority": nil}), want: want(func(tk *item.Ticket) { tk.Priority = "" })},
		{name: "tags passed through", ticket: base(map[string]any{"tags": []string{"escalated", "vip"}}),
			want: want(func(tk *item.Ticket) { tk.Tags = []string{"escalated", "vip"} })},
		{name: "rating good", ticket: base(map[string]any{"satisfaction_rating": map[string]any{"id": 1, "score": "good", "comment": "thanks"}}),
			want: want(func(tk *item.Ticket) { tk.Satisfaction = item.RatingGood })},
		{name: "rating bad", ticket: base(map[string]any{"satisfaction_rating": map[string]any{"id": 2, "score": "bad", "comment": nil}}),
			want: want(func(tk *item.Ticket) { tk.Satisfaction = item.RatingBad })},
		{name: "rating offered", ticket: base(map[string]any{"satisfaction_rating": map[string]any{"score": "offered"}}), want: want(nil)},
		{name: "rating unoffered", ticket: base(map[string]any{"satisfaction_rating": map[string]any{"score": "unoffered"}}), want: want(nil)},
		{name: "rating null", ticket: base(map[string]any{"satisfaction_rating": nil}), want: want(nil)},
		{name: "no updated_at is created_at", ticket: base(nil, "updated_at"), want: want(func(tk *item.Ticket) { tk.UpdatedAt = created })},
		{name: "no id", ticket: base(nil, "id"), wantErr: "no id"},
		{name: "null id", ticket: base(map[string]any{"id": nil}), wantErr: "no id"},
		{name: "no created_at", ticket: base(nil, "created_at"), wantErr: "no created_at"},
		{name: "bad created_at", ticket: base(map[string]any{"created_at": "yesterday"}), wantErr: "cannot parse"},
		{name: "metric set of another ticket", ticket: base(nil),
			metricSets: []map[string]any{{"ticket_id": 1, "replies": 3}}, want: want(nil)},
		{name: "reply in seconds preferred", ticket: base(nil),
			metricSets: metrics(map[string]any{"replies": 1,
				"reply_time_in_seconds": map[string]any{"calendar": 90},
				"reply_time_in_minutes": map[string]any{"calendar": 2, "business": 2}}),
			want: want(func(tk *item.Ticket) {
				tk.Figures = &item.Figures{FirstReplyAt: created.Add(90 * time.Second), Replies: 1}
			})},
		{name: "reply in minutes without seconds", ticket: base(nil),
			metricSets: metrics(map[string]any{"replies": 1, "reply_time_in_minutes": map[string]any{"calendar": 5, "business": 0}}),
			want: want(func(tk *item.Ticket) {
				tk.Figures = &item.Figures{FirstReplyAt: created.Add(5 * time.Minute), Replies: 1}
			})},
		{name: "null reply time is no reply yet", ticket: base(nil),
			metricSets: metrics(map[string]any{"reply_time_in_seconds": map[string]any{"calendar": nil}}),
			want:       want(func(tk *item.Ticket) { tk.Figures = &item.Figures{} })},
		{name: "first resolution, reopens", ticket: base(map[string]any{"status": "solved"}),
			metricSets: metrics(map[string]any{"replies": 3, "reopens": 1,
				"reply_time_in_minutes":            map[string]any{"calendar": 30, "business": 30},
				"first_resolution_time_in_minutes": map[string]any{"calendar": 1440, "business": 540}}),
			want: want(func(tk *item.Ticket) {
				tk.Status = item.StatusSolved
				tk.Figures = &item.Figures{FirstReplyAt: created.Add(30 * time.Minute), FirstSolvedAt: created.Add(24 * time.Hour), Replies: 3, Reopens: 1}
			})},
		{name: "negative reply time", ticket: base(nil),
			metricSets: metrics(map[string]any{"reply_time_in_minutes": map[string]any{"calendar": -5}}), wantErr: "reply time: -5 out of range"},
		{name: "overflowing resolution time", ticket: base(nil),
			metricSets: metrics(map[string]any{"first_resolution_time_in_minutes": map[string]any{"calendar": int64(1) << 50}}),
			wantErr:    "first resolution time"},
		{name: "negative replies", ticket: base(nil), metricSets: metrics(map[string]any{"replies": -1}), wantErr: "negative count"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"tickets": []any{tc.ticket}, "after_cursor": "c", "end_of_stream": true}
			if tc.metricSets != nil {
				body["metric_sets"] = tc.metricSets
			}
			p, err := decodePage(collectortest.Marshal(t, body), time.Time{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.tickets) != 1 {
				t.Fatalf("got %d tickets, want 1", len(p.tickets))
			}
			if !reflect.DeepEqual(p.tickets[0], tc.want) {
				t.Errorf("ticket\n got %+v\nwant %+v", p.tickets[0], tc.want)
			}
		})
	}
}

func TestDecodePageEnvelope(t *testing.T) {
	ticket := realTicket(t, nil)
	// The JSON package's errors are told apart by type: encoding/json/v2
	// deliberately varies their wording from one process to the next.
	semantic := func(err error) bool { var e *json.SemanticError; return errors.As(err, &e) }
	syntactic := func(err error) bool { var e *jsontext.SyntacticError; return errors.As(err, &e) }
	truncated := func(err error) bool { return syntactic(err) && errors.Is(err, io.ErrUnexpectedEOF) }
	cases := []struct {
		name        string
		body        string
		wantErr     string // our own message
		wantErrKind func(error) bool
		wantCursor  string
		wantEnd     bool
		wantTickets int
	}{
		{name: "null after_cursor", body: `{"tickets":[],"after_cursor":null,"end_of_stream":true}`, wantEnd: true},
		{name: "no after_cursor", body: `{"tickets":[],"end_of_stream":true}`, wantEnd: true},
		{name: "cursor and more to come", body: `{"tickets":[` + string(collectortest.Marshal(t, ticket)) + `],"after_cursor":"abc","end_of_stream":false}`,
			wantCursor: "abc", wantTickets: 1},
		{name: "no tickets array", body: `{"after_cursor":"abc","end_of_stream":true}`, wantErr: "no tickets array"},
		{name: "null tickets", body: `{"tickets":null,"after_cursor":"abc","end_of_stream":true}`, wantErr: "no tickets array"},
		{name: "no end_of_stream", body: `{"tickets":[],"after_cursor":"abc"}`, wantErr: "no end_of_stream"},
		{name: "tickets not an array", body: `{"tickets":{},"end_of_stream":true}`, wantErrKind: semantic},
		{name: "not JSON", body: `<html>Maintenance</html>`, wantErrKind: syntactic},
		{name: "truncated", body: `{"tickets":[{"id":1,`, wantErrKind: truncated},
		{name: "trailing garbage", body: `{"tickets":[],"end_of_stream":true} x`, wantErrKind: syntactic},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := decodePage([]byte(tc.body), time.Time{})
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			case tc.wantErrKind != nil:
				if err == nil || !tc.wantErrKind(err) {
					t.Fatalf("error %v (%T), not of the kind wanted", err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.afterCursor != tc.wantCursor || p.endOfStream != tc.wantEnd || len(p.tickets) != tc.wantTickets {
				t.Errorf("got cursor %q end %v tickets %d, want %q %v %d",
					p.afterCursor, p.endOfStream, len(p.tickets), tc.wantCursor, tc.wantEnd, tc.wantTickets)
			}
		})
	}
}

// The export selects by update time, so a ticket updated after the history
// start but created before it still arrives and must be dropped.
func TestDecodeDropsTicketsCreatedBeforeHistoryStart(t *testing.T) {
	tickets := []any{
		realTicket(t, map[string]any{"id": 1, "created_at": "2024-12-31T23:59:59Z", "updated_at": "2025-02-01T00:00:00Z"}),
		realTicket(t, map[string]any{"id": 2, "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-02-01T00:00:00Z"}),
	}
	body := collectortest.Marshal(t, map[string]any{"tickets": tickets, "after_cursor": "c", "end_of_stream": true})
	p, err := decodePage(body, collectortest.Time(t, "2025-01-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.tickets) != 1 || p.tickets[0].ID != "2" {
		t.Errorf("got %+v, want only ticket 2", p.tickets)
	}
	// Both still count as what the page brought, for telling a page of
	// repeats (Sync).
	if len(p.versions) != 2 || p.versions[0].id != 1 || p.versions[1].id != 2 {
		t.Errorf("versions %+v, want tickets 1 and 2", p.versions)
	}
}
