package jsm

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
)

// testEnv is the Env of a source at rawURL, for the checks of New.
func testEnv(rawURL string) source.Env {
	return collectortest.Env("jira_service_management", rawURL, &http.Client{})
}

func TestActivity(t *testing.T) {
	req := func(id, status string) apiRequest {
		ms := int64(1000)
		return apiRequest{IssueID: id, CurrentStatus: &apiRequestStatus{Status: status, StatusDate: &apiDate{EpochMillis: &ms}}}
	}
	prev := cursor{Requests: []listedRequest{{"a", "Open@1000"}, {"b", "Open@1000"}, {"c", "Open@1000"}, {"d", "Open@1000"}}}
	tests := []struct {
		name   string
		prev   cursor
		listed []apiRequest
		want   []bool
	}{
		{name: "first listing", listed: []apiRequest{req("a", "Open"), req("b", "Open")}, want: []bool{true, true}},
		{name: "empty", prev: prev, want: []bool{}},
		{name: "unchanged: the first only", prev: prev, listed: []apiRequest{req("a", "Open"), req("b", "Open"), req("c", "Open"), req("d", "Open")}, want: []bool{true, false, false, false}},
		{name: "c moved up", prev: prev, listed: []apiRequest{req("c", "Open"), req("a", "Open"), req("b", "Open"), req("d", "Open")}, want: []bool{true, false, false, false}},
		{name: "d and b moved up", prev: prev, listed: []apiRequest{req("d", "Open"), req("b", "Open"), req("a", "Open"), req("c", "Open")}, want: []bool{true, true, false, false}},
		{name: "new request", prev: prev, listed: []apiRequest{req("e", "Open"), req("a", "Open"), req("b", "Open"), req("c", "Open"), req("d", "Open")}, want: []bool{true, false, false, false, false}},
		{name: "status moved in place", prev: prev, listed: []apiRequest{req("a", "Open"), req("b", "Open"), req("c", "Done"), req("d", "Open")}, want: []bool{true, false, true, false}},
		{name: "one deleted", prev: prev, listed: []apiRequest{req("a", "Open"), req("c", "Open"), req("d", "Open")}, want: []bool{true, false, false}},
	}
	for _, tc := range tests {
		if got := tc.prev.activity(tc.listed); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNewRejectsUnusableConfig(t *testing.T) {
	tests := []struct{ url, desk, api, want string }{
		{url: "ftp://acme.atlassian.net", want: "scheme"},
		{url: "https://", want: "no host"},
		{url: "https://me:secret@acme.atlassian.net", want: "credentials"},
		{url: "https://acme.atlassian.net?x=1", want: "query"},
		{url: "https://acme.atlassian.net", desk: "HELP", want: "service_desk_id"},
		{url: "https://acme.atlassian.net", api: "portal", want: `api "portal" must be agent or customer`},
	}
	for _, tc := range tests {
		env := testEnv(tc.url)
		env.Config.Options = &Options{ServiceDeskID: tc.desk, API: tc.api}
		_, err := New(env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q, desk %q) = %v, want an error about %s", tc.url, tc.desk, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q repeats the password", err)
		}
	}
}

// readJSON is a testdata payload, decoded.
func readJSON(tb testing.TB, name string) map[string]any {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal(collectortest.Testdata(tb, name), &v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return v
}

// t0 is the start of the decode tests' timelines.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
