package feed

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// spUpdate writes one update paragraph the way Statuspage's history feeds
// do (compare testdata/githubstatus_history_2025-10-21.atom).
func spUpdate(month string, day int, clock, zone, status string) string {
	return fmt.Sprintf(`<p><small>%s <var data-var='date'>%2d</var>, <var data-var='time'>%s</var> %s</small><br><strong>%s</strong> - Text with <strong>bold</strong> words.</p>`,
		month, day, clock, zone, status)
}

// spSchedule writes the scheduled-event line of an upcoming maintenance
// (compare testdata/govuk-status-history-2024-01-08-scheduled-maintenance.rss).
func spSchedule(window string) string {
	return `<p><strong>THIS IS A SCHEDULED EVENT ` + window + `</strong></p>`
}

func TestParseBody(t *testing.T) {
	oct21 := func(clock string, status string) bodyUpdate {
		w, _ := parseWall("Oct 21, " + clock + " UTC")
		return bodyUpdate{at: w, status: status}
	}
	tests := []struct {
		name    string
		body    string
		want    statuspageBody
		found   bool
		wantErr bool
	}{
		{
			name: "update list, newest first",
			body: spUpdate("Oct", 21, "17:39", "UTC", "Resolved") + spUpdate("Oct", 21, "16:00", "UTC", "Investigating"),
			want: statuspageBody{updates: []bodyUpdate{oct21("17:39", "Resolved"), oct21("16:00", "Investigating")}}, found: true,
		},
		{
			name: "2026 layout with spaces inside the paragraphs",
			body: `<p> <small>Oct <var data-var='date'>21</var>, <var data-var='time'>16:00</var> UTC</small><br> <strong>In progress</strong> - Work. </p> `,
			want: statuspageBody{updates: []bodyUpdate{oct21("16:00", "In progress")}}, found: true,
		},
		{
			name: "an update without a status keeps its time",
			body: `<p><small>Oct <var data-var='date'>21</var>, <var data-var='time'>16:00</var> UTC</small><br>Text only.</p>` + spUpdate("Oct", 21, "15:00", "UTC", "Investigating"),
			want: statuspageBody{updates: []bodyUpdate{oct21("16:00", ""), oct21("15:00", "Investigating")}}, found: true,
		},
		{
			name: "scheduled event, end on the same day",
			body: spSchedule(`Jan <var data-var='date'>16</var>, <var data-var='time'>12:00</var> - <var data-var='time'>16:00</var> GMT`) + spUpdate("Jan", 8, "16:20", "GMT", "Scheduled"),
			want: statuspageBody{
				updates:        []bodyUpdate{{at: wall{month: time.January, day: 8, hour: 16, minute: 20, zone: "GMT"}, status: "Scheduled"}},
				scheduledEvent: true,
				window: &window{
					start:  wall{month: time.January, day: 16, hour: 12, zone: "GMT"},
					end:    wall{hour: 16, zone: "GMT"},
					hasEnd: true,
				},
			},
			found: true,
		},
		{
			name: "scheduled event ending on another day",
			body: spSchedule(`Jan <var data-var='date'>16</var>, <var data-var='time'>22:00</var> - Jan <var data-var='date'>17</var>, <var data-var='time'>02:00</var> UTC`) + spUpdate("Jan", 8, "16:20", "UTC", "Scheduled"),
			want: statuspageBody{
				updates:        []bodyUpdate{{at: wall{month: time.January, day: 8, hour: 16, minute: 20, zone: "UTC"}, status: "Scheduled"}},
				scheduledEvent: true,
				window: &window{
					start:  wall{month: time.January, day: 16, hour: 22, zone: "UTC"},
					end:    wall{month: time.January, day: 17, hour: 2, zone: "UTC"},
					hasEnd: true,
				},
			},
			found: true,
		},
		{
			name: "unreadable scheduled event still marks a maintenance",
			body: spSchedule(`soon`) + spUpdate("Jan", 8, "16:20", "UTC", "Scheduled"),
			want: statuspageBody{
				updates:        []bodyUpdate{{at: wall{month: time.January, day: 8, hour: 16, minute: 20, zone: "UTC"}, status: "Scheduled"}},
				scheduledEvent: true,
			},
			found: true,
		},
		{
			name: "2014 layout without the markup, padded day (testdata/parse-status-history-2014-01-09.rss)",
			body: `<p><small>Jan  1, 09:09 PST</small><br><strong>Resolved</strong> - We have restored the system.</p>` +
				`<p><small>Jan  1, 08:17 PST</small><br><strong>Investigating</strong> - We are currently investigating.</p>      `,
			want: statuspageBody{updates: []bodyUpdate{
				{at: wall{month: time.January, day: 1, hour: 9, minute: 9, zone: "PST"}, status: "Resolved"},
				{at: wall{month: time.January, day: 1, hour: 8, minute: 17, zone: "PST"}, status: "Investigating"},
			}},
			found: true,
		},
		{
			name:  "2014 layout with an update time that does not read",
			body:  `<p><small>Jan  1, 09:09 PST</small><br><strong>Resolved</strong> - Done.</p><p><small>New Year's Day</small><br><strong>Investigating</strong></p>`,
			found: true, wantErr: true,
		},
		{
			name: "a status is paired only with the time in its paragraph",
			body: `<p><strong>Resolved</strong> - Done.</p><small>Jan  1, 09:09 PST</small><p><strong>Investigating</strong> - Looking.</p><small>Jan  1, 08:17 PST</small>`,
		},
		{
			name: "no Statuspage status: another vendor's small print",
			body: `<p><small>Jan  1, 09:09 PST</small><br><strong>Heads up</strong> - Something.</p>`,
		},
		{
			name: "no Statuspage markup (Google Cloud's summary)",
			body: `<p> Incident began at <strong>2022-03-31 08:30</strong> and ended at <strong>2022-03-31 15:54</strong></p>`,
		},
		{
			name: "small text without the markup is no update list",
			body: `<p><small>posted by ops</small> <strong>Resolved</strong></p>`,
		},
		{
			name: "plain text", body: "The issue has been resolved.",
		},
		{
			name:  "markup with an update time that does not read",
			body:  `<p><small>21 October, 17:39 UTC</small><br><strong>Resolved</strong><var data-var='date'>21</var></p>`,
			found: true, wantErr: true,
		},
		{
			name:  "update time without a zone",
			body:  `<p><small>Oct <var data-var='date'>21</var>, <var data-var='time'>17:39</var></small><br><strong>Resolved</strong></p>`,
			found: true, wantErr: true,
		},
		{
			name:  "markup but no update list",
			body:  `<p>Starts <var data-var='time'>17:39</var></p>`,
			found: true, wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := parseBody(tt.body)
			if found != tt.found || (err != nil) != tt.wantErr {
				t.Fatalf("found, err = %v, %v; want %v, error %v", found, err, tt.found, tt.wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("body = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
