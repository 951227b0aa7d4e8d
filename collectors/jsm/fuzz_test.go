package jsm

import (
	"testing"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/model"
)

// FuzzDecodeSearchPage feeds arbitrary bodies to the search decoder and the
// mapping: neither may panic, and an accepted issue must map onto a usable
// ticket.
func FuzzDecodeSearchPage(f *testing.F) {
	f.Add(realSearchPage(f))
	f.Add([]byte(`{"issues":[],"nextPageToken":"t","isLast":false}`))
	f.Add([]byte(`{"issues":[{"id":"1","fields":{"created":"2024-10-09T10:37:54.643+0800","updated":"2024-10-09T10:37:54.643+0800",` +
		`"resolutiondate":"2024-10-09T11:00:00.000+0800","status":{"name":"Closed","statusCategory":{"key":"done"}},"priority":null,"reporter":null}}]}`))
	valid := map[model.Status]bool{model.StatusNew: true, model.StatusOpen: true, model.StatusPending: true, model.StatusSolved: true, model.StatusClosed: true}
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
			if e.Kind != model.EventVendorReply && e.Kind != model.EventCustomerReply {
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
	})
}
