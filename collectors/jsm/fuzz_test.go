package jsm

import (
	"testing"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// FuzzDecodeSearchPage feeds arbitrary bodies to the search decoder and the
// mapping: neither may panic, and an accepted issue must map onto a usable
// ticket.
func FuzzDecodeSearchPage(f *testing.F) {
	f.Add(realSearchPage(f))
	f.Add([]byte(`{"issues":[],"nextPageToken":"t","isLast":false}`))
	f.Add([]byte(`{"issues":[{"id":"1","fields":{"created":"2024-10-09T10:37:54.643+0800","updated":"2024-10-09T10:37:54.643+0800",` +
		`"resolutiondate":"2024-10-09T11:00:00.000+0800","status":{"name":"Closed","statusCategory":{"key":"done"}},"priority":null,"reporter":null}}]}`))
	valid := map[item.Status]bool{item.StatusNew: true, item.StatusOpen: true, item.StatusPending: true, item.StatusSolved: true, item.StatusClosed: true}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeSearchPage(body)
		if err != nil {
			return
		}
		if !p.last() && p.NextPageToken == "" {
			t.Error("accepted a page that neither ends nor continues")
		}
		for _, is := range *p.Issues {
			tk, err := toTicket(is, details{})
			if err != nil {
				t.Errorf("issue %s: %v", is.ID, err)
				continue
			}
			if tk.ID == "" || tk.CreatedAt.IsZero() || tk.UpdatedAt.IsZero() || !valid[tk.Status] {
				t.Errorf("accepted unusable ticket %+v", tk)
			}
		}
	})
}

// FuzzDecodeComments feeds arbitrary comment pages to the decoder and the
// reply attribution.
func FuzzDecodeComments(f *testing.F) {
	f.Add([]byte(`{"size":1,"start":0,"limit":50,"isLastPage":true,"values":[` +
		string(collectortest.Testdata(f, "go-jira_cloud_request_comment_response.json")) + `]}`))
	f.Add([]byte(`{"isLastPage":false,"values":[{"public":true,"created":{"epochMillis":-1}}]}`))
	f.Add([]byte(`{"isLastPage":true,"values":[{"public":false,"author":null}]}`))
	is := apiIssue{ID: "1", Fields: &apiFields{Created: jiraTime{t0}, Updated: jiraTime{t0}, Status: &apiStatus{}, Reporter: &apiUser{AccountID: "c"}}}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodePaged[apiComment](body)
		if err != nil {
			return
		}
		tk, err := toTicket(is, details{comments: *p.Values})
		if err != nil {
			return // a public comment without a usable date: refused
		}
		for _, e := range tk.Events {
			if e.Kind != item.EventVendorReply && e.Kind != item.EventCustomerReply {
				t.Errorf("comment mapped to %s", e.Kind)
			}
		}
	})
}

// FuzzDecodeSLA feeds arbitrary SLA pages to the decoder and the figures.
func FuzzDecodeSLA(f *testing.F) {
	f.Add(collectortest.Testdata(f, "docs_get_sla_information.json"))
	f.Add([]byte(`{"isLastPage":true,"values":[{"name":"Time to resolution","completedCycles":[{"stopTime":{"epochMillis":253402300799999}}],"ongoingCycle":{}}]}`))
	f.Add([]byte(`{"isLastPage":true,"values":[{"name":"Time to first response","completedCycles":[{}]}]}`))
	f.Add([]byte(`{"isLastPage":true,"values":[{"name":"Time to first response","completedCycles":[],"ongoingCycle":{"breachTime":{"epochMillis":1},"breached":true,"paused":false}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodePaged[apiSLA](body)
		if err != nil {
			return
		}
		fig, err := figures(*p.Values, 0)
		if err != nil || fig == nil {
			return
		}
		if fig.Reopens < 0 || fig.Replies != 0 {
			t.Errorf("figures %+v", fig)
		}
		// A clock's first stop is the date the figures give.
		if c := fig.FirstResponseSLA; (c == nil && !fig.FirstReplyAt.IsZero()) || (c != nil && !c.Stopped.Equal(fig.FirstReplyAt)) {
			t.Errorf("first response clock %+v, first reply at %v", c, fig.FirstReplyAt)
		}
		if c := fig.ResolutionSLA; (c == nil && !fig.FirstSolvedAt.IsZero()) || (c != nil && !c.Stopped.Equal(fig.FirstSolvedAt)) {
			t.Errorf("resolution clock %+v, first solved at %v", c, fig.FirstSolvedAt)
		}
	})
}

// FuzzDecodeRequests feeds arbitrary request lists to the decoder, the
// change detection and the mapping: none may panic, and an accepted request
// must map onto a usable ticket.
func FuzzDecodeRequests(f *testing.F) {
	f.Add([]byte(`{"size":1,"start":0,"limit":50,"isLastPage":true,"values":[` +
		string(collectortest.Testdata(f, "go-jira_cloud_request_create_response.json")) + `]}`))
	f.Add([]byte(`{"isLastPage":true,"values":[{"issueId":"1","createdDate":{"epochMillis":0},"currentStatus":{"status":"Closed","statusCategory":"DONE","statusDate":{"epochMillis":253402300799999}}}]}`))
	f.Add([]byte(`{"isLastPage":true,"values":[{"issueId":"1","createdDate":{"epochMillis":5},"currentStatus":{"statusDate":null}}]}`))
	valid := map[item.Status]bool{item.StatusNew: true, item.StatusOpen: true, item.StatusPending: true, item.StatusSolved: true, item.StatusClosed: true}
	prev := cursor{Requests: []listedRequest{{ID: "1", Status: "Open@0"}}}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodePaged[apiRequest](body)
		if err != nil {
			return
		}
		var ok []apiRequest
		for _, r := range *p.Values {
			if r.check() == nil {
				ok = append(ok, r)
			}
		}
		if got := prev.activity(ok); len(got) != len(ok) {
			t.Fatalf("activity of %d requests has %d verdicts", len(ok), len(got))
		}
		for _, r := range ok {
			tk, err := requestToTicket(r, nil, nil)
			if err != nil {
				t.Errorf("request %s passed its check but does not map: %v", r.IssueID, err)
				continue
			}
			if tk.ID == "" || tk.UpdatedAt.Before(tk.CreatedAt) || !valid[tk.Status] {
				t.Errorf("accepted unusable ticket %+v", tk)
			}
		}
	})
}
