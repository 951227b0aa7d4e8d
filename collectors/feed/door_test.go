package feed

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
)

// atomEntry is a Statuspage history entry (compare
// testdata/githubstatus_history_2025-10-21.atom) whose one update, in UTC,
// is at, published then.
func atomEntry(id string, at time.Time) string {
	body := spUpdate(at.Format("Jan"), at.Day(), at.Format("15:04"), "UTC", "Investigating")
	stamp := at.Format(time.RFC3339)
	return fmt.Sprintf(`<entry><id>tag:status.example,2005:Incident/%[1]s</id><published>%[2]s</published><updated>%[2]s</updated>`+
		`<title>Incident %[1]s</title><content type="html">%[3]s</content></entry>`, id, stamp, htmlEscaper.Replace(body))
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// The feed keeps no cursor but its validators, and an item's time must not
// freeze them: an incident refused for a time ahead of the clock leaves the
// next request unconditional, so that the incident is stored once the clock
// reaches it, and a Last-Modified in the future is never sent back. Items
// refused for a time before any vendor recorded it are counted and change
// nothing.
func TestSyncDoor(t *testing.T) {
	now := collectortest.UTC("2026-03-02T12:00:00Z")
	clock := func() time.Time { return now }
	ahead := now.Add(2 * time.Hour) // beyond the hour of skew allowed
	f := &fakeFeed{path: "/history.atom", contentType: atomType,
		body: `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Example Status</title>` +
			atomEntry("plausible", now.Add(-time.Hour)) + atomEntry("ahead", ahead) + atomEntry("past", collectortest.UTC("1990-03-02T12:00:00Z")) + `</feed>`,
		etag: `W/"e1"`, lastModified: "Thu, 01 Jan 2099 00:00:00 GMT"}
	srv := startFeed(t, f)
	env := collectortest.Env("feed", srv.URL+"/history.atom", srv.Client())
	env.Now = clock
	env.Bounds = door.Bounds{NotBefore: collectortest.UTC("2000-01-01T00:00:00Z"), MaxSkew: time.Hour, Now: clock}
	var rejected []string
	env.Reject = func(reason string) { rejected = append(rejected, reason) }
	s := collectortest.NewSource(t, New, env)
	const tag = "tag:status.example,2005:Incident/"

	for i, want := range [][]string{{tag + "plausible"}, {tag + "plausible"}} {
		rejected = nil
		batches, err := collectortest.Sync(s, nil)
		if err != nil || len(batches) != 1 {
			t.Fatalf("sync %d: %d batches, %v", i+1, len(batches), err)
		}
		if got := collectortest.IncidentIDs(batches[0].Incidents); !reflect.DeepEqual(got, want) || batches[0].Incidents[0].ResolutionUnknown {
			t.Errorf("sync %d: incidents %+v, want %v read from Statuspage bodies", i+1, batches[0].Incidents, want)
		}
		if w := []string{door.ReasonFuture, door.ReasonPast}; !reflect.DeepEqual(rejected, w) {
			t.Errorf("sync %d: rejected %v, want %v", i+1, rejected, w)
		}
		if r := f.request(t, i); r.Header.Get("If-None-Match")+r.Header.Get("If-Modified-Since") != "" {
			t.Errorf("request %d was conditional (%v): a refused future item keeps the body from counting as stored", i+1, r.Header)
		}
	}

	now = ahead // the clock has reached the incident
	rejected = nil
	batches, err := collectortest.Sync(s, nil)
	if err != nil || len(batches) != 1 {
		t.Fatalf("sync 3: %d batches, %v", len(batches), err)
	}
	if got, want := collectortest.IncidentIDs(batches[0].Incidents), []string{tag + "plausible", tag + "ahead"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sync 3: incidents %v, want %v", got, want)
	}
	if want := []string{door.ReasonPast}; !reflect.DeepEqual(rejected, want) {
		t.Errorf("sync 3: rejected %v, want %v", rejected, want)
	}

	batches, err = collectortest.Sync(s, nil)
	if err != nil || len(batches) != 0 {
		t.Fatalf("sync 4: %d batches, %v; want a 304 and none", len(batches), err)
	}
	if r := f.request(t, 3); r.Header.Get("If-None-Match") != `W/"e1"` || r.Header.Get("If-Modified-Since") != "" {
		t.Errorf("request 4 headers %v, want the ETag and no If-Modified-Since in 2099", r.Header)
	}
}

// A feed's body is capped at maxBodyBytes: padded to the cap it reads, one
// byte more fails the sync (fetch counts it too_large; decode before issue
// 10's fetch change).
func TestSyncBodyCap(t *testing.T) {
	const doc = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>`
	for _, tt := range []struct {
		size    int
		wantErr bool
	}{{maxBodyBytes, false}, {maxBodyBytes + 1, true}} {
		f := &fakeFeed{path: "/feed.rss", contentType: rssType, body: doc + strings.Repeat(" ", tt.size-len(doc))}
		srv := startFeed(t, f)
		_, err := collectortest.Sync(newSource(t, srv, srv.URL+"/feed.rss", nil), nil)
		switch {
		case !tt.wantErr && err != nil:
			t.Errorf("%d bytes: %v, want the feed read", tt.size, err)
		case tt.wantErr && (err == nil || !slices.Contains([]string{fetch.ReasonTooLarge, fetch.ReasonDecode}, fetch.Reason(err))):
			t.Errorf("%d bytes: error %v, want the body refused as too large", tt.size, err)
		}
	}
}
