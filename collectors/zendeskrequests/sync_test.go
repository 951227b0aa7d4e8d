package zendeskrequests

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// Users of the scenarios: the end user whose credentials are used, a
// colleague of theirs and an agent of the vendor.
const (
	requester = 1462
	colleague = 5555
	agent     = 72983
)

var (
	created = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	hour    = time.Hour
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

// putFour serves requests 1 to 4, request n updated n hours after creation,
// each with its description, an agent's reply and the requester's answer.
func putFour(f *fakeZendesk) {
	for id := int64(1); id <= 4; id++ {
		f.put(id, requester, "open", created, created.Add(time.Duration(id)*hour), requester, agent, requester)
	}
}

const (
	listFirst = "/api/v2/requests?page[size]=100&sort_by=updated_at&sort_order=desc"
	comments1 = "/api/v2/requests/1/comments?page[size]=100"
)

func listAfter(after string) string {
	return "/api/v2/requests?page[after]=" + after + "&page[size]=100&sort_by=updated_at&sort_order=desc"
}

func TestSyncFirstWalk(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	putFour(f)
	f.put(5, requester, "pending", created, created.Add(30*time.Minute),
		requester, agent, colleague, agent, requester) // five comments: two pages of comments
	f.listLimit, f.commentLimit = 3, 3

	rec := runSync(t, newTestSource(t, srv.URL, time.Time{}), nil)

	if got, want := pageIDs(rec.Batches), "4,3,2|1,5"; got != want {
		t.Errorf("batches %s, want %s", got, want)
	}
	first := decodeCursor(t, rec.Batches[0].Cursor)
	if first.Walk == nil || first.Walk.After == "" || !first.Since.IsZero() {
		t.Errorf("first batch cursor %+v, want a walk under way from no mark", first)
	}
	final := decodeCursor(t, rec.LastCursor(t))
	if want := created.Add(4 * hour); final.Walk != nil || !final.Since.Equal(want) || !slices.Equal(final.SinceIDs, []int64{4}) {
		t.Errorf("final cursor %+v, want mark %s at request 4 and no walk", final, want)
	}
	wantLog := []string{
		listFirst,
		"/api/v2/requests/4/comments?page[size]=100",
		"/api/v2/requests/3/comments?page[size]=100",
		"/api/v2/requests/2/comments?page[size]=100",
		listAfter(first.Walk.After),
		comments1,
		"/api/v2/requests/5/comments?page[size]=100",
		"/api/v2/requests/5/comments?page[after]=" + "NTAwMg" + "&page[size]=100",
	}
	if got := f.requestLog(); !slices.Equal(got, wantLog) {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantLog, "\n"))
	}
	five := rec.Ticket(t, "5")
	wantEvents := []item.Event{
		{Kind: item.EventVendorReply, At: created.Add(time.Minute)},
		{Kind: item.EventCustomerReply, At: created.Add(2 * time.Minute)},
		{Kind: item.EventVendorReply, At: created.Add(3 * time.Minute)},
		{Kind: item.EventCustomerReply, At: created.Add(4 * time.Minute)},
	}
	if !slices.Equal(five.Events, wantEvents) || five.Status != item.StatusPending || five.Priority != "normal" {
		t.Errorf("ticket 5 %+v, want status pending, priority normal and events %v", five, wantEvents)
	}
}

func TestSyncCaughtUpCostsOneRequest(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	putFour(f)
	f.listLimit = 2
	src := newTestSource(t, srv.URL, time.Time{})
	stored := runSync(t, src, nil).LastCursor(t)
	f.requestLog()

	rec := runSync(t, src, stored)

	if got := f.requestLog(); !slices.Equal(got, []string{listFirst}) {
		t.Errorf("requests %q, want the first list page only", got)
	}
	if pageIDs(rec.Batches) != "" || string(rec.LastCursor(t)) != string(stored) {
		t.Errorf("batches %q with cursor %s, want one empty batch keeping %s", pageIDs(rec.Batches), rec.LastCursor(t), stored)
	}
}

