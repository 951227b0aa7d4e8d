package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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

// TestPostSignsEachAttemptAndSendsBody: the body and headers arrive, the
// signing hook runs once per request sent, right before it leaves.
func TestPostSignsEachAttemptAndSendsBody(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.Header.Get("X-Target")+" "+r.Header.Get("Authorization")+" "+string(b))
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	var signed atomic.Int32
	c := newClient(t, NewLimits(), Options{})
	for i := range 2 {
		resp, err := c.Post(context.Background(), Post{
			URL: srv.URL + "/", Header: http.Header{"X-Target": {"T"}}, Body: []byte(fmt.Sprintf(`{"page":%d}`, i)),
			Sign: func(r *http.Request) error {
				r.Header.Set("Authorization", fmt.Sprintf("sig%d", signed.Add(1)))
				return nil
			},
		})
		if err != nil || string(resp.Body) != `{"ok":true}` {
			t.Fatalf("Post: %v, %+v", err, resp)
		}
	}
	want := []string{`POST T sig1 {"page":0}`, `POST T sig2 {"page":1}`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("server saw %q, want %q", got, want)
	}
}

// TestPostLoopCheckByBody: under a sync, the same URL with another body or
// other headers is another request; the same request answered once is a
// loop; PostJSON's token request may be asked again.
func TestPostLoopCheckByBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{}`)) }))
	defer srv.Close()
	c := newClient(t, NewLimits(), Options{})
	ctx := StartSync(context.Background(), 10)
	for _, body := range []string{`{"nextToken":"a"}`, `{"nextToken":"b"}`} {
		if _, err := c.Post(ctx, Post{URL: srv.URL + "/", Body: []byte(body)}); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
	}
	// Another operation named in a header, the same body: no loop.
	if _, err := c.Post(ctx, Post{URL: srv.URL + "/", Header: http.Header{"X-Amz-Target": {"Other"}}, Body: []byte(`{"nextToken":"a"}`)}); err != nil {
		t.Fatalf("another operation: %v", err)
	}
	// PostJSON's token request, the same twice: no loop.
	var out any
	for range 2 {
		if _, err := c.PostJSON(ctx, srv.URL+"/", nil, map[string]string{"nextToken": "a"}, &out); err != nil {
			t.Fatalf("PostJSON again: %v", err)
		}
	}
	_, err := c.Post(ctx, Post{URL: srv.URL + "/", Body: []byte(`{"nextToken":"a"}`)})
	if Reason(err) != ReasonLoop || !strings.HasPrefix(err.Error(), "POST ") {
		t.Errorf("the same body again: %v, want a POST loop error", err)
	}
}

// TestPostKeepsTheErrorBody: a refused Post's *Error holds the vendor's
// error envelope in Body for the collector to read (AWS's ThrottlingException
// on a 400), names POST and never repeats the body; a failing Sign sends
// nothing.
func TestPostKeepsTheErrorBody(t *testing.T) {
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		sent.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"ThrottlingException","message":"Rate exceeded"}`))
	}))
	defer srv.Close()
	c := newClient(t, NewLimits(), Options{})
	_, err := c.Post(context.Background(), Post{URL: srv.URL + "/"})
	var fe *Error
	if !errors.As(err, &fe) || fe.Reason != ReasonHTTP || fe.Status != 400 || fe.Method != "POST" || !strings.Contains(string(fe.Body), "ThrottlingException") {
		t.Errorf("a 400: %#v", err)
	}
	if strings.Contains(err.Error(), "Rate exceeded") || !strings.HasPrefix(err.Error(), "POST ") {
		t.Errorf("the error %q: want POST, not the body", err)
	}
	before := sent.Load()
	_, err = c.Post(context.Background(), Post{URL: srv.URL + "/", Sign: func(*http.Request) error { return errors.New("no credentials") }})
	if Reason(err) != ReasonAuth || sent.Load() != before {
		t.Errorf("a failing Sign: %v, %d requests sent", err, sent.Load()-before)
	}
}

// TestPostCapsTheBody: the size cap holds for a POST's answer.
func TestPostCapsTheBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(strings.Repeat("x", 100))) }))
	defer srv.Close()
	c := newClient(t, NewLimits(), Options{MaxBodyBytes: 10})
	if _, err := c.Post(context.Background(), Post{URL: srv.URL + "/"}); Reason(err) != ReasonTooLarge {
		t.Errorf("%v, want too_large", err)
	}
}
