package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFaultForbidden: each API refuses with its own 403 (a public page
// with its web server's HTML), then answers again.
func TestFaultForbidden(t *testing.T) {
	s := faultSim(t)
	want := map[string]string{ // what the 403's body says
		KindZendesk:         `"error":"Forbidden"`,
		KindZendeskRequests: `"error":"Forbidden"`,
		KindFreshdesk:       `"code":"access_denied"`,
		KindGitHub:          `"message":"Resource not accessible by personal access token"`,
		KindJSM:             `"errorMessages":["You do not have permission`,
	}
	type request struct {
		name, kind, url string
		auth            func(*http.Request)
		body            string
	}
	var requests []request
	for _, kind := range allKinds {
		u, auth := listRequest(s, kind)
		body, ok := want[kind]
		if !ok {
			body = "<h1>403 Forbidden</h1>"
		}
		requests = append(requests, request{kind, kind, u, auth, body})
	}
	_, jsmAuth := listRequest(s, KindJSM)
	requests = append(requests, request{"jsm servicedeskapi", KindJSM, s.URL("acme", KindJSM) + "/rest/servicedeskapi/request", jsmAuth,
		`"errorMessage":"You do not have permission to access this service desk."`})
	for _, rq := range requests {
		t.Run(rq.name, func(t *testing.T) {
			s.Inject("acme", rq.kind, FaultForbidden, 1)
			r := fetch(t, rq.url, rq.auth)
			if r.status != http.StatusForbidden || !strings.Contains(string(r.body), rq.body) {
				t.Errorf("HTTP %d %.300s, want 403 with %s", r.status, r.body, rq.body)
			}
			if strings.HasPrefix(rq.body, `"`) && !json.Valid(r.body) {
				t.Errorf("the 403's body is not the API's JSON: %s", r.body)
			}
			if rq.kind == KindGitHub && (r.header.Get("X-RateLimit-Remaining") == "0" || r.header.Get("X-RateLimit-Remaining") == "") {
				t.Errorf("GitHub's 403 with X-RateLimit-Remaining %q: the quota headers must show it is no rate limit",
					r.header.Get("X-RateLimit-Remaining"))
			}
			if r := fetch(t, rq.url, rq.auth); r.status != http.StatusOK {
				t.Errorf("after the fault: HTTP %d", r.status)
			}
		})
	}
}

// TestFaultReset: the client reads a reset before any byte of an answer.
// On a reused keep-alive connection Go's transport retries the GET once
// on another, which then meets the next request's fault, or none.
func TestFaultReset(t *testing.T) {
	for _, kind := range allKinds {
		t.Run(kind, func(t *testing.T) {
			s := faultSim(t)
			u, auth := listRequest(s, kind)
			s.Inject("acme", kind, FaultReset, 1)
			fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
			req, _ := http.NewRequest(http.MethodGet, u, nil)
			if auth != nil {
				auth(req)
			}
			resp, err := fresh.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("HTTP %d, want the connection reset", resp.StatusCode)
			}
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("error %v, want a connection reset", err)
			}
			if r := fetch(t, u, auth); r.status != http.StatusOK {
				t.Errorf("after the fault: HTTP %d", r.status)
			}
		})
	}
	t.Run("reused connection", func(t *testing.T) {
		s := faultSim(t)
		u, _ := listRequest(s, KindStatuspage)
		client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
		get := func() error {
			resp, err := client.Get(u)
			if err == nil { // read to its end: the connection is kept alive
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			return err
		}
		if err := get(); err != nil { // opens the connection kept alive
			t.Fatal(err)
		}
		s.Inject("acme", KindStatuspage, FaultReset, 1)
		if err := get(); err != nil {
			t.Errorf("one reset on a reused connection: %v, want the transport's retry to succeed", err)
		}
		if err := s.InjectSpec("acme", KindStatuspage, Spec{Fault: FaultReset, Requests: 2}); err != nil {
			t.Fatal(err)
		}
		if err := get(); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("a reset on the retry too: %v, want the connection reset", err)
		}
		if got := s.Requests("acme", KindStatuspage); got != 5 {
			t.Errorf("Requests = %d, want 5 (1, 2 for the retried reset, 2 for the reset twice)", got)
		}
	})
}

