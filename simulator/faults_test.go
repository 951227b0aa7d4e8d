package simulator

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
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

// TestFaultsAsEachAPI checks the faults that depend on the API they hit:
// a revoked credential is refused with the API's own 401, and a page the
// client already holds (GitHub's ETag) is still damaged, not answered 304.
func TestFaultsAsEachAPI(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 1, Vendors: []Vendor{vendor("acme", Persona{}, 30)}})
	issues := s.URL("acme", KindGitHub) + "/repos/" + s.GitHubRepository("acme") + "/issues?state=all"
	do := func(t *testing.T, req *http.Request) (*http.Response, []byte, error) {
		t.Helper()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}
	request := func(url, user, pass string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		return req
	}

	t.Run("unauthorized", func(t *testing.T) {
		ghAnonymous := request(issues, "", "")
		ghToken := request(issues, "", "")
		ghToken.Header.Set("Authorization", "Bearer "+s.GitHubToken("acme"))
		fdUser, fdPass := s.FreshdeskCredentials("acme")
		jsmUser, jsmPass := s.JSMCredentials("acme")
		custUser, custPass := s.JSMCustomerCredentials("acme")
		reqUser, reqPass := s.ZendeskRequestsCredentials("acme")
		tests := []struct {
			name, kind string
			req        *http.Request
			body       string // the API's own answer to a bad credential
		}{
			{"freshdesk", KindFreshdesk, request(s.URL("acme", KindFreshdesk)+"/api/v2/tickets", fdUser, fdPass), `"invalid_credentials"`},
			{"github with a token", KindGitHub, ghToken, `"Bad credentials"`},
			{"github anonymous", KindGitHub, ghAnonymous, `"Bad credentials"`},
			{"jsm agent", KindJSM, request(s.URL("acme", KindJSM)+"/rest/servicedeskapi/request", jsmUser, jsmPass), `"Client must be authenticated to access this resource."`},
			{"jsm customer", KindJSM, request(s.URL("acme", KindJSM)+"/rest/servicedeskapi/request", custUser, custPass), `"Client must be authenticated to access this resource."`},
			{"zendesk requests", KindZendeskRequests, request(s.URL("acme", KindZendeskRequests)+"/api/v2/requests", reqUser, reqPass), `"Couldn't authenticate you"`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s.Inject("acme", tt.kind, FaultUnauthorized, 1)
				resp, body, err := do(t, tt.req)
				if err != nil || resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), tt.body) {
					t.Errorf("got %v %s %v, want 401 with %s", statusOf(resp), body, err, tt.body)
				}
				// The fault spoiled a copy: the credential itself still works.
				if resp, _, err := do(t, tt.req); err != nil || resp.StatusCode != http.StatusOK {
					t.Errorf("the request after the fault: %v %v, want 200", statusOf(resp), err)
				}
			})
		}
	})

	t.Run("damaged pages the client holds", func(t *testing.T) {
		resp, _, err := do(t, request(issues, "", ""))
		if err != nil || resp.Header.Get("ETag") == "" {
			t.Fatalf("GitHub's issue list: %v %v, want an ETag", statusOf(resp), err)
		}
		conditional := request(issues, "", "")
		conditional.Header.Set("If-None-Match", resp.Header.Get("ETag"))
		if resp, _, err := do(t, conditional); err != nil || resp.StatusCode != http.StatusNotModified {
			t.Fatalf("the conditional request without a fault: %v %v, want 304", statusOf(resp), err)
		}
		for _, f := range []Fault{FaultMalformed, FaultTruncated} {
			s.Inject("acme", KindGitHub, f, 1)
			resp, body, err := do(t, conditional)
			if f == FaultTruncated && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%v: got %v, want the body cut short (unexpected EOF)", f, err)
			}
			if resp == nil || resp.StatusCode != http.StatusOK || len(body) == 0 || json.Valid(body) {
				t.Errorf("%v: got %v with %d bytes (valid JSON: %v), want 200 with half a page", f, statusOf(resp), len(body), json.Valid(body))
			}
		}
	})
}
