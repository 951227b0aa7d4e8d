package jsm

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// simKind is what these tests declare of the kind (package collectors
// holds the whole declaration).
var simKind = config.Kind{Name: simulator.KindJSM, Feeds: config.FeedsTickets, Options: NewOptions}

const (
	searchPath  = "/rest/api/3/search/jql"
	requestList = "/rest/servicedeskapi/request"
)

// simWorld is a simulated vendor of n requests whose clock stands at
// collectortest.SimStart.
func simWorld(t *testing.T, n int) (*simulator.Sim, *collectortest.Clock) {
	t.Helper()
	return collectortest.SmallWorld(t, n)
}

// simSource is the vendor's jira_service_management source as the exporter
// builds it, signed in as its agent, or as the buyer's portal customer
// (api: customer), reading store.
func simSource(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, customer bool, store *collectortest.Store, configure func(*source.Env)) (*collector, *collectortest.Wire) {
	t.Helper()
	body := sim.SourceYAML(collectortest.SimVendor, simulator.KindJSM)
	if customer {
		body = sim.JSMCustomerSourceYAML(collectortest.SimVendor)
	}
	env, wire := collectortest.SimEnv(t, simKind, body, c.Now)
	env.Stored = store.Stored
	if configure != nil {
		configure(&env)
	}
	return collectortest.NewSource(t, New, env).(*collector), wire
}

func syncStored(ctx context.Context, src source.Source, store *collectortest.Store) (*collectortest.Recorder, error) {
	var rec collectortest.Recorder
	err := src.Sync(ctx, store.Cursor(), func(b item.Batch) error {
		_ = rec.Emit(b)
		return store.Emit(b)
	})
	return &rec, err
}

