package simulator

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	paths := map[string]string{KindZendesk: exportPath + "?start_time=0", KindStatuspage: "/api/v2/summary.json"}
	tests := []struct {
		fault Fault
		check func(t *testing.T, resp *http.Response, body []byte, err error)
	}{
		{FaultRateLimit, func(t *testing.T, resp *http.Response, _ []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" ||
				resp.Header.Get("X-Rate-Limit-Remaining") != "0" || resp.Header.Get("Ratelimit-Remaining") != "0" {
				t.Errorf("got %v %v, want 429 with Retry-After 1 and no requests remaining", statusOf(resp), err)
			}
		}},
		{FaultServerError, func(t *testing.T, resp *http.Response, _ []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusInternalServerError {
				t.Errorf("got %v %v, want 500", statusOf(resp), err)
			}
		}},
		{FaultUnauthorized, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusUnauthorized || string(body) != `{"error":"Couldn't authenticate you"}` {
				t.Errorf("got %v %s %v, want Zendesk's 401", statusOf(resp), body, err)
			}
		}},
		{FaultMalformed, func(t *testing.T, resp *http.Response, body []byte, err error) {
			var v any
			if err != nil || resp.StatusCode != http.StatusOK || json.Unmarshal(body, &v) == nil {
				t.Errorf("got %v %v and a body that parses: %v, want 200 with broken JSON", statusOf(resp), err, json.Unmarshal(body, &v))
			}
		}},
		{FaultTruncated, func(t *testing.T, resp *http.Response, _ []byte, err error) {
			if resp == nil || resp.StatusCode != http.StatusOK || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("got %v %v, want 200 and the body cut short (unexpected EOF)", statusOf(resp), err)
			}
		}},
		{FaultTimeout, func(t *testing.T, _ *http.Response, _ []byte, err error) {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("got %v, want the client's timeout", err)
			}
		}},
	}
	for _, kind := range []string{KindZendesk, KindStatuspage} {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.fault.String(), func(t *testing.T) {
				c := newClock(testStart)
				s := startSim(t, c, Options{Seed: 1, Vendors: []Vendor{vendor("acme", Persona{}, 30)}})
				s.Inject("acme", kind, tt.fault, 2)
				user, pass := s.ZendeskCredentials("acme")
				// The timeout fault holds the request until the client gives up.
				client := &http.Client{Timeout: 300 * time.Millisecond}
				for i := range 3 {
					req, _ := http.NewRequest(http.MethodGet, s.URL("acme", kind)+paths[kind], nil)
					req.SetBasicAuth(user, pass)
					resp, err := client.Do(req)
					var body []byte
					if err == nil {
						body, err = io.ReadAll(resp.Body)
						resp.Body.Close()
					}
					if i < 2 {
						tt.check(t, resp, body, err)
					} else if err != nil || resp.StatusCode != http.StatusOK {
						t.Errorf("request after the %d faulted ones: %v %v, want 200", i, statusOf(resp), err)
					}
				}
				if got := s.Requests("acme", kind); got != 3 {
					t.Errorf("Requests = %d, want 3", got)
				}
			})
		}
	}
}

func statusOf(resp *http.Response) any {
	if resp == nil {
		return "no response"
	}
	return resp.StatusCode
}
