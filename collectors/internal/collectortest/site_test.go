package collectortest

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestSite checks what the status-page fakes rely on: only GETs of the
// configured paths without credentials are answered, and every request is
// recorded with its query.
func TestSite(t *testing.T) {
	site, srv := StartSite(t, map[string]http.HandlerFunc{"/status/summary.json": ServeJSON(`{"a": 1}`)})
	tests := []struct {
		name, method, path, auth string
		wantStatus               int
		wantBody                 string
	}{
		{"served", http.MethodGet, "/status/summary.json?x=1", "", http.StatusOK, `{"a": 1}`},
		{"unknown path", http.MethodGet, "/summary.json", "", http.StatusNotFound, "404 page not found\n"},
		{"not a GET", http.MethodPost, "/status/summary.json", "", http.StatusNotFound, "404 page not found\n"},
		{"credentials", http.MethodGet, "/status/summary.json", "Bearer t", http.StatusNotFound, "404 page not found\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || string(body) != tt.wantBody {
				t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
	want := []string{"/status/summary.json?x=1", "/summary.json", "/status/summary.json", "/status/summary.json"}
	if got := site.Hits(); !reflect.DeepEqual(got, want) {
		t.Errorf("hits = %q, want %q", got, want)
	}
}

// TestWriteCut checks that a cut body fails the read, as a dropped
// connection does.
func TestWriteCut(t *testing.T) {
	_, srv := StartSite(t, map[string]http.HandlerFunc{"/cut": ServeCut(JSONType, `{"a": [`)})
	resp, err := srv.Client().Get(srv.URL + "/cut")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil || !strings.HasPrefix(string(body), `{"a": [`) || resp.Header.Get("Content-Type") != JSONType {
		t.Errorf("read %q (%v) as %q, want the start of the body, an error and %q", body, err, resp.Header.Get("Content-Type"), JSONType)
	}
}