func TestSyncFetchesOnlyChangedRequests(t *testing.T) {
	cases := []struct {
		name    string
		change  func(f *fakeZendesk)
		wantIDs string
		// wantLog are the requests after the first list page.
		wantLog      []string
		wantTop      time.Time
		wantIDsAtTop []int64
	}{
		{
			name:    "an old request updated",
			change:  func(f *fakeZendesk) { f.touch(1, agent, created.Add(5*hour)) },
			wantIDs: "1|",
			// Page 1 holds requests 1 and 4 (the stored mark): page 2 reaches older ones.
			wantLog:      []string{comments1, "page 2"},
			wantTop:      created.Add(5 * hour),
			wantIDsAtTop: []int64{1},
		},
		{
			name: "a new request in the second of the mark",
			change: func(f *fakeZendesk) {
				f.put(9, requester, "new", created.Add(4*hour), created.Add(4*hour), requester)
			},
			wantIDs:      "9|",
			wantLog:      []string{"/api/v2/requests/9/comments?page[size]=100", "page 2"},
			wantTop:      created.Add(4 * hour),
			wantIDsAtTop: []int64{4, 9},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFakeZendesk(t, "")
			putFour(f)
			f.listLimit = 2
			src := newTestSource(t, srv.URL, time.Time{})
			stored := runSync(t, src, nil).LastCursor(t)
			f.requestLog()
			tc.change(f)

			rec := runSync(t, src, stored)

			if got := pageIDs(rec.Batches); got != tc.wantIDs {
				t.Errorf("batches %q, want %q", got, tc.wantIDs)
			}
			log := f.requestLog()
			if len(log) > 0 && log[0] == listFirst {
				log = log[1:]
			}
			for i, l := range log {
				if strings.HasPrefix(l, "/api/v2/requests?page[after]=") {
					log[i] = "page 2"
				}
			}
			if !slices.Equal(log, tc.wantLog) {
				t.Errorf("requests after the first page %q, want %q", log, tc.wantLog)
			}
			final := decodeCursor(t, rec.LastCursor(t))
			if !final.Since.Equal(tc.wantTop) || !slices.Equal(final.SinceIDs, tc.wantIDsAtTop) {
				t.Errorf("cursor %+v, want mark %s at %v", final, tc.wantTop, tc.wantIDsAtTop)
			}
		})
	}
}

// A request updated while a walk runs moves ahead of the walk's position:
// the walk does not see it, and the next one does.
func TestSyncKeepsUpdatesMadeDuringTheWalk(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	putFour(f)
	f.listLimit = 2
	f.afterList = func(n int) {
		if n == 1 {
			f.touch(1, agent, created.Add(6*hour)) // request 1 was still to come on page 2
		}
	}
	src := newTestSource(t, srv.URL, time.Time{})

	first := runSync(t, src, nil)
	if got := pageIDs(first.Batches); got != "4,3|2" {
		t.Errorf("first walk %q, want 4,3|2: request 1 moved ahead of it", got)
	}
	f.afterList = nil
	second := runSync(t, src, first.LastCursor(t))
	if got := pageIDs(second.Batches); got != "1|" {
		t.Errorf("second walk %q, want 1|", got)
	}
	if got := len(second.Ticket(t, "1").Events); got != 3 {
		t.Errorf("request 1 has %d events, want 3 with the new reply", got)
	}
}

// The next mark stays below the server's clock at the walk's first page: a
// request updated in that very second may have changed again unseen.
func TestSyncCapsMarkBelowServerClock(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	f.now = created.Add(2 * hour)
	f.put(1, requester, "open", created, created.Add(hour), requester)
	f.put(2, requester, "open", created, f.now, requester, agent)
	src := newTestSource(t, srv.URL, time.Time{})

	stored := runSync(t, src, nil).LastCursor(t)
	c := decodeCursor(t, stored)
	if want := f.now.Add(-clockMargin); !c.Since.Equal(want) || len(c.SinceIDs) != 0 {
		t.Errorf("cursor %+v, want mark %s with no request at it", c, want)
	}
	f.now = f.now.Add(time.Hour)
	if got := pageIDs(runSync(t, src, stored).Batches); got != "2" {
		t.Errorf("next walk %q, want request 2 fetched once more", got)
	}
}

func TestSyncResumesInterruptedWalk(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	putFour(f)
	f.listLimit = 2
	src := newTestSource(t, srv.URL, time.Time{})
	var stored []byte
	errCrash := errors.New("killed")
	emit := func(b item.Batch) error {
		if stored != nil {
			return errCrash
		}
		stored = b.Cursor
		return nil
	}
	if err := src.Sync(context.Background(), nil, emit); !errors.Is(err, errCrash) {
		t.Fatalf("error %v, want the crash on page 2", err)
	}
	f.requestLog()

	rec := runSync(t, src, stored)

	walk := decodeCursor(t, stored).Walk
	want := []string{listAfter(walk.After), "/api/v2/requests/2/comments?page[size]=100", comments1}
	if got := f.requestLog(); !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	final := decodeCursor(t, rec.LastCursor(t))
	if pageIDs(rec.Batches) != "2,1" || final.Walk != nil || !final.Since.Equal(created.Add(4*hour)) {
		t.Errorf("batches %q, cursor %+v: want 2,1 and the mark of request 4", pageIDs(rec.Batches), final)
	}
}

