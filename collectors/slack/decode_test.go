package slack

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func readPage(t *testing.T, name string) page {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var p page
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

func TestDecodeHistory(t *testing.T) {
	p := readPage(t, "conversations_history.json")
	if !p.OK || !p.HasMore || p.ResponseMetadata.NextCursor != "bmV4dF90czoxNTEyMDg1ODYxMDAwNTQz" || len(p.Messages) != 2 {
		t.Fatalf("page = %+v", p)
	}
	m := p.Messages[0]
	if m.User != "U123ABC456" || !m.human() || m.bot() {
		t.Errorf("message = %+v", m)
	}
	at, err := parseTS(m.TS)
	if want := time.Unix(1512085950, 216000).UTC(); err != nil || !at.Equal(want) {
		t.Errorf("parseTS(%q) = %v, %v, want %v", m.TS, at, err, want)
	}
}

func TestDecodeReplies(t *testing.T) {
	p := readPage(t, "conversations_replies.json")
	if !p.OK || len(p.Messages) != 4 || p.Messages[0].ReplyCount != 3 || p.Messages[1].ThreadTS != "1482960137.003543" {
		t.Fatalf("page = %+v", p)
	}
}

func TestDecodeConnect(t *testing.T) {
	p := readPage(t, "connect_thread_root.json")
	root, vendor, join := p.Messages[0], p.Messages[1], p.Messages[2]
	if !root.bot() || root.human() || root.LatestReply != "1749718958.983689" || root.ReplyCount != 2 {
		t.Errorf("bot root = %+v", root)
	}
	if vendor.team() != "T0VENDOR" || !vendor.human() || len(vendor.Reactions) != 1 || vendor.Reactions[0].Name != "white_check_mark" {
		t.Errorf("vendor message = %+v", vendor)
	}
	if join.human() {
		t.Errorf("a channel_join is taken for conversation: %+v", join)
	}
	c := &collector{teams: map[string]bool{"T0VENDOR": true}, users: map[string]bool{}}
	if !c.vendor(&vendor) || c.vendor(&root) {
		t.Error("vendor side told wrong")
	}
}

func TestParseTS(t *testing.T) {
	for _, bad := range []string{"", "x.1", "1.x", ".5"} {
		if _, err := parseTS(bad); err == nil {
			t.Errorf("parseTS(%q) accepted", bad)
		}
	}
	at, err := parseTS("1700000000.5")
	if err != nil || at.Nanosecond() != 500000000 {
		t.Errorf("parseTS = %v, %v", at, err)
	}
	if got := formatTS(time.Unix(1700000000, 1000).UTC()); got != "1700000000.000001" {
		t.Errorf("formatTS = %q", got)
	}
}

func TestErrorReason(t *testing.T) {
	for code, want := range map[string]string{
		"invalid_auth": "auth", "not_authed": "auth", "account_inactive": "auth", "token_revoked": "auth",
		"not_in_channel": "auth", "channel_not_found": "auth", "missing_scope": "auth",
		"no_permission": "auth", "not_allowed_token_type": "auth",
		"ratelimited": "rate_limited", "internal_error": "http", "": "decode",
	} {
		if got := errorReason(code); got != want {
			t.Errorf("errorReason(%q) = %q, want %q", code, got, want)
		}
	}
}

// TestDecodeSDKSample: the Java SDK's sample of conversations.history, every
// field Slack has been seen to send with its type (values blanked: ok
// false, counts 12345, ids zeroed), decodes into page: none of our fields
// that it carries has a type Slack does not send (it has no team or
// user_team, which the real replies below carry). Its message is an
// app's (bot_id).
func TestDecodeSDKSample(t *testing.T) {
	p := readPage(t, "java_sdk_conversations_history.json")
	if p.OK || p.HasMore || len(p.Messages) != 1 {
		t.Fatalf("page = %+v", p)
	}
	m := p.Messages[0]
	if !m.bot() || m.human() || m.ReplyCount != 12345 || m.LatestReply != "0000000000.000000" ||
		len(m.Reactions) != 1 || m.Reactions[0].Count != 12345 || m.Reactions[0].Users[0] != "U00000000" {
		t.Errorf("message = %+v", m)
	}
	if at, err := parseTS(m.TS); err != nil || at.Unix() != 0 {
		t.Errorf("parseTS(%q) = %v, %v", m.TS, at, err)
	}
}

// threadOf reads the thread of ts through the collector, with vendor
// users vendor, from a conversations.replies body.
func threadOf(t *testing.T, body, ts string, vendor ...string) ([]item.Event, time.Time) {
	t.Helper()
	fake := &channelFake{}
	fake.set(`{"ok":true,"messages":[]}`, map[string]string{ts: body})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := collectortest.Env("slack", srv.URL, srv.Client())
	env.Config.Options = &Options{Channel: "C0SHARED", VendorUsers: vendor, SolvedReaction: "white_check_mark", RequestsPerMinute: 50}
	src, err := New(env)
	if err != nil {
		t.Fatal(err)
	}
	events, latest, err := src.(*collector).thread(context.Background(), ts)
	if err != nil {
		t.Fatal(err)
	}
	return events, latest
}

// TestDecodeRepliesBotAnswer: a real thread (testdata/README.md) whose
// only reply is an app's (bot_id, bot_profile): no reply at all, since a
// bot's message is no vendor's nor customer's, even from a vendor user.
func TestDecodeRepliesBotAnswer(t *testing.T) {
	raw := string(collectortest.Testdata(t, "replies_bot_answer.json"))
	p := readPage(t, "replies_bot_answer.json")
	if !p.OK || len(p.Messages) != 2 || !p.Messages[1].bot() || p.Messages[0].ReplyCount != 1 || p.Messages[0].LatestReply != p.Messages[1].TS {
		t.Fatalf("page = %+v", p)
	}
	events, latest := threadOf(t, raw, "1717984816.912149", "U0761EBMQ6S")
	if len(events) != 0 || !latest.IsZero() {
		t.Errorf("events %+v (latest %v), want none: the answer is a bot's", events, latest)
	}
}

// TestDecodeRepliesHuddleBroadcast: a real thread under a huddle
// (subtype huddle_thread, by USLACKBOT), whose first reply is also sent to
// the channel (thread_broadcast): the broadcast is a person's reply, the
// root is not one, and a vendor user's three replies are the vendor's.
func TestDecodeRepliesHuddleBroadcast(t *testing.T) {
	raw := string(collectortest.Testdata(t, "replies_huddle_broadcast.json"))
	p := readPage(t, "replies_huddle_broadcast.json")
	if root := p.Messages[0]; root.human() || root.Subtype != "huddle_thread" || root.ReplyCount != 4 {
		t.Errorf("root = %+v, want a huddle's, no person's", root)
	}
	c := &collector{opts: &Options{}, teams: map[string]bool{}, users: map[string]bool{}}
	if _, ok, _ := c.ticket(context.Background(), &p.Messages[1]); ok {
		t.Error("a reply broadcast to the channel is taken for a ticket")
	}
	events, latest := threadOf(t, raw, "1745387799.160249", "UYYYYYYY")
	want := []item.EventKind{item.EventCustomerReply, item.EventVendorReply, item.EventVendorReply, item.EventVendorReply}
	if len(events) != len(want) {
		t.Fatalf("events %+v, want %v", events, want)
	}
	for i, e := range events {
		if e.Kind != want[i] {
			t.Errorf("event %d: %v, want %v", i, e.Kind, want[i])
		}
	}
	if first := time.Unix(1745389271, 537969000).UTC(); !events[0].At.Equal(first) {
		t.Errorf("the broadcast is dated %v, want %v", events[0].At, first)
	}
	if end := time.Unix(1745389431, 931479000).UTC(); !latest.Equal(end) {
		t.Errorf("latest %v, want %v (latest_reply)", latest, end)
	}
}
