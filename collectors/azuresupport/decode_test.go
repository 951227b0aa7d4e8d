package azuresupport

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// specBody is the 200 answer's body of an azure-rest-api-specs example.
func specBody(tb testing.TB, name string) []byte {
	tb.Helper()
	var ex struct {
		Responses struct {
			OK struct {
				Body json.RawMessage `json:"body"`
			} `json:"200"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(collectortest.Testdata(tb, name), &ex); err != nil {
		tb.Fatal(err)
	}
	return ex.Responses.OK.Body
}

func TestDecodeTicketPages(t *testing.T) {
	for _, tc := range []struct {
		name      string
		body      []byte
		names     []string
		severity  string
		closed    bool
		created   string
		modified  string
		expiresAt string
	}{
		{"spec example", specBody(t, "spec_ListSupportTicketsBySubscription.json"), []string{"testticket", "testticket2"},
			"moderate", false, "2020-03-20T21:36:18Z", "2020-03-20T21:36:23Z", "2020-03-21T17:36:18Z"},
		{"CLI recording", collectortest.Testdata(t, "cli_list_open_tickets.json"), []string{"test_ticket_from_cli_000001"},
			"minimal", false, "2020-01-16T02:10:22Z", "2020-01-16T02:10:25Z", "2020-01-16T18:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p ticketPage
			if err := json.Unmarshal(tc.body, &p); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, at := range p.Value {
				names = append(names, at.Name)
			}
			if len(names) != len(tc.names) || names[0] != tc.names[0] || p.NextLink != "" {
				t.Fatalf("names %q, nextLink %q; want %q and none", names, p.NextLink, tc.names)
			}
			at := &p.Value[0]
			created, err1 := parseTime("createdDate", at.Properties.CreatedDate)
			modified, err2 := parseTime("modifiedDate", at.Properties.ModifiedDate)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if at.severity() != tc.severity || at.closed() != tc.closed ||
				!created.Equal(collectortest.UTC(tc.created)) || !modified.Equal(collectortest.UTC(tc.modified)) {
				t.Errorf("severity %q closed %v created %v modified %v", at.severity(), at.closed(), created, modified)
			}
			fig := figures(at, created, nil)
			if fig == nil || !fig.FirstResponseSLA.Deadline.Equal(collectortest.UTC(tc.expiresAt)) || fig.FirstResponseSLA.Breached {
				t.Errorf("figures %+v, want a running clock until %s", fig, tc.expiresAt)
			}
		})
	}
}

func TestDecodeCommunications(t *testing.T) {
	created := collectortest.UTC("2020-01-01T00:00:00Z")
	for _, tc := range []struct {
		name      string
		body      []byte
		direction string
		at        string
	}{
		// Both outbound in the spec's example: Microsoft's, as the
		// recording below tells.
		{"spec example", specBody(t, "spec_ListCommunicationsForSubscriptionSupportTicket.json"), directionOutbound, "2020-03-24T20:18:19Z"},
		// Posted by the test as the customer, read back Inbound.
		{"CLI recording", collectortest.Testdata(t, "cli_list_communications.json"), directionInbound, "2020-01-16T02:13:40Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p commPage
			if err := json.Unmarshal(tc.body, &p); err != nil {
				t.Fatal(err)
			}
			m := p.Value[0].Properties
			at, err := parseTime("createdDate", m.CreatedDate)
			if err != nil || !at.Equal(collectortest.UTC(tc.at)) || !at.After(created) {
				t.Errorf("createdDate %v (%v), want %s", at, err, tc.at)
			}
			if got := normalizedDirection(m.CommunicationDirection); got != tc.direction {
				t.Errorf("direction %q, want %q", got, tc.direction)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2020-03-20T21:36:18Z":         time.Date(2020, 3, 20, 21, 36, 18, 0, time.UTC),
		"2020-03-20T21:36:18.5Z":       time.Date(2020, 3, 20, 21, 36, 18, 5e8, time.UTC),
		"2020-03-20T22:36:18.25+01:00": time.Date(2020, 3, 20, 21, 36, 18, 25e7, time.UTC),
	} {
		if got, err := parseTime("t", in); err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "3/11/2024 3:46:20 PM", "2020-03-20"} {
		if _, err := parseTime("t", bad); err == nil {
			t.Errorf("parseTime(%q) took it", bad)
		}
	}
}
