package feed

import (
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestTitlesFromRealFeeds: an entry's title is its item's title, for a
// Statuspage body (incident and maintenance) and a generic entry alike,
// as read in the files by hand.
func TestTitlesFromRealFeeds(t *testing.T) {
	const gh = "tag:www.githubstatus.com,2005:Incident/"
	tests := []struct {
		file, id, want string
		maintenance    bool
	}{
		{"githubstatus-history-2022-06-11.atom", gh + "10086238",
			"Incident with GitHub Actions, API Requests, Codespaces, Git Operations, Issues, GitHub Packages, GitHub Pages, Pull Requests, and Webhooks", false},
		{"githubstatus-history-2022-06-11.atom", gh + "9629077", "Scheduled Maintenance for GitHub Actions", true},
		{"google-cloud-status-2022-04-01.atom", "tag:status.cloud.google.com,2022:feed:B1hD4KAtcxiyAWkcANfV.T3VTiKN96GAYJ2R68X6b",
			"RESOLVED: Global: Cloud Monitoring Metrics may be unavailable or underreported for Cloud Pub/Sub", false},
		{"aws-status-rss-2021-12-20-pst.rss", "http://status.aws.amazon.com/#internetconnectivity-us-gov-west-1_1639599392",
			"Service is operating normally: [RESOLVED] Internet Connectivity", false},
	}
	for _, tt := range tests {
		entries, err := decodeFeed(collectortest.Testdata(t, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := buildBatch(entries, time.Time{})
		var got string
		var ok bool
		if tt.maintenance {
			var m item.Maintenance
			m, ok = findMaintenance(b, tt.id)
			got = m.Title
		} else {
			var inc item.Incident
			inc, ok = findIncident(b, tt.id)
			got = inc.Title
		}
		if !ok || got != tt.want {
			t.Errorf("%s %s: title %q (found %v), want %q", tt.file, tt.id, got, ok, tt.want)
		}
	}
}

// TestTitleCleaned: a feed's title is vendor input: its line breaks and
// tabs fold, its bidirectional controls go, and it is capped (item.CleanTitle).
func TestTitleCleaned(t *testing.T) {
	long := strings.Repeat("x", 2*item.MaxTitleBytes)
	doc := `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><guid>g1</guid><title>  Login
	errors&#x9;&#x202e;now&#x202c; </title><pubDate>Mon, 20 Dec 2021 10:00:00 GMT</pubDate><description>x</description></item>
<item><guid>g2</guid><title>` + long + `</title><pubDate>Mon, 20 Dec 2021 11:00:00 GMT</pubDate><description>x</description></item>
</channel></rss>`
	entries, err := decodeFeed([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := buildBatch(entries, time.Time{})
	if inc, _ := findIncident(b, "g1"); inc.Title != "Login errors now" {
		t.Errorf("title %q, want %q", inc.Title, "Login errors now")
	}
	if inc, _ := findIncident(b, "g2"); len(inc.Title) != item.MaxTitleBytes || !strings.HasSuffix(inc.Title, "…") {
		t.Errorf("long title: %d bytes %q, want %d ending in …", len(inc.Title), inc.Title, item.MaxTitleBytes)
	}
}