func mustSync(t *testing.T, src source.Source, store *collectortest.Store) *collectortest.Recorder {
	t.Helper()
	rec, err := syncStored(context.Background(), src, store)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// issueID is the id of the vendor's request n.
func issueID(n int64) string { return strconv.FormatInt(10000+n, 10) }

// searches are the JQL queries of the searches sent, and their page tokens.
func searches(wire *collectortest.Wire) (jql, tokens []string) {
	for _, s := range wire.Sent() {
		if u, _ := url.Parse(s); u.Path == searchPath {
			jql = append(jql, u.Query().Get("jql"))
			tokens = append(tokens, u.Query().Get("nextPageToken"))
		}
	}
	return jql, tokens
}

// readDetails are the requests whose comments were read.
func readDetails(wire *collectortest.Wire) []string {
	var ids []string
	for _, s := range wire.Sent() {
		if rest, ok := strings.CutPrefix(s, requestList+"/"); ok && strings.Contains(rest, "/comment") {
			ids = append(ids, strings.SplitN(rest, "/", 2)[0])
		}
	}
	return ids
}

// repliesOf counts a ticket's vendor replies.
func repliesOf(tk item.Ticket) int {
	n := 0
	for _, e := range tk.Events {
		if e.Kind == item.EventVendorReply {
			n++
		}
	}
	return n
}

// reference is what a first sync stores of the vendor as of the clock.
func reference(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, customer bool) map[string]item.Ticket {
	t.Helper()
	ref := collectortest.NewStore()
	src, _ := simSource(t, sim, c, customer, ref, nil)
	mustSync(t, src, ref)
	return ref.Tickets()
}

// assertLikeReference checks that store holds every request as a first
// sync now does: updated at the same time, with the same replies (the
// solves and reopens a customer source tells from stored versions aside).
func assertLikeReference(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, customer bool, store *collectortest.Store) {
	t.Helper()
	stored, want := store.Tickets(), reference(t, sim, c, customer)
	if len(stored) != len(want) || len(want) == 0 {
		t.Errorf("%d requests stored, want the vendor's %d", len(stored), len(want))
	}
	for id, w := range want {
		if tk, ok := stored[id]; !ok || !tk.UpdatedAt.Equal(w.UpdatedAt) || repliesOf(tk) != repliesOf(w) || tk.Status != w.Status {
			t.Errorf("request %s stored as %s, updated %v, %d replies; want %s, %v, %d", id, tk.Status, tk.UpdatedAt, repliesOf(tk), w.Status, w.UpdatedAt, repliesOf(w))
		}
	}
}

// An agent's first sync asks who the account is and which desks it sees,
// searches them in update order, and reads each request's public comments
// and SLA cycles, as Jira expects the requests written.
func TestSimSyncQueriesAsJiraExpects(t *testing.T) {
	sim, c := simWorld(t, 5)
	src, wire := simSource(t, sim, c, false, collectortest.NewStore(), nil)
	rec := mustSync(t, src, collectortest.NewStore())
	first := rec.Batches[0].Tickets[0].ID
	want := []string{
		"/rest/api/3/myself",
		"/rest/servicedeskapi/servicedesk?limit=100&start=0",
		searchPath + "?" + url.Values{
			"jql":        {"project in (10000) ORDER BY updated ASC, key ASC"},
			"fields":     {"created,updated,priority,status,resolutiondate,reporter,labels"},
			"maxResults": {"100"},
		}.Encode(),
		requestList + "/" + first + "/comment?internal=false&limit=100&public=true&start=0",
		requestList + "/" + first + "/sla?limit=100&start=0",
	}
	if got := wire.Sent(); len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("requests:\n%s\nwant first:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The search pages are chained by their tokens, one batch a page; each
// cursor moves past the issues of its page. Every request is stored, its
// vendor replies and SLA cycles with it; a poll caught up costs one search.
func TestSimSyncPagesWithCursors(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, false, store, nil)
	rec := mustSync(t, src, store)
	if len(rec.Batches) != 3 || len(store.Tickets()) != 250 {
		t.Fatalf("%d batches, %d requests stored; want one batch a search page (3), and 250", len(rec.Batches), len(store.Tickets()))
	}
	var prev int64
	for i, b := range rec.Batches {
		cur, err := decodeCursor(b.Cursor)
		if err != nil || cur.Since <= prev {
			t.Errorf("batch %d: cursor %+v (%v), want its since past %d", i+1, cur, err, prev)
		}
		prev = cur.Since
	}
	_, tokens := searches(wire)
	if len(tokens) != 3 || tokens[0] != "" || tokens[1] == "" || tokens[2] == "" || tokens[1] == tokens[2] {
		t.Errorf("search pages chained by tokens %q, want a first page, then two tokens", tokens)
	}
	for _, tt := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
		tk := store.Tickets()[issueID(tt.ID)]
		if repliesOf(tk) != tt.Replies || !tk.CreatedAt.Equal(tt.Created) || tk.Figures == nil || tk.Figures.FirstResponseSLA == nil {
			t.Errorf("request %d: %d replies, created %v, figures %+v; want %d, %v and the SLA cycles", tt.ID, repliesOf(tk), tk.CreatedAt, tk.Figures, tt.Replies, tt.Created)
		}
		if solved := tt.Status == "solved" || tt.Status == "closed"; solved != (tk.Status == item.StatusSolved || tk.Status == item.StatusClosed) {
			t.Errorf("request %d: status %s, want %s", tt.ID, tk.Status, tt.Status)
		}
	}

	wire.Reset()
	again := mustSync(t, src, store)
	if got := wire.Sent(); len(got) != 1 || !strings.HasPrefix(got[0], searchPath+"?") || len(again.TicketIDs()) != 0 {
		t.Errorf("caught-up poll sent %q and stored %v, want one search and nothing", got, again.TicketIDs())
	}
}

// A restarted exporter resumes from the stored cursor: the search window
// starts ten minutes before the newest update stored, written in the
// account's zone, and only the requests changed since are read.
func TestSimSyncResumesFromStoredCursor(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, false, store, nil)
	mustSync(t, src, store)
	cur, _ := decodeCursor(store.Cursor())
	c.Add(2 * time.Hour)
	fresh, wire := simSource(t, sim, c, false, store, nil)
	rec := mustSync(t, fresh, store)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	window := time.UnixMilli(cur.Since).Add(-10 * time.Minute).In(berlin).Format("2006-01-02 15:04")
	if jql, _ := searches(wire); len(jql) == 0 || jql[0] != `project in (10000) AND updated >= "`+window+`" ORDER BY updated ASC, key ASC` {
		t.Errorf("jql %q, want the window from %s", jql, window)
	}
	var changed []string
	for _, tt := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
		if tt.Updated.UnixMilli() > cur.Since {
			changed = append(changed, issueID(tt.ID))
		}
	}
	got, read := rec.TicketIDs(), readDetails(wire)
	slices.Sort(got)
	slices.Sort(read)
	slices.Sort(changed)
	if len(changed) == 0 || !slices.Equal(got, changed) || !slices.Equal(read, changed) {
		t.Errorf("stored %v, read %v; want the requests changed since, %v", got, read, changed)
	}
}

