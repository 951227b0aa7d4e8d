package simulator

import (
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"
)

// spConditional fetches path of vendor's status page with the given
// request headers.
func spConditional(t *testing.T, s *Sim, path string, h http.Header) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL("acme", KindStatuspage)+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, body}
}

// The page answers conditional requests as the real one does
// (statuspage_conditional.go): a weak ETag of 32 hex digits and the real
// Cache-Control, no Last-Modified; 304 without a body when If-None-Match
// is the ETag, a full answer with a new ETag once anything changed;
// If-Modified-Since alone never earns a 304.
func TestStatuspageConditional(t *testing.T) {
	c := newClock(testStart)
	v := vendor("acme", Persona{}, 10)
	v.OpenAtStart = true
	s := startSim(t, c, Options{Seed: 9, Vendors: []Vendor{v}})
	weak := regexp.MustCompile(`^W/"[0-9a-f]{32}"$`)
	for _, path := range []string{"/api/v2/summary.json", "/api/v2/incidents.json", "/api/v2/scheduled-maintenances.json",
		"/api/v2/status.json", "/api/v2/components.json", "/api/v2/incidents/unresolved.json"} {
		c.Set(testStart)
		full := spConditional(t, s, path, http.Header{})
		etag := full.header.Get("ETag")
		if full.status != http.StatusOK || !weak.MatchString(etag) || full.header.Get("Last-Modified") != "" ||
			full.header.Get("Cache-Control") != statuspageCacheControl {
			t.Fatalf("%s: %d, ETag %q, Last-Modified %q, Cache-Control %q; want 200, a weak ETag, no Last-Modified, the real Cache-Control",
				path, full.status, etag, full.header.Get("Last-Modified"), full.header.Get("Cache-Control"))
		}
		same := spConditional(t, s, path, http.Header{"If-None-Match": {etag}})
		if same.status != http.StatusNotModified || len(same.body) != 0 || same.header.Get("ETag") != etag || same.header.Get("Content-Type") != "" {
			t.Errorf("%s with its ETag: %d, %d bytes, ETag %q, Content-Type %q; want 304, no body, the same ETag, no Content-Type",
				path, same.status, len(same.body), same.header.Get("ETag"), same.header.Get("Content-Type"))
		}
		// Rack compares the strings: the strong form of a weak tag, or a
		// list of tags, is another tag.
		for _, other := range []string{etag[2:], etag + `, "x"`} {
			if r := spConditional(t, s, path, http.Header{"If-None-Match": {other}}); r.status != http.StatusOK {
				t.Errorf("%s with If-None-Match %s: %d, want 200", path, other, r.status)
			}
		}
		since := spConditional(t, s, path, http.Header{"If-Modified-Since": {testStart.Add(time.Hour).Format(http.TimeFormat)}})
		if since.status != http.StatusOK {
			t.Errorf("%s with If-Modified-Since alone: %d, want 200 (the page sends no Last-Modified)", path, since.status)
		}
		// Three days on, the open incident is resolved: every list shows it.
		c.Set(testStart.Add(3 * 24 * time.Hour))
		later := spConditional(t, s, path, http.Header{"If-None-Match": {etag}})
		if later.status != http.StatusOK || later.header.Get("ETag") == etag {
			t.Errorf("%s three days later with the old ETag: %d, ETag %q; want 200 and a new ETag", path, later.status, later.header.Get("ETag"))
		}
	}
}
