package instatus

import (
	"fmt"
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

// summaryWith is a /summary.json listing incidents, each written as
// activeIncidents holds one: id, started, status and updatedAt.
func summaryWith(incidents ...[4]string) string {
	var list []string
	for _, i := range incidents {
		list = append(list, fmt.Sprintf(`{"id": %[1]q, "name": "Incident %[1]s", "started": %[2]q, "status": %[3]q, "impact": "PARTIALOUTAGE", "url": "https://status.acme.example/incident/%[1]s", "updatedAt": %[4]q}`,
			i[0], i[1], i[2], i[3]))
	}
	return `{"page": {"name": "Acme", "status": "HASISSUES"}, "activeIncidents": [` + strings.Join(list, ", ") + `]}`
}

// An incident with an implausible time is left out and counted, and never
// enters the cursor: when an incident stored open comes back with a forged
// time, the cursor keeps the stored version, so that when the incident
// leaves the list it is that version that is resolved. Plausible incidents
// around them are stored at every poll.
func TestSyncDoor(t *testing.T) {
	const (
		started = "2026-03-20T10:00:00Z"
		updated = "2026-03-20T10:20:00Z"
		future  = "2099-01-01T00:00:00Z" // a vendor clock gone wrong
		past    = "1970-01-01T00:00:00Z"
	)
	page, srv := startPage(t, "",
		collectortest.ServeJSON(summaryWith(
			[4]string{"a", started, "IDENTIFIED", updated},
			[4]string{"b", started, "IDENTIFIED", future},
			[4]string{"d", past, "INVESTIGATING", updated})),
		collectortest.ServeJSON(`{"components": []}`))
	polls := []time.Time{
		collectortest.UTC("2026-03-20T10:30:00Z"),
		collectortest.UTC("2026-03-20T10:35:00Z"),
		collectortest.UTC("2026-03-20T10:40:00Z"),
	}
	bounds := func(now time.Time) door.Bounds {
		return door.Bounds{NotBefore: collectortest.UTC("2000-01-01T00:00:00Z"), MaxSkew: time.Hour, Now: func() time.Time { return now }}
	}
	var rejected []string
	sync := func(at time.Time, stored []byte) (item.Batch, cursor) {
		t.Helper()
		env := collectortest.Env("instatus", srv.URL, srv.Client())
		env.Now = func() time.Time { return at }
		env.Bounds = bounds(at)
		env.Reject = func(reason string) { rejected = append(rejected, reason) }
		batches, err := collectortest.Sync(collectortest.NewSource(t, New, env), stored)
		if err != nil || len(batches) != 1 {
			t.Fatalf("Sync = %d batches, %v", len(batches), err)
		}
		next, err := decodeCursor(batches[0].Cursor)
		if err != nil {
			t.Fatal(err)
		}
		return batches[0], next
	}

	first, next := sync(polls[0], nil)
	if got := collectortest.IncidentIDs(first.Incidents); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("first poll incidents %v, want a only", got)
	}
	if want := []string{door.ReasonFuture, door.ReasonPast}; !reflect.DeepEqual(rejected, want) {
		t.Errorf("first poll rejected %v, want %v", rejected, want)
	}
	if got := collectortest.IncidentIDs(next.Open); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("first cursor holds %v open, want a", got)
	}
	storedA := first.Incidents[0]

	// a comes back resolved at a forged time; c is new.
	rejected = nil
	page.Serve("/"+summaryPath, collectortest.ServeJSON(summaryWith(
		[4]string{"a", started, "RESOLVED", future},
		[4]string{"c", started, "MONITORING", updated})))
	second, next := sync(polls[1], first.Cursor)
	if got := collectortest.IncidentIDs(second.Incidents); !reflect.DeepEqual(got, []string{"c"}) {
		t.Errorf("second poll incidents %v, want c only", got)
	}
	if want := []string{door.ReasonFuture}; !reflect.DeepEqual(rejected, want) {
		t.Errorf("second poll rejected %v, want %v", rejected, want)
	}
	if got := collectortest.IncidentIDs(next.Open); !reflect.DeepEqual(got, []string{"c", "a"}) || !reflect.DeepEqual(next.Open[1], storedA) {
		t.Errorf("second cursor holds %+v open, want c, and a as stored at the first poll", next.Open)
	}

	// a, b and d are gone, c stays.
	rejected = nil
	page.Serve("/"+summaryPath, collectortest.ServeJSON(summaryWith([4]string{"c", started, "MONITORING", updated})))
	third, _ := sync(polls[2], second.Cursor)
	wantA := storedA
	wantA.ResolvedAt = polls[2]
	if got := collectortest.IncidentIDs(third.Incidents); !reflect.DeepEqual(got, []string{"c", "a"}) || !reflect.DeepEqual(third.Incidents[1], wantA) {
		t.Errorf("third poll incidents %+v, want c, then a resolved now: %+v", third.Incidents, wantA)
	}
	if len(rejected) != 0 {
		t.Errorf("third poll rejected %v, want none", rejected)
	}
	for _, i := range third.Incidents {
		if r := bounds(polls[2]).Incident(&i); r != "" {
			t.Errorf("incident %s emitted with an implausible time (%s)", i.ID, r)
		}
	}
}

// Each document is capped at maxBodyBytes: padded to the cap it reads, one
// byte more fails the sync (fetch counts it too_large; decode before issue
// 10's fetch change).
func TestSyncBodyCap(t *testing.T) {
	const components = `{"components": []}`
	for _, tt := range []struct {
		size    int
		wantErr bool
	}{{maxBodyBytes, false}, {maxBodyBytes + 1, true}} {
		_, srv := startPage(t, "", collectortest.ServeJSON(`{"page": {"name": "Acme"}}`),
			collectortest.ServeJSON(components+strings.Repeat(" ", tt.size-len(components))))
		_, err := collectortest.Sync(newSource(t, srv, srv.URL, nil), nil)
		switch {
		case !tt.wantErr && err != nil:
			t.Errorf("%d bytes: %v, want the document read", tt.size, err)
		case tt.wantErr && (err == nil || !slices.Contains([]string{fetch.ReasonTooLarge, fetch.ReasonDecode}, fetch.Reason(err))):
			t.Errorf("%d bytes: error %v, want the body refused as too large", tt.size, err)
		}
	}
}
