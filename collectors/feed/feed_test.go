package feed

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// fakeFeed serves a feed at one path the way a web server does: with the
// feed's content type, the validators it is configured with, and a 304 to
// a matching conditional request (RFC 9110 section 13.2.2: If-None-Match
// first, weak comparison; If-Modified-Since only without it). Every request
// is recorded.
type fakeFeed struct {
	path, contentType string

	mu           sync.Mutex
	body         string
	etag         string // "" sends none
	lastModified string // "" sends none
	requests     []*http.Request
}

func (f *fakeFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	if r.URL.Path != f.path || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	if f.etag != "" {
		w.Header().Set("ETag", f.etag)
	}
	if f.lastModified != "" {
		w.Header().Set("Last-Modified", f.lastModified)
	}
	if f.notModified(r) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	_, _ = w.Write([]byte(f.body))
}

func (f *fakeFeed) notModified(r *http.Request) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return f.etag != "" && strings.TrimPrefix(inm, "W/") == strings.TrimPrefix(f.etag, "W/")
	}
	ims := r.Header.Get("If-Modified-Since")
	return ims != "" && ims == f.lastModified
}

func (f *fakeFeed) set(body, etag string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.body, f.etag = body, etag
}

// request returns the i-th recorded request.
func (f *fakeFeed) request(t *testing.T, i int) *http.Request {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.requests) {
		t.Fatalf("%d requests, want at least %d", len(f.requests), i+1)
	}
	return f.requests[i]
}

const (
	atomType = "application/atom+xml; charset=utf-8"
	rssType  = "application/rss+xml; charset=utf-8"
)

func startFeed(t *testing.T, f *fakeFeed) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

// newSource builds a source of the feed at rawURL that logs to logger (nil:
// nowhere).
func newSource(t *testing.T, srv *httptest.Server, rawURL string, logger *slog.Logger) source.Source {
	t.Helper()
	env := collectortest.Env("feed", rawURL, srv.Client())
	env.Logger = logger
	return collectortest.NewSource(t, New, env)
}

func TestSyncStatuspageAtomWithETag(t *testing.T) {
	f := &fakeFeed{path: "/history.atom", contentType: atomType,
		body: string(collectortest.Testdata(t, "githubstatus_history_2025-10-21.atom")),
		etag: `W/"a1"`, lastModified: "Tue, 21 Oct 2025 20:25:22 GMT"}
	srv := startFeed(t, f)
	s := newSource(t, srv, srv.URL+"/history.atom", nil)

	batches, err := collectortest.Sync(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 || len(batches[0].Incidents) != 3 || batches[0].Cursor != nil || batches[0].Components != nil {
		t.Fatalf("first sync: %d batches, want one with 3 incidents, nil cursor, nil components", len(batches))
	}
	if r := f.request(t, 0); r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
		t.Errorf("first request was conditional: %v", r.Header)
	}

	batches, err = collectortest.Sync(s, nil)
	if err != nil || len(batches) != 0 {
		t.Fatalf("unchanged feed: %d batches, error %v; want none, nil", len(batches), err)
	}
	r := f.request(t, 1)
	if r.Header.Get("If-None-Match") != `W/"a1"` || r.Header.Get("If-Modified-Since") != "Tue, 21 Oct 2025 20:25:22 GMT" {
		t.Errorf("second request headers = %v, want both validators", r.Header)
	}

	f.set(string(collectortest.Testdata(t, "githubstatus-history-2026-08-22.atom")), `W/"b2"`)
	batches, err = collectortest.Sync(s, nil)
	if err != nil || len(batches) != 1 || len(batches[0].Incidents) != 25 {
		t.Fatalf("changed feed: %d batches, error %v; want one with 25 incidents", len(batches), err)
	}
	if _, err := collectortest.Sync(s, nil); err != nil || f.request(t, 3).Header.Get("If-None-Match") != `W/"b2"` {
		t.Errorf("after the change: error %v, If-None-Match %q; want the new ETag", err, f.request(t, 3).Header.Get("If-None-Match"))
	}
}

