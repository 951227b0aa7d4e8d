package freshdesk

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
)

// testEnv builds the source's environment as the exporter does, the HTTP
// client from an http_client config with the API key and "X".
func testEnv(t testing.TB, rawURL string, historyStart time.Time) source.Env {
	t.Helper()
	httpCfg := commoncfg.HTTPClientConfig{BasicAuth: &commoncfg.BasicAuth{Username: "sfg6FhWvgD4XkA8ffp3", Password: "X"}}
	hc, err := commoncfg.NewClientFromConfig(httpCfg, "freshdesk")
	if err != nil {
		t.Fatal(err)
	}
	env := collectortest.Env("freshdesk", rawURL, hc)
	env.Config.HTTPClient = httpCfg
	env.HistoryStart = historyStart
	return env
}

// unmarshalCursor reads a stored cursor as it was written, without the
// history start decodeCursor applies.
func unmarshalCursor(t testing.TB, raw []byte) cursor {
	t.Helper()
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewRejectsUnusableConfig(t *testing.T) {
	cases := []struct {
		name, url string
		statuses  map[string]string
		wantErr   string
	}{
		{name: "not a URL", url: "https://acme.freshdesk.com/%zz", wantErr: "invalid URL escape"},
		{name: "no scheme", url: "acme.freshdesk.com", wantErr: "scheme must be http or https"},
		{name: "ftp with password", url: "ftp://key:secret@acme.freshdesk.com", wantErr: "scheme must be http or https"},
		{name: "no host", url: "https:///api", wantErr: "no host"},
		{name: "credentials in URL", url: "https://key:secret@acme.freshdesk.com", wantErr: "credentials belong in http_client"},
		{name: "query", url: "https://acme.freshdesk.com/?lang=en", wantErr: "must not carry a query"},
		{name: "status id not a number", url: "https://acme.freshdesk.com", statuses: map[string]string{"waiting": "pending"}, wantErr: `"waiting" is not a status id`},
		{name: "status id zero", url: "https://acme.freshdesk.com", statuses: map[string]string{"0": "pending"}, wantErr: `"0" is not a status id`},
		{name: "unknown state", url: "https://acme.freshdesk.com", statuses: map[string]string{"6": "closed"}, wantErr: `6: "closed" is none of`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(t, tc.url, time.Time{})
			env.Config.Options = &Options{Statuses: tc.statuses}
			_, err := New(env)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
}

func TestHasNextLink(t *testing.T) {
	cases := []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{`<https://acme.freshdesk.com/api/v2/tickets?page=2&per_page=100>; rel="next"`}, true},
		{[]string{`<https://acme.freshdesk.com/api/v2/tickets?page=1>; rel="prev"`}, false},
		{[]string{`<https://x/a?page=1>; rel="prev", <https://x/a?page=3>; rel="next"`}, true},
		{[]string{`<https://x/a?page=1>; rel="prev"`, `<https://x/a?page=3>; rel=next`}, true},
		{[]string{`<https://x/a?q=a,b>; rel="prev next"`}, true},
		{[]string{`<https://x/a?rel=next>; rel="last"`}, false},
		{[]string{`rel="next"`}, false},
		{[]string{`<https://x/a; rel="next"`}, false},
	}
	for _, tc := range cases {
		if got := hasNextLink(tc.values); got != tc.want {
			t.Errorf("hasNextLink(%q) = %v, want %v", tc.values, got, tc.want)
		}
	}
}