// An update made while a sync runs moves the issue to the end of the
// update order: the same sync meets it again, and stores it as of now.
func TestSimSyncSeesUpdateMadeDuringSync(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, false, store, nil)
	pages := 0
	err := src.Sync(context.Background(), nil, func(b item.Batch) error {
		if pages++; pages == 1 {
			c.Add(6 * time.Hour)
		}
		return store.Emit(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	assertLikeReference(t, sim, c, false, store)
}

// An agent that may not read SLAs (403) gets the requests without
// figures, and is not asked again in the sync.
func TestSimSyncWithoutSLAAccess(t *testing.T) {
	sim, c := simWorld(t, 20)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, false, store, nil)
	wire.Override(requestList+"/*/sla", 0, http.StatusForbidden,
		`{"errorMessage":"You do not have permission to view the SLA information of this request.","i18nErrorMessage":{"i18nKey":"sd.customer.request.sla.error.permission","parameters":[]}}`, nil)
	mustSync(t, src, store)
	for id, tk := range store.Tickets() {
		if tk.Figures != nil {
			t.Errorf("request %s: figures %+v without SLA access", id, tk.Figures)
		}
	}
	if n := wire.Count("/sla"); n != 1 {
		t.Errorf("%d SLA requests, want the one refused", n)
	}
}

// A configured desk is looked up alone; the desks are not listed.
func TestSimSyncConfiguredServiceDesk(t *testing.T) {
	sim, c := simWorld(t, 20)
	src, wire := simSource(t, sim, c, false, collectortest.NewStore(), func(env *source.Env) {
		env.Config.Options.(*Options).ServiceDeskID = "1"
	})
	if rec := mustSync(t, src, collectortest.NewStore()); len(rec.TicketIDs()) != 20 {
		t.Errorf("%d requests, want the desk's 20", len(rec.TicketIDs()))
	}
	if wire.Count("/rest/servicedeskapi/servicedesk/1") != 1 || wire.Count("/rest/servicedeskapi/servicedesk?") != 0 {
		t.Errorf("desk lookups %q, want desk 1 alone", wire.Sent())
	}
}

// Requests created before the history start cost nothing, and one deleted
// between the search and its comments (404) is left out; the cursor moves
// past both.
func TestSimSyncSkipsOldAndDeletedRequests(t *testing.T) {
	sim, c := simWorld(t, 250)
	start := c.Now().Add(-5 * 24 * time.Hour)
	var want []string
	for _, tt := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
		if !tt.Created.Before(start) {
			want = append(want, issueID(tt.ID))
		}
	}
	slices.Sort(want)
	deleted := want[0]
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, false, store, func(env *source.Env) { env.HistoryStart = start })
	wire.Override(requestList+"/"+deleted+"/comment", 0, http.StatusNotFound,
		`{"errorMessage":"Request does not exist or you do not have permission to see it.","i18nErrorMessage":{"i18nKey":"sd.customer.request.error.notfound","parameters":[]}}`, nil)
	got := mustSync(t, src, store).TicketIDs()
	slices.Sort(got)
	if !slices.Equal(got, want[1:]) {
		t.Errorf("stored %d requests, want the %d created since the start but the deleted one", len(got), len(want)-1)
	}
	for _, id := range readDetails(wire) {
		if !slices.Contains(want, id) {
			t.Errorf("read the comments of %s, created before the history start", id)
		}
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if jql, _ := searches(wire); !strings.Contains(jql[0], `updated >= "`+start.In(berlin).Format("2006-01-02 15:04")+`"`) {
		t.Errorf("first jql %q does not start at the history start", jql[0])
	}
}

// The scope (the account, the desks) is resolved again after an hour.
func TestSimSyncRefreshesScopeHourly(t *testing.T) {
	sim, c := simWorld(t, 5)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, false, store, nil)
	for _, step := range []time.Duration{0, 59 * time.Minute, 2 * time.Minute} {
		c.Add(step)
		mustSync(t, src, store)
	}
	if n := wire.Count("/rest/api/3/myself"); n != 2 {
		t.Errorf("scope resolved %d times in 61 minutes, want 2", n)
	}
}

