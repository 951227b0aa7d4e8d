package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

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
	var v struct{ OK bool }
	for i := range 2 {
		_, err := c.PostJSON(context.Background(), Post{
			URL: srv.URL + "/", Header: http.Header{"X-Target": {"T"}}, Body: []byte(fmt.Sprintf(`{"page":%d}`, i)),
			Sign: func(r *http.Request) error {
				r.Header.Set("Authorization", fmt.Sprintf("sig%d", signed.Add(1)))
				return nil
			},
		}, &v)
		if err != nil || !v.OK {
			t.Fatalf("PostJSON: %v, %+v", err, v)
		}
	}
	want := []string{`POST T sig1 {"page":0}`, `POST T sig2 {"page":1}`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("server saw %q, want %q", got, want)
	}
}

// TestPostLoopCheckByBody: under a sync, the same URL with another body or
// other headers is another request; the same request answered once is a
// loop.
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
	_, err := c.Post(ctx, Post{URL: srv.URL + "/", Body: []byte(`{"nextToken":"a"}`)})
	if Reason(err) != ReasonLoop || !strings.HasPrefix(err.Error(), "POST ") {
		t.Errorf("the same body again: %v, want a POST loop error", err)
	}
}

// TestPostRefusedReadsTheErrorBody: a 400 whose body names a spent quota
// is rate_limited through the Refused hook; without one, or when the hook
// keeps the status's reason, a 400 is http; a failing Sign sends nothing.
func TestPostRefusedReadsTheErrorBody(t *testing.T) {
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		sent.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"ThrottlingException","message":"Rate exceeded"}`))
	}))
	defer srv.Close()
	c := newClient(t, NewLimits(), Options{})
	throttled := func(status int, body []byte) (string, error) {
		if status == 400 && strings.Contains(string(body), "Throttling") {
			return ReasonRateLimited, errors.New("throttled")
		}
		return "", nil
	}
	_, err := c.Post(context.Background(), Post{URL: srv.URL + "/", Refused: throttled})
	var fe *Error
	if !errors.As(err, &fe) || fe.Reason != ReasonRateLimited || fe.Status != 400 || fe.Method != "POST" {
		t.Errorf("with Refused: %#v", err)
	}
	if strings.Contains(err.Error(), "Rate exceeded") {
		t.Errorf("the error repeats the body: %v", err)
	}
	if _, err := c.Post(context.Background(), Post{URL: srv.URL + "/"}); Reason(err) != ReasonHTTP {
		t.Errorf("without Refused: %v, want http", err)
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
