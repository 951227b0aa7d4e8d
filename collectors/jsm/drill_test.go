package jsm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// fakePortalAPI answers the drill's calls as the servicedeskapi documents
// them: 201 with a CustomerRequestDTO on create, 201 with a CommentDTO,
// the request list as a PagedDTO filtered by searchTerm, and the
// {"errorMessage", "i18nErrorMessage"} envelope on a 400.
type fakePortalAPI struct {
	mu       sync.Mutex
	requests []map[string]any
	posts    []map[string]any
	comments []map[string]any
	status   int
	// searchLag hides every request from searchTerm (an index that has
	// not caught up); the lists without searchTerm are current.
	searchLag bool
	lists     []string // the query of every GET
	// endless answers every list without searchTerm with one unrelated
	// request and isLastPage false (a customer with very many requests).
	endless bool
	myself  int // reads of GET /rest/api/3/myself
	// myselfStatus answers GET /rest/api/3/myself with this status (a
	// portal-only customer without Jira access); 0: the account.
	myselfStatus int
}

// buyerAccount is the calling customer's account id (myself).
const buyerAccount = "qm:a713c8ea-1075-4e30-9d96-891a7d181739"

func (f *fakePortalAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/rest/servicedeskapi/request":
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		f.posts = append(f.posts, in)
		if s := f.status; s != 0 {
			f.status = 0
			w.WriteHeader(s)
			_, _ = io.WriteString(w, `{"errorMessage":"The request type you are trying to use does not exist.","i18nErrorMessage":{"i18nKey":"sd.customer.request.type.not.found","parameters":[]}}`)
			return
		}
		fields := in["requestFieldValues"].(map[string]any)
		req := map[string]any{"issueId": "10107", "issueKey": "SD-7", "reporter": map[string]any{"accountId": buyerAccount},
			"createdDate":        map[string]any{"epochMillis": 1772502000000, "iso8601": "2026-03-03T01:40:00+0000"},
			"requestFieldValues": []map[string]any{{"fieldId": "summary", "value": fields["summary"]}, {"fieldId": "description", "value": fields["description"]}},
			"currentStatus":      map[string]any{"status": "Waiting for support", "statusCategory": "NEW"}}
		f.requests = append(f.requests, req)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(req)
	case r.Method == http.MethodPost && r.URL.Path == "/rest/servicedeskapi/request/10107/comment":
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		f.comments = append(f.comments, in)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"1","body":"x","public":true}`)
	case r.Method == http.MethodGet && r.URL.Path == "/rest/api/3/myself":
		f.myself++
		if f.myselfStatus != 0 {
			w.WriteHeader(f.myselfStatus)
			_, _ = io.WriteString(w, `{"errorMessages":["You do not have the permission to see the specified user."],"errors":{}}`)
			return
		}
		_, _ = io.WriteString(w, `{"accountId":"`+buyerAccount+`","accountType":"customer","displayName":"Buyer","timeZone":"UTC"}`)
	case r.Method == http.MethodGet && r.URL.Path == "/rest/servicedeskapi/request":
		q := r.URL.Query()
		f.lists = append(f.lists, r.URL.RawQuery)
		if f.endless && !q.Has("searchTerm") {
			_, _ = io.WriteString(w, `{"size":1,"start":0,"limit":50,"isLastPage":false,"values":[{"issueId":"9","createdDate":{"iso8601":"2026-03-03T01:00:00+0000","epochMillis":1772499600000},"requestFieldValues":[]}]}`)
			return
		}
		var values []map[string]any
		for _, req := range f.requests {
			b, _ := json.Marshal(req)
			// requestStatus defaults to OPEN_REQUESTS: resolved ones are left out.
			done := req["currentStatus"].(map[string]any)["statusCategory"] == "DONE"
			if q.Get("requestStatus") != "ALL_REQUESTS" && done || f.searchLag && q.Has("searchTerm") {
				continue
			}
			if q.Get("requestOwnership") == "OWNED_REQUESTS" && q.Get("serviceDeskId") == "10" && strings.Contains(string(b), q.Get("searchTerm")) {
				values = append(values, req)
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"size": len(values), "start": 0, "limit": 50, "isLastPage": true, "values": values})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func newTestCreator(t *testing.T, api http.Handler, opts *Options, requestType string) (source.Creator, error) {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	env := collectortest.Env("jira_service_management", srv.URL, srv.Client())
	env.Config.Options = opts
	env.Vendor.Drill = &config.Drill{Enabled: true, RequestType: requestType}
	return NewCreator(env)
}

func TestDrillPortalCreateFindComment(t *testing.T) {
	api := &fakePortalAPI{}
	c, err := newTestCreator(t, api, &Options{API: apiCustomer, ServiceDeskID: "10"}, "25")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	marker := "support-drill-20260303T014000Z-00ff"
	if _, found, err := findOne(c, ctx, marker, time.Time{}); err != nil || found {
		t.Fatalf("find before the create: %v, %v", found, err)
	}
	f, err := c.Create(ctx, source.Draft{Subject: "[drill " + marker + "]", Body: "b " + marker, Priority: "P1", Marker: marker})
	want := source.Filed{ID: "10107", CreatedAt: time.Date(2026, 3, 3, 1, 40, 0, 0, time.UTC)}
	if err != nil || f != want {
		t.Fatalf("create: %+v, %v; want %+v", f, err, want)
	}
	if p := api.posts[0]; p["serviceDeskId"] != "10" || p["requestTypeId"] != "25" || p["priority"] != nil {
		t.Errorf("posted %v", p)
	}
	if got, found, err := findOne(c, ctx, marker, time.Time{}); err != nil || !found || got != want {
		t.Fatalf("find after the create: %+v, %v, %v", got, found, err)
	}
	if err := c.Comment(ctx, "10107", "Thanks, a drill."); err != nil {
		t.Fatal(err)
	}
	if len(api.comments) != 1 || api.comments[0]["body"] != "Thanks, a drill." || api.comments[0]["public"] != true {
		t.Errorf("comments %v, want one public", api.comments)
	}
}

func TestDrillPortalRefusals(t *testing.T) {
	if _, err := newTestCreator(t, &fakePortalAPI{}, &Options{API: apiAgent, ServiceDeskID: "10"}, "25"); err == nil {
		t.Error("a creator as an agent was built")
	}
	api := &fakePortalAPI{status: http.StatusBadRequest}
	c, err := newTestCreator(t, api, &Options{API: apiCustomer, ServiceDeskID: "10"}, "99")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(context.Background(), source.Draft{Subject: "m", Body: "m", Marker: "m"}); err == nil || source.Unknown(err) {
		t.Fatalf("a 400: %v, want a known failure", err)
	}
}

// TestDrillPortalFindsAResolvedRequestBeforeTheSearchCaughtUp: Find
// lists the customer's own requests in every status first: a drill
// request the vendor already resolved, which the search index does not
// hold yet, is found, never created again.
func TestDrillPortalFindsAResolvedRequestBeforeTheSearchCaughtUp(t *testing.T) {
	api := &fakePortalAPI{}
	c, err := newTestCreator(t, api, &Options{API: apiCustomer, ServiceDeskID: "10"}, "25")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	marker := "support-drill-20260303T014000Z-00ff"
	if _, err := c.Create(ctx, source.Draft{Subject: "[drill " + marker + "]", Body: "b " + marker, Marker: marker}); err != nil {
		t.Fatal(err)
	}
	api.requests[0]["currentStatus"] = map[string]any{"status": "Resolved", "statusCategory": "DONE"}
	api.searchLag = true
	f, found, err := findOne(c, ctx, marker, time.Time{})
	if err != nil || !found || f.ID != "10107" {
		t.Fatalf("find of a resolved request the search lags: %+v, %v, %v; want 10107", f, found, err)
	}
	if q := api.lists[0]; !strings.Contains(q, "requestStatus=ALL_REQUESTS") || strings.Contains(q, "searchTerm") {
		t.Errorf("first look %q, want the owned list in every status", q)
	}
}

// TestDrillTargetNamesTheServiceDesk: the drill's target holds the
// service desk, so a changed service_desk_id is another target.
func TestDrillTargetNamesTheServiceDesk(t *testing.T) {
	a, err := newTestCreator(t, &fakePortalAPI{}, &Options{API: apiCustomer, ServiceDeskID: "10"}, "25")
	if err != nil {
		t.Fatal(err)
	}
	b, err := newTestCreator(t, &fakePortalAPI{}, &Options{API: apiCustomer, ServiceDeskID: "11"}, "25")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(a.Target(), " service desk 10") {
		t.Errorf("target %q, want the site and service desk 10", a.Target())
	}
	if !strings.HasSuffix(b.Target(), " service desk 11") {
		t.Errorf("target %q, want service desk 11", b.Target())
	}
}

// findOne is Find's one match: an error when it returned several.
func findOne(c source.Creator, ctx context.Context, marker string, since time.Time) (source.Filed, bool, error) {
	all, err := c.Find(ctx, marker, since)
	switch {
	case err != nil || len(all) == 0:
		return source.Filed{}, false, err
	case len(all) > 1:
		return source.Filed{}, false, fmt.Errorf("find %q: %d matches: %+v", marker, len(all), all)
	}
	return all[0], true, nil
}

// TestDrillPortalListNotReadToItsEndIsAnError: the customer's own list
// not read to its end within the page cap is an error, never "none" from
// the lagging search alone.
func TestDrillPortalListNotReadToItsEndIsAnError(t *testing.T) {
	api := &fakePortalAPI{endless: true}
	c, err := newTestCreator(t, api, &Options{API: apiCustomer, ServiceDeskID: "10"}, "25")
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.Find(context.Background(), "support-drill-x", time.Time{})
	if err == nil {
		t.Fatalf("found %+v and no error; want an error for the list not read to its end", all)
	}
	if n := len(api.lists); n != findPages {
		t.Errorf("%d lists read, want %d", n, findPages)
	}
}

// TestDrillPortalFindOnlyTheCustomersOwn: a colleague of the buyer (the
// same organization, an exporter with the same vendor and interval) filed
// a request with the same marker, and the desk lists it (an ownership it
// did not apply): Find keeps only requests the calling account reported,
// never the colleague's, nor one without a reporter, and asks who the
// account is once.
func TestDrillPortalFindOnlyTheCustomersOwn(t *testing.T) {
	marker := "support-drill-20260303T014000Z-00ff"
	request := func(id string, reporter map[string]any) map[string]any {
		r := map[string]any{"issueId": id, "createdDate": map[string]any{"epochMillis": 1772502000000, "iso8601": "2026-03-03T01:40:00+0000"},
			"requestFieldValues": []map[string]any{{"fieldId": "summary", "value": "[drill " + marker + "]"}},
			"currentStatus":      map[string]any{"status": "Waiting for support", "statusCategory": "NEW"}}
		if reporter != nil {
			r["reporter"] = reporter
		}
		return r
	}
	api := &fakePortalAPI{requests: []map[string]any{request("10200", map[string]any{"accountId": "qm:colleague"}), request("10201", nil)}}
	c, err := newTestCreator(t, api, &Options{API: apiCustomer, ServiceDeskID: "10"}, "25")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, m := range []string{marker, "support-drill-"} {
		if all, err := c.Find(ctx, m, time.Time{}); err != nil || len(all) != 0 {
			t.Fatalf("find %q with only a colleague's request: %+v, %v; want none", m, all, err)
		}
	}
	if _, err := c.Create(ctx, source.Draft{Subject: "[drill " + marker + "]", Body: "b " + marker, Marker: marker}); err != nil {
		t.Fatal(err)
	}
	if all, err := c.Find(ctx, marker, time.Time{}); err != nil || len(all) != 1 || all[0].ID != "10107" {
		t.Fatalf("find after the create: %+v, %v; want only 10107", all, err)
	}
	if api.myself != 1 {
		t.Errorf("myself read %d times, want once", api.myself)
	}
}

// TestDrillPortalMyselfRefused: an account that may not read GET
// /rest/api/3/myself (401, 403, 404) still looks and creates: the look
// keeps what the server lists as its own (OWNED_REQUESTS) until a create's
// reporter names the account, which then keeps out another reporter's
// request; myself is not asked again. Any other failure stays an error.
func TestDrillPortalMyselfRefused(t *testing.T) {
	const marker = "support-drill-20260303T014000Z-00ff"
	request := func(id, reporter string) map[string]any {
		return map[string]any{"issueId": id, "reporter": map[string]any{"accountId": reporter},
			"createdDate":        map[string]any{"epochMillis": 1772499600000, "iso8601": "2026-03-03T01:00:00+0000"},
			"requestFieldValues": []map[string]any{{"fieldId": "summary", "value": "[drill " + marker + "]"}},
			"currentStatus":      map[string]any{"status": "Waiting for support", "statusCategory": "NEW"}}
	}
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound} {
		api := &fakePortalAPI{myselfStatus: status, requests: []map[string]any{request("10300", buyerAccount)}}
		c, err := newTestCreator(t, api, &Options{API: apiCustomer, ServiceDeskID: "10"}, "25")
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if all, err := c.Find(ctx, marker, time.Time{}); err != nil || len(all) != 1 || all[0].ID != "10300" {
			t.Fatalf("myself %d: find: %+v, %v; want the account's own 10300", status, all, err)
		}
		if _, err := c.Create(ctx, source.Draft{Subject: "[drill " + marker + "]", Body: "b " + marker, Marker: marker}); err != nil {
			t.Fatal(err)
		}
		// An API that lists another reporter's request too: the create
		// named the account, so it is kept out.
		api.requests = append(api.requests, request("10301", "qm:colleague"))
		all, err := c.Find(ctx, marker, time.Time{})
		if err != nil || len(all) != 2 || slices.ContainsFunc(all, func(f source.Filed) bool { return f.ID == "10301" }) {
			t.Fatalf("myself %d: find after the create: %+v, %v; want 10300 and 10107 only", status, all, err)
		}
		if api.myself != 1 {
			t.Errorf("myself %d: read %d times, want once", status, api.myself)
		}
	}
	api := &fakePortalAPI{myselfStatus: http.StatusInternalServerError}
	c, err := newTestCreator(t, api, &Options{API: apiCustomer, ServiceDeskID: "10"}, "25")
	if err != nil {
		t.Fatal(err)
	}
	if all, err := c.Find(context.Background(), marker, time.Time{}); err == nil {
		t.Errorf("myself 500: find %+v without error; want an error", all)
	}
}