// Answers that are not Jira's, or that lead in a circle: each fails the
// sync with its reason. The vendor's own failures (statuses, damaged and
// cut bodies) are the conformance suite's
// (collectors/conformance_faults_test.go).
func TestSimSyncErrors(t *testing.T) {
	tests := []struct {
		name, path, body string
		status           int
		customer         bool
		wantReason       string
	}{
		{"search without issues", searchPath, `{"isLast":true}`, 200, false, fetch.ReasonDecode},
		{"issue without fields", searchPath, `{"issues":[{"id":"1","key":"A-1"}],"isLast":true}`, 200, false, fetch.ReasonDecode},
		{"stuck paging", searchPath, `{"issues":[],"isLast":false}`, 200, false, fetch.ReasonDecode},
		{"comments without isLastPage", requestList + "/*/comment", `{"values":[]}`, 200, false, fetch.ReasonDecode},
		{"comment without date", requestList + "/*/comment", `{"isLastPage":true,"values":[{"public":true}]}`, 200, false, fetch.ReasonDecode},
		{"sla server error", requestList + "/*/sla", `{"errorMessage":"Bad gateway"}`, http.StatusBadGateway, false, fetch.ReasonHTTP},
		{"unknown time zone", "/rest/api/3/myself", `{"timeZone":"Mars/Olympus"}`, 200, false, fetch.ReasonDecode},
		{"desk without project", "/rest/servicedeskapi/servicedesk", `{"isLastPage":true,"values":[{"id":"10"}]}`, 200, false, fetch.ReasonDecode},
		{"list without isLastPage", requestList, `{"values":[]}`, 200, true, fetch.ReasonDecode},
		{"request without status", requestList, `{"isLastPage":true,"values":[{"issueId":"1","createdDate":{"epochMillis":1}}]}`, 200, true, fetch.ReasonDecode},
		{"request without id", requestList, `{"isLastPage":true,"values":[{"createdDate":{"epochMillis":1}}]}`, 200, true, fetch.ReasonDecode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sim, c := simWorld(t, 5)
			src, wire := simSource(t, sim, c, tc.customer, collectortest.NewStore(), nil)
			wire.Override(tc.path, 1, tc.status, tc.body, nil)
			_, err := syncStored(context.Background(), src, collectortest.NewStore())
			collectortest.WantSyncError(t, err, tc.wantReason, "jira_service_management: ")
		})
	}
}

// realSearch is the vendor's first search page of n issues, as Jira
// answers it, decoded.
func realSearch(t *testing.T, sim *simulator.Sim, n int) map[string]any {
	t.Helper()
	var page map[string]any
	user, pass := sim.JSMCredentials(collectortest.SimVendor)
	q := url.Values{"jql": {"project in (10000) ORDER BY updated ASC, key ASC"}, "fields": {"created,updated,priority,status,resolutiondate,reporter,labels"},
		"maxResults": {strconv.Itoa(n)}}
	req, _ := http.NewRequest(http.MethodGet, sim.URL(collectortest.SimVendor, simulator.KindJSM)+searchPath+"?"+q.Encode(), nil)
	req.SetBasicAuth(user, pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	return page
}

// A search whose isLast stays false ends the sync with reason loop: at a
// page that only repeats issues handled before, a page without issues, or
// a token followed before.
func TestSimSearchEndsWhenItCircles(t *testing.T) {
	sim, c := simWorld(t, 5)
	page := realSearch(t, sim, 2)
	issues := page["issues"].([]any)
	body := func(issues []any, token string) string {
		return string(collectortest.Marshal(t, map[string]any{"issues": issues, "nextPageToken": token, "isLast": false}))
	}
	cases := []struct {
		name         string
		pages        []string
		wantRequests int
		wantTickets  int
		wantErr      string
	}{
		{"the same issues under new tokens", []string{body(issues, "tok-1"), body(issues, "tok-2"), body(issues, "tok-3")}, 2, 2,
			"the page only repeats issues handled earlier in this sync"},
		{"no issues under new tokens", []string{body([]any{}, "tok-1"), body([]any{}, "tok-2")}, 1, 0, "isLast is false on a page without issues"},
		{"a token followed before", []string{body(issues[:1], "tok-a"), body(issues[1:], "tok-a"), body(issues, "tok-a")}, 2, 2,
			"nextPageToken tok-a was followed earlier in this sync"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := collectortest.NewStore()
			src, wire := simSource(t, sim, c, false, store, nil)
			for i, b := range tc.pages {
				wire.Override(searchPath, i+1, http.StatusOK, b, nil)
			}
			rec, err := syncStored(context.Background(), src, store)
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, "jira_service_management: search page ")
			if err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not say %q", err, tc.wantErr)
			}
			if jql, _ := searches(wire); len(jql) != tc.wantRequests {
				t.Errorf("%d search requests, want %d", len(jql), tc.wantRequests)
			}
			if n := len(rec.TicketIDs()); n != tc.wantTickets {
				t.Errorf("stored %v, want %d requests", rec.TicketIDs(), tc.wantTickets)
			}
		})
	}
}

