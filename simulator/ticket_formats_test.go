package simulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// ticketSim is a vendor whose tickets get reopened, escalated and rated,
// served as of testStart, with its truth then.
func ticketSim(t *testing.T) (*Sim, Truth) {
	t.Helper()
	s := startSim(t, newClock(testStart), Options{Seed: 5, Vendors: []Vendor{vendor("acme", FastShallow, 300)}})
	tr := s.Truth("acme", testStart)
	var reopened, escalated, rated bool
	for _, tt := range tr.Tickets {
		reopened = reopened || tt.Reopens > 0
		escalated = escalated || len(tt.Tags) > 1
		rated = rated || len(tt.Ratings) > 1
	}
	if !reopened || !escalated || !rated {
		t.Fatalf("the test vendor lacks reopens (%v), escalations (%v) or re-ratings (%v)", reopened, escalated, rated)
	}
	return s, tr
}

// fetch GETs url with the header set by auth (nil: none).
func fetch(t *testing.T, url string, auth func(*http.Request)) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != nil {
		auth(req)
	}
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

var nextLink = regexp.MustCompile(`<([^>]+)>;\s*rel="next"`)

// walkLinks follows Link rel="next" from url, decoding each page's JSON
// array into items, and returns the number of pages.
func walkLinks[T any](t *testing.T, url string, auth func(*http.Request), items *[]T) int {
	t.Helper()
	for pages := 1; ; pages++ {
		r := fetch(t, url, auth)
		if r.status != http.StatusOK {
			t.Fatalf("%s: HTTP %d: %s", url, r.status, r.body)
		}
		var page []T
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if page == nil {
			t.Fatalf("%s: %s is no array", url, r.body)
		}
		*items = append(*items, page...)
		m := nextLink.FindStringSubmatch(r.header.Get("Link"))
		if m == nil {
			return pages
		}
		url = m[1]
	}
}

// readJSONArray reads a real payload that is a JSON array of objects.
func readJSONArray(t *testing.T, name string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var v []map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// readRecord is the data of the first Airbyte record of stream in a
// testdata file.
func readRecord(t *testing.T, name, stream string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct {
			Stream string         `json:"stream"`
			Data   map[string]any `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Stream == stream {
			return rec.Data
		}
	}
	t.Fatalf("%s: no %s record", name, stream)
	return nil
}

// decodeObject decodes a JSON object for sameKeys.
func decodeObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// utc parses an RFC 3339 time; "" and null are the zero time.
func utc(t *testing.T, s *string) time.Time {
	t.Helper()
	if s == nil || *s == "" {
		return time.Time{}
	}
	ts, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		t.Errorf("time %q: %v", *s, err)
	}
	return ts.UTC()
}

func TestTicketKindsListen(t *testing.T) {
	s, _ := ticketSim(t)
	for _, kind := range []string{KindFreshdesk, KindGitHub, KindZendeskRequests} {
		if s.URL("acme", kind) == "" || s.URL("acme", kind) == s.URL("acme", KindZendesk) {
			t.Errorf("%s: URL %q, want its own listener", kind, s.URL("acme", kind))
		}
		before := s.Requests("acme", kind)
		fetch(t, s.URL("acme", kind)+"/", nil)
		if got := s.Requests("acme", kind); got != before+1 {
			t.Errorf("%s: Requests %d after one request, want %d", kind, got, before+1)
		}
	}
	for name, got := range map[string]string{
		"FreshdeskCredentials": first(s.FreshdeskCredentials("nobody")), "GitHubRepository": s.GitHubRepository("nobody"),
		"GitHubToken": s.GitHubToken("nobody"), "ZendeskRequestsCredentials": first(s.ZendeskRequestsCredentials("nobody")),
	} {
		if got != "" {
			t.Errorf("%s of an unknown vendor: %q, want empty", name, got)
		}
	}
}

func first(a, _ string) string { return a }

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
