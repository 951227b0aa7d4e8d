package slack

import (
	"encoding/json"
	"os"
	"testing"
	"time"
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
		"ratelimited": "rate_limited", "internal_error": "http", "": "decode",
	} {
		if got := errorReason(code); got != want {
			t.Errorf("errorReason(%q) = %q, want %q", code, got, want)
		}
	}
}
