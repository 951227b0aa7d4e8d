package zendesk

import (
	"context"
	"net/http"
	"net/url"
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

func ticketPage(t *testing.T, after string, end bool, ids ...int) fakePage {
	t.Helper()
	p := fakePage{afterCursor: after, endOfStream: end}
	for _, id := range ids {
		p.tickets = append(p.tickets, realTicket(t, map[string]any{"id": id}))
	}
	return p
}

func ticketIDs(b item.Batch) []string {
	var ids []string
	for _, tk := range b.Tickets {
		ids = append(ids, tk.ID)
	}
	return ids
}

func TestSyncEmitsOneBatchPerPage(t *testing.T) {
	historyStart := collectortest.Time(t, "2023-01-01T00:00:00Z")
	metricSet := map[string]any{"ticket_id": 3, "replies": 2, "reopens": 0,
		"reply_time_in_minutes":            map[string]any{"calendar": 10, "business": 10},
		"first_resolution_time_in_minutes": map[string]any{"calendar": nil, "business": nil}}
	second := ticketPage(t, "c2", false, 3)
	second.metricSets = []map[string]any{metricSet}
	fake, srv := newFakeZendesk(t, "", map[string]fakePage{
		"":   ticketPage(t, "c1", false, 1, 2),
		"c1": second,
		"c2": ticketPage(t, "c3", true, 4),
	})
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, historyStart).Sync(context.Background(), nil, rec.Emit); err != nil {
		t.Fatal(err)
	}

	if got, want := strings.Join(cursors(rec.Batches), ","), "c1,c2,c3"; got != want {
		t.Errorf("batch cursors %s, want %s", got, want)
	}
	wantIDs := []string{"1,2", "3", "4"}
	for i, b := range rec.Batches {
		if got := strings.Join(ticketIDs(b), ","); i < len(wantIDs) && got != wantIDs[i] {
			t.Errorf("batch %d tickets %s, want %s", i, got, wantIDs[i])
		}
	}
	if f := rec.Batches[1].Tickets[0].Figures; f == nil || f.Replies != 2 {
		t.Errorf("ticket 3 figures %+v, want the sideloaded metric set", f)
	}

	qs := fake.queries()
	if len(qs) != 3 {
		t.Fatalf("%d requests, want 3", len(qs))
	}
	wantQueries := []url.Values{
		{"start_time": {strconv.FormatInt(historyStart.Unix(), 10)}, "include": {"metric_sets"}, "per_page": {"1000"}},
		{"cursor": {"c1"}, "include": {"metric_sets"}, "per_page": {"1000"}},
		{"cursor": {"c2"}, "include": {"metric_sets"}, "per_page": {"1000"}},
	}
	for i, want := range wantQueries {
		if got := qs[i].Encode(); got != want.Encode() {
			t.Errorf("request %d query %s, want %s", i+1, got, want.Encode())
		}
	}
}

func TestSyncFirstRequestStartTime(t *testing.T) {
	cases := []struct {
		name         string
		historyStart time.Time
		want         string
	}{
		{name: "no history start exports everything", want: "0"},
		{name: "history start", historyStart: collectortest.Time(t, "2025-01-01T00:00:00Z"), want: "1735689600"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, srv := newFakeZendesk(t, "", map[string]fakePage{"": ticketPage(t, "c1", true)})
			var rec collectortest.Recorder
			if err := newTestSource(t, srv.URL, tc.historyStart).Sync(context.Background(), nil, rec.Emit); err != nil {
				t.Fatal(err)
			}
			if got := fake.queries()[0].Get("start_time"); got != tc.want {
				t.Errorf("start_time %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSyncResumesFromStoredCursor(t *testing.T) {
	const stored = "MTY5NTA1MjY2My4wfHwyOHw=" // from the recorded page: needs escaping
	fake, srv := newFakeZendesk(t, "", map[string]fakePage{stored: ticketPage(t, "next", true, 7)})
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, collectortest.Time(t, "2020-01-01T00:00:00Z")).Sync(context.Background(), []byte(stored), rec.Emit); err != nil {
		t.Fatal(err)
	}
	q := fake.queries()[0]
	if q.Get("cursor") != stored || q.Has("start_time") {
		t.Errorf("query %s, want cursor=%s and no start_time", q.Encode(), stored)
	}
	if got := cursors(rec.Batches); len(got) != 1 || got[0] != "next" {
		t.Errorf("batch cursors %q, want [next]", got)
	}
}

func TestSyncCaughtUpCostsOneRequest(t *testing.T) {
	fake, srv := newFakeZendesk(t, "", map[string]fakePage{"c9": ticketPage(t, "c9", true)})
	var rec collectortest.Recorder
	if err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), []byte("c9"), rec.Emit); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.queries()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	if len(rec.Batches) != 1 || len(rec.Batches[0].Tickets) != 0 || string(rec.Batches[0].Cursor) != "c9" {
		t.Errorf("batches %+v, want one empty batch with cursor c9", rec.Batches)
	}
}

func TestSyncPageWithoutCursorKeepsStoredCursor(t *testing.T) {
	_, srv := newFakeZendesk(t, "", map[string]fakePage{"c1": ticketPage(t, "", true, 5)})
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
			fake, srv := newFakeZendesk(t, tc.serverPrefix, map[string]fakePage{"": ticketPage(t, "c1", true, 1)})
			var rec collectortest.Recorder
			if err := newTestSource(t, srv.URL+tc.configured, time.Time{}).Sync(context.Background(), nil, rec.Emit); err != nil {
				t.Fatal(err)
			}
			if len(fake.queries()) != 1 || len(rec.Batches) != 1 {
				t.Errorf("%d requests, %d batches, want 1 and 1", len(fake.queries()), len(rec.Batches))
			}
		})
	}
}

