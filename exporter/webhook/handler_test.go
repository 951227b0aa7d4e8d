package webhook

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// fakeSink stores signals the way the exporter does: the vendor from the
// `vendor` label, one signal per vendor, fingerprint and start.
type fakeSink struct {
	vendors map[string]bool
	stored  map[string]bool // "vendor/fingerprint@start"
	fail    error
	off     bool // the configuration leaves the receiver off
	loading bool // no configuration applied yet
}

// testToken is the receiver's token in the tests.
const testToken = "am-token-7f3c"

func newFakeSink() *fakeSink {
	return &fakeSink{vendors: map[string]bool{"acme": true}, stored: map[string]bool{}}
}

func (f *fakeSink) WebhookToken() (string, bool, error) {
	if f.loading {
		return "", false, errors.New("no configuration applied yet")
	}
	return testToken, !f.off, nil
}

func (f *fakeSink) AddFiringAlerts(alerts []Firing) ([]Result, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	results := make([]Result, len(alerts))
	for i, a := range alerts {
		vendor := a.Labels["vendor"]
		key := vendor + "/" + a.Fingerprint + "@" + a.StartsAt.UTC().Format(time.RFC3339Nano)
		switch {
		case !f.vendors[vendor]:
			results[i] = UnknownVendor
		case a.StartsAt.Year() > 2100: // the exporter's door decides it; a stand-in here
			results[i] = ImplausibleTime
		case f.stored[key]:
			results[i] = Duplicate
		default:
			f.stored[key] = true
			results[i] = Accepted
		}
	}
	return results, nil
}

// storedKeys lists what the sink holds, sorted.
func (f *fakeSink) storedKeys() []string { return slices.Sorted(maps.Keys(f.stored)) }

