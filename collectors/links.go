package collectors

import (
	"net/url"
	"strings"
)

// The links the service review (exporter/report) gives to tickets and
// incidents: the page at the vendor that the BUYER can open, where the
// kind has one (docs/sources.md, "Links in the service review"). A kind
// without one (chat, mail, cloud consoles whose pages need the account's
// own console session, the agent-only views) gives none.

// zendeskRequestURL is the help center's request page, which the
// requester opens (the agent view /agent/tickets is for agents only).
func zendeskRequestURL(base, id string) string {
	return strings.TrimSuffix(base, "/") + "/hc/requests/" + url.PathEscape(id)
}

// freshdeskTicketURL is the customer portal's ticket page.
func freshdeskTicketURL(base, id string) string {
	return strings.TrimSuffix(base, "/") + "/support/tickets/" + url.PathEscape(id)
}

// githubIssueURL is an issue's page; ids are OWNER/REPO#N.
func githubIssueURL(_, id string) string {
	repo, n, ok := strings.Cut(id, "#")
	if !ok || repo == "" || n == "" {
		return ""
	}
	return "https://github.com/" + repo + "/issues/" + n
}

// statuspageIncidentURL is an incident's (or maintenance's) page on an
// Atlassian Statuspage.
func statuspageIncidentURL(base, id string) string {
	return strings.TrimSuffix(base, "/") + "/incidents/" + url.PathEscape(id)
}
