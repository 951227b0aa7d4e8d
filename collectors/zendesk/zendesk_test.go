package zendesk

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// testEnv is a Zendesk source's Env with the account's default export
// limit of 10 requests a minute.
func testEnv(rawURL string, historyStart time.Time) source.Env {
	env := collectortest.Env("zendesk", rawURL, &http.Client{})
	env.Config.Options = &Options{ExportRequestsPerMinute: 10}
	env.HistoryStart = historyStart
	return env
}

// newTestSource builds a source without Zendesk's 10 requests a minute, so
// that multi-page tests do not wait for the limiter.
func newTestSource(t *testing.T, rawURL string, historyStart time.Time) source.Source {
	t.Helper()
	env := testEnv(rawURL, historyStart)
	env.Config.Options = &Options{ExportRequestsPerMinute: 1_000_000}
	return collectortest.NewSource(t, New, env)
}

// cursors are the cursors of the batches, in order.
func cursors(batches []item.Batch) []string {
	var out []string
	for _, b := range batches {
		out = append(out, string(b.Cursor))
	}
	return out
}

// A last page without an after_cursor leaves the stored cursor as it is.
func TestSyncPageWithoutCursorKeepsStoredCursor(t *testing.T) {
	_, srv := newCanned(t, "", map[string]string{"c1": ticketPage(t, "", true, 5)})
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), []byte("c1"), rec.Emit); err != nil {
		t.Fatal(err)
	}
	if len(rec.Batches) != 1 || rec.Batches[0].Cursor != nil || len(rec.Batches[0].Tickets) != 1 {
		t.Errorf("batches %+v, want one batch with its ticket and a nil cursor", rec.Batches)
	}
}

func TestSyncKeepsURLPathPrefix(t *testing.T) {
	cases := []struct{ serverPrefix, configured string }{
		{"", ""},
		{"", "/"},
		{"/prefix", "/prefix"},
		{"/prefix", "/prefix/"},
		{"/a/b", "/a/b"},
	}
	for _, tc := range cases {
		t.Run(tc.configured, func(t *testing.T) {
			c, srv := newCanned(t, tc.serverPrefix, map[string]string{"": ticketPage(t, "c1", true, 1)})
			var rec collectortest.Recorder
			if err := newTestSource(t, srv.URL+tc.configured, time.Time{}).Sync(context.Background(), nil, rec.Emit); err != nil {
				t.Fatal(err)
			}
			if len(c.sent()) != 1 || len(rec.Batches) != 1 {
				t.Errorf("%d requests, %d batches, want 1 and 1", len(c.sent()), len(rec.Batches))
			}
		})
	}
}

// Answers that are not the export's: each fails the sync with reason
// decode, and stores nothing but a page that is whole. The vendor's own
// failures (statuses, damaged and cut bodies) are the conformance suite's
// (collectors/conformance_faults_test.go).
func TestSyncErrors(t *testing.T) {
	missing := func(field string) string {
		return cannedPage(t, "c1", true, realTicket(t, nil, field))
	}
	cases := []struct {
		name        string
		page        string
		wantBatches int
	}{
		{name: "HTML error page", page: `<html><body>Service unavailable</body></html>`},
		{name: "no tickets array", page: `{"after_cursor":"c1","end_of_stream":true}`},
		{name: "ticket without id", page: missing("id")},
		{name: "ticket without created_at", page: missing("created_at")},
		// The page's tickets are kept, but following it would loop.
		{name: "more pages without cursor", page: ticketPage(t, "", false, 1), wantBatches: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newCanned(t, "", map[string]string{"": tc.page})
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
			collectortest.WantSyncError(t, err, fetch.ReasonDecode, "zendesk: export page 1")
			if len(rec.Batches) != tc.wantBatches {
				t.Errorf("%d batches emitted, want %d", len(rec.Batches), tc.wantBatches)
			}
		})
	}
}

// New declares Zendesk's 10 export requests a minute: the 11th request of a
// sync cannot be sent before the deadline (the limiter refuses at once rather
// than waiting past it), under the URL's path prefix too.
func TestNewDeclaresExportLimit(t *testing.T) {
	pages := map[string]string{}
	for i := range 11 {
		cursor := ""
		if i > 0 {
			cursor = "c" + strconv.Itoa(i)
		}
		pages[cursor] = ticketPage(t, "c"+strconv.Itoa(i+1), false, i+1)
	}
	c, srv := newCanned(t, "/zd", pages)
	src, err := New(testEnv(srv.URL+"/zd", time.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var rec collectortest.Recorder
	err = src.Sync(ctx, nil, rec.Emit)
	if fetch.Reason(err) != fetch.ReasonRateLimited || !strings.Contains(err.Error(), "export page 11") {
		t.Errorf("error %v, want rate_limited on page 11", err)
	}
	if n := len(c.sent()); n != 10 {
		t.Errorf("%d requests sent, want 10", n)
	}
	if len(rec.Batches) != 10 || string(rec.Batches[9].Cursor) != "c10" {
		t.Errorf("%d batches, want 10 ending at cursor c10", len(rec.Batches))
	}
}

func TestNewRejectsUnusableConfig(t *testing.T) {
	cases := []struct {
		name, url string
		perMinute int
		wantErr   string
	}{
		{name: "not a URL", url: "https://acme.zendesk.com/%zz", perMinute: 10, wantErr: "invalid URL escape"},
		{name: "no scheme", url: "acme.zendesk.com", perMinute: 10, wantErr: "scheme must be http or https"},
		{name: "ftp", url: "ftp://acme.zendesk.com", perMinute: 10, wantErr: "scheme must be http or https"},
		{name: "ftp with password", url: "ftp://ops:secret@acme.zendesk.com", perMinute: 10, wantErr: "scheme must be http or https"},
		{name: "bad escape after password", url: "https://ops:secret@acme.zendesk.com/%zz", perMinute: 10, wantErr: "invalid URL escape"},
		{name: "no host", url: "https:///api", perMinute: 10, wantErr: "no host"},
		{name: "credentials in URL", url: "https://ops%40example.com:secret@acme.zendesk.com", perMinute: 10, wantErr: "credentials belong in http_client"},
		{name: "query", url: "https://acme.zendesk.com/?locale=en", perMinute: 10, wantErr: "must not carry a query"},
		{name: "zero limit", url: "https://acme.zendesk.com", perMinute: 0, wantErr: "export limit must be positive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(tc.url, time.Time{})
			env.Config.Options = &Options{ExportRequestsPerMinute: tc.perMinute}
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
