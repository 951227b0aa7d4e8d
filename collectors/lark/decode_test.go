package lark

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

func TestDecodeReferenceExample(t *testing.T) {
	var p page
	if err := json.Unmarshal(collectortest.Testdata(t, "get_message_doc_example.json"), &p); err != nil {
		t.Fatal(err)
	}
	if p.Code != 0 || len(p.Data.Items) != 1 {
		t.Fatalf("page %+v", p)
	}
	m := p.Data.Items[0]
	at, err := m.created()
	if err != nil || !at.Equal(time.UnixMilli(1615380573411)) {
		t.Fatalf("created %v, %v", at, err)
	}
	if m.human() || m.RootID != "om_40eb06e7b84dc71c03e009ad3c754195" || m.ThreadID != "omt_d4be107c616a" ||
		m.Sender.TenantKey != "736588c9260f175e" || m.text() != "test content" {
		t.Fatalf("message %+v: an app's reply in a topic thread, text %q", m, m.text())
	}
}

func TestDecodeList(t *testing.T) {
	var p page
	if err := json.Unmarshal(collectortest.Testdata(t, "list_messages.json"), &p); err != nil {
		t.Fatal(err)
	}
	if !p.Data.HasMore || p.Data.PageToken == "" || len(p.Data.Items) != 3 {
		t.Fatalf("page %+v", p.Data)
	}
	reply, root, join := p.Data.Items[0], p.Data.Items[1], p.Data.Items[2]
	if !reply.human() || reply.text() != "Fixed Deployed the fix  release notes #solved" {
		t.Errorf("post text %q", reply.text())
	}
	if !slices.Equal(hashtags(reply.text()), []string{"solved"}) || !slices.Equal(hashtags(root.text()), []string{"urgent"}) {
		t.Errorf("hashtags %q, %q", hashtags(reply.text()), hashtags(root.text()))
	}
	if !root.human() || root.RootID != "" || join.human() {
		t.Errorf("root %+v, join %+v", root, join)
	}
}

func TestDecodeToken(t *testing.T) {
	var a tokenAnswer
	if err := json.Unmarshal(collectortest.Testdata(t, "tenant_access_token.json"), &a); err != nil {
		t.Fatal(err)
	}
	if a.Code != 0 || !strings.HasPrefix(a.Token, "t-") || a.Expire != 7200 {
		t.Fatalf("token %+v", a)
	}
}

// TestClassifyErrorBodies: the documented error answers, as the body of
// a 400 or 429, give their reason and their code.
func TestClassifyErrorBodies(t *testing.T) {
	for _, tc := range []struct {
		file   string
		status int
		reason string
	}{
		{"error_bot_outside.json", http.StatusBadRequest, fetch.ReasonAuth},
		{"error_rate_limited.json", http.StatusTooManyRequests, fetch.ReasonRateLimited},
		{"error_rate_limited.json", http.StatusBadRequest, fetch.ReasonRateLimited},
	} {
		in := &fetch.Error{Reason: fetch.ReasonHTTP, URL: "https://open.feishu.cn/open-apis/im/v1/messages", Status: tc.status, Body: collectortest.Testdata(t, tc.file)}
		err := classify(in, false)
		var fe *fetch.Error
		if !errors.As(err, &fe) || fe.Reason != tc.reason || fe.Body != nil || codeOf(err) == 0 {
			t.Errorf("%s on %d: %#v", tc.file, tc.status, err)
		}
	}
}

func TestTextOfOddContent(t *testing.T) {
	for content, want := range map[string]string{
		`{"text":"#P1 down"}`: "#P1 down",
		`not json #x`:         "not json #x",
		`{"zh_cn":{"title":"标题","content":[[{"tag":"text","text":"正文 #紧急"}]]}}`: "标题 正文 #紧急",
		``:                    "",
		`{"image_key":"img"}`: "",
	} {
		m := message{}
		m.Body.Content = content
		if got := m.text(); got != want {
			t.Errorf("text(%q) = %q, want %q", content, got, want)
		}
	}
	if got := hashtags("#P1 down, see#not this #紧急 #a-b_c"); !slices.Equal(got, []string{"p1", "紧急", "a-b_c"}) {
		t.Errorf("hashtags %q", got)
	}
}

func FuzzDecodePage(f *testing.F) {
	for _, s := range collectortest.Seeds(f, "*.json") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var p page
		if json.Unmarshal(body, &p) != nil {
			return
		}
		for i := range p.Data.Items {
			m := &p.Data.Items[i]
			_, _ = m.created()
			_ = hashtags(m.text())
			_ = m.human()
		}
	})
}
