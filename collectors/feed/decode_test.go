package feed

import (
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func findIncident(b item.Batch, id string) (item.Incident, bool) {
	for _, inc := range b.Incidents {
		if inc.ID == id {
			return inc, true
		}
	}
	return item.Incident{}, false
}

func findMaintenance(b item.Batch, id string) (item.Maintenance, bool) {
	for _, m := range b.Maintenances {
		if m.ID == id {
			return m, true
		}
	}
	return item.Maintenance{}, false
}

// wantIncident is what a test checks of one incident; every value was read
// in the file.
type wantIncident struct {
	id                           string
	created, resolved, updatedAt time.Time
	updates                      int
}

type wantMaintenance struct {
	id                                     string
	created, scheduledFor, until, complete time.Time
}

// TestDecodeRealFeeds decodes every capture in testdata and checks values
// read in the files by hand.
func TestDecodeRealFeeds(t *testing.T) {
	const gh = "tag:www.githubstatus.com,2005:Incident/"
	tests := []struct {
		file                    string
		incidents, maintenances int
		someIncidents           []wantIncident
		someMaintenances        []wantMaintenance
	}{
		{
			file:      "githubstatus_history_2025-10-21.atom",
			incidents: 3,
			someIncidents: []wantIncident{
				{gh + "26837586", collectortest.UTC("2025-10-21T16:00:00Z"), collectortest.UTC("2025-10-21T17:39:00Z"), collectortest.UTC("2025-10-21T17:39:34Z"), 6},
				// updated (20:25:22 the next day) is later than its last update
				{gh + "26820913", collectortest.UTC("2025-10-20T14:46:00Z"), collectortest.UTC("2025-10-20T16:40:00Z"), collectortest.UTC("2025-10-21T20:25:22Z"), 5},
			},
		},
		{
			file:      "githubstatus-history-2022-06-11.atom",
			incidents: 20, maintenances: 5,
			someIncidents: []wantIncident{
				{gh + "10086238", collectortest.UTC("2022-05-27T07:36:00Z"), collectortest.UTC("2022-05-27T08:57:00Z"), collectortest.UTC("2022-05-27T08:57:55Z"), 11},
				// spans midnight: Apr 13 20:35 to Apr 14 01:28
				{gh + "9778392", collectortest.UTC("2022-04-13T20:35:00Z"), collectortest.UTC("2022-04-14T01:28:00Z"), collectortest.UTC("2022-04-14T01:28:12Z"), 6},
			},
			someMaintenances: []wantMaintenance{
				// Scheduled Mar 25 15:31, In progress Mar 28 12:01, Completed Mar 28 15:03;
				// completed maintenances no longer print their window.
				{gh + "9629077", collectortest.UTC("2022-03-25T15:31:00Z"), time.Time{}, time.Time{}, collectortest.UTC("2022-03-28T15:03:00Z")},
				{gh + "9978751", collectortest.UTC("2022-05-12T21:11:00Z"), time.Time{}, time.Time{}, collectortest.UTC("2022-05-16T21:00:00Z")},
			},
		},
		{
			file:      "githubstatus-history-2026-08-22.atom",
			incidents: 25,
			someIncidents: []wantIncident{
				{gh + "31193766", collectortest.UTC("2026-08-17T13:40:00Z"), collectortest.UTC("2026-08-17T21:15:00Z"), collectortest.UTC("2026-08-18T19:21:36Z"), 36},
				{gh + "31233568", collectortest.UTC("2026-08-20T14:43:00Z"), collectortest.UTC("2026-08-21T00:37:00Z"), collectortest.UTC("2026-08-21T00:37:20Z"), 12},
			},
		},
		{
			file:         "govuk-status-history-2024-01-08-scheduled-maintenance.rss",
			maintenances: 1,
			someMaintenances: []wantMaintenance{
				// The body's window (Jan 16, 12:00 - 16:00 GMT) agrees with the
				// item's pubDate and maintenanceEndDate.
				{"https://status.publishing.service.gov.uk/incidents/cnntrg2j816c",
					collectortest.UTC("2024-01-08T16:20:00Z"), collectortest.UTC("2024-01-16T12:00:00Z"), collectortest.UTC("2024-01-16T16:00:00Z"), time.Time{}},
			},
		},
		{
			file:      "parse-status-history-2014-01-09.rss",
			incidents: 17,
			someIncidents: []wantIncident{
				// Jan  1, 08:17 to 09:09 PST; published 09:09:00 -0800.
				{"http://status.parse.com/incidents/lzf7mjchpy20", collectortest.UTC("2014-01-01T16:17:00Z"), collectortest.UTC("2014-01-01T17:09:00Z"), collectortest.UTC("2014-01-01T17:09:00Z"), 3},
				// Aug 20, 12:18 to 12:56 "PST", published 12:56:55 -0700:
				// the page printed PST in summer too.
				{"http://status.parse.com/incidents/jpt6slzfdvjv", collectortest.UTC("2013-08-20T19:18:00Z"), collectortest.UTC("2013-08-20T19:56:00Z"), collectortest.UTC("2013-08-20T19:56:00Z"), 2},
				// Resolved Dec 24, 11:21 PST; the postmortem of Dec 26, 10:22
				// PST is listed first, two days after the published date.
				{"http://status.parse.com/incidents/p9hy357zjvb3", collectortest.UTC("2013-12-24T16:58:00Z"), collectortest.UTC("2013-12-24T19:21:00Z"), collectortest.UTC("2013-12-26T18:22:00Z"), 3},
			},
		},
		{
			file:      "aws-status-rss-2021-12-20-pst.rss",
			incidents: 2,
			someIncidents: []wantIncident{
				// 12:16:32 PST; the guid's suffix is the same instant in Unix seconds (1639599392).
				{"http://status.aws.amazon.com/#internetconnectivity-us-gov-west-1_1639599392",
					collectortest.UTC("2021-12-15T20:16:32Z"), time.Time{}, collectortest.UTC("2021-12-15T20:16:32Z"), 1},
				{"http://status.aws.amazon.com/#internetconnectivity-us-gov-west-1_1639584617",
					collectortest.UTC("2021-12-15T16:10:17Z"), time.Time{}, collectortest.UTC("2021-12-15T16:10:17Z"), 1},
			},
		},
		{
			file:      "google-cloud-status-2022-04-01.atom",
			incidents: 1,
			someIncidents: []wantIncident{
				{"tag:status.cloud.google.com,2022:feed:B1hD4KAtcxiyAWkcANfV.T3VTiKN96GAYJ2R68X6b",
					collectortest.UTC("2022-04-01T20:13:25Z"), time.Time{}, collectortest.UTC("2022-04-01T20:13:25Z"), 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			entries, err := decodeFeed(collectortest.Testdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			b, skipped := buildBatch(entries, time.Time{})
			if skipped != 0 || len(b.Incidents) != tt.incidents || len(b.Maintenances) != tt.maintenances {
				t.Fatalf("skipped/incidents/maintenances = %d/%d/%d, want 0/%d/%d",
					skipped, len(b.Incidents), len(b.Maintenances), tt.incidents, tt.maintenances)
			}
			if b.Components != nil || b.Cursor != nil {
				t.Errorf("components %v, cursor %q: want both nil (a feed lists no components)", b.Components, b.Cursor)
			}
			for _, inc := range b.Incidents {
				if inc.Impact != item.ImpactNone || !inc.StartedAt.IsZero() || inc.Components != nil {
					t.Errorf("%s: impact %q, started %v, components %v: a feed gives none", inc.ID, inc.Impact, inc.StartedAt, inc.Components)
				}
			}
			for _, w := range tt.someIncidents {
				inc, ok := findIncident(b, w.id)
				switch {
				case !ok:
					t.Errorf("incident %s missing", w.id)
				case !inc.CreatedAt.Equal(w.created) || !inc.ResolvedAt.Equal(w.resolved) || !inc.UpdatedAt.Equal(w.updatedAt) || len(inc.Updates) != w.updates:
					t.Errorf("%s: created %v resolved %v updated %v, %d updates; want %v %v %v, %d",
						w.id, inc.CreatedAt, inc.ResolvedAt, inc.UpdatedAt, len(inc.Updates), w.created, w.resolved, w.updatedAt, w.updates)
				}
			}
			for _, w := range tt.someMaintenances {
				m, ok := findMaintenance(b, w.id)
				switch {
				case !ok:
					t.Errorf("maintenance %s missing", w.id)
				case !m.CreatedAt.Equal(w.created) || !m.ScheduledFor.Equal(w.scheduledFor) || !m.ScheduledUntil.Equal(w.until) || !m.CompletedAt.Equal(w.complete):
					t.Errorf("%s: %+v, want created %v, scheduled %v-%v, completed %v", w.id, m, w.created, w.scheduledFor, w.until, w.complete)
				}
			}
		})
	}
}

// rssItem is an RSS document with one item dated pubDate.
func rssItem(pubDate string) string {
	return `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><guid>g1</guid><pubDate>` + pubDate + `</pubDate><description>x</description></item></channel></rss>`
}

func TestDecodeDates(t *testing.T) {
	tests := []struct {
		pubDate string
		want    time.Time // zero: not trusted
	}{
		{"Wed, 15 Dec 2021 12:16:32 PST", collectortest.UTC("2021-12-15T20:16:32Z")},
		{"Wed, 15 Dec 2021 12:16:32 GMT", collectortest.UTC("2021-12-15T12:16:32Z")},
		{"Wed, 15 Dec 2021 12:16:32 +0900", collectortest.UTC("2021-12-15T03:16:32Z")},
		{"Wed, 15 Dec 2021 12:16:32 +0000", collectortest.UTC("2021-12-15T12:16:32Z")},
		{"2021-12-15T12:16:32Z", collectortest.UTC("2021-12-15T12:16:32Z")},
		{"Wed, 15 Dec 2021 12:16:32 JST", time.Time{}}, // gofeed would read it as UTC
		{"yesterday", time.Time{}},
	}
	for _, tt := range tests {
		entries, err := decodeFeed([]byte(rssItem(tt.pubDate)))
		if err != nil {
			t.Fatalf("%s: %v", tt.pubDate, err)
		}
		if len(entries) != 1 || !entries[0].published.Equal(tt.want) {
			t.Errorf("%s: entries %+v, want published %v", tt.pubDate, entries, tt.want)
		}
	}
}

func TestDecodeEntryFields(t *testing.T) {
	const doc = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><link> https://status.example/incidents/1 </link><description>only a link</description></item>
<item><guid> g2 </guid><link>https://status.example/incidents/2</link><description>d</description></item>
<item><description>neither</description></item>
</channel></rss>`
	entries, err := decodeFeed([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var ids, bodies []string
	for _, e := range entries {
		ids, bodies = append(ids, e.id), append(bodies, e.body)
	}
	if got := strings.Join(ids, "|"); got != "https://status.example/incidents/1|g2|" {
		t.Errorf("ids = %q", got)
	}
	if got := strings.Join(bodies, "|"); got != "only a link|d|neither" {
		t.Errorf("bodies = %q", got)
	}
}

func TestDecodeRefusesOtherDocuments(t *testing.T) {
	tests := map[string]string{
		"HTML error page":     `<!DOCTYPE html><html><title>Down</title></html>`,
		"Statuspage JSON API": `{"page": {"id": "kctbh9vrtdwd"}, "incidents": []}`,
		"JSON Feed":           `{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": []}`,
		"truncated Atom":      `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><title>`,
		"empty":               ``,
	}
	for name, body := range tests {
		if entries, err := decodeFeed([]byte(body)); err == nil {
			t.Errorf("%s: decoded %d entries, want an error", name, len(entries))
		}
	}
}

// Parse's 2014 feed publishes each incident when it was resolved: every
// incident read from it is resolved at its item's pubDate (to the minute),
// winter (-0800) and summer (-0700) alike, though every update is printed
// "PST". The one postmortem is read too.
func TestDecodeParse2014(t *testing.T) {
	entries, err := decodeFeed(collectortest.Testdata(t, "parse-status-history-2014-01-09.rss"))
	if err != nil {
		t.Fatal(err)
	}
	b, skipped := buildBatch(entries, time.Time{})
	if skipped != 0 || len(b.Incidents) != len(entries) {
		t.Fatalf("%d entries gave %d incidents, %d skipped", len(entries), len(b.Incidents), skipped)
	}
	for i, inc := range b.Incidents {
		if want := entries[i].published.Truncate(time.Minute); !inc.ResolvedAt.Equal(want) {
			t.Errorf("%s resolved at %v, want %v, its pubDate", inc.ID, inc.ResolvedAt, want)
		}
		if inc.ResolutionUnknown {
			t.Errorf("%s read as a generic entry", inc.ID)
		}
	}
	pm, _ := findIncident(b, "http://status.parse.com/incidents/p9hy357zjvb3")
	if want := collectortest.UTC("2013-12-26T18:22:00Z"); !pm.PostmortemPublishedAt.Equal(want) {
		t.Errorf("postmortem published at %v, want %v", pm.PostmortemPublishedAt, want)
	}
}
