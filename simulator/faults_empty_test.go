package simulator

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

// listedItems counts the elements of the arrays of objects reached from
// the root of a JSON answer through objects alone: its items.
func listedItems(t *testing.T, body []byte) int {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%v: %.300s", err, body)
	}
	var count func(v any) int
	count = func(v any) int {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				if _, ok := e.(map[string]any); ok {
					return len(v)
				}
			}
		case map[string]any:
			n := 0
			for _, m := range v {
				n += count(m)
			}
			return n
		}
		return 0
	}
	return count(v)
}

// withoutLists is a JSON answer with every list of items and the members
// paths name removed: what an emptied answer must keep unchanged.
func withoutLists(t *testing.T, body []byte, paths ...string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	var strip func(m map[string]any, at string)
	strip = func(m map[string]any, at string) {
		for k, e := range m {
			path := k
			if at != "" {
				path = at + "." + k
			}
			if _, ok := e.([]any); ok {
				delete(m, k)
			}
			for _, p := range paths {
				if p == path {
					delete(m, k)
				}
			}
			if o, ok := e.(map[string]any); ok {
				strip(o, path)
			}
		}
	}
	strip(v, "")
	return v
}

// TestFaultEmptyPage: every kind's list comes back with no item, well
// formed, saying no page follows, its other members as they were; once
// the fault ends the list shows its items again.
func TestFaultEmptyPage(t *testing.T) {
	for _, kind := range allKinds {
		t.Run(kind, func(t *testing.T) {
			s := faultSim(t)
			u, auth := listRequest(s, kind)
			real := fetch(t, u, auth)
			s.Inject("acme", kind, FaultEmptyPage, 1)
			got := fetch(t, u, auth)
			if got.status != http.StatusOK {
				t.Fatalf("HTTP %d, want 200", got.status)
			}
			if kind == KindFeed {
				var f, rf atomFeed
				if err := xml.Unmarshal(got.body, &f); err != nil || len(f.Entries) != 0 {
					t.Fatalf("the feed: %v, %d entries, want none: %.500s", err, len(f.Entries), got.body)
				}
				if err := xml.Unmarshal(real.body, &rf); err != nil || len(rf.Entries) == 0 {
					t.Fatalf("the real feed: %v, %d entries", err, len(rf.Entries))
				}
				rf.Entries = nil
				if !reflect.DeepEqual(f, rf) {
					t.Errorf("the emptied feed %+v, want the real one without entries %+v", f, rf)
				}
				return
			}
			if n := listedItems(t, real.body); n == 0 {
				t.Fatalf("the real answer lists nothing: %.300s", real.body)
			}
			if n := listedItems(t, got.body); n != 0 {
				t.Errorf("%d items listed: %.500s", n, got.body)
			}
			if next := nextLink.FindString(got.header.Get("Link")); next != "" {
				t.Errorf("Link %q still names a next page", got.header.Get("Link"))
			}
			for _, l := range pagedLists {
				if l.kind == kind && l.path == "" {
					if next, more := l.next(t, got, u); more {
						t.Errorf("%s says more follows at %s", l.name, next)
					}
				}
			}
			if bytes.HasPrefix(real.body, []byte("{")) {
				paging := []string{"end_of_stream", "after_cursor", "after_url", "before_cursor", "before_url", "isLast", "nextPageToken",
					"meta.has_more", "meta.after_cursor", "meta.before_cursor", "links.next", "links.prev", "meta.pagination"}
				if w, g := withoutLists(t, real.body, paging...), withoutLists(t, got.body, paging...); !reflect.DeepEqual(w, g) {
					t.Errorf("members besides lists and paging changed:\n%v\nwant\n%v", g, w)
				}
			}
			if after := fetch(t, u, auth); !bytes.Equal(after.body, real.body) {
				t.Errorf("the answer after the fault differs from the one before")
			}
		})
	}
}

