package cachet

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func wantPagination(t *testing.T, got pagination) {
	t.Helper()
	// Every testdata list is one page of one item, 20 to a page.
	want := pagination{Total: 1, Count: 1, PerPage: 20, CurrentPage: 1, TotalPages: 1}
	if got != want {
		t.Errorf("pagination = %+v, want %+v", got, want)
	}
}

func TestDecodeComponents(t *testing.T) {
	got, p, err := decodePage(collectortest.Testdata(t, "cachet_components_list.json"), checkComponent)
	if err != nil {
		t.Fatal(err)
	}
	wantPagination(t, p)
	want := []component{{ID: 1, Name: "API", Status: 1, StatusName: "Operational"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestDecodeIncidents(t *testing.T) {
	tests := []struct {
		zone string
		want incident
	}{
		{"UTC", incident{
			ID: "1", Name: "Incident Name", ComponentID: 1, Status: 2, Visible: true,
			OccurredAt: collectortest.UTC("2015-08-01T12:00:00Z"),
			CreatedAt:  collectortest.UTC("2015-08-01T12:00:00Z"),
			UpdatedAt:  collectortest.UTC("2015-08-01T12:00:00Z"),
			Updates:    []update{{Status: 2, CreatedAt: collectortest.UTC("2015-08-01T12:00:00Z")}},
		}},
		{"America/New_York", incident{ // EDT, UTC-4
			ID: "1", Name: "Incident Name", ComponentID: 1, Status: 2, Visible: true,
			OccurredAt: collectortest.UTC("2015-08-01T16:00:00Z"),
			CreatedAt:  collectortest.UTC("2015-08-01T16:00:00Z"),
			UpdatedAt:  collectortest.UTC("2015-08-01T16:00:00Z"),
			Updates:    []update{{Status: 2, CreatedAt: collectortest.UTC("2015-08-01T16:00:00Z")}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			got, p, err := decodePage(collectortest.Testdata(t, "cachet_incidents_list.json"), checkIncident(mustZone(t, tt.zone)))
			if err != nil {
				t.Fatal(err)
			}
			wantPagination(t, p)
			if len(got) != 1 || !reflect.DeepEqual(got[0], tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeSchedules(t *testing.T) {
	got, p, err := decodePage(collectortest.Testdata(t, "cachet_schedules_list.json"), checkSchedule(mustZone(t, "Asia/Shanghai")))
	if err != nil {
		t.Fatal(err)
	}
	wantPagination(t, p)
	want := []schedule{{ // Shanghai is UTC+8
		ID: "1", Name: "Schedule Name", Status: 2,
		ScheduledAt: collectortest.UTC("2015-08-01T04:30:00Z"),
		CompletedAt: collectortest.UTC("2015-08-01T05:00:00Z"),
		CreatedAt:   collectortest.UTC("2015-08-01T04:00:00Z"),
		UpdatedAt:   collectortest.UTC("2015-08-01T04:00:00Z"),
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestDecodeFlags(t *testing.T) {
	tests := []struct {
		body        string
		wantVisible bool
	}{
		{`{"id": 1, "created_at": "2015-08-01 12:00:00"}`, true},
		{`{"id": 1, "created_at": "2015-08-01 12:00:00", "visible": null}`, true},
		{`{"id": 1, "created_at": "2015-08-01 12:00:00", "visible": 1}`, true},
		{`{"id": 1, "created_at": "2015-08-01 12:00:00", "visible": true}`, true},
		{`{"id": 1, "created_at": "2015-08-01 12:00:00", "visible": 0}`, false},
		{`{"id": 1, "created_at": "2015-08-01 12:00:00", "visible": false}`, false},
	}
	for _, tt := range tests {
		page := `{"meta": {"pagination": {"current_page": 1}}, "data": [` + tt.body + `]}`
		got, _, err := decodePage([]byte(page), checkIncident(time.UTC))
		if err != nil || len(got) != 1 || got[0].Visible != tt.wantVisible {
			t.Errorf("%s: got %+v, %v; want visible %v", tt.body, got, err, tt.wantVisible)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	page := func(items string) string {
		return `{"meta": {"pagination": {"current_page": 1, "total_pages": 1}}, "data": [` + items + `]}`
	}
	incidents := func(b []byte) error { _, _, err := decodePage(b, checkIncident(time.UTC)); return err }
	schedules := func(b []byte) error { _, _, err := decodePage(b, checkSchedule(time.UTC)); return err }
	components := func(b []byte) error { _, _, err := decodePage(b, checkComponent); return err }
	tests := []struct {
		name    string
		decode  func([]byte) error
		body    string
		wantErr string
	}{
		{"not JSON", incidents, `<html>Whoops</html>`, "invalid character"},
		{"truncated", incidents, `{"data": [{"id": 1,`, "unexpected end"},
		{"no data", components, `{"meta": {"pagination": {}}}`, `no "data" array`},
		{"data null", components, `{"meta": {"pagination": {}}, "data": null}`, `no "data" array`},
		{"no pagination", components, `{"data": []}`, `no "meta.pagination" object`},
		{"data not a list", components, `{"meta": {"pagination": {}}, "data": {"id": 1}}`, "cannot unmarshal object"},
		{"component without id", components, page(`{"name": "API", "status": 1}`), "item 0: component has no id"},
		{"component status as text", components, page(`{"id": 1, "status": "1"}`), "cannot unmarshal string"},
		{"incident without id", incidents, page(`{"created_at": "2015-08-01 12:00:00"}`), "item 0: incident has no id"},
		{"incident without created_at", incidents, page(`{"id": 7}`), "incident 7: no created_at"},
		{"incident with a zoned time", incidents, page(`{"id": 7, "created_at": "2015-08-01T12:00:00+02:00"}`), `incident 7: created_at "2015-08-01T12:00:00+02:00"`},
		{"incident with a bad occurred_at", incidents, page(`{"id": 7, "created_at": "2015-08-01 12:00:00", "occurred_at": "yesterday"}`), `occurred_at "yesterday"`},
		{"update without created_at", incidents, page(`{"id": 7, "created_at": "2015-08-01 12:00:00", "updates": [{"status": 4}]}`), "incident 7: update 0: no created_at"},
		{"visible not a flag", incidents, page(`{"id": 7, "created_at": "2015-08-01 12:00:00", "visible": "yes"}`), "flag"},
		{"schedule without id", schedules, page(`{"scheduled_at": "2015-08-01 12:30:00"}`), "item 0: schedule has no id"},
		{"schedule without start", schedules, page(`{"id": 3, "created_at": "2015-08-01 12:00:00"}`), "schedule 3: no scheduled_at"},
		{"schedule without created_at", schedules, page(`{"id": 3, "scheduled_at": "2015-08-01 12:30:00"}`), "schedule 3: no created_at"},
		{"schedule with a bad completed_at", schedules, page(`{"id": 3, "scheduled_at": "2015-08-01 12:30:00", "created_at": "2015-08-01 12:00:00", "completed_at": "2015-08-01"}`), `completed_at "2015-08-01"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.decode([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// The list as Cachet before 2.0 answered it, per_page a string: it decodes
// like the others.
func TestDecodePerPageAsText(t *testing.T) {
	got, p, err := decodePage(collectortest.Testdata(t, "cachet_incidents_list_per_page_string.json"), checkIncident(time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	wantPagination(t, p)
	want := []incident{{
		ID: "1", Name: "Incident Name", Status: 4, Visible: true,
		CreatedAt: collectortest.UTC("2015-08-01T12:00:00Z"),
		UpdatedAt: collectortest.UTC("2015-08-01T12:00:00Z"),
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestDecodePaginationNumbers(t *testing.T) {
	tests := []struct {
		in      string
		want    count
		wantErr bool
	}{
		{`20`, 20, false},
		{`"20"`, 20, false},
		{`0`, 0, false},
		{`"0"`, 0, false},
		{`null`, 0, false},
		{`""`, 0, true},
		{`"20 "`, 0, true},
		{`20.5`, 0, true},
		{`"2e1"`, 0, true},
		{`-1`, 0, true},
		{`"-1"`, 0, true},
		{`true`, 0, true},
		{`"twenty"`, 0, true},
		{`99999999999`, 0, true},
	}
	for _, tt := range tests {
		got := count(7) // a stale value must not survive
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("%s: got %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