func TestSyncErrors(t *testing.T) {
	missing := func(field string) fakePage {
		return fakePage{body: string(collectortest.Marshal(t, map[string]any{
			"tickets": []any{realTicket(t, nil, field)}, "after_cursor": "c1", "end_of_stream": true}))}
	}
	cases := []struct {
		name        string
		page        fakePage
		wantReason  string
		wantBatches int
	}{
		{name: "401", page: fakePage{status: http.StatusUnauthorized}, wantReason: fetch.ReasonAuth},
		{name: "403", page: fakePage{status: http.StatusForbidden}, wantReason: fetch.ReasonAuth},
		{name: "429", page: fakePage{status: http.StatusTooManyRequests, retryAfter: "7"}, wantReason: fetch.ReasonRateLimited},
		{name: "500", page: fakePage{status: http.StatusInternalServerError}, wantReason: fetch.ReasonHTTP},
		{name: "malformed JSON", page: fakePage{body: `{"tickets":[{"id":1,}]}`}, wantReason: fetch.ReasonDecode},
		{name: "HTML error page", page: fakePage{body: `<html><body>Service unavailable</body></html>`}, wantReason: fetch.ReasonDecode},
		{name: "truncated body", page: fakePage{body: `{"tickets":[{"id":1,"created_at":`, truncated: true}, wantReason: fetch.ReasonDecode},
		{name: "no tickets array", page: fakePage{body: `{"after_cursor":"c1","end_of_stream":true}`}, wantReason: fetch.ReasonDecode},
		{name: "ticket without id", page: missing("id"), wantReason: fetch.ReasonDecode},
		{name: "ticket without created_at", page: missing("created_at"), wantReason: fetch.ReasonDecode},
		// The page's tickets are kept, but following it would loop.
		{name: "more pages without cursor", page: ticketPage(t, "", false, 1), wantReason: fetch.ReasonDecode, wantBatches: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newFakeZendesk(t, "", map[string]fakePage{"": tc.page})
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
			collectortest.WantSyncError(t, err, tc.wantReason, "zendesk: export page 1")
			if len(rec.Batches) != tc.wantBatches {
				t.Errorf("%d batches emitted, want %d", len(rec.Batches), tc.wantBatches)
			}
		})
	}
}

func TestSyncFailingPageKeepsEarlierBatches(t *testing.T) {
	fake, srv := newFakeZendesk(t, "", map[string]fakePage{
		"":   ticketPage(t, "c1", false, 1),
		"c1": {status: http.StatusInternalServerError},
	})
	var rec collectortest.Recorder
	// Page 2 fails while page 1 is being emitted.
	emit := func(b item.Batch) error {
		fake.awaitRequest(t, "c1")
		return rec.Emit(b)
	}
	err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, emit)
	if fetch.Reason(err) != fetch.ReasonHTTP || !strings.Contains(err.Error(), "export page 2") {
		t.Errorf("error %v, want an http error on page 2", err)
	}
	if got := cursors(rec.Batches); len(got) != 1 || got[0] != "c1" {
		t.Errorf("batch cursors %q, want [c1]: the first page stays stored", got)
	}
}

// New declares Zendesk's 10 export requests a minute: the 11th request of a
// sync cannot be sent before the deadline (the limiter refuses at once rather
// than waiting past it), under the URL's path prefix too.
func TestNewDeclaresExportLimit(t *testing.T) {
	pages := map[string]fakePage{}
	for i := range 11 {
		cursor := ""
		if i > 0 {
			cursor = "c" + strconv.Itoa(i)
		}
		pages[cursor] = ticketPage(t, "c"+strconv.Itoa(i+1), false, i+1)
	}
	fake, srv := newFakeZendesk(t, "/zd", pages)
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
	if n := len(fake.queries()); n != 10 {
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