// payload is a version 4 payload of the given alerts.
func payload(t *testing.T, alerts ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"version": "4", "receiver": "support", "status": "firing", "groupKey": "{}:{}", "truncatedAlerts": 0,
		"alerts": alerts,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func firing(vendor, fingerprint, startsAt string) map[string]any {
	return map[string]any{
		"status": "firing", "labels": map[string]string{"alertname": "Down", "vendor": vendor},
		"startsAt": startsAt, "endsAt": "0001-01-01T00:00:00Z", "fingerprint": fingerprint,
	}
}

func resolved(vendor, fingerprint, startsAt string) map[string]any {
	a := firing(vendor, fingerprint, startsAt)
	a["status"], a["endsAt"] = "resolved", "2026-03-02T10:00:00Z"
	return a
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHandler(t *testing.T) {
	const start = "2026-03-02T08:40:00Z"
	type want struct {
		code     int
		body     string         // a substring of the response
		received map[string]int // result -> counter value after the request
		stored   []string       // what the sink holds after the request
	}
	tests := []struct {
		name    string
		method  string // default POST
		auth    string // the Authorization header; default "Bearer " + testToken
		off     bool   // the receiver is off
		loading bool   // the exporter is starting
		before  []string
		body    string
		sinkErr error
		want    want
	}{
		{
			name: "the receiver is off: 404, nothing stored",
			off:  true,
			body: payload(t, firing("acme", "fp1", start)),
			want: want{code: 404, body: "set alertmanager_webhook"},
		},
		{
			name:    "the exporter is starting: 503, which Alertmanager retries",
			loading: true,
			body:    payload(t, firing("acme", "fp1", start)),
			want:    want{code: 503, body: "Starting"},
		},
		{
			name: "no token: 401, nothing stored",
			auth: "-",
			body: payload(t, firing("acme", "fp1", start)),
			want: want{code: 401, body: "Unauthorized"},
		},
		{
			name: "a wrong token: 401",
			auth: "Bearer " + testToken + "x",
			body: payload(t, firing("acme", "fp1", start)),
			want: want{code: 401, body: "Unauthorized"},
		},
		{
			name: "the token as a basic auth password",
			auth: "Basic " + base64.StdEncoding.EncodeToString([]byte("alertmanager:"+testToken)),
			body: payload(t, firing("acme", "fp1", start)),
			want: want{code: 200, body: "accepted 1", received: map[string]int{"accepted": 1}, stored: []string{"acme/fp1@" + start}},
		},
		{
			name: "basic auth with another password: 401",
			auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(testToken+":x")),
			body: payload(t, firing("acme", "fp1", start)),
			want: want{code: 401, body: "Unauthorized"},
		},
		{
			name: "the token without a scheme: 401",
			auth: testToken,
			body: payload(t, firing("acme", "fp1", start)),
			want: want{code: 401, body: "Unauthorized"},
		},
		{
			name: "an empty bearer token: 401",
			auth: "Bearer ",
			body: payload(t, firing("acme", "fp1", start)),
			want: want{code: 401, body: "Unauthorized"},
		},
		{
			name: "the scheme in lower case",
			auth: "bearer " + testToken,
			body: payload(t, firing("acme", "fp1", start)),
			want: want{code: 200, body: "accepted 1", received: map[string]int{"accepted": 1}, stored: []string{"acme/fp1@" + start}},
		},
		{
			name: "an alert dated ahead: implausible_time, not stored",
			body: payload(t, firing("acme", "fp1", start), firing("acme", "fp2", "2999-01-01T00:00:00Z")),
			want: want{code: 200, body: "implausible_time 1", received: map[string]int{"accepted": 1, "implausible_time": 1}, stored: []string{"acme/fp1@" + start}},
		},
		{
			name: "firing alert: accepted",
			body: payload(t, firing("acme", "fp1", start)),
			want: want{code: 200, body: "accepted 1", received: map[string]int{"accepted": 1}, stored: []string{"acme/fp1@" + start}},
		},
		{
			name:   "re-delivery: duplicate, stored once",
			before: []string{payload(t, firing("acme", "fp1", start))},
			body:   payload(t, firing("acme", "fp1", "2026-03-02T09:40:00+01:00")), // the same instant
			want:   want{code: 200, body: "duplicate 1", received: map[string]int{"accepted": 1, "duplicate": 1}, stored: []string{"acme/fp1@" + start}},
		},
		{
			name: "resolved alert: no signal",
			body: payload(t, resolved("acme", "fp1", start)),
			want: want{code: 200, body: "resolved 1", received: map[string]int{"resolved": 1}},
		},
		{
			name: "unknown or missing vendor: ignored",
			body: payload(t, firing("initech", "fp1", start), firing("", "fp2", start)),
			want: want{code: 200, body: "unknown_vendor 2", received: map[string]int{"unknown_vendor": 2}},
		},
		{
			name: "mixed group",
			body: payload(t, firing("acme", "fp1", start), resolved("acme", "fp2", start), firing("initech", "fp3", start)),
			want: want{code: 200, received: map[string]int{"accepted": 1, "resolved": 1, "unknown_vendor": 1}, stored: []string{"acme/fp1@" + start}},
		},
		{
			name: "empty group",
			body: payload(t),
			want: want{code: 200, body: "accepted 0"},
		},
		{
			name: "real firing payload of Alertmanager 0.25",
			body: strings.ReplaceAll(readTestdata(t, "firing.json"), "acme-rtc", "acme"),
			want: want{code: 200, received: map[string]int{"accepted": 1}, stored: []string{"acme/c582f99eb74335c0@2026-03-02T08:40:00Z"}},
		},
		{
			name: "real resolved payload of Alertmanager 0.25",
			body: strings.ReplaceAll(readTestdata(t, "resolved.json"), "acme-rtc", "acme"),
			want: want{code: 200, received: map[string]int{"resolved": 1}},
		},
		{
			name: "malformed JSON",
			body: `{"version": "4", "alerts": [`,
			want: want{code: 400, body: "invalid Alertmanager webhook payload: unexpected end of JSON input"},
		},
		{
			name: "trailing garbage",
			body: payload(t, firing("acme", "fp1", start)) + "}",
			want: want{code: 400, body: "invalid Alertmanager webhook payload: invalid character"},
		},
		{
			name: "wrong version",
			body: strings.Replace(payload(t, firing("acme", "fp1", start)), `"version":"4"`, `"version":"3"`, 1),
			want: want{code: 400, body: `version "3", want "4"`},
		},
		{
			name: "no version",
			body: `{"alerts": []}`,
			want: want{code: 400, body: `version "", want "4"`},
		},
		{
			// One bad alert refuses the whole payload: the good one
			// before it is not stored either.
			name: "an alert without fingerprint",
			body: payload(t, firing("acme", "fp1", start), firing("acme", "", start)),
			want: want{code: 400, body: "alerts[1]: no fingerprint"},
		},
		{
			name: "an alert without startsAt",
			body: payload(t, firing("acme", "fp1", "0001-01-01T00:00:00Z")),
			want: want{code: 400, body: "alerts[0]: no startsAt"},
		},
		{
			name: "an alert with a bad startsAt",
			body: payload(t, firing("acme", "fp1", "yesterday")),
			want: want{code: 400, body: "invalid Alertmanager webhook payload"},
		},
		{
			name: "an alert of unknown status",
			body: payload(t, map[string]any{"status": "pending", "fingerprint": "fp1", "startsAt": start}),
			want: want{code: 400, body: `alerts[0]: status "pending", want firing or resolved`},
		},
		{
			name: "oversized payload",
			body: payload(t, map[string]any{"status": "firing", "fingerprint": strings.Repeat("f", MaxBodyBytes), "startsAt": start}),
			want: want{code: 413, body: "larger than 1048576 bytes"},
		},
		{
			name:   "GET",
			method: http.MethodGet,
			want:   want{code: 405, body: "Only POST"},
		},
		{
			name:   "PUT",
			method: http.MethodPut,
			body:   payload(t, firing("acme", "fp1", start)),
			want:   want{code: 405},
		},
		{
			name:    "the store fails: 500, so that Alertmanager retries, and nothing counted",
			body:    payload(t, firing("acme", "fp1", start), resolved("acme", "fp2", start)),
			sinkErr: errors.New("disk full"),
			want:    want{code: 500, body: "retry later"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sink := newFakeSink()
			h := New(sink, slog.New(slog.DiscardHandler))
			for _, b := range tc.before {
				if code, body := post(h, http.MethodPost, "", b); code != 200 {
					t.Fatalf("earlier delivery: %d %s", code, body)
				}
			}
			sink.fail, sink.off, sink.loading = tc.sinkErr, tc.off, tc.loading
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			code, body := post(h, method, tc.auth, tc.body)
			if code != tc.want.code || !strings.Contains(body, tc.want.body) {
				t.Errorf("response %d %q, want %d containing %q", code, body, tc.want.code, tc.want.body)
			}
			for r := range numResults {
				if got := testutil.ToFloat64(h.received.WithLabelValues(r.String())); got != float64(tc.want.received[r.String()]) {
					t.Errorf("received{result=%q} = %v, want %d", r, got, tc.want.received[r.String()])
				}
			}
			if got := sink.storedKeys(); !reflect.DeepEqual(got, tc.want.stored) {
				t.Errorf("stored %v, want %v", got, tc.want.stored)
			}
		})
	}
}

// post delivers body with the Authorization header auth: "" sends the
// right bearer token, "-" none.
func post(h http.Handler, method, auth, body string) (int, string) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, Path, strings.NewReader(body))
	switch auth {
	case "":
		req.Header.Set("Authorization", "Bearer "+testToken)
	case "-":
	default:
		req.Header.Set("Authorization", auth)
	}
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// TestMetricFamily: every result is exposed from the start, so that rate()
// works from the first delivery, and nothing else is.
func TestMetricFamily(t *testing.T) {
	h := New(newFakeSink(), slog.New(slog.DiscardHandler))
	if n := testutil.CollectAndCount(h, "support_alertmanager_alerts_received_total"); n != int(numResults) {
		t.Errorf("%d series, want one per result (%d)", n, numResults)
	}
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

// TestDocumented: docs/metrics.md lists the family with its type and
// labels, as TestEveryMetricDocumented checks the exposition's.
func TestDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `support_alertmanager_alerts_received_total` \\| (\\w+) \\|([^|]*)\\|").FindStringSubmatch(string(doc))
	if row == nil {
		t.Fatal("support_alertmanager_alerts_received_total is not documented in docs/metrics.md")
	}
	if typ, labels := row[1], strings.TrimSpace(row[2]); typ != "counter" || labels != "result" {
		t.Errorf("documented as %s with labels %q, want counter with labels \"result\"", typ, labels)
	}
}
