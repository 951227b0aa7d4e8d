package collectors

import "testing"

func TestReviewLinks(t *testing.T) {
	kinds := Kinds.Config()
	for _, tc := range []struct {
		kind, url, id, ticket, incident string
	}{
		{"zendesk", "https://acme.zendesk.com/", "123", "https://acme.zendesk.com/hc/requests/123", ""},
		{"zendesk_requests", "https://acme.zendesk.com", "9", "https://acme.zendesk.com/hc/requests/9", ""},
		{"freshdesk", "https://acme.freshdesk.com", "42", "https://acme.freshdesk.com/support/tickets/42", ""},
		{"github", "https://api.github.com", "acme/widget#17", "https://github.com/acme/widget/issues/17", ""},
		{"github", "https://api.github.com", "no-number", "", ""},
		{"github", "", "acme/widget#17", "https://github.com/acme/widget/issues/17", ""},
		{"github", "https://ghe.corp.example/api/v3", "acme/widget#12", "https://ghe.corp.example/acme/widget/issues/12", ""},
		{"github", "https://ghe.corp.example/api/v3/", "acme/widget#12", "https://ghe.corp.example/acme/widget/issues/12", ""},
		{"github", "https://api.octo.ghe.com", "acme/widget#3", "https://octo.ghe.com/acme/widget/issues/3", ""},
		{"statuspage", "https://status.acme.com", "abc123", "", "https://status.acme.com/incidents/abc123"},
		{"slack", "https://slack.com/api", "C1/1700000000.000100", "", ""},
	} {
		k, ok := kinds.Lookup(tc.kind)
		if !ok {
			t.Fatalf("no kind %q", tc.kind)
		}
		var ticket, incident string
		if k.TicketURL != nil {
			ticket = k.TicketURL(tc.url, tc.id)
		}
		if k.IncidentURL != nil {
			incident = k.IncidentURL(tc.url, tc.id)
		}
		if ticket != tc.ticket || incident != tc.incident {
			t.Errorf("%s %q: ticket %q incident %q, want %q %q", tc.kind, tc.id, ticket, incident, tc.ticket, tc.incident)
		}
	}
}