// TestEndFaults: the faults injected end at once, those still to play
// included; another API's stay.
func TestEndFaults(t *testing.T) {
	s := faultSim(t)
	u, _ := listRequest(s, KindStatuspage)
	s.Inject("acme", KindStatuspage, FaultServerError, 100)
	s.Inject("acme", KindStatuspage, FaultRateLimit, 100)
	s.Inject("acme", KindCachet, FaultServerError, 1)
	if r := fetch(t, u, nil); r.status != http.StatusInternalServerError {
		t.Fatalf("HTTP %d, want the fault's 500", r.status)
	}
	s.EndFaults("acme", KindStatuspage)
	if r := fetch(t, u, nil); r.status != http.StatusOK {
		t.Errorf("after EndFaults: HTTP %d, want 200", r.status)
	}
	if u, _ := listRequest(s, KindCachet); fetch(t, u, nil).status != http.StatusInternalServerError {
		t.Error("another API's fault ended too")
	}
	s.EndFaults("nobody", KindStatuspage) // an unknown API: nothing to end
}

// TestAnswersDatedByTheVendorsClock: every answer's Date is the vendor's
// clock, faults' included.
func TestAnswersDatedByTheVendorsClock(t *testing.T) {
	s := faultSim(t)
	want := testStart.Format(http.TimeFormat)
	for _, kind := range allKinds {
		u, auth := listRequest(s, kind)
		if got := fetch(t, u, auth).header.Get("Date"); got != want {
			t.Errorf("%s: Date %q, want %q", kind, got, want)
		}
		s.Inject("acme", kind, FaultServerError, 1)
		if got := fetch(t, u, auth).header.Get("Date"); got != want {
			t.Errorf("%s under a fault: Date %q, want %q", kind, got, want)
		}
	}
}

// TestFaultAfter: a fault injected with After lets that many requests
// through first, then plays for its requests; faults injected after it
// wait their turn.
func TestFaultAfter(t *testing.T) {
	s := faultSim(t)
	u, _ := listRequest(s, KindStatuspage)
	if err := s.InjectSpec("acme", KindStatuspage, Spec{Fault: FaultServerError, Requests: 2, After: 2}); err != nil {
		t.Fatal(err)
	}
	s.Inject("acme", KindStatuspage, FaultRateLimit, 1)
	var got []int
	for range 6 {
		got = append(got, fetch(t, u, nil).status)
	}
	want := []int{200, 200, 500, 500, 429, 200}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

// TestFaultUnsorted: under FaultUnsorted the Requests list comes in id
// order whatever sort it asks, its page cursors walking that order to the
// last request; then the sort is honoured again.
func TestFaultUnsorted(t *testing.T) {
	s := faultSim(t)
	_, auth := listRequest(s, KindZendeskRequests)
	first := s.URL("acme", KindZendeskRequests) + requestsPath + "?page%5Bsize%5D=7&sort_by=updated_at&sort_order=desc"
	if err := s.InjectSpec("acme", KindZendeskRequests, Spec{Fault: FaultUnsorted, Requests: 100}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for u := first; u != ""; {
		var p requestsPage
		if err := json.Unmarshal(fetch(t, u, auth).body, &p); err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Requests {
			ids = append(ids, r.ID)
		}
		u = valueOf(p.Links.Next)
	}
	if len(ids) != 60 || !slices.IsSorted(ids) || ids[0] != 1 {
		t.Errorf("ids %v, want 1 to 60 in order", ids)
	}
	s.EndFaults("acme", KindZendeskRequests)
	var p requestsPage
	if err := json.Unmarshal(fetch(t, first, auth).body, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Requests) < 2 || p.Requests[0].UpdatedAt < p.Requests[1].UpdatedAt {
		t.Errorf("after the fault: the first page is not the newest first")
	}
	if err := s.InjectSpec("acme", KindFreshdesk, Spec{Fault: FaultUnsorted, Requests: 1}); err == nil {
		t.Error("FaultUnsorted injected into freshdesk")
	}
}
