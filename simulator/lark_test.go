package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// larkCall sends one request to the vendor's Lark API: a POST of body when
// body is not nil, else a GET with the bearer token.
func larkCall(t *testing.T, s *Sim, pathAndQuery, token string, body any) (int, larkPage, larkToken) {
	t.Helper()
	u := s.URL("v", KindLark) + pathAndQuery
	var req *http.Request
	var err error
	if body != nil {
		b, _ := json.Marshal(body)
		req, err = http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	} else {
		req, err = http.NewRequest(http.MethodGet, u, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var p larkPage
	var tk larkToken
	_ = json.Unmarshal(raw, &p)
	_ = json.Unmarshal(raw, &tk)
	return resp.StatusCode, p, tk
}

// TestLarkAPI: tokens for the app's id and secret, kept until their last
// 30 minutes and refused once expired; every message listed once across
// the pages, newest first or oldest first; Lark's errors.
func TestLarkAPI(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Vendors: []Vendor{vendor("v", typical, 40)}})
	id, secret := s.LarkApp("v")
	chat := s.LarkChat("v")

	if status, _, tk := larkCall(t, s, larkTokenPath, "", map[string]string{"app_id": id, "app_secret": "nope"}); status != 400 || tk.Code != 10014 {
		t.Fatalf("wrong secret: %d %+v", status, tk)
	}
	_, _, tk := larkCall(t, s, larkTokenPath, "", map[string]string{"app_id": id, "app_secret": secret})
	if tk.Code != 0 || tk.Token == "" || tk.Expire <= int64(larkTokenRenew/time.Second) || tk.Expire > int64(larkTokenLife/time.Second) {
		t.Fatalf("token %+v", tk)
	}
	list := func(q url.Values, token string) (int, larkPage) {
		status, p, _ := larkCall(t, s, larkMessagesPath+"?"+q.Encode(), token, nil)
		return status, p
	}
	base := url.Values{"container_id_type": {"chat"}, "container_id": {chat}, "page_size": {"50"}}
	all := func(sort string) []larkMessage {
		var out []larkMessage
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q.Set("sort_type", sort)
		for n := 0; n < 100; n++ {
			status, p := list(q, tk.Token)
			if status != 200 || p.Code != 0 {
				t.Fatalf("page %d: %d %+v", n, status, p)
			}
			out = append(out, p.Data.Items...)
			if !p.Data.HasMore {
				return out
			}
			q.Set("page_token", p.Data.PageToken)
		}
		t.Fatal("no last page")
		return nil
	}
	asc, desc := all("ByCreateTimeAsc"), all("ByCreateTimeDesc")
	if len(asc) < 40 || len(asc) != len(desc) {
		t.Fatalf("%d messages oldest first, %d newest first", len(asc), len(desc))
	}
	seen := map[string]bool{}
	for i, m := range asc {
		if seen[m.MessageID] || m.MessageID != desc[len(desc)-1-i].MessageID || (i > 0 && padTS(m.CreateTime) < padTS(asc[i-1].CreateTime)) {
			t.Fatalf("message %d %s: listed twice, or out of order", i, m.MessageID)
		}
		seen[m.MessageID] = true
	}

	for _, tc := range []struct {
		name   string
		q      url.Values
		token  string
		status int
		code   int
	}{
		{"no token", base, "", 400, 99991661},
		{"a forged token", base, "t-g1x" + tk.Token[5:], 400, 99991663},
		{"another chat", url.Values{"container_id_type": {"chat"}, "container_id": {"oc_0000"}}, tk.Token, 400, 230002},
		{"a page too large", url.Values{"container_id_type": {"chat"}, "container_id": {chat}, "page_size": {"51"}}, tk.Token, 400, 230001},
		{"a bad page token", url.Values{"container_id_type": {"chat"}, "container_id": {chat}, "page_token": {"!!"}}, tk.Token, 400, 230001},
	} {
		if status, p := list(tc.q, tc.token); status != tc.status || p.Code != tc.code {
			t.Errorf("%s: %d code %d, want %d code %d", tc.name, status, p.Code, tc.status, tc.code)
		}
	}

	// Expired two hours after its window began: refused; a new one works.
	c.Set(testStart.Add(2*time.Hour + time.Second))
	if status, p := list(base, tk.Token); status != 400 || p.Code != 99991663 {
		t.Errorf("expired token: %d %+v", status, p)
	}
	_, _, tk2 := larkCall(t, s, larkTokenPath, "", map[string]string{"app_id": id, "app_secret": secret})
	if status, p := list(base, tk2.Token); tk2.Token == tk.Token || status != 200 || p.Code != 0 {
		t.Errorf("new token %q: %d %+v", tk2.Token, status, p)
	}
}