func TestSyncRestartsWalkWhenPageCursorIsRefused(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	putFour(f)
	stored := collectortest.Marshal(t, cursor{Since: created.Add(2 * hour), SinceIDs: []int64{2},
		Walk: &walk{After: "expired", Cap: created.Add(9 * hour), Top: created.Add(4 * hour), TopIDs: []int64{4}}})

	rec := runSync(t, newTestSource(t, srv.URL, time.Time{}), stored)

	log := f.requestLog()
	if len(log) < 2 || log[0] != listAfter("expired") || log[1] != listFirst {
		t.Errorf("requests %q, want the refused page then the first page", log)
	}
	if got := pageIDs(rec.Batches); got != "4,3" {
		t.Errorf("batches %q, want 4,3: the requests newer than the mark", got)
	}
}

// A community report says Zendesk ignores sort_by under cursor pagination:
// the walk notices the order and reads every page, missing nothing.
func TestSyncWalksEveryPageWhenSortIsIgnored(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	f.ignoreSort = true
	f.listLimit = 2
	for id := int64(1); id <= 5; id++ {
		f.put(id, requester, "open", created, created.Add(time.Duration(id)*hour), requester)
	}
	src := newTestSource(t, srv.URL, time.Time{})
	stored := runSync(t, src, nil).LastCursor(t)
	if c := decodeCursor(t, stored); !c.Since.Equal(created.Add(5*hour)) || !slices.Equal(c.SinceIDs, []int64{5}) {
		t.Errorf("cursor %+v, want the mark of request 5", c)
	}
	f.touch(3, agent, created.Add(6*hour))
	f.requestLog()

	rec := runSync(t, src, stored)

	if got := pageIDs(rec.Batches); got != "|3|" {
		t.Errorf("batches %q, want request 3 on the second of three pages", got)
	}
	if got := len(f.requestLog()); got != 4 {
		t.Errorf("%d requests, want 3 list pages and 1 comments page", got)
	}
}

func TestSyncHistoryStart(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	start := created.Add(24 * hour)
	f.put(1, requester, "closed", created, created.Add(hour), requester, agent)               // before the start
	f.put(2, requester, "open", created, start.Add(hour), requester, agent)                   // created before, updated after
	f.put(3, requester, "open", start.Add(2*hour), start.Add(2*hour), requester, agent)       // after
	f.put(4, requester, "solved", start.Add(3*hour), start.Add(4*hour), requester, colleague) // after
	f.listLimit = 2

	rec := runSync(t, newTestSource(t, srv.URL, start), nil)

	if got := pageIDs(rec.Batches); got != "4,3|" {
		t.Errorf("batches %q, want 4,3| then stop at request 1, updated before the start", got)
	}
	for _, l := range f.requestLog() {
		if strings.Contains(l, "/requests/2/") || strings.Contains(l, "/requests/1/") {
			t.Errorf("fetched %s: comments of a request created before the history start", l)
		}
	}
}

func TestSyncKeepsURLPathPrefix(t *testing.T) {
	for _, configured := range []string{"/zd", "/zd/"} {
		t.Run(configured, func(t *testing.T) {
			f, srv := newFakeZendesk(t, "/zd")
			f.put(1, requester, "open", created, created, requester)
			if got := pageIDs(runSync(t, newTestSource(t, srv.URL+configured, time.Time{}), nil).Batches); got != "1" {
				t.Errorf("batches %q, want 1", got)
			}
		})
	}
}