// TestFaultEmptyPageShapes: the paging members of each API's empty last
// page, and its cursor where one pages: an empty export page leaves the
// export where the request put it.
func TestFaultEmptyPageShapes(t *testing.T) {
	s := faultSim(t)
	auth := func(kind string) func(*http.Request) { _, a := listRequest(s, kind); return a }

	t.Run("zendesk export", func(t *testing.T) {
		first, _ := listRequest(s, KindZendesk)
		u := first + "&include=metric_sets"
		var p1 exportPage
		if err := json.Unmarshal(fetch(t, u, auth(KindZendesk)).body, &p1); err != nil || p1.AfterURL == nil {
			t.Fatalf("the first page: %v", err)
		}
		// The first page from start_time, and the second from its cursor.
		for _, req := range []string{u, *p1.AfterURL} {
			s.Inject("acme", KindZendesk, FaultEmptyPage, 1)
			var p exportPage
			var raw struct {
				MetricSets []json.RawMessage `json:"metric_sets"`
			}
			body := fetch(t, req, auth(KindZendesk)).body
			if err := json.Unmarshal(body, &p); err != nil || json.Unmarshal(body, &raw) != nil {
				t.Fatal(err)
			}
			want := encodeCursor(position{at: 0, ticket: -1})
			if c, _ := url.Parse(req); c.Query().Get("cursor") != "" {
				want = c.Query().Get("cursor")
			}
			if len(p.Tickets) != 0 || raw.MetricSets == nil || len(raw.MetricSets) != 0 || p.EndOfStream == nil || !*p.EndOfStream ||
				p.BeforeCursor != nil || p.AfterCursor == nil || *p.AfterCursor != want {
				t.Errorf("%s: %s, want no ticket, metric_sets [], end_of_stream, no before_cursor, after_cursor %s", req, body, want)
				continue
			}
			// after_url resumes where the request stood: the real page.
			real := fetch(t, req, auth(KindZendesk)).body
			again := fetch(t, *p.AfterURL, auth(KindZendesk)).body
			var rp, ap exportPage
			_ = json.Unmarshal(real, &rp)
			_ = json.Unmarshal(again, &ap)
			if len(rp.Tickets) == 0 || !reflect.DeepEqual(rp.Tickets, ap.Tickets) {
				t.Errorf("after_url %s: %d tickets, want the request's %d", *p.AfterURL, len(ap.Tickets), len(rp.Tickets))
			}
		}
	})

	t.Run("zendesk requests", func(t *testing.T) {
		u, _ := listRequest(s, KindZendeskRequests)
		s.Inject("acme", KindZendeskRequests, FaultEmptyPage, 1)
		var p requestsPage
		body := fetch(t, u, auth(KindZendeskRequests)).body
		if err := json.Unmarshal(body, &p); err != nil || len(p.Requests) != 0 || p.Meta.HasMore || p.Meta.AfterCursor != nil || p.Links.Next != nil {
			t.Errorf("%v %s, want no request, has_more false, no cursor, no next", err, body)
		}
	})

	t.Run("jsm", func(t *testing.T) {
		search, _ := listRequest(s, KindJSM)
		s.Inject("acme", KindJSM, FaultEmptyPage, 1)
		var sp jSearchPage
		body := fetch(t, search, auth(KindJSM)).body
		if err := json.Unmarshal(body, &sp); err != nil || len(sp.Issues) != 0 || !sp.IsLast || bytes.Contains(body, []byte("nextPageToken")) {
			t.Errorf("search: %v %s, want no issue, isLast, no nextPageToken", err, body)
		}
		desk := s.URL("acme", KindJSM) + "/rest/servicedeskapi/request?limit=7&start=7"
		s.Inject("acme", KindJSM, FaultEmptyPage, 1)
		var dp jPage[json.RawMessage]
		body = fetch(t, desk, auth(KindJSM)).body
		if err := json.Unmarshal(body, &dp); err != nil || len(dp.Values) != 0 || dp.Size != 0 || !dp.IsLastPage || dp.Links.Next != "" ||
			dp.Start != 7 || dp.Limit != 7 || dp.Links.Prev == "" || dp.Links.Base == "" || dp.Expands == nil {
			t.Errorf("request list: %v %s, want no value, size 0, the last page, its prev link", err, body)
		}
	})

	t.Run("cachet", func(t *testing.T) {
		base, _ := listRequest(s, KindCachet)
		for _, page := range []string{"1", "2", "3"} {
			s.Inject("acme", KindCachet, FaultEmptyPage, 1)
			var p struct {
				Meta struct {
					Pagination ctPagination `json:"pagination"`
				} `json:"meta"`
				Data []json.RawMessage `json:"data"`
			}
			body := fetch(t, base+"&page="+page, nil).body
			pg := &p.Meta.Pagination
			if err := json.Unmarshal(body, &p); err != nil || p.Data == nil || len(p.Data) != 0 || pg.Total != 0 || pg.Count != 0 ||
				pg.TotalPages != 1 || pg.PerPage != 2 || pg.Links.NextPage != nil || (pg.Links.PreviousPage != nil) != (page == "2") {
				t.Errorf("page %s: %v %s, want data [], no item in one page, no next, a previous page only from page 2", page, err, body)
			}
		}
	})

	t.Run("github and freshdesk", func(t *testing.T) {
		for _, kind := range []string{KindGitHub, KindFreshdesk} {
			u, a := listRequest(s, kind)
			s.Inject("acme", kind, FaultEmptyPage, 1)
			r := fetch(t, u, a)
			if string(r.body) != "[]" || r.header.Get("Link") != "" {
				t.Errorf("%s: %s with Link %q, want [] and no Link", kind, r.body, r.header.Get("Link"))
			}
		}
	})

	// A single item is no list, nor are its own lists: served as they are.
	items := []struct{ kind, path string }{
		{KindZendesk, "/api/v2/tickets/1.json?include=metric_sets"},
		{KindFreshdesk, "/api/v2/tickets/1"},
		{KindGitHub, "/repos/acme/acme-sdk/issues/1"},
		{KindJSM, "/rest/api/3/myself"},
		{KindJSM, "/rest/servicedeskapi/servicedesk/1"},
		// An item's own lists.
		{KindZendeskRequests, "/api/v2/requests/1/comments"},
		{KindFreshdesk, "/api/v2/tickets/1/conversations"},
		{KindGitHub, "/repos/acme/acme-sdk/issues/1/timeline"},
		{KindJSM, "/rest/servicedeskapi/request/SUP-1/comment"},
		{KindJSM, "/rest/servicedeskapi/request/10001/sla"},
	}
	for _, it := range items {
		t.Run("item "+it.kind+it.path, func(t *testing.T) {
			u := s.URL("acme", it.kind) + it.path
			real := fetch(t, u, auth(it.kind))
			s.Inject("acme", it.kind, FaultEmptyPage, 1)
			got := fetch(t, u, auth(it.kind))
			if real.status != http.StatusOK || got.status != real.status || !bytes.Equal(got.body, real.body) {
				t.Errorf("HTTP %d %.300s, want the item as it is: HTTP %d %.300s", got.status, got.body, real.status, real.body)
			}
		})
	}
}
