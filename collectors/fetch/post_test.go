package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPostJSON: a POST sends its JSON body, is counted like any request
// and against the sync's budget, and may be sent twice in a sync (a token
// asked for again is no loop).
func TestPostJSON(t *testing.T) {
	var got struct{ AppID, Method, Type string }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			AppID string `json:"app_id"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &in)
		got.AppID, got.Method, got.Type = in.AppID, r.Method, r.Header.Get("Content-Type")
		_, _ = w.Write([]byte(`{"code":0,"tenant_access_token":"t-1","expire":7200}`))
	}))
	defer srv.Close()
	codes := map[string]int{}
	c := newClient(t, NewLimits(), Options{OnResponse: func(code string) { codes[code]++ }})
	ctx := StartSync(context.Background(), 2)
	var out struct {
		Token string `json:"tenant_access_token"`
	}
	for range 2 {
		if _, err := c.PostJSON(ctx, srv.URL+"/token", nil, map[string]string{"app_id": "cli_1"}, &out); err != nil {
			t.Fatal(err)
		}
	}
	if got.AppID != "cli_1" || got.Method != http.MethodPost || !strings.HasPrefix(got.Type, "application/json") || out.Token != "t-1" {
		t.Fatalf("server saw %+v, client read %q", got, out.Token)
	}
	if codes["200"] != 2 {
		t.Fatalf("codes = %v", codes)
	}
	_, err := c.PostJSON(ctx, srv.URL+"/token", nil, map[string]string{}, &out)
	if Reason(err) != ReasonBudget {
		t.Fatalf("third POST of a budget of 2: %v, want budget", err)
	}
}

// TestErrorKeepsTheBodyUnprinted: a non-2xx answer's body is kept for the
// collector (a vendor's error code) and never printed; a POST's error
// names its method.
func TestErrorKeepsTheBodyUnprinted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"code":230002,"msg":"The bot can not be outside the group. secret-echo"}`))
	}))
	defer srv.Close()
	c := newClient(t, NewLimits(), Options{})
	var out any
	_, err := c.PostJSON(context.Background(), srv.URL+"/token", nil, map[string]string{"app_secret": "s3cret"}, &out)
	var fe *Error
	if !errors.As(err, &fe) || fe.Status != 400 || !strings.Contains(string(fe.Body), "230002") {
		t.Fatalf("err = %#v", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "POST ") || strings.Contains(msg, "secret") {
		t.Fatalf("error %q: want POST, no body, no secret", msg)
	}
	_, err = c.Get(context.Background(), srv.URL, nil)
	if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), "GET ") || len(fe.Body) == 0 {
		t.Fatalf("GET: %v", err)
	}
}
