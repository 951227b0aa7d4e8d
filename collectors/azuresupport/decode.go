package azuresupport

import (
	"fmt"
	"strings"
	"time"
)

// ticketPage is a page of SupportTickets_List: ARM's list envelope, value
// and an absolute nextLink (azure-rest-api-specs, Microsoft.Support
// stable/2024-04-01 support.json, SupportTicketsListResult).
type ticketPage struct {
	Value    []apiTicket `json:"value"`
	NextLink string      `json:"nextLink"`
}

// apiTicket is what the collector reads of a SupportTicketDetails.
type apiTicket struct {
	Name       string `json:"name"`
	Properties struct {
		Severity              string `json:"severity"`
		Status                string `json:"status"`
		CreatedDate           string `json:"createdDate"`
		ModifiedDate          string `json:"modifiedDate"`
		ServiceLevelAgreement *struct {
			ExpirationTime string `json:"expirationTime"`
		} `json:"serviceLevelAgreement"`
	} `json:"properties"`
}

// commPage is a page of Communications_List (CommunicationsListResult).
type commPage struct {
	Value    []apiComm `json:"value"`
	NextLink string    `json:"nextLink"`
}

// apiComm is what the collector reads of a CommunicationDetails: never
// its subject, body or sender, which are the parties' words.
type apiComm struct {
	Name       string `json:"name"`
	Properties struct {
		CommunicationDirection string `json:"communicationDirection"`
		CreatedDate            string `json:"createdDate"`
	} `json:"properties"`
}

// Directions of a communication. The spec documents the enum (inbound,
// outbound) without saying which is whose; a communication the customer
// posts through the API reads back "Inbound" (Azure CLI's recorded
// test, testdata/README.md), so inbound is the customer's and outbound
// Microsoft's. Azure writes enum values capitalized ("Inbound",
// "Minimal", "Web") where its spec spells them in lower case: every
// comparison ignores case.
const (
	directionInbound  = "inbound"
	directionOutbound = "outbound"
)

// normalizedDirection is a communicationDirection as the constants
// above spell it.
func normalizedDirection(d string) string { return strings.ToLower(strings.TrimSpace(d)) }

// statusClosed is the status of a closed ticket; every other status
// (Open, Updating, ...) is one Microsoft still works on.
const statusClosed = "closed"

// parseTime reads an ARM instant: RFC 3339 in UTC, with or without a
// fraction of a second.
func parseTime(field, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: not an RFC 3339 time", field, v)
	}
	return t.UTC(), nil
}

// closed reports whether the ticket's status is Closed.
func (t *apiTicket) closed() bool {
	return strings.EqualFold(strings.TrimSpace(t.Properties.Status), statusClosed)
}

// severity is the ticket's severity as the vendor's `priorities` name it:
// lower case, as the spec spells it (minimal, moderate, critical,
// highestcriticalimpact).
func (t *apiTicket) severity() string {
	return strings.ToLower(strings.TrimSpace(t.Properties.Severity))
}
