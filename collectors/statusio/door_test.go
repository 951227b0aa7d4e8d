package statusio

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// event is an incident or maintenance as result.incidents and
// result.maintenance list them (compare
// testdata/constructed-status-incident-and-active-maintenance.json): opened
// at open, one post per element of posts.
func event(id, open string, posts ...string) map[string]any {
	var messages []map[string]any
	for _, p := range posts {
		messages = append(messages, map[string]any{"details": "Update.", "state": 100, "status": 400, "datetime": p})
	}
	return map[string]any{"_id": id, "name": "Event " + id, "datetime_open": open, "messages": messages,
		"datetime_planned_start": "2024-03-12T06:00:00.000Z", "datetime_planned_end": "2024-03-12T10:00:00.000Z"}
}

// statusBody is a /1.0/status answer listing incidents and upcoming
// maintenances.
func statusBody(t *testing.T, incidents, upcoming []map[string]any) string {
	return string(collectortest.Marshal(t, map[string]any{"result": map[string]any{
		"status":      []any{},
		"incidents":   incidents,
		"maintenance": map[string]any{"active": []any{}, "upcoming": upcoming},
	}}))
}

// An item with an implausible time is left out and counted, and never
// enters the cursor: when an incident stored before comes back with a
// forged post, the cursor keeps the stored version, so that when the
// incident leaves the list it is that version that is resolved. Plausible
// items around them are stored at every poll.
func TestSyncDoor(t *testing.T) {
	const (
		open   = "2024-03-12T08:47:19.377Z"
		future = "2099-01-01T00:00:00.000Z" // a vendor clock gone wrong
		past   = "1970-01-01T00:00:00.000Z"
	)
	api, srv := startAPI(t, "", collectortest.ServeJSON(statusBody(t,
		[]map[string]any{event("a", open, open), event("b", open, open, future)},
		[]map[string]any{event("m", past)})))
	polls := []time.Time{
		collectortest.UTC("2024-03-12T09:00:00Z"),
		collectortest.UTC("2024-03-12T09:05:00Z"),
		collectortest.UTC("2024-03-12T09:10:00Z"),
	}
	var rejected []string
	sync := func(at time.Time, cursor []byte) item.Batch {
		t.Helper()
		env := collectortest.Env("statusio", srv.URL, srv.Client())
		env.Config.Options = &Options{PageID: testPageID}
		env.Now = func() time.Time { return at }
		env.Bounds = door.Bounds{NotBefore: collectortest.UTC("2000-01-01T00:00:00Z"), MaxSkew: time.Hour, Now: env.Now}
		env.Reject = func(reason string) { rejected = append(rejected, reason) }
		batches, err := collectortest.Sync(collectortest.NewSource(t, New, env), cursor)
		if err != nil || len(batches) != 1 {
			t.Fatalf("Sync = %d batches, %v", len(batches), err)
		}
		return batches[0]
	}

	first := sync(polls[0], nil)
	if got := collectortest.IncidentIDs(first.Incidents); !reflect.DeepEqual(got, []string{"a"}) || len(first.Maintenances) != 0 {
		t.Errorf("first poll: incidents %v, %d maintenances; want a only", got, len(first.Maintenances))
	}
	if want := []string{door.ReasonFuture, door.ReasonPast}; !reflect.DeepEqual(rejected, want) {
		t.Errorf("first poll rejected %v, want %v", rejected, want)
	}
	storedA := first.Incidents[0]

	// a comes back with a forged post; c is new.
	rejected = nil
	api.answer(collectortest.ServeJSON(statusBody(t,
		[]map[string]any{event("a", open, open, future), event("c", open, open)}, nil)))
	second := sync(polls[1], first.Cursor)
	if got := collectortest.IncidentIDs(second.Incidents); !reflect.DeepEqual(got, []string{"c"}) {
		t.Errorf("second poll incidents %v, want c only: a's new version is refused, and a has not ended", got)
	}
	if want := []string{door.ReasonFuture}; !reflect.DeepEqual(rejected, want) {
		t.Errorf("second poll rejected %v, want %v", rejected, want)
	}
	cursor, err := decodeCursor(second.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if got := collectortest.IncidentIDs(cursor.Incidents); !reflect.DeepEqual(got, []string{"a", "c"}) || !reflect.DeepEqual(cursor.Incidents[0], storedA) {
		t.Errorf("second cursor %+v, want a as stored at the first poll, then c", cursor.Incidents)
	}

	// a and b are gone, c stays.
	rejected = nil
	api.answer(collectortest.ServeJSON(statusBody(t, []map[string]any{event("c", open, open)}, nil)))
	third := sync(polls[2], second.Cursor)
	wantA := storedA
	wantA.ResolvedAt, wantA.UpdatedAt = polls[2], polls[2]
	if got := collectortest.IncidentIDs(third.Incidents); !reflect.DeepEqual(got, []string{"c", "a"}) || !reflect.DeepEqual(third.Incidents[1], wantA) {
		t.Errorf("third poll incidents %+v, want c, then a resolved now: %+v", third.Incidents, wantA)
	}
	if len(rejected) != 0 {
		t.Errorf("third poll rejected %v, want none", rejected)
	}
	for _, i := range third.Incidents {
		if r := (door.Bounds{NotBefore: collectortest.UTC("2000-01-01T00:00:00Z"), MaxSkew: time.Hour, Now: func() time.Time { return polls[2] }}).Incident(&i); r != "" {
			t.Errorf("incident %s emitted with an implausible time (%s)", i.ID, r)
		}
	}
	if slices.Contains(collectortest.IncidentIDs(third.Incidents), "b") {
		t.Error("b was never stored, yet it was resolved")
	}
}

// The answer's body is capped at maxBodyBytes: padded to the cap it reads,
// one byte more fails the sync (fetch counts it too_large; decode before
// issue 10's fetch change).
func TestSyncBodyCap(t *testing.T) {
	const status = `{"result": {"status": []}}`
	for _, tt := range []struct {
		size    int
		wantErr bool
	}{{maxBodyBytes, false}, {maxBodyBytes + 1, true}} {
		_, srv := startAPI(t, "", collectortest.ServeJSON(status+strings.Repeat(" ", tt.size-len(status))))
		_, err := collectortest.Sync(newSource(t, srv, srv.URL, time.Now()), nil)
		switch {
		case !tt.wantErr && err != nil:
			t.Errorf("%d bytes: %v, want the answer read", tt.size, err)
		case tt.wantErr && (err == nil || !slices.Contains([]string{fetch.ReasonTooLarge, fetch.ReasonDecode}, fetch.Reason(err))):
			t.Errorf("%d bytes: error %v, want the body refused as too large", tt.size, err)
		}
	}
}