// A servicedeskapi collection whose isLastPage stays false ends at the
// first page without a new value.
func TestSimCollectionEndsWhenItCircles(t *testing.T) {
	sim, c := simWorld(t, 5)
	src, wire := simSource(t, sim, c, false, collectortest.NewStore(), nil)
	comment := `{"id":"1000","public":true,"author":{"accountId":"agent-1"},"created":{"epochMillis":1772442060000}}`
	wire.Override(requestList+"/*/comment", 0, http.StatusOK, `{"size":1,"isLastPage":false,"values":[`+comment+`]}`, nil)
	_, err := syncStored(context.Background(), src, collectortest.NewStore())
	collectortest.WantSyncError(t, err, fetch.ReasonLoop, "jira_service_management: search page 1: request ")
	if n := wire.Count("/comment"); n != 2 {
		t.Errorf("%d comment requests, want 2", n)
	}
}

// An issue or its details dated far in the future or before any helpdesk
// (a vendor clock gone wrong, which moves SLA deadlines as well) is kept
// out of the cursor: the search ends before the first, refused, and the
// issues from it on are taken once Jira dates them plausibly. A cursor
// stored in the future starts over.
func TestSimSearchLeavesOutImplausibleIssues(t *testing.T) {
	for _, tc := range []struct {
		fault  simulator.Fault
		reason string
	}{{simulator.FaultFutureTimes, door.ReasonFuture}, {simulator.FaultPastTimes, door.ReasonPast}} {
		t.Run(tc.reason, func(t *testing.T) {
			sim, c := simWorld(t, 250)
			if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindJSM, simulator.Spec{Fault: tc.fault, Since: c.Now().Add(-6 * time.Hour), Requests: 1 << 20}); err != nil {
				t.Fatal(err)
			}
			rejected := map[string]int{}
			store := collectortest.NewStore()
			src, _ := simSource(t, sim, c, false, store, func(env *source.Env) { env.Reject = func(r string) { rejected[r]++ } })
			mustSync(t, src, store)
			sim.EndFaults(collectortest.SimVendor, simulator.KindJSM)
			first := len(store.Tickets())
			if first == 250 || rejected[tc.reason] == 0 {
				t.Errorf("stored %d, rejected %v; want the search ended at a refused issue", first, rejected)
			}
			if got := len(mustSync(t, src, store).TicketIDs()); first+got != 250 {
				t.Errorf("once dated plausibly: took %d more, want the %d left", got, 250-first)
			}
			assertLikeReference(t, sim, c, false, store)
		})
	}
	sim, c := simWorld(t, 20)
	store := collectortest.NewStore()
	_ = store.Emit(item.Batch{Cursor: cursor{Since: time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()}.encode()})
	src, _ := simSource(t, sim, c, false, store, nil)
	if got := len(mustSync(t, src, store).TicketIDs()); got != 20 {
		t.Errorf("from a cursor in the future: stored %d requests, want all 20", got)
	}
}

// A request updated plausibly whose comments carry a time the exporter
// would refuse (a vendor clock gone wrong between the search and the
// comments) is refused, and the search ends before it rather than store
// a cursor past it: the next sync reads it again.
func TestSimSearchEndsBeforeAnIssueWithImplausibleDetails(t *testing.T) {
	sim, c := simWorld(t, 20)
	store := collectortest.NewStore()
	rejected := map[string]int{}
	src, wire := simSource(t, sim, c, false, store, func(env *source.Env) { env.Reject = func(r string) { rejected[r]++ } })
	page := realSearch(t, sim, 20)
	third := page["issues"].([]any)[2].(map[string]any)["id"].(string)
	wire.Override(requestList+"/"+third+"/comment", 1, http.StatusOK,
		`{"size":1,"start":0,"limit":100,"isLastPage":true,"values":[{"id":"1","public":true,"author":{"accountId":"agent-1"},"created":{"epochMillis":-1000}}]}`, nil)
	first := mustSync(t, src, store).TicketIDs()
	if len(first) != 2 || rejected[door.ReasonPast] != 1 || slices.Contains(readDetails(wire), page["issues"].([]any)[3].(map[string]any)["id"].(string)) {
		t.Errorf("first sync stored %v, rejected %v; want the two issues before the refused one, nothing after", first, rejected)
	}
	if got := mustSync(t, src, store).TicketIDs(); len(got) != 18 || got[0] != third {
		t.Errorf("second sync stored %v, want the 18 from the refused one", got)
	}
}