func TestSyncConditionalHeaders(t *testing.T) {
	tests := []struct {
		name                   string
		etag, lastModified     string
		wantINM, wantIMS       string
		wantSecondBatchEmitted bool
	}{
		{"Last-Modified only", "", "Mon, 08 Jan 2024 17:43:10 GMT", "", "Mon, 08 Jan 2024 17:43:10 GMT", false},
		{"ETag only", `"e1"`, "", `"e1"`, "", false},
		{"no validators: every poll is a full fetch", "", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeFeed{path: "/history.rss", contentType: rssType,
				body: string(collectortest.Testdata(t, "govuk-status-history-2024-01-08-scheduled-maintenance.rss")),
				etag: tt.etag, lastModified: tt.lastModified}
			srv := startFeed(t, f)
			s := newSource(t, srv, srv.URL+"/history.rss", nil)
			if _, err := collectortest.Sync(s, nil); err != nil {
				t.Fatal(err)
			}
			batches, err := collectortest.Sync(s, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(batches) == 1 && len(batches[0].Maintenances) == 1; got != tt.wantSecondBatchEmitted {
				t.Errorf("second sync emitted %d batches, want a batch: %v", len(batches), tt.wantSecondBatchEmitted)
			}
			r := f.request(t, 1)
			if r.Header.Get("If-None-Match") != tt.wantINM || r.Header.Get("If-Modified-Since") != tt.wantIMS {
				t.Errorf("second request headers = %v, want If-None-Match %q, If-Modified-Since %q", r.Header, tt.wantINM, tt.wantIMS)
			}
		})
	}
}

// A batch the store refused must be fetched again in full, not skipped by a
// 304 for a body that was never stored.
func TestSyncEmitFailureForgetsValidators(t *testing.T) {
	f := &fakeFeed{path: "/history.atom", contentType: atomType,
		body: string(collectortest.Testdata(t, "githubstatus_history_2025-10-21.atom")), etag: `W/"a1"`}
	srv := startFeed(t, f)
	s := newSource(t, srv, srv.URL+"/history.atom", nil)

	stored := errors.New("store is read-only")
	if err := s.Sync(context.Background(), nil, func(item.Batch) error { return stored }); !errors.Is(err, stored) {
		t.Fatalf("Sync error = %v, want %v", err, stored)
	}
	batches, err := collectortest.Sync(s, nil)
	if err != nil || len(batches) != 1 {
		t.Fatalf("retry: %d batches, error %v; want a full batch", len(batches), err)
	}
	if inm := f.request(t, 1).Header.Get("If-None-Match"); inm != "" {
		t.Errorf("retry sent If-None-Match %q, want an unconditional request", inm)
	}
}

