package simulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestGCPSupportAPI: the fake answers as Google's does: the search by
// update_time, paged by pageToken; a case's comments newest first without
// the description; Google's error envelope for a bad token, a faulted
// request and another project; the token endpoint's invalid_grant.
func TestGCPSupportAPI(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 3, Vendors: []Vendor{vendor("acme", Persona{}, 30)}})
	w := s.worlds["acme"]
	parent := s.GCPSupportParent("acme")
	get := func(path, token string, v any) int {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, path, nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		s.apis[apiKey{"acme", KindGCPSupport}].ServeHTTP(rec, r)
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			t.Fatalf("%s: HTTP %d %q: %v", path, rec.Code, rec.Body, err)
		}
		return rec.Code
	}
	search := "/v2/" + parent + "/cases:search?pageSize=7"
	var all []gcpCase
	token := ""
	for n := 0; ; n++ {
		var p gcpSearchPage
		if code := get(search+"&pageToken="+token, w.gcpToken(), &p); code != http.StatusOK || n > 10 {
			t.Fatalf("search page %d: HTTP %d", n, code)
		}
		all = append(all, p.Cases...)
		if token = p.NextPageToken; token == "" {
			break
		}
	}
	truth := s.Truth("acme", testStart)
	if len(all) != len(truth.Tickets) {
		t.Fatalf("the search paged %d cases, the vendor has %d tickets", len(all), len(truth.Tickets))
	}
	for i := 1; i < len(all); i++ {
		if all[i].UpdateTime > all[i-1].UpdateTime {
			t.Fatalf("case %d updated %s after case %d's %s: want newest first", i, all[i].UpdateTime, i-1, all[i-1].UpdateTime)
		}
	}
	since := all[len(all)/2].UpdateTime
	var newer gcpSearchPage
	get(search+"&query="+url.QueryEscape(`update_time>"`+since+`"`)+"&pageSize=100", w.gcpToken(), &newer)
	for _, c := range newer.Cases {
		if c.UpdateTime <= since {
			t.Errorf("update_time>%s lists a case updated %s", since, c.UpdateTime)
		}
	}
	if len(newer.Cases) == 0 || len(newer.Cases) >= len(all) {
		t.Errorf("update_time>%s lists %d of %d cases", since, len(newer.Cases), len(all))
	}

	// Comments: the conversation less the description, newest first.
	for _, tl := range []int{0, 1, 2} {
		st := stateAt(w.timeline(tl), testStart.Unix())
		var p gcpCommentsPage
		get("/v2/"+parent+"/cases/"+gcpCaseNumber(st.tl)+"/comments", w.gcpToken(), &p)
		if len(p.Comments) != min(len(st.comments())-1, 10) {
			t.Errorf("ticket %d: %d comments, want %d", tl, len(p.Comments), len(st.comments())-1)
		}
		for i := 1; i < len(p.Comments); i++ {
			if p.Comments[i].CreateTime > p.Comments[i-1].CreateTime {
				t.Errorf("ticket %d: comments not newest first", tl)
			}
		}
	}

	// v2 takes no v2beta parent term: the parent is the path's.
	var e gcpError
	for _, term := range []string{`project="` + parent + `"`, `organization="organizations/123" AND update_time>"` + since + `"`} {
		if code := get(search+"&query="+url.QueryEscape(term), w.gcpToken(), &e); code != http.StatusBadRequest || e.Error.Status != "INVALID_ARGUMENT" {
			t.Errorf("query %s: HTTP %d %+v, want 400 INVALID_ARGUMENT", term, code, e)
		}
	}
	// Priorities on Google's scale: urgent is P1 (critical impact).
	for _, c := range all {
		if !slices.Contains([]string{"P1", "P2", "P3", "P4"}, c.Priority) {
			t.Errorf("case %s: priority %q, want P1..P4", c.Name, c.Priority)
		}
	}
	if code := get(search, "ya29.wrong", &e); code != http.StatusUnauthorized || e.Error.Status != "UNAUTHENTICATED" {
		t.Errorf("a bad token: HTTP %d %+v", code, e)
	}
	if code := get("/v2/projects/someone-else/cases:search", w.gcpToken(), &e); code != http.StatusForbidden || e.Error.Status != "PERMISSION_DENIED" {
		t.Errorf("another project: HTTP %d %+v", code, e)
	}

	// The token endpoint refuses an assertion it cannot verify.
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {"e30.e30.c2ln"}}
	resp, err := http.Post(s.URL("acme", KindGCPSupport)+gcpTokenPath, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var te gcpTokenError
	if err := json.NewDecoder(resp.Body).Decode(&te); err != nil || resp.StatusCode != http.StatusBadRequest || te.Error != "invalid_grant" {
		t.Errorf("a forged assertion: HTTP %d %+v %v, want 400 invalid_grant", resp.StatusCode, te, err)
	}
}

// TestGCPSupportFaultsInGoogleShape: the faults answer with Google's
// envelope and status.
func TestGCPSupportFaultsInGoogleShape(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 3, Vendors: []Vendor{vendor("acme", Persona{}, 5)}})
	u := s.URL("acme", KindGCPSupport) + "/v2/" + s.GCPSupportParent("acme") + "/cases:search"
	for f, want := range map[Fault]gcpStatus{
		FaultRateLimit:        {Code: 429, Status: "RESOURCE_EXHAUSTED"},
		FaultRateLimitNoReset: {Code: 429, Status: "RESOURCE_EXHAUSTED"},
		FaultForbidden:        {Code: 403, Status: "PERMISSION_DENIED"},
		FaultUnauthorized:     {Code: 401, Status: "UNAUTHENTICATED"},
		FaultServerError:      {Code: 500, Status: "INTERNAL"},
	} {
		s.Inject("acme", KindGCPSupport, f, 1)
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+s.GCPSupportToken("acme"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e gcpError
		err = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if err != nil || resp.StatusCode != want.Code || e.Error.Code != want.Code || e.Error.Status != want.Status {
			t.Errorf("%v: HTTP %d %+v (%v), want %d %s", f, resp.StatusCode, e, err, want.Code, want.Status)
		}
	}
}
