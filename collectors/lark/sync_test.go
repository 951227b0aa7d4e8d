package lark

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

const (
	testApp    = "cli_a1b2c3d4e5f6a7b8"
	testSecret = "s3cr3t-app-secret-value"
	testChat   = "oc_5ad11d72b830411d72b836c20"
)

// groupFake answers the token endpoint and the message list from what the
// test sets: chat lists the chat newest first (as one page), threads the
// topic threads by id.
type groupFake struct {
	mu       sync.Mutex
	chat     []string // messages, newest first
	threads  map[string][]string
	tokens   int    // token requests
	expire   int    // the expire of tokens handed out
	refuse   int    // messages requests to answer 99991663 first
	refuseOK bool   // with HTTP 200 rather than 400
	same     bool   // the token endpoint hands out the same token every time
	tokenErr string // when set, the token endpoint's answer: status|body
	// threadPage, when set, pages the threads by that many messages;
	// threadCalls counts the thread requests, threadSort their sort_type.
	threadPage  int
	threadCalls int
	threadSort  []string
	threadFail  map[string]string // thread id: status|body answered for it
	fail        string            // when set, the answer to every messages request: status|body
	auth        []string          // Authorization of each messages request
	tokenSaw    []string          // Authorization of each token request
}

func (f *groupFake) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch r.URL.Path {
	case "/" + tokenPath:
		f.tokens++
		f.tokenSaw = append(f.tokenSaw, r.Header.Get("Authorization"))
		if f.tokenErr != "" {
			status, body, _ := strings.Cut(f.tokenErr, "|")
			code, _ := strconv.Atoi(status)
			rw.WriteHeader(code)
			_, _ = rw.Write([]byte(body))
			return
		}
		var in struct{ AppID, AppSecret string }
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &struct {
			AppID     *string `json:"app_id"`
			AppSecret *string `json:"app_secret"`
		}{&in.AppID, &in.AppSecret})
		if r.Method != http.MethodPost || in.AppID != testApp || in.AppSecret != testSecret {
			rw.WriteHeader(http.StatusBadRequest)
			_, _ = rw.Write([]byte(`{"code":10014,"msg":"app secret invalid"}`))
			return
		}
		n := f.tokens
		if f.same {
			n = 1
		}
		_, _ = rw.Write([]byte(`{"code":0,"msg":"ok","tenant_access_token":"t-` + strings.Repeat("x", n) + `","expire":` + itoa(f.expire) + `}`))
	case "/open-apis/im/v1/messages":
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		if f.refuse > 0 {
			f.refuse--
			if !f.refuseOK {
				rw.WriteHeader(http.StatusBadRequest)
			}
			_, _ = rw.Write([]byte(`{"code":99991663,"msg":"Invalid access token for authorization. Please make a request with token attached."}`))
			return
		}
		if f.fail != "" {
			status, body, _ := strings.Cut(f.fail, "|")
			code := map[string]int{"400": 400, "429": 429, "500": 500, "200": 200}[status]
			if code == 429 {
				rw.Header().Set("X-Ogw-Ratelimit-Reset", "2")
			}
			rw.WriteHeader(code)
			_, _ = rw.Write([]byte(body))
			return
		}
		items := f.chat
		q := r.URL.Query()
		hasMore, token := false, ""
		if q.Get("container_id_type") == "thread" {
			f.threadCalls++
			f.threadSort = append(f.threadSort, q.Get("sort_type"))
			if fail := f.threadFail[q.Get("container_id")]; fail != "" {
				status, body, _ := strings.Cut(fail, "|")
				code, _ := strconv.Atoi(status)
				rw.WriteHeader(code)
				_, _ = rw.Write([]byte(body))
				return
			}
			items = slices.Clone(f.threads[q.Get("container_id")]) // oldest first
			if q.Get("sort_type") == "ByCreateTimeDesc" {
				slices.Reverse(items)
			}
			if f.threadPage > 0 {
				from, _ := strconv.Atoi(q.Get("page_token"))
				end := min(from+f.threadPage, len(items))
				if end < len(items) {
					hasMore, token = true, strconv.Itoa(end)
				}
				items = items[min(from, end):end]
			}
		} else if q.Get("sort_type") != "ByCreateTimeDesc" || q.Get("container_id") != testChat || q.Get("page_size") != "50" {
			rw.WriteHeader(http.StatusBadRequest)
			_, _ = rw.Write([]byte(`{"code":230001,"msg":"Your request contains an invalid request parameter."}`))
			return
		}
		_, _ = rw.Write([]byte(`{"code":0,"msg":"success","data":{"has_more":` + strconv.FormatBool(hasMore) + `,"page_token":"` + token + `","items":[` + strings.Join(items, ",") + `]}}`))
	default:
		http.NotFound(rw, r)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// msg writes a message of the list: id, root ("" for a top-level one),
