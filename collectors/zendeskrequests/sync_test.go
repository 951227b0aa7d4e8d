package zendeskrequests

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// testEnv is the Env of a source whose user has one colleague, 5555.
func testEnv(rawURL string, historyStart time.Time) source.Env {
	env := collectortest.Env("zendesk_requests", rawURL, &http.Client{})
	env.Config.Options = &Options{Colleagues: []string{"5555"}}
	env.HistoryStart = historyStart
	return env
}

func newTestSource(t *testing.T, rawURL string, historyStart time.Time) source.Source {
	t.Helper()
	return collectortest.NewSource(t, New, testEnv(rawURL, historyStart))
}

// pageIDs are the ticket ids of each batch, batches separated by "|".
func pageIDs(batches []item.Batch) string {
	var pages []string
	for _, b := range batches {
		var ids []string
		for _, tk := range b.Tickets {
			ids = append(ids, tk.ID)
		}
		pages = append(pages, strings.Join(ids, ","))
	}
	return strings.Join(pages, "|")
}

func decodeCursor(t *testing.T, raw []byte) cursor {
	t.Helper()
	c, err := parseCursor(raw)
	if err != nil {
		t.Fatalf("cursor %s: %v", raw, err)
	}
	return c
}

func runSync(t *testing.T, src source.Source, cur []byte) *collectortest.Recorder {
	t.Helper()
	var rec collectortest.Recorder
	if err := src.Sync(context.Background(), cur, rec.Emit); err != nil {
		t.Fatal(err)
	}
	return &rec
}

// The API paths go below the URL's own path.
func TestSyncKeepsURLPathPrefix(t *testing.T) {
	for _, configured := range []string{"/zd", "/zd/"} {
		t.Run(configured, func(t *testing.T) {
			_, srv := newCanned(t, "/zd", map[string]string{
				requestsPath: cannedList(t, "", docRequestAs(t, 1)), requestsPath + "/1/comments": commentsBody(t, 1)})
			if got := pageIDs(runSync(t, newTestSource(t, srv.URL+configured, time.Time{}), nil).Batches); got != "1" {
				t.Errorf("batches %q, want 1", got)
			}
		})
	}
}

// Answers that are not the API's, or that lead in a circle: each fails
// the sync with its reason, storing nothing. The vendor's own failures
// (statuses, damaged and cut bodies) are the conformance suite's
// (collectors/conformance_faults_test.go).
func TestSyncErrors(t *testing.T) {
	without := func(field string) string {
		r := docRequestAs(t, 1)
		delete(r, field)
		return cannedList(t, "", r)
	}
	list := func(body string) map[string]string { return map[string]string{requestsPath: body} }
	comments := func(pages map[string]string) map[string]string {
		pages[requestsPath] = cannedList(t, "", docRequestAs(t, 1))
		return pages
	}
	const comment7 = `{"id":7,"author_id":1462,"created_at":"2025-03-03T09:00:00Z"}`
	cases := []struct {
		name       string
		answers    map[string]string
		wantReason string
		wantErr    string
	}{
		{"HTML page", list(`<html>Maintenance</html>`), fetch.ReasonDecode, "list page 1"},
		{"offset pagination answer", list(`{"requests":[],"next_page":null,"previous_page":null,"count":0}`), fetch.ReasonDecode, "no meta"},
		{"more pages without cursor", list(`{"requests":[],"meta":{"has_more":true,"after_cursor":null}}`), fetch.ReasonDecode, "after_cursor is empty"},
		{"request without updated_at", list(without("updated_at")), fetch.ReasonDecode, "no updated_at"},
		{"request without id", list(without("id")), fetch.ReasonDecode, "no id"},
		{"comments missing", comments(map[string]string{}), fetch.ReasonHTTP, "request 1 comments page 1"},
		{"comment without author", comments(map[string]string{requestsPath + "/1/comments": `{"comments":[{"id":7,"created_at":"2025-03-03T09:00:00Z"}],"meta":{"has_more":false}}`}),
			fetch.ReasonDecode, "no author_id"},
		{"comments cursor repeats", comments(map[string]string{
			requestsPath + "/1/comments":      `{"comments":[` + comment7 + `],"meta":{"has_more":true,"after_cursor":"same"}}`,
			requestsPath + "/1/comments?same": `{"comments":[{"id":8,"author_id":1462,"created_at":"2025-03-03T09:01:00Z"}],"meta":{"has_more":true,"after_cursor":"same"}}`}),
			fetch.ReasonLoop, "request 1 comments page 2: GET http://"},
		{"comments without end", comments(map[string]string{requestsPath + "/1/comments": `{"comments":[],"meta":{"has_more":true,"after_cursor":"more"}}`}),
			fetch.ReasonLoop, "has_more is true on a page without new comments"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newCanned(t, "", tc.answers)
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
			collectortest.WantSyncError(t, err, tc.wantReason, "zendesk_requests: ")
			if err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q, want zendesk_requests context and %q", err, tc.wantErr)
			}
			if len(rec.Batches) != 0 {
				t.Errorf("%d batches emitted, want none", len(rec.Batches))
			}
		})
	}
}

func TestNewRejectsUnusableConfig(t *testing.T) {
	cases := []struct {
		name, url  string
		colleagues []string
		wantErr    string
	}{
		{name: "not a URL", url: "https://acme.zendesk.com/%zz", wantErr: "invalid URL escape"},
		{name: "no scheme", url: "acme.zendesk.com", wantErr: "scheme must be http or https"},
		{name: "no host", url: "https:///api", wantErr: "no host"},
		{name: "credentials in URL", url: "https://me%40example.com:secret@acme.zendesk.com", wantErr: "credentials belong in http_client"},
		{name: "bad escape after password", url: "https://me:secret@acme.zendesk.com/%zz", wantErr: "invalid URL escape"},
		{name: "query", url: "https://acme.zendesk.com/?locale=en", wantErr: "must not carry a query"},
		{name: "colleague by email", url: "https://acme.zendesk.com", colleagues: []string{"ops@example.com"}, wantErr: `colleague "ops@example.com" is not a Zendesk user id`},
		{name: "colleague zero", url: "https://acme.zendesk.com", colleagues: []string{"0"}, wantErr: "is not a Zendesk user id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(tc.url, time.Time{})
			env.Config.Options = &Options{Colleagues: tc.colleagues}
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