// A first search larger than max_requests_per_sync completes over several
// syncs: each stores the issues it read before the budget ran out, within
// a page, and the next resumes after them. Every request is stored once.
func TestSimSearchLargerThanTheBudgetCompletes(t *testing.T) {
	sim, c := simWorld(t, 250)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, false, store, nil)
	const budget = 10 // the scope (2), the search page (1) and the details of 3 or 4 issues
	stored, syncs := syncsUntilDone(t, src, store, budget)
	for id, n := range stored {
		if n != 1 {
			t.Errorf("request %s stored %d times", id, n)
		}
	}
	if len(stored) != 250 || syncs < 250/4 || wire.Count("") > syncs*budget {
		t.Errorf("%d requests stored in %d syncs, %d requests sent", len(stored), syncs, wire.Count(""))
	}
}

// syncsUntilDone syncs src under the budget until a sync completes, each
// sync before it ending with reason budget; it returns how many times each
// request was stored, and the number of syncs.
func syncsUntilDone(t *testing.T, src source.Source, store *collectortest.Store, budget int) (map[string]int, int) {
	t.Helper()
	stored := map[string]int{}
	for n := 1; n <= 200; n++ {
		rec, err := syncStored(fetch.StartSync(context.Background(), budget), src, store)
		for _, id := range rec.TicketIDs() {
			stored[id]++
		}
		switch {
		case err == nil:
			return stored, n
		case fetch.Reason(err) != fetch.ReasonBudget:
			t.Fatalf("sync %d: %v, want the budget", n, err)
		}
	}
	t.Fatal("200 syncs did not complete")
	return nil, 0
}

// A portal customer's sync lists the requests and reads their public
// comments: no search, no desks, no SLAs, however long it runs.
func TestSimCustomerSyncListsRequests(t *testing.T) {
	sim, c := simWorld(t, 150)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, true, store, nil)
	for i := range 3 {
		if i > 0 {
			c.Add(61 * time.Minute)
		}
		mustSync(t, src, store)
	}
	for _, p := range []string{searchPath, "/rest/api/3/myself", "/rest/servicedeskapi/servicedesk", "/sla"} {
		if n := wire.Count(p); n != 0 {
			t.Errorf("%d requests to %s in customer mode", n, p)
		}
	}
	if n := wire.Count(requestList + "?"); n != 3*2 {
		t.Errorf("%d list pages in 3 polls, want 2 a poll", n)
	}
	assertLikeReference(t, sim, c, true, store)
}

// Each poll lists every request, but only those with new activity cost a
// comment request: those that moved up the list, those whose status moved,
// and the first one.
func TestSimCustomerPollFetchesOnlyChangedRequests(t *testing.T) {
	sim, c := simWorld(t, 150)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, true, store, nil)
	mustSync(t, src, store)
	before := c.Now()
	wire.Reset()
	mustSync(t, src, store)
	if read := readDetails(wire); len(read) != 1 {
		t.Errorf("nothing new: read %v, want the first listed request alone", read)
	}
	c.Add(3 * time.Hour)
	wire.Reset()
	mustSync(t, src, store)
	changed := 0
	for _, tt := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
		if tt.Updated.After(before) {
			changed++
		}
	}
	if read := readDetails(wire); changed == 0 || len(read) < changed || len(read) > changed+5 {
		t.Errorf("read %d requests' comments, want about the %d changed", len(read), changed)
	}
	assertLikeReference(t, sim, c, true, store)
}

