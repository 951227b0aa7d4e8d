package slack

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// channelFake answers history and replies from bodies the test sets.
type channelFake struct {
	mu      sync.Mutex
	history string
	replies map[string]string // by thread ts
	threads int               // conversations.replies requests
}

func (f *channelFake) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rw.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/api/conversations.history":
		_, _ = rw.Write([]byte(f.history))
	case "/api/conversations.replies":
		f.threads++
		body, ok := f.replies[r.URL.Query().Get("ts")]
		if !ok {
			body = `{"ok":false,"error":"thread_not_found"}`
		}
		_, _ = rw.Write([]byte(body))
	default:
		http.NotFound(rw, r)
	}
}

func (f *channelFake) set(history string, replies map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.history, f.replies = history, replies
}

const (
	root    = `{"type":"message","user":"UBUYER1","user_team":"TBUYER","ts":"1773000000.000100","thread_ts":"1773000000.000100","reply_count":3,"latest_reply":"1773000700.000400"%s}`
	replies = `{"ok":true,"has_more":false,"messages":[
		{"type":"message","user":"UBUYER1","user_team":"TBUYER","ts":"1773000000.000100","thread_ts":"1773000000.000100"},
		{"type":"message","user":"UVENDOR1","user_team":"TVENDOR","ts":"1773000300.000200","thread_ts":"1773000000.000100"},
		{"type":"message","user":"UBUYER1","user_team":"TBUYER","ts":"1773000600.000300","thread_ts":"1773000000.000100"},
		{"type":"message","bot_id":"B1","subtype":"bot_message","ts":"1773000700.000400","thread_ts":"1773000000.000100"}]}`
	others = `,{"type":"message","user":"UVENDOR1","user_team":"TVENDOR","ts":"1773000800.000500"},
		{"type":"message","subtype":"channel_join","user":"UNEW","ts":"1773000900.000600"},
		{"type":"message","bot_id":"B1","user":"UBOT","ts":"1773000950.000700"}`
)

func historyWith(reactions string) string {
	return `{"ok":true,"has_more":false,"messages":[` + fmt.Sprintf(root, reactions) + others + `]}`
}

func TestSyncRulesAndSolveDating(t *testing.T) {
	fake := &channelFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := time.Unix(1773050000, 0).UTC()
	var stored *item.Ticket
	env := collectortest.Env("slack", srv.URL, srv.Client())
	env.Config.Options = &Options{Channel: "C0SHARED", VendorTeams: []string{"TVENDOR"}, SolvedReaction: "white_check_mark", RereadWindow: 72 * time.Hour, RequestsPerMinute: 50}
	env.Now = func() time.Time { return now }
	env.Stored = func(string) (*item.Ticket, error) { return stored, nil }
	src := collectortest.NewSource(t, New, env)
	sync := func() item.Ticket {
		t.Helper()
		var rec collectortest.Recorder
		if err := src.Sync(context.Background(), nil, rec.Emit); err != nil {
			t.Fatal(err)
		}
		var got []item.Ticket
		for _, b := range rec.Batches {
			got = append(got, b.Tickets...)
		}
		if len(got) != 1 {
			t.Fatalf("tickets %+v, want the buyer's one", got)
		}
		return got[0]
	}
	reply := map[string]string{"1773000000.000100": replies}

	// Open, with a priority reaction: the vendor replied, the buyer too.
	fake.set(historyWith(`,"reactions":[{"name":"p1","count":1,"users":["UBUYER1"]}]`), reply)
	tk := sync()
	if tk.ID != "1773000000.000100" || tk.Status != item.StatusOpen || len(tk.Tags) != 1 || tk.Tags[0] != "p1" {
		t.Fatalf("ticket %+v", tk)
	}
	want := []item.EventKind{item.EventVendorReply, item.EventCustomerReply}
	if len(tk.Events) != 2 || tk.Events[0].Kind != want[0] || tk.Events[1].Kind != want[1] ||
		!tk.Events[0].At.Equal(time.Unix(1773000300, 200000).UTC()) {
		t.Fatalf("events %+v", tk.Events)
	}
	stored = &tk

	// Solved without a newer message: dated by the poll that saw it.
	fake.set(historyWith(`,"reactions":[{"name":"white_check_mark","count":1,"users":["UVENDOR1"]}]`), reply)
	tk = sync()
	if tk.Status != item.StatusSolved || tk.Events[len(tk.Events)-1].Kind != item.EventSolved || !tk.Events[len(tk.Events)-1].At.Equal(now) {
		t.Fatalf("solved ticket %+v", tk)
	}
	stored = &tk

	// The reaction removed: reopened, the solve kept.
	fake.set(historyWith(""), reply)
	tk = sync()
	if tk.Status != item.StatusOpen || len(tk.Events) != 4 || tk.Events[2].Kind != item.EventSolved || tk.Events[3].Kind != item.EventReopened {
		t.Fatalf("reopened ticket %+v", tk)
	}
	// The thread never gained a reply after the first read: its replies
	// came from the stored version, with one conversations.replies only,
	// though its latest reply is a bot's, which is no event.
	if fake.threads != 1 {
		t.Errorf("%d conversations.replies requests, want 1: an unchanged thread is not read again", fake.threads)
	}
}

func TestSyncErrors(t *testing.T) {
	for code, reason := range map[string]string{"invalid_auth": fetch.ReasonAuth, "not_in_channel": fetch.ReasonAuth, "ratelimited": fetch.ReasonRateLimited, "fatal_error": fetch.ReasonHTTP} {
		fake := &channelFake{history: `{"ok":false,"error":"` + code + `"}`}
		srv := httptest.NewServer(fake)
		env := collectortest.Env("slack", srv.URL, srv.Client())
		env.Config.Options = &Options{Channel: "C0SHARED", VendorUsers: []string{"UVENDOR1"}, SolvedReaction: "white_check_mark", RequestsPerMinute: 50}
		src := collectortest.NewSource(t, New, env)
		var rec collectortest.Recorder
		err := src.Sync(context.Background(), nil, rec.Emit)
		srv.Close()
		if got := fetch.Reason(err); got != reason {
			t.Errorf("%s: reason %q (%v), want %q", code, got, err, reason)
		}
	}
}