func TestSyncURLKeepsQuery(t *testing.T) {
	f := &fakeFeed{path: "/rss/all.rss", contentType: rssType, body: string(collectortest.Testdata(t, "aws-status-rss-2021-12-20-pst.rss"))}
	srv := startFeed(t, f)
	batches, err := collectortest.Sync(newSource(t, srv, srv.URL+"/rss/all.rss?lang=en", nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 || len(batches[0].Incidents) != 2 {
		t.Errorf("%d batches, want one with 2 incidents", len(batches))
	}
	if got := f.request(t, 0).URL.RawQuery; got != "lang=en" {
		t.Errorf("query = %q, want lang=en", got)
	}
}

func TestSyncWarnsAboutEntriesLeftOut(t *testing.T) {
	const doc = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><guid>dated</guid><pubDate>Wed, 15 Dec 2021 12:16:32 PST</pubDate><description>ok</description></item>
<item><guid>undated</guid><description>no date</description></item>
</channel></rss>`
	f := &fakeFeed{path: "/feed.rss", contentType: rssType, body: doc}
	srv := startFeed(t, f)
	var logs bytes.Buffer
	s := newSource(t, srv, srv.URL+"/feed.rss", slog.New(slog.NewTextHandler(&logs, nil)))

	batches, err := collectortest.Sync(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 || len(batches[0].Incidents) != 1 || batches[0].Incidents[0].ID != "dated" {
		t.Errorf("batches = %+v, want one with the dated entry only", batches)
	}
	if got := logs.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "skipped=1 entries=2") {
		t.Errorf("log = %q, want a warning with skipped=1 entries=2", got)
	}
}

func TestSyncFailures(t *testing.T) {
	atom := string(collectortest.Testdata(t, "githubstatus_history_2025-10-21.atom"))
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantReason string
	}{
		{"500", collectortest.ServeStatus(http.StatusInternalServerError), fetch.ReasonHTTP},
		{"404: feed moved", collectortest.ServeStatus(http.StatusNotFound), fetch.ReasonHTTP},
		{"304 to an unconditional request", collectortest.ServeStatus(http.StatusNotModified), fetch.ReasonHTTP},
		{"403", collectortest.ServeStatus(http.StatusForbidden), fetch.ReasonAuth},
		{"429", collectortest.ServeStatus(http.StatusTooManyRequests), fetch.ReasonRateLimited},
		{"HTML page instead of the feed", collectortest.ServeBody("text/html", `<!DOCTYPE html><html><title>Down</title></html>`), fetch.ReasonDecode},
		{"Statuspage JSON API instead of the feed", collectortest.ServeBody("application/json", `{"page": {"id": "kctbh9vrtdwd"}, "incidents": []}`), fetch.ReasonDecode},
		{"truncated Atom", collectortest.ServeBody(atomType, atom[:len(atom)/2]), fetch.ReasonDecode},
		{"cut connection", collectortest.ServeCut("", atom[:1000]), fetch.ReasonDecode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			batches, err := collectortest.Sync(newSource(t, srv, srv.URL+"/history.atom", nil), nil)
			collectortest.WantSyncError(t, err, tt.wantReason, "feed: ")
			if len(batches) != 0 {
				t.Errorf("emitted %d batches, want none", len(batches))
			}
		})
	}
}

func TestNew(t *testing.T) {
	client := fetch.New(http.DefaultClient, fetch.NewLimits(), fetch.Options{})
	collectortest.CheckNew(t, New, []collectortest.NewCase{
		{Name: "Statuspage feed", Env: source.Env{Config: &config.Source{URL: "https://www.githubstatus.com/history.atom"}, HTTP: client}},
		{Name: "query allowed", Env: source.Env{Config: &config.Source{URL: "https://status.example/feed?format=rss"}, HTTP: client}},
		{Name: "no scheme", Env: source.Env{Config: &config.Source{URL: "www.githubstatus.com/history.atom"}, HTTP: client}, WantErr: "scheme must be http or https"},
		{Name: "other scheme", Env: source.Env{Config: &config.Source{URL: "ftp://status.example/feed"}, HTTP: client}, WantErr: "scheme must be http or https"},
		{Name: "no host", Env: source.Env{Config: &config.Source{URL: "https:///history.atom"}, HTTP: client}, WantErr: "no host"},
		{Name: "password in the url", Env: source.Env{Config: &config.Source{URL: "https://ops:s3cret@status.example/feed"}, HTTP: client}, WantErr: "credentials belong in http_client"},
		{Name: "unparsable", Env: source.Env{Config: &config.Source{URL: "http://[::1"}, HTTP: client}, WantErr: "feed: url"},
		{Name: "empty", Env: source.Env{Config: &config.Source{}, HTTP: client}, WantErr: "scheme must be http or https"},
		{Name: "no config", Env: source.Env{HTTP: client}, WantErr: "incomplete environment"},
		{Name: "no client", Env: source.Env{Config: &config.Source{URL: "https://www.githubstatus.com/history.atom"}}, WantErr: "incomplete environment"},
	}, "s3cret")
}
