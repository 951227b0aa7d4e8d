package zendesk

import (
	jsonv1 "encoding/json"
	"reflect"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// TestParsePageAsEncodingJSON checks the choice of pageOptions: real
// Zendesk bodies, and the inputs where encoding/json/v2's defaults differ
// from encoding/json's, parse exactly as encoding/json parsed them.
func TestParsePageAsEncodingJSON(t *testing.T) {
	withMetricSets := func() []byte {
		sets := realMetricSets(t)
		var tickets []map[string]any
		for _, m := range sets {
			tickets = append(tickets, realTicket(t, map[string]any{"id": m["ticket_id"]}))
		}
		return collectortest.Marshal(t, map[string]any{"tickets": tickets, "metric_sets": sets, "after_cursor": "c", "end_of_stream": true})
	}
	cases := []struct {
		name string
		body []byte
	}{
		{"recorded cursor export page", collectortest.Testdata(t, "zenpy_incremental_tickets_cursor_first_page.json")},
		{"recorded time-based export page", collectortest.Testdata(t, "zenpy_incremental_tickets_timebased_first_page.json")},
		{"recorded ticket list", collectortest.Testdata(t, "go-zendesk_GET_tickets.json")},
		{"recorded metric sets", withMetricSets()},
		{"busy page", busyExportPage(t, 50)},
		{"null into every kind of field", []byte(`{"tickets":[{"id":1,"created_at":null,"updated_at":null,"priority":null,` +
			`"status":null,"tags":null,"satisfaction_rating":null}],"metric_sets":[{"ticket_id":1,"replies":null,"reopens":null,` +
			`"reply_time_in_seconds":null,"reply_time_in_minutes":{"calendar":null}}],"after_cursor":null,"end_of_stream":null}`)},
		{"null tag", []byte(`{"tickets":[{"id":1,"tags":["vip",null]}],"end_of_stream":true}`)},
		{"invalid UTF-8 in an unread field", []byte("{\"tickets\":[{\"id\":1,\"subject\":\"caf\xe9\"}],\"end_of_stream\":true}")},
		{"invalid UTF-8 in a tag", []byte("{\"tickets\":[{\"id\":1,\"tags\":[\"caf\xe9\"]}],\"end_of_stream\":true}")},
		{"lone surrogate", []byte(`{"tickets":[{"id":1,"tags":["\ud800"]}],"end_of_stream":true}`)},
		{"duplicate member, last wins", []byte(`{"tickets":[{"id":1,"status":"new","status":"solved"}],"end_of_stream":false,"end_of_stream":true}`)},
		{"fractional seconds and offsets", []byte(`{"tickets":[{"id":1,"created_at":"2025-03-03T10:00:00.123456789+01:00",` +
			`"updated_at":"2025-03-03T10:00:00-05:30"}],"end_of_stream":true}`)},
		{"negative zero", []byte(`{"tickets":[],"metric_sets":[{"ticket_id":-0,"replies":-0}],"end_of_stream":true}`)},
		{"escaped names and strings", []byte(`{"tick\u0065ts":[{"id":1,"status":"s\u006flved","tags":["a\/b","\u00e9"]}],"end_of_stream":true}`)},
		{"null page", []byte(`null`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parsePage(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			var want exportPage
			if err := jsonv1.Unmarshal(tc.body, &want); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("parsed\n %+v\nencoding/json parsed\n %+v", got, want)
			}
		})
	}
}

// TestParsePageDeparturesFromEncodingJSON pins the inputs, never sent by
// Zendesk, that pageOptions deliberately parse unlike encoding/json.
func TestParsePageDeparturesFromEncodingJSON(t *testing.T) {
	cases := []struct {
		name string
		body string
		ok   func(exportPage) bool // nil: the page is rejected
	}{
		{name: "member names match case-sensitively", body: `{"tickets":[{"ID":1,"Status":"open"}],"end_of_stream":true}`,
			ok: func(p exportPage) bool { tk := (*p.Tickets)[0]; return tk.ID == nil && tk.Status == "" }},
		{name: "null resets a duplicate member", body: `{"tickets":[{"id":1,"status":"new","status":null}],"end_of_stream":true}`,
			ok: func(p exportPage) bool { return (*p.Tickets)[0].Status == "" }},
		{name: "comma before the fraction of a second", body: `{"tickets":[{"id":1,"created_at":"2025-03-03T10:00:00,5Z"}],"end_of_stream":true}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := jsonv1.Unmarshal([]byte(tc.body), new(exportPage)); err != nil {
				t.Fatalf("encoding/json rejects it too: %v", err)
			}
			p, err := parsePage([]byte(tc.body))
			switch {
			case tc.ok == nil && err == nil:
				t.Errorf("accepted %+v, want an error", p)
			case tc.ok != nil && err != nil:
				t.Errorf("error %v", err)
			case tc.ok != nil && !tc.ok(p):
				t.Errorf("parsed %+v", p)
			}
		})
	}
}