// sender (ou_… a user, cli_… an app), tenant, create time in seconds,
// text.
func msg(id, root, sender, tenant string, at int64, text string) string {
	kind, idType := "user", "open_id"
	if strings.HasPrefix(sender, "cli_") {
		kind, idType = "app", "app_id"
	}
	content, _ := json.Marshal(map[string]string{"text": text})
	m := map[string]any{
		"message_id": id, "msg_type": "text", "create_time": itoa(int(at * 1000)), "update_time": itoa(int(at * 1000)),
		"deleted": false, "updated": false, "chat_id": testChat,
		"sender": map[string]string{"id": sender, "id_type": idType, "sender_type": kind, "tenant_key": tenant},
		"body":   map[string]string{"content": string(content)},
	}
	if root != "" {
		m["root_id"], m["parent_id"] = root, root
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func setChat(f *groupFake, msgs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chat = msgs
}

const t0 = int64(1773000000)

func testEnv(t *testing.T, srv *httptest.Server, now *time.Time, store *collectortest.Store) source.Env {
	t.Helper()
	env := collectortest.Env("lark", srv.URL, srv.Client())
	env.Config.HTTPClient.BasicAuth = &commoncfg.BasicAuth{Username: testApp, Password: commoncfg.Secret(testSecret)}
	env.Config.Options = &Options{ChatID: testChat, VendorTenants: []string{"vendortenant"}, VendorUsers: []string{"ou_vendorinbuyer"},
		SolvedPatterns: []string{defaultSolvedPattern}, RereadWindow: 24 * time.Hour}
	env.Now = func() time.Time { return *now }
	env.Stored = store.Stored
	return env
}

// serveGroup serves fake until the test ends and reads it with a new
// source of testEnv, whose clock stands at *now, into a new store.
func serveGroup(t *testing.T, fake *groupFake, now *time.Time) (*collectortest.Store, source.Source) {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	store := collectortest.NewStore()
	return store, collectortest.NewSource(t, New, testEnv(t, srv, now, store))
}

func TestSyncRules(t *testing.T) {
	fake := &groupFake{expire: 7200}
	now := time.Unix(t0+86400, 0).UTC()
	store, src := serveGroup(t, fake, &now)
	sync := func() {
		t.Helper()
		if err := src.Sync(context.Background(), store.Cursor(), store.Emit); err != nil {
			t.Fatal(err)
		}
	}
	// Newest first, as Lark lists with ByCreateTimeDesc.
	setChat(fake,
		msg("om_r5", "om_root", "ou_buyer1", "buyertenant", t0+5000, "It is happening again."),
		msg("om_r4", "om_root", "ou_vendor1", "vendortenant", t0+4000, "#solved this is fixed"),
		msg("om_bot", "om_root", "cli_vendorbot", "vendortenant", t0+3500, "#escalated #urgent"),
		msg("om_r3", "om_root", "ou_buyer2", "buyertenant", t0+3000, "here are the logs"),
		msg("om_r2", "om_root", "ou_vendorinbuyer", "buyertenant", t0+2000, "looking"),
		msg("om_r1", "om_root", "ou_vendor1", "vendortenant", t0+1000, "can you send logs?"),
		msg("om_vendortop", "", "ou_vendor1", "vendortenant", t0+500, "maintenance tonight #low"),
		msg("om_apptop", "", "cli_somebot", "buyertenant", t0+400, "deploy finished"),
		msg("om_root", "", "ou_buyer1", "buyertenant", t0, "API returns 500 #high"),
	)
	sync()
	got := store.Tickets()
	if len(got) != 1 {
		t.Fatalf("tickets %v, want the buyer's one", got)
	}
	tk := got["om_root"]
	want := []item.Event{
		{Kind: item.EventVendorReply, At: time.Unix(t0+1000, 0).UTC(), Ref: "om_r1"},
		{Kind: item.EventVendorReply, At: time.Unix(t0+2000, 0).UTC(), Ref: "om_r2"},
		{Kind: item.EventCustomerReply, At: time.Unix(t0+3000, 0).UTC(), Ref: "om_r3"},
		{Kind: item.EventVendorReply, At: time.Unix(t0+4000, 0).UTC(), Ref: "om_r4"},
		{Kind: item.EventSolved, At: time.Unix(t0+4000, 0).UTC(), Ref: "om_r4"},
		{Kind: item.EventReopened, At: time.Unix(t0+5000, 0).UTC(), Ref: "om_r5"},
		{Kind: item.EventCustomerReply, At: time.Unix(t0+5000, 0).UTC(), Ref: "om_r5"},
	}
	if !tk.CreatedAt.Equal(time.Unix(t0, 0)) || tk.Status != item.StatusOpen || !tk.UpdatedAt.Equal(time.Unix(t0+5000, 0)) ||
		!slices.Equal(tk.Tags, []string{"escalated", "high", "solved", "urgent"}) || !slices.EqualFunc(tk.Events, want, sameEvent) {
		t.Fatalf("ticket %+v", tk)
	}

	// A day later: the ticket's message is past the window; a new vendor
	// reply to it joins the stored ticket, solving it again; the replies
	// listed again in the window are not counted twice.
	now = now.Add(24 * time.Hour)
	setChat(fake,
		msg("om_r6", "om_root", "ou_vendor1", "vendortenant", t0+90000, "Deployed the fix. #SOLVED"),
		msg("om_r5", "om_root", "ou_buyer1", "buyertenant", t0+5000, "It is happening again."),
	)
	sync()
	tk = store.Tickets()["om_root"]
	if tk.Status != item.StatusSolved || len(tk.Events) != 9 || tk.Events[8].Kind != item.EventSolved || !tk.UpdatedAt.Equal(time.Unix(t0+90000, 0)) {
		t.Fatalf("ticket after the late reply %+v", tk)
	}
	// Nothing new: nothing stored again.
	var rec collectortest.Recorder
	if err := src.Sync(context.Background(), store.Cursor(), rec.Emit); err != nil {
		t.Fatal(err)
	}
	for _, b := range rec.Batches {
		if len(b.Tickets) > 0 {
			t.Errorf("a sync without news stored %+v", b.Tickets)
		}
	}
	if fake.tokens != 2 {
		t.Errorf("%d token requests, want 2: the first expired in the day between the polls", fake.tokens)
	}
	// The message requests carry the bearer token, never the app's
	// basic auth.
	for _, a := range fake.auth {
		if a != "Bearer t-x" && a != "Bearer t-xx" {
			t.Errorf("a message request carried Authorization %q", a)
		}
	}
}

func sameEvent(a, b item.Event) bool { return a.Kind == b.Kind && a.At.Equal(b.At) && a.Ref == b.Ref }

// TestTopicThreadAndDeleted: a ticket message that opened a topic thread
// has its replies read from the thread; a recalled ticket message makes
// no ticket.
func TestTopicThreadAndDeleted(t *testing.T) {
	fake := &groupFake{expire: 7200, threads: map[string][]string{"omt_1": {
		msg("om_t1", "", "ou_buyer1", "buyertenant", t0, "topic"),
		msg("om_t2", "om_t1", "ou_vendor1", "vendortenant", t0+60, "on it"),
	}}}
	now := time.Unix(t0+3600, 0).UTC()
	store, src := serveGroup(t, fake, &now)
	root := strings.Replace(msg("om_t1", "", "ou_buyer1", "buyertenant", t0, "topic"), `"msg_type"`, `"thread_id":"omt_1","msg_type"`, 1)
	gone := strings.Replace(msg("om_gone", "", "ou_buyer1", "buyertenant", t0+10, "oops"), `"deleted":false`, `"deleted":true`, 1)
	setChat(fake, msg("om_goner", "om_gone", "ou_vendor1", "vendortenant", t0+20, "?"), gone, root)
	if err := src.Sync(context.Background(), nil, store.Emit); err != nil {
		t.Fatal(err)
	}
	got := store.Tickets()
	if len(got) != 1 || len(got["om_t1"].Events) != 1 || got["om_t1"].Events[0].Ref != "om_t2" {
		t.Fatalf("tickets %+v", got)
	}
}

// TestTokenRefusedOnce: a token Lark refuses is replaced once and the
// request sent again; refused again, the sync fails with auth.
func TestTokenRefusedOnce(t *testing.T) {
	fake := &groupFake{expire: 7200, refuse: 1}
	now := time.Unix(t0+3600, 0).UTC()
	store, src := serveGroup(t, fake, &now)
	setChat(fake, msg("om_a", "", "ou_buyer1", "buyertenant", t0, "help"))
	if err := src.Sync(context.Background(), nil, store.Emit); err != nil {
		t.Fatal(err)
	}
	if fake.tokens != 2 || len(store.Tickets()) != 1 {
		t.Fatalf("%d token requests, tickets %v", fake.tokens, store.Tickets())
	}
	// Refused with a 200, under a sync's loop check: the same request
	// with the new token is no loop.
	fake.mu.Lock()
	fake.refuse, fake.refuseOK = 1, true
	fake.mu.Unlock()
	if err := src.Sync(fetch.StartSync(context.Background(), 10), store.Cursor(), store.Emit); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	fake.refuseOK = false
	fake.mu.Unlock()
	fake.mu.Lock()
	fake.refuse = 2
	fake.mu.Unlock()
	err := src.Sync(context.Background(), store.Cursor(), store.Emit)
	if fetch.Reason(err) != fetch.ReasonAuth || !strings.Contains(err.Error(), "99991663") {
		t.Fatalf("err = %v, want auth with the code", err)
	}
}

// TestTokenRefusedSameTokenBack: Lark refuses a token and its token
// endpoint hands the same one back (a revoked app still inside the
// token's two hours): the refusal is the answer, auth, and the request is
// not sent again with the token just refused (under a sync's loop check
// the resend would be the same request, a `loop`).
func TestTokenRefusedSameTokenBack(t *testing.T) {
	fake := &groupFake{expire: 7200, refuse: 2, refuseOK: true, same: true}
	now := time.Unix(t0+3600, 0).UTC()
	store, src := serveGroup(t, fake, &now)
	setChat(fake, msg("om_a", "", "ou_buyer1", "buyertenant", t0, "help"))
	err := src.Sync(fetch.StartSync(context.Background(), 10), nil, store.Emit)
	if fetch.Reason(err) != fetch.ReasonAuth || !strings.Contains(err.Error(), "99991663") {
		t.Fatalf("err = %v, want auth with the code", err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.auth) != 1 || fake.tokens != 2 {
		t.Errorf("%d message requests, %d token requests; want 1 and 2 (no resend with the refused token)", len(fake.auth), fake.tokens)
	}
}

// TestTokenRenewedBeforeExpiry: a token is asked for again in its last 30
// minutes, not when a request fails.
func TestTokenRenewedBeforeExpiry(t *testing.T) {
	fake := &groupFake{expire: 7200}
	now := time.Unix(t0+3600, 0).UTC()
	store, src := serveGroup(t, fake, &now)
	for _, step := range []time.Duration{0, 89 * time.Minute, 2 * time.Minute} {
		now = now.Add(step)
		if err := src.Sync(context.Background(), store.Cursor(), store.Emit); err != nil {
			t.Fatal(err)
		}
	}
	if fake.tokens != 2 {
		t.Fatalf("%d token requests, want 2 (the second at 91 minutes)", fake.tokens)
	}
}

func TestSyncErrors(t *testing.T) {
	cases := []struct{ fail, reason, says string }{
		{`400|{"code":230002,"msg":"The bot can not be outside the group."}`, fetch.ReasonAuth, "add the app's bot to the chat"},
		{`400|{"code":99991672,"msg":"Access denied. One of the following scopes is required: [im:message.group_msg]"}`, fetch.ReasonAuth, "99991672"},
		{`429|{"code":99991400,"msg":"request trigger frequency limit"}`, fetch.ReasonRateLimited, "99991400"},
		{`200|{"code":230020,"msg":"This operation triggers the frequency limit."}`, fetch.ReasonRateLimited, "230020"},
		{`200|{"code":232011,"msg":"Operator and chat can NOT be in different tenants."}`, fetch.ReasonHTTP, "232011"},
		{`500|Internal Server Error`, fetch.ReasonHTTP, "HTTP 500"},
		{`200|{"code":0,"data":{"items":[`, fetch.ReasonDecode, ""},
	}
	for _, tc := range cases {
		fake := &groupFake{expire: 7200, fail: tc.fail}
		srv := httptest.NewServer(fake)
		now := time.Unix(t0, 0).UTC()
		store := collectortest.NewStore()
		src := collectortest.NewSource(t, New, testEnv(t, srv, &now, store))
		err := src.Sync(context.Background(), nil, store.Emit)
		srv.Close()
		if got := fetch.Reason(err); got != tc.reason || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: reason %q (%v), want %q saying %q", tc.fail, got, err, tc.reason, tc.says)
		}
		if err != nil && strings.Contains(err.Error(), testSecret) {
			t.Errorf("%s: the error names the secret: %v", tc.fail, err)
		}
	}
}

// TestBadSecret: the token endpoint refusing the app's secret is auth,
// and the error names neither the secret nor a token.
func TestBadSecret(t *testing.T) {
	fake := &groupFake{expire: 7200}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := time.Unix(t0, 0).UTC()
	store := collectortest.NewStore()
	env := testEnv(t, srv, &now, store)
	env.Config.HTTPClient.BasicAuth.Password = "wrong-secret"
	src := collectortest.NewSource(t, New, env)
	err := src.Sync(context.Background(), nil, store.Emit)
	if fetch.Reason(err) != fetch.ReasonAuth || !strings.Contains(err.Error(), "10014") || strings.Contains(err.Error(), "wrong-secret") ||
		!strings.HasPrefix(strings.TrimPrefix(err.Error(), "lark: messages page 1: "), "POST ") {
		t.Fatalf("err = %v", err)
	}
}

// TestTokenEndpointErrors: of the token endpoint's failures only the
// credential codes are auth; a server error or another code is http, a
// rate limit rate_limited, a failed connection network.
func TestTokenEndpointErrors(t *testing.T) {
	cases := []struct{ answer, reason string }{
		{`400|{"code":10003,"msg":"invalid param"}`, fetch.ReasonAuth},
		{`400|{"code":10014,"msg":"app secret invalid"}`, fetch.ReasonAuth},
		{`200|{"code":10015,"msg":"app is not in use"}`, fetch.ReasonAuth},
		{`500|{"code":99991000,"msg":"internal error"}`, fetch.ReasonHTTP},
		{`503|Service Unavailable`, fetch.ReasonHTTP},
		{`400|{"code":9499,"msg":"Bad Request"}`, fetch.ReasonHTTP},
		{`200|{"code":99991400,"msg":"request trigger frequency limit"}`, fetch.ReasonRateLimited},
		{"network", fetch.ReasonNetwork},
	}
	for _, tc := range cases {
		fake := &groupFake{expire: 7200, tokenErr: tc.answer}
		srv := httptest.NewServer(fake)
		now := time.Unix(t0, 0).UTC()
		store := collectortest.NewStore()
		src := collectortest.NewSource(t, New, testEnv(t, srv, &now, store))
		if tc.answer == "network" {
			srv.Close()
		}
		err := src.Sync(context.Background(), nil, store.Emit)
		srv.Close()
		if got := fetch.Reason(err); got != tc.reason {
			t.Errorf("%s: reason %q (%v), want %q", tc.answer, got, err, tc.reason)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	env := collectortest.Env("lark", "https://open.feishu.cn", http.DefaultClient)
	env.Config.Options = &Options{ChatID: testChat, VendorTenants: []string{"v"}, SolvedPatterns: []string{"x"}}
	if _, err := New(env); err == nil || !strings.Contains(err.Error(), "basic_auth") {
		t.Errorf("no credentials: %v", err)
	}
	env.Config.HTTPClient.BasicAuth = &commoncfg.BasicAuth{Username: testApp, PasswordRef: "vault"}
	if _, err := New(env); err == nil || !strings.Contains(err.Error(), "password_ref") {
		t.Errorf("password_ref: %v", err)
	}
}

// TestImplausibleTimes: a ticket message dated past the bounds is refused
// and counted, a reply so dated is skipped, and the mark never passes the
// latest plausible instant.
func TestImplausibleTimes(t *testing.T) {
	fake := &groupFake{expire: 7200}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := time.Unix(t0+3600, 0).UTC()
	store := collectortest.NewStore()
	env := testEnv(t, srv, &now, store)
	env.Bounds = door.Bounds{NotBefore: time.Unix(t0-86400, 0), MaxSkew: time.Hour, Now: func() time.Time { return now }}
	var rejected []string
	env.Reject = func(reason string) { rejected = append(rejected, reason) }
	src := collectortest.NewSource(t, New, env)
	future := t0 + 10*365*86400
	setChat(fake,
		msg("om_f", "", "ou_buyer1", "buyertenant", future, "from the future"),
		msg("om_fr", "om_a", "ou_vendor1", "vendortenant", future, "a reply from the future"),
		msg("om_r", "om_a", "ou_vendor1", "vendortenant", t0+60, "a reply"),
		msg("om_a", "", "ou_buyer1", "buyertenant", t0, "help"),
		msg("om_old", "", "ou_buyer1", "buyertenant", t0-2*86400, "before the earliest timestamp"),
	)
	if err := src.Sync(context.Background(), nil, store.Emit); err != nil {
		t.Fatal(err)
	}
	got := store.Tickets()
	if len(got) != 1 || len(got["om_a"].Events) != 1 || got["om_a"].Events[0].Ref != "om_r" {
		t.Fatalf("tickets %+v", got)
	}
	if !slices.Equal(rejected, []string{door.ReasonFuture, door.ReasonPast}) {
		t.Errorf("rejected %q", rejected)
	}
	var cur cursor
	if err := json.Unmarshal(store.Cursor(), &cur); err != nil || cur.Mark.After(env.Bounds.Latest()) || !cur.Mark.Equal(time.Unix(t0+60, 0)) {
		t.Errorf("cursor %+v (%v): the mark is the newest plausible message", cur, err)
	}
}

// TestEditsReplaceWhatAMessageSaid: a message read again in the window
// says what it says now. A ticket message edited from #urgent to #low
// loses urgent; a vendor reply edited to drop #solved no longer solves;
// a bot's message edited to drop #escalated loses it. Tags of messages not
// listed again (past the window) stay.
func TestEditsReplaceWhatAMessageSaid(t *testing.T) {
	fake := &groupFake{expire: 7200}
	now := time.Unix(t0+3600, 0).UTC()
	store, src := serveGroup(t, fake, &now)
	sync := func() item.Ticket {
		t.Helper()
		if err := src.Sync(context.Background(), store.Cursor(), store.Emit); err != nil {
			t.Fatal(err)
		}
		return store.Tickets()["om_root"]
	}
	setChat(fake,
		msg("om_fix", "om_root", "ou_vendor1", "vendortenant", t0+600, "#solved deployed"),
		msg("om_bot", "om_root", "cli_vendorbot", "vendortenant", t0+300, "#escalated"),
		msg("om_root", "", "ou_buyer1", "buyertenant", t0, "API down #urgent"),
	)
	tk := sync()
	if tk.Status != item.StatusSolved || !slices.Equal(tk.Tags, []string{"escalated", "solved", "urgent"}) {
		t.Fatalf("first read: %+v", tk)
	}
	now = now.Add(time.Hour)
	setChat(fake,
		msg("om_fix", "om_root", "ou_vendor1", "vendortenant", t0+600, "deployed, please check"),
		msg("om_bot", "om_root", "cli_vendorbot", "vendortenant", t0+300, "escalation withdrawn"),
		msg("om_root", "", "ou_buyer1", "buyertenant", t0, "API slow #low"),
	)
	tk = sync()
	want := []item.Event{{Kind: item.EventVendorReply, At: time.Unix(t0+600, 0).UTC(), Ref: "om_fix"}}
	if tk.Status != item.StatusOpen || !slices.Equal(tk.Tags, []string{"low"}) || !slices.EqualFunc(tk.Events, want, sameEvent) {
		t.Fatalf("after the edits: %+v", tk)
	}
	// Days later only a new reply is listed: the tags stay, the new
	// reply's joins them.
	now = now.Add(10 * 24 * time.Hour)
	setChat(fake, msg("om_late", "om_root", "ou_buyer1", "buyertenant", t0+9*86400, "still slow #followup"))
	tk = sync()
	if !slices.Equal(tk.Tags, []string{"followup", "low"}) || len(tk.Events) != 2 {
		t.Fatalf("after a late reply: %+v", tk)
	}
}

// TestReplyListedAfterItsRoot: newest first, a reply with its ticket
// message's create_time may be listed after it, on the walk's last page:
// it joins the ticket read in that walk, not stored yet.
func TestReplyListedAfterItsRoot(t *testing.T) {
	fake := &groupFake{expire: 7200}
	now := time.Unix(t0+3600, 0).UTC()
	store, src := serveGroup(t, fake, &now)
	setChat(fake,
		msg("om_root", "", "ou_buyer1", "buyertenant", t0, "help #high"),
		msg("om_quick", "om_root", "ou_vendor1", "vendortenant", t0, "on it #solved"),
	)
	if err := src.Sync(context.Background(), nil, store.Emit); err != nil {
		t.Fatal(err)
	}
	tk := store.Tickets()["om_root"]
	if tk.Status != item.StatusSolved || len(tk.Events) != 2 || tk.Events[0].Ref != "om_quick" || !slices.Equal(tk.Tags, []string{"high", "solved"}) {
		t.Fatalf("ticket %+v", tk)
	}
}

// TestRecalledTicketOneRule: a recalled ticket message makes no ticket;
// a ticket stored before stays, and a reply to it joins it whether the
// recalled message is listed in the walk or lies before it.
func TestRecalledTicketOneRule(t *testing.T) {
	recalled := strings.Replace(msg("om_root", "", "ou_buyer1", "buyertenant", t0, "help"), `"deleted":false`, `"deleted":true`, 1)
	for _, inWindow := range []bool{true, false} {
		fake := &groupFake{expire: 7200}
		srv := httptest.NewServer(fake)
		now := time.Unix(t0+3600, 0).UTC()
		store := collectortest.NewStore()
		src := collectortest.NewSource(t, New, testEnv(t, srv, &now, store))
		setChat(fake, msg("om_root", "", "ou_buyer1", "buyertenant", t0, "help"))
		if err := src.Sync(context.Background(), nil, store.Emit); err != nil {
			t.Fatal(err)
		}
		reply := msg("om_r", "om_root", "ou_vendor1", "vendortenant", t0+600, "on it")
		if inWindow {
			setChat(fake, reply, recalled)
		} else {
			now = now.Add(5 * 24 * time.Hour)
			reply = msg("om_r", "om_root", "ou_vendor1", "vendortenant", t0+5*86400, "on it")
			setChat(fake, reply)
		}
		if err := src.Sync(context.Background(), store.Cursor(), store.Emit); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		tk, ok := store.Tickets()["om_root"]
		if !ok || len(tk.Events) != 1 || tk.Events[0].Ref != "om_r" {
			t.Errorf("recalled message listed in the walk %v: ticket %+v", inWindow, tk)
		}
	}
	// Recalled before it was ever stored: no ticket, its replies none.
	fake := &groupFake{expire: 7200}
	now := time.Unix(t0+3600, 0).UTC()
	store, src := serveGroup(t, fake, &now)
	setChat(fake, msg("om_r", "om_root", "ou_vendor1", "vendortenant", t0+600, "on it"), recalled)
	if err := src.Sync(context.Background(), nil, store.Emit); err != nil || len(store.Tickets()) != 0 {
		t.Fatalf("%v, tickets %+v", err, store.Tickets())
	}
}

// TestThreadReadNewestFirst: a topic thread is listed newest first and
// read down to the first message already stored: unchanged, it costs one
// request however long it is; grown, the new messages and no more.
func TestThreadReadNewestFirst(t *testing.T) {
	thread := []string{
		msg("om_t1", "", "ou_buyer1", "buyertenant", t0, "topic"),
		msg("om_t2", "om_t1", "ou_vendor1", "vendortenant", t0+60, "on it"),
		msg("om_t3", "om_t1", "ou_buyer1", "buyertenant", t0+120, "logs attached"),
		msg("om_t4", "om_t1", "ou_vendor1", "vendortenant", t0+180, "found it"),
	}
	fake := &groupFake{expire: 7200, threadPage: 1, threads: map[string][]string{"omt_1": thread}}
	now := time.Unix(t0+3600, 0).UTC()
	store, src := serveGroup(t, fake, &now)
	root := strings.Replace(thread[0], `"msg_type"`, `"thread_id":"omt_1","msg_type"`, 1)
	setChat(fake, root)
	sync := func() int {
		t.Helper()
		fake.mu.Lock()
		fake.threadCalls = 0
		fake.mu.Unlock()
		if err := src.Sync(context.Background(), store.Cursor(), store.Emit); err != nil {
			t.Fatal(err)
		}
		fake.mu.Lock()
		defer fake.mu.Unlock()
		return fake.threadCalls
	}
	sync()
	if tk := store.Tickets()["om_t1"]; len(tk.Events) != 3 {
		t.Fatalf("first read: %+v", tk)
	}
	now = now.Add(time.Hour)
	if n := sync(); n != 1 {
		t.Errorf("an unchanged thread cost %d requests, want 1", n)
	}
	fake.mu.Lock()
	fake.threads["omt_1"] = append(fake.threads["omt_1"], msg("om_t5", "om_t1", "ou_vendor1", "vendortenant", t0+4000, "#solved fixed"))
	sorts := slices.Compact(slices.Clone(fake.threadSort))
	fake.mu.Unlock()
	if n := sync(); n != 2 {
		t.Errorf("a thread grown by one message cost %d requests, want 2", n)
	}
	if tk := store.Tickets()["om_t1"]; len(tk.Events) != 5 || tk.Status != item.StatusSolved {
		t.Errorf("after the thread grew: %+v", tk)
	}
	if !slices.Equal(sorts, []string{"ByCreateTimeDesc"}) {
		t.Errorf("threads listed with sort_type %q, want ByCreateTimeDesc", sorts)
	}
	if NewOptions().(*Options).RereadWindow < 72*time.Hour {
		t.Errorf("default reread_window %v, want 72h at least", NewOptions().(*Options).RereadWindow)
	}
}

// TestThreadGone: a topic thread Lark will not list (gone, its message
// deleted) is logged and its ticket kept with what the chat listed; a
// thread failing for a while (a server error, a rate limit) fails the
// sync, to be read at the next.
func TestThreadGone(t *testing.T) {
	for _, tc := range []struct{ answer, reason string }{
		{`400|{"code":230110,"msg":"Action unavailable as the message has been deleted."}`, ""},
		{`400|{"code":230011,"msg":"The message is recalled."}`, ""},
		{`400|{"code":230001,"msg":"Your request contains an invalid request parameter."}`, ""},
		{`500|{"code":1000,"msg":"internal error"}`, fetch.ReasonHTTP},
		{`429|{"code":99991400,"msg":"request trigger frequency limit"}`, fetch.ReasonRateLimited},
	} {
		fake := &groupFake{expire: 7200, threads: map[string][]string{}, threadFail: map[string]string{"omt_1": tc.answer}}
		srv := httptest.NewServer(fake)
		now := time.Unix(t0+3600, 0).UTC()
		store := collectortest.NewStore()
		src := collectortest.NewSource(t, New, testEnv(t, srv, &now, store))
		root := strings.Replace(msg("om_t1", "", "ou_buyer1", "buyertenant", t0, "topic #high"), `"msg_type"`, `"thread_id":"omt_1","msg_type"`, 1)
		setChat(fake, msg("om_r", "om_t1", "ou_vendor1", "vendortenant", t0+60, "seen in the chat"), root,
			msg("om_other", "", "ou_buyer1", "buyertenant", t0-60, "another ticket"))
		err := src.Sync(context.Background(), nil, store.Emit)
		srv.Close()
		if tc.reason != "" {
			if fetch.Reason(err) != tc.reason {
				t.Errorf("%s: err %v, want %s", tc.answer, err, tc.reason)
			}
			continue
		}
		tk := store.Tickets()["om_t1"]
		if err != nil || len(tk.Events) != 1 || tk.Events[0].Ref != "om_r" || !slices.Equal(tk.Tags, []string{"high"}) || len(store.Tickets()) != 2 {
			t.Errorf("%s: err %v, tickets %+v", tc.answer, err, store.Tickets())
		}
	}
}