// The listing shows the current status only: solves and reopens are told
// from the stored version, at the status date. A scripted request is
// answered, solved, reopened and solved again, one poll at each step.
func TestSimCustomerSolveAndReopen(t *testing.T) {
	created := collectortest.SimStart.Add(-48 * time.Hour)
	v := collectortest.SmallVendor(0)
	v.Script = []simulator.ScriptedTicket{{Created: created, Priority: "normal", Steps: []simulator.ScriptStep{
		{At: time.Minute, Kind: simulator.VendorReply},
		{At: 2 * time.Hour, Kind: simulator.Solve},
		{At: 3 * time.Hour, Kind: simulator.Reopen},
		{At: 5 * time.Hour, Kind: simulator.Solve},
	}}}
	c := collectortest.NewClock(created.Add(10 * time.Minute))
	sim := collectortest.StartSim(t, c, v)
	store := collectortest.NewStore()
	src, _ := simSource(t, sim, c, true, store, nil)
	at := func(d time.Duration) item.Event { return item.Event{At: created.Add(d)} }
	solved, reopened := func(d time.Duration) item.Event { e := at(d); e.Kind = item.EventSolved; return e },
		func(d time.Duration) item.Event { e := at(d); e.Kind = item.EventReopened; return e }
	steps := []struct {
		now  time.Duration
		want []item.Event
	}{
		{10 * time.Minute, nil},
		{150 * time.Minute, []item.Event{solved(2 * time.Hour)}},
		{210 * time.Minute, []item.Event{solved(2 * time.Hour), reopened(3 * time.Hour)}},
		{6 * time.Hour, []item.Event{solved(2 * time.Hour), reopened(3 * time.Hour), solved(5 * time.Hour)}},
	}
	for i, st := range steps {
		c.Set(created.Add(st.now))
		mustSync(t, src, store)
		var got []item.Event
		for _, e := range store.Tickets()[issueID(1)].Events {
			if e.Kind == item.EventSolved || e.Kind == item.EventReopened {
				got = append(got, e)
			}
		}
		if !slices.Equal(got, st.want) {
			t.Errorf("step %d: solves and reopens %+v, want %+v", i, got, st.want)
		}
	}
}

// A portal customer with a configured desk lists that desk; the requests
// created before the history start are left out.
func TestSimCustomerSyncConfiguredDeskAndHistoryStart(t *testing.T) {
	sim, c := simWorld(t, 150)
	start := c.Now().Add(-5 * 24 * time.Hour)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, true, store, func(env *source.Env) {
		env.Config.Options.(*Options).ServiceDeskID = "1"
		env.HistoryStart = start
	})
	mustSync(t, src, store)
	want := 0
	for _, tt := range sim.Truth(collectortest.SimVendor, c.Now()).Tickets {
		if !tt.Created.Before(start) {
			want++
		}
	}
	if n := len(store.Tickets()); n != want {
		t.Errorf("stored %d requests, want the %d created since the start", n, want)
	}
	if n := wire.Count("serviceDeskId=1"); n == 0 {
		t.Errorf("requests %q, want the desk's list", wire.Sent())
	}
}

// A portal customer configured as an agent (api: agent, the default) is
// not polled as a customer: the refused search fails the sync and says
// what to set.
func TestSimAgentModeSearchRefusedSaysWhatToSet(t *testing.T) {
	sim, c := simWorld(t, 5)
	body := strings.Replace(sim.JSMCustomerSourceYAML(collectortest.SimVendor), "api: customer", "api: agent", 1)
	env, wire := collectortest.SimEnv(t, simKind, body, c.Now)
	err := collectortest.NewSource(t, New, env).Sync(context.Background(), nil, func(item.Batch) error {
		t.Error("a batch stored after the refused search")
		return nil
	})
	collectortest.WantSyncError(t, err, fetch.ReasonHTTP, "jira_service_management: search page 1: ")
	var fe *fetch.Error
	if err != nil && (!strings.Contains(err.Error(), "if it is a portal customer, set api: customer") || !errors.As(err, &fe) || fe.Status != http.StatusBadRequest) {
		t.Errorf("error %q, want the 400 and what to set", err)
	}
	if n := wire.Count(requestList); n != 0 {
		t.Errorf("%d request-list calls: an agent source must not list as a customer", n)
	}
}

