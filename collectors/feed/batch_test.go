package feed

import (
	"reflect"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func times(ss ...string) []time.Time {
	out := make([]time.Time, len(ss))
	for i, s := range ss {
		out[i] = collectortest.UTC(s)
	}
	return out
}

func TestBuildBatchStatuspageIncidents(t *testing.T) {
	tests := []struct {
		name string
		e    entry
		want item.Incident
	}{
		{
			name: "resolved across New Year",
			e: entry{id: "i1", published: collectortest.UTC("2026-01-01T00:20:05Z"), updated: collectortest.UTC("2026-01-01T00:20:05Z"),
				body: spUpdate("Jan", 1, "00:20", "UTC", "Resolved") + spUpdate("Dec", 31, "23:55", "UTC", "Monitoring") + spUpdate("Dec", 31, "23:50", "UTC", "Investigating")},
			want: item.Incident{ID: "i1", Impact: item.ImpactNone,
				CreatedAt: collectortest.UTC("2025-12-31T23:50:00Z"), ResolvedAt: collectortest.UTC("2026-01-01T00:20:00Z"), UpdatedAt: collectortest.UTC("2026-01-01T00:20:05Z"),
				Updates: times("2026-01-01T00:20:00Z", "2025-12-31T23:55:00Z", "2025-12-31T23:50:00Z")},
		},
		{
			name: "unresolved: the last update is no resolution",
			e: entry{id: "i2", published: collectortest.UTC("2026-03-02T10:30:10Z"),
				body: spUpdate("Mar", 2, "10:30", "UTC", "Monitoring") + spUpdate("Mar", 2, "09:00", "UTC", "Resolved") + spUpdate("Mar", 2, "08:00", "UTC", "Investigating")},
			want: item.Incident{ID: "i2", Impact: item.ImpactNone,
				CreatedAt: collectortest.UTC("2026-03-02T08:00:00Z"), UpdatedAt: collectortest.UTC("2026-03-02T10:30:00Z"),
				Updates: times("2026-03-02T10:30:00Z", "2026-03-02T09:00:00Z", "2026-03-02T08:00:00Z")},
		},
		{
			name: "postmortem: resolved at the Resolved update",
			e: entry{id: "i3", published: collectortest.UTC("2026-03-05T12:00:00Z"), updated: collectortest.UTC("2026-03-05T12:00:00Z"),
				body: spUpdate("Mar", 5, "12:00", "UTC", "Postmortem") + spUpdate("Mar", 2, "09:00", "UTC", "Resolved") + spUpdate("Mar", 2, "08:00", "UTC", "Investigating")},
			want: item.Incident{ID: "i3", Impact: item.ImpactNone,
				CreatedAt: collectortest.UTC("2026-03-02T08:00:00Z"), ResolvedAt: collectortest.UTC("2026-03-02T09:00:00Z"),
				PostmortemPublishedAt: collectortest.UTC("2026-03-05T12:00:00Z"), UpdatedAt: collectortest.UTC("2026-03-05T12:00:00Z"),
				Updates: times("2026-03-05T12:00:00Z", "2026-03-02T09:00:00Z", "2026-03-02T08:00:00Z")},
		},
		{
			name: "postmortem without a Resolved update never looks open",
			e: entry{id: "i4", published: collectortest.UTC("2026-03-05T12:00:00Z"),
				body: spUpdate("Mar", 5, "12:00", "UTC", "Postmortem") + spUpdate("Mar", 2, "08:00", "UTC", "Investigating")},
			want: item.Incident{ID: "i4", Impact: item.ImpactNone,
				CreatedAt: collectortest.UTC("2026-03-02T08:00:00Z"), ResolvedAt: collectortest.UTC("2026-03-05T12:00:00Z"),
				PostmortemPublishedAt: collectortest.UTC("2026-03-05T12:00:00Z"), UpdatedAt: collectortest.UTC("2026-03-05T12:00:00Z"),
				Updates: times("2026-03-05T12:00:00Z", "2026-03-02T08:00:00Z")},
		},
		{
			name: "a page in PDT: offset learnt from the entry itself",
			e: entry{id: "i5", published: collectortest.UTC("2026-08-20T17:05:31Z"),
				body: spUpdate("Aug", 20, "10:05", "PDT", "Resolved") + spUpdate("Aug", 20, "07:43", "PDT", "Investigating")},
			want: item.Incident{ID: "i5", Impact: item.ImpactNone,
				CreatedAt: collectortest.UTC("2026-08-20T14:43:00Z"), ResolvedAt: collectortest.UTC("2026-08-20T17:05:00Z"), UpdatedAt: collectortest.UTC("2026-08-20T17:05:00Z"),
				Updates: times("2026-08-20T17:05:00Z", "2026-08-20T14:43:00Z")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, skipped := buildBatch([]entry{tt.e}, time.Time{})
			if skipped != 0 || len(b.Incidents) != 1 || len(b.Maintenances) != 0 {
				t.Fatalf("skipped %d, batch %+v: want one incident", skipped, b)
			}
			if !reflect.DeepEqual(b.Incidents[0], tt.want) {
				t.Errorf("incident\n %+v\nwant\n %+v", b.Incidents[0], tt.want)
			}
		})
	}
}

func TestBuildBatchStatuspageMaintenances(t *testing.T) {
	tests := []struct {
		name string
		e    entry
		want item.Maintenance
	}{
		{
			name: "upcoming, window on one day; RSS publishes it at its start",
			e: entry{id: "m1", published: collectortest.UTC("2026-01-16T12:00:00Z"),
				body: spSchedule(`Jan <var data-var='date'>16</var>, <var data-var='time'>12:00</var> - <var data-var='time'>16:00</var> GMT`) +
					spUpdate("Jan", 8, "16:20", "GMT", "Scheduled")},
			want: item.Maintenance{ID: "m1", CreatedAt: collectortest.UTC("2026-01-08T16:20:00Z"), UpdatedAt: collectortest.UTC("2026-01-08T16:20:00Z"),
				ScheduledFor: collectortest.UTC("2026-01-16T12:00:00Z"), ScheduledUntil: collectortest.UTC("2026-01-16T16:00:00Z")},
		},
		{
			name: "announced in December for January",
			e: entry{id: "m2", published: collectortest.UTC("2026-01-05T22:00:00Z"),
				body: spSchedule(`Jan <var data-var='date'>5</var>, <var data-var='time'>22:00</var> - Jan <var data-var='date'>6</var>, <var data-var='time'>02:00</var> UTC`) +
					spUpdate("Dec", 20, "09:00", "UTC", "Scheduled")},
			want: item.Maintenance{ID: "m2", CreatedAt: collectortest.UTC("2025-12-20T09:00:00Z"), UpdatedAt: collectortest.UTC("2025-12-20T09:00:00Z"),
				ScheduledFor: collectortest.UTC("2026-01-05T22:00:00Z"), ScheduledUntil: collectortest.UTC("2026-01-06T02:00:00Z")},
		},
		{
			name: "an end before the start is left unknown",
			e: entry{id: "m3", published: collectortest.UTC("2026-01-16T12:00:00Z"),
				body: spSchedule(`Jan <var data-var='date'>16</var>, <var data-var='time'>12:00</var> - <var data-var='time'>11:00</var> UTC`) +
					spUpdate("Jan", 8, "16:20", "UTC", "Scheduled")},
			want: item.Maintenance{ID: "m3", CreatedAt: collectortest.UTC("2026-01-08T16:20:00Z"), UpdatedAt: collectortest.UTC("2026-01-08T16:20:00Z"),
				ScheduledFor: collectortest.UTC("2026-01-16T12:00:00Z")},
		},
		{
			name: "completed, window no longer printed",
			e: entry{id: "m4", published: collectortest.UTC("2022-03-28T15:03:22Z"), updated: collectortest.UTC("2022-03-28T17:52:03Z"),
				body: spUpdate("Mar", 28, "15:03", "UTC", "Completed") + spUpdate("Mar", 28, "12:01", "UTC", "In progress") + spUpdate("Mar", 25, "15:31", "UTC", "Scheduled")},
			want: item.Maintenance{ID: "m4", CreatedAt: collectortest.UTC("2022-03-25T15:31:00Z"), UpdatedAt: collectortest.UTC("2022-03-28T17:52:03Z"),
				CompletedAt: collectortest.UTC("2022-03-28T15:03:00Z")},
		},
		{
			name: "recognized by a maintenance status alone",
			e: entry{id: "m5", published: collectortest.UTC("2022-03-28T12:01:00Z"),
				body: spUpdate("Mar", 28, "12:01", "UTC", "Verifying") + spUpdate("Mar", 28, "11:00", "UTC", "Update")},
			want: item.Maintenance{ID: "m5", CreatedAt: collectortest.UTC("2022-03-28T11:00:00Z"), UpdatedAt: collectortest.UTC("2022-03-28T12:01:00Z")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, skipped := buildBatch([]entry{tt.e}, time.Time{})
			if skipped != 0 || len(b.Maintenances) != 1 || len(b.Incidents) != 0 {
				t.Fatalf("skipped %d, batch %+v: want one maintenance", skipped, b)
			}
			if b.Maintenances[0] != tt.want {
				t.Errorf("maintenance\n %+v\nwant\n %+v", b.Maintenances[0], tt.want)
			}
		})
	}
}

// A maintenance is published at its start, not at its newest update, so
// only incidents teach a zone the name does not say (IST: India's, Ireland's
// or Israel's); a maintenance in that zone uses what they taught.
func TestBuildBatchZonesFromIncidents(t *testing.T) {
	maint := entry{id: "m", published: collectortest.UTC("2026-08-25T03:30:00Z"),
		body: spSchedule(`Aug <var data-var='date'>25</var>, <var data-var='time'>09:00</var> - <var data-var='time'>11:00</var> IST`) +
			spUpdate("Aug", 20, "08:00", "IST", "Scheduled")}
	inc := entry{id: "i", published: collectortest.UTC("2026-08-20T17:05:31Z"),
		body: spUpdate("Aug", 20, "22:35", "IST", "Resolved")}

	alone, skipped := buildBatch([]entry{maint}, time.Time{})
	if skipped != 1 || len(alone.Maintenances) != 0 {
		t.Errorf("maintenance alone: skipped %d, %+v; want it left out: IST is unproven", skipped, alone.Maintenances)
	}
	b, skipped := buildBatch([]entry{maint, inc}, time.Time{})
	want := item.Maintenance{ID: "m", CreatedAt: collectortest.UTC("2026-08-20T02:30:00Z"), UpdatedAt: collectortest.UTC("2026-08-20T02:30:00Z"),
		ScheduledFor: collectortest.UTC("2026-08-25T03:30:00Z"), ScheduledUntil: collectortest.UTC("2026-08-25T05:30:00Z")}
	if skipped != 0 || len(b.Maintenances) != 1 || b.Maintenances[0] != want {
		t.Errorf("with an incident: skipped %d, %+v; want %+v", skipped, b.Maintenances, want)
	}
}

// Abbreviations with one meaning, and numeric zone names, need no proof: a
// maintenance alone in PDT or in "+08" is placed. An incident's own date
// overrides the name for its newest update's zone: Parse's page printed
// "PST" in August, when its dates were at -07:00.
func TestBuildBatchNamedZones(t *testing.T) {
	maintenances := []entry{
		{id: "pdt", published: collectortest.UTC("2026-08-25T16:00:00Z"),
			body: spSchedule(`Aug <var data-var='date'>25</var>, <var data-var='time'>09:00</var> - <var data-var='time'>11:00</var> PDT`) +
				spUpdate("Aug", 20, "08:00", "PDT", "Scheduled")},
		{id: "+08", published: collectortest.UTC("2026-08-25T01:00:00Z"),
			body: spSchedule(`Aug <var data-var='date'>25</var>, <var data-var='time'>09:00</var> - <var data-var='time'>11:00</var> +08`) +
				spUpdate("Aug", 20, "08:00", "+08", "Scheduled")},
	}
	b, skipped := buildBatch(maintenances, time.Time{})
	want := []item.Maintenance{
		{ID: "pdt", CreatedAt: collectortest.UTC("2026-08-20T15:00:00Z"), UpdatedAt: collectortest.UTC("2026-08-20T15:00:00Z"),
			ScheduledFor: collectortest.UTC("2026-08-25T16:00:00Z"), ScheduledUntil: collectortest.UTC("2026-08-25T18:00:00Z")},
		{ID: "+08", CreatedAt: collectortest.UTC("2026-08-20T00:00:00Z"), UpdatedAt: collectortest.UTC("2026-08-20T00:00:00Z"),
			ScheduledFor: collectortest.UTC("2026-08-25T01:00:00Z"), ScheduledUntil: collectortest.UTC("2026-08-25T03:00:00Z")},
	}
	if skipped != 0 || !reflect.DeepEqual(b.Maintenances, want) {
		t.Errorf("skipped %d, maintenances %+v; want %+v", skipped, b.Maintenances, want)
	}

	// The body of status.parse.com's incident ctfv4ldyy165, published at
	// Tue, 20 Aug 2013 05:42:21 -0700.
	parse := entry{id: "p", published: collectortest.UTC("2013-08-20T12:42:21Z"),
		body: `<p><small>Aug 20, 05:42 PST</small><br><strong>Resolved</strong> - Operational issues with the platform are resolved at this time.</p>` +
			`<p><small>Aug 20, 05:13 PST</small><br><strong>Update</strong> - Most platform APIs have resumed their normal functioning.</p>` +
			`<p><small>Aug 20, 05:04 PST</small><br><strong>Investigating</strong> - We're investigating an outage.</p>`}
	b, skipped = buildBatch([]entry{parse}, time.Time{})
	wantIncident := item.Incident{ID: "p", Impact: item.ImpactNone,
		CreatedAt: collectortest.UTC("2013-08-20T12:04:00Z"), ResolvedAt: collectortest.UTC("2013-08-20T12:42:00Z"), UpdatedAt: collectortest.UTC("2013-08-20T12:42:00Z"),
		Updates: times("2013-08-20T12:42:00Z", "2013-08-20T12:13:00Z", "2013-08-20T12:04:00Z")}
	if skipped != 0 || len(b.Incidents) != 1 || !reflect.DeepEqual(b.Incidents[0], wantIncident) {
		t.Errorf("skipped %d, incidents %+v; want %+v", skipped, b.Incidents, wantIncident)
	}
}

func TestBuildBatchGenericEntries(t *testing.T) {
	tests := []struct {
		name string
		e    entry
		want item.Incident
	}{
		{
			name: "published and updated",
			e:    entry{id: "g1", published: collectortest.UTC("2026-03-02T08:00:00Z"), updated: collectortest.UTC("2026-03-02T09:30:00Z"), body: "<p>We are investigating.</p>"},
			want: item.Incident{ID: "g1", Impact: item.ImpactNone, CreatedAt: collectortest.UTC("2026-03-02T08:00:00Z"), UpdatedAt: collectortest.UTC("2026-03-02T09:30:00Z"),
				Updates: times("2026-03-02T08:00:00Z", "2026-03-02T09:30:00Z"), ResolutionUnknown: true},
		},
		{
			name: "updated only",
			e:    entry{id: "g2", updated: collectortest.UTC("2026-03-02T09:30:00Z")},
			want: item.Incident{ID: "g2", Impact: item.ImpactNone, CreatedAt: collectortest.UTC("2026-03-02T09:30:00Z"), UpdatedAt: collectortest.UTC("2026-03-02T09:30:00Z"),
				Updates: times("2026-03-02T09:30:00Z"), ResolutionUnknown: true},
		},
		{
			name: "updated before published: the earlier is the first post",
			e:    entry{id: "g3", published: collectortest.UTC("2026-03-02T09:30:00Z"), updated: collectortest.UTC("2026-03-02T08:00:00Z")},
			want: item.Incident{ID: "g3", Impact: item.ImpactNone, CreatedAt: collectortest.UTC("2026-03-02T08:00:00Z"), UpdatedAt: collectortest.UTC("2026-03-02T09:30:00Z"),
				Updates: times("2026-03-02T08:00:00Z", "2026-03-02T09:30:00Z"), ResolutionUnknown: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, skipped := buildBatch([]entry{tt.e}, time.Time{})
			if skipped != 0 || len(b.Incidents) != 1 || !reflect.DeepEqual(b.Incidents[0], tt.want) {
				t.Errorf("skipped %d, incidents %+v; want %+v", skipped, b.Incidents, tt.want)
			}
		})
	}
}

func TestBuildBatchLeavesOut(t *testing.T) {
	ok := spUpdate("Mar", 2, "08:00", "UTC", "Investigating")
	tests := []struct {
		name string
		e    entry
	}{
		{"no id", entry{published: collectortest.UTC("2026-03-02T08:00:00Z")}},
		{"generic entry without a date", entry{id: "g", body: "<p>Resolved.</p>"}},
		{"Statuspage entry without a date to place its updates", entry{id: "s", body: ok}},
		{"Statuspage entry with an unreadable update", entry{id: "s", published: collectortest.UTC("2026-03-02T08:00:00Z"),
			body: ok + `<p><small>2 March, 07:00 UTC</small><br><strong>Investigating</strong></p>`}},
		{"Statuspage update in a zone the feed does not prove (WIB; JST is named)", entry{id: "s", published: collectortest.UTC("2026-03-02T08:00:00Z"),
			body: spUpdate("Mar", 2, "17:00", "JST", "Investigating") + spUpdate("Mar", 2, "14:00", "WIB", "Investigating")}},
		{"Statuspage entry on Feb 29 of no nearby year", entry{id: "s", published: collectortest.UTC("2026-03-02T08:00:00Z"),
			body: spUpdate("Feb", 29, "08:00", "UTC", "Investigating")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, skipped := buildBatch([]entry{tt.e}, time.Time{})
			if skipped != 1 || len(b.Incidents)+len(b.Maintenances) != 0 {
				t.Errorf("skipped %d, batch %+v; want the entry left out and counted", skipped, b)
			}
		})
	}
}

func TestBuildBatchDuplicateIDs(t *testing.T) {
	older := entry{id: "x", published: collectortest.UTC("2026-03-02T08:00:00Z"), body: spUpdate("Mar", 2, "08:00", "UTC", "Investigating")}
	newer := entry{id: "x", published: collectortest.UTC("2026-03-02T09:00:00Z"),
		body: spUpdate("Mar", 2, "09:00", "UTC", "Resolved") + spUpdate("Mar", 2, "08:00", "UTC", "Investigating")}
	sameDate := entry{id: "x", published: collectortest.UTC("2026-03-02T09:00:00Z"), body: spUpdate("Mar", 2, "09:00", "UTC", "Monitoring")}
	other := entry{id: "y", published: collectortest.UTC("2026-03-01T00:00:00Z")}

	tests := []struct {
		name         string
		entries      []entry
		wantIDs      []string
		wantResolved time.Time // of x
	}{
		{"newer listed later wins", []entry{older, other, newer}, []string{"x", "y"}, collectortest.UTC("2026-03-02T09:00:00Z")},
		{"older listed later loses", []entry{newer, older}, []string{"x"}, collectortest.UTC("2026-03-02T09:00:00Z")},
		{"on a tie the first listed stays", []entry{newer, sameDate}, []string{"x"}, collectortest.UTC("2026-03-02T09:00:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := buildBatch(tt.entries, time.Time{})
			var ids []string
			for _, inc := range b.Incidents {
				ids = append(ids, inc.ID)
			}
			if !reflect.DeepEqual(ids, tt.wantIDs) {
				t.Fatalf("ids = %v, want %v", ids, tt.wantIDs)
			}
			if got := b.Incidents[0].ResolvedAt; !got.Equal(tt.wantResolved) {
				t.Errorf("x resolved at %v, want %v", got, tt.wantResolved)
			}
		})
	}
}

func TestBuildBatchHistoryStart(t *testing.T) {
	entries := []entry{
		{id: "early", published: collectortest.UTC("2025-12-31T23:59:59Z")},
		{id: "on-time", published: collectortest.UTC("2026-01-01T00:00:00Z")},
		// first post before the start, though published after it
		{id: "early-sp", published: collectortest.UTC("2026-01-01T00:20:05Z"),
			body: spUpdate("Jan", 1, "00:20", "UTC", "Resolved") + spUpdate("Dec", 31, "23:50", "UTC", "Investigating")},
		{id: "early-m", published: collectortest.UTC("2026-01-05T00:00:00Z"), body: spUpdate("Dec", 1, "00:00", "UTC", "Scheduled")},
	}
	b, skipped := buildBatch(entries, collectortest.UTC("2026-01-01T00:00:00Z"))
	if skipped != 0 || len(b.Incidents) != 1 || b.Incidents[0].ID != "on-time" || len(b.Maintenances) != 0 {
		t.Errorf("skipped %d, batch %+v; want only on-time, nothing counted as skipped", skipped, b)
	}
}