func TestSyncErrors(t *testing.T) {
	request := func(without string) fault {
		r := docRequest(t)
		r["requester_id"] = requester
		delete(r, without)
		return fault{body: string(collectortest.Marshal(t, map[string]any{"requests": []any{r}, "meta": map[string]any{"has_more": false}}))}
	}
	listPage := func(flt fault) map[string]fault { return map[string]fault{requestsPath: flt} }
	commentsPage := func(flt fault) map[string]fault { return map[string]fault{requestsPath + "/1/comments": flt} }
	cases := []struct {
		name       string
		faults     map[string]fault
		wantReason string
		wantErr    string
	}{
		{name: "401", faults: listPage(fault{status: http.StatusUnauthorized}), wantReason: fetch.ReasonAuth, wantErr: "list page 1"},
		{name: "403 unverified email", faults: listPage(fault{status: http.StatusForbidden}), wantReason: fetch.ReasonAuth, wantErr: "list page 1"},
		{name: "429", faults: listPage(fault{status: http.StatusTooManyRequests}), wantReason: fetch.ReasonRateLimited, wantErr: "list page 1"},
		{name: "503", faults: listPage(fault{status: http.StatusServiceUnavailable}), wantReason: fetch.ReasonHTTP, wantErr: "list page 1"},
		{name: "malformed JSON", faults: listPage(fault{body: `{"requests":[{"id":1,}]}`}), wantReason: fetch.ReasonDecode, wantErr: "list page 1"},
		{name: "HTML page", faults: listPage(fault{body: `<html>Maintenance</html>`}), wantReason: fetch.ReasonDecode, wantErr: "list page 1"},
		{name: "truncated", faults: listPage(fault{body: `{"requests":[{"id":1,"status":`, truncated: true}), wantReason: fetch.ReasonDecode, wantErr: "list page 1"},
		{name: "offset pagination answer", faults: listPage(fault{body: `{"requests":[],"next_page":null,"previous_page":null,"count":0}`}), wantReason: fetch.ReasonDecode, wantErr: "no meta"},
		{name: "more pages without cursor", faults: listPage(fault{body: `{"requests":[],"meta":{"has_more":true,"after_cursor":null}}`}), wantReason: fetch.ReasonDecode, wantErr: "after_cursor is empty"},
		{name: "request without updated_at", faults: listPage(request("updated_at")), wantReason: fetch.ReasonDecode, wantErr: "no updated_at"},
		{name: "request without id", faults: listPage(request("id")), wantReason: fetch.ReasonDecode, wantErr: "no id"},
		{name: "comments 404", faults: commentsPage(fault{status: http.StatusNotFound}), wantReason: fetch.ReasonHTTP, wantErr: "request 1 comments page 1"},
		{name: "comments 500", faults: commentsPage(fault{status: http.StatusInternalServerError}), wantReason: fetch.ReasonHTTP, wantErr: "request 1 comments page 1"},
		{name: "comment without author", faults: commentsPage(fault{body: `{"comments":[{"id":7,"created_at":"2025-03-03T09:00:00Z"}],"meta":{"has_more":false}}`}), wantReason: fetch.ReasonDecode, wantErr: "no author_id"},
		{name: "comments cursor repeats", faults: map[string]fault{
			requestsPath + "/1/comments":      {body: `{"comments":[{"id":7,"author_id":1462,"created_at":"2025-03-03T09:00:00Z"}],"meta":{"has_more":true,"after_cursor":"same"}}`},
			requestsPath + "/1/comments?same": {body: `{"comments":[{"id":8,"author_id":1462,"created_at":"2025-03-03T09:01:00Z"}],"meta":{"has_more":true,"after_cursor":"same"}}`}},
			wantReason: fetch.ReasonLoop, wantErr: "request 1 comments page 2: GET http://"},
		{name: "comments without end", faults: map[string]fault{requestsPath + "/1/comments": {body: `{"comments":[],"meta":{"has_more":true,"after_cursor":"more"}}`}},
			wantReason: fetch.ReasonLoop, wantErr: "has_more is true on a page without new comments"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFakeZendesk(t, "")
			f.put(1, requester, "open", created, created, requester, agent)
			f.faults = tc.faults
			var rec collectortest.Recorder
			err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, rec.Emit)
			collectortest.WantSyncError(t, err, tc.wantReason, "zendesk_requests: ")
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q, want zendesk_requests context and %q", err, tc.wantErr)
			}
			if len(rec.Batches) != 0 {
				t.Errorf("%d batches emitted, want none", len(rec.Batches))
			}
		})
	}
}

func TestSyncStopsWhenEmitFails(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	putFour(f)
	f.listLimit = 2
	errStore := errors.New("store full")
	err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, func(item.Batch) error { return errStore })
	if !errors.Is(err, errStore) || !strings.Contains(err.Error(), "storing list page 1") {
		t.Errorf("error %v, want the store error of page 1", err)
	}
	for _, l := range f.requestLog() {
		if strings.HasPrefix(l, "/api/v2/requests?page[after]") {
			t.Errorf("requested %s after the store failed", l)
		}
	}
}

func TestSyncStartsOverFromUnreadableCursor(t *testing.T) {
	f, srv := newFakeZendesk(t, "")
	putFour(f)
	if got := pageIDs(runSync(t, newTestSource(t, srv.URL, time.Time{}), []byte("MTY5NTA1MjY2My4wfHwyOHw=")).Batches); got != "4,3,2,1" {
		t.Errorf("batches %q, want every request", got)
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