// Each mode starts over from the other's stored cursor: a switch of api
// is a reconfiguration, not a guess.
func TestSimModesReplaceEachOthersCursor(t *testing.T) {
	sim, c := simWorld(t, 20)
	store := collectortest.NewStore()
	agent, _ := simSource(t, sim, c, false, store, nil)
	mustSync(t, agent, store)
	customer, _ := simSource(t, sim, c, true, store, nil)
	if got := len(mustSync(t, customer, store).TicketIDs()); got != 20 {
		t.Errorf("customer mode from a search cursor stored %d requests, want all 20", got)
	}
	var cur cursor
	if err := json.Unmarshal(store.Cursor(), &cur); err != nil || len(cur.Requests) != 20 || cur.Since != 0 || len(cur.Seen) != 0 {
		t.Errorf("cursor after the listing %s (%v): want the listing alone", store.Cursor(), err)
	}
	if got := len(mustSync(t, agent, store).TicketIDs()); got != 20 {
		t.Errorf("agent mode from a listing cursor stored %d requests, want all 20", got)
	}
	var searched cursor
	if err := json.Unmarshal(store.Cursor(), &searched); err != nil || len(searched.Requests) != 0 || searched.Since == 0 {
		t.Errorf("cursor after the search %s (%v): want the search's alone", store.Cursor(), err)
	}
}

// In customer mode a request whose ticket has an implausible time (a
// vendor clock gone wrong, before 1970 included) is left out without its
// comments being read, and listed so that the next poll reads it again.
func TestSimCustomerLeavesOutImplausibleRequests(t *testing.T) {
	for _, tc := range []struct {
		spec   simulator.Spec
		reason string
	}{
		{simulator.Spec{Fault: simulator.FaultFutureTimes}, door.ReasonFuture},
		{simulator.Spec{Fault: simulator.FaultPastTimes, Years: 100}, door.ReasonPast}, // epochMillis before 1970
	} {
		t.Run(tc.reason, func(t *testing.T) {
			sim, c := simWorld(t, 150)
			tc.spec.Since, tc.spec.Requests = c.Now().Add(-6*time.Hour), 1
			if err := sim.InjectSpec(collectortest.SimVendor, simulator.KindJSM, tc.spec); err != nil {
				t.Fatal(err)
			}
			rejected := map[string]int{}
			store := collectortest.NewStore()
			src, _ := simSource(t, sim, c, true, store, func(env *source.Env) { env.Reject = func(r string) { rejected[r]++ } })
			mustSync(t, src, store)
			if rejected[tc.reason] == 0 || len(store.Tickets()) == 150 {
				t.Errorf("rejected %v with %d stored, want the requests listed with implausible times left out", rejected, len(store.Tickets()))
			}
			mustSync(t, src, store)
			assertLikeReference(t, sim, c, true, store)
		})
	}
}

// A first listing larger than max_requests_per_sync completes over several
// syncs, each reading only what the previous ones did not; each request is
// stored once, but for the first listed one, which every poll reads.
func TestSimCustomerListingLargerThanTheBudgetCompletes(t *testing.T) {
	sim, c := simWorld(t, 150)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, c, true, store, nil)
	const budget = 20 // the 2 pages of the listing leave 18 comment requests a sync
	stored, syncs := syncsUntilDone(t, src, store, budget)
	if len(stored) != 150 {
		t.Errorf("%d requests stored, want 150", len(stored))
	}
	several := 0
	for _, n := range stored {
		if n != 1 {
			several++
		}
	}
	if several > 1 || syncs > 150/18+2 || wire.Count("") > syncs*budget {
		t.Errorf("%d requests stored more than once, %d syncs, %d requests: want the first listed alone again, about %d syncs",
			several, syncs, wire.Count(""), 150/18+1)
	}
}

// The body cap fits a response of maxBodyBytes and refuses one byte more.
func TestSimNewCapsResponseSize(t *testing.T) {
	for _, tc := range []struct {
		size int
		ok   bool
	}{{maxBodyBytes, true}, {maxBodyBytes + 1, false}} {
		sim, c := simWorld(t, 1)
		src, wire := simSource(t, sim, c, false, collectortest.NewStore(), nil)
		head := `{"issues":[],"isLast":true,"pad":"`
		wire.Override(searchPath, 0, http.StatusOK, head+strings.Repeat("x", tc.size-len(head)-3)+"\"}\n", nil)
		_, err := syncStored(context.Background(), src, collectortest.NewStore())
		if ok := err == nil; ok != tc.ok {
			t.Errorf("response of %d bytes: error %v, want accepted %v", tc.size, err, tc.ok)
		}
	}
}
